(define (f) x)
(f)
(define x 1)
