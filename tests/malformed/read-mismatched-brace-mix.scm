(list (vector 1 2] 3)
