;; parallel and race: thunks may return plain values or model-call handles (run with --offline).

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define (ask data) (llm-query-async #:instruction "Answer." #:data data))
(define (answer-to data) (syntax-e (llm-query #:instruction "Answer." #:data data)))

;; parallel returns what the thunks return, in order; handles stay handles.
(report "plain values" (lambda () (parallel (list (lambda () 1) (lambda () "two") (lambda () 'three)))))
(report "empty" (lambda () (parallel '())))
(define handles (parallel (list (lambda () (ask "a")) (lambda () 42) (lambda () (ask "b")))))
(report "handles awaited" (lambda () (map (lambda (r) (if (number? r) r (syntax-e (await r)))) handles)))
(report "same answers as llm-query" (lambda () (equal? (await-all (list (car handles) (caddr handles)))
                                                        (list (answer-to "a") (answer-to "b")))))

;; With #:max-concurrent N, fewer than N of the calls returned so far are running whenever a
;; thunk is called (a call counts as running until a wait has seen it end: it prints "pending").
(define (running hs) (length (filter (lambda (h) (regexp-match? #rx"pending" (format "~a" h))) hs)))
(define (launch-all limit)
  (define returned '())
  (define most 0)
  (parallel (for/list ([i (in-range 6)])
              (lambda ()
                (set! most (max most (running returned)))
                (let ([h (ask (number->string i))]) (set! returned (cons h returned)) h)))
            #:max-concurrent limit)
  most)
(report "most running at a launch, limit 2" (lambda () (launch-all 2)))
(report "most running at a launch, no limit" (lambda () (launch-all #f)))

;; Thunks run in order, one at a time, and their side effects happen in that order.
(define order '())
(parallel (for/list ([i (in-range 4)]) (lambda () (set! order (cons i order)) i)) #:max-concurrent 3)
(report "order" (lambda () (reverse order)))

(report "not a list" (lambda () (parallel 5)))
(report "not thunks" (lambda () (parallel (list 1 2))))
(report "bad limit" (lambda () (parallel (list (lambda () 1)) #:max-concurrent 0)))

;; race: the first answer to arrive wins; a plain value wins at once and no later thunk runs.
(report "race of calls" (lambda () (and (member (race (list (lambda () (ask "x")) (lambda () (ask "y"))))
                                                (list (answer-to "x") (answer-to "y")))
                                        #t)))
(define started '())
(report "plain value wins"
        (lambda () (race (list (lambda () (set! started (cons 'a started)) (ask "a"))
                               (lambda () (set! started (cons 'b started)) "fast")
                               (lambda () (set! started (cons 'c started)) (ask "c"))))))
(report "thunks called" (lambda () (reverse started)))

;; A call that fails does not win: the next one to succeed does; when every call fails, race
;; raises with the last failure.
(define (failing) (let ([h (ask "doomed")]) (cancel h) h))
(report "failure skipped" (lambda () (equal? (race (list failing (lambda () (ask "ok")))) (answer-to "ok"))))
(report "every call failed" (lambda () (race (list failing failing))))
(report "empty race" (lambda () (race '())))
(report "race not thunks" (lambda () (race '(1))))
