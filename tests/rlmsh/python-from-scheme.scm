;; Scheme values converted to Python by py-set! (and py-call's arguments): each value is bound
;; to a global and Python reports the type and repr it received.
(define (show label v) (printf "~a: ~s\n" label v))
(define (in-python v)
  (py-set! "v" v)
  (py-eval "f'{type(v).__name__} {v!r}'"))
(define (error-message thunk)
  (with-handlers ([exn:fail? exn-message]) (thunk) "no error"))
(define (named-procedure x) x)

(show "void" (in-python (void)))
(show "#t" (in-python #t))
(show "#f" (in-python #f))

;; Integers on both sides of the 64-bit boundaries, and a bignum.
(show "2^63-1" (in-python 9223372036854775807))
(show "2^63" (in-python 9223372036854775808))
(show "-2^63" (in-python -9223372036854775808))
(show "-2^63-1" (in-python -9223372036854775809))
(show "2^200" (in-python (expt 2 200)))
(show "2^200 arrives exactly" (begin (py-set! "v" (expt 2 200)) (py-eval "v == 2**200")))

;; Exact rationals become Fractions.
(show "1/3" (in-python 1/3))
(show "-4/6" (in-python -4/6))

;; Floats with their special values.
(show "1.5" (in-python 1.5))
(show "+inf.0" (in-python +inf.0))
(show "-inf.0" (in-python -inf.0))
(show "+nan.0" (in-python +nan.0))
(show "-0.0" (in-python -0.0))

;; Strings, characters, symbols and keywords become str.
(show "string" (in-python "a\u0000b\U1F600\u00e9"))
(show "string length" (begin (py-set! "v" "a\u0000b\U1F600") (py-eval "len(v)")))
(show "astral code point" (begin (py-set! "v" "\U1F600") (py-eval "hex(ord(v))")))
(show "char" (in-python #\λ))
(show "symbol" (in-python 'sym))
(show "keyword" (in-python '#:kw))

;; Lists and vectors become lists, hashes dicts, nested.
(show "empty list" (in-python '()))
(show "list" (in-python '(1 "two" (3 #t) #())))
(show "vector" (in-python (vector 1 (vector 2) '(3))))
(show "hash" (in-python (hash 'a 1 "b" '(2) 3 (hash))))
(show "mutable hash" (in-python (make-hash '((x . 1)))))
(show "void inside" (in-python (list (void) 'a)))

;; Python lists cannot be dict keys: list and vector keys become tuples, nested ones too, the
;; inverse of tuple keys coming from Python as lists.
(show "list key" (in-python (hash (list 1 "x") 2)))
(show "nested keys" (in-python (hash (vector 1 (list 2 '())) 3 '() 4)))
(define tuple-keyed (py-eval "{(1, 'a'): 'tuple', ((2,), ()): 'nested'}"))
(py-set! "back" tuple-keyed)
(show "tuple keys round trip" (py-eval "back == {(1, 'a'): 'tuple', ((2,), ()): 'nested'}"))
(show "unhashable key" (error-message (lambda () (py-set! "v" (hash (list (hash)) 1)))))
(show "unhashable reference key" (error-message (lambda () (py-set! "v" (hash (py-eval "{1}") 1)))))
;; Keys that differ in Scheme but are equal in Python would overwrite each other.
(show "symbol and string keys" (error-message (lambda () (py-set! "v" (hash 'a 1 "a" 2)))))
(show "1 and 1.0 keys" (error-message (lambda () (py-set! "v" (hash 1 'one 1.0 'float)))))
(show "char and string keys" (error-message (lambda () (py-call "len" (hash #\b 1 "b" 2)))))
(show "nested collision" (error-message (lambda () (py-set! "v" (list (hash '(x) 1 (vector 'x) 2))))))

(define shared (list 1 2))
(show "shared, not cyclic" (in-python (list shared (vector shared))))

;; Round trips: Python -> Scheme -> Python.
(define from-python (py-eval "{'k': [1, 2.5, 'x', None, {'n': 2**70}]}"))
(py-set! "back" from-python)
(show "round trip" (py-eval "back == {'k': [1, 2.5, 'x', None, {'n': 2**70}]}"))

;; What cannot convert is refused with a message naming the primitive and the value.
(show "builtin procedure" (error-message (lambda () (py-set! "v" car))))
(show "closure" (error-message (lambda () (py-set! "v" named-procedure))))
(show "improper list" (error-message (lambda () (py-set! "v" '(1 2 . 3)))))
(show "pair" (error-message (lambda () (py-set! "v" (cons "a" 2)))))
(show "symbol inside" (error-message (lambda () (py-set! "v" (list (box 'b))))))
(show "box" (error-message (lambda () (py-set! "v" (box 1)))))
(show "port" (error-message (lambda () (py-set! "v" (current-output-port)))))
(show "in an argument" (error-message (lambda () (py-call "len" (list car)))))
(show "as a keyword argument" (error-message (lambda () (py-call "dict" #:f car))))
(show "refusal is a contract error" (with-handlers ([exn:fail:contract? (lambda (e) #t)]) (py-set! "v" car)))

;; Self-containing values are errors, not endless recursion.
(define cyclic-vector (vector 1 2))
(vector-set! cyclic-vector 1 cyclic-vector)
(show "cyclic vector" (error-message (lambda () (py-set! "v" cyclic-vector))))
(define cyclic-hash (make-hash))
(hash-set! cyclic-hash 'self (list cyclic-hash))
(show "cyclic hash" (error-message (lambda () (py-set! "v" cyclic-hash))))
;; A failed conversion leaves the previous binding alone.
(show "v unchanged" (py-eval "v"))
