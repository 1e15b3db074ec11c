(display #<procedure>)
