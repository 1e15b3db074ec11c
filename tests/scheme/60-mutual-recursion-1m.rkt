#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (my-even? n) (if (= n 0) #t (my-odd? (- n 1))))
(define (my-odd? n) (if (= n 0) #f (my-even? (- n 1))))
(displayln (my-even? 1000000))
(displayln (my-odd? 1000000))
(displayln (my-even? 1000001))
(define (ping n acc) (if (= n 0) acc (pong (- n 1) (+ acc 1))))
(define (pong n acc) (if (= n 0) acc (ping (- n 1) (- acc 0))))
(displayln (ping 1000000 0))
(define (state-a n) (cond [(zero? n) 'ended-in-a] [else (state-b (- n 1))]))
(define (state-b n) (cond [(zero? n) 'ended-in-b] [else (state-c (- n 1))]))
(define (state-c n) (cond [(zero? n) 'ended-in-c] [else (state-a (- n 1))]))
(displayln (state-a 1000000))
(displayln (state-a 1000001))
(letrec ([e? (lambda (n) (or (zero? n) (o? (sub1 n))))]
         [o? (lambda (n) (and (not (zero? n)) (e? (sub1 n))))])
  (displayln (list (e? 1000000) (o? 999999))))
