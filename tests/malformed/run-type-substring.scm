(substring 42 0 1)
