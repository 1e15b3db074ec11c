;; Fan-out: classify support tickets in parallel, each answer a JSON object whose shape the
;; instruction describes without ever naming the format, then tally the answers in Python.
;; Run with --context tickets.json (a JSON array of {id, text}).

;; A statement block whose last line is an expression: py-eval returns that expression's value.
(define tickets (py-eval "
import json
rows = json.loads(context)
rows.sort(key=lambda r: r['id'])
[r['text'] for r in rows]
"))

(printf "tickets: ~a\n" (length tickets))

(define answers
  (map-async
   (lambda (ticket)
     (llm-query-async
      #:instruction "Route this support ticket. Reply with {team: str, urgency: 1-5}"
      #:data ticket
      #:model "gpt-4o-mini"
      #:json #t
      #:temperature 0.0))
   tickets
   #:max-concurrent 3))

;; map-async gives plain strings; they go into Python as a list, a summary back out through print.
(py-set! "answers" answers)
(define tally (py-exec "
import json
parsed = [json.loads(a) for a in answers]
teams = {}
for p in parsed:
    teams[p['team']] = teams.get(p['team'], 0) + 1
print('classified:', len(parsed))
print('urgency total:', sum(int(p['urgency']) for p in parsed))
print('teams:', ', '.join(f'{t}={n}' for t, n in sorted(teams.items())))
"))
(display tally)

;; And the other way: a Python value read back with py-eval keeps its type.
(define busiest (py-eval "max(sorted(teams), key=lambda t: teams[t])"))
(finish (string-append "busiest: " busiest))
