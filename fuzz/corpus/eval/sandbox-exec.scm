;; datum->syntax wraps, unsafe-interpolate unwraps; unsafe-exec-sub-output runs code in a fresh
;; sandbox that sees only `context`, is refused files, the process and Python, and whose
;; failures reach the parent as catchable [sub-model error] exceptions.

(define (first-line s) (car (string-split s "\n")))
(define (attempt code)
  (with-handlers ([exn:fail? (lambda (e) (first-line (exn-message e)))])
    (unsafe-exec-sub-output code)))

;; Wrapping and unwrapping.
(define wrapped (datum->syntax #f "some text"))
(displayln (list (syntax? wrapped) (string? wrapped)))
(displayln (unsafe-interpolate wrapped))
(displayln (string? (unsafe-interpolate wrapped)))
(displayln (syntax-e (datum->syntax #f '(a "b" 3))))
(displayln (unsafe-interpolate "a plain string passes through"))
(displayln (attempt "(unsafe-interpolate 42)"))

;; The value of the last form, or what finish was given.
(displayln (unsafe-exec-sub-output "(define (square x) (* x x)) (square 12)"))
(displayln (unsafe-exec-sub-output (datum->syntax #f "(finish (list 'finished 1)) (displayln \"not printed\")")))
(displayln (unsafe-exec-sub-output (datum->syntax #f '(string-append "built " "from a datum"))))
(displayln (void? (unsafe-exec-sub-output "")))

;; Only context crosses over; the sandbox's definitions stay in it.
(define parent-secret "kept")
(displayln (string-length (unsafe-exec-sub-output "context")))
(displayln (attempt "parent-secret"))
(unsafe-exec-sub-output "(define parent-secret \"replaced\")")
(displayln parent-secret)
(displayln (attempt "(define context 1)"))
(displayln (attempt "(set! finish 1)"))

;; Output goes where the parent's goes.
(display "before|")
(unsafe-exec-sub-output "(display \"from the sandbox|\")")
(displayln "after")
(printf "captured: ~s\n" (with-output-to-string (lambda () (unsafe-exec-sub-output "(write 'w)"))))
(displayln (unsafe-exec-sub-output "(eof-object? (read-line))"))

;; Refused capabilities, also through a fresh namespace.
(displayln (attempt "(file->lines \"/etc/hostname\")"))
(displayln (attempt "(with-input-from-file \"/etc/hostname\" read-line)"))
(displayln (attempt "(getenv \"PATH\")"))
(displayln (attempt "(exit 0)"))
(displayln (attempt "(py-eval \"1\")"))
(displayln (attempt "(eval '(delete-file \"x\") (make-base-namespace))"))
(displayln (attempt "(with-handlers ([exn:fail? exn-message]) (write-to-file 1 \"x\"))"))

;; Errors of every kind come back as [sub-model error] failures; the parent goes on.
(displayln (attempt "(vector-ref (vector 1) 5)"))
(displayln (attempt "(raise \"a string\")"))
(displayln (attempt "(car"))
(displayln (attempt "(undefined-procedure 1)"))
(displayln (with-handlers ([exn:fail? (lambda (e) 'parent-caught-it)])
             (unsafe-exec-sub-output "(error \"boom\")")))

;; Nesting: three deep is allowed by default, a fourth level is not.
(displayln (unsafe-exec-sub-output "(unsafe-exec-sub-output \"(unsafe-exec-sub-output \\\"'three-deep\\\")\")"))
(define four-deep
  '(unsafe-exec-sub-output
    (datum->syntax #f '(unsafe-exec-sub-output (datum->syntax #f '(unsafe-exec-sub-output "'four-deep"))))))
(displayln (regexp-match #rx"sandboxes may nest.*$" (attempt (datum->syntax #f four-deep))))
(displayln (attempt 'not-code))
(displayln "end")
