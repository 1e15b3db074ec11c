;; Memoization: answers are saved under a key computed in Python with hashlib from the
;; question, so asking the same question twice costs one model call. The key comes from
;; py-exec's printed output and so ends in a newline.
;; Run with --context brief.txt.

(define keys-used '())

(define (cached-ask question data)
  (py-set! "q" question)
  (py-set! "d" data)
  (define key (py-exec "
import hashlib
print(hashlib.sha1((q + '\\x00' + d).encode()).hexdigest())
"))
  (set! keys-used (cons key keys-used))
  (define cached (restore key))
  (if cached
      (begin
        (display "CACHE HIT\n")
        cached)
      (begin
        (display "CACHE MISS\n")
        (define answer (syntax-e (llm-query #:instruction question #:data data #:model "gpt-4o-mini")))
        (checkpoint key answer)
        answer)))

(define first (cached-ask "Who is the audience of this product?" context))
(define second (cached-ask "Who is the audience of this product?" context))
(printf "same answer: ~a\n" (equal? first second))
(printf "key ends in newline: ~a\n" (andmap (lambda (k) (string-suffix? k "\n")) keys-used))
(finish first)
