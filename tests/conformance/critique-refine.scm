;; Critique and refine: a draft is scored by a critic whose answer is a JSON object, and revised
;; until the score is good enough or the rounds run out. The revising branch of the `if` is a
;; `begin` with internal definitions.
;; Run with --context brief.txt.

(define (critique draft)
  (define verdict
    (syntax-e (llm-query
               #:instruction "Grade this product announcement. Reply with {score: 1-10, fix: str}"
               #:data draft
               #:model "gpt-4o-mini"
               #:json #t
               #:temperature 0.0)))
  (py-set! "verdict" verdict)
  (py-eval "
import json
v = json.loads(verdict)
[int(v['score']), str(v['fix'])]
"))

(define (refine draft round max-rounds)
  (define graded (critique draft))
  (define score (car graded))
  (printf "round ~a: score ~a\n" round score)
  (if (or (>= score 8) (>= round max-rounds))
      draft
      (begin
        (define fix (cadr graded))
        (define revised
          (syntax-e (llm-query
                     #:instruction (string-append "Revise the announcement. Apply this fix: " fix)
                     #:data draft
                     #:model "gpt-4o"
                     #:temperature 0.3)))
        (refine revised (+ round 1) max-rounds))))

(define first-draft
  (syntax-e (llm-query #:instruction "Write a three-sentence product announcement."
                       #:data context
                       #:model "gpt-4o")))

(define final (refine first-draft 1 3))
(finish (string-append "final: " final))
