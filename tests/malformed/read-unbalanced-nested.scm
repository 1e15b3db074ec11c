(let ((a 1) (b 2))
  (display (+ a (* b 3)))
