(lambda)
