(for ([i (in-range "x")]) i)
