;;; Consensus: several models propose a root cause, review each other's proposals, and vote.
;;;
;;; Pattern: two rounds. In the first, each agent (a different model) answers independently; in
;;; the second, every agent reads all the proposals, unsigned and numbered, and votes for the
;;; best one with a reason. A proposal is adopted only with a supermajority (here at least
;;; three of four votes); otherwise the program reports that there is no consensus and hands
;;; the proposals to a person, which is the safe outcome for a decision that must not be wrong.
;;; Use it for high-stakes judgements where one model's error must not decide, and where
;;; seeing the other answers can make an agent change its mind.
;;;
;;; Run:    rlmsh run scripts/consensus.scm --offline --context scripts/data/incident.json
;;; Prints: the proposals, each agent's vote and reason, the tally, and the adopted root cause or
;;;         the escalation (the result).

(define agents '("gpt-4o" "gpt-4o-mini" "gpt-4.1" "gpt-4.1-mini"))
(define supermajority 3)

(when (string=? context "")
  (raise-user-error 'consensus "no incident: pass --context scripts/data/incident.json"))
(define incident (string->jsexpr context))
(define timeline
  (string-append
   (hash-ref incident 'incident) "\n"
   (string-join (for/list ([u (in-list (hash-ref incident 'updates))])
                  (format "~a ~a: ~a" (hash-ref u 'time) (hash-ref u 'author) (hash-ref u 'text)))
                "\n")))

;; Round 1: independent proposals, all agents at once.
(define proposals
  (map-async (lambda (model)
               (llm-query-async #:instruction (string-append
                                               "You are one of several engineers reviewing an incident "
                                               "timeline. State its root cause in one sentence (the "
                                               "underlying defect, not the symptom), then the evidence "
                                               "from the timeline in at most two sentences.")
                                #:data timeline #:model model #:temperature 0.3 #:max-tokens 150))
             agents))

(printf "Round 1: ~a proposals\n" (length proposals))
(for ([p (in-list proposals)] [i (in-naturals 1)])
  (printf "  [~a] ~a\n" i p))

;; Round 2: each agent sees every proposal without its author and votes.
(define ballot
  (string-join (for/list ([p (in-list proposals)] [i (in-naturals 1)]) (format "[~a] ~a" i p)) "\n"))
(define vote-answers
  (map-async (lambda (model)
               (llm-query-async #:instruction (format (string-append
                                                       "You review root-cause proposals for the incident "
                                                       "below. Vote for the proposal best supported by the "
                                                       "timeline; you may vote for your own. Return JSON: "
                                                       "{vote: 1-~a, reason: str}")
                                                      (length proposals))
                                #:data (format "TIMELINE\n~a\n\nPROPOSALS\n~a" timeline ballot)
                                #:model model #:json #t #:temperature 0 #:max-tokens 150))
             agents))

;; A vote outside 1..N, or an answer that is not JSON, is an abstention.
(define (parse-vote answer)
  (define a (with-handlers ([exn:fail? (lambda (e) #f)]) (string->jsexpr answer)))
  (define v (and (hash? a) (hash-ref a 'vote #f)))
  (values (and (exact-integer? v) (<= 1 v (length proposals)) v)
          (let ([r (and (hash? a) (hash-ref a 'reason #f))]) (if (string? r) r ""))))

(printf "\nRound 2: votes\n")
(define votes
  (for/list ([model (in-list agents)] [answer (in-list vote-answers)])
    (define-values (v reason) (parse-vote answer))
    (printf "  ~a ~a ~a\n" (~a model #:min-width 13) (if v (format "-> [~a]" v) "abstains") reason)
    v))

(define tally
  (sort (for/list ([g (in-list (group-by values (filter values votes)))]) (cons (car g) (length g)))
        > #:key cdr))
(printf "\nTally: ~a (supermajority: ~a of ~a)\n"
        (if (null? tally) "no valid votes"
            (string-join (for/list ([t (in-list tally)]) (format "[~a] ~a" (car t) (cdr t))) ", "))
        supermajority (length agents))

(if (and (pair? tally) (>= (cdr (car tally)) supermajority))
    (finish (format "Consensus on proposal [~a] (~a of ~a votes): ~a" (car (car tally)) (cdr (car tally))
                    (length agents) (list-ref proposals (sub1 (car (car tally))))))
    (finish (format "No consensus: escalating all ~a proposals to the incident lead." (length proposals))))
