;; recursive-spawn: a procedure of DATA that delegates to a sub-model with a sandbox of its own
;; (llm-query #:recursive #t); offline, the sub-model's program makes one call and reports how
;; many lines its context had.

(define delegate (recursive-spawn (lambda () "Summarize the incidents.")))
(define answer (syntax-e (delegate "disk full on db-1\nfailover at 02:10\nrecovered at 02:40")))
(displayln (regexp-match? #px"^offline:gpt-4o-mini:[0-9a-f]{12} \\(from 3 lines\\)$" answer))
(displayln (with-handlers ([exn:fail:contract? (lambda (e) "bad depth refused")])
             (recursive-spawn (lambda () "x") #:depth 0)))
