;; The offline model (#:model "offline"): deterministic answers per request, the async family
;; and token accounting, without a network. (The suite runs programs without flags, so every
;; call names the model.)

(define (ask #:instruction [instruction "Summarise."] #:data [data "Some text."] . _)
  (unsafe-raw-query #:model "offline" #:instruction instruction #:data data))

(define (show label v) (printf "~a: ~s\n" label v))
(define (answer-shape? s) (regexp-match? #px"^offline:offline:[0-9a-f]{12}$" s))

;; An answer names the model and 12 hex digits of the request's digest.
(define a (ask))
(show "shape" (answer-shape? a))
(show "same request, same answer" (equal? a (ask)))
(show "other data" (equal? a (ask #:data "Other text.")))
(show "other instruction" (equal? a (ask #:instruction "Translate.")))
(show "temperature counts"
      (equal? a (unsafe-raw-query #:model "offline" #:instruction "Summarise." #:data "Some text." #:temperature 0.7)))
(show "max-tokens counts"
      (equal? a (unsafe-raw-query #:model "offline" #:instruction "Summarise." #:data "Some text." #:max-tokens 10)))
(show "empty and blank data are the same request"
      (equal? (unsafe-raw-query #:model "offline" #:data "") (unsafe-raw-query #:model "offline" #:data "   ")))
(show "no data is the same as empty data"
      (equal? (unsafe-raw-query #:model "offline") (unsafe-raw-query #:model "offline" #:data "")))

;; offline/NAME answers as NAME.
(show "offline/NAME" (regexp-match? #px"^offline:tiny-model:[0-9a-f]{12}$"
                                     (unsafe-raw-query #:model "offline/tiny-model" #:data "x")))

;; llm-query wraps the same answer in a syntax object.
(define s (llm-query #:model "offline" #:instruction "Summarise." #:data "Some text."))
(show "syntax?" (syntax? s))
(show "unwrapped" (equal? (syntax-e s) a))

;; Async: handles, await, await-all, await-all-syntax, await-any, map-async.
(define h (llm-query-async #:model "offline" #:instruction "Summarise." #:data "Some text."))
(show "handle" (regexp-match? #px"^#<llm-call:[0-9]+:(pending|done)>$" (format "~a" h)))
(show "await" (equal? (syntax-e (await h)) a))
(show "handle done" (regexp-match? #px"^#<llm-call:[0-9]+:done>$" (format "~a" h)))
(define hs (for/list ([d '("one" "two" "three")]) (llm-query-async #:model "offline" #:data d)))
(define answers (await-all hs))
(show "await-all" (map answer-shape? answers))
(show "await-all = one by one" (equal? answers (map (lambda (d) (unsafe-raw-query #:model "offline" #:data d)) '("one" "two" "three"))))
(show "await-all-syntax" (map syntax? (await-all-syntax hs)))
(show "await-all-syntax unwrapped" (equal? (map syntax-e (await-all-syntax hs)) answers))
(define-values (first others) (await-any hs))
(show "await-any first" (and (member first answers) #t))
(show "await-any rest" (length others))
(show "map-async"
      (equal? (map-async (lambda (d) (llm-query-async #:model "offline" #:data d)) '("one" "two" "three") #:max-concurrent 2)
              answers))
(show "map-async with plain values" (map-async (lambda (x) (* x x)) '(1 2 3)))
(define cancelled (llm-query-async #:model "offline" #:data "never mind"))
(cancel cancelled)
(show "cancelled await"
      (with-handlers ([exn:fail? exn-message]) (await cancelled)))

;; Offline usage is estimated at four characters a token, and costs nothing.
(define t (tokens-used))
(show "keys" (sort (hash-keys t) symbol<?))
(show "by_model" (sort (hash-keys (hash-ref t 'by_model)) string<?))
(show "cost" (hash-ref t 'cost_usd))
(show "total = prompt + completion"
      (= (hash-ref t 'total_tokens) (+ (hash-ref t 'prompt_tokens) (hash-ref t 'completion_tokens))))
(define before (tokens-used))
;; "Summarise." is 10 characters (3 tokens), "Some text." 10 (3 tokens); the answer 28 (7 tokens).
(ask)
(define after (tokens-used))
(show "one call's prompt tokens" (- (hash-ref after 'prompt_tokens) (hash-ref before 'prompt_tokens)))
(show "one call's completion tokens" (- (hash-ref after 'completion_tokens) (hash-ref before 'completion_tokens)))
(show "one call" (- (hash-ref after 'calls) (hash-ref before 'calls)))

;; Budgets count offline usage too.
(show "budget"
      (parameterize ([token-budget 10])
        (ask)
        (with-handlers ([exn:fail? (lambda (e) (regexp-match? #rx"token budget exceeded" (exn-message e)))])
          (ask))))
