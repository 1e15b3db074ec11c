(token-budget -5)
