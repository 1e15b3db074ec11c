(map-async 5 '(1 2))
