;; map-async #:checkpoint KEY: the answers are saved under KEY, and a map with the same key and
;; list takes them from there instead of calling F again (tests/faults.rs checks a run that fails
;; when retries run out, and its rerun).

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define calls 0)
(define (ask doc) (set! calls (+ calls 1)) (llm-query-async #:data doc))
(define docs '("alpha" "beta" "gamma"))

(define first-run (map-async ask docs #:checkpoint "docs"))
(report "calls in the first map" (lambda () calls))
(define second-run (map-async ask docs #:checkpoint "docs"))
(report "same answers" (lambda () (equal? first-run second-run)))
(report "calls after the second map" (lambda () calls))
(report "saved" (lambda () (let ([h (restore "docs")]) (list (hash-ref h 'items) (length (hash-ref h 'answers))))))

;; Plain values F returns are kept with their types.
(report "plain values" (lambda () (map-async (lambda (x) (if (even? x) (list x 'even) (/ x 2))) '(1 2 3) #:checkpoint "plain")))
(report "plain values restored" (lambda () (map-async (lambda (x) 'never-called) '(1 2 3) #:checkpoint "plain")))

;; The saved answers belong to one list: another list under the same key is refused.
(report "another list" (lambda () (map-async ask '("alpha" "beta" "delta") #:checkpoint "docs")))
(report "a longer list" (lambda () (map-async ask '("alpha" "beta" "gamma" "delta") #:checkpoint "docs")))
(checkpoint "other" 42)
(report "a key holding something else" (lambda () (map-async ask docs #:checkpoint "other")))

;; Results must be checkpointable; the key must be a string.
(report "syntax results" (lambda () (map-async (lambda (doc) (llm-query #:data doc)) docs #:checkpoint "wrapped")))
(report "key" (lambda () (map-async ask docs #:checkpoint 'docs)))
(report "no checkpoint" (lambda () (map-async (lambda (x) (* x x)) '(1 2 3))))
