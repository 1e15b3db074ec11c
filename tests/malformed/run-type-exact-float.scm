(inexact->exact +inf.0)
