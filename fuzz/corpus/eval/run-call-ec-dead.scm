(define k #f)
(let/ec e (set! k e))
(k 1)
