(display #\nosuchchar)
