;;; Speculative execution: ask several models at once and take the first usable answer.
;;;
;;; Pattern: a user is waiting, and model latency has a long tail. The same request goes to
;;; several models at the same moment (llm-query-async); await-any returns whichever answer
;;; arrives first. If it is usable it wins and the other calls are cancelled; if not (bad
;;; JSON, a label outside the allowed set), the program waits for the next one. Use it when
;;; the slowest calls are many times slower than the typical one and an answer now is worth
;;; paying for a few calls that will be thrown away.
;;;
;;; Run:    rlmsh run scripts/speculative-execution.scm --offline --context scripts/data/customer-email.txt
;;; Prints: the models raced, each answer in the order it arrived (accepted or rejected and why),
;;;         how many calls were cancelled and the wait in milliseconds, then the action and the
;;;         reply to send (the result). Which model wins varies from run to run.

(define models '("gpt-4o-mini" "gpt-4.1-mini" "gpt-4.1-nano"))
(define intents '("replace" "refund" "cancel" "track" "other"))

(when (string=? context "")
  (raise-user-error 'speculative-execution "no email: pass --context scripts/data/customer-email.txt"))

(define instruction
  (string-append
   "You handle a customer's email for a kitchen appliance shop. Decide what the customer wants "
   "and draft a short reply (at most 80 words, friendly, no promises about timing). Return "
   "JSON: {\"intent\": \"replace\"|\"refund\"|\"cancel\"|\"track\"|\"other\", \"order_id\": str, "
   "\"reply\": str}"))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

;; #f for a usable answer, else why not.
(define (problem answer)
  (define a (parse-json answer))
  (cond [(not a) "not a JSON object"]
        [(not (member (hash-ref a 'intent #f) intents))
         (format "intent ~s is not one of ~a" (hash-ref a 'intent #f) intents)]
        [(not (non-empty-string? (hash-ref a 'reply #f))) "no reply text"]
        [else #f]))

(define started (current-inexact-milliseconds))
(define calls
  (for/list ([m (in-list models)])
    (cons (llm-query-async #:instruction instruction #:data context #:model m #:json #t
                           #:temperature 0.2 #:max-tokens 300)
          m)))
(printf "Racing ~a models: ~a\n" (length models) (string-join models ", "))

;; await-any hands back the answer and the handles still running; the model whose handle is
;; gone is the one that answered.
(define (model-of-finished pending remaining)
  (cdr (findf (lambda (c) (not (memq (car c) remaining))) pending)))

(define-values (winner winning-answer cancelled)
  (let loop ([pending calls])
    (if (null? pending)
        (values #f #f 0)
        (let-values ([(answer remaining) (await-any (map car pending))])
          (define model (model-of-finished pending remaining))
          (define rest (filter (lambda (c) (memq (car c) remaining)) pending))
          (cond [(problem answer)
                 => (lambda (why)
                      (printf "  ~a answered first among ~a: rejected (~a)\n" model (length pending) why)
                      (loop rest))]
                [else
                 (printf "  ~a answered first among ~a: accepted\n" model (length pending))
                 (for ([c (in-list rest)]) (cancel (car c)))
                 (values model answer (length rest))])))))

(define waited (exact-round (- (current-inexact-milliseconds) started)))

(cond
  [winner
   (define a (parse-json winning-answer))
   (printf "Cancelled ~a call(s); waited ~a ms.\n" cancelled waited)
   (printf "Action: ~a (order ~a), answer from ~a\n\n" (hash-ref a 'intent) (hash-ref a 'order_id "?") winner)
   (finish (hash-ref a 'reply))]
  [else
   (printf "No model gave a usable answer after ~a ms.\n" waited)
   (finish "Routed to a human agent: no usable automatic reply.")])
