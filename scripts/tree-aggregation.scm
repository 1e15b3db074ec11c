;;; Tree aggregation: condense ten team updates into one brief by merging summaries in pairs.
;;;
;;; Pattern: summarise every document in parallel, then merge the summaries two at a time, level
;;; by level (each level in parallel), until one remains: no call ever sees more than two
;;; summaries, however many documents there are, and the number of levels grows only with the
;;; logarithm of their number. Cheap models do the many calls near the leaves; a strong model
;;; writes the final brief from the single merged summary. Each level is saved with checkpoint
;;; under a digest of its input, so a repeated run (or one resumed after a failure) reuses the
;;; levels it already has. Use it when there are too many documents for one prompt and the
;;; result should weigh them all.
;;;
;;; Run:    rlmsh run scripts/tree-aggregation.scm --offline --context scripts/data/team-updates.json \
;;;           [--checkpoint-dir DIR]
;;; Prints: each level with its number of summaries and calls (or "restored"), then the brief for
;;;         the leadership meeting (the result).

(define leaf-model "gpt-4o-mini")
(define merge-model "gpt-4o-mini")
(define brief-model "gpt-4o")

(when (string=? context "")
  (raise-user-error 'tree-aggregation "no updates: pass --context scripts/data/team-updates.json"))
(define updates (string->jsexpr context))

(define (digest texts)
  (py-set! "digest_input" texts)
  (py-eval "import hashlib, json; hashlib.sha256(json.dumps(digest_input).encode()).hexdigest()[:16]"))

;; The level's results, from a checkpoint keyed by its input when there is one.
(define (level name inputs compute)
  (define key (format "tree-aggregation/~a/~a" name (digest inputs)))
  (define saved (restore key))
  (cond [saved (printf "~a: restored ~a from a checkpoint\n" name (length saved)) saved]
        [else (define results (compute))
              (checkpoint key results)
              results]))

(define (calls n) (format "~a call~a" n (if (= n 1) "" "s")))

(define (pairs lst)
  (cond [(null? lst) '()]
        [(null? (cdr lst)) (list lst)]
        [else (cons (list (car lst) (cadr lst)) (pairs (cddr lst)))]))

(define leaf-texts
  (for/list ([u (in-list updates)]) (format "~a: ~a" (hash-ref u 'team) (hash-ref u 'update))))

(define leaves
  (level "level 0" leaf-texts
         (lambda ()
           (define out
             (map-async (lambda (text)
                          (llm-query-async #:instruction (string-append
                                                          "Summarise the team update in two sentences: "
                                                          "the main result with its number, and the main "
                                                          "risk or request. Keep the team name.")
                                          #:data text #:model leaf-model #:temperature 0 #:max-tokens 120))
                        leaf-texts
                        #:max-concurrent 10))
           (printf "level 0: ~a summaries (~a to ~a)\n" (length out) (calls (length out)) leaf-model)
           out)))

;; Merging: a pair becomes one summary; an odd one out moves up unchanged, at no cost.
(define (merge-level summaries depth)
  (define groups (pairs summaries))
  (define name (format "level ~a" depth))
  (level name summaries
         (lambda ()
           (define out
             (map-async (lambda (g)
                          (if (null? (cdr g))
                              (car g)
                              (llm-query-async #:instruction (string-append
                                                              "Merge the two summaries of team updates into "
                                                              "one of at most five sentences. Keep every "
                                                              "number, team name, risk and request.")
                                              #:data (string-join g "\n---\n") #:model merge-model
                                              #:temperature 0 #:max-tokens 300)))
                        groups))
           (printf "~a: ~a summar~a (~a to ~a)\n" name (length out) (if (= (length out) 1) "y" "ies")
                   (calls (count (lambda (g) (pair? (cdr g))) groups)) merge-model)
           out)))

(define merged
  (let loop ([summaries leaves] [depth 1])
    (if (<= (length summaries) 1)
        (car summaries)
        (loop (merge-level summaries depth) (add1 depth)))))

(define brief
  (syntax-e
   (llm-query #:instruction (string-append
                             "Write the engineering brief for this week's leadership meeting from "
                             "the merged summary: three wins with their numbers, the top three "
                             "risks, and the decisions leadership must make. At most 150 words.")
              #:data merged
              #:model brief-model
              #:temperature 0.2
              #:max-tokens 400)))

(printf "\nBrief (~a) from ~a updates:\n" brief-model (length updates))
(finish brief)
