;; memoized: one call per key, results kept as checkpoints (the suite gives each program a fresh
;; checkpoint directory; tests/streams.rs checks that they survive a restart).

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define calls '())
(define (slow-square x) (set! calls (cons x calls)) (* x x))
(define square (memoized slow-square))
(report "results" (lambda () (map square '(3 4 3 3 4 5))))
(report "calls made" (lambda () (reverse calls)))

;; The key is the list of arguments, by default; #:key-fn picks it from that list.
(set! calls '())
(define by-first (memoized (lambda (a b) (set! calls (cons (list a b) calls)) (+ a b))
                           #:key-fn (lambda (args) (car args))))
(report "keyed by the first argument" (lambda () (list (by-first 1 10) (by-first 1 20) (by-first 2 30))))
(report "calls made" (lambda () (reverse calls)))

;; Each memoized procedure has keys of its own, even for the same arguments.
(define doubled (memoized (lambda (x) (* 2 x))))
(report "separate caches" (lambda () (list (square 3) (doubled 3))))

;; False and void results are remembered like any other.
(set! calls '())
(define falsy (memoized (lambda (x) (set! calls (cons x calls)) #f)))
(report "false results" (lambda () (list (falsy 1) (falsy 1) (length calls))))

;; Results are checkpoints named memoized:N:KEY (N counts the memoized procedures made).
(report "checkpoint" (lambda () (restore "memoized:1:(3)")))

;; Model answers must be unwrapped to be kept; a syntax object cannot be checkpointed.
(define ask (memoized (lambda (q) (syntax-e (llm-query #:instruction "Answer." #:data q)))))
(report "answer kept" (lambda () (equal? (ask "q") (ask "q"))))
(define raw (memoized (lambda (q) (llm-query #:instruction "Answer." #:data q))))
(report "syntax result" (lambda () (raw "q")))
(report "not a procedure" (lambda () (memoized 5)))
