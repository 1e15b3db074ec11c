;;; Critique and refine: write a product description, then improve it round by round.
;;;
;;; Pattern: a writer model drafts; a cheaper critic model reviews the draft against stated
;;; criteria and answers in JSON (issues with severities, a score); the program adds the checks
;;; it can make itself (length, facts that must appear, claims that must not); the writer
;;; revises from the combined list. The loop stops when the critic is satisfied and every check
;;; passes, or after a fixed number of rounds, and keeps the best version seen. Use it when a
;;; first draft is rarely good enough and "better" can be stated; the program's own checks
;;; catch what a critic without the facts cannot.
;;;
;;; Run:    rlmsh run scripts/critique-refine.scm --offline --context scripts/data/product.txt
;;; Prints: per round the critic's score, the issues found by the critic and by the checks, and
;;;         why the loop stopped; then the best description (the result).

(define writer "gpt-4o")
(define critic "gpt-4o-mini")
(define max-rounds 3)
(define target-score 8)

(when (string=? context "")
  (raise-user-error 'critique-refine "no product facts: pass --context scripts/data/product.txt"))

;; The fact sheet is "key: value" lines.
(define facts
  (for/hash ([line (in-list (string-split context "\n"))]
             #:when (regexp-match? #px"^[a-z ]+:" line))
    (define m (regexp-match #px"^([a-z ]+):\\s*(.*)$" line))
    (values (string->symbol (cadr m)) (caddr m))))
(define (fact key) (hash-ref facts key ""))

;; Checks the program can make without a model: each is a name, a test on the text, and the
;; instruction the writer gets when it fails.
(define (word-count text) (length (string-split text)))
(define checks
  (list (list "length" (lambda (t) (<= 50 (word-count t) 110))
              "Keep it between 50 and 110 words.")
        (list "price" (lambda (t) (string-contains? t (fact 'price)))
              (format "State the price exactly as ~a." (fact 'price)))
        (list "warranty" (lambda (t) (regexp-match? #px"(?i:5[- ]year)" t))
              "Mention the 5-year warranty.")
        (list "no waterproof claim" (lambda (t) (not (regexp-match? #px"(?i:\\bwaterproof)" t)))
              "Do not call the pack waterproof; it is water-repellent.")))

(define (failed-checks text)
  (filter (lambda (c) (not ((cadr c) text))) checks))

(define (parse-json text)
  (with-handlers ([exn:fail? (lambda (e) #f)])
    (let ([v (string->jsexpr text)]) (and (hash? v) v))))

(define critic-instruction
  (string-append
   "You review product descriptions for an outdoor gear shop. Judge the description against "
   "the fact sheet: accuracy, concrete benefits for the stated audience, clarity, no empty "
   "superlatives. Return JSON: {\"score\": 1-10, \"issues\": [{\"problem\": str, \"fix\": str, "
   "\"severity\": 1-3}]}. Severity 3: wrong or misleading; 1: style."))

(define (critique text)
  (define answer
    (parse-json (syntax-e (llm-query #:instruction critic-instruction
                                     #:data (format "FACT SHEET:\n~a\n\nDESCRIPTION:\n~a" context text)
                                     #:model critic
                                     #:json #t
                                     #:temperature 0
                                     #:max-tokens 400))))
  (define score (and answer (hash-ref answer 'score #f)))
  (define issues (if answer (hash-ref answer 'issues '()) '()))
  (values (if (real? score) score 0)
          (for/list ([i (in-list (if (list? issues) issues '()))] #:when (hash? i))
            (format "~a (severity ~a) ~a" (hash-ref i 'problem "?") (hash-ref i 'severity "?")
                    (hash-ref i 'fix "")))))

(define (write-draft)
  (syntax-e (llm-query #:instruction (string-append
                                      "Write the product page description for the item in the "
                                      "fact sheet: 60 to 100 words, second person, concrete, "
                                      "using only the facts given.")
                       #:data context
                       #:model writer
                       #:temperature 0.7
                       #:max-tokens 300)))

(define (revise text feedback)
  (syntax-e (llm-query #:instruction (string-append
                                      "Revise the product description so that it addresses "
                                      "every point of feedback, using only the facts in the "
                                      "fact sheet. Answer with the new description only.")
                       #:data (format "FACT SHEET:\n~a\n\nDESCRIPTION:\n~a\n\nFEEDBACK:\n- ~a"
                                      context text (string-join feedback "\n- "))
                       #:model writer
                       #:temperature 0.4
                       #:max-tokens 300)))

;; A failed check weighs more than a point of the critic's score: the checks are facts.
(define (merit score failed) (- score (* 3 (length failed))))

(define-values (best best-merit stop-reason)
  (let loop ([round 1] [text (write-draft)] [best #f] [best-merit -inf.0])
    (define-values (score critic-issues) (critique text))
    (define failed (failed-checks text))
    (define m (merit score failed))
    (define-values (new-best new-merit) (if (>= m best-merit) (values text m) (values best best-merit)))
    (printf "Round ~a: critic score ~a/10, ~a critic issue(s), ~a failed check(s)~a\n" round score
            (length critic-issues) (length failed)
            (if (null? failed) "" (format " (~a)" (string-join (map car failed) ", "))))
    (for ([i (in-list critic-issues)]) (printf "  critic: ~a\n" i))
    (cond [(and (>= score target-score) (null? failed))
           (values new-best new-merit (format "the critic scored ~a and every check passed" score))]
          [(= round max-rounds)
           (values new-best new-merit (format "~a rounds done" max-rounds))]
          [else
           (loop (add1 round)
                 (revise text (append critic-issues (map caddr failed)))
                 new-best new-merit)])))

(printf "\nStopped: ~a. Best version (merit ~a, ~a words, failing: ~a):\n" stop-reason best-merit
        (word-count best)
        (let ([failed (failed-checks best)]) (if (null? failed) "nothing" (string-join (map car failed) ", "))))
(finish best)
