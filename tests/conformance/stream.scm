;; Stream processing: a large log, bound to the Python global `logs` with --input logs=FILE, is
;; read 1,000 lines at a time; each chunk goes to one model call whose JSON answer counts its
;; errors and warnings, and a running state is updated with set! after every chunk. Only one
;; chunk is held at a time.

(define chunk-size 1000)
(define line-count (py-eval "len(logs)"))
(define chunk-count (quotient (+ line-count chunk-size -1) chunk-size))

(define running-state (py-exec "
import json
print(json.dumps({'chunks': 0, 'errors': 0, 'warnings': 0}), end='')
"))

(define (process-stream chunk-idx)
  (if (>= chunk-idx chunk-count)
      running-state
      (let* ([from (* chunk-idx chunk-size)]
             [to (+ from chunk-size)]
             [chunk (py-eval (format "logs[~a:~a]" from to))]
             [_ (py-set! "chunk" chunk)]
             [counts (syntax-e (llm-query
                                #:instruction "Count the problems in these log lines. Reply with {errors: int, warnings: int}"
                                #:data (py-eval "'\\n'.join(chunk)")
                                #:model "gpt-4o-mini"
                                #:json #t
                                #:max-tokens 50))]
             [_ (py-set! "state" running-state)]
             [_ (py-set! "counts" counts)])
        (set! running-state (py-eval "
s = json.loads(state)
c = json.loads(counts)
s['chunks'] += 1
s['errors'] += int(c['errors'])
s['warnings'] += int(c['warnings'])
json.dumps(s, sort_keys=True)
"))
        (printf "Processed chunk ~a\n" chunk-idx)
        (process-stream (+ chunk-idx 1)))))

(printf "lines: ~a, chunks: ~a\n" line-count chunk-count)
(define final-state (process-stream 0))
(printf "peak-rss-kb: ~a\n" (py-eval "import resource; resource.getrusage(resource.RUSAGE_SELF).ru_maxrss"))
(finish final-state)
