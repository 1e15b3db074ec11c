;; Escape continuations: jumping out works; jumping into one whose extent has ended is a
;; catchable error, not a silent exit.
(displayln (let/ec k (for-each (lambda (x) (when (> x 2) (k x))) '(1 2 3 4)) 'none))
(define saved #f)
(let/ec k (set! saved k))
(displayln (with-handlers ([exn:fail:contract? (lambda (e) "stale continuation refused")]) (saved 1)))
(displayln current-output-port)
