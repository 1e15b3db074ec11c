#lang racket/base
(require racket/string)
;; Build 100k strings with number->string and join them.
(define (build i n acc)
  (if (= i n)
      (reverse acc)
      (build (+ i 1) n (cons (number->string i) acc))))
(displayln (string-length (string-join (build 0 100000 '()) ",")))
