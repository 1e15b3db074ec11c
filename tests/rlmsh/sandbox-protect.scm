;; Scaffold bindings cannot be redefined at top level (a syntax error, here caught through
;; eval); local bindings may shadow them, combinators are ordinary definitions, and
;; unsafe-overwrite bypasses the protection on purpose.

(define (attempt form)
  (with-handlers ([exn:fail:syntax? (lambda (e) (car (string-split (exn-message e) "\n")))])
    (eval form (make-base-namespace))
    (format "~s was allowed" form)))

(for ([name '(finish context llm-query syntax-e datum->syntax unsafe-exec-sub-output py-exec checkpoint)])
  (displayln (attempt `(define ,name 1)))
  (displayln (attempt `(set! ,name 1))))
(displayln (attempt '(define (finish v) v)))
(displayln (attempt '(define-values (a finish) (values 1 2))))

;; Local shadowing: parameters, let, internal definitions.
(define (summarise context) (string-append "summary of " context))
(displayln (summarise "the text"))
(displayln (let ([finish 'a] [llm-query 'b]) (list finish llm-query)))
(define (inner)
  (define syntax-e 10)
  (* syntax-e 2))
(displayln (inner))
(displayln (for/list ([checkpoint '(1 2 3)]) (* checkpoint checkpoint)))

;; The scaffold bindings still work afterwards.
(displayln (syntax-e (datum->syntax #f "still the builtin")))

;; Combinators are not protected.
(define (tree-reduce f xs) (list 'my-tree-reduce f xs))
(displayln (tree-reduce 'f '(1 2)))
(set! tree-reduce (lambda args 'replaced))
(displayln (tree-reduce))

;; unsafe-overwrite, by symbol or by string.
(unsafe-overwrite 'tokens-used (lambda () 'no-tokens))
(displayln (tokens-used))
(unsafe-overwrite "finish" (lambda (v) (printf "finish called with ~a\n" v)))
(finish 42)
(displayln (with-handlers ([exn:fail:contract? (lambda (e) (car (string-split (exn-message e) "\n")))])
             (unsafe-overwrite 42 'x)))
(displayln "end")
