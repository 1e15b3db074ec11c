;; The combinators are ordinary definitions: a program may define its own procedures (or
;; variables) with their names, including the try form's, and the other combinators go on working.

;; A published pattern program defines a two-argument tree-reduce of its own.
(define (tree-reduce items level)
  (if (<= (length items) 1)
      (car items)
      (tree-reduce (let pair ([xs items])
                     (cond [(null? xs) '()]
                           [(null? (cdr xs)) (list (car xs))]
                           [else (cons (string-append (car xs) (cadr xs)) (pair (cddr xs)))]))
                   (+ level 1))))
(displayln (tree-reduce '("a" "b" "c" "d" "e") 0))

(define (vote . ballots) (list 'my-vote ballots))
(displayln (vote 'yes 'no))

;; try was a macro; a definition makes it a procedure, also inside its own body.
(define (try x [n 0]) (if (> n 2) (list 'tried x n) (try x (+ n 1))))
(displayln (try 'it))
(displayln (map try '(1 2)))

(define parallel 'not-a-procedure)
(displayln parallel)

;; The combinators that remain are unaffected.
(displayln (fan-out-aggregate add1 (lambda (xs) (apply + xs)) '(1 2 3)))
(displayln (ensemble (list (lambda () "a")) #:aggregator car))
(displayln (fold-sequential (lambda (acc x) (+ acc x)) 0 '(1 2 3)))
(displayln ((try-fallback car (lambda (x) 'fell-back)) 'not-a-pair))
(displayln (race (list (lambda () 'first))))
