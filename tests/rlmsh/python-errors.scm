;; Python errors are exn:fail errors that programs catch with with-handlers; their messages name
;; the primitive and the exception and show the traceback of the user's code.
(define (report thunk)
  (with-handlers ([exn:fail? (lambda (e) (printf "~a\n---\n" (exn-message e)))])
    (printf "no error: ~s\n---\n" (thunk))))

;; Exceptions, with the traceback through functions defined by earlier cells.
(report (lambda () (py-eval "1/0")))
(py-exec "
def outer(x):
    return inner(x)

def inner(x):
    return x[5]
")
(report (lambda () (py-eval "outer([1])")))
(report (lambda () (py-exec "raise KeyError('k')")))
(report (lambda () (py-exec "raise ValueError")))
(report (lambda () (py-eval "undefined_name")))
(report (lambda () (py-exec "import sys\nsys.exit(3)")))

;; Syntax errors point into the snippet.
(report (lambda () (py-exec "x = (")))
(report (lambda () (py-eval "1 +")))
(report (lambda () (py-exec "if True:\nprint(1)")))

;; What Python printed before failing still reaches the output.
(report (lambda () (py-exec "print('printed first')\n1/0")))

;; Python errors are exn:fail but not contract errors; break handlers do not see them.
(printf "~s\n" (with-handlers ([exn:fail:contract? (lambda (e) 'contract)] [exn:fail? (lambda (e) 'fail)])
                 (py-eval "[][0]")))
(printf "~s\n" (with-handlers ([exn:fail? (lambda (e) 'fail)])
                 (with-handlers ([exn:break? (lambda (e) 'break)]) (py-eval "[][0]"))))

;; Names that cannot be Python globals, including keywords.
(report (lambda () (py-set! "class" 1)))
(report (lambda () (py-set! 'lambda 1)))
(report (lambda () (py-set! "None" 1)))
(report (lambda () (py-set! "1abc" 1)))
(report (lambda () (py-set! "a b" 1)))
(report (lambda () (py-set! "" 1)))
(report (lambda () (py-set! 5 1)))
(printf "~s\n" (with-handlers ([exn:fail:contract? (lambda (e) 'contract)]) (py-set! "if" 0)))
;; Unicode identifiers are valid, as in Python.
(py-set! "größe" 3)
(printf "~s\n" (py-eval "größe"))

;; Wrong argument types.
(report (lambda () (py-exec 5)))
(report (lambda () (py-eval 'x)))

;; py-call on names that do not resolve and on bad calls. A missing attribute of a module is an
;; AttributeError, not a failed import of a submodule of that name; a submodule that exists
;; but fails to import reports why.
(report (lambda () (py-call "no_such_module_xyz.f")))
(report (lambda () (py-call "json.no_such")))
(report (lambda () (py-call "json.decoder.no_such")))
(report (lambda () (py-call "str.no_such")))
(py-exec "
import os, sys, tempfile
package_dir = tempfile.mkdtemp()
os.makedirs(os.path.join(package_dir, 'broken_pkg'))
open(os.path.join(package_dir, 'broken_pkg', '__init__.py'), 'w').close()
with open(os.path.join(package_dir, 'broken_pkg', 'sub.py'), 'w') as f:
    f.write('import no_such_dependency_xyz\\n')
sys.path.insert(0, package_dir)
")
(report (lambda () (py-call "broken_pkg.sub.f")))
(py-exec "import shutil\nsys.path.remove(package_dir)\nshutil.rmtree(package_dir)")
;; A reference that cannot be called followed by a string is a method call; the string is
;; never passed to the object.
(define deque (py-eval "import collections\ncollections.deque([1], 4)"))
(report (lambda () (py-call deque "maxlen")))
(report (lambda () (py-call deque "no_such")))
(report (lambda () (py-call deque 1)))
;; What py-call calls must be a name or a reference; checked before Python starts.
(report (lambda () (py-call 5)))
(report (lambda () (py-call '(1) "x")))
(printf "~s\n" (with-handlers ([exn:fail:contract? (lambda (e) 'contract)]) (py-call #t)))
(report (lambda () (py-call "len" 1)))
(report (lambda () (py-call "len" "a" "b")))
(report (lambda () (py-call "int" "x" #:no-such-keyword 1)))

;; Containers nested too deeply for conversion are errors, not a crash, both ways.
(report (lambda () (py-eval "deep = []\nfor _ in range(1000000):\n    deep = [deep]\ndeep")))
(define deep (for/fold ([v '()]) ([i (in-range 1000000)]) (list v)))
(report (lambda () (py-set! "v" deep)))
(report (lambda () (py-set! "v" (hash deep 1))))

;; After all these errors the namespace still works.
(printf "~s\n" (py-eval "outer([0, 1, 2, 3, 4, 'ok'])"))
