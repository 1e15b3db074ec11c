;; finish is not an exception: no handler catches it, whatever its predicate, and dynamic-wind's
;; post thunks still run on the way out.

(define answer (syntax-e (llm-query #:model "offline" #:data "question")))
(display "answered: ")
(displayln (regexp-match? #px"^offline:offline:[0-9a-f]{12}$" answer))
(with-handlers ([(lambda (e) #t) (lambda (e) (displayln "caught by a catch-all"))])
  (with-handlers ([exn:fail? (lambda (e) (displayln "caught by exn:fail?"))])
    (dynamic-wind
      (lambda () (displayln "entering"))
      (lambda () (finish (string-append "final: " (substring answer 0 15))))
      (lambda () (displayln "leaving")))))
(displayln "not reached")
