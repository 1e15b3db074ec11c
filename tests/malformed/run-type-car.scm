(car 5)
