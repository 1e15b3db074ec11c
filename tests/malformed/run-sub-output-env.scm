(unsafe-exec-sub-output "(getenv \"OPENAI_API_KEY\")")
