(define 5 3)
