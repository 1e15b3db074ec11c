(display (regexp-match #rx"(" "x"))
