(display "abc)
(newline)
