#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define area
  (case-lambda
    [(r) (* 3 r r)]
    [(w h) (* w h)]
    [(a b c) (let ([s (/ (+ a b c) 2)]) (list 'heron s))]))
(displayln (area 2))
(displayln (area 3 4))
(displayln (area 3 4 5))
(define describe
  (case-lambda
    [() "nothing"]
    [(x) (format "one: ~a" x)]
    [(x . more) (format "~a then ~a more" x (length more))]))
(displayln (describe))
(displayln (describe 'a))
(displayln (describe 'a 'b 'c))
(define sum-to
  (case-lambda
    [(n) (sum-to n 0)]
    [(n acc) (if (zero? n) acc (sum-to (- n 1) (+ acc n)))]))
(displayln (sum-to 100))
(displayln (sum-to 100000))
(define any-args (case-lambda [args (reverse args)]))
(displayln (any-args 1 2 3))
(displayln (with-handlers ([exn:fail? (lambda (e) 'arity-error)]) (area 1 2 3 4)))
(displayln (map (case-lambda [(x) (* 2 x)] [(x y) (+ x y)]) '(1 2 3)))
(displayln (map (case-lambda [(x) (* 2 x)] [(x y) (+ x y)]) '(1 2 3) '(10 20 30)))
