(get-context 5)
