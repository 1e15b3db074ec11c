;; N calls (default 10,000) through one map-async at #:max-concurrent 256 against an instant
;; server (scripts/bench-load.sh). Waits a second before and after, so that an outside sampler
;; sees the process idle on both sides; prints the calls per second of the map alone.
(define n
  (let ([args (current-command-line-arguments)])
    (if (> (vector-length args) 0) (string->number (vector-ref args 0)) 10000)))
(void (await (llm-query-async #:data "warm-up")))
(sleep 1)
(define start (current-inexact-milliseconds))
(define answers
  (map-async (lambda (i) (llm-query-async #:data (number->string i))) (range n) #:max-concurrent 256))
(define seconds (/ (- (current-inexact-milliseconds) start) 1000.0))
(unless (for/and ([answer (in-list answers)] [i (in-naturals)]) (equal? answer (format "answer: ~a" i)))
  (error 'llm-load "the answers are not the ones asked for, in order"))
(printf "calls ~a seconds ~a calls-per-second ~a\n" n (/ (round (* seconds 1000)) 1000) (round (/ n seconds)))
(flush-output)
(sleep 1.5)
