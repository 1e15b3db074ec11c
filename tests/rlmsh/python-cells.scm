;; py-exec and py-eval as notebook cells: one persistent namespace, printed output returned by
;; py-exec and sent to the current output port by py-eval and py-call, indented code accepted.
(define (show label v) (printf "~a: ~s\n" label v))

;; py-exec returns what the code printed, "" when it printed nothing.
(show "printed" (py-exec "print('hi')\nprint('there', end='')"))
(show "nothing printed" (py-exec "x = 41"))
(show "empty code" (py-exec ""))
(show "only a comment" (py-exec "# nothing"))
;; py-eval of code without an expression returns void, like statements: so does empty code.
(show "py-eval of empty code" (py-eval ""))
(show "py-eval of blank code" (py-eval "  \n\t\n"))
(show "py-eval of a comment" (py-eval "# nothing"))
(show "unicode printed" (py-exec "print('λ \\U0001F600')"))

;; Globals persist across calls and primitives.
(show "persisted" (py-eval "x + 1"))
(py-exec "import math")
(show "imports persist" (py-eval "math.floor(2.5)"))
(py-set! "review-text" "great")
(show "hyphens become underscores" (py-eval "review_text.upper()"))
(py-set! 'by-symbol 5)
(show "symbol names" (py-eval "by_symbol"))
(py-set! "x" "rebound")
(show "py-set! rebinds" (py-eval "x"))
(show "__name__" (py-eval "__name__"))

;; py-eval: an expression, or statements whose last statement is an expression.
(show "expression" (py-eval "[n * n for n in range(4)]"))
(show "statements then expression" (py-eval "y = 6\ny * 7"))
(show "statement only" (py-eval "z = 1"))
(show "z was bound" (py-eval "z"))
(show "last expression of several" (py-eval "1; 2"))
(show "compound statement before" (py-eval "if y:\n    w = 'yes'\nw"))
;; Common leading indentation is removed, so code can be indented like the Scheme around it.
(show "indented block"
      (py-eval "
          total = 0
          for i in range(4):
              total += i
          total * 10
      "))
(show "indented definition"
      (py-eval "
        def square(n):
            return n * n

        square(9)"))
(show "definition persists" (py-call "square" 3))
(show "tabs" (py-eval "\tif True:\n\t\tt = 'tab'\n\tt"))
(show "CRLF" (py-eval "a = 2\r\nb = 3\r\na * b"))

;; What py-eval and py-call print goes to the current output port, not into the result.
(show "py-eval prints"
      (with-output-to-string (lambda () (py-eval "print('from eval')\n7"))))
(show "print returns None" (py-eval "print('to the console')"))
(show "py-call prints"
      (with-output-to-string (lambda () (py-call "print" "from call" 1 #:sep "-"))))
(define port (open-output-string))
(parameterize ([current-output-port port])
  (py-exec "print('not to the port')")
  (py-eval "print('to the port')"))
(show "parameterized port" (get-output-string port))
;; Output printed without a newline is not held back.
(py-eval "print('partial', end='')")
(newline)

;; Compiled cells are cached by source text: rerunning one sees the current globals.
(define (counter-step) (py-eval "counter = globals().get('counter', 0) + 1\ncounter"))
(counter-step)
(counter-step)
(show "rerun cell" (counter-step))
