#lang racket/base
;; Count 1,000,000 deterministic words from a 1000-word vocabulary.
(define counts (make-hash))
(let loop ([i 0])
  (when (< i 1000000)
    (hash-update! counts (format "w~a" (modulo (* i 7919) 1000)) add1 0)
    (loop (+ i 1))))
(displayln (hash-count counts))
(displayln (hash-ref counts "w42"))
