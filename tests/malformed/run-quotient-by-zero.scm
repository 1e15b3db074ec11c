(quotient 7 0)
