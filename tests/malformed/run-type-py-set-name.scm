(py-set! "not a name" 1)
