;;; Backtracking search: schedule conference talks under hard constraints.
;;;
;;; Pattern: a model proposes a complete plan; a validator written in the program checks it
;;; against every rule and lists the violations. A valid plan is used as it is. Otherwise the
;;; program searches: it places the talks one at a time, most constrained first, trying the
;;; model's placement for each talk before the others, checks every partial plan with the same
;;; validator, and backs up to the previous talk when a talk has no valid place left. The model
;;; contributes judgement (which plan reads well); the search guarantees the rules, and ends with
;;; a plan or a proof that none exists. Use it when candidates are cheap to check, hard to get
;;; right, and a wrong answer is not acceptable.
;;;
;;; Run:    rlmsh run scripts/backtracking.scm --offline --context scripts/data/talks.json
;;; Prints: the model's plan and its violations, the search's count of placements tried and of
;;;         backtracks, and the schedule by slot (the result).

(define planner "gpt-4o")

(when (string=? context "")
  (raise-user-error 'backtracking "no programme: pass --context scripts/data/talks.json"))
(define event (string->jsexpr context))
(define slots (hash-ref event 'slots))
(define rooms (hash-ref event 'rooms))
(define talks (hash-ref event 'talks))

(define (talk-by-id id) (findf (lambda (t) (equal? (hash-ref t 'id) id)) talks))
(define (room-by-name name) (findf (lambda (r) (equal? (hash-ref r 'name) name)) rooms))

;; A plan is a list of placements (talk slot room): talk and room are the hashes from the input.
(define (placement-problems p)
  (define-values (t slot room) (apply values p))
  (append
   (if (> (hash-ref t 'audience) (hash-ref room 'capacity))
       (list (format "~a (~a people) does not fit ~a (~a)" (hash-ref t 'id) (hash-ref t 'audience)
                     (hash-ref room 'name) (hash-ref room 'capacity)))
       '())
   (if (member slot (hash-ref t 'unavailable))
       (list (format "~a's speaker is unavailable at ~a" (hash-ref t 'id) slot))
       '())))

(define (pair-problems a b)
  (define-values (ta sa ra) (apply values a))
  (define-values (tb sb rb) (apply values b))
  (define (clash what) (format "~a and ~a ~a at ~a" (hash-ref ta 'id) (hash-ref tb 'id) what sa))
  (if (not (equal? sa sb))
      '()
      (append (if (eq? ra rb) (list (clash (format "share ~a" (hash-ref ra 'name)))) '())
              (if (equal? (hash-ref ta 'speaker) (hash-ref tb 'speaker)) (list (clash "have the same speaker")) '())
              (if (equal? (hash-ref ta 'track) (hash-ref tb 'track)) (list (clash "are both in the same track")) '()))))

;; Every rule violated by a plan, complete or partial.
(define (problems plan)
  (append (append-map placement-problems plan)
          (append-map (lambda (pair) (pair-problems (car pair) (cadr pair))) (combinations plan 2))))

;; The model's plan, read leniently: entries naming an unknown talk, slot or room are reported
;; and dropped, and a talk placed twice keeps its first placement.
(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

(define model-answer
  (syntax-e
   (llm-query #:instruction (string-append
                             "Schedule every talk of the conference into a slot and a room, "
                             "following every rule given. Put talks likely to draw the largest "
                             "audiences early. Return JSON: {\"plan\": [{\"talk\": str, \"slot\": str, \"room\": str}]}")
              #:data context
              #:model planner
              #:json #t
              #:temperature 0
              #:max-tokens 600)))

(define-values (model-plan unusable)
  (let ([entries (let ([p (hash-ref (or (parse-json model-answer) (hash)) 'plan '())]) (if (list? p) p '()))])
    (for/fold ([plan '()] [bad '()] #:result (values (reverse plan) (reverse bad)))
              ([e (in-list entries)])
      (define t (and (hash? e) (talk-by-id (hash-ref e 'talk #f))))
      (define slot (and (hash? e) (member (hash-ref e 'slot #f) slots) (hash-ref e 'slot)))
      (define room (and (hash? e) (room-by-name (hash-ref e 'room #f))))
      (cond [(not (and t slot room)) (values plan (cons (format "unusable entry ~a" (jsexpr->string e)) bad))]
            [(assq t plan) (values plan (cons (format "~a placed twice" (hash-ref t 'id)) bad))]
            [else (values (cons (list t slot room) plan) bad)]))))

(define missing (filter (lambda (t) (not (assq t model-plan))) talks))
(define model-problems
  (append (problems model-plan)
          unusable
          (map (lambda (t) (format "~a is not placed" (hash-ref t 'id))) missing)))

(printf "Model plan (~a): ~a placement(s), ~a problem(s)\n" planner (length model-plan) (length model-problems))
(for ([p (in-list (take model-problems (min 5 (length model-problems))))])
  (printf "  - ~a\n" p))
(when (> (length model-problems) 5)
  (printf "  - ... and ~a more\n" (- (length model-problems) 5)))

;; The search. Talks with the fewest places that are valid on their own go first; each talk
;; tries the model's placement first, then the smallest room that fits, slot by slot.
(define (options t)
  (define fitting (sort (filter (lambda (r) (<= (hash-ref t 'audience) (hash-ref r 'capacity))) rooms)
                        < #:key (lambda (r) (hash-ref r 'capacity))))
  (define all (for*/list ([slot (in-list slots)] [room (in-list fitting)]
                          #:when (null? (placement-problems (list t slot room))))
                (list t slot room)))
  (define suggested (assq t model-plan))
  (if (and suggested (member suggested all)) (cons suggested (remove suggested all)) all))
(define order (sort talks < #:key (lambda (t) (length (options t)))))

(define tried 0)
(define backtracks 0)
(define (search remaining plan)
  (if (null? remaining)
      (reverse plan)
      (let try ([candidates (options (car remaining))])
        (cond [(null? candidates)
               (set! backtracks (add1 backtracks))
               #f]
              [else
               (set! tried (add1 tried))
               (define next (cons (car candidates) plan))
               (or (and (null? (problems next)) (search (cdr remaining) next))
                   (try (cdr candidates)))]))))

(define plan
  (if (and (null? model-problems) (= (length model-plan) (length talks)))
      (begin (printf "The model's plan is valid; no search needed.\n") model-plan)
      (let ([found (search order '())])
        (printf "Search: ~a placements tried, ~a backtracks.\n" tried backtracks)
        found)))

(unless plan
  (finish "No schedule satisfies the rules."))

(printf "\n~a\n" (hash-ref event 'event))
(finish
 (string-join
  (for*/list ([slot (in-list slots)]
              [p (in-list (sort (filter (lambda (p) (equal? (cadr p) slot)) plan) >
                                #:key (lambda (p) (hash-ref (caddr p) 'capacity))))])
    (define-values (t _ room) (apply values p))
    (format "~a  ~a ~a ~a (~a, ~a/~a)" slot (~a (hash-ref room 'name) #:min-width 10) (hash-ref t 'id)
            (hash-ref t 'title) (hash-ref t 'speaker) (hash-ref t 'audience) (hash-ref room 'capacity)))
  "\n"))
