(display 1)
#\