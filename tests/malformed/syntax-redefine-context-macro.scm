(define-syntax-rule (context) 1)
