(define (f #:a [a 1]) a)
(f #:b 2)
