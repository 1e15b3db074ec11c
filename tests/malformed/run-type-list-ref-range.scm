(list-ref '(1 2) 5)
