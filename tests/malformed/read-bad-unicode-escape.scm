(display "\uzz")
