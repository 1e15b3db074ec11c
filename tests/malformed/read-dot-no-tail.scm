(display '(1 . ))
