(parameterize ([5 1]) 1)
