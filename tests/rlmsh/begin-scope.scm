;; rlmsh accepts definitions inside a `begin` in expression position (pattern programs do this);
;; the begin opens a scope of its own.
(define (describe n)
  (if (> n 0)
      (begin
        (define doubled (* n 2))
        (define (label x) (string-append "n=" (number->string x)))
        (string-append (label n) " doubled=" (number->string doubled)))
      "non-positive"))
(displayln (describe 4))
(displayln (describe -1))
(define total
  (let ([base 10])
    (begin (define extra 5) (+ base extra))))
(displayln total)
(define (nested)
  (let loop ([i 0] [acc '()])
    (if (= i 3)
        (reverse acc)
        (begin (define sq (* i i)) (loop (+ i 1) (cons sq acc))))))
(displayln (nested))
