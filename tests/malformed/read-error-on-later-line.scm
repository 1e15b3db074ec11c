(display "fine")
(newline)
(define x 10)
(display (+ x 1]
