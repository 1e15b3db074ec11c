(arithmetic-shift 1 (expt 10 12))
