;; stream-fold over chunk streams and lists, and resuming from its checkpoint after a crash: the
;; rerun skips what was folded and ends with the state of an uninterrupted run.

(define (report label thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a: error: ~a\n" label (exn-message e)))])
    (printf "~a: ~s\n" label (thunk))))

(define sample "tests/rlmsh/streams-sample.txt")

;; The state: line count and the total length of the lines.
(define (tally state chunk)
  (list (+ (car state) (length chunk)) (+ (cadr state) (apply + (map string-length chunk)))))

(report "plain fold" (lambda () (stream-fold tally '(0 0) (file-chunks sample 3))))
(report "list of chunks" (lambda () (stream-fold tally '(0 0) '(("ab" "c") () ("d")))))
(report "nothing to fold" (lambda () (stream-fold tally 'init '())))

;; Checkpoints every 2 chunks and at the end: chunks and lines folded, and the state.
(report "checkpointed" (lambda () (stream-fold tally '(0 0) (file-chunks sample 3) #:checkpoint "whole" #:every 2)))
(report "saved" (lambda () (restore "whole")))
(report "rerun folds nothing" (lambda () (stream-fold (lambda (s c) (error 'fold "called")) '(0 0) (file-chunks sample 3)
                                                     #:checkpoint "whole" #:every 2)))

;; A crash in the fourth chunk (of 2 lines each): the checkpoint after chunk 2 survives it.
(define seen '())
(define (crashing-tally state chunk)
  (set! seen (cons (car chunk) seen))
  (when (equal? (car chunk) "seven") (error 'crash "power failure"))
  (tally state chunk))
(report "crash" (lambda () (stream-fold crashing-tally '(0 0) (file-chunks sample 2) #:checkpoint "crash" #:every 2)))
(report "saved at the crash" (lambda () (restore "crash")))
(report "chunks folded before the crash" (lambda () (reverse seen)))
(set! seen '())
(report "resumed" (lambda () (stream-fold (lambda (state chunk) (set! seen (cons (car chunk) seen)) (tally state chunk))
                                          '(0 0) (file-chunks sample 2) #:checkpoint "crash" #:every 2)))
(report "chunks folded on resuming" (lambda () (reverse seen)))
(report "uninterrupted" (lambda () (stream-fold tally '(0 0) (file-chunks sample 2))))

;; Lists resume by chunks.
(define (count-chunks n chunk) (+ n 1))
(stream-fold count-chunks 0 '(a b c) #:checkpoint "list" #:every 1)
(report "list resumed" (lambda () (stream-fold count-chunks 0 '(a b c d e) #:checkpoint "list")))

;; Errors: a checkpoint that is no fold's, input shorter than what was folded, bad arguments.
(checkpoint "other" "something else")
(report "foreign checkpoint" (lambda () (stream-fold tally '(0 0) '() #:checkpoint "other")))
(checkpoint "long" (hash 'chunks 9 'lines 99 'state '(0 0)))
(report "shorter file" (lambda () (stream-fold tally '(0 0) (file-chunks sample 2) #:checkpoint "long")))
(report "shorter list" (lambda () (stream-fold count-chunks 0 '(a) #:checkpoint "list")))
(report "not chunks" (lambda () (stream-fold tally '(0 0) "text")))
(report "bad every" (lambda () (stream-fold tally '(0 0) '() #:checkpoint "k" #:every 0)))
(report "bad key" (lambda () (stream-fold tally '(0 0) '() #:checkpoint 'k)))
(report "unsavable state"
        (lambda () (stream-fold (lambda (s c) (llm-query #:instruction "Fold." #:data c)) "" '("a") #:checkpoint "answer" #:every 1)))
