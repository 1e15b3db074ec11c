;; A top-level definition makes its name a variable, as in Racket: a macro of that name (one of
;; the program's own, or the library's try) no longer expands, also inside the definition itself.
(define-syntax-rule (twice e) (begin e e))
(define (twice x) (* 2 x))
(displayln (twice 4))

(define (try n) (if (> n 3) n (try (+ n 1))))
(displayln (try 0))

(define-syntax-rule (swap! a b) (let ([t a]) (set! a b) (set! b t)))
(define swap! (lambda args (reverse args)))
(displayln (swap! 1 2))
