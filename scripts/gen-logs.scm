;; Writes a synthetic application log to standard output, the same for the same seed:
;;
;;   rlmsh run scripts/gen-logs.scm LINES [SEED] > app.log
;;
;; Lines look like `2026-03-14T08:15:02.117Z WARN  [billing] retrying charge 8812 after 250 ms`:
;; a timestamp that moves forward a few milliseconds a line, a level (about 20% DEBUG, 60% INFO,
;; 13% WARN, 7% ERROR), a service and a message with numbers in it. Now and then a stack trace
;; follows an error (lines without the usual fields), and twice in a million lines a payment
;; provider outage produces a burst of timeouts: the kind of thing an anomaly detector should flag.

(define args (current-command-line-arguments))
(define lines (if (> (vector-length args) 0) (string->number (vector-ref args 0)) 1000))
(define seed (if (> (vector-length args) 1) (string->number (vector-ref args 1)) 42))
(unless (exact-nonnegative-integer? lines)
  (error 'gen-logs "usage: rlmsh run scripts/gen-logs.scm LINES [SEED]"))

;; A linear congruential generator: the numbers depend only on the seed.
(define state (modulo seed 4294967296))
(define (next-random! n)
  (set! state (modulo (+ (* state 1664525) 1013904223) 4294967296))
  (quotient (* (quotient state 65536) n) 65536))
(define (pick! items) (vector-ref items (next-random! (vector-length items))))

(define services (vector "auth" "billing" "search" "gateway" "inventory" "notifications"))

;; Message makers by level; each takes a procedure that draws a number below its argument.
(define debug-messages
  (vector (lambda (r) (format "cache lookup key=user:~a hit=~a" (r 90000) (if (zero? (r 2)) "true" "false")))
          (lambda (r) (format "query plan chosen in ~a us" (r 900)))
          (lambda (r) (format "connection pool size=~a idle=~a" (+ 10 (r 20)) (r 10)))))
(define info-messages
  (vector (lambda (r) (format "user ~a logged in from 10.0.~a.~a in ~a ms" (r 90000) (r 256) (r 256) (+ 5 (r 80))))
          (lambda (r) (format "GET /api/v1/items/~a 200 in ~a ms" (r 500000) (+ 2 (r 120))))
          (lambda (r) (format "order ~a placed: ~a items, total ~a.~a EUR" (r 1000000) (+ 1 (r 9)) (r 500) (+ 10 (r 89))))
          (lambda (r) (format "indexed ~a documents in ~a ms" (+ 1 (r 5000)) (r 3000)))
          (lambda (r) (format "email ~a queued for delivery" (r 1000000)))))
(define warn-messages
  (vector (lambda (r) (format "slow query on table orders: ~a ms" (+ 500 (r 4000))))
          (lambda (r) (format "retrying charge ~a after ~a ms" (r 10000) (* 50 (+ 1 (r 10)))))
          (lambda (r) (format "rate limit at ~a% for client ~a" (+ 80 (r 20)) (r 500)))
          (lambda (r) (format "disk usage at ~a% on /var/lib/data" (+ 85 (r 14))))))
(define error-messages
  (vector (lambda (r) (format "payment declined for order ~a: card expired" (r 1000000)))
          (lambda (r) (format "upstream inventory returned 503 after ~a ms" (+ 100 (r 2000))))
          (lambda (r) (format "failed to send email ~a: SMTP connection refused" (r 1000000)))
          (lambda (r) (format "null reference in CartService.merge for session ~a" (r 100000)))))

(define (two-digits n) (if (< n 10) (string-append "0" (number->string n)) (number->string n)))
(define (three-digits n) (string-append (if (< n 100) "0" "") (two-digits n)))

;; Milliseconds since 2026-03-14T00:00:00Z as a timestamp (a run stays within the month).
(define (timestamp ms)
  (let* ([seconds (quotient ms 1000)] [minutes (quotient seconds 60)] [hours (quotient minutes 60)])
    (string-append "2026-03-" (two-digits (+ 14 (quotient hours 24))) "T"
                   (two-digits (remainder hours 24)) ":" (two-digits (remainder minutes 60)) ":"
                   (two-digits (remainder seconds 60)) "." (three-digits (remainder ms 1000)) "Z")))

(define (line ms level service message)
  (string-append (timestamp ms) " " level (if (= (string-length level) 4) "  [" " [") service "] " message))

(define outage-length 300)
(define (outage-starts? i) (and (> lines (* 4 outage-length)) (memv i (list (quotient lines 3) (quotient (* 2 lines) 3)))))

(define out (current-output-port))
(let loop ([i 0] [ms (* 8 3600000)] [outage 0] [trace 0])
  (when (< i lines)
    (let ([ms (+ ms (next-random! 40))])
      (cond
        [(> trace 0)
         (write-string (format "    at com.shop.~a.Handler.run(Handler.java:~a)" (pick! services) (+ 10 (next-random! 400))) out)
         (newline out)
         (loop (+ i 1) ms outage (- trace 1))]
        [(or (> outage 0) (outage-starts? i))
         (let ([left (if (> outage 0) outage outage-length)])
           (write-string (line ms "ERROR" "billing" (format "payment provider timeout after 30000 ms (attempt ~a)" (+ 1 (next-random! 5)))) out)
           (newline out)
           (loop (+ i 1) ms (- left 1) 0))]
        [else
         (let* ([roll (next-random! 100)]
                [level (cond [(< roll 20) "DEBUG"] [(< roll 80) "INFO"] [(< roll 93) "WARN"] [else "ERROR"])]
                [messages (cond [(< roll 20) debug-messages] [(< roll 80) info-messages] [(< roll 93) warn-messages] [else error-messages])]
                [message ((pick! messages) next-random!)])
           (write-string (line ms level (pick! services) message) out)
           (newline out)
           (loop (+ i 1) ms 0 (if (and (string=? level "ERROR") (< (next-random! 100) 15)) (+ 2 (next-random! 4)) 0)))]))))
