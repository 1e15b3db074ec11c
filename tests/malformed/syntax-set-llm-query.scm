(set! llm-query #f)
