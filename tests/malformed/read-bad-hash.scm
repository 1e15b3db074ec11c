(display #q)
