(define (f #:a a) a)
(f)
