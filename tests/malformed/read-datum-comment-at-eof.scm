(display 1)
#;