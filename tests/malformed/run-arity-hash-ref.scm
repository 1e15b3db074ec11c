(hash-ref)
