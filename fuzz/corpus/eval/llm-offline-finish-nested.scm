;; finish from deep inside nested functions and loops; the value is printed with display
;; (strings without quotes, characters bare) after everything the program printed.

(define (search tree path)
  (cond
    [(and (string? tree) (string-prefix? tree "offline:"))
     (finish (list "found at" (reverse path) #\! 'done 1.5))]
    [(pair? tree)
     (for ([child tree] [i (in-naturals)])
       (search child (cons i path)))]
    [else (void)]))

(define (level n)
  (if (= n 0)
      (list "a" (list "b" (unsafe-raw-query #:model "offline" #:data "leaf")) "c")
      (list (level (- n 1)) "x")))

(printf "searching ~a levels\n" 3)
(display "no newline before the result")
(newline)
(search (level 3) '())
(displayln "not reached")
