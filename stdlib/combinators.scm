;; The combinator library: higher-order procedures that compose orchestration strategies
;; (fan out, reduce, iterate, vote, fall back), with the signatures and semantics of
;; RLM-Scheme's. They are ordinary definitions: a program may redefine any of them, and none
;; calls another by its public name, so a redefinition changes only what the program calls.
;;
;; Where a combinator runs strategies or functions that may start model calls, the handles they
;; return (from llm-query-async) are awaited through map-async, concurrently, and replaced by
;; their answers; plain values are used as they are.

;; ---------------------------------------------------------------------------------------------
;; Argument checks, with Racket's contract-violation messages.

(define (%check-procedure who v)
  (unless (procedure? v) (raise-argument-error who "procedure?" v)))

(define (%check-list who v)
  (unless (list? v) (raise-argument-error who "list?" v)))

(define (%check-thunks who v)
  (unless (and (list? v) (andmap procedure? v)) (raise-argument-error who "(listof procedure?)" v)))

(define (%check-count who expected v minimum)
  (unless (and (exact-integer? v) (>= v minimum)) (raise-argument-error who expected v)))

(define (%check-limit who v)
  (unless (or (not v) (and (exact-integer? v) (positive? v)))
    (raise-argument-error who "(or/c #f exact-positive-integer?)" v)))

;; A model answer's text; other values as they are.
(define (%answer v) (if (syntax? v) (syntax-e v) v))

;; The results of calling each thunk, handles awaited concurrently and answers unwrapped.
(define (%run-all thunks) (map %answer (map-async (lambda (thunk) (thunk)) thunks)))

;; The first N elements of LST (fewer when it is shorter) and the rest.
(define (%split lst n)
  (let loop ([lst lst] [n n] [taken '()])
    (if (or (zero? n) (null? lst))
        (values (reverse taken) lst)
        (loop (cdr lst) (- n 1) (cons (car lst) taken)))))

(define (%groups lst n)
  (let loop ([lst lst] [groups '()])
    (if (null? lst)
        (reverse groups)
        (let-values ([(group rest) (%split lst n)])
          (loop rest (cons group groups))))))

;; ---------------------------------------------------------------------------------------------
;; Parallel

(define (parallel thunks #:max-concurrent [max-concurrent #f])
  "Calls the thunks in order and returns their results in order; model-call handles they return stay handles (await them), at most MAX-CONCURRENT of them running at once when it is set."
  (%check-thunks 'parallel thunks)
  (%check-limit 'parallel max-concurrent)
  (let loop ([thunks thunks] [running '()] [results '()])
    (cond
      [(null? thunks) (reverse results)]
      [(and max-concurrent (>= (length running) max-concurrent))
       (loop thunks (%await-settled running) results)]
      [else
       (let ([result ((car thunks))])
         (loop (cdr thunks)
               (if (%llm-call? result) (cons result running) running)
               (cons result results)))])))

(define (race thunks)
  "Calls the thunks in order and returns the first result: a plain value as soon as a thunk returns one, else the answer (a string) of the first model call to succeed; the other calls are cancelled."
  (%check-thunks 'race thunks)
  (when (null? thunks) (error 'race "cannot race empty list"))
  (let start ([thunks thunks] [calls '()])
    (if (null? thunks)
        (%first-success (reverse calls))
        (let ([result ((car thunks))])
          (cond
            [(%llm-call? result) (start (cdr thunks) (cons result calls))]
            [else (for-each cancel calls) result])))))

;; Each wait settles at least one call; the calls that ended are tried in the order they started.
(define (%first-success calls)
  (let wait ([running calls] [last-error #f])
    (when (null? running) (error 'race "every call failed; the last one: ~a" last-error))
    (let* ([still (%await-settled running)]
           [ended (filter (lambda (c) (not (memq c still))) running)])
      (let next ([ended ended] [last-error last-error])
        (if (null? ended)
            (wait still last-error)
            (let ([outcome (with-handlers ([exn:fail? exn-message])
                             (list (syntax-e (await (car ended)))))])
              (cond
                [(pair? outcome) (for-each cancel still) (car outcome)]
                [else (next (cdr ended) outcome)])))))))

;; ---------------------------------------------------------------------------------------------
;; Sequential

(define (sequence . fns)
  "Chains one-argument procedures left to right: ((sequence f g h) x) is (h (g (f x)))."
  (for-each (lambda (f) (%check-procedure 'sequence f)) fns)
  (lambda (input) (foldl (lambda (f acc) (f acc)) input fns)))

(define (fold-sequential fn init items)
  "Folds FN over ITEMS in order, one call at a time: (fn acc item) gives the next accumulator, starting from INIT."
  (%check-procedure 'fold-sequential fn)
  (%check-list 'fold-sequential items)
  (foldl (lambda (item acc) (fn acc item)) init items))

;; ---------------------------------------------------------------------------------------------
;; Hierarchical

(define (tree-reduce fn items #:branch-factor [branch-factor 5] #:leaf-fn [leaf-fn identity])
  "Applies LEAF-FN to each item, then reduces level by level until one value remains: FN gets each group of up to BRANCH-FACTOR values as separate arguments (a group of one passes through). Handles from FN or LEAF-FN are awaited, a level's calls concurrently."
  (%check-procedure 'tree-reduce fn)
  (%check-list 'tree-reduce items)
  (%check-count 'tree-reduce "(and/c exact-integer? (>=/c 2))" branch-factor 2)
  (%check-procedure 'tree-reduce leaf-fn)
  (when (null? items) (error 'tree-reduce "cannot reduce empty list"))
  (let reduce-level ([level (map-async leaf-fn items)])
    (if (null? (cdr level))
        (car level)
        (reduce-level
         (map-async (lambda (group) (if (null? (cdr group)) (car group) (apply fn group)))
                    (%groups level branch-factor))))))

(define (recursive-spawn strategy #:depth [depth 1])
  "A procedure of DATA that asks a model as a recursive call (llm-query #:recursive #t) with the instruction STRATEGY returns. #:depth (default 1) must be a positive integer; as in RLM-Scheme, the nesting limit is the one #:recursive enforces."
  (%check-procedure 'recursive-spawn strategy)
  (%check-count 'recursive-spawn "exact-positive-integer?" depth 1)
  (lambda (data) (llm-query #:instruction (strategy) #:data data #:recursive #t)))

(define (fan-out-aggregate map-fn reduce-fn items #:max-concurrent [max-concurrent 20])
  "Maps MAP-FN over ITEMS with map-async (at most MAX-CONCURRENT calls in flight) and returns REDUCE-FN applied to the list of results."
  (%check-procedure 'fan-out-aggregate map-fn)
  (%check-procedure 'fan-out-aggregate reduce-fn)
  (%check-list 'fan-out-aggregate items)
  (%check-count 'fan-out-aggregate "exact-positive-integer?" max-concurrent 1)
  (reduce-fn (map-async map-fn items #:max-concurrent max-concurrent)))

;; ---------------------------------------------------------------------------------------------
;; Iterative

(define (iterate-until fn pred init #:max-iter [max-iter 10])
  "Applies FN repeatedly, starting from INIT, until PRED holds of the value or MAX-ITER applications were made; returns the last value."
  (%check-procedure 'iterate-until fn)
  (%check-procedure 'iterate-until pred)
  (%check-count 'iterate-until "exact-nonnegative-integer?" max-iter 0)
  (let loop ([value init] [i 0])
    (if (or (>= i max-iter) (pred value))
        value
        (loop (fn value) (+ i 1)))))

(define (critique-refine generate-fn critique-fn refine-fn #:max-iter [max-iter 3] #:quality-threshold [threshold #f])
  "Gets a draft from the thunk GENERATE-FN, then up to MAX-ITER times a critique (critique-fn draft) and a new draft (refine-fn draft critique). With #:quality-threshold set, a critique that contains \"approved\" ends the loop."
  (%check-procedure 'critique-refine generate-fn)
  (%check-procedure 'critique-refine critique-fn)
  (%check-procedure 'critique-refine refine-fn)
  (%check-count 'critique-refine "exact-nonnegative-integer?" max-iter 0)
  (let loop ([draft (generate-fn)] [i 0])
    (if (>= i max-iter)
        draft
        (let ([critique (critique-fn draft)])
          (if (and threshold (%approves? critique))
              draft
              (loop (refine-fn draft critique) (+ i 1)))))))

(define (%approves? critique)
  (let ([text (%answer critique)])
    (and (string? text) (string-contains? (string-downcase text) "approved"))))

;; ---------------------------------------------------------------------------------------------
;; Quality

(define (with-validation fn validator)
  "A procedure that applies FN to its arguments and returns the result if (validator result) is true, else raises \"with-validation: validation failed\"."
  (%check-procedure 'with-validation fn)
  (%check-procedure 'with-validation validator)
  (lambda args
    (let ([result (apply fn args)])
      (unless (validator result) (error 'with-validation "validation failed"))
      result)))

(define (vote strategies #:method [method 'majority])
  "Runs the strategies (thunks; their model calls concurrently) and returns the winning answer: 'majority needs more than half the votes, 'plurality the most (a tie goes to the earliest), 'consensus every vote; it raises when there is no such answer."
  (%check-thunks 'vote strategies)
  (unless (memq method '(majority plurality consensus))
    (raise-argument-error 'vote "(or/c 'majority 'plurality 'consensus)" method))
  (when (null? strategies) (raise-argument-error 'vote "(non-empty-listof procedure?)" strategies))
  (let* ([answers (%run-all strategies)]
         [tally (%tally answers)]
         [best (%most-votes tally)])
    (case method
      [(majority)
       (if (> (* 2 (cdr best)) (length answers)) (car best) (error 'vote "no majority consensus"))]
      [(plurality) (car best)]
      [(consensus)
       (if (null? (cdr tally)) (car best) (error 'vote "no consensus - strategies disagree"))])))

;; (answer . votes) for each distinct answer, in the order the answers first appear.
(define (%tally answers)
  (reverse
   (foldl (lambda (answer tally)
            (if (assoc answer tally)
                (map (lambda (entry) (if (equal? (car entry) answer) (cons answer (+ 1 (cdr entry))) entry)) tally)
                (cons (cons answer 1) tally)))
          '()
          answers)))

;; The entry with the most votes, the earliest on a tie.
(define (%most-votes tally)
  (foldl (lambda (entry best) (if (> (cdr entry) (cdr best)) entry best)) (car tally) (cdr tally)))

(define (ensemble strategies #:aggregator [aggregator #f])
  "Runs the strategies (thunks; their model calls concurrently) and returns (aggregator answers); without an aggregator, the answers as one text, each under a \"Model N:\" heading."
  (%check-thunks 'ensemble strategies)
  (when aggregator (%check-procedure 'ensemble aggregator))
  (let ([answers (%run-all strategies)])
    (if aggregator
        (aggregator answers)
        (string-join (for/list ([answer (in-list answers)] [i (in-naturals 1)])
                       (format "Model ~a:\n~a" i answer))
                     "\n\n"))))

;; ---------------------------------------------------------------------------------------------
;; Cost

(define (tiered cheap-fn expensive-fn items)
  "Maps CHEAP-FN over ITEMS (its model calls concurrently, as map-async does) and returns EXPENSIVE-FN applied to the list of results."
  (%check-procedure 'tiered cheap-fn)
  (%check-procedure 'tiered expensive-fn)
  (%check-list 'tiered items)
  (expensive-fn (map-async cheap-fn items)))

(define (active-learning cheap-fn expensive-fn uncertainty-fn items #:threshold [threshold 0.7])
  "Maps CHEAP-FN over ITEMS, then EXPENSIVE-FN over the items whose cheap result UNCERTAINTY-FN scores below THRESHOLD (a confidence, 0 to 1); returns the results in item order, the expensive one where it ran."
  (%check-procedure 'active-learning cheap-fn)
  (%check-procedure 'active-learning expensive-fn)
  (%check-procedure 'active-learning uncertainty-fn)
  (%check-list 'active-learning items)
  (unless (real? threshold) (raise-argument-error 'active-learning "real?" threshold))
  (let* ([cheap (map-async cheap-fn items)]
         [redo? (map (lambda (result) (< (uncertainty-fn result) threshold)) cheap)]
         [redone (map-async expensive-fn (for/list ([item (in-list items)] [r (in-list redo?)] #:when r) item))])
    (let merge ([cheap cheap] [redo? redo?] [redone redone] [results '()])
      (cond
        [(null? cheap) (reverse results)]
        [(car redo?) (merge (cdr cheap) (cdr redo?) (cdr redone) (cons (car redone) results))]
        [else (merge (cdr cheap) (cdr redo?) redone (cons (car cheap) results))]))))

;; Numbers the memoized procedures in the order they are made, which names their checkpoints.
(define %memoized-made 0)

(define (memoized fn #:key-fn [key-fn identity])
  "A procedure that calls FN once per key, (key-fn args) of the list of arguments, and then returns the saved result, also in later runs: results are checkpoints named by the key and by how many memoized procedures were made before (results must be checkpointable)."
  (%check-procedure 'memoized fn)
  (%check-procedure 'memoized key-fn)
  (set! %memoized-made (+ %memoized-made 1))
  (let ([prefix (format "memoized:~a:" %memoized-made)]
        [cache (make-hash)])
    (lambda args
      (let* ([name (string-append prefix (format "~s" (key-fn args)))]
             [saved (or (hash-ref cache name #f) (restore name))])
        (if (pair? saved)
            (begin (hash-set! cache name saved) (car saved))
            (let ([result (apply fn args)])
              (checkpoint name (list result))
              (hash-set! cache name (list result))
              result))))))

;; ---------------------------------------------------------------------------------------------
;; Control flow

(define (choose pred then-fn else-fn)
  "A procedure that applies THEN-FN to its arguments when PRED is true (PRED applied to them, or PRED itself when it is no procedure), else ELSE-FN."
  (%check-procedure 'choose then-fn)
  (%check-procedure 'choose else-fn)
  (lambda args
    (if (if (procedure? pred) (apply pred args) pred)
        (apply then-fn args)
        (apply else-fn args))))

(define (try-fallback primary-fn fallback-fn)
  "A procedure that applies PRIMARY-FN to its arguments and, if that raises an error, FALLBACK-FN to the same arguments; an error of the fallback propagates."
  (%check-procedure 'try-fallback primary-fn)
  (%check-procedure 'try-fallback fallback-fn)
  (lambda args
    (with-handlers ([exn:fail? (lambda (e) (apply fallback-fn args))])
      (apply primary-fn args))))

(define-syntax try
  "Evaluates EXPR; if it raises an error, the result is (HANDLER message) with the error's message."
  (syntax-rules (on-error)
    [(_ expr on-error handler)
     (with-handlers ([exn:fail? (lambda (e) (handler (exn-message e)))]) expr)]))
