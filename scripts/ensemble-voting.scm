;;; Ensemble voting: label each review by majority vote of three different models.
;;;
;;; Pattern: every item is classified independently by several models (different vendors or
;;; sizes, so that their mistakes are not the same mistakes), all calls in parallel; the label
;;; with most votes wins, and items without a majority are set aside for a person. Use it when a
;;; single model's error rate is too high for the decision and three or five calls per item
;;; are affordable. Here the star ratings give a rough reference label, so the program also
;;; reports how often each model, and the vote, agree with it.
;;;
;;; Run:    rlmsh run scripts/ensemble-voting.scm --offline --context scripts/data/reviews.json
;;; Prints: per review the three votes and the outcome, the items without a majority, and the
;;;         agreement of each model and of the vote with the star ratings (the result).

(define voters '("gpt-4o-mini" "gpt-4.1-mini" "gpt-4.1-nano"))
(define labels '("negative" "neutral" "positive"))

(when (string=? context "")
  (raise-user-error 'ensemble-voting "no reviews: pass --context scripts/data/reviews.json"))
(define reviews (string->jsexpr context))

(define instruction
  (string-append
   "Classify the sentiment of the app review toward the app as a whole. Return JSON: "
   "{\"sentiment\": \"negative\"|\"neutral\"|\"positive\"}"))

(define (parse-label answer)
  (define a (with-handlers ([exn:fail? (lambda (e) #f)]) (string->jsexpr answer)))
  (define label (and (hash? a) (hash-ref a 'sentiment #f)))
  (if (member label labels) label "invalid"))

;; One call per (review, voter) pair, all through one map-async so the pool stays full.
(define pairs (cartesian-product reviews voters))
(define answers
  (map-async (lambda (p)
               (llm-query-async #:instruction instruction #:data (hash-ref (car p) 'text)
                                #:model (cadr p) #:json #t #:temperature 0 #:max-tokens 20))
             pairs
             #:max-concurrent 12))
(define votes-by-review
  (let loop ([labels (map parse-label answers)] [acc '()])
    (if (null? labels)
        (reverse acc)
        (loop (drop labels (length voters)) (cons (take labels (length voters)) acc)))))

;; The winning label, or #f when no label has more than half the votes.
(define (majority votes)
  (define counted (map (lambda (g) (cons (car g) (length g))) (group-by values votes)))
  (define top (argmax cdr counted))
  (and (> (cdr top) (/ (length votes) 2)) (not (equal? (car top) "invalid")) (car top)))

(define (reference-label rating)
  (cond [(<= rating 2) "negative"] [(= rating 3) "neutral"] [else "positive"]))

(printf "~a ~a ~a ~a\n" (~a "review" #:min-width 7) (~a "stars" #:min-width 6)
        (~a "votes" #:min-width 28) "outcome")
(define outcomes
  (for/list ([r (in-list reviews)] [votes (in-list votes-by-review)])
    (define winner (majority votes))
    (printf "~a ~a ~a ~a\n" (~a (hash-ref r 'id) #:min-width 7) (~a (hash-ref r 'rating) #:min-width 6)
            (~a (string-join votes " ") #:min-width 28)
            (cond [(not winner) "no majority"]
                  [(andmap (lambda (v) (equal? v winner)) votes) (format "~a (unanimous)" winner)]
                  [else winner]))
    winner))

(define undecided
  (for/list ([r (in-list reviews)] [o (in-list outcomes)] #:unless o) (hash-ref r 'id)))
(printf "\nWithout a majority (for a person to label): ~a\n"
        (if (null? undecided) "none" (string-join (map number->string undecided) ", ")))

(define references (map (lambda (r) (reference-label (hash-ref r 'rating))) reviews))
(define (agreement labels-given)
  (define n (for/sum ([l (in-list labels-given)] [ref (in-list references)]) (if (equal? l ref) 1 0)))
  (format "~a/~a" n (length references)))

(define report
  (string-join
   (append
    (for/list ([voter (in-list voters)] [i (in-naturals)])
      (format "~a ~a" (~a voter #:min-width 14) (agreement (map (lambda (vs) (list-ref vs i)) votes-by-review))))
    (list (format "~a ~a" (~a "majority vote" #:min-width 14) (agreement outcomes))))
   "\n"))
(printf "\nAgreement with the star ratings:\n")
(finish report)
