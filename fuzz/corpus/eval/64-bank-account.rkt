#lang racket/base
(require racket/list racket/string racket/math racket/format racket/vector racket/port
         racket/promise racket/function racket/bool)
(define (make-account owner balance)
  (define history '())
  (define (record! kind amt) (set! history (cons (list kind amt balance) history)))
  (define (deposit! amt)
    (unless (positive? amt) (error 'deposit "amount must be positive: ~a" amt))
    (set! balance (+ balance amt))
    (record! 'deposit amt)
    balance)
  (define (withdraw! amt)
    (when (> amt balance) (error 'withdraw "insufficient funds: balance ~a, requested ~a" balance amt))
    (set! balance (- balance amt))
    (record! 'withdraw amt)
    balance)
  (lambda (msg . args)
    (case msg
      [(deposit) (apply deposit! args)]
      [(withdraw) (apply withdraw! args)]
      [(balance) balance]
      [(owner) owner]
      [(history) (reverse history)]
      [else (error 'account "unknown message ~s" msg)])))
(define acct (make-account "Ada" 100))
(displayln (acct 'deposit 50))
(displayln (acct 'withdraw 30))
(define (try thunk) (with-handlers ([exn:fail? exn-message]) (thunk)))
(displayln (try (lambda () (acct 'withdraw 500))))
(displayln (try (lambda () (acct 'deposit -5))))
(displayln (try (lambda () (acct 'transfer))))
(displayln (acct 'balance))
(for-each (lambda (h) (printf "~a ~a -> ~a\n" (first h) (second h) (third h))) (acct 'history))
(define other (make-account "Bob" 0))
(other 'deposit 10)
(printf "~a has ~a, ~a has ~a\n" (acct 'owner) (acct 'balance) (other 'owner) (other 'balance))
