(error "plain message" 1 2)
