#lang racket/base
;; Self tail calls that reuse their frame must keep every observable behaviour: set! of the
;; loop's own name, identity of loop variables, internal definitions fresh on each iteration,
;; closures capturing a variable of one iteration, and a global that recurses on itself.
(define (count-down n acc)
  (if (= n 0) acc (count-down (- n 1) (cons n acc))))
(displayln (count-down 5 '()))

(define seen '())
(let loop ([i 0] [v (vector 0)])
  (when (< i 3)
    (set! seen (cons v seen))
    (loop (+ i 1) (vector i))))
(displayln (eq? (car seen) (cadr seen)))

(define closures
  (let loop ([i 0] [acc '()])
    (if (= i 3)
        (reverse acc)
        (loop (+ i 1) (cons (lambda () i) acc)))))
(displayln (map (lambda (f) (f)) closures))

(define (with-internal n acc)
  (define doubled (* 2 n))
  (if (= n 0) acc (with-internal (- n 1) (cons doubled acc))))
(displayln (with-internal 4 '()))

(define calls 0)
(define (reassigning n)
  (set! calls (+ calls 1))
  (if (= n 0) calls (reassigning (- n 1))))
(displayln (reassigning 10))

(define result
  (let loop ([n 3])
    (if (= n 0)
        'done
        (begin
          (when (= n 2) (set! loop (lambda (m) (list 'replaced m))))
          (loop (- n 1))))))
(displayln result)

(define (mutual-even? n) (if (= n 0) #t (mutual-odd? (- n 1))))
(define (mutual-odd? n) (if (= n 0) #f (mutual-even? (- n 1))))
(displayln (mutual-even? 100001))

(define (deep n) (if (= n 0) 0 (deep (- n 1))))
(displayln (deep 10000000))

(define (bad n) (if (= n 0) (car '()) (bad (- n 1))))
(displayln (with-handlers ([exn:fail? exn-message]) (bad 3)))
