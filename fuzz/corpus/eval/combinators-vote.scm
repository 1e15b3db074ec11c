;; vote and ensemble: strategies are thunks; model calls they start run concurrently and vote
;; with their answers' text (run with --offline).

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define (says v) (lambda () v))

;; 'majority (the default) needs more than half of the votes.
(report "majority" (lambda () (vote (map says '("cat" "dog" "cat")))))
(report "no majority" (lambda () (vote (map says '("cat" "dog" "cat" "dog")))))
(report "half is not a majority" (lambda () (vote (map says '(1 1 2 3)) #:method 'majority)))
(report "structured answers" (lambda () (vote (map says '((a 1) (a 1) (b 2))))))

;; 'plurality takes the most votes; a tie goes to the answer that came first.
(report "plurality" (lambda () (vote (map says '("x" "y" "y" "z")) #:method 'plurality)))
(report "plurality tie" (lambda () (vote (map says '("z" "y" "y" "z")) #:method 'plurality)))
(report "plurality of one" (lambda () (vote (list (says 'only)) #:method 'plurality)))

;; 'consensus needs every vote.
(report "consensus" (lambda () (vote (map says '(7 7 7)) #:method 'consensus)))
(report "no consensus" (lambda () (vote (map says '(7 7 8)) #:method 'consensus)))

;; Argument errors come before any strategy runs.
(define ran #f)
(report "unknown method" (lambda () (vote (list (lambda () (set! ran #t) 1)) #:method 'unanimous)))
(report "strategy ran" (lambda () ran))
(report "no strategies" (lambda () (vote '())))
(report "not thunks" (lambda () (vote '("a" "b"))))

;; Model answers: handles are awaited, syntax objects unwrapped; equal requests agree.
(define (ask data) (llm-query-async #:instruction "Classify." #:data data))
(report "models agree"
        (lambda () (equal? (vote (list (lambda () (ask "same")) (lambda () (ask "same")) (lambda () (ask "other"))))
                           (syntax-e (llm-query #:instruction "Classify." #:data "same")))))
(report "mixed kinds"
        (lambda () (string? (vote (list (lambda () (llm-query #:instruction "Classify." #:data "q"))
                                        (lambda () (ask "q")))
                                  #:method 'consensus))))

;; A failing strategy fails the vote.
(report "failing strategy" (lambda () (vote (list (says 1) (lambda () (car '()))))))

;; ensemble: without an aggregator, the answers labelled "Model N:"; with one, its result.
(report "default aggregation" (lambda () (ensemble (map says '("first" "second")))))
(report "aggregator" (lambda () (ensemble (map says '(3 4 5)) #:aggregator (lambda (xs) (apply + xs)))))
(report "aggregator gets answers"
        (lambda () (ensemble (list (lambda () (ask "a")) (lambda () (llm-query #:instruction "Classify." #:data "b")))
                             #:aggregator (lambda (answers) (map string? answers)))))
(report "bad aggregator" (lambda () (ensemble (list (says 1)) #:aggregator 5)))
