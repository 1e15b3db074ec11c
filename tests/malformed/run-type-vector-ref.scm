(vector-ref '(1 2) 0)
