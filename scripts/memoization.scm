;;; Memoization: answer repeated customer questions from a persistent cache.
;;;
;;; Pattern: a model call with temperature 0 is a function of its inputs, so its answer can be
;;; stored under a digest of everything that shapes it (model, instruction, the policy text,
;;; the question after normalisation) and reused. checkpoint and restore make the cache
;;; persistent: duplicates within a run and every question seen in an earlier run cost nothing.
;;; Normalising (case, punctuation, spacing) turns more repeats into hits; questions that differ
;;; in wording still miss. Use it for FAQ-style traffic, re-runs of batch jobs, and development
;;; loops that ask the same things again and again.
;;;
;;; Run:    rlmsh run scripts/memoization.scm --offline --context scripts/data/faq.json [--checkpoint-dir DIR]
;;;         Run it twice with the same checkpoint directory: the second run makes no model call.
;;; Prints: HIT or MISS for each question, then how many questions the model answered and how
;;;         many came from the cache (the result).

(define model "gpt-4o-mini")

(when (string=? context "")
  (raise-user-error 'memoization "no questions: pass --context scripts/data/faq.json"))
(define faq (string->jsexpr context))
(define policy (hash-ref faq 'policy))

(define instruction
  (string-append "You answer customer questions for an online shop using only the policy below, "
                 "in at most two sentences. If the policy does not say, answer that a colleague "
                 "will follow up.\n\nPOLICY:\n" policy))

(define (normalise question)
  (string-normalize-spaces (regexp-replace* #px"[^a-z0-9 ]" (string-downcase question) "")))

;; The key covers everything that shapes the answer, so a changed policy or model never
;; returns a stale answer.
(define (cache-key question)
  (py-set! "key_parts" (list model instruction (normalise question)))
  (string-append "faq/" (py-eval "import hashlib; hashlib.sha256('\\x00'.join(key_parts).encode()).hexdigest()")))

(define (answer question)
  (define key (cache-key question))
  (define cached (restore key))
  (cond [cached (values cached #t)]
        [else
         (define fresh (syntax-e (llm-query #:instruction instruction #:data question #:model model
                                            #:temperature 0 #:max-tokens 120)))
         (checkpoint key fresh)
         (values fresh #f)]))

(define hits
  (for/sum ([q (in-list (hash-ref faq 'questions))])
    (define-values (text hit?) (answer q))
    (printf "~a ~a\n     ~a\n" (if hit? "HIT " "MISS") q text)
    (if hit? 1 0)))

(define total (length (hash-ref faq 'questions)))
(finish (format "~a questions: ~a answered by ~a (~a model calls this run), ~a from the cache"
                total (- total hits) model (hash-ref (tokens-used) 'calls) hits))
