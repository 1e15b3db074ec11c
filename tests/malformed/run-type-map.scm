(map car 5)
