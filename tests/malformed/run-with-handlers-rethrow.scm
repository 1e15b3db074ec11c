(with-handlers ([string? (lambda (e) e)]) (car '()))
