;; sequence, fold-sequential, iterate-until, critique-refine, with-validation, choose,
;; try-fallback and the try ... on-error form, including their error cases.

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

;; sequence chains left to right; with no procedures it is the identity.
(report "sequence" (lambda () ((sequence add1 (lambda (x) (* x 10)) number->string) 4)))
(report "empty sequence" (lambda () ((sequence) 'same)))
(report "associative" (lambda () (equal? ((sequence add1 (sequence sub1 sqr)) 5) ((sequence (sequence add1 sub1) sqr) 5))))
(report "sequence of a non-procedure" (lambda () (sequence add1 5)))

;; fold-sequential: (fn acc item), in order.
(report "fold-sequential" (lambda () (fold-sequential (lambda (acc x) (string-append acc x)) ">" '("a" "b" "c"))))
(report "fold over nothing" (lambda () (fold-sequential + 0 '())))
(report "fold over a non-list" (lambda () (fold-sequential + 0 5)))

;; iterate-until stops when the predicate holds or after #:max-iter (default 10) steps; the
;; predicate is not asked once the limit is reached.
(report "until" (lambda () (iterate-until (lambda (x) (* x 2)) (lambda (x) (> x 100)) 1)))
(report "default limit" (lambda () (iterate-until add1 (lambda (x) #f) 0)))
(report "max-iter 3" (lambda () (iterate-until add1 (lambda (x) #f) 0 #:max-iter 3)))
(report "already done" (lambda () (iterate-until add1 (lambda (x) #t) 'start)))
(define asked '())
(iterate-until add1 (lambda (x) (set! asked (cons x asked)) #f) 0 #:max-iter 2)
(report "predicate asked of" (lambda () (reverse asked)))
(report "negative max-iter" (lambda () (iterate-until add1 even? 1 #:max-iter -1)))

;; critique-refine: generate once, then critique and refine up to #:max-iter (default 3) times.
(define log '())
(define (generate) (set! log (cons 'generate log)) "draft")
(define (critique d) (set! log (cons 'critique log)) (if (> (string-length d) 7) "Approved." "more"))
(define (refine d c) (set! log (cons 'refine log)) (string-append d "!"))
(report "critique-refine" (lambda () (critique-refine generate critique refine)))
(report "steps" (lambda () (reverse log)))
(set! log '())
(report "max-iter 1" (lambda () (critique-refine generate critique refine #:max-iter 1)))
(set! log '())
;; With a quality threshold, a critique that says "approved" (any case) ends the loop early.
(report "threshold" (lambda () (critique-refine generate critique refine #:max-iter 10 #:quality-threshold 0.8)))
(report "threshold steps" (lambda () (reverse log)))
(report "model critique" (lambda () (critique-refine (lambda () "d")
                                                      (lambda (d) (llm-query #:instruction "Critique." #:data d))
                                                      (lambda (d c) (string-append d "+"))
                                                      #:quality-threshold #t)))

;; with-validation passes valid results through and raises on invalid ones.
(define positive-sqrt (with-validation (lambda (x) (sqrt x)) (lambda (r) (and (real? r) (positive? r)))))
(report "valid" (lambda () (positive-sqrt 16)))
(report "invalid" (lambda () (positive-sqrt 0)))
(report "with-validation of a non-procedure" (lambda () (with-validation 1 even?)))

;; choose: a predicate of the arguments, or a plain value.
(define size (choose (lambda (s) (< (string-length s) 4)) (lambda (s) 'short) (lambda (s) 'long)))
(report "choose short" (lambda () (size "abc")))
(report "choose long" (lambda () (size "abcdef")))
(report "choose constant" (lambda () ((choose #f (lambda args 'then) (lambda args (length args))) 1 2 3)))

;; try-fallback: the fallback gets the same arguments; when it fails too, its error propagates.
(define safe-car (try-fallback car (lambda (x) (list 'fallback x))))
(report "primary" (lambda () (safe-car '(1 2))))
(report "fallback" (lambda () (safe-car 5)))
(define hopeless (try-fallback (lambda (x) (error 'primary "no")) (lambda (x) (error 'fallback "also no: ~a" x))))
(report "exhausted" (lambda () (hopeless 7)))
(report "chained" (lambda () ((try-fallback (lambda (x) (car x)) (try-fallback (lambda (x) (cdr x)) (lambda (x) 'last))) 9)))

;; try ... on-error: the handler gets the error message.
(report "try ok" (lambda () (try (+ 1 2) on-error (lambda (m) 'unused))))
(report "try error" (lambda () (try (car 5) on-error (lambda (m) (string-append "caught: " m)))))
(report "try in map" (lambda () (map (lambda (x) (try (/ 10 x) on-error (lambda (m) 'failed))) '(1 0 5))))
