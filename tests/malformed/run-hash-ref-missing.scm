(hash-ref (hash 'a 1) 'b)
