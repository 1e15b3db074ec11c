;; Cumulative fold: meeting minutes are folded one by one into a running list of decisions,
;; each step saved with checkpoint, so that a run that stopped part way resumes after the last
;; saved step instead of asking again.
;; Run with --context minutes.json [STOP-AFTER] (the optional argument ends the run after that
;; many steps, standing in for an interruption).

(define minutes (py-eval "
import json
meetings = json.loads(context)
[f\"{m['date']}: {m['notes']}\" for m in meetings]
"))

(define stop-after
  (let ([args (current-command-line-arguments)])
    (if (> (vector-length args) 0) (string->number (vector-ref args 0)) (length minutes))))

(define (step-key i) (string-append "fold/step-" (number->string i)))

;; The first step no earlier run saved, and the state after the step before it.
(define (resume-point i state)
  (define saved (restore (step-key i)))
  (if saved
      (begin (printf "step ~a: restored\n" i)
             (resume-point (+ i 1) saved))
      (values i state)))

(define (fold items i state)
  (cond
    [(null? items) state]
    [(>= i stop-after) (printf "stopped after ~a steps\n" i) state]
    [else
     (define updated
       (syntax-e (llm-query
                  #:instruction (string-append "Add the decisions of these minutes to the list.\nLIST SO FAR:\n" state)
                  #:data (car items)
                  #:model "gpt-4o-mini"
                  #:temperature 0.0)))
     (checkpoint (step-key i) updated)
     (printf "step ~a: folded\n" i)
     (fold (cdr items) (+ i 1) updated)]))

(define-values (start state) (resume-point 0 "(none yet)"))
(finish (string-append "decisions: " (fold (list-tail minutes start) start state)))
