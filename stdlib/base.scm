;; The part of rlmsh's standard library that is most naturally written in Scheme itself:
;; racket/function combinators and sequence constructors usable outside `for` clauses.
;; A string right after a definition's name is its documentation (see src/eval/library.rs).

(define (identity x) "Returns its argument." x)
(define (const v) "A procedure that accepts any arguments and returns V." (lambda args v))
(define (negate f) "A procedure that returns the opposite truth value of F's result." (lambda args (not (apply f args))))
(define (thunk? f) "Is the value a procedure?" (procedure? f))

(define (compose . fs)
  "Composes procedures right to left: ((compose f g) x) is (f (g x)); passes multiple values along."
  (cond [(null? fs) identity]
        [(null? (cdr fs)) (car fs)]
        [else (let ([f (car fs)] [g (apply compose (cdr fs))])
                (lambda args (call-with-values (lambda () (apply g args)) f)))]))
(define (compose1 . fs) "Composes procedures of one argument right to left." (apply compose fs))

(define (curry f . early) "F with its first arguments fixed to EARLY." (lambda late (apply f (append early late))))
(define (curryr f . late) "F with its last arguments fixed to LATE." (lambda early (apply f (append early late))))
(define (conjoin . fs) "A predicate true when every F is true of the arguments." (lambda args (andmap (lambda (f) (apply f args)) fs)))
(define (disjoin . fs) "A predicate true when some F is true of the arguments." (lambda args (ormap (lambda (f) (apply f args)) fs)))

(define-syntax-rule (thunk body ...) "A procedure of no arguments that evaluates BODY." (lambda () body ...))
(define-syntax-rule (thunk* body ...) "A procedure of any arguments that ignores them and evaluates BODY." (lambda ignored body ...))

(define (in-list l) "The list itself, as a sequence." l)
(define (in-range . args) "The numbers of (range ARGS ...), as a list." (apply range args))
(define (in-vector v) "The elements of a vector, as a list." (vector->list v))
(define (in-string s) "The characters of a string, as a list." (string->list s))
(define (in-hash h) "The (key . value) pairs of a hash table." (hash->list h))
(define (in-hash-keys h) "The keys of a hash table." (hash-keys h))
(define (in-hash-values h) "The values of a hash table." (hash-values h))
