(display #x1g)
