(display 1)
'