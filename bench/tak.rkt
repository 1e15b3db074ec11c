#lang racket/base
;; Takeuchi function: (tak 18 12 6) repeated 3500 times (~0.5 s in Racket CS).
(define (tak x y z)
  (if (not (< y x))
      z
      (tak (tak (- x 1) y z)
           (tak (- y 1) z x)
           (tak (- z 1) x y))))
(define (repeat n acc)
  (if (= n 0)
      acc
      (repeat (- n 1) (tak 18 12 6))))
(displayln (repeat 3500 0))
