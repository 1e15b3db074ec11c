(display (regexp-match #px"[a-" "x"))
