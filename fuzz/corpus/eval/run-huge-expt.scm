(expt 2 (expt 10 12))
