;;; Meta-orchestration: a planner model picks the strategy, the program carries it out.
;;;
;;; Pattern: several pipelines could answer the question (one call over everything; a parallel
;;; fan-out that tags each item and counts; a two-level tree of summaries) and which is best
;;; depends on the data. A planner model sees a profile of the data (size, a sample) and the
;;; menu, and answers in JSON with a strategy and a model; the program checks the choice
;;; against its own limits (allowed models, the largest prompt it will send) and dispatches to
;;; the matching Scheme procedure. The model decides; only vetted code runs. Use it when the
;;; right pipeline is not obvious in advance and planning costs far less than a wrong pipeline.
;;;
;;; Run:    rlmsh run scripts/meta-orchestration.scm --offline --context scripts/data/reviews.json [QUESTION]
;;; Prints: the data profile, the plan and any correction the program made to it, the steps of
;;;         the chosen strategy, and the answer (the result).

(define planner "gpt-4o")
(define allowed-models '("gpt-4o-mini" "gpt-4o"))
(define max-direct-chars 12000)
(define topics '("sync" "crashes" "pricing" "ui" "praise" "other"))

(define question
  (let ([args (current-command-line-arguments)])
    (if (> (vector-length args) 0)
        (vector-ref args 0)
        "What do users complain about most, and what should the team fix first?")))

(when (string=? context "")
  (raise-user-error 'meta-orchestration "no reviews: pass --context scripts/data/reviews.json"))
(define reviews (string->jsexpr context))

(define (review-line r) (format "[~a] (~a/5) ~a" (hash-ref r 'id) (hash-ref r 'rating) (hash-ref r 'text)))
(define all-text (string-join (map review-line reviews) "\n"))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

(define (ask model instruction data #:max-tokens [max-tokens 500])
  (syntax-e (llm-query #:instruction instruction #:data data #:model model #:temperature 0
                       #:max-tokens max-tokens)))

(define answer-instruction
  (string-append "Answer the product team's question about app store reviews in at most 120 "
                 "words, citing review ids or counts as evidence."))

;; The three strategies. Each returns the answer; each prints what it did.

(define (run-direct model)
  (printf "direct: one call to ~a with all ~a reviews\n" model (length reviews))
  (ask model answer-instruction (format "Question: ~a\n\nReviews:\n~a" question all-text)))

(define (run-fan-out model)
  (define tags
    (map-async (lambda (r)
                 (llm-query-async #:instruction (string-append
                                                 "Tag the app review with its main topic. Return JSON: "
                                                 "{topic: \"sync\"|\"crashes\"|\"pricing\"|\"ui\"|\"praise\"|\"other\"}")
                                  #:data (review-line r) #:model model #:json #t #:temperature 0
                                  #:max-tokens 30))
               reviews
               #:max-concurrent 8))
  (define (topic-of answer)
    (let ([t (hash-ref (or (parse-json answer) (hash)) 'topic #f)]) (if (member t topics) t "other")))
  (define by-topic (group-by car (map cons (map topic-of tags) reviews)))
  (define ranked (sort by-topic > #:key length))
  (printf "fan-out: ~a tagging calls to ~a; topics: ~a\n" (length reviews) model
          (string-join (for/list ([g (in-list ranked)]) (format "~a ~a" (car (car g)) (length g))) ", "))
  ;; The answering call gets the counts and two example reviews per topic, not every review.
  (ask model answer-instruction
       (format "Question: ~a\n\nTopic counts and examples:\n~a" question
               (string-join (for/list ([g (in-list ranked)])
                              (format "~a: ~a reviews, e.g.\n  ~a" (car (car g)) (length g)
                                      (string-join (map (lambda (p) (review-line (cdr p)))
                                                        (take g (min 2 (length g))))
                                                   "\n  ")))
                            "\n"))))

(define (chunks lst n)
  (if (<= (length lst) n) (list lst) (cons (take lst n) (chunks (drop lst n) n))))

(define (run-tree model)
  (define groups (chunks reviews 4))
  (define summaries
    (map-async (lambda (g)
                 (llm-query-async #:instruction "Summarise the complaints and praise in these reviews in two sentences, keeping review ids."
                                  #:data (string-join (map review-line g) "\n") #:model model
                                  #:temperature 0 #:max-tokens 150))
               groups))
  (printf "tree: ~a group summaries by ~a, then one answering call\n" (length groups) model)
  (ask model answer-instruction
       (format "Question: ~a\n\nSummaries of ~a reviews in groups of 4:\n~a" question (length reviews)
               (string-join summaries "\n"))))

(define strategies (hash "fan-out" run-fan-out "direct" run-direct "tree" run-tree))

;; Planning: the planner sees a profile of the data, never all of it.
(define profile
  (format "~a reviews, ~a characters in all (~a per review on average); ratings ~a\nSample:\n~a"
          (length reviews) (string-length all-text) (quotient (string-length all-text) (length reviews))
          (string-join (map (lambda (r) (number->string (hash-ref r 'rating))) reviews) " ")
          (string-join (map review-line (take reviews (min 3 (length reviews)))) "\n")))

(define plan-text
  (syntax-e
   (llm-query #:instruction (string-append
                             "You plan how to answer a question about a collection of app reviews. "
                             "Strategies: fan-out (tag every review in parallel with a cheap call, "
                             "count topics, one answering call: scales to thousands, cheap per "
                             "item); direct (all reviews in one call: best for a few dozen short "
                             "reviews, impossible past the context window); tree (summaries of "
                             "groups of 4, then one answer: for long reviews). Pick one and the "
                             "model to run it. Return JSON: {\"strategy\": \"fan-out\"|\"direct\"|\"tree\", "
                             "\"model\": \"gpt-4o-mini\"|\"gpt-4o\", \"reason\": str}")
              #:data (format "Question: ~a\n\nData profile:\n~a" question profile)
              #:model planner
              #:json #t
              #:temperature 0
              #:max-tokens 200)))

(define plan (or (parse-json plan-text) (hash)))
(printf "Data: ~a reviews, ~a characters.\n" (length reviews) (string-length all-text))
(printf "Plan from ~a: ~a\n" planner plan-text)

;; The program's limits override the plan: unknown names fall back to safe defaults, and a
;; direct call over too much text becomes a fan-out.
(define corrections '())
(define (correction! text) (set! corrections (append corrections (list text))))
(define model
  (let ([m (hash-ref plan 'model #f)])
    (cond [(member m allowed-models) m]
          [else (correction! (format "model ~s is not allowed; using gpt-4o-mini" m))
                "gpt-4o-mini"])))
(define strategy
  (let ([s (hash-ref plan 'strategy #f)])
    (cond [(not (hash-has-key? strategies s))
           (correction! (format "unknown strategy ~s; using fan-out" s))
           "fan-out"]
          [(and (equal? s "direct") (> (string-length all-text) max-direct-chars))
           (correction! (format "~a characters exceed the direct limit of ~a; using fan-out"
                                (string-length all-text) max-direct-chars))
           "fan-out"]
          [else s])))
(for ([c (in-list corrections)]) (printf "Correction: ~a\n" c))
(printf "Running ~a with ~a.\n" strategy model)

(define answer ((hash-ref strategies strategy) model))
(printf "\nAnswer:\n")
(finish answer)
