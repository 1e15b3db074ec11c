#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (lookup env name)
  (cond [(assq name env) => cdr]
        [else (error 'lookup "unbound variable: ~a" name)]))
(define (ev e env)
  (cond [(number? e) e]
        [(boolean? e) e]
        [(symbol? e) (lookup env e)]
        [(pair? e)
         (case (car e)
           [(quote) (cadr e)]
           [(if) (if (ev (cadr e) env) (ev (caddr e) env) (ev (cadddr e) env))]
           [(lambda) (list 'closure (cadr e) (caddr e) env)]
           [(let) (ev (caddr e) (append (map (lambda (b) (cons (car b) (ev (cadr b) env))) (cadr e)) env))]
           [else (ap (ev (car e) env) (map (lambda (a) (ev a env)) (cdr e)))])]
        [else (error 'ev "bad expression: ~s" e)]))
(define (ap f args)
  (cond [(procedure? f) (apply f args)]
        [(and (pair? f) (eq? (car f) 'closure))
         (ev (caddr f) (append (map cons (cadr f) args) (cadddr f)))]
        [else (error 'ap "not a function: ~s" f)]))
(define global (list (cons '+ +) (cons '- -) (cons '* *) (cons '< <) (cons '= =) (cons 'list list)))
(displayln (ev '(+ 1 (* 2 3)) global))
(displayln (ev '((lambda (x y) (list x y)) 1 2) global))
(displayln (ev '(let ((sq (lambda (n) (* n n)))) (sq 9)) global))
(displayln (ev '(if (< 1 2) 'yes 'no) global))
(define Y '(lambda (f) ((lambda (x) (f (lambda (v) ((x x) v)))) (lambda (x) (f (lambda (v) ((x x) v)))))))
(define fact-gen '(lambda (self) (lambda (n) (if (= n 0) 1 (* n (self (- n 1)))))))
(displayln (ev (list (list Y fact-gen) 20) global))
(displayln (with-handlers ([exn:fail? exn-message]) (ev 'nope global)))
(displayln (with-handlers ([exn:fail? exn-message]) (ev '(1 2) global)))
(displayln (with-handlers ([exn:fail? exn-message]) (ev "str" global)))
