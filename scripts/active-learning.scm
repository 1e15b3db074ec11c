;;; Active learning: a cheap model books every expense; a strong one reviews only the doubtful.
;;;
;;; Pattern: most items are easy, a few are not, and the model can say which: a cheap model
;;; labels every item with a confidence; the items it is unsure of (and the large amounts, where
;;; a mistake costs most) go to an expensive model, most doubtful first, up to a fixed number of
;;; reviews. The program merges both passes and says where each label came from. Use it for
;;; large batches under a budget, when errors concentrate in a minority of hard items.
;;;
;;; Run:    rlmsh run scripts/active-learning.scm --offline --context scripts/data/expenses.csv
;;; Prints: how many items were sent for review and why, the labels the reviewer changed, the
;;;         tokens each model used, and the spend per category with how much of it was reviewed
;;;         (the result).

(define cheap "gpt-4o-mini")
(define expert "gpt-4o")
(define confidence-threshold 0.7)
(define large-amount 500)
(define review-budget 8)
(define categories '("travel" "meals" "software" "hardware" "office-supplies" "training" "other"))

(when (string=? context "")
  (raise-user-error 'active-learning "no expenses: pass --context scripts/data/expenses.csv"))

(py-set! "expenses_csv" context)
(define expenses
  (py-eval "
    import csv, io
    [dict(row, amount=float(row['amount'])) for row in csv.DictReader(io.StringIO(expenses_csv))]"))

(define (expense-line e)
  (format "~a: ~a, EUR ~a" (hash-ref e 'merchant) (hash-ref e 'description)
          (~r (hash-ref e 'amount) #:precision '(= 2))))

(define shape
  (string-append "Return JSON: {\"category\": \"travel\"|\"meals\"|\"software\"|\"hardware\"|"
                 "\"office-supplies\"|\"training\"|\"other\", \"confidence\": 0-1}"))

(define (parse answer)
  (define a (with-handlers ([exn:fail? (lambda (e) #f)]) (string->jsexpr answer)))
  (define category (and (hash? a) (hash-ref a 'category #f)))
  (define confidence (and (hash? a) (hash-ref a 'confidence #f)))
  (cons (if (member category categories) category "other")
        ;; An answer outside the allowed labels is as doubtful as it gets.
        (if (and (member category categories) (real? confidence)) confidence 0.0)))

(define (classify model instruction items)
  (map parse
       (map-async (lambda (e)
                    (llm-query-async #:instruction instruction #:data (expense-line e) #:model model
                                     #:json #t #:temperature 0 #:max-tokens 40))
                  items
                  #:max-concurrent 10)))

;; Pass 1: every expense, cheap model.
(define first-pass
  (classify cheap
            (string-append "Book the company expense into an accounting category and say how "
                           "sure you are. " shape)
            expenses))

;; Pass 2: the doubtful and the large, most doubtful first, within the budget.
(define (reason e p)
  (cond [(< (cdr p) confidence-threshold) (format "confidence ~a" (cdr p))]
        [(>= (hash-ref e 'amount) large-amount) "large amount"]
        [else #f]))
(define candidates
  (sort (for/list ([e (in-list expenses)] [p (in-list first-pass)] #:when (reason e p))
          (list e p (reason e p)))
        (lambda (a b)
          (or (< (cdr (cadr a)) (cdr (cadr b)))
              (and (= (cdr (cadr a)) (cdr (cadr b)))
                   (> (hash-ref (car a) 'amount) (hash-ref (car b) 'amount)))))))
(define to-review (take candidates (min review-budget (length candidates))))

(printf "Pass 1: ~a expenses classified by ~a.\n" (length expenses) cheap)
(printf "Pass 2: ~a need review (confidence below ~a or amount of EUR ~a or more); reviewing ~a with ~a:\n"
        (length candidates) confidence-threshold large-amount (length to-review) expert)
(for ([c (in-list to-review)])
  (printf "  ~a ~a (~a)\n" (hash-ref (car c) 'id) (expense-line (car c)) (caddr c)))

(define reviewed
  (classify expert
            (string-append "You are the company's accountant. Book the expense into a category "
                           "following the usual rules: meals with customers or staff are meals, "
                           "conference tickets and courses are training, equipment over EUR 250 "
                           "is hardware, subscriptions to tools are software. " shape)
            (map car to-review)))

;; The merged ledger: each entry's category and whether a reviewer decided it.
(define review-by-id
  (for/hash ([c (in-list to-review)] [r (in-list reviewed)])
    (values (hash-ref (car c) 'id) (car r))))
(define ledger
  (for/list ([e (in-list expenses)] [p (in-list first-pass)])
    (define id (hash-ref e 'id))
    (define final (hash-ref review-by-id id (car p)))
    (when (and (hash-has-key? review-by-id id) (not (equal? final (car p))))
      (printf "  changed ~a: ~a -> ~a\n" id (car p) final))
    (list e final (hash-has-key? review-by-id id))))
(printf "Reviewer changed ~a of ~a labels.\n"
        (for/sum ([c (in-list to-review)] [r (in-list reviewed)]) (if (equal? (car r) (car (cadr c))) 0 1))
        (length to-review))

(printf "\nTokens by model:\n")
(for ([(model usage) (in-hash (hash-ref (tokens-used) 'by_model))])
  (printf "  ~a ~a calls, ~a tokens\n" (~a model #:min-width 22) (hash-ref usage 'calls)
          (hash-ref usage 'total_tokens)))

(define (money x) (~r x #:precision '(= 2)))
(printf "\nSpend by category (EUR):\n")
(finish
 (string-join
  (for/list ([c (in-list categories)]
             #:when (findf (lambda (l) (equal? (cadr l) c)) ledger))
    (define entries (filter (lambda (l) (equal? (cadr l) c)) ledger))
    (define total (for/sum ([l (in-list entries)]) (hash-ref (car l) 'amount)))
    (define checked (for/sum ([l (in-list entries)] #:when (caddr l)) (hash-ref (car l) 'amount)))
    (format "~a ~a  (~a items, ~a reviewed)" (~a c #:min-width 16)
            (~a (money total) #:min-width 9 #:align 'right) (length entries) (money checked)))
  "\n"))
