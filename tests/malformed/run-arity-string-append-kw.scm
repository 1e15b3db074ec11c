(string-append "a" #:x 1)
