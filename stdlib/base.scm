;; The part of rlmsh's standard library that is most naturally written in Scheme itself:
;; racket/function combinators and sequence constructors usable outside `for` clauses.

(define (identity x) x)
(define (const v) (lambda args v))
(define (negate f) (lambda args (not (apply f args))))
(define (thunk? f) (procedure? f))

(define (compose . fs)
  (cond [(null? fs) identity]
        [(null? (cdr fs)) (car fs)]
        [else (let ([f (car fs)] [g (apply compose (cdr fs))])
                (lambda args (call-with-values (lambda () (apply g args)) f)))]))
(define compose1 compose)

(define (curry f . early) (lambda late (apply f (append early late))))
(define (curryr f . late) (lambda early (apply f (append early late))))
(define (conjoin . fs) (lambda args (andmap (lambda (f) (apply f args)) fs)))
(define (disjoin . fs) (lambda args (ormap (lambda (f) (apply f args)) fs)))

(define-syntax-rule (thunk body ...) (lambda () body ...))
(define-syntax-rule (thunk* body ...) (lambda ignored body ...))

(define (in-list l) l)
(define (in-range . args) (apply range args))
(define (in-vector v) (vector->list v))
(define (in-string s) (string->list s))
(define (in-hash h) (hash->list h))
(define (in-hash-keys h) (hash-keys h))
(define (in-hash-values h) (hash-values h))
