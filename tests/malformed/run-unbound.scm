(display undefined-variable-here)
