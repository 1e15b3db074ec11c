(unsafe-exec-sub-output "(unbalanced")
