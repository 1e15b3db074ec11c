(string-ref "abc" 99)
