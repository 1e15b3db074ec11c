#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(displayln (for*/list ([i 3] [j 2]) (list i j)))
(displayln (for*/list ([i (in-range 1 4)] [j (in-range i)]) (* i j)))
(displayln (for*/list ([x '(1 2 3)] #:when (odd? x) [y '(a b)]) (cons x y)))
(displayln (for*/list ([x 4] #:unless (= x 2) [y (in-range x)]) y))
(displayln (for*/sum ([i 10] [j 10]) (* i j)))
(displayln (for*/first ([i 10] [j 10] #:when (= (* i j) 42)) (list i j)))
(displayln (for*/last ([i 5] [j 5] #:when (= (+ i j) 6)) (list i j)))
(displayln (for*/and ([i 3] [j 3]) (< (* i j) 5)))
(displayln (for*/or ([i 3] [j 3]) (and (= (* i j) 4) 'found-four)))
(displayln (for*/vector ([i 2] [j 3]) (+ (* i 10) j)))
(define h (for*/hash ([a '(x y)] [b '(1 2)]) (values (format "~a~a" a b) (* b 2))))
(displayln (sort (hash-keys h) string<?))
(displayln (hash-ref h "y2"))
(displayln (for*/fold ([acc '()]) ([row '((1 2) (3) (4 5 6))] [x row]) (cons x acc)))
(for* ([i 3] [j 3] #:when (= i j)) (printf "diag ~a " i))
(newline)
(define triples
  (for*/list ([a (in-range 1 20)] [b (in-range a 20)] [c (in-range b 20)]
              #:when (= (+ (* a a) (* b b)) (* c c)))
    (list a b c)))
(displayln triples)
