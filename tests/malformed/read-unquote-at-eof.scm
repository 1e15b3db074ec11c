(display 1)
,