;;; Multi-armed bandit: learn which model should draft support replies, while drafting them.
;;;
;;; Pattern: each model is an arm. For every ticket the program picks an arm with UCB1 (the
;;; best average reward so far plus a bonus that shrinks the more an arm has been tried), the
;;; chosen model drafts the reply, a judge model scores the draft in JSON, and the reward (the
;;; score, minus a charge for what the call cost) updates the arm. Early tickets explore every
;;; model; later ones go mostly to the model with the best quality for its price. Use it for a
;;; long stream of similar tasks where the best model is not known in advance and a reward can
;;; be measured per task.
;;;
;;; Run:    rlmsh run scripts/bandit.scm --offline --context scripts/data/tickets.json
;;; Prints: one line per ticket (chosen model, judge score, cost, reward), a table of pulls and
;;;         average quality, cost and reward per model, and the model the bandit settled on (the
;;;         result).

(define arms '("gpt-4o" "gpt-4o-mini" "gpt-4.1-nano"))
(define judge "gpt-4o")
;; List prices in USD per million tokens (input, output), for the cost part of the reward.
(define prices (hash "gpt-4o" '(2.50 10.00) "gpt-4o-mini" '(0.15 0.60) "gpt-4.1-nano" '(0.10 0.40)))
;; Spending a tenth of a cent on one draft cancels a perfect score.
(define cost-weight 1000)

(when (string=? context "")
  (raise-user-error 'bandit "no tickets: pass --context scripts/data/tickets.json"))
(define tickets (string->jsexpr context))

;; Per arm: pulls and sums of quality, cost and reward.
(define stats (make-hash (for/list ([a (in-list arms)]) (cons a (hash 'pulls 0 'quality 0 'cost 0 'reward 0)))))
(define (stat arm field) (hash-ref (hash-ref stats arm) field))
(define (mean arm field) (if (zero? (stat arm 'pulls)) 0 (/ (stat arm field) (stat arm 'pulls))))

;; UCB1: an arm never tried comes first; otherwise the highest mean reward plus the bonus.
(define (choose round)
  (or (findf (lambda (a) (zero? (stat a 'pulls))) arms)
      (argmax (lambda (a) (+ (mean a 'reward) (sqrt (/ (* 2 (log round)) (stat a 'pulls))))) arms)))

(define (tokens) (let ([u (tokens-used)]) (values (hash-ref u 'prompt_tokens) (hash-ref u 'completion_tokens))))

;; The draft and what it cost, from the token counters before and after the call.
(define (draft arm ticket)
  (define-values (p0 c0) (tokens))
  (define text
    (syntax-e (llm-query #:instruction (string-append
                                        "You are a support agent. Draft the reply to the customer's "
                                        "ticket: acknowledge the problem, give the next step, at "
                                        "most 90 words, no promises you cannot keep.")
                         #:data (format "Subject: ~a\n\n~a" (hash-ref ticket 'subject) (hash-ref ticket 'body))
                         #:model arm #:temperature 0.3 #:max-tokens 200)))
  (define-values (p1 c1) (tokens))
  (define price (hash-ref prices arm))
  (values text (/ (+ (* (- p1 p0) (first price)) (* (- c1 c0) (second price))) 1e6)))

(define (judge-score ticket reply)
  (define answer
    (syntax-e (llm-query #:instruction (string-append
                                        "Rate the support reply to the ticket: correct next step, "
                                        "empathy, clarity, no invented facts. Return JSON: "
                                        "{\"score\": 1-10, \"reason\": str}")
                         #:data (format "TICKET\n~a\n\n~a\n\nREPLY\n~a" (hash-ref ticket 'subject)
                                        (hash-ref ticket 'body) reply)
                         #:model judge #:json #t #:temperature 0 #:max-tokens 100)))
  (define a (with-handlers ([exn:fail? (lambda (e) #f)]) (string->jsexpr answer)))
  (define s (and (hash? a) (hash-ref a 'score #f)))
  ;; A missing or out-of-range score counts as the worst.
  (if (and (real? s) (<= 1 s 10)) s 1))

(define (usd x) (string-append "$" (~r x #:precision '(= 5))))

(for ([ticket (in-list tickets)] [round (in-naturals 1)])
  (define arm (choose round))
  (define-values (reply cost) (draft arm ticket))
  (define score (judge-score ticket reply))
  (define quality (/ score 10.0))
  (define reward (- quality (* cost-weight cost)))
  (hash-update! stats arm (lambda (s) (hash 'pulls (add1 (hash-ref s 'pulls))
                                            'quality (+ (hash-ref s 'quality) quality)
                                            'cost (+ (hash-ref s 'cost) cost)
                                            'reward (+ (hash-ref s 'reward) reward))))
  (printf "~a ~a ~a score ~a  cost ~a  reward ~a\n" (~a round #:min-width 3) (~a (hash-ref ticket 'id) #:min-width 7)
          (~a arm #:min-width 13) (~a score #:min-width 2 #:align 'right) (usd cost) (~r reward #:precision '(= 3))))

(printf "\n~a ~a ~a ~a ~a\n" (~a "model" #:min-width 13) (~a "pulls" #:min-width 5 #:align 'right)
        (~a "quality" #:min-width 8 #:align 'right) (~a "cost" #:min-width 9 #:align 'right)
        (~a "reward" #:min-width 7 #:align 'right))
(for ([a (in-list arms)])
  (printf "~a ~a ~a ~a ~a\n" (~a a #:min-width 13) (~a (stat a 'pulls) #:min-width 5 #:align 'right)
          (~a (~r (mean a 'quality) #:precision '(= 2)) #:min-width 8 #:align 'right)
          (~a (usd (mean a 'cost)) #:min-width 9 #:align 'right)
          (~a (~r (mean a 'reward) #:precision '(= 3)) #:min-width 7 #:align 'right)))

(define best (argmax (lambda (a) (stat a 'pulls)) arms))
(finish (format "\nSettled on ~a: ~a of ~a tickets, average reward ~a." best (stat best 'pulls) (length tickets)
                (~r (mean best 'reward) #:precision '(= 3))))
