(unsafe-exec-sub-output "(exit 0)")
