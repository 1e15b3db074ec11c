[display 1)
