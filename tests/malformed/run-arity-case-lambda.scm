(define g (case-lambda [(a) a] [(a b) b]))
(g 1 2 3)
