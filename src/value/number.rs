//! The numeric tower: fixnums, bignums, exact rationals and flonums, with Racket's rules for
//! mixing exactness, normalising results and printing.
