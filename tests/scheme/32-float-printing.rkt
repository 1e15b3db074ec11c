#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(for-each displayln
  (list 0.30000000000000004 1e21 1e20 1e22 123456789012345678.0 1.5e-7 1e-7 0.0001 0.00012 1.2e-5
        100.0 -0.0 0.0 1.0 -1.5 3.14159 2.5e10 1e13 1e14 1.5e14 12345678901234.0 123456789012345.0
        1234567890123456.0 6.02e23 6.626e-34 1.7976931348623157e308 4.9e-324 2.2250738585072014e-308
        +inf.0 -inf.0 +nan.0 (/ 1 3.0) (/ 2 3.0) 0.1 0.7 1.1 (* 1.1 1.1) 1e100 (sqrt 1e10)))
(write 1.0) (newline)
(print 2.5) (newline)
(displayln (number->string 0.1))
(displayln (format "~a ~s ~v" 1e21 1e-10 -0.0))
(displayln (list 1e21 2.0 .5))
(displayln (exact->inexact 100))
(displayln (* 1.0 (expt 10 21)))
(displayln (* 1.0 (expt 10 15)))
(displayln 65536.0)
(displayln 1234567.125)
(displayln (- 1e16 1.0))
(displayln (+ 1e15 0.3))
