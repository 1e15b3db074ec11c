(hash-set! 5 1 2)
