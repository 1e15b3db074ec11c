#| this comment
   is never closed
(display 1)
