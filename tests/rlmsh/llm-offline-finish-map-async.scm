;; finish from inside map-async's function ends the program at once: the calls in flight are
;; dropped, nothing after runs, and the result is displayed last on a line of its own.

(define seen '())
(map-async (lambda (i)
             (printf "starting ~a\n" i)
             (when (= i 3)
               (finish (list 'stopped-at i (length seen))))
             (set! seen (cons i seen))
             (llm-query-async #:model "offline" #:data (number->string i)))
           '(0 1 2 3 4 5)
           #:max-concurrent 2)
(displayln "not reached")
