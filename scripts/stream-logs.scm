;; Summarizes a log of any size in constant memory, and survives crashes:
;;
;;   rlmsh run scripts/stream-logs.scm app.log        (or - for standard input)
;;
;; The log is read in chunks of 1,000 lines and folded into a small running state: lines and
;; chunks seen, counts by level, the most frequent error and warning messages (numbers replaced by
;; #, so "order 123 failed" and "order 456 failed" count together), and the anomalies a model
;; flags. The model is asked (in JSON mode) only about chunks that look unusual: a message never
;; seen before, or an error rate far above the running average. The state is checkpointed every
;; 10 chunks and at the end; run again after a crash (or a kill) and it resumes from the last
;; checkpoint. Progress goes to stderr; the final state is printed as JSON.
;;
;; The checkpoint key names the file and its size, so a different file starts afresh; clear old
;; state with `rlmsh checkpoints clear`.

(define chunk-lines 1000)
(define checkpoint-every 10)
(define max-messages 100)   ; distinct messages kept (the least frequent go first)
(define max-anomalies 20)   ; anomalies kept (the least severe go first)

(define args (current-command-line-arguments))
(unless (= (vector-length args) 1)
  (eprintf "usage: rlmsh run scripts/stream-logs.scm LOGFILE   (- reads standard input)\n")
  (exit 2))
(define source (vector-ref args 0))
(define from-stdin? (equal? source "-"))
(define key (if from-stdin? "stream-logs:stdin" (format "stream-logs:~a:~a" source (file-size source))))

(define line-pattern #px"^(\\S+) +(DEBUG|INFO|WARN|ERROR) +\\[([^\\]]+)\\] (.*)$")
(define levels '("DEBUG" "INFO" "WARN" "ERROR"))

(define (initial-state)
  (make-hash (list (cons 'lines 0) (cons 'chunks 0) (cons 'unparsed 0)
                   (cons 'levels (make-hash (map (lambda (l) (cons l 0)) levels)))
                   (cons 'messages (make-hash))     ; "LEVEL [service] message" -> count
                   (cons 'anomalies '())            ; hashes: chunk, message, severity, reason
                   (cons 'anomalies-flagged 0)
                   (cons 'model-calls 0))))

;; ---------------------------------------------------------------------------------------------
;; One chunk

;; (level . "LEVEL [service] message with # for numbers"), or #f for a line of another shape
;; (stack traces, continuation lines).
(define (parse line)
  (let ([m (regexp-match line-pattern line)])
    (and m
         (let ([level (list-ref m 2)])
           (cons level
                 (and (member level '("WARN" "ERROR"))
                      (string-append level " [" (list-ref m 3) "] " (regexp-replace* #px"[0-9]+" (list-ref m 4) "#"))))))))

;; Counts of the chunk: levels, unparsed lines, and warning and error messages.
(define (count-chunk chunk)
  (let ([levels (make-hash)] [messages (make-hash)] [unparsed 0])
    (for ([line (in-list chunk)])
      (let ([parsed (parse line)])
        (cond
          [(not parsed) (set! unparsed (+ unparsed 1))]
          [else
           (hash-update! levels (car parsed) add1 0)
           (when (cdr parsed) (hash-update! messages (cdr parsed) add1 0))])))
    (values levels messages unparsed)))

(define (error-rate state)
  (let ([lines (hash-ref state 'lines)])
    (if (zero? lines) 0 (/ (hash-ref (hash-ref state 'levels) "ERROR") lines))))

;; A chunk deserves the model's attention when it has a message never seen before or at least
;; three times the running error rate (once there is a running rate to compare with).
(define (unusual? state chunk-levels chunk-messages chunk-size)
  (let ([known (hash-ref state 'messages)]
        [chunk-rate (/ (hash-ref chunk-levels "ERROR" 0) (max chunk-size 1))])
    (or (for/or ([m (in-hash-keys chunk-messages)]) (not (hash-has-key? known m)))
        (and (>= (hash-ref state 'chunks) checkpoint-every)
             (> chunk-rate (* 3 (error-rate state)))
             (> chunk-rate 0)))))

(define instruction
  "You watch the logs of an online shop. Below are the warning and error messages of one chunk of its log, each with how often it occurred in the chunk (numbers in messages are replaced by #), and the error rate of the chunk against the log so far. Flag what an on-call engineer should look at: bursts, outages, new kinds of failure, signs of an attack. Return JSON: {anomalies: [{message: str, severity: 1-5, reason: str}]}, with an empty list when nothing is unusual.")

(define (describe-chunk state index chunk-levels chunk-messages chunk-size)
  (let ([ranked (sort (hash->list chunk-messages) (lambda (a b) (> (cdr a) (cdr b))))])
    (string-append
     (format "chunk ~a, ~a lines, ~a errors (log so far: ~a errors in ~a lines)\n"
             index chunk-size (hash-ref chunk-levels "ERROR" 0)
             (hash-ref (hash-ref state 'levels) "ERROR") (hash-ref state 'lines))
     (string-join (for/list ([entry (in-list ranked)] [i (in-range 30)])
                    (format "~a x ~a" (cdr entry) (car entry)))
                  "\n"))))

;; The anomalies the model flags, each as a hash with the chunk's index; answers that are not of
;; the asked shape count as no anomaly.
(define (ask-model state index chunk-levels chunk-messages chunk-size)
  (let* ([answer (syntax-e (llm-query #:instruction instruction
                                      #:data (describe-chunk state index chunk-levels chunk-messages chunk-size)
                                      #:json #t))]
         [parsed (with-handlers ([exn:fail? (lambda (e) #f)]) (string->jsexpr answer))]
         [found (and (hash? parsed) (hash-ref parsed 'anomalies #f))])
    (for/list ([a (in-list (if (list? found) found '()))] #:when (hash? a))
      (make-hash (list (cons 'chunk index)
                       (cons 'message (format "~a" (hash-ref a 'message "")))
                       (cons 'severity (let ([s (hash-ref a 'severity 1)]) (if (real? s) s 1)))
                       (cons 'reason (format "~a" (hash-ref a 'reason ""))))))))

;; Keeps the N entries that rank first by BETTER?, in a stable order.
(define (keep-best entries n better?)
  (if (<= (length entries) n) entries (take (sort entries better?) n)))

(define (fold-chunk state chunk)
  (let-values ([(chunk-levels chunk-messages unparsed) (count-chunk chunk)])
    (let* ([index (hash-ref state 'chunks)]
           [size (length chunk)]
           [flagged (if (unusual? state chunk-levels chunk-messages size)
                        (begin (hash-update! state 'model-calls add1)
                               (ask-model state index chunk-levels chunk-messages size))
                        '())])
      (hash-update! state 'lines (lambda (n) (+ n size)))
      (hash-update! state 'chunks add1)
      (hash-update! state 'unparsed (lambda (n) (+ n unparsed)))
      (for ([(level n) (in-hash chunk-levels)])
        (hash-update! (hash-ref state 'levels) level (lambda (m) (+ m n)) 0))
      (let ([messages (hash-ref state 'messages)])
        (for ([(m n) (in-hash chunk-messages)])
          (hash-update! messages m (lambda (k) (+ k n)) 0))
        (when (> (hash-count messages) (* 2 max-messages))
          (hash-set! state 'messages
                     (make-hash (keep-best (hash->list messages) max-messages by-count)))))
      (hash-update! state 'anomalies-flagged (lambda (n) (+ n (length flagged))))
      (hash-set! state 'anomalies
                 (keep-best (append (hash-ref state 'anomalies) flagged) max-anomalies
                            (lambda (a b) (> (hash-ref a 'severity) (hash-ref b 'severity)))))
      (when (zero? (remainder (hash-ref state 'chunks) checkpoint-every))
        (eprintf "stream-logs: ~a lines, ~a errors, ~a anomalies flagged\n"
                 (hash-ref state 'lines) (hash-ref (hash-ref state 'levels) "ERROR")
                 (hash-ref state 'anomalies-flagged)))
      state)))

;; ---------------------------------------------------------------------------------------------
;; The run

(define (by-count a b) (or (> (cdr a) (cdr b)) (and (= (cdr a) (cdr b)) (string<? (car a) (car b)))))

(define (report state)
  (hash 'source source
        'lines (hash-ref state 'lines)
        'chunks (hash-ref state 'chunks)
        'unparsed_lines (hash-ref state 'unparsed)
        'levels (for/hash ([l (in-list levels)]) (values (string->symbol l) (hash-ref (hash-ref state 'levels) l)))
        'top_messages (for/list ([entry (in-list (sort (hash->list (hash-ref state 'messages)) by-count))] [i (in-range 10)])
                        (hash 'message (car entry) 'count (cdr entry)))
        'model_calls (hash-ref state 'model-calls)
        'anomalies_flagged (hash-ref state 'anomalies-flagged)
        'anomalies (hash-ref state 'anomalies)))

(let ([saved (restore key)])
  (when (hash? saved)
    (eprintf "stream-logs: resuming after ~a lines (checkpoint ~s)\n" (hash-ref saved 'lines) key)))

(define final
  (stream-fold fold-chunk (initial-state)
               (if from-stdin? (stdin-chunks chunk-lines) (file-chunks source chunk-lines))
               #:checkpoint key #:every checkpoint-every))
(eprintf "stream-logs: done, ~a lines in ~a chunks\n" (hash-ref final 'lines) (hash-ref final 'chunks))
(finish (jsexpr->string (report final)))
