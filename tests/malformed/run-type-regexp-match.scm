(regexp-match 5 "abc")
