#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
; line comment at top
(displayln [list 1 [list 2 3] (list 4)])
(displayln (list #t #f #true #false))
(write (list #t #false)) (newline)
(displayln (let ([x 1] [y 2]) (+ x y))) ; trailing comment
#| a block comment
   #| with a nested one |#
   still in the comment |#
(displayln (list 1 #;2 3 #; (a b c) 4))
(displayln '(#;hidden visible))
(displayln (+ 10 #| inline |# 20))
#;(displayln "never printed")
(write '[a [b] (c)]) (newline)
(write '(quote x)) (newline)
(write ''x) (newline)
(write '`(a ,b ,@c)) (newline)
(print '`(a ,b ,@c)) (newline)
(displayln (eq? #t #true))
(write 'CamelCase) (newline)
(write '|hello world|) (newline)
(write (string->symbol "")) (newline)
(write '->x<-) (newline)
