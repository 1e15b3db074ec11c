#lang racket/base
;; 10M-iteration named-let loop summing i.
(displayln
 (let loop ([i 0] [sum 0])
   (if (= i 10000000)
       sum
       (loop (+ i 1) (+ sum i)))))
