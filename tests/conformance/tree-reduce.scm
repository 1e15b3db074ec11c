;; Tree aggregation: incident reports are summarised in parallel, then merged two by two, level
;; by level, until one summary is left. The program defines its own two-argument tree-reduce,
;; which replaces the library's for this program; Python pairs the items up.

(define reports
  (list "R1 Disk full on db-2 at 03:10; cleared by rotating logs."
        "R2 Certificate expired on the billing API; renewed by hand."
        "R3 Cache stampede after deploy; fixed with request coalescing."
        "R4 DNS change propagated late; EU users saw errors for 20 min."
        "R5 Cron job ran twice after a clock jump; made it idempotent."
        "R6 Memory leak in the image resizer; pinned the old library."))

(define (tree-reduce items level)
  (printf "level ~a: ~a items\n" level (length items))
  (if (<= (length items) 1)
      (car items)
      (let* ([_ (py-set! "items" items)]
             [pairs (py-eval "
out = []
for i in range(0, len(items), 2):
    out.append(items[i:i + 2])
out
")]
             [merged (map-async
                      (lambda (pair)
                        (py-set! "pair" pair)
                        (llm-query-async
                         #:instruction "Merge these incident summaries into one."
                         #:data (py-eval "'\\n---\\n'.join(pair)")
                         #:model (if (= level 1) "gpt-4o-mini" "gpt-4o")))
                      pairs
                      #:max-concurrent 4)])
        (tree-reduce merged (+ level 1)))))

(define summaries
  (map-async
   (lambda (report)
     (llm-query-async #:instruction "Summarise the incident in one line." #:data report #:model "gpt-4o-mini"))
   reports
   #:max-concurrent 6))

(finish (string-append "overall: " (tree-reduce summaries 1)))
