(display '( . 1))
