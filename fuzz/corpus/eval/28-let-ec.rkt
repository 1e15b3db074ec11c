#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (find-first pred lst)
  (let/ec return
    (for ([x lst]) (when (pred x) (return x)))
    'none))
(displayln (find-first even? '(1 3 6 7 8)))
(displayln (find-first even? '(1 3 5)))
(displayln (let/ec k (+ 1 (k 10) (error "never"))))
(displayln (+ 5 (let/ec k 1)))
(define (product lst)
  (let/ec break
    (let loop ([l lst])
      (cond [(null? l) 1]
            [(zero? (car l)) (break 0)]
            [else (* (car l) (loop (cdr l)))]))))
(displayln (product '(1 2 3 4)))
(displayln (product '(1 2 0 4)))
(displayln (call-with-escape-continuation (lambda (k) (for-each (lambda (x) (when (> x 2) (k x))) '(1 2 3 4)) 'end)))
(displayln (call/ec (lambda (k) 'normal-return)))
(define (search-tree tree target)
  (let/ec found
    (let walk ([t tree])
      (cond [(pair? t) (walk (car t)) (walk (cdr t))]
            [(equal? t target) (found 'yes)]
            [else (void)]))
    'no))
(displayln (search-tree '(1 (2 (3 4)) 5) 4))
(displayln (search-tree '(1 (2 (3 4)) 5) 9))
(displayln (call-with-values (lambda () (let/ec k (k 1 2))) list))
(displayln (call/cc (lambda (k) (* 2 (k 21)))))
