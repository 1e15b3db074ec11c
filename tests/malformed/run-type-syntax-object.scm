(string-append "x" (datum->syntax #f "y"))
