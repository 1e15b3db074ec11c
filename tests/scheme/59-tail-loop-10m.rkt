#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (count-up n)
  (let loop ([i 0] [acc 0])
    (if (= i n) acc (loop (+ i 1) (+ acc (modulo i 7))))))
(displayln (count-up 10000000))
(define (countdown n) (if (zero? n) 'liftoff (countdown (- n 1))))
(displayln (countdown 10000000))
(define (collatz-steps n)
  (let loop ([n n] [steps 0])
    (cond [(= n 1) steps]
          [(even? n) (loop (quotient n 2) (+ steps 1))]
          [else (loop (+ (* 3 n) 1) (+ steps 1))])))
(displayln (collatz-steps 837799))
(define (longest-collatz limit)
  (let loop ([i 1] [best 1] [best-len 0])
    (if (> i limit) (list best best-len)
        (let ([len (collatz-steps i)])
          (if (> len best-len) (loop (+ i 1) i len) (loop (+ i 1) best best-len))))))
(displayln (longest-collatz 10000))
