;; The offline model in JSON mode answers with the shape the instruction describes: loose
;; shapes as people write them in prompts, literal JSON examples, or {} when there is none.

(define (json-answer instruction)
  (unsafe-raw-query #:model "offline" #:json #t #:instruction instruction #:data "whatever"))

(define (show instruction) (printf "~a\n  => ~a\n" instruction (json-answer instruction)))

(show "Return JSON: {category: str, confidence: 0-1}")
(show "Reply with {valid: bool, errors: [str]}")
(show "Return JSON: [{mention: string, context: string, page: int}]")
(show "Return JSON: {\"issues\": [{\"type\": str, \"description\": str, \"severity\": 1-3}]}")
(show "Return {\"status\": \"ok\"|\"fail\"}")
(show "Answer like {\"score\": 7, \"ratio\": 0.2, \"tags\": [\"a\"], \"ok\": false, \"note\": null}")
(show "Return JSON: {name: text, age: integer, height: float, meta: object, items: list, maybe: str?}")
(show "Return JSON: {level: 1-5, weight: 0.5-1.5, n: 3}")
(show "Return JSON: {outer: {inner: {deep: bool}}}")
(show "Analyze the logs. Update the state.")
(show "See item [note] for details; return json.")
(show "")

;; The answers parse, with the types the shape asks for.
(define parsed (string->jsexpr (json-answer "Return JSON: {category: str, confidence: 0-1, tags: [str], n: int}")))
(printf "~s ~s ~s ~s\n"
        (hash-ref parsed 'category) (hash-ref parsed 'confidence) (hash-ref parsed 'tags) (hash-ref parsed 'n))

;; llm-query in JSON mode wraps the answer like any other.
(define wrapped (llm-query #:model "offline" #:json #t #:instruction "Return JSON: {ok: bool}"))
(printf "~s ~a\n" (syntax? wrapped) (syntax-e wrapped))

;; JSON answers are the same whatever the data.
(printf "~s\n" (equal? (unsafe-raw-query #:model "offline" #:json #t #:instruction "{a: int}" #:data "one")
                       (unsafe-raw-query #:model "offline" #:json #t #:instruction "{a: int}" #:data "two")))
