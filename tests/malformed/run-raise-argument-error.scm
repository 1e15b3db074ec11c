(raise-argument-error 'f "string?" 5)
