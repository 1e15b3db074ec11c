#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define x 10)
x
(* x x)
(/ x 4)
(exact->inexact (/ x 4))
(string-append "a" "b")
(string->list "ok")
(list x 'x "x")
(vector-ref (vector 'first 'second) 1)
(and)
(or #f)
(car '((nested list) 2))
(set! x 11)
(let () (define y 1) (+ x y))
(for/list ([i 2]) (list i))
(when #t 'when-value)
(unless #t 'hidden)
(for-each void '(1 2))
(hash-ref (hash 'a "value-from-hash") 'a)
-0.0
(sqrt -0.0)
1/2
(cons "a" #\b)
(list '() (vector) "")
(string #\tab)
(integer->char 10)
