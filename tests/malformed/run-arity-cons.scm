(cons 1)
