(llm-query #:max-tokens "many" #:model "offline")
