#lang racket/base
;; Memory flatness: N calls (in a tail loop) of a function that builds a
;; closure over its own environment (internal recursive define) and runs a
;; named let.  Peak RSS must not grow with N.
(define (f x)
  (define (g k)
    (if (= k 0) x (g (- k 1))))
  (+ (g 3)
     (let loop ([j 0] [acc 0])
       (if (= j 3) acc (loop (+ j 1) (+ acc j))))))
(define n (string->number (vector-ref (current-command-line-arguments) 0)))
(define (run i acc)
  (if (= i n)
      acc
      (run (+ i 1) (+ acc (f 1)))))
(displayln (run 0 0))
