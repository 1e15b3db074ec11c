#lang racket/base
;; Calls of procedures with only required parameters build the callee's frame straight from
;; the arguments, and builtins such as map and foldl call such procedures without an argument
;; list. Every observable behaviour must stay: the operator is evaluated before the operands,
;; globals can be redefined at any moment (also by the procedure running, also through eval),
;; variables keep their values across calls, errors in arguments and callees are catchable.

;; An operand that redefines the operator does not change which procedure this call runs.
(define (f x) (list 'old x))
(displayln (f (begin (set! f (lambda (x) (list 'new x))) 1)))
(displayln (f 2))

;; A procedure that redefines itself while it runs finishes its own body.
(define (g n)
  (set! g #f)
  (list n (* n 2)))
(displayln (g 5))
(displayln g)

;; Redefinition through eval in a namespace, between calls of the same call site.
(define ns (make-base-namespace))
(eval '(define (twice x) (* 2 x)) ns)
(eval '(define (use-twice x) (twice x)) ns)
(displayln (eval '(use-twice 21) ns))
(eval '(define (twice x) (list 'twice x)) ns)
(displayln (eval '(use-twice 21) ns))

;; A global procedure replaced by one of another arity: the call site checks the arity again.
(define (h a b) (+ a b))
(define (call-h) (h 1 2))
(displayln (call-h))
(set! h (lambda (a [b 10] . rest) (list a b rest)))
(displayln (call-h))
(set! h (lambda (a) a))
(displayln (with-handlers ([exn:fail? (lambda (e) 'arity-error)]) (call-h)))

;; Frames hold every kind of value, and each call gets fresh variables.
(define (pack a b c) (define d (vector a b c)) (list d (string-append "s" b) c))
(displayln (pack 1 "two" '(3)))
(displayln (map pack '(1 2) '("x" "y") '(#\a #\b)))

;; Self tail calls of one, two, three and four arguments, with internal definitions.
(define (loop1 n) (define m (- n 1)) (if (= n 0) 'done1 (loop1 m)))
(define (loop2 n acc) (define next (cons n acc)) (if (= n 0) acc (loop2 (- n 1) next)))
(define (loop3 n a b) (if (= n 0) (list a b) (loop3 (- n 1) b (+ a b))))
(define (loop4 n a b c) (if (= n 0) (list a b c) (loop4 (- n 1) b c (+ a b c))))
(displayln (list (loop1 100000) (loop2 3 '()) (loop3 30 0 1) (loop4 10 0 0 1)))

;; An error in an argument leaves no trace of the half-built frame.
(define (three a b c) (list a b c))
(define (safe thunk) (with-handlers ([exn:fail? exn-message]) (thunk)))
(displayln (safe (lambda () (three 1 (car '()) 3))))
(displayln (three 1 2 3))

;; Builtins calling procedures: map, for-each, foldl, foldr, filter, sort, with errors caught.
(displayln (map (lambda (x y) (* x y)) '(1 2 3) '(4 5 6)))
(displayln (foldl (lambda (x acc) (cons x acc)) '() '(1 2 3)))
(displayln (foldl (lambda (x y acc) (+ acc (* x y))) 0 '(1 2 3) '(4 5 6)))
(displayln (foldr (lambda (x acc) (cons x acc)) '() '(1 2 3)))
(displayln (foldl + 0 '(1 2 3 4)))
(displayln (filter (lambda (x) (> x 2)) '(1 2 3 4)))
(displayln (sort '(3 1 2) (lambda (a b) (< a b))))
(for-each (lambda (x) (display x)) '(a b c))
(newline)
(displayln (safe (lambda () (map (lambda (x) (car x)) '(1)))))
(displayln (safe (lambda () (foldl (lambda (x acc) (+ x acc)) 0 '(1 a)))))

;; Deep non-tail recursion through a builtin's procedure argument stays correct.
(define (depth n) (if (= n 0) 0 (+ 1 (car (map depth (list (- n 1)))))))
(displayln (depth 2000))
