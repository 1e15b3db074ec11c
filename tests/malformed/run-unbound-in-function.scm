(define (f) (g))
(f)
