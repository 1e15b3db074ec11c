;;; Checkpointed fan-out: triage a large batch of support tickets, surviving crashes.
;;;
;;; Pattern: fan-out (one JSON-mode call per ticket, many in flight at once with map-async) over
;;; more items than a run can be trusted to finish. The tickets go in slices of 20; as soon as a
;;; slice's answers are back its triage records are checkpointed. Killed at any moment and run
;;; again, the program restores the slices already done (no model call for them) and goes on
;;; with the rest, so the report equals an uninterrupted run's. scripts/crash-resume.sh checks
;;; that by killing it at random moments.
;;;
;;; Run:    rlmsh run --offline scripts/fan-out-checkpointed.scm TICKETS.json [--checkpoint-dir DIR]
;;;         TICKETS.json is a JSON array of {id, subject, body} (e.g. scripts/data/tickets.json);
;;;         without --offline it calls gpt-4o-mini (OPENAI_API_KEY, OPENAI_BASE_URL).
;;; Prints: progress on stderr; the report on stdout (the result): tickets per category with
;;;         their average urgency, and the ids of the urgent tickets, as JSON.
;;;
;;; The checkpoint keys name the file and its size, so a different file starts afresh; clear old
;;; state with `rlmsh checkpoints clear`.

(define classifier "gpt-4o-mini")
(define categories '("billing" "bug" "account" "shipping" "feature-request"))
(define slice-size 20)

(define args (current-command-line-arguments))
(unless (= (vector-length args) 1)
  (eprintf "usage: rlmsh run scripts/fan-out-checkpointed.scm TICKETS.json\n")
  (exit 2))
(define source (vector-ref args 0))
(define tickets (string->jsexpr (file->string source)))
(define key-prefix (format "fan-out-checkpointed:~a:~a:" source (file-size source)))

(define instruction
  (string-append
   "You triage customer support tickets. Read the ticket and "
   "return JSON: {category: \"billing\"|\"bug\"|\"account\"|\"shipping\"|\"feature-request\", "
   "urgency: 1-5, summary: str}. Urgency 5: the customer cannot work or is losing money; "
   "1: a suggestion. The summary is one short sentence."))

;; The tickets in slices of slice-size (the last one shorter).
(define (slices items)
  (if (<= (length items) slice-size)
      (if (null? items) '() (list items))
      (cons (take items slice-size) (slices (drop items slice-size)))))

;; One record per ticket; an answer that is not JSON of the asked shape is "unclassified" with
;; urgency 3 rather than trusted.
(define (triage ticket answer)
  (define a (with-handlers ([exn:fail? (lambda (e) #f)])
              (let ([v (string->jsexpr answer)]) (and (hash? v) v))))
  (define category (and a (hash-ref a 'category #f)))
  (define urgency (and a (hash-ref a 'urgency #f)))
  (hash 'id (hash-ref ticket 'id)
        'category (if (member category categories) category "unclassified")
        'urgency (if (real? urgency) (max 1 (min 5 (exact-round urgency))) 3)))

(define (ask-slice slice)
  (map triage slice
       (map-async (lambda (t)
                    (llm-query-async #:instruction instruction
                                     #:data (format "Subject: ~a\n\n~a" (hash-ref t 'subject) (hash-ref t 'body))
                                     #:model classifier
                                     #:json #t
                                     #:temperature 0
                                     #:max-tokens 120))
                  slice
                  #:max-concurrent 10)))

(define all-slices (slices tickets))
(define restored
  (for/sum ([i (in-range (length all-slices))])
    (if (restore (format "~a~a" key-prefix i)) 1 0)))
(when (> restored 0)
  (eprintf "fan-out-checkpointed: resuming, ~a of ~a slices already done\n" restored (length all-slices)))

;; A slice's records: from its checkpoint, or asked now and checkpointed.
(define records
  (append*
   (for/list ([slice (in-list all-slices)] [i (in-naturals)])
     (define key (format "~a~a" key-prefix i))
     (or (restore key)
         (let ([done (checkpoint key (ask-slice slice))])
           (eprintf "fan-out-checkpointed: slice ~a of ~a done\n" (+ i 1) (length all-slices))
           done)))))

(define (average-urgency rs)
  (if (null? rs)
      "-"
      (~r (/ (apply + (map (lambda (r) (hash-ref r 'urgency)) rs)) (length rs)) #:precision '(= 2))))

(finish
 (jsexpr->string
  (hash 'source source
        'tickets (length records)
        'categories (for/list ([c (in-list (append categories '("unclassified")))])
                      (define rs (filter (lambda (r) (equal? (hash-ref r 'category) c)) records))
                      (hash 'category c 'tickets (length rs) 'average_urgency (average-urgency rs)))
        'urgent (sort (for/list ([r (in-list records)] #:when (>= (hash-ref r 'urgency) 4)) (hash-ref r 'id))
                      string<?))))
