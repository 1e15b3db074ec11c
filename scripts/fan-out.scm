;;; Parallel fan-out: triage a batch of support tickets.
;;;
;;; Pattern: the items are independent, so each one goes to a cheap model in its own call, many
;;; calls in flight at once (map-async), each answering in JSON. The program, not a model,
;;; aggregates the answers; one call to a stronger model then writes from the aggregate.
;;; Use it when there are more items than fit in one prompt, or one call per item is fast
;;; enough only in parallel, and no item needs to see another.
;;;
;;; Run:    rlmsh run scripts/fan-out.scm --offline --context scripts/data/tickets.json
;;;         (without --offline it calls gpt-4o-mini and gpt-4o; OPENAI_API_KEY must be set)
;;; Prints: tickets per category with their average urgency, the urgent tickets, and a triage
;;;         note for the support lead (the result).

(define classifier "gpt-4o-mini")
(define writer "gpt-4o")
(define categories '("billing" "bug" "account" "shipping" "feature-request"))

(when (string=? context "")
  (raise-user-error 'fan-out "no tickets: pass --context scripts/data/tickets.json"))
(define tickets (string->jsexpr context))

;; The enumeration in the shape tells the model the allowed labels; an answer outside it (or
;; one that is not JSON) is counted as "unclassified" rather than trusted.
(define instruction
  (string-append
   "You triage customer support tickets. Read the ticket and "
   "return JSON: {category: \"billing\"|\"bug\"|\"account\"|\"shipping\"|\"feature-request\", "
   "urgency: 1-5, summary: str}. Urgency 5: the customer cannot work or is losing money; "
   "1: a suggestion. The summary is one short sentence."))

(define (ticket-text t)
  (format "Subject: ~a\n\n~a" (hash-ref t 'subject) (hash-ref t 'body)))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)])
      (and (hash? v) v))))

(define answers
  (map-async (lambda (t)
               (llm-query-async #:instruction instruction
                                #:data (ticket-text t)
                                #:model classifier
                                #:json #t
                                #:temperature 0
                                #:max-tokens 120))
             tickets
             #:max-concurrent 10))

;; One record per ticket: id, category (validated), urgency (clamped to 1-5), summary.
(define (triage t answer)
  (define a (or (parse-json answer) (hash)))
  (define category (hash-ref a 'category #f))
  (define urgency (hash-ref a 'urgency #f))
  (hash 'id (hash-ref t 'id)
        'subject (hash-ref t 'subject)
        'category (if (member category categories) category "unclassified")
        'urgency (if (real? urgency) (max 1 (min 5 (exact-round urgency))) 3)
        'summary (let ([s (hash-ref a 'summary "")]) (if (string? s) s ""))))

(define results (map triage tickets answers))

(define (in-category c) (filter (lambda (r) (equal? (hash-ref r 'category) c)) results))

(define (average-urgency rs)
  (if (null? rs)
      "-"
      (~r (/ (apply + (map (lambda (r) (hash-ref r 'urgency)) rs)) (length rs)) #:precision '(= 1))))

(printf "Classified ~a tickets with ~a (at most 10 calls in flight).\n\n" (length results) classifier)
(printf "~a ~a ~a\n" (~a "category" #:min-width 16) (~a "tickets" #:min-width 7 #:align 'right)
        (~a "avg urgency" #:min-width 12 #:align 'right))
(define rows
  (for/list ([c (in-list (append categories '("unclassified")))])
    (define rs (in-category c))
    (printf "~a ~a ~a\n" (~a c #:min-width 16) (~a (length rs) #:min-width 7 #:align 'right)
            (~a (average-urgency rs) #:min-width 12 #:align 'right))
    (format "~a: ~a tickets, average urgency ~a" c (length rs) (average-urgency rs))))

(define urgent
  (sort (filter (lambda (r) (>= (hash-ref r 'urgency) 4)) results) >
        #:key (lambda (r) (hash-ref r 'urgency))))
(printf "\nUrgent tickets (urgency 4-5): ~a\n" (length urgent))
(for ([r (in-list urgent)])
  (printf "  ~a [~a] ~a\n" (hash-ref r 'id) (hash-ref r 'urgency) (hash-ref r 'subject)))

;; The writer sees only the aggregate and the urgent tickets, never the whole batch.
(define note
  (syntax-e
   (llm-query #:instruction (string-append
                             "You brief a support team lead. From the ticket counts and the "
                             "urgent tickets below, write three sentences: where the volume is, "
                             "what needs attention today, and one suggestion.")
              #:data (string-append
                      (string-join rows "\n")
                      "\n\nUrgent tickets:\n"
                      (string-join (for/list ([r (in-list urgent)])
                                     (format "~a (~a): ~a" (hash-ref r 'id) (hash-ref r 'category)
                                             (hash-ref r 'summary)))
                                   "\n"))
              #:model writer
              #:temperature 0.3
              #:max-tokens 200)))

(printf "\nTriage note (~a):\n" writer)
(finish note)
