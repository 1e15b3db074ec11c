#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define-syntax my-let*
  (syntax-rules ()
    [(_ () body ...) (let () body ...)]
    [(_ ([n v] rest ...) body ...) (let ([n v]) (my-let* (rest ...) body ...))]))
(displayln (my-let* ([a 1] [b (+ a 1)] [c (* b 3)]) (list a b c)))
(define-syntax table
  (syntax-rules ()
    [(_ (key val ...) ...) (list (list 'key (+ val ...)) ...)]))
(displayln (table (a 1 2 3) (b) (c 10 20)))
(define-syntax flatten-args
  (syntax-rules () [(_ (x ...) ...) '(x ... ...)]))
(displayln (flatten-args (1 2) (3) () (4 5 6)))
(define-syntax my-cond
  (syntax-rules (else)
    [(_ (else e ...)) (begin e ...)]
    [(_ (c e ...) clause ...) (if c (begin e ...) (my-cond clause ...))]))
(displayln (my-cond (#f 1) ((= 1 1) 'second) (else 'third)))
(displayln (my-cond (#f 1) (else 'fell-through)))
(define-syntax for-each-pair
  (syntax-rules ()
    [(_ ((k v) ...) f) (begin (f 'k v) ...)]))
(for-each-pair ((alpha 1) (beta 2)) (lambda (k v) (printf "~a=~a\n" k v)))
(define-syntax my-and-all
  (syntax-rules () [(_ (pred x ...) ...) (and (andmap pred (list x ...)) ...)]))
(displayln (my-and-all (number? 1 2) (string? "a")))
(displayln (my-and-all (number? 1 'x) (string? "a")))
(define-syntax define-getters
  (syntax-rules ()
    [(_ (name idx) ...) (begin (define (name v) (vector-ref v idx)) ...)]))
(define-getters (get-a 0) (get-b 1))
(displayln (list (get-a #(x y)) (get-b #(x y))))
(define-syntax vec-of
  (syntax-rules () [(_ e ...) (vector e ...)]))
(displayln (vec-of 1 (+ 1 1) 3))
