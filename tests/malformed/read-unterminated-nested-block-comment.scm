#| outer #| inner |# still open
(display 2)
