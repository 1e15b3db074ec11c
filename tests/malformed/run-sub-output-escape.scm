(unsafe-exec-sub-output "(file->string \"/etc/passwd\")")
