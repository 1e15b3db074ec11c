;; Folding over input too large to hold: chunk streams (file-chunks, stdin-chunks; read in Rust,
;; one chunk at a time) and a fold that checkpoints its progress so that a rerun after a crash
;; goes on where the last checkpoint left off.

(define (stream-fold f init chunks #:checkpoint [key #f] #:every [every 10])
  "Folds F over CHUNKS (a chunk stream or a list): (f state chunk) gives the next state, from INIT. With #:checkpoint KEY, the chunks and lines folded and the state are saved every EVERY chunks and at the end, and a rerun skips what was folded and goes on from there."
  (unless (procedure? f) (raise-argument-error 'stream-fold "procedure?" f))
  (unless (or (chunk-stream? chunks) (list? chunks))
    (raise-argument-error 'stream-fold "(or/c chunk-stream? list?)" chunks))
  (unless (or (not key) (string? key)) (raise-argument-error 'stream-fold "(or/c #f string?)" key))
  (unless (and (exact-integer? every) (positive? every))
    (raise-argument-error 'stream-fold "exact-positive-integer?" every))
  (let* ([saved (and key (%saved-fold key))]
         [folded (if saved (hash-ref saved 'chunks) 0)]
         [lines (if saved (hash-ref saved 'lines) 0)])
    (let loop ([rest (if saved (%skip-folded chunks key folded lines) chunks)]
               [n folded]
               [lines lines]
               [state (if saved (hash-ref saved 'state) init)]
               [saved-at folded])
      (let-values ([(chunk rest) (%next-chunk rest)])
        (cond
          [(eof-object? chunk)
           (when (and key (> n saved-at)) (%save-fold key n lines state))
           state]
          [else
           (let ([state (f state chunk)]
                 [n (+ n 1)]
                 [lines (+ lines (if (list? chunk) (length chunk) 0))])
             (if (and key (zero? (remainder n every)))
                 (begin (%save-fold key n lines state) (loop rest n lines state n))
                 (loop rest n lines state saved-at)))])))))

(define (%save-fold key chunks lines state)
  (checkpoint key (hash 'chunks chunks 'lines lines 'state state)))

(define (%saved-fold key)
  (let ([saved (restore key)])
    (cond
      [(not saved) #f]
      [(and (hash? saved) (exact-integer? (hash-ref saved 'chunks #f)) (exact-integer? (hash-ref saved 'lines #f))
            (hash-has-key? saved 'state))
       saved]
      [else (error 'stream-fold "the checkpoint ~s holds no stream-fold progress" key)])))

;; The input after what an earlier run folded: the lines of a stream, the chunks of a list.
(define (%skip-folded chunks key folded lines)
  (define (shorter had what done)
    (error 'stream-fold "the checkpoint ~s has folded ~a ~a, but the input has only ~a" key done what had))
  (if (chunk-stream? chunks)
      (let ([skipped (skip-lines! chunks lines)])
        (if (< skipped lines) (shorter skipped "lines" lines) chunks))
      (if (< (length chunks) folded) (shorter (length chunks) "chunks" folded) (list-tail chunks folded))))

;; The next chunk and what follows it; eof at the end.
(define (%next-chunk source)
  (cond
    [(chunk-stream? source) (values (next-chunk source) source)]
    [(pair? source) (values (car source) (cdr source))]
    [else (values eof source)]))
