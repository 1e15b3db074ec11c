(unsafe-exec-sub-output "(let loop ([s \"ab\"]) (loop (string-append s s)))")
