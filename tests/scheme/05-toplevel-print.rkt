#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(+ 1 2)
'(a "b")
"a string"
#\z
'sym
(list 1 2.5 "three" 'four #\5)
(vector 1 "two" 'three)
(cons 1 2)
(void)
(define unused 1)
(when #f 1)
#t
'()
(string->symbol "has space")
3/4
(list 'quote 'x)
''y
(list (list))
1e21
(displayln "displayed")
"after"
(values 1 "two")
(values)
