;; Counts the words of a text file and prints the ten most frequent ones.
;;   rlmsh scripts/word-frequency.scm FILE
(define args (current-command-line-arguments))
(define path (if (> (vector-length args) 0) (vector-ref args 0) "scripts/data/sample.txt"))

(define (words-of text)
  (filter (lambda (w) (> (string-length w) 0))
          (regexp-split #px"[^a-z']+" (string-downcase text))))

(define counts (make-hash))
(for ([w (in-list (words-of (file->string path)))])
  (hash-update! counts w add1 0))

(define ranked
  (sort (hash->list counts)
        (lambda (a b) (or (> (cdr a) (cdr b))
                          (and (= (cdr a) (cdr b)) (string<? (car a) (car b)))))))

(printf "~a distinct words in ~a\n" (hash-count counts) path)
(for ([entry (in-list (take ranked (min 10 (length ranked))))]
      [rank (in-naturals 1)])
  (printf "~a. ~a ~a\n" rank (car entry) (cdr entry)))
