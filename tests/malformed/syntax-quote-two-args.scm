(quote a b)
