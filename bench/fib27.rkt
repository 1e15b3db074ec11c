#lang racket/base
;; Naive doubly-recursive Fibonacci.
(define (fib n)
  (if (< n 2)
      n
      (+ (fib (- n 1)) (fib (- n 2)))))
(displayln (fib 27))
