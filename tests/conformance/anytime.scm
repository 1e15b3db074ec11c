;; Anytime: a better answer at each level, each saved with checkpoint as soon as it exists; a
;; level starts only when the time it is expected to take (at least MIN-LEVEL-MS, or what the
;; previous level took) still fits before the deadline.
;; Run with --context brief.txt DEADLINE-MS.

(define deadline-ms (string->number (vector-ref (current-command-line-arguments) 0)))
(define min-level-ms 250)
(define started (current-inexact-milliseconds))
(define (elapsed) (- (current-inexact-milliseconds) started))

(define levels
  (list (list "sketch" "gpt-4.1-nano" "Outline a launch tweet in a few words.")
        (list "draft" "gpt-4o-mini" "Write the launch tweet.")
        (list "final" "gpt-4o" "Polish the launch tweet; keep the price and the date.")))

(define (climb todo n best last-ms)
  (cond
    [(null? todo) (values (- n 1) best)]
    [(> (+ (elapsed) (max min-level-ms last-ms)) deadline-ms)
     (printf "level ~a skipped: deadline\n" n)
     (values (- n 1) best)]
    [else
     (define level (car todo))
     (define t0 (elapsed))
     (define answer
       (syntax-e (llm-query #:instruction (caddr level)
                            #:data (string-append context "\nCURRENT: " best)
                            #:model (cadr level))))
     (checkpoint (string-append "anytime/" (car level)) answer)
     (printf "level ~a (~a) done\n" n (car level))
     (climb (cdr todo) (+ n 1) answer (- (elapsed) t0))]))

(define-values (reached best) (climb levels 1 "(nothing yet)" 0))
(printf "reached level ~a of ~a\n" reached (length levels))
(when (> reached 0)
  (printf "saved matches: ~a\n"
          (equal? best (restore (string-append "anytime/" (car (list-ref levels (- reached 1))))))))
(finish best)
