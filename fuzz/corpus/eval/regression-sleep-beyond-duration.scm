(sleep 1e300)
