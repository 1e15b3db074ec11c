;;; Cumulative fold: keep an incident's running summary up to date, one update at a time.
;;;
;;; Pattern: the items arrive in an order that matters (later updates confirm, correct or
;;; close earlier ones), so they are folded one after another: each call sees the state built
;;; from everything before and the next item, and returns the new state. The state is saved
;;; with checkpoint after every step, so a run that stops half-way resumes where it was. Use it
;;; for timelines, logs, review threads and negotiations, where items refer to earlier ones;
;;; when they do not, fan out in parallel instead.
;;;
;;; Run:    rlmsh run scripts/cumulative-fold.scm --offline --context scripts/data/incident.json \
;;;           [--checkpoint-dir DIR]
;;;         Run it twice with the same checkpoint directory: the second run folds nothing again.
;;; Prints: one line per update (time, status, open questions), the status changes, and a
;;;         postmortem outline written from the final state (the result).

(define folder "gpt-4o-mini")
(define writer "gpt-4o")
(define max-summary-words 150)
(define statuses '("investigating" "identified" "mitigated" "resolved"))

(when (string=? context "")
  (raise-user-error 'cumulative-fold "no incident: pass --context scripts/data/incident.json"))
(define incident (string->jsexpr context))
(define title (hash-ref incident 'incident))
(define updates (hash-ref incident 'updates))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

(define step-instruction
  (string-append
   "You maintain the running summary of a production incident. You get the current state and "
   "one new update. Fold the update in: keep what is still true, correct what it contradicts, "
   "answer open questions it settles, add new facts and questions. At most "
   (number->string max-summary-words) " words of summary. Return JSON: {\"status\": "
   "\"investigating\"|\"identified\"|\"mitigated\"|\"resolved\", \"summary\": str, "
   "\"open_questions\": [str]}"))

(define initial-state
  (hash 'status "investigating" 'summary "Nothing known yet." 'open_questions '() 'changes '()))

;; A state the model returned, checked: unknown statuses keep the previous one, a missing
;; summary keeps the previous summary, and the program (not the model) records when the status
;; changed.
(define (next-state state update answer)
  (define a (or (parse-json answer) (hash)))
  (define status (let ([s (hash-ref a 'status #f)]) (if (member s statuses) s (hash-ref state 'status))))
  (define summary (let ([s (hash-ref a 'summary #f)]) (if (non-empty-string? s) s (hash-ref state 'summary))))
  (define questions (filter string? (let ([q (hash-ref a 'open_questions '())]) (if (list? q) q '()))))
  (define changes (hash-ref state 'changes))
  (hash 'status status
        'summary summary
        'open_questions questions
        'changes (if (or (null? changes) (not (equal? status (hash-ref state 'status))))
                     (append changes (list (format "~a ~a" (hash-ref update 'time) status)))
                     changes)))

(define (state-text state)
  (format "Status: ~a\nSummary: ~a\nOpen questions:\n~a" (hash-ref state 'status)
          (hash-ref state 'summary)
          (string-join (map (lambda (q) (string-append "- " q)) (hash-ref state 'open_questions)) "\n")))

;; The checkpoint holds how many updates are folded and the state after them.
(define checkpoint-key (string-append "cumulative-fold/" title))
(define saved (restore checkpoint-key))
(define start (if saved (hash-ref saved 'done) 0))
(define start-state (if saved (hash-ref saved 'state) initial-state))
(when saved
  (printf "Resuming from checkpoint: ~a of ~a updates already folded.\n" start (length updates)))

(define final-state
  (for/fold ([state start-state]) ([update (in-list (drop updates start))] [i (in-naturals (add1 start))])
    (define answer
      (syntax-e (llm-query #:instruction step-instruction
                           #:data (format "CURRENT STATE\n~a\n\nNEW UPDATE (~a, ~a)\n~a" (state-text state)
                                          (hash-ref update 'time) (hash-ref update 'author)
                                          (hash-ref update 'text))
                           #:model folder
                           #:json #t
                           #:temperature 0.2
                           #:max-tokens 500)))
    (define new (next-state state update answer))
    (checkpoint checkpoint-key (hash 'done i 'state new))
    (printf "~a  ~a  status ~a, ~a open question(s), summary ~a words\n" i (hash-ref update 'time)
            (hash-ref new 'status) (length (hash-ref new 'open_questions))
            (length (string-split (hash-ref new 'summary))))
    new))

(printf "\nStatus changes: ~a\n" (string-join (hash-ref final-state 'changes) ", "))

(define postmortem
  (syntax-e
   (llm-query #:instruction (string-append
                             "Write a postmortem outline for the incident from its final state: "
                             "impact, timeline, root cause, what went well, what went badly, "
                             "action items with owners left blank. Use only the facts given.")
              #:data (format "~a\n~a\nStatus changes: ~a" title (state-text final-state)
                             (string-join (hash-ref final-state 'changes) ", "))
              #:model writer
              #:temperature 0.3
              #:max-tokens 600)))

(printf "Postmortem outline (~a):\n" writer)
(finish postmortem)
