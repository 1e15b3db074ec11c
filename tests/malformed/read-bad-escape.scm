(display "bad \q escape")
