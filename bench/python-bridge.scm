;; Per-call cost of the Python bridge: median microseconds over batches, for
;; (py-eval "1+1"), (py-set! "x" <100-char string>) and a 1,000-element list of 100-byte
;; strings sent to Python and back.
(define (median xs)
  (let ([sorted (sort xs <)])
    (list-ref sorted (quotient (length sorted) 2))))

;; Runs THUNK `per-batch` times in each of `batches` batches; the median of the per-call
;; times of the batches, in microseconds.
(define (per-call-us batches per-batch thunk)
  (median
   (for/list ([b (in-range batches)])
     (define start (current-inexact-milliseconds))
     (for ([i (in-range per-batch)]) (thunk))
     (/ (* 1000.0 (- (current-inexact-milliseconds) start)) per-batch))))

(define text-100 (make-string 100 #\x))
(define list-1000 (for/list ([i (in-range 1000)]) (string-append (number->string (+ 100 (modulo i 900))) (make-string 97 #\y))))

(py-eval "1+1")
(printf "py-eval-1+1 ~a\n" (per-call-us 15 20000 (lambda () (py-eval "1+1"))))
(printf "py-set!-100-char-string ~a\n" (per-call-us 15 20000 (lambda () (py-set! "x" text-100))))
(printf "list-1000-round-trip ~a\n"
        (per-call-us 15 200 (lambda () (py-set! "xs" list-1000) (py-eval "xs"))))
