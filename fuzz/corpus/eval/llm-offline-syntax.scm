;; llm-query's answers are syntax objects: they print as #<syntax "...">, string operations
;; refuse them with a hint to unwrap them with syntax-e, and syntax-e gives the string.

(define answer (llm-query #:model "offline" #:instruction "Name a colour." #:data "sky"))
(define text (syntax-e answer))

(define (show label v) (printf "~a: ~s\n" label v))
(define (refusal thunk)
  (with-handlers ([exn:fail:contract? exn-message]) (thunk) 'accepted))

(show "syntax?" (syntax? answer))
(show "syntax? of its string" (syntax? text))
(show "syntax? of others" (map syntax? (list "s" 1 'sym #f '())))
(show "string?" (string? answer))
(show "syntax-e gives a string" (string? text))
(show "syntax-e passes strings through" (syntax-e "plain"))
(show "printed like the string inside"
      (equal? (format "~s" answer) (string-append "#<syntax " (format "~s" text) ">")))
(show "display and write agree" (equal? (format "~a" answer) (format "~s" answer)))
(show "equal? compares the text"
      (equal? answer (llm-query #:model "offline" #:instruction "Name a colour." #:data "sky")))
(show "not equal? to its string" (equal? answer text))
(show "unsafe-raw-query gives the same text unwrapped"
      (equal? text (unsafe-raw-query #:model "offline" #:instruction "Name a colour." #:data "sky")))

(define refusals
  (list (refusal (lambda () (string-append answer "!")))
        (refusal (lambda () (string-length answer)))
        (refusal (lambda () (substring answer 0 3)))
        (refusal (lambda () (string-upcase answer)))
        (refusal (lambda () (string=? answer text)))
        (refusal (lambda () (string-split answer ":")))
        (refusal (lambda () (string->symbol answer)))
        (refusal (lambda () (string->number answer)))
        (refusal (lambda () (string-contains? answer "offline")))
        (refusal (lambda () (string-prefix? answer "offline")))
        (refusal (lambda () (regexp-match #rx"offline" answer)))
        (refusal (lambda () (string-trim answer)))
        (refusal (lambda () (string->list answer)))
        (refusal (lambda () (string-ref answer 0)))))
(for ([r refusals]) (displayln r))

;; Model calls refuse a syntax object as data too: unwrap it first.
(displayln (refusal (lambda () (llm-query #:model "offline" #:data answer))))
(show "unwrapped data is fine" (syntax? (llm-query #:model "offline" #:data (syntax-e answer))))

(displayln (refusal (lambda () (syntax-e 42))))
(show "string operations on the unwrapped text" (string-prefix? (string-upcase text) "OFFLINE:OFFLINE:"))
