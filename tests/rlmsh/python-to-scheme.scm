;; Python values converted to Scheme by py-eval, one row of the conversion table at a time.
(define (show label v) (printf "~a: ~s\n" label v))

;; None, booleans
(show "None" (py-eval "None"))
(show "None is void" (void? (py-eval "None")))
(show "True" (py-eval "True"))
(show "False" (py-eval "False"))
(show "bool is not 1" (eqv? 1 (py-eval "True")))

;; Integers: both sides of the 64-bit boundaries, and bignums, all exact.
(show "2**63-1" (py-eval "2**63 - 1"))
(show "2**63" (py-eval "2**63"))
(show "-2**63" (py-eval "-2**63"))
(show "-2**63-1" (py-eval "-2**63 - 1"))
(show "2**200" (py-eval "2**200"))
(show "-2**200" (py-eval "-2**200"))
(show "2**200 = expt" (= (py-eval "2**200") (expt 2 200)))
(show "2**63 - 1 computed in Scheme" (eqv? (- (py-eval "2**63") 1) 9223372036854775807))
(show "exact" (exact? (py-eval "2**200")))
(show "int subclass" (py-eval "class Count(int): pass\nCount(5)"))

;; Floats, including the special values.
(show "1.5" (py-eval "1.5"))
(show "1e300" (py-eval "1e300"))
(show "inf" (py-eval "float('inf')"))
(show "-inf" (py-eval "float('-inf')"))
(show "nan" (py-eval "float('nan')"))
(show "-0.0" (py-eval "-0.0"))
(show "-0.0 keeps its sign" (eqv? -0.0 (py-eval "-0.0")))
(show "2.0 is inexact" (inexact? (py-eval "2.0")))

;; Strings: NUL and astral characters survive, lone surrogates become U+FFFD.
(show "unicode" (py-eval "'h\\u00e9llo \\u03bb'"))
(show "NUL" (py-eval "'a\\x00b'"))
(show "NUL length" (string-length (py-eval "'a\\x00b'")))
(show "astral" (py-eval "'\\U0001F600'"))
(show "astral is one char" (char->integer (string-ref (py-eval "'\\U0001F600'") 0)))
(show "lone surrogate" (py-eval "'a\\ud800b'"))
(show "lone low surrogate" (char->integer (string-ref (py-eval "'\\udc00'") 0)))
(show "str subclass" (py-eval "class Name(str): pass\nName('sub')"))

;; Lists and tuples become lists, nested.
(show "list" (py-eval "[1, 'two', 3.0]"))
(show "tuple" (py-eval "(1, (2, 3))"))
(show "empty" (py-eval "[[], ()]"))
(show "nested" (py-eval "[[1, [2, [3, []]]], ({'k': [None]},)]"))
(show "shared, not cyclic" (py-eval "a = [0]\n[a, a, (a,)]"))

;; Dicts become immutable equal?-hashes; string keys become symbols, other keys convert.
(define d (py-eval "{'name': 'x', 2: 'two', (1, 'a'): 'tuple', None: 'none', 2.5: True, 2**70: 'big'}"))
(show "dict size" (hash-count d))
(show "immutable" (immutable? d))
(show "string key is a symbol" (hash-ref d 'name))
(show "int key" (hash-ref d 2))
(show "tuple key is a list" (hash-ref d '(1 "a")))
(show "None key is void" (hash-ref d (void)))
(show "big key" (hash-ref d (expt 2 70)))
(show "empty dict" (py-eval "{}"))
(show "dict subclass" (hash-ref (py-eval "import collections\ncollections.OrderedDict(b=1, a=2)") 'b))
(show "Counter" (hash-ref (py-eval "collections.Counter('abracadabra')") 'a))
(show "surrogate key" (py-eval "{'\\ud800': 1}"))

;; Fractions become exact rationals, normalized.
(show "Fraction" (py-eval "from fractions import Fraction\nFraction(3, 6)"))
(show "negative Fraction" (py-eval "Fraction(-10, 4)"))
(show "whole Fraction is an integer" (py-eval "Fraction(4, 2)"))
(show "big Fraction" (py-eval "Fraction(2**100, 3)"))

;; bytes and bytearray become strings; invalid UTF-8 is replaced.
(show "bytes" (py-eval "b'abc'"))
(show "invalid UTF-8" (py-eval "b'ab\\xffc'"))
(show "bytearray" (py-eval "bytearray(b'\\xc3\\xa9\\xc3')"))

;; Anything else is an opaque reference named by its type.
(show "set" (py-eval "{1, 2}"))
(show "complex" (py-eval "1 + 2j"))
(show "range" (py-eval "range(3)"))
(show "instance" (py-eval "class Box: pass\nBox()"))
(show "in a list" (py-eval "[object(), 1]"))
(define ref (py-eval "object()"))
(show "display" (with-output-to-string (lambda () (display ref))))
