#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (classify n)
  (cond [(< n 0) 'negative]
        [(= n 0) 'zero]
        [(< n 10) 'small]
        [else 'large]))
(displayln (map classify '(-5 0 3 42)))
(displayln (cond [(assv 2 '((1 . one) (2 . two))) => cdr] [else 'none]))
(displayln (cond [(member 9 '(1 2)) => car] [else 'not-found]))
(displayln (cond [(+ 1 1)]))
(displayln (cond [#f 1] [(string? "s") 'str]))
(define (kind v)
  (case v
    [(1 2 3) 'small-int]
    [(a b) 'ab-sym]
    [("s") 'never-eqv-string?]
    [(#\x) 'char-x]
    [else 'other]))
(displayln (map kind (list 2 'b #\x 99)))
(displayln (case (* 2 3) [(2 3 5 7) 'prime] [(1 4 6 8 9) 'composite]))
(displayln (case 'z [(a) 1] [else (list 'z 'fallback)]))
(when (> 3 2) (display "when-yes ") (displayln "ok"))
(unless (> 3 2) (displayln "never"))
(unless #f (displayln "unless-yes"))
(displayln (if (null? '()) "empty" "non-empty"))
(displayln (if 0 'zero-is-true 'zero-is-false))
(displayln (if '() 'nil-is-true 'nil-is-false))
(displayln (void? (when #f 'x)))
(displayln (void? (unless #t 'x)))
(displayln (cond [else 'only-else]))
(displayln (kind "s"))
