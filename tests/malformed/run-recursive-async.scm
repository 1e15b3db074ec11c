(llm-query-async #:model "offline" #:recursive #t)
