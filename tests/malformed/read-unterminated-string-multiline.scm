(define s "first line
second line
