(define finish 1)
