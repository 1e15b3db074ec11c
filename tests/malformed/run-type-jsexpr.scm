(jsexpr->string (lambda (x) x))
