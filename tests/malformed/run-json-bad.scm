(string->jsexpr "{bad json")
