((lambda (x y) x) 1)
