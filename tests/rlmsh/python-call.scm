;; py-call: dotted names, globals, builtins, references and their methods, keyword arguments;
;; opaque references going back to Python as the same object.
(define (show label v) (printf "~a: ~s\n" label v))

;; Dotted names import their module on demand; builtins and globals resolve by name.
(show "json.dumps" (py-call "json.dumps" (hash 'a (list 1 2))))
(show "os.path.join" (py-call "os.path.join" "a" "b" "c"))
(show "submodule" (py-call "xml.sax.saxutils.escape" "<a & b>"))
(show "builtin" (py-call "len" "abc"))
(show "builtin by symbol" (py-call 'max 3 9 2))
(show "method of a builtin type" (py-call "str.upper" "abc"))
(show "positional arguments" (py-call "int" "ff" 16))
(py-exec "def greet(name, greeting='Hello', *, punct_mark='!'):\n    return f'{greeting}, {name}{punct_mark}'")
(show "global function" (py-call "greet" "Ann"))

;; Keyword arguments, hyphens mapped to underscores.
(show "keywords" (py-call "greet" "Ann" #:greeting "Hi" #:punct-mark "?"))
(show "keywords of a library" (py-call "json.dumps" (hash 'b 1) #:sort-keys #t #:indent 2))
(show "keywords only" (hash-ref (py-call "dict" #:a-b 1 #:c '(2)) 'a_b))

;; References: objects without a Scheme counterpart stay in Python.
(py-exec "
class Box:
    def __init__(self):
        self.items = []
    def add(self, x):
        self.items.append(x)
        return self
    def __call__(self, y):
        return ('called', y)
")
(define box (py-eval "made = Box()\nmade"))
(show "reference" box)
(show "method call returns the same object" (py-call "operator.is_" (py-call box "add" 1) box))
(py-call box "add" '(2 "two"))
(show "state kept across calls" (py-eval "made.items"))
(py-set! "same-box" box)
(show "py-set! passes the same object" (py-eval "same_box is made"))
(show "py-call passes the same object" (py-call "operator.is_" box (py-eval "made")))
(show "callable reference" (py-call box 5))
(show "reference to a builtin" (py-call (py-eval "len") "four"))
;; A callable reference may take a string argument: a string naming a non-callable attribute
;; is then an argument, not a method name.
(show "attribute is not a method" (py-call box "items"))
(define deque (py-eval "import collections\ncollections.deque([3, 1, 3])"))
(show "method with arguments" (py-call deque "count" 3))
(py-call deque "append" 4)
(show "mutated in place" (py-call "list" deque))
(show "reference in a container" (py-call "len" (list deque deque)))
(show "reference as a keyword argument" (py-call "sorted" (list 2 3 1) #:key (py-eval "lambda n: -n")))
(define set-ref (py-eval "{1, 2}"))
(show "builtin on a reference" (py-call "sorted" set-ref))
(show "isinstance" (py-call "isinstance" set-ref (py-eval "set")))

;; References to one Python object are one Scheme object, as `is` says; distinct objects are
;; not equal, even when Python's == says they are.
(define again (py-eval "made"))
(show "eq? to the same object" (eq? box again))
(show "eqv? to the same object" (eqv? box again))
(show "equal? to the same object" (equal? box again))
(show "in a list" (equal? (list box 1) (list again 1)))
(show "hash key" (hash-ref (hash box 'found) again #f))
(show "memq" (and (memq again (list 1 box)) #t))
(show "other object" (equal? box (py-eval "Box()")))
(show "equal in Python only" (equal? set-ref (py-eval "{1, 2}")))
