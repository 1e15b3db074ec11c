;; 2,000 calls through map-async at #:max-concurrent 64; prints the wall time in seconds.
(define start (current-inexact-milliseconds))
(define answers
  (map-async (lambda (i) (llm-query-async #:data (number->string i) #:model "gpt-4o-mini"))
             (range 2000)
             #:max-concurrent 64))
(printf "fanout-seconds ~a answers ~a\n" (/ (- (current-inexact-milliseconds) start) 1000.0) (length answers))
