(unsafe-exec-sub-output "(let loop () (loop))")
