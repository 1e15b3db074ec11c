(display "one")
(newline))
