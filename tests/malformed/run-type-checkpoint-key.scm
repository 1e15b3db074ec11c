(checkpoint 5 1)
