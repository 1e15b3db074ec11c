(string-append "a" 42)
