(dynamic-wind 1 2 3)
