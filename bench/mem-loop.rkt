#lang racket/base
;; Memory flatness: plain tail loop of N iterations allocating a small
;; list each iteration.  Peak RSS must not grow with N.
(define n (string->number (vector-ref (current-command-line-arguments) 0)))
(let loop ([i 0] [acc 0])
  (if (= i n)
      (displayln acc)
      (let ([l (list i (+ i 1) (+ i 2))])
        (loop (+ i 1) (+ acc (- (car (cdr (cdr l))) (car l)))))))
