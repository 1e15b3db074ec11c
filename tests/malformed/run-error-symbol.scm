(error 'my-proc "bad thing: ~a" 5)
