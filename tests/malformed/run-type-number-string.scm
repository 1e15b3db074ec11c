(number->string "1")
