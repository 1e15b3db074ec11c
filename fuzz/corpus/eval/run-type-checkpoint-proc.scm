(checkpoint "k" (lambda () 1))
