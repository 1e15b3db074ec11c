(display 1]
