(string-length 'sym)
