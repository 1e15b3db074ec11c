;; tree-reduce, fan-out-aggregate, tiered and active-learning, with plain functions and with
;; functions that start model calls (run with --offline).

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

;; tree-reduce applies FN to groups of up to #:branch-factor (default 5) values, level by level;
;; a group of one passes through unchanged.
(define (show . xs) (format "~a" xs))
(report "default branch factor" (lambda () (tree-reduce show (range 1 13))))
(report "branch factor 2" (lambda () (tree-reduce show (range 1 8) #:branch-factor 2)))
(report "sum" (lambda () (tree-reduce + (range 1 101) #:branch-factor 3)))
(report "leaf-fn" (lambda () (tree-reduce show '(1 2 3) #:leaf-fn (lambda (x) (* x x)))))
(report "one item" (lambda () (tree-reduce (lambda xs (error 'never "called")) '(only))))
(report "one item, leaf-fn" (lambda () (tree-reduce + '(3) #:leaf-fn add1)))
(report "empty" (lambda () (tree-reduce + '())))
(report "branch factor 1" (lambda () (tree-reduce + '(1 2) #:branch-factor 1)))
(report "not a list" (lambda () (tree-reduce + 7)))

;; The number of calls: 25 items at branch factor 5 take 5 + 1 reductions.
(define reductions 0)
(tree-reduce (lambda xs (set! reductions (+ reductions 1)) (apply + xs)) (range 25))
(report "reductions for 25 items" (lambda () reductions))

;; A conformance program's own two-argument tree-reduce works through a two-argument FN too.
(report "pairwise" (lambda () (tree-reduce (lambda (a b) (string-append a b)) '("a" "b" "c" "d") #:branch-factor 2)))

;; Handles from FN or LEAF-FN are awaited (a level's calls concurrently) and give answers.
(define (summarize . parts)
  (llm-query-async #:instruction "Combine." #:data (string-join parts "\n")))
(define tree-answer
  (tree-reduce summarize '("a" "b" "c" "d" "e" "f" "g") #:branch-factor 3
               #:leaf-fn (lambda (x) (llm-query-async #:instruction "Extract." #:data x))))
(define (answer instruction data) (syntax-e (llm-query #:instruction instruction #:data data)))
(define (by-hand)
  (let* ([leaves (map (lambda (x) (answer "Extract." x)) '("a" "b" "c" "d" "e" "f" "g"))]
         [level1 (list (answer "Combine." (string-join (take leaves 3) "\n"))
                       (answer "Combine." (string-join (take (drop leaves 3) 3) "\n"))
                       (list-ref leaves 6))])
    (answer "Combine." (string-join level1 "\n"))))
(report "model tree matches a hand-made one" (lambda () (equal? tree-answer (by-hand))))

;; fan-out-aggregate: map-async, then the reduce function on the list of results.
(report "fan-out-aggregate"
        (lambda () (fan-out-aggregate (lambda (x) (* x x)) (lambda (xs) (apply + xs)) '(1 2 3 4))))
(report "fan-out with calls"
        (lambda () (fan-out-aggregate (lambda (d) (llm-query-async #:instruction "Extract." #:data d))
                                      (lambda (answers) (equal? answers (map (lambda (d) (answer "Extract." d)) '("p" "q"))))
                                      '("p" "q")
                                      #:max-concurrent 1)))
(report "fan-out bad limit" (lambda () (fan-out-aggregate values values '(1) #:max-concurrent 0)))

;; tiered: the cheap function on every item, the expensive one once on all the results.
(report "tiered" (lambda () (tiered string-upcase (lambda (xs) (string-join xs "+")) '("a" "b" "c"))))
(report "tiered with calls"
        (lambda () (tiered (lambda (d) (llm-query-async #:instruction "Cheap." #:data d))
                           (lambda (answers) (map string? answers))
                           '("x" "y"))))

;; active-learning: the expensive function only where the cheap result scores below the
;; threshold (default 0.7); results stay in item order.
(define expensive-calls '())
(define (expensive x) (set! expensive-calls (cons x expensive-calls)) (list 'expensive x))
(report "active-learning"
        (lambda () (active-learning (lambda (x) x) expensive (lambda (r) (/ r 10)) '(9 2 8 5 7))))
(report "expensive on" (lambda () (reverse expensive-calls)))
(report "threshold 0.3"
        (lambda () (active-learning (lambda (x) x) (lambda (x) 'redo) (lambda (r) (/ r 10)) '(9 2 8 5) #:threshold 0.3)))
(report "bad threshold" (lambda () (active-learning values values values '(1) #:threshold "high")))
