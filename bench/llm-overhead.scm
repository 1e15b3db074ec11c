;; Per-call cost of llm-query against an instant loopback server, in microseconds (median of
;; batches), and the same requests' count for the server to confirm.
(define (median xs) (list-ref (sort xs <) (quotient (length xs) 2)))
(define (per-call-us batches per-batch thunk)
  (median
   (for/list ([b (in-range batches)])
     (define start (current-inexact-milliseconds))
     (for ([i (in-range per-batch)]) (thunk))
     (/ (* 1000.0 (- (current-inexact-milliseconds) start)) per-batch))))
(printf "llm-query-us ~a\n" (per-call-us 9 200 (lambda () (llm-query #:data "hello" #:model "gpt-4o-mini"))))
