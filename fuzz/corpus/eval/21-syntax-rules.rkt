#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define-syntax swap!
  (syntax-rules () [(_ a b) (let ([tmp a]) (set! a b) (set! b tmp))]))
(define x 1) (define y 2)
(swap! x y)
(displayln (list x y))
(define tmp 'user-tmp) (define other 'o)
(swap! tmp other)
(displayln (list tmp other))
(define-syntax my-or
  (syntax-rules () [(_) #f] [(_ e) e] [(_ e r ...) (let ([t e]) (if t t (my-or r ...)))]))
(define t 'outer-t)
(displayln (my-or #f t))
(displayln (my-or #f #f))
(define-syntax while
  (syntax-rules () [(_ c body ...) (let lp () (when c body ... (lp)))]))
(define i 0)
(while (< i 3) (display i) (set! i (+ i 1)))
(newline)
(define-syntax my-if
  (syntax-rules (then else)
    [(_ c then t else e) (if c t e)]))
(displayln (my-if #t then 'yes else 'no))
(displayln (my-if #f then 'yes else 'no))
(define-syntax-rule (unless-zero n body) (if (zero? n) 'zero body))
(displayln (unless-zero 0 (/ 1 0)))
(displayln (unless-zero 4 (/ 1 4)))
(define-syntax inc!
  (syntax-rules () [(_ v) (inc! v 1)] [(_ v n) (set! v (+ v n))]))
(define c 10) (inc! c) (inc! c 5)
(displayln c)
(define-syntax my-list-of
  (syntax-rules () [(_ (a b) ...) (list (cons a b) ...)]))
(displayln (my-list-of (1 2) (3 4) (5 6)))
(define-syntax quote-all (syntax-rules () [(_ x ...) '(x ...)]))
(displayln (quote-all a (b c) "d"))
