(display '(1 . 2 3))
