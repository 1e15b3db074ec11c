(symbol->string "s")
