(modulo 7 0)
