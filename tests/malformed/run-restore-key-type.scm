(restore 'key)
