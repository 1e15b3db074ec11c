//! Derived forms rewritten into core forms.
