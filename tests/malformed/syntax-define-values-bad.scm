(define-values x 1)
