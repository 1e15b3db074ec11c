;;; Recursive delegation: review a contract section by section with sub-agents.
;;;
;;; Pattern: the program splits the document at its top level and hands each part to a model
;;; call made with #:recursive #t. Such a sub-model does not just answer: it writes and runs
;;; code in a sandbox of its own, so it can split its part further and delegate the pieces in
;;; turn, and it returns whatever it passes to finish. The program then combines the reports.
;;; Use it for documents with a real hierarchy (agreement, sections, clauses; repository,
;;; modules, files) where each level needs its own judgement about how far to go down.
;;; Recursive calls are synchronous, so sections are delegated one after another.
;;;
;;; Run:    rlmsh run scripts/recursive-delegation.scm --offline --context scripts/data/contract.md
;;; Prints: each section with its size and subsections, the report its sub-agent returned, and a
;;;         contract-level review for the customer (the result).

(define analyst "gpt-4o")
(define reviewer "gpt-4o")

(when (string=? context "")
  (raise-user-error 'recursive-delegation "no contract: pass --context scripts/data/contract.md"))

;; A section is a "## " heading with everything up to the next one; text before the first
;; heading (title, parties) is kept as the preamble every sub-agent sees.
(define parts (regexp-split #px"(?m:^(?=## ))" context))
(define preamble (string-trim (car parts)))
(define sections
  (for/list ([part (in-list (cdr parts))])
    (define lines (string-split part "\n"))
    (hash 'title (string-trim (substring (car lines) 3))
          'text (string-trim part)
          'subsections (for/list ([l (in-list lines)] #:when (string-prefix? l "### "))
                         (string-trim (substring l 4))))))

(define instruction
  (string-append
   "You are a contract analyst working in a Scheme sandbox. The text you review is in the "
   "variable `context`; the agreement's preamble comes first, then one section. You may split "
   "the section at its \"### \" subsection headings and hand each subsection to another "
   "analyst with (llm-query #:instruction ... #:data ... #:recursive #t), reading its report "
   "with (syntax-e answer); do so when the section has more than two subsections, and analyse "
   "shorter sections yourself. End with (finish REPORT), REPORT a string of at most 120 words: "
   "each party's obligations, every amount, percentage and time limit, and anything ambiguous "
   "or one-sided, naming the clause numbers."))

(define reports
  (for/list ([s (in-list sections)] [i (in-naturals 1)])
    (define subsections (hash-ref s 'subsections))
    (printf "[~a/~a] ~a: ~a characters, ~a\n" i (length sections) (hash-ref s 'title)
            (string-length (hash-ref s 'text))
            (if (null? subsections)
                "no subsections"
                (format "subsections ~a" (string-join subsections "; "))))
    (define report
      (syntax-e (llm-query #:instruction instruction
                           #:data (string-append preamble "\n\n" (hash-ref s 'text))
                           #:model analyst
                           #:recursive #t
                           #:temperature 0
                           #:max-tokens 400)))
    (printf "  report: ~a\n" report)
    (format "## ~a\n~a" (hash-ref s 'title) report)))

(define review
  (syntax-e
   (llm-query #:instruction (string-append
                             "You advise the Customer named in the agreement. From the section "
                             "reports below, write a review of at most 150 words: the largest "
                             "risks for the Customer, provisions that contradict each other or "
                             "are missing, and the three points to negotiate first.")
              #:data (string-append preamble "\n\n" (string-join reports "\n\n"))
              #:model reviewer
              #:temperature 0.2
              #:max-tokens 400)))

(printf "\nContract review (~a sections delegated):\n" (length sections))
(finish review)
