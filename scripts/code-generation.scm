;;; Code generation: a model writes the Scheme function that answers a question about a table.
;;;
;;; Pattern: instead of pasting the data into a prompt, show the model the table's shape (column
;;; names, types, three sample rows) and ask for code; the program checks the code, runs it on
;;; every row, and checks the result. A failure (unreadable code, a forbidden operation, a
;;; runtime error, a result of the wrong shape) goes back to the model with the error, a few
;;; times at most. Use it when the data is too big or too regular to hand to a model, and the
;;; question is easy to answer with a short program whose output can be checked.
;;;
;;; The code runs in rlmsh's sandbox for model-written code (`unsafe-exec-sub-output`): a fresh
;;; interpreter without files, Python, the environment or `exit`, stopped if it loops, allocates
;;; or recurses without bound (--sub-fuel, --sub-memory, --sub-timeout). The rows go into the
;;; sandboxed program as a JSON literal; whatever goes wrong comes back as one
;;; `[sub-model error]` that the program feeds back to the model.
;;;
;;; Run:    rlmsh run scripts/code-generation.scm --offline --context scripts/data/sales.csv [QUESTION]
;;;         (default question: revenue per region). Offline, the model's answers are not code,
;;;         so every attempt is rejected and the run reports that; with a real model
;;;         (OPENAI_API_KEY) the function is run and its answer printed.
;;; Prints: each attempt and why it was rejected, then the generated function and its answer as
;;;         a table (the result), or the last error.

(define coder "gpt-4o")
(define max-attempts 3)

(define question
  (let ([args (current-command-line-arguments)])
    (if (> (vector-length args) 0)
        (vector-ref args 0)
        "What was the revenue (units times unit_price) of each region, highest first?")))

(when (string=? context "")
  (raise-user-error 'code-generation "no table: pass --context scripts/data/sales.csv"))

;; Python's csv module parses the table; numbers become numbers so the generated code can
;; do arithmetic on them directly.
(py-set! "table_text" context)
(define rows
  (py-eval "
    import csv, io
    def cell(text):
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
        return text
    [{k: cell(v) for k, v in row.items()} for row in csv.DictReader(io.StringIO(table_text))]"))
(when (null? rows)
  (raise-user-error 'code-generation "the table has no rows"))

(define (type-name v) (cond [(exact-integer? v) "integer"] [(real? v) "real"] [else "string"]))
(define schema
  (string-join (for/list ([(column value) (in-hash (car rows))])
                 (format "~a (~a)" column (type-name value)))
               ", "))

(define instruction
  (string-append
   "You write Racket-style Scheme. Answer with exactly one expression, no prose and no "
   "markdown: (lambda (rows) ...) where rows is a list of immutable hash tables with symbol "
   "keys, one per table row (read a cell with (hash-ref row 'column)). The function must "
   "return the answer as a list of pairs (label . number), in the order the question asks "
   "for. You may use the list, string, number and hash functions of racket/base, "
   "racket/list and racket/string, and for loops; no input or output, no eval, no Python, "
   "no model calls."))

(define (prompt-data previous-code previous-error)
  (string-append
   "Columns: " schema "\n"
   "Rows: " (number->string (length rows)) "\n"
   "Sample rows:\n"
   (string-join (map (lambda (r) (format "~s" r)) (take rows (min 3 (length rows)))) "\n")
   "\n\nQuestion: " question
   (if previous-code
       (format "\n\nYour previous answer was rejected.\nCode: ~a\nError: ~a\nFix it." previous-code
               previous-error)
       "")))

;; Models often wrap code in a markdown fence despite being told not to.
(define (strip-fence text)
  (cond [(regexp-match #px"```[a-z]*\\s*\n(.*?)```" text) => cadr]
        [else text]))

;; Either (ok . the sandboxed program) or (error . message): the answer must be one
;; (lambda (rows) ...) expression, applied in the sandbox to the rows.
(define (compile-answer text)
  (with-handlers ([exn:fail? (lambda (e) (cons 'error (exn-message e)))])
    (define code (strip-fence text))
    (define datum (read (open-input-string code)))
    (if (and (pair? datum) (memq (car datum) '(lambda λ))
             (pair? (cdr datum)) (list? (cadr datum)) (= (length (cadr datum)) 1))
        (cons 'ok (format "(finish (~a (string->jsexpr ~s)))" code (jsexpr->string rows)))
        (cons 'error (format "expected one (lambda (rows) ...) expression, got ~a"
                             (~s datum #:max-width 60))))))

(define (answer-shape-error result)
  (cond [(not (list? result)) (format "expected a list of pairs, got ~a" (~s result #:max-width 60))]
        [(findf (lambda (p) (not (and (pair? p) (real? (cdr p))))) result)
         => (lambda (p) (format "expected (label . number) pairs, got ~a" (~s p #:max-width 60)))]
        [else #f]))

;; Either (ok code . answer) or (error code . message).
(define (attempt previous-code previous-error)
  (define text (unsafe-raw-query #:instruction instruction
                                 #:data (prompt-data previous-code previous-error)
                                 #:model coder
                                 #:temperature 0
                                 #:max-tokens 600))
  (define code (string-trim (strip-fence text)))
  (define compiled (compile-answer text))
  (if (eq? (car compiled) 'error)
      (list* 'error code (cdr compiled))
      (let ([run (with-handlers ([exn:fail? (lambda (e) (cons 'error (exn-message e)))])
                   (cons 'ok (unsafe-exec-sub-output (datum->syntax #f (cdr compiled)))))])
        (cond [(eq? (car run) 'error) (list* 'error code (string-append "runtime error: " (cdr run)))]
              [(answer-shape-error (cdr run)) => (lambda (why) (list* 'error code why))]
              [else (list* 'ok code (cdr run))]))))

(printf "Question: ~a\nTable: ~a rows; ~a\n\n" question (length rows) schema)

(define outcome
  (let loop ([n 1] [previous-code #f] [previous-error #f])
    (define result (attempt previous-code previous-error))
    (cond [(eq? (car result) 'ok)
           (printf "Attempt ~a: the code ran and returned ~a rows.\n" n (length (cddr result)))
           result]
          [else
           (printf "Attempt ~a rejected: ~a\n" n (cddr result))
           (if (< n max-attempts)
               (loop (add1 n) (cadr result) (cddr result))
               result)])))

(define (format-number x)
  (if (exact-integer? x) (number->string x) (~r x #:precision '(= 2))))

(if (eq? (car outcome) 'ok)
    (begin
      (printf "\nGenerated by ~a:\n~a\n\n" coder (cadr outcome))
      (finish (string-join (for/list ([p (in-list (cddr outcome))])
                             (format "~a ~a" (~a (car p) #:min-width 20)
                                     (~a (format-number (cdr p)) #:min-width 12 #:align 'right)))
                           "\n")))
    (finish (format "No answer: ~a attempts failed; the last error was: ~a" max-attempts
                    (cddr outcome))))
