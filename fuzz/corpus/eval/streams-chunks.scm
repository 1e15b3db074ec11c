;; Chunk streams: a file read lazily as lists of up to N lines (terminators dropped, \r\n too),
;; iterated with for, in-chunks or next-chunk. The sample has ten lines, the last one without a
;; newline, one of them blank.

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define sample "tests/rlmsh/streams-sample.txt")

(for ([chunk (file-chunks sample 4)])
  (printf "~s\n" chunk))

(report "for/list over a stream in a variable"
        (lambda () (let ([s (file-chunks sample 3)]) (for/list ([c (in-chunks s)]) (length c)))))
(report "for/fold" (lambda () (for/fold ([n 0]) ([c (file-chunks sample 100)]) (+ n (length c)))))
(report "nested clauses" (lambda () (for*/list ([c (file-chunks sample 5)] [line (in-list c)] #:when (string=? line "")) 'blank)))

;; next-chunk by hand; a finished stream keeps answering eof.
(define s (file-chunks sample 6))
(report "stream" (lambda () s))
(report "chunk-stream?" (lambda () (list (chunk-stream? s) (chunk-stream? '("a")))))
(report "first" (lambda () (next-chunk s)))
(report "second" (lambda () (next-chunk s)))
(report "after the end" (lambda () (list (next-chunk s) (next-chunk s))))

;; skip-lines! drops lines and says how many there were.
(define t (file-chunks sample 2))
(report "skip 7" (lambda () (skip-lines! t 7)))
(report "then" (lambda () (next-chunk t)))
(report "skip past the end" (lambda () (list (skip-lines! t 5) (next-chunk t))))

;; A stream in a variable is not turned into a list behind the program's back.
(report "plain clause" (lambda () (for/list ([c (file-chunks sample 3)] [i (in-naturals)]) i)))
(report "variable clause" (lambda () (let ([v (file-chunks sample 3)]) (for/list ([c v]) c))))

(report "missing file" (lambda () (file-chunks "tests/rlmsh/no-such-file.txt" 10)))
(report "zero lines" (lambda () (file-chunks sample 0)))
(report "not a path" (lambda () (file-chunks 'sample 10)))
(report "next of a list" (lambda () (next-chunk '("a"))))
(report "in-chunks of a list" (lambda () (in-chunks '())))
(report "file-size" (lambda () (file-size sample)))
