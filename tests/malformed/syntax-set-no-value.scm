(define x 1)
(set! x)
