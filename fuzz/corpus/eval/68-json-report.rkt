#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(require json)
(define raw "[{\"name\":\"alpha\",\"tokens\":120,\"ok\":true},{\"name\":\"beta\",\"tokens\":80,\"ok\":false},{\"name\":\"gamma\",\"tokens\":200,\"ok\":true}]")
(define runs (string->jsexpr raw))
(displayln (length runs))
(define total (for/sum ([r runs]) (hash-ref r 'tokens)))
(define ok-names (for/list ([r runs] #:when (hash-ref r 'ok)) (hash-ref r 'name)))
(define report
  (hasheq 'total total
          'mean (exact->inexact (/ total (length runs)))
          'passed ok-names
          'failed (length (filter (lambda (r) (not (hash-ref r 'ok))) runs))))
(define out (jsexpr->string report))
(define back (string->jsexpr out))
(for ([k (sort (hash-keys back) symbol<?)])
  (printf "~a => ~a\n" k (jsexpr->string (hash-ref back k))))
(displayln (equal? back report))
(define (render-row r) (format "~a|~a|~a" (~a (hash-ref r 'name) #:min-width 6) (~a (hash-ref r 'tokens) #:min-width 4 #:align 'right) (if (hash-ref r 'ok) "PASS" "FAIL")))
(for-each (compose displayln render-row) (sort runs > #:key (lambda (r) (hash-ref r 'tokens))))
(displayln (jsexpr->string (map (lambda (r) (hash-ref r 'name)) runs)))
(displayln (jsexpr->string (hasheq 'nested (hasheq 'list (list 1 2.5 "x" #f 'null)))))
