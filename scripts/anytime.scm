;;; Anytime answers: always have a summary ready, and improve it while the deadline allows.
;;;
;;; Pattern: a cascade of levels, each better and slower than the last: level 0 is computed
;;; without a model (the first point of every section), then a small model writes a summary, a
;;; larger one improves it, the largest polishes it. Each result is saved with checkpoint as
;;; soon as it exists. Before a level starts, the program compares the time left before the
;;; deadline with what the level is expected to take (its usual time, or twice the previous
;;; level's measured time if that is longer) and stops when it would not fit, answering with the
;;; best level reached. A later run picks up from the saved level. Use it when the time available
;;; varies (a user who may not wait, a job with a hard stop) and a rough answer is better than
;;; none.
;;;
;;; Run:    rlmsh run scripts/anytime.scm --offline --context scripts/data/release-notes.md [DEADLINE-MS]
;;;         (default deadline 20000 ms; 0 returns level 0 at once) [--checkpoint-dir DIR]
;;; Prints: each level with its time, or why it was skipped, then which level answered and the
;;;         summary (the result).

;; Each model level: name, model, the time it usually takes in ms, and the instruction.
(define levels
  (list (list "draft" "gpt-4.1-nano" 1500
              "Summarise the release notes for customers in at most 80 words.")
        (list "improved" "gpt-4o-mini" 4000
              "Improve the summary of the release notes: correct it against the notes, keep every number that matters to customers, put breaking changes first. At most 100 words.")
        (list "polished" "gpt-4o" 10000
              "Polish the summary of the release notes into the final customer announcement: clear, specific, breaking changes and required actions first. At most 100 words.")))

(define deadline-ms
  (let ([args (current-command-line-arguments)])
    (or (and (> (vector-length args) 0) (string->number (vector-ref args 0))) 20000)))

(when (string=? context "")
  (raise-user-error 'anytime "no document: pass --context scripts/data/release-notes.md"))

(define started (current-inexact-milliseconds))
(define (elapsed) (- (current-inexact-milliseconds) started))
(define (ms x) (exact-round x))

;; Level 0: the first bullet of each section, with its heading. Instant and never wrong.
(define (extract text)
  (string-join
   (for/list ([section (in-list (cdr (regexp-split #px"(?m:^## )" text)))])
     (define lines (string-split section "\n"))
     (define first-point (findf (lambda (l) (string-prefix? l "- ")) lines))
     (format "~a: ~a" (string-trim (car lines)) (if first-point (substring first-point 2) "")))
   "\n"))

;; Results are saved under a digest of the document, so a later run on the same document
;; starts from the best level already reached.
(py-set! "document" context)
(define key
  (string-append "anytime/" (py-eval "import hashlib; hashlib.sha256(document.encode()).hexdigest()[:16]")))
(define (save! n answer)
  (checkpoint key (hash 'level n 'answer answer))
  answer)

(define saved (restore key))
(define-values (reached best)
  (cond [saved
         (printf "Resuming from level ~a saved by an earlier run.\n" (hash-ref saved 'level))
         (values (hash-ref saved 'level) (hash-ref saved 'answer))]
        [else
         (define level-start (elapsed))
         (define extracted (save! 0 (extract context)))
         (printf "level 0 (extract): ~a ms\n" (ms (- (elapsed) level-start)))
         (values 0 extracted)]))

(define-values (final-level final-answer)
  (let loop ([n (add1 reached)] [todo (drop levels reached)] [answer best] [last-ms 0])
    (if (null? todo)
        (values (sub1 n) answer)
        (let* ([level (car todo)]
               [expected (max (caddr level) (* 2 last-ms))]
               [left (- deadline-ms (elapsed))])
          (cond
            [(< left expected)
             (printf "level ~a (~a, ~a) skipped: expected ~a ms, ~a ms left\n" n (car level) (cadr level) (ms expected)
                     (max 0 (ms left)))
             (values (sub1 n) answer)]
            [else
             (define level-start (elapsed))
             (define improved
               (syntax-e (llm-query #:instruction (cadddr level)
                                    #:data (format "RELEASE NOTES\n~a\n\nCURRENT SUMMARY\n~a" context answer)
                                    #:model (cadr level)
                                    #:temperature 0.2
                                    #:max-tokens 300)))
             (save! n improved)
             (define took (- (elapsed) level-start))
             (printf "level ~a (~a, ~a): ~a ms\n" n (car level) (cadr level) (ms took))
             (loop (add1 n) (cdr todo) improved took)])))))

(printf "\nAnswer from level ~a of ~a after ~a ms (deadline ~a ms):\n" final-level (length levels)
        (ms (elapsed)) deadline-ms)
(finish final-answer)
