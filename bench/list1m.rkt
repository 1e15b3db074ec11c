#lang racket/base
;; Build a 1,000,000-element list with non-tail recursion, then foldl +.
(define (build i n)
  (if (= i n)
      '()
      (cons i (build (+ i 1) n))))
(displayln (foldl + 0 (build 0 1000000)))
