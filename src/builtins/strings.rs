//! Strings, symbols and keywords, `racket/string`, and formatting: `format`'s directives and
//! `racket/format`'s `~a`, `~s`, `~v`, `~e` and `~r`.
//!
//! Strings are immutable UTF-8 (`Rc<String>`), so Racket's character indices are translated to
//! byte offsets; ASCII text (the common case) takes a byte-indexing fast path.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};

use crate::builtins::args;
use crate::builtins::chars::{char_titlecase, is_title_case};
use crate::builtins::regex::Regex;
use crate::builtins::{Primitive, MANY};
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::number::{float_to_exact, number_to_string, to_rational};
use crate::value::print::{print_string, write_value, Mode};
use crate::value::{Symbol, Value};

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("string?", 1, 1, string_p, "(string? v): whether v is a string."),
    Primitive::new("string-length", 1, 1, string_length, "(string-length s): the number of characters in s."),
    Primitive::new("string-ref", 2, 2, string_ref, "(string-ref s k): the character at index k of s (counting from 0)."),
    Primitive::new("substring", 2, 3, substring, "(substring s start [end]): the characters of s from index start up to (not including) end."),
    Primitive::new("string-append", 0, MANY, string_append, "(string-append s ...): the strings joined end to end."),
    Primitive::new("string-append*", 1, MANY, string_append_star, "(string-append* s ... strs): string-append with the last argument a list of strings."),
    Primitive::new("string", 0, MANY, string_from_chars, "(string c ...): a string of the given characters."),
    Primitive::new("make-string", 1, 2, make_string, "(make-string n [c]): a string of n copies of character c (default #\\nul)."),
    Primitive::new("build-string", 2, 2, build_string, "(build-string n proc): the string of characters (proc 0) ... (proc (- n 1))."),
    Primitive::new("string-copy", 1, 1, string_copy, "(string-copy s): a fresh string with the characters of s."),
    Primitive::new("string->immutable-string", 1, 1, string_to_immutable, "(string->immutable-string s): s (strings are already immutable)."),
    Primitive::new("non-empty-string?", 1, 1, non_empty_string_p, "(non-empty-string? v): whether v is a string with at least one character."),
    Primitive::new("string->list", 1, 1, string_to_list, "(string->list s): the characters of s as a list."),
    Primitive::new("list->string", 1, 1, list_to_string, "(list->string chars): a string of the characters in a list."),
    Primitive::new("string-upcase", 1, 1, string_upcase, "(string-upcase s): s in upper case."),
    Primitive::new("string-downcase", 1, 1, string_downcase, "(string-downcase s): s in lower case."),
    Primitive::new("string-titlecase", 1, 1, string_titlecase, "(string-titlecase s): s with the first letter of each word upper case and the rest lower case."),
    Primitive::new("string-foldcase", 1, 1, string_foldcase, "(string-foldcase s): s case-folded, for caseless comparison."),
    Primitive::new("string=?", 1, MANY, string_eq, "(string=? s1 s2 ...): whether all strings are equal."),
    Primitive::new("string<?", 1, MANY, string_lt, "(string<? s1 s2 ...): whether the strings are in strictly increasing order."),
    Primitive::new("string>?", 1, MANY, string_gt, "(string>? s1 s2 ...): whether the strings are in strictly decreasing order."),
    Primitive::new("string<=?", 1, MANY, string_le, "(string<=? s1 s2 ...): whether the strings are in non-decreasing order."),
    Primitive::new("string>=?", 1, MANY, string_ge, "(string>=? s1 s2 ...): whether the strings are in non-increasing order."),
    Primitive::new("string-ci=?", 1, MANY, string_ci_eq, "(string-ci=? s1 s2 ...): string=? ignoring case."),
    Primitive::new("string-ci<?", 1, MANY, string_ci_lt, "(string-ci<? s1 s2 ...): string<? ignoring case."),
    Primitive::new("string-ci>?", 1, MANY, string_ci_gt, "(string-ci>? s1 s2 ...): string>? ignoring case."),
    Primitive::new("string-ci<=?", 1, MANY, string_ci_le, "(string-ci<=? s1 s2 ...): string<=? ignoring case."),
    Primitive::new("string-ci>=?", 1, MANY, string_ci_ge, "(string-ci>=? s1 s2 ...): string>=? ignoring case."),
    Primitive::with_keywords("string-join", 1, 2, &["before-first", "before-last", "after-last"], string_join, "(string-join strs [sep \" \"] #:before-first #:before-last #:after-last): the strings joined with sep between them."),
    Primitive::with_keywords("string-split", 1, 2, &["trim?", "repeat?"], string_split, "(string-split s [sep] #:trim? #:repeat?): the pieces of s between separators (default: whitespace runs)."),
    Primitive::with_keywords("string-trim", 1, 2, &["left?", "right?", "repeat?"], string_trim, "(string-trim s [sep] #:left? #:right? #:repeat?): s without leading and trailing sep (default: whitespace)."),
    Primitive::with_keywords("string-normalize-spaces", 1, 3, &["trim?", "repeat?"], string_normalize_spaces, "(string-normalize-spaces s [sep space]): s with each run of whitespace replaced by one space, trimmed."),
    Primitive::with_keywords("string-replace", 3, 3, &["all?"], string_replace, "(string-replace s from to #:all? [#t]): s with occurrences of from (string or regexp) replaced by the literal to."),
    Primitive::new("string-contains?", 2, 2, string_contains_p, "(string-contains? s sub): whether sub occurs in s."),
    Primitive::new("string-prefix?", 2, 2, string_prefix_p, "(string-prefix? s prefix): whether s starts with prefix."),
    Primitive::new("string-suffix?", 2, 2, string_suffix_p, "(string-suffix? s suffix): whether s ends with suffix."),
    Primitive::new("symbol?", 1, 1, symbol_p, "(symbol? v): whether v is a symbol."),
    Primitive::new("keyword?", 1, 1, keyword_p, "(keyword? v): whether v is a keyword."),
    Primitive::new("string->symbol", 1, 1, string_to_symbol, "(string->symbol s): the interned symbol named s."),
    Primitive::new("symbol->string", 1, 1, symbol_to_string, "(symbol->string sym): the name of a symbol."),
    Primitive::new("string->keyword", 1, 1, string_to_keyword, "(string->keyword s): the keyword named s."),
    Primitive::new("keyword->string", 1, 1, keyword_to_string, "(keyword->string kw): the name of a keyword, without #:."),
    Primitive::new("string->uninterned-symbol", 1, 1, string_to_uninterned_symbol, "(string->uninterned-symbol s): a fresh symbol named s, not eq? to any other."),
    Primitive::new("symbol-interned?", 1, 1, symbol_interned_p, "(symbol-interned? sym): whether sym is interned (as string->symbol makes them)."),
    Primitive::new("gensym", 0, 1, gensym, "(gensym [prefix]): a fresh uninterned symbol such as g42."),
    Primitive::new("symbol<?", 1, MANY, symbol_lt, "(symbol<? a b ...): whether the symbols' names are in increasing order."),
    Primitive::new("keyword<?", 1, MANY, keyword_lt, "(keyword<? a b ...): whether the keywords' names are in increasing order."),
    Primitive::new("format", 1, MANY, format_prim, "(format fmt v ...): fmt with ~a (display), ~s (write), ~v (print), ~e, ~c, ~b, ~o, ~x, ~n and ~~ filled in."),
    Primitive::with_keywords("~a", 0, MANY, CAT_KEYWORDS, cat_display, "(~a v ... #:separator #:width #:min-width #:max-width #:align #:pad-string ...): the values displayed and concatenated, padded or cut to width."),
    Primitive::with_keywords("~s", 0, MANY, CAT_KEYWORDS, cat_write, "(~s v ... [keywords as ~a]): the values written (write style), separated by spaces."),
    Primitive::with_keywords("~v", 0, MANY, CAT_KEYWORDS, cat_print, "(~v v ... [keywords as ~a]): the values printed (print style), separated by spaces."),
    Primitive::with_keywords("~e", 0, MANY, CAT_KEYWORDS, cat_error, "(~e v ... [keywords as ~a]): the values in error-message style, separated by spaces."),
    Primitive::with_keywords("~r", 1, 1, &["sign", "base", "precision", "notation", "format-exponent", "min-width", "pad-string", "groups", "group-sep", "decimal-sep"], cat_real, "(~r x #:precision #:min-width #:pad-string #:notation #:base #:sign #:group-sep ...): a real number formatted, e.g. (~r 3.14159 #:precision 2) is \"3.14\"."),
];

// ---------------------------------------------------------------------------------------------
// Character indexing
// ---------------------------------------------------------------------------------------------

pub fn char_count(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The byte offset of character `index`, where `index` may equal the length; `None` when it
/// is past the end.
fn byte_offset(s: &str, index: usize) -> Option<usize> {
    if index <= s.len() && s.as_bytes()[..index].is_ascii() {
        return Some(index);
    }
    s.char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .nth(index)
}

fn string_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Str(_))))
}

fn string_length(_: &mut Interp, args: &[Value]) -> R<Value> {
    let s = args::string("string-length", &args[0])?;
    Ok(Value::Int(char_count(s) as i64))
}

fn string_ref(_: &mut Interp, args: &[Value]) -> R<Value> {
    let s = args::string("string-ref", &args[0])?;
    let k = args::position("string-ref", &args[1])?;
    let found = if k < s.len() && s.as_bytes()[..=k].is_ascii() {
        Some(s.as_bytes()[k] as char)
    } else {
        s.chars().nth(k)
    };
    found.map(Value::Char).ok_or_else(|| {
        if s.is_empty() {
            Error::fields(
                "string-ref",
                "index is out of range for empty string",
                &[("index", &args[1]), ("string", &args[0])],
            )
        } else {
            Error::index("string-ref", "string", &args[1], &args[0], char_count(s))
        }
    })
}

fn substring(_: &mut Interp, args: &[Value]) -> R<Value> {
    let s = args::string("substring", &args[0])?;
    let start = args::position("substring", &args[1])?;
    let end = match args.get(2) {
        Some(v) => Some(args::position("substring", v)?),
        None => None,
    };
    let len = char_count(s);
    let range_error = |what: &str, index: &Value| {
        Error::out_of_range("substring", what, index, 0..=len, "string", &args[0])
    };
    let from = byte_offset(s, start).ok_or_else(|| range_error("starting index", &args[1]))?;
    let to = match end {
        None => s.len(),
        Some(end) if end < start => {
            return Err(Error::reversed_range(
                "substring",
                (&args[1], &args[2]),
                len,
                "string",
                &args[0],
            ))
        }
        Some(end) => {
            from + byte_offset(&s[from..], end - start)
                .ok_or_else(|| range_error("ending index", &args[2]))?
        }
    };
    Ok(Value::str(&s[from..to]))
}

// ---------------------------------------------------------------------------------------------
// Building strings
// ---------------------------------------------------------------------------------------------

fn concat(who: &str, parts: &[Value]) -> R<Value> {
    let strs = parts
        .iter()
        .map(|v| args::string(who, v))
        .collect::<R<Vec<&str>>>()?;
    let mut out = String::with_capacity(strs.iter().map(|s| s.len()).sum());
    strs.iter().for_each(|s| out.push_str(s));
    Ok(Value::string(out))
}

fn string_append(_: &mut Interp, args: &[Value]) -> R<Value> {
    concat("string-append", args)
}

fn string_append_star(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (last, init) = args
        .split_last()
        .ok_or_else(|| Error::arity("string-append*", "at least 1", 0))?;
    let mut parts = init.to_vec();
    parts.extend(args::list("string-append*", last)?);
    concat("string-append*", &parts)
}

fn string_from_chars(_: &mut Interp, args: &[Value]) -> R<Value> {
    let chars = args
        .iter()
        .map(|v| args::character("string", v))
        .collect::<R<String>>()?;
    Ok(Value::string(chars))
}

/// Strings longer than this are refused instead of exhausting memory.
const MAX_STRING_CHARS: usize = 1 << 31;

fn string_length_arg(who: &str, v: &Value) -> R<usize> {
    match v {
        Value::Int(n) if *n >= 0 && (*n as u64) < MAX_STRING_CHARS as u64 => Ok(*n as usize),
        Value::Int(n) if *n >= 0 => Err(Error::fail(format!(
            "{who}: out of memory making string of length {n}"
        ))),
        other => Err(Error::contract(who, "valid-string-length?", other)),
    }
}

fn make_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    let n = string_length_arg("make-string", &args[0])?;
    let c = match args.get(1) {
        Some(v) => args::character("make-string", v)?,
        None => '\0',
    };
    crate::sandbox::heap::check_request("make-string", n.saturating_mul(c.len_utf8()))?;
    Ok(Value::string(std::iter::repeat_n(c, n).collect()))
}

fn build_string(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let n = string_length_arg("build-string", &args[0])?;
    let proc = args::procedure("build-string", &args[1])?;
    crate::sandbox::heap::check_request("build-string", n)?;
    let mut out = String::with_capacity(n);
    for i in 0..n {
        match interp.apply(proc, vec![Value::Int(i as i64)])? {
            Value::Char(c) => out.push(c),
            other => return Err(Error::contract("string-set!", "char?", &other)),
        }
    }
    Ok(Value::string(out))
}

fn string_copy(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::str(args::string("string-copy", &args[0])?))
}

fn string_to_immutable(_: &mut Interp, args: &[Value]) -> R<Value> {
    args::string("string->immutable-string", &args[0])?;
    Ok(args[0].clone())
}

fn non_empty_string_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(&args[0], Value::Str(s) if !s.is_empty()),
    ))
}

fn string_to_list(_: &mut Interp, args: &[Value]) -> R<Value> {
    let s = args::string("string->list", &args[0])?;
    Ok(Value::from_iter_list(s.chars().map(Value::Char)))
}

fn list_to_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    let items = args::list("list->string", &args[0])?;
    let s = items
        .iter()
        .map(|v| args::character("list->string", v))
        .collect::<R<String>>()?;
    Ok(Value::string(s))
}

// ---------------------------------------------------------------------------------------------
// Case
// ---------------------------------------------------------------------------------------------

fn map_string(who: &str, args: &[Value], f: fn(&str) -> String) -> R<Value> {
    Ok(Value::string(f(args::string(who, &args[0])?)))
}

fn string_upcase(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_string("string-upcase", args, str::to_uppercase)
}

fn string_downcase(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_string("string-downcase", args, str::to_lowercase)
}

fn string_titlecase(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_string("string-titlecase", args, titlecase)
}

fn string_foldcase(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_string("string-foldcase", args, foldcase)
}

/// Full case folding: up then down, so ß folds to ss and ς to σ.
fn foldcase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

/// The first cased letter of each word goes to title case and the other cased letters of the
/// word to lower case. Words follow Unicode's word boundaries (UAX #29) in simplified form:
/// letters, digits and `_` run together, and `'` `.` `:` join letters while `.` `,` `;` join
/// digits, so "don't" and "1.5x" are single words but "a-b" is two.
fn titlecase(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut cased_seen = false;
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 || !joins_previous(&chars, i) {
            cased_seen = false;
        }
        let cased = c.is_lowercase() || c.is_uppercase() || is_title_case(c);
        if !cased {
            out.push(c);
        } else if cased_seen {
            out.extend(c.to_lowercase());
        } else {
            cased_seen = true;
            push_titlecase(&mut out, c);
        }
    }
    out
}

fn push_titlecase(out: &mut String, c: char) {
    let title = char_titlecase(c);
    if title != c || c.to_uppercase().nth(1).is_none() {
        out.push(title);
        return;
    }
    // Ligatures and ß upper-case to several letters; title case keeps only the first upper.
    let mut upper = c.to_uppercase();
    out.extend(upper.next());
    out.extend(upper.flat_map(char::to_lowercase));
}

fn joins_previous(chars: &[char], i: usize) -> bool {
    let (prev, cur) = (chars[i - 1], chars[i]);
    let next = chars.get(i + 1).copied();
    let before_prev = i.checked_sub(2).map(|j| chars[j]);
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || is_combining(c);
    let is_letter = |c: Option<char>| c.is_some_and(char::is_alphabetic);
    let is_digit = |c: Option<char>| c.is_some_and(char::is_numeric);
    (is_word(prev) && is_word(cur))
        || (joins_letters(cur) && is_letter(Some(prev)) && is_letter(next))
        || (joins_letters(prev) && is_letter(before_prev) && is_letter(Some(cur)))
        || (joins_digits(cur) && is_digit(Some(prev)) && is_digit(next))
        || (joins_digits(prev) && is_digit(before_prev) && is_digit(Some(cur)))
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}')
}

/// Word-break classes MidLetter, MidNumLet and Single_Quote.
fn joins_letters(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ':'
            | '·'
            | '\u{387}'
            | '\u{5f4}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{2027}'
            | '\u{fe13}'
            | '\u{fe52}'
            | '\u{fe55}'
            | '\u{ff07}'
            | '\u{ff0e}'
            | '\u{ff1a}'
    )
}

/// Word-break classes MidNum, MidNumLet and Single_Quote.
fn joins_digits(c: char) -> bool {
    matches!(
        c,
        '\'' | '.'
            | ','
            | ';'
            | '\u{37e}'
            | '\u{589}'
            | '\u{60c}'
            | '\u{60d}'
            | '\u{66c}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{2024}'
            | '\u{2044}'
            | '\u{fe10}'
            | '\u{fe14}'
            | '\u{fe50}'
            | '\u{fe52}'
            | '\u{fe54}'
            | '\u{ff07}'
            | '\u{ff0c}'
            | '\u{ff0e}'
            | '\u{ff1b}'
    )
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/// Checks every argument (as Racket does) before comparing neighbours.
fn compare_strings(who: &str, args: &[Value], fold: bool, holds: fn(Ordering) -> bool) -> R<Value> {
    let strs = args
        .iter()
        .map(|v| args::string(who, v))
        .collect::<R<Vec<&str>>>()?;
    let ordered = strs.windows(2).all(|w| {
        let order = if fold {
            compare_folded(w[0], w[1])
        } else {
            w[0].cmp(w[1])
        };
        holds(order)
    });
    Ok(Value::Bool(ordered))
}

fn compare_folded(a: &str, b: &str) -> Ordering {
    if a.is_ascii() && b.is_ascii() {
        let lower = |c: u8| c.to_ascii_lowercase();
        return a.bytes().map(lower).cmp(b.bytes().map(lower));
    }
    foldcase(a).cmp(&foldcase(b))
}

fn string_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string=?", args, false, Ordering::is_eq)
}

fn string_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string<?", args, false, Ordering::is_lt)
}

fn string_gt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string>?", args, false, Ordering::is_gt)
}

fn string_le(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string<=?", args, false, Ordering::is_le)
}

fn string_ge(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string>=?", args, false, Ordering::is_ge)
}

fn string_ci_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string-ci=?", args, true, Ordering::is_eq)
}

fn string_ci_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string-ci<?", args, true, Ordering::is_lt)
}

fn string_ci_gt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string-ci>?", args, true, Ordering::is_gt)
}

fn string_ci_le(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string-ci<=?", args, true, Ordering::is_le)
}

fn string_ci_ge(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_strings("string-ci>=?", args, true, Ordering::is_ge)
}

// ---------------------------------------------------------------------------------------------
// racket/string: joining, splitting, trimming, replacing, searching
// ---------------------------------------------------------------------------------------------

fn string_join(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let strs = args[0]
        .list_to_vec()
        .filter(|items| items.iter().all(|v| matches!(v, Value::Str(_))))
        .ok_or_else(|| Error::contract("string-join", "(listof string?)", &args[0]))?;
    let sep = match args.get(1) {
        Some(v) => args::string("string-join", v)?,
        None => " ",
    };
    let optional = |name: &str| {
        args::keyword(kws, name)
            .map(|v| args::string("string-join", v))
            .transpose()
    };
    let before_first = optional("before-first")?;
    let before_last = optional("before-last")?.unwrap_or(sep);
    let after_last = optional("after-last")?;
    let mut out = String::new();
    out.push_str(before_first.unwrap_or(""));
    let count = strs.len();
    for (i, item) in strs.iter().enumerate() {
        if i > 0 {
            out.push_str(if i + 1 == count { before_last } else { sep });
        }
        out.push_str(args::string("string-join", item)?);
    }
    out.push_str(after_last.unwrap_or(""));
    Ok(Value::string(out))
}

/// What separates the pieces of a string for `string-split`, `string-trim` and friends.
enum Separator {
    /// The default: runs of space, tab, newline, form feed and return (Racket's `\s+`).
    Whitespace,
    Literal(Rc<String>),
    Pattern {
        source: String,
        pregexp: bool,
    },
}

fn is_separator_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

impl Separator {
    fn from_arg(who: &str, v: Option<&Value>) -> R<Separator> {
        match v {
            None => Ok(Separator::Whitespace),
            Some(Value::Regex(rx)) => Ok(Separator::Pattern {
                source: rx.source.clone(),
                pregexp: rx.pregexp,
            }),
            Some(other) => Ok(Separator::Literal(string_or_regexp(who, other)?)),
        }
    }

    /// A regexp for the separator (`repeat`: one or more in a row), anchored as asked; this is
    /// how `racket/string` itself works for regexp separators.
    fn regex(
        &self,
        who: &str,
        repeat: bool,
        anchor_start: bool,
        anchor_end: bool,
    ) -> R<Option<Regex>> {
        let Separator::Pattern { source, pregexp } = self else {
            return Ok(None);
        };
        let mut pattern = format!("(?:{source})");
        if repeat {
            pattern = format!("(?:{pattern})+");
        }
        if anchor_start {
            pattern.insert(0, '^');
        }
        if anchor_end {
            pattern.push('$');
        }
        crate::builtins::regex::compile(&pattern, *pregexp)
            .map(Some)
            .map_err(|msg| Error::contract_msg(who, msg))
    }

    /// The byte length of the separator match at the start of `s` (0 if none).
    fn leading(&self, who: &str, s: &str, repeat: bool) -> R<usize> {
        Ok(match self {
            Separator::Whitespace => s.bytes().take_while(|&b| is_separator_space(b)).count(),
            Separator::Literal(lit) if lit.is_empty() => 0,
            Separator::Literal(lit) => {
                let mut end = 0;
                while s[end..].starts_with(&**lit) {
                    end += lit.len();
                    if !repeat {
                        break;
                    }
                }
                end
            }
            Separator::Pattern { .. } => match self.regex(who, repeat, true, false)? {
                Some(rx) => first_match(who, &rx, s)?.map_or(0, |(_, end)| end),
                None => 0,
            },
        })
    }

    /// Where the separator match that ends `s` starts (`s.len()` if none).
    fn trailing(&self, who: &str, s: &str, repeat: bool) -> R<usize> {
        Ok(match self {
            Separator::Whitespace => {
                s.len()
                    - s.bytes()
                        .rev()
                        .take_while(|&b| is_separator_space(b))
                        .count()
            }
            Separator::Literal(lit) if lit.is_empty() => s.len(),
            Separator::Literal(lit) => {
                let mut start = s.len();
                while s[..start].ends_with(&**lit) {
                    start -= lit.len();
                    if !repeat {
                        break;
                    }
                }
                start
            }
            Separator::Pattern { .. } => match self.regex(who, repeat, false, true)? {
                Some(rx) => first_match(who, &rx, s)?.map_or(s.len(), |(start, _)| start),
                None => s.len(),
            },
        })
    }

    /// The separator matches in `s`, left to right, as byte ranges.
    fn matches(&self, who: &str, s: &str, repeat: bool) -> R<Vec<(usize, usize)>> {
        Ok(match self {
            Separator::Whitespace => {
                let bytes = s.as_bytes();
                let mut found = Vec::new();
                let mut i = 0;
                while i < bytes.len() {
                    if is_separator_space(bytes[i]) {
                        let start = i;
                        while i < bytes.len() && is_separator_space(bytes[i]) {
                            i += 1;
                        }
                        found.push((start, i));
                    } else {
                        i += 1;
                    }
                }
                found
            }
            Separator::Literal(lit) if lit.is_empty() => s
                .char_indices()
                .map(|(i, _)| (i, i))
                .chain(std::iter::once((s.len(), s.len())))
                .collect(),
            Separator::Literal(lit) => {
                let mut found: Vec<(usize, usize)> = Vec::new();
                for (start, m) in s.match_indices(&**lit) {
                    match found.last_mut() {
                        Some(last) if repeat && last.1 == start => last.1 = start + m.len(),
                        _ => found.push((start, start + m.len())),
                    }
                }
                found
            }
            Separator::Pattern { .. } => match self.regex(who, repeat, false, false)? {
                Some(rx) => rx
                    .compiled
                    .find_iter(s)
                    .map(|m| {
                        m.map(|m| (m.start(), m.end()))
                            .map_err(|e| regex_failure(who, e))
                    })
                    .collect::<R<Vec<_>>>()?,
                None => Vec::new(),
            },
        })
    }

    /// Racket's `internal-trim`: the byte range left after trimming, as optional ends.
    fn trim_bounds(
        &self,
        who: &str,
        s: &str,
        left: bool,
        right: bool,
        repeat: bool,
    ) -> R<(Option<usize>, Option<usize>)> {
        let l = if left {
            Some(self.leading(who, s, repeat)?).filter(|&l| l > 0)
        } else {
            None
        };
        let r = if right {
            Some(self.trailing(who, s, repeat)?)
                .filter(|&r| r < s.len())
                .map(|r| r.max(l.unwrap_or(0)))
        } else {
            None
        };
        Ok((l, r))
    }

    fn split<'s>(&self, who: &str, s: &'s str, trim: bool, repeat: bool) -> R<Vec<&'s str>> {
        let (l, r) = if trim {
            self.trim_bounds(who, s, true, true, repeat)?
        } else {
            (None, None)
        };
        let region = &s[l.unwrap_or(0)..r.unwrap_or(s.len())];
        let mut pieces = Vec::new();
        let mut last = 0;
        for (start, end) in self.matches(who, region, repeat)? {
            pieces.push(&region[last..start]);
            last = end;
        }
        pieces.push(&region[last..]);
        if pieces == [""] {
            pieces.clear();
        }
        Ok(pieces)
    }
}

/// A string argument where a regexp would also do (regexps are handled by the caller).
fn string_or_regexp(who: &str, v: &Value) -> R<Rc<String>> {
    args::rc_string(who, v).map_err(|e| match v {
        Value::Syntax(_) => e,
        _ => Error::contract(who, "(or/c string? regexp?)", v),
    })
}

fn first_match(who: &str, rx: &Regex, s: &str) -> R<Option<(usize, usize)>> {
    rx.compiled
        .find(s)
        .map(|m| m.map(|m| (m.start(), m.end())))
        .map_err(|e| regex_failure(who, e))
}

fn regex_failure(who: &str, e: fancy_regex::Error) -> Error {
    Error::fail(format!("{who}: regular expression matching failed: {e}"))
}

fn flag(kws: &[(Symbol, Value)], name: &str, default: bool) -> bool {
    args::keyword(kws, name).map_or(default, Value::is_true)
}

fn list_of_strings(pieces: &[&str]) -> Value {
    Value::from_iter_list(pieces.iter().map(|p| Value::str(p)))
}

fn string_split(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let s = args::string("string-split", &args[0])?;
    let sep = Separator::from_arg("string-split", args.get(1))?;
    let pieces = sep.split(
        "string-split",
        s,
        flag(kws, "trim?", true),
        flag(kws, "repeat?", false),
    )?;
    Ok(list_of_strings(&pieces))
}

fn string_trim(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let s = args::string("string-trim", &args[0])?;
    let sep = Separator::from_arg("string-trim", args.get(1))?;
    let (left, right, repeat) = (
        flag(kws, "left?", true),
        flag(kws, "right?", true),
        flag(kws, "repeat?", false),
    );
    let (l, r) = sep.trim_bounds("string-trim", s, left, right, repeat)?;
    if l.is_none() && r.is_none() {
        return Ok(args[0].clone());
    }
    Ok(Value::str(&s[l.unwrap_or(0)..r.unwrap_or(s.len())]))
}

fn string_normalize_spaces(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "string-normalize-spaces";
    let s = args::string(who, &args[0])?;
    let sep = Separator::from_arg(who, args.get(1))?;
    let space = match args.get(2) {
        Some(v) => args::string(who, v)?,
        None => " ",
    };
    let pieces = sep.split(
        who,
        s,
        flag(kws, "trim?", true),
        flag(kws, "repeat?", false),
    )?;
    Ok(Value::string(pieces.join(space)))
}

fn string_replace(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "string-replace";
    let s = args::string(who, &args[0])?;
    let to = args::string(who, &args[2])?;
    let all = flag(kws, "all?", true);
    let replaced = match &args[1] {
        Value::Regex(rx) => rx
            .compiled
            .try_replacen(s, if all { 0 } else { 1 }, fancy_regex::NoExpand(to))
            .map_err(|e| regex_failure(who, e))?
            .into_owned(),
        other => {
            let from = string_or_regexp(who, other)?;
            if all {
                s.replace(&*from, to)
            } else {
                s.replacen(&*from, to, 1)
            }
        }
    };
    Ok(Value::string(replaced))
}

fn two_strings<'a>(who: &str, args: &'a [Value]) -> R<(&'a str, &'a str)> {
    Ok((args::string(who, &args[0])?, args::string(who, &args[1])?))
}

fn string_contains_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (s, sub) = two_strings("string-contains?", args)?;
    Ok(Value::Bool(s.contains(sub)))
}

fn string_prefix_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (s, prefix) = two_strings("string-prefix?", args)?;
    Ok(Value::Bool(s.starts_with(prefix)))
}

fn string_suffix_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (s, suffix) = two_strings("string-suffix?", args)?;
    Ok(Value::Bool(s.ends_with(suffix)))
}

// ---------------------------------------------------------------------------------------------
// Symbols and keywords
// ---------------------------------------------------------------------------------------------

fn symbol_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Symbol(_))))
}

fn keyword_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Keyword(_))))
}

fn string_to_symbol(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Symbol(Symbol::intern(args::string(
        "string->symbol",
        &args[0],
    )?)))
}

fn symbol_to_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::str(args::symbol("symbol->string", &args[0])?.name()))
}

fn string_to_keyword(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Keyword(Symbol::intern(args::string(
        "string->keyword",
        &args[0],
    )?)))
}

fn keyword_arg(who: &str, v: &Value) -> R<Symbol> {
    match v {
        Value::Keyword(k) => Ok(*k),
        other => Err(Error::contract(who, "keyword?", other)),
    }
}

fn keyword_to_string(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::str(keyword_arg("keyword->string", &args[0])?.name()))
}

fn string_to_uninterned_symbol(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Symbol(Symbol::uninterned(args::string(
        "string->uninterned-symbol",
        &args[0],
    )?)))
}

fn symbol_interned_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        args::symbol("symbol-interned?", &args[0])?.is_interned(),
    ))
}

static GENSYM_COUNTER: AtomicU64 = AtomicU64::new(1);

fn gensym(_: &mut Interp, args: &[Value]) -> R<Value> {
    let prefix = match args.first() {
        None => "g",
        Some(Value::Symbol(s)) => s.name(),
        Some(Value::Str(s)) => s,
        Some(other) => return Err(Error::contract("gensym", "(or/c symbol? string?)", other)),
    };
    let n = GENSYM_COUNTER.fetch_add(1, AtomicOrdering::Relaxed);
    Ok(Value::Symbol(Symbol::uninterned(&format!("{prefix}{n}"))))
}

fn names_ordered(who: &str, args: &[Value], name_of: fn(&str, &Value) -> R<Symbol>) -> R<Value> {
    let names = args
        .iter()
        .map(|v| name_of(who, v).map(Symbol::name))
        .collect::<R<Vec<&str>>>()?;
    Ok(Value::Bool(names.windows(2).all(|w| w[0] < w[1])))
}

fn symbol_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    names_ordered("symbol<?", args, args::symbol)
}

fn keyword_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    names_ordered("keyword<?", args, keyword_arg)
}

// ---------------------------------------------------------------------------------------------
// format
// ---------------------------------------------------------------------------------------------

/// Racket's `error-print-width`: how much of a value `~.a` and error messages show.
const ERROR_PRINT_WIDTH: usize = 256;

/// What a `format` directive does with its argument.
#[derive(Clone, Copy)]
enum Directive {
    Show { mode: Mode, truncate: bool },
    Char,
    Radix(u32),
}

/// One piece of a format string.
enum Piece<'a> {
    Text(&'a str),
    Arg(Directive),
}

/// Splits a format string into literal text and directives, handing each to `piece` in order
/// and reporting ill-formed patterns in Racket's words. (Going over the string again is
/// cheaper than collecting the pieces.)
fn parse_format<'a>(
    who: &str,
    fmt: &'a str,
    args: &[Value],
    mut piece: impl FnMut(Piece<'a>) -> R<()>,
) -> R<()> {
    let mut rest = fmt;
    // A byte search: `~` is ASCII, so its byte position is a character boundary, and
    // `str::find` costs more than the scan on the short strings `format` gets.
    while let Some(tilde) = rest.bytes().position(|b| b == b'~') {
        if tilde > 0 {
            piece(Piece::Text(&rest[..tilde]))?;
        }
        let mut chars = rest[tilde + 1..].chars();
        let Some(tag) = chars.next() else {
            return Err(ill_formed(who, "cannot end in `~`", args));
        };
        let mut after = tilde + 1 + tag.len_utf8();
        match tag.to_ascii_lowercase() {
            'n' | '%' => piece(Piece::Text("\n"))?,
            '~' => piece(Piece::Text("~"))?,
            'a' => piece(Piece::Arg(Directive::Show {
                mode: Mode::Display,
                truncate: false,
            }))?,
            's' => piece(Piece::Arg(Directive::Show {
                mode: Mode::Write,
                truncate: false,
            }))?,
            'v' => piece(Piece::Arg(Directive::Show {
                mode: Mode::Print,
                truncate: false,
            }))?,
            'e' => piece(Piece::Arg(Directive::Show {
                mode: Mode::Print,
                truncate: true,
            }))?,
            'c' => piece(Piece::Arg(Directive::Char))?,
            'b' => piece(Piece::Arg(Directive::Radix(2)))?,
            'o' => piece(Piece::Arg(Directive::Radix(8)))?,
            'x' => piece(Piece::Arg(Directive::Radix(16)))?,
            '.' => {
                let mode = match chars.next().map(|c| c.to_ascii_lowercase()) {
                    Some('a') => Mode::Display,
                    Some('s') => Mode::Write,
                    Some('v') => Mode::Print,
                    _ => {
                        return Err(ill_formed(
                            who,
                            "tag `~.` not followed by `a`, `s`, or `v`",
                            args,
                        ))
                    }
                };
                after += 1;
                piece(Piece::Arg(Directive::Show {
                    mode,
                    truncate: true,
                }))?;
            }
            c if c.is_whitespace() => after = tilde + 1 + skipped_whitespace(&rest[tilde + 1..]),
            _ => return Err(ill_formed(who, &format!("tag `~{tag}` not allowed"), args)),
        }
        rest = &rest[after..];
    }
    if !rest.is_empty() {
        piece(Piece::Text(rest))?;
    }
    Ok(())
}

/// `~` followed by whitespace skips the whitespace, up to but not including a second newline.
fn skipped_whitespace(s: &str) -> usize {
    let mut newline_seen = false;
    for (i, c) in s.char_indices() {
        if !c.is_whitespace() || (c == '\n' && newline_seen) {
            return i;
        }
        newline_seen |= c == '\n';
    }
    s.len()
}

/// `; arguments were: 1 "b"`, the suffix Racket adds to `format`'s errors.
fn arguments_were(args: &[Value]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let shown: Vec<String> = args.iter().map(error_value_string).collect();
    format!("; arguments were: {}", shown.join(" "))
}

/// A value as error messages show it: `print` style, cut to `error-print-width`.
pub fn error_value_string(v: &Value) -> String {
    truncate_chars(print_string(v), ERROR_PRINT_WIDTH)
}

fn truncate_chars(s: String, width: usize) -> String {
    match s.char_indices().nth(width) {
        Some(_) => {
            let cut = s.char_indices().nth(width - 3).map_or(s.len(), |(i, _)| i);
            format!("{}...", &s[..cut])
        }
        None => s,
    }
}

fn ill_formed(who: &str, explanation: &str, args: &[Value]) -> Error {
    Error::contract_msg(
        who,
        format!(
            "ill-formed pattern string\n  explanation: {explanation}{}",
            arguments_were(args)
        ),
    )
}

/// Fills in a `format` string (also used by `printf`, `fprintf`, `eprintf` and `error`).
pub fn format_string(_interp: &mut Interp, who: &str, fmt: &str, args: &[Value]) -> R<String> {
    let mut wanted = 0;
    parse_format(who, fmt, args, |piece| {
        wanted += matches!(piece, Piece::Arg(_)) as usize;
        Ok(())
    })?;
    if wanted != args.len() {
        return Err(Error::contract_msg(
            who,
            format!(
                "format string requires {wanted} arguments, given {}{}",
                args.len(),
                arguments_were(args)
            ),
        ));
    }
    let mut out = String::with_capacity(fmt.len() + 8 * args.len());
    let mut next_arg = args.iter();
    parse_format(who, fmt, args, |piece| {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Arg(directive) => {
                let arg = next_arg.next().unwrap_or(&Value::Void);
                format_arg(who, &mut out, directive, arg, args)?;
            }
        }
        Ok(())
    })?;
    Ok(out)
}

fn format_arg(
    who: &str,
    out: &mut String,
    directive: Directive,
    arg: &Value,
    args: &[Value],
) -> R<()> {
    let wrong = |what: &str| {
        Error::contract_msg(
            who,
            format!(
                "format string requires a {what}, given something else\n  bad argument: {}{}",
                error_value_string(arg),
                arguments_were(args)
            ),
        )
    };
    match directive {
        Directive::Show {
            mode: Mode::Display,
            truncate: false,
        } if matches!(arg, Value::Str(_)) => {
            if let Value::Str(s) = arg {
                out.push_str(s);
            }
        }
        Directive::Show {
            mode,
            truncate: false,
        } => write_value(out, arg, mode),
        Directive::Show {
            mode,
            truncate: true,
        } => {
            let mut shown = String::new();
            write_value(&mut shown, arg, mode);
            out.push_str(&truncate_chars(shown, ERROR_PRINT_WIDTH));
        }
        Directive::Char => match arg {
            Value::Char(c) => out.push(*c),
            _ => return Err(wrong("character")),
        },
        Directive::Radix(radix) => match arg {
            Value::Int(_) | Value::Big(_) | Value::Rat(_) => {
                out.push_str(&number_to_string(arg, radix))
            }
            _ => return Err(wrong("exact integer")),
        },
    }
    Ok(())
}

fn format_prim(interp: &mut Interp, args: &[Value]) -> R<Value> {
    let fmt = args::string("format", &args[0])?;
    Ok(Value::string(format_string(
        interp,
        "format",
        fmt,
        &args[1..],
    )?))
}

// ---------------------------------------------------------------------------------------------
// racket/format: ~a ~s ~v ~e
// ---------------------------------------------------------------------------------------------

const CAT_KEYWORDS: &[&str] = &[
    "separator",
    "width",
    "max-width",
    "min-width",
    "limit-marker",
    "limit-prefix?",
    "align",
    "pad-string",
    "left-pad-string",
    "right-pad-string",
];

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Right,
    Center,
}

fn cat_display(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    cat(interp, "~a", Mode::Display, false, args, kws)
}

fn cat_write(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    cat(interp, "~s", Mode::Write, false, args, kws)
}

fn cat_print(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    cat(interp, "~v", Mode::Print, false, args, kws)
}

fn cat_error(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    cat(interp, "~e", Mode::Print, true, args, kws)
}

fn natural_keyword(who: &str, kws: &[(Symbol, Value)], name: &str) -> R<Option<usize>> {
    match args::keyword(kws, name) {
        None => Ok(None),
        Some(v) => args::position(who, v).map(Some),
    }
}

fn string_keyword<'a>(
    who: &str,
    kws: &'a [(Symbol, Value)],
    name: &str,
    non_empty: bool,
) -> R<Option<&'a str>> {
    match args::keyword(kws, name) {
        None => Ok(None),
        Some(Value::Str(s)) if !(non_empty && s.is_empty()) => Ok(Some(s)),
        Some(other) => Err(Error::contract(
            who,
            if non_empty {
                "non-empty-string?"
            } else {
                "string?"
            },
            other,
        )),
    }
}

/// `racket/format`'s shared `%cat`: format each value, join, cut to the maximum width, pad
/// to the minimum width.
fn cat(
    _: &mut Interp,
    who: &str,
    mode: Mode,
    error_style: bool,
    args: &[Value],
    kws: &[(Symbol, Value)],
) -> R<Value> {
    let plain = mode == Mode::Display;
    let width = match args::keyword(kws, "width") {
        Some(Value::Bool(false)) | None => None,
        Some(_) => natural_keyword(who, kws, "width")?,
    };
    let limit = match args::keyword(kws, "max-width") {
        Some(Value::Float(f)) if *f == f64::INFINITY => None,
        Some(_) => natural_keyword(who, kws, "max-width")?,
        None => width,
    };
    let pad_to = natural_keyword(who, kws, "min-width")?
        .or(width)
        .unwrap_or(0);
    let marker =
        string_keyword(who, kws, "limit-marker", false)?.unwrap_or(if plain { "" } else { "..." });
    let limit_prefix = flag(kws, "limit-prefix?", false);
    let align = match args::keyword(kws, "align") {
        None => Align::Left,
        Some(v) => match v.as_symbol().map(Symbol::name) {
            Some("left") => Align::Left,
            Some("right") => Align::Right,
            Some("center") => Align::Center,
            _ => return Err(Error::contract(who, "(or/c 'left 'right 'center)", v)),
        },
    };
    let padding = string_keyword(who, kws, "pad-string", true)?.unwrap_or(" ");
    let left_padding = string_keyword(who, kws, "left-pad-string", true)?.unwrap_or(padding);
    let right_padding = string_keyword(who, kws, "right-pad-string", true)?.unwrap_or(padding);
    let separator =
        string_keyword(who, kws, "separator", false)?.unwrap_or(if plain { "" } else { " " });
    if let Some(limit) = limit {
        if pad_to > limit {
            return Err(Error::fail(format!(
                "{who}: pad-to length greater than limit ({limit}): {pad_to}"
            )));
        }
        if char_count(marker) > limit {
            return Err(Error::fail(format!(
                "{who}: limit-marker string longer than limit ({limit}): {}",
                error_value_string(&Value::str(marker))
            )));
        }
    }
    let mut text = String::new();
    for (i, v) in args.iter().enumerate() {
        if i > 0 {
            text.push_str(separator);
        }
        if error_style {
            text.push_str(&error_value_string(v));
        } else {
            write_value(&mut text, v, mode);
        }
    }
    if let Some(limit) = limit {
        text = limit_text(text, limit, marker, limit_prefix);
    }
    Ok(Value::string(pad_text(
        text,
        pad_to,
        align,
        left_padding,
        right_padding,
    )))
}

fn limit_text(text: String, limit: usize, marker: &str, prefix: bool) -> String {
    let len = char_count(&text);
    if len <= limit {
        return text;
    }
    let keep = limit - char_count(marker);
    if prefix {
        let from = byte_offset(&text, len - keep).unwrap_or(text.len());
        format!("{marker}{}", &text[from..])
    } else {
        let to = byte_offset(&text, keep).unwrap_or(text.len());
        format!("{}{marker}", &text[..to])
    }
}

fn pad_text(
    text: String,
    pad_to: usize,
    align: Align,
    left_padding: &str,
    right_padding: &str,
) -> String {
    let len = char_count(&text);
    if len >= pad_to {
        return text;
    }
    let missing = pad_to - len;
    let (left, right) = match align {
        Align::Left => (0, missing),
        Align::Right => (missing, 0),
        Align::Center => (missing / 2, missing - missing / 2),
    };
    let mut out =
        String::with_capacity(text.len() + missing * left_padding.len().max(right_padding.len()));
    out.push_str(&padding(left_padding, left, true));
    out.push_str(&text);
    out.push_str(&padding(right_padding, right, false));
    out
}

/// `count` characters of the repeated pattern: on the left the repetition starts at the
/// pattern's start, on the right it ends at the pattern's end.
fn padding(pattern: &str, count: usize, left: bool) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    if chars.is_empty() || count == 0 {
        return String::new();
    }
    let offset = if left {
        0
    } else {
        (chars.len() - count % chars.len()) % chars.len()
    };
    (0..count)
        .map(|i| chars[(i + offset) % chars.len()])
        .collect()
}

// ---------------------------------------------------------------------------------------------
// racket/format: ~r
// ---------------------------------------------------------------------------------------------

/// How `~r` marks the sign: text before and after the digits for positive, zero and negative.
struct SignMarks {
    positive: (String, String),
    zero: (String, String),
    negative: (String, String),
}

/// The digit settings of a `~r` call.
struct Digits<'a> {
    base: u32,
    upper: bool,
    precision: usize,
    /// `#:precision '(= n)`: always exactly n fraction digits.
    exactly: bool,
    groups: Vec<usize>,
    group_sep: &'a str,
    decimal_sep: &'a str,
    exponent_format: Value,
}

fn cat_real(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "~r";
    let n = &args[0];
    let rational = match n {
        Value::Int(_) | Value::Big(_) | Value::Rat(_) => true,
        Value::Float(f) => f.is_finite(),
        _ => false,
    };
    if !rational {
        return Err(Error::contract(who, "rational?", n));
    }
    let (base, upper) = real_base(who, args::keyword(kws, "base"))?;
    let (precision, exactly) = real_precision(who, args::keyword(kws, "precision"))?;
    let settings = Digits {
        base,
        upper,
        precision,
        exactly,
        groups: real_groups(who, args::keyword(kws, "groups"))?,
        group_sep: string_keyword(who, kws, "group-sep", false)?.unwrap_or(""),
        decimal_sep: string_keyword(who, kws, "decimal-sep", false)?.unwrap_or("."),
        exponent_format: args::keyword(kws, "format-exponent")
            .cloned()
            .unwrap_or(Value::Bool(false)),
    };
    let min_width = match args::keyword(kws, "min-width") {
        None => 1,
        Some(Value::Int(w)) if *w > 0 => *w as usize,
        Some(other) => return Err(Error::contract(who, "exact-positive-integer?", other)),
    };
    let pad = string_keyword(who, kws, "pad-string", true)?.unwrap_or(" ");
    let sign = sign_marks(who, args::keyword(kws, "sign"))?;
    let notation = match args::keyword(kws, "notation") {
        Some(f) if f.is_procedure() => interp.apply(f, vec![n.clone()])?,
        Some(v) => v.clone(),
        None => Value::sym("positional"),
    };
    let digits = match notation.as_symbol().map(Symbol::name) {
        Some("positional") => positional(who, n, &settings)?,
        Some("exponential") => exponential(interp, who, &exact_magnitude(n), &settings)?,
        _ => {
            return Err(Error::contract(
                who,
                "(or/c 'positional 'exponential)",
                &notation,
            ))
        }
    };
    let padded = pad_text(digits, min_width, Align::Right, pad, pad);
    let (before, after) = if is_negative_or_minus_zero(n) {
        &sign.negative
    } else if is_zero(n) {
        &sign.zero
    } else {
        &sign.positive
    };
    Ok(Value::string(format!("{before}{padded}{after}")))
}

fn real_base(who: &str, v: Option<&Value>) -> R<(u32, bool)> {
    let expected = "(or/c (integer-in 2 36) (list/c 'up (integer-in 2 36)))";
    plain_or_tagged(who, v, 10, "up", expected, |v| match v {
        Value::Int(b) if (2..=36).contains(b) => Some(*b as u32),
        _ => None,
    })
}

fn real_precision(who: &str, v: Option<&Value>) -> R<(usize, bool)> {
    let expected = "(or/c natural? (list/c '= natural?))";
    plain_or_tagged(who, v, 6, "=", expected, |v| match v {
        Value::Int(p) if *p >= 0 && *p <= 1000 => Some(*p as usize),
        _ => None,
    })
}

/// A `~r` option given as a plain setting or as `(tag setting)`: the setting (`default` when
/// the option is absent) and whether the tag was there.
fn plain_or_tagged<T>(
    who: &str,
    v: Option<&Value>,
    default: T,
    tag: &str,
    expected: &str,
    setting: impl Fn(&Value) -> Option<T>,
) -> R<(T, bool)> {
    let Some(v) = v else {
        return Ok((default, false));
    };
    if let Some(plain) = setting(v) {
        return Ok((plain, false));
    }
    if let Some([t, x]) = v.list_to_vec().as_deref() {
        if let (Some(tagged), true) = (setting(x), t.as_symbol().is_some_and(|s| s.name() == tag)) {
            return Ok((tagged, true));
        }
    }
    Err(Error::contract(who, expected, v))
}

fn real_groups(who: &str, v: Option<&Value>) -> R<Vec<usize>> {
    let Some(v) = v else {
        return Ok(vec![3]);
    };
    let sizes: Option<Vec<usize>> = v.list_to_vec().and_then(|items| {
        items
            .iter()
            .map(|g| match g {
                Value::Int(n) if *n > 0 => Some(*n as usize),
                _ => None,
            })
            .collect()
    });
    sizes
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::contract(who, "(non-empty-listof exact-positive-integer?)", v))
}

fn sign_marks(who: &str, v: Option<&Value>) -> R<SignMarks> {
    let plain = |s: &str| (s.to_string(), String::new());
    let table = |p: &str, z: &str, n: &str| SignMarks {
        positive: plain(p),
        zero: plain(z),
        negative: plain(n),
    };
    let expected = "(or/c #f '+ '++ 'parens (list/c indicator indicator indicator))";
    match v {
        None | Some(Value::Bool(false)) => Ok(table("", "", "-")),
        Some(Value::Symbol(s)) => match s.name() {
            "+" => Ok(table("+", "", "-")),
            "++" => Ok(table("+", "+", "-")),
            "parens" => Ok(SignMarks {
                negative: ("(".into(), ")".into()),
                ..table("", "", "")
            }),
            _ => Err(Error::contract(who, expected, &Value::Symbol(*s))),
        },
        Some(v) => {
            let indicator = |ind: &Value| -> Option<(String, String)> {
                match ind {
                    Value::Str(s) => Some(plain(s)),
                    _ => match ind.list_to_vec().as_deref() {
                        Some([Value::Str(a), Value::Str(b)]) => {
                            Some((a.to_string(), b.to_string()))
                        }
                        _ => None,
                    },
                }
            };
            match v.list_to_vec().as_deref() {
                Some([p, z, n]) => match (indicator(p), indicator(z), indicator(n)) {
                    (Some(positive), Some(zero), Some(negative)) => Ok(SignMarks {
                        positive,
                        zero,
                        negative,
                    }),
                    _ => Err(Error::contract(who, expected, v)),
                },
                _ => Err(Error::contract(who, expected, v)),
            }
        }
    }
}

fn is_negative_or_minus_zero(n: &Value) -> bool {
    match n {
        Value::Int(i) => *i < 0,
        Value::Big(b) => b.is_negative(),
        Value::Rat(r) => r.is_negative(),
        Value::Float(f) => *f < 0.0 || (*f == 0.0 && f.is_sign_negative()),
        _ => false,
    }
}

fn is_zero(n: &Value) -> bool {
    match n {
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        _ => false,
    }
}

/// |n| as an exact rational (flonums convert exactly, as `inexact->exact` does).
fn exact_magnitude(n: &Value) -> BigRational {
    let exact = match n {
        Value::Float(f) => float_to_exact(*f).and_then(|v| to_rational(&v)),
        other => to_rational(other),
    };
    exact.unwrap_or_else(BigRational::zero).abs()
}

fn radix_digits(n: &BigInt, base: u32, upper: bool) -> String {
    let digits = n.to_str_radix(base);
    if upper {
        digits.to_uppercase()
    } else {
        digits
    }
}

/// Racket's `round*`: halves round away from zero (the argument is never negative).
fn round_half_up(x: &BigRational) -> BigInt {
    if x.is_integer() {
        x.to_integer()
    } else {
        (x + BigRational::new(BigInt::one(), BigInt::from(2)))
            .trunc()
            .to_integer()
    }
}

/// `~r`'s positional notation. Flonums follow Racket in computing the fraction digits in
/// flonum arithmetic, which decides how halves round (1.005 to 2 places is "1").
fn positional(who: &str, n: &Value, settings: &Digits) -> R<String> {
    let Digits {
        base,
        upper,
        precision,
        exactly,
        ..
    } = *settings;
    let scale = BigInt::from(base).pow(precision as u32);
    let (whole, fraction) = match n {
        Value::Float(f) => {
            let magnitude = f.abs();
            let whole = magnitude.floor();
            let scaled = (magnitude - whole) * scale.to_f64().unwrap_or(f64::INFINITY);
            let rounded = if scaled.fract() == 0.0 {
                scaled
            } else {
                (scaled + 0.5).trunc()
            };
            match (BigInt::from_f64(whole), BigInt::from_f64(rounded)) {
                (Some(w), Some(r)) => (w, r),
                _ => return Err(Error::contract_msg(who, "precision too large for a flonum")),
            }
        }
        other => {
            let magnitude = exact_magnitude(other);
            let whole = magnitude.floor().to_integer();
            let fraction = (magnitude - BigRational::from_integer(whole.clone()))
                * BigRational::from_integer(scale.clone());
            (whole, round_half_up(&fraction))
        }
    };
    let (whole, fraction) = if fraction < scale {
        (whole, fraction)
    } else {
        (whole + 1, BigInt::zero())
    };
    let whole_text = if whole.is_zero() {
        "0".to_string()
    } else {
        group_digits(
            &radix_digits(&whole, base, upper),
            &settings.groups,
            settings.group_sep,
        )
    };
    let fraction_text = if exactly && precision == 0 {
        Some(String::new())
    } else if exactly {
        Some(zero_pad(radix_digits(&fraction, base, upper), precision))
    } else if fraction.is_zero() {
        None
    } else {
        let (mut digits_needed, mut f) = (precision, fraction);
        let big_base = BigInt::from(base);
        loop {
            let (q, r) = f.div_rem(&big_base);
            if !r.is_zero() {
                break;
            }
            f = q;
            digits_needed -= 1;
        }
        Some(zero_pad(radix_digits(&f, base, upper), digits_needed))
    };
    Ok(match fraction_text {
        Some(fraction) => format!("{whole_text}{}{fraction}", settings.decimal_sep),
        None => whole_text,
    })
}

fn zero_pad(digits: String, width: usize) -> String {
    let len = digits.len();
    if len >= width {
        digits
    } else {
        format!("{}{digits}", "0".repeat(width - len))
    }
}

/// Separates digit groups from the right: the last size in `groups` applies first and the
/// first size repeats for the remaining digits.
fn group_digits(digits: &str, groups: &[usize], sep: &str) -> String {
    if sep.is_empty() {
        return digits.to_string();
    }
    let mut sizes = groups.iter().rev();
    let mut size = sizes.next().copied().unwrap_or(3);
    let mut pieces = Vec::new();
    let mut end = digits.len();
    while end > 0 {
        let start = end.saturating_sub(size);
        pieces.push(&digits[start..end]);
        end = start;
        if let Some(&next) = sizes.next() {
            size = next;
        }
    }
    pieces.reverse();
    pieces.join(sep)
}

/// `~r`'s exponential notation, following `racket/format`'s scaling and rounding.
fn exponential(
    interp: &mut Interp,
    who: &str,
    magnitude: &BigRational,
    settings: &Digits,
) -> R<String> {
    let Digits {
        base,
        upper,
        precision,
        exactly,
        ..
    } = *settings;
    let exponent_format = &settings.exponent_format;
    if magnitude.is_zero() {
        let fraction = if exactly {
            format!(".{}", "0".repeat(precision))
        } else {
            String::new()
        };
        return Ok(format!(
            "0{fraction}{}",
            exponent_text(interp, who, 0, exponent_format, base)?
        ));
    }
    let big_base = BigInt::from(base);
    let min = big_base.pow(precision as u32);
    let max = &min * &big_base;
    let estimate = ((big_ln(magnitude.numer()) - big_ln(magnitude.denom())) / (base as f64).ln())
        .floor() as i64;
    let mut shift = precision as i64 - estimate;
    let mut m = magnitude * rational_power(base, shift);
    let mut remainder: Option<BigInt> = None;
    let significand = loop {
        if m < BigRational::from_integer(min.clone()) {
            m *= BigRational::from_integer(big_base.clone());
            shift += 1;
            remainder = None;
        } else if m >= BigRational::from_integer(max.clone()) {
            let (q, r) = m.floor().to_integer().div_rem(&big_base);
            m = BigRational::from_integer(q);
            shift -= 1;
            remainder = Some(r);
        } else {
            let rounded = match &remainder {
                Some(r) if r * 2 >= big_base => m.to_integer() + 1,
                Some(_) => m.to_integer(),
                None => round_half_up(&m),
            };
            if rounded < max {
                break rounded;
            }
            m = BigRational::from_integer(rounded);
            remainder = None;
        }
    };
    let (mut significand, mut shown_precision) = (significand, precision);
    if !exactly {
        loop {
            let (q, r) = significand.div_rem(&big_base);
            if !r.is_zero() || shown_precision == 0 {
                break;
            }
            significand = q;
            shown_precision -= 1;
        }
    }
    let digits = radix_digits(&significand, base, upper);
    let (leading, rest) = digits.split_at(1);
    let fraction = if exactly || shown_precision > 0 {
        format!(".{rest}")
    } else {
        String::new()
    };
    let exponent = precision as i64 - shift;
    Ok(format!(
        "{leading}{fraction}{}",
        exponent_text(interp, who, exponent, exponent_format, base)?
    ))
}

fn rational_power(base: u32, exponent: i64) -> BigRational {
    let power = BigInt::from(base).pow(exponent.unsigned_abs() as u32);
    if exponent >= 0 {
        BigRational::from_integer(power)
    } else {
        BigRational::new(BigInt::one(), power)
    }
}

/// The natural logarithm of a positive big integer, even beyond the flonum range.
fn big_ln(n: &BigInt) -> f64 {
    let bits = n.bits();
    if bits < 1000 {
        return n.to_f64().unwrap_or(f64::MAX).ln();
    }
    let shift = bits - 64;
    (n >> shift).to_f64().unwrap_or(f64::MAX).ln() + shift as f64 * std::f64::consts::LN_2
}

fn exponent_text(
    interp: &mut Interp,
    who: &str,
    exponent: i64,
    format: &Value,
    base: u32,
) -> R<String> {
    if format.is_procedure() {
        return match interp.apply(format, vec![Value::Int(exponent)])? {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(Error::contract(who, "string?", &other)),
        };
    }
    let marker = match format {
        Value::Str(s) => s.to_string(),
        _ if base == 10 => "e".to_string(),
        _ => format!("*{base}^"),
    };
    let sign = if exponent < 0 { '-' } else { '+' };
    Ok(format!(
        "{marker}{sign}{}",
        zero_pad(exponent.unsigned_abs().to_string(), 2)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::print::write_string;

    type Plain = fn(&mut Interp, &[Value]) -> R<Value>;
    type Keyed = fn(&mut Interp, &[Value], &[(Symbol, Value)]) -> R<Value>;

    fn s(text: &str) -> Value {
        Value::str(text)
    }

    fn kw(name: &str, v: Value) -> (Symbol, Value) {
        (Symbol::intern(name), v)
    }

    fn run(f: Plain, args: &[Value]) -> R<Value> {
        f(&mut Interp::new(), args)
    }

    fn call(f: Plain, args: &[Value]) -> String {
        match run(f, args) {
            Ok(v) => write_string(&v),
            Err(e) => panic!("unexpected error: {}", e.report()),
        }
    }

    fn call_kw(f: Keyed, args: &[Value], kws: &[(Symbol, Value)]) -> String {
        match f(&mut Interp::new(), args, kws) {
            Ok(v) => write_string(&v),
            Err(e) => panic!("unexpected error: {}", e.report()),
        }
    }

    fn error(result: R<Value>) -> String {
        match result {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.report(),
        }
    }

    fn fmt(pattern: &str, args: &[Value]) -> R<String> {
        format_string(&mut Interp::new(), "format", pattern, args)
    }

    #[test]
    fn indexing_counts_characters() {
        assert_eq!(call(string_length, &[s("héllo")]), "5");
        assert_eq!(call(string_ref, &[s("héllo"), Value::Int(1)]), "#\\é");
        assert_eq!(
            call(string_ref, &[s("Hello, World"), Value::Int(7)]),
            "#\\W"
        );
        assert_eq!(
            call(substring, &[s("héllo"), Value::Int(1), Value::Int(3)]),
            "\"él\""
        );
        assert_eq!(
            call(substring, &[s("Hello, World"), Value::Int(7)]),
            "\"World\""
        );
        assert_eq!(call(substring, &[s("abc"), Value::Int(3)]), "\"\"");
    }

    #[test]
    fn index_errors_match_racket() {
        assert_eq!(
            error(run(string_ref, &[s("abc"), Value::Int(5)])),
            "string-ref: index is out of range\n  index: 5\n  valid range: [0, 2]\n  string: \"abc\""
        );
        assert_eq!(
            error(run(string_ref, &[s(""), Value::Int(0)])),
            "string-ref: index is out of range for empty string\n  index: 0\n  string: \"\""
        );
        assert_eq!(
            error(run(substring, &[s("abc"), Value::Int(2), Value::Int(1)])),
            "substring: ending index is smaller than starting index\n  ending index: 1\n  starting index: 2\n  valid range: [0, 3]\n  string: \"abc\""
        );
        assert_eq!(
            error(run(substring, &[s("abc"), Value::Int(4)])),
            "substring: starting index is out of range\n  starting index: 4\n  valid range: [0, 3]\n  string: \"abc\""
        );
        assert_eq!(
            error(run(substring, &[s("abc"), Value::Int(1), Value::Int(5)])),
            "substring: ending index is out of range\n  ending index: 5\n  valid range: [0, 3]\n  string: \"abc\""
        );
        assert_eq!(
            error(run(string_length, &[Value::Int(1)])),
            "string-length: contract violation\n  expected: string?\n  given: 1"
        );
        assert!(error(run(string_length, &[Value::Syntax(Rc::new("x".to_string()))])).contains("syntax-e"));
    }

    #[test]
    fn building() {
        assert_eq!(
            call(string_append, &[s("a"), s("bc"), s(""), s("def")]),
            "\"abcdef\""
        );
        assert_eq!(call(string_append, &[]), "\"\"");
        assert_eq!(
            call(
                string_append_star,
                &[s("a"), Value::list(vec![s("b"), s("c")])]
            ),
            "\"abc\""
        );
        assert_eq!(
            call(make_string, &[Value::Int(3), Value::Char('z')]),
            "\"zzz\""
        );
        assert_eq!(call(make_string, &[Value::Int(2)]), "\"\\u0000\\u0000\"");
        assert_eq!(
            error(run(make_string, &[Value::Int(-1), Value::Char('a')])),
            "make-string: contract violation\n  expected: valid-string-length?\n  given: -1"
        );
        assert_eq!(
            call(string_from_chars, &[Value::Char('a'), Value::Char('"')]),
            "\"a\\\"\""
        );
        assert_eq!(call(string_to_list, &[s("aé")]), "(#\\a #\\é)");
        assert_eq!(
            call(
                list_to_string,
                &[Value::list(vec![Value::Char('x'), Value::Char('y')])]
            ),
            "\"xy\""
        );
        assert_eq!(
            error(run(list_to_string, &[Value::list(vec![Value::Int(1)])])),
            "list->string: contract violation\n  expected: char?\n  given: 1"
        );
        let original = s("copy");
        let copy = run(string_copy, std::slice::from_ref(&original)).unwrap_or(Value::Void);
        assert!(
            crate::value::equal::equal(&original, &copy)
                && !crate::value::equal::eq(&original, &copy)
        );
    }

    #[test]
    fn case_conversion() {
        assert_eq!(
            call(string_upcase, &[s("MiXeD 123 straße")]),
            "\"MIXED 123 STRASSE\""
        );
        assert_eq!(call(string_downcase, &[s("MiXeD ΣΑΣ")]), "\"mixed σας\"");
        assert_eq!(titlecase("hello there world"), "Hello There World");
        assert_eq!(
            titlecase("hELLO wORLD don't x1y a-b ab_cd"),
            "Hello World Don't X1y A-B Ab_cd"
        );
        assert_eq!(
            titlecase("1abc hello.world 3rd e.g. hi,there 1.5x a..b 'a"),
            "1Abc Hello.world 3Rd E.g. Hi,There 1.5X A..B 'A"
        );
        assert_eq!(titlecase("ﬁsh ǆa"), "Fish ǅa");
        assert_eq!(foldcase("Straße"), "strasse");
    }

    #[test]
    fn comparisons() {
        assert_eq!(call(string_eq, &[s("abc"), s("abc"), s("abc")]), "#t");
        assert_eq!(call(string_lt, &[s("apple"), s("apricot")]), "#t");
        assert_eq!(call(string_gt, &[s("b"), s("abc")]), "#t");
        assert_eq!(call(string_lt, &[s("Zebra"), s("apple")]), "#t");
        assert_eq!(call(string_ci_lt, &[s("Zebra"), s("apple")]), "#f");
        assert_eq!(call(string_ci_eq, &[s("Straße"), s("STRASSE")]), "#t");
        assert_eq!(call(string_eq, &[s("a")]), "#t");
        assert_eq!(
            error(run(string_lt, &[s("b"), s("a"), Value::Int(1)])),
            "string<?: contract violation\n  expected: string?\n  given: 1"
        );
    }

    #[test]
    fn joining() {
        let abc = Value::list(vec![s("a"), s("b"), s("c")]);
        assert_eq!(
            call_kw(string_join, std::slice::from_ref(&abc), &[]),
            "\"a b c\""
        );
        assert_eq!(
            call_kw(string_join, &[abc.clone(), s(", ")], &[]),
            "\"a, b, c\""
        );
        assert_eq!(call_kw(string_join, &[Value::Null, s("-")], &[]), "\"\"");
        assert_eq!(
            call_kw(
                string_join,
                &[abc, s(", ")],
                &[kw("before-last", s(" and "))]
            ),
            "\"a, b and c\""
        );
        let ab = Value::list(vec![s("a"), s("b")]);
        let decorations = [
            kw("before-first", s("[")),
            kw("after-last", s("]")),
            kw("before-last", s(" & ")),
        ];
        assert_eq!(
            call_kw(string_join, &[ab, s(", ")], &decorations),
            "\"[a & b]\""
        );
        assert_eq!(
            call_kw(string_join, &[Value::Null, s(", ")], &decorations),
            "\"[]\""
        );
        let bad = error(string_join(
            &mut Interp::new(),
            &[Value::list(vec![s("a"), Value::Int(1)])],
            &[],
        ));
        assert!(bad.starts_with(
            "string-join: contract violation\n  expected: (listof string?)\n  given: "
        ));
    }

    #[test]
    fn splitting() {
        let split = |args: &[Value], kws: &[(Symbol, Value)]| call_kw(string_split, args, kws);
        assert_eq!(
            split(&[s("  the quick  brown fox ")], &[]),
            "(\"the\" \"quick\" \"brown\" \"fox\")"
        );
        assert_eq!(
            split(&[s("a,b,,c"), s(",")], &[]),
            "(\"a\" \"b\" \"\" \"c\")"
        );
        assert_eq!(split(&[s(",a,b,"), s(",")], &[]), "(\"a\" \"b\")");
        assert_eq!(
            split(&[s("one::two::three"), s("::")], &[]),
            "(\"one\" \"two\" \"three\")"
        );
        assert_eq!(split(&[s("")], &[]), "()");
        assert_eq!(
            split(&[s("abc"), s("")], &[]),
            "(\"\" \"a\" \"b\" \"c\" \"\")"
        );
        assert_eq!(
            split(&[s("  a  b  "), s(" ")], &[]),
            "(\"\" \"a\" \"\" \"b\" \"\")"
        );
        assert_eq!(
            split(&[s("  a  b  "), s(" ")], &[kw("trim?", Value::Bool(false))]),
            "(\"\" \"\" \"a\" \"\" \"b\" \"\" \"\")"
        );
        assert_eq!(
            split(&[s("a  b"), s(" ")], &[kw("repeat?", Value::Bool(true))]),
            "(\"a\" \"b\")"
        );
        assert_eq!(split(&[s("a\u{b}b")], &[]), "(\"a\\vb\")");
        assert_eq!(
            split(&[s("a b "),], &[kw("trim?", Value::Bool(false))]),
            "(\"a\" \"b\" \"\")"
        );
        assert_eq!(
            error(string_split(
                &mut Interp::new(),
                &[s("a b"), Value::Int(1)],
                &[]
            )),
            "string-split: contract violation\n  expected: (or/c string? regexp?)\n  given: 1"
        );
    }

    #[test]
    fn splitting_on_regexps() {
        let rx = match crate::builtins::regex::compile_literal("[,;]", false) {
            Ok(v) => v,
            Err(msg) => panic!("{msg}"),
        };
        let split = |args: &[Value], kws: &[(Symbol, Value)]| call_kw(string_split, args, kws);
        assert_eq!(
            split(&[s(";a,b;;c,"), rx.clone()], &[]),
            "(\"a\" \"b\" \"\" \"c\")"
        );
        assert_eq!(
            split(
                &[s(";a,b;;c,"), rx.clone()],
                &[kw("repeat?", Value::Bool(true))]
            ),
            "(\"a\" \"b\" \"c\")"
        );
        assert_eq!(
            call_kw(
                string_trim,
                &[s(",,x;"), rx.clone()],
                &[kw("repeat?", Value::Bool(true))]
            ),
            "\"x\""
        );
        assert_eq!(
            call_kw(string_replace, &[s("a,b;c"), rx, s("$1")], &[]),
            "\"a$1b$1c\""
        );
    }

    #[test]
    fn trimming_and_replacing() {
        let trim = |args: &[Value], kws: &[(Symbol, Value)]| call_kw(string_trim, args, kws);
        assert_eq!(trim(&[s("  padded  ")], &[]), "\"padded\"");
        assert_eq!(trim(&[s("xxhixx"), s("x")], &[]), "\"xhix\"");
        assert_eq!(
            trim(&[s("aaxaa"), s("a")], &[kw("repeat?", Value::Bool(true))]),
            "\"x\""
        );
        assert_eq!(
            trim(&[s("  left")], &[kw("right?", Value::Bool(false))]),
            "\"left\""
        );
        assert_eq!(
            trim(&[s("right  ")], &[kw("left?", Value::Bool(false))]),
            "\"right\""
        );
        assert_eq!(
            trim(&[s("  x  ")], &[kw("left?", Value::Bool(false))]),
            "\"  x\""
        );
        assert_eq!(trim(&[s("\u{a0} x \u{a0}")], &[]), "\"\u{a0} x \u{a0}\"");
        assert_eq!(trim(&[s("   ")], &[]), "\"\"");
        assert_eq!(
            call_kw(string_normalize_spaces, &[s("  a   b  c ")], &[]),
            "\"a b c\""
        );
        let replace = |args: &[Value], kws: &[(Symbol, Value)]| call_kw(string_replace, args, kws);
        assert_eq!(replace(&[s("a-b-c"), s("-"), s("+")], &[]), "\"a+b+c\"");
        assert_eq!(
            replace(
                &[s("a-b-c"), s("-"), s("+")],
                &[kw("all?", Value::Bool(false))]
            ),
            "\"a+b-c\""
        );
        assert_eq!(replace(&[s("aaa"), s("a"), s("bb")], &[]), "\"bbbbbb\"");
        assert_eq!(replace(&[s("abc"), s(""), s("-")], &[]), "\"-a-b-c-\"");
        assert_eq!(call(string_contains_p, &[s("haystack"), s("st")]), "#t");
        assert_eq!(call(string_prefix_p, &[s("racket"), s("ket")]), "#f");
        assert_eq!(call(string_suffix_p, &[s("racket"), s("")]), "#t");
    }

    #[test]
    fn symbols_and_keywords() {
        assert_eq!(call(string_to_symbol, &[s("has space")]), "|has space|");
        assert_eq!(call(symbol_to_string, &[Value::sym("abc")]), "\"abc\"");
        assert_eq!(call(string_to_keyword, &[s("opt")]), "#:opt");
        assert_eq!(
            call(keyword_to_string, &[Value::Keyword(Symbol::intern("name"))]),
            "\"name\""
        );
        assert_eq!(
            call(
                symbol_lt,
                &[
                    Value::sym("apple"),
                    Value::sym("banana"),
                    Value::sym("cherry")
                ]
            ),
            "#t"
        );
        assert!(error(run(keyword_to_string, &[Value::sym("a")]))
            .starts_with("keyword->string: contract violation\n  expected: keyword?\n  given: "));
        let fresh = run(gensym, &[s("tmp")]).unwrap_or(Value::Void);
        let name = fresh.as_symbol().map(|s| s.name()).unwrap_or("");
        assert!(name.starts_with("tmp") && name.len() > 3);
        assert_eq!(call(symbol_interned_p, &[fresh]), "#f");
        let uninterned = run(string_to_uninterned_symbol, &[s("u")]).unwrap_or(Value::Void);
        assert!(!crate::value::equal::eq(&uninterned, &Value::sym("u")));
    }

    #[test]
    fn format_directives() {
        let args = [s("display"), s("write")];
        assert_eq!(
            fmt("~a and ~s", &args).ok().as_deref(),
            Some("display and \"write\"")
        );
        let c = Value::Char('c');
        assert_eq!(
            fmt("~a ~s ~v", &[c.clone(), c.clone(), c]).ok().as_deref(),
            Some("c #\\c #\\c")
        );
        let sym = Value::sym("sym");
        assert_eq!(
            fmt("~a ~s ~v ~e", &[sym.clone(), sym.clone(), sym.clone(), sym])
                .ok()
                .as_deref(),
            Some("sym sym 'sym 'sym")
        );
        assert_eq!(fmt("~n~%~~", &[]).ok().as_deref(), Some("\n\n~"));
        assert_eq!(
            fmt(
                "~b ~o ~x ~X",
                &[
                    Value::Int(10),
                    Value::Int(10),
                    Value::Int(255),
                    Value::Int(-255)
                ]
            )
            .ok()
            .as_deref(),
            Some("1010 12 ff -ff")
        );
        assert_eq!(fmt("~c", &[Value::Char('λ')]).ok().as_deref(), Some("λ"));
        assert_eq!(fmt("a~ \n   b", &[]).ok().as_deref(), Some("ab"));
        assert_eq!(fmt("a~\n\n b", &[]).ok().as_deref(), Some("a\n b"));
        assert_eq!(
            fmt("~A ~S ~V", &[Value::Int(1), s("2"), s("3")])
                .ok()
                .as_deref(),
            Some("1 \"2\" \"3\"")
        );
        let long = s(&"a".repeat(300));
        let truncated = fmt("~.a", &[long]).unwrap_or_default();
        assert_eq!(truncated.len(), 256);
        assert!(truncated.ends_with("a..."));
    }

    #[test]
    fn format_errors() {
        let report = |r: R<String>| error(r.map(Value::string));
        assert_eq!(
            report(fmt("~a ~a", &[Value::Int(1)])),
            "format: format string requires 2 arguments, given 1; arguments were: 1"
        );
        assert_eq!(
            report(fmt("~a", &[Value::Int(1), s("b"), Value::sym("c")])),
            "format: format string requires 1 arguments, given 3; arguments were: 1 \"b\" 'c"
        );
        assert_eq!(
            report(fmt("~a", &[])),
            "format: format string requires 1 arguments, given 0"
        );
        assert_eq!(
            report(fmt("~z", &[Value::Int(1)])),
            "format: ill-formed pattern string\n  explanation: tag `~z` not allowed; arguments were: 1"
        );
        assert_eq!(
            report(fmt("abc~", &[])),
            "format: ill-formed pattern string\n  explanation: cannot end in `~`"
        );
        assert_eq!(
            report(fmt("~.z", &[Value::Int(1)])),
            "format: ill-formed pattern string\n  explanation: tag `~.` not followed by `a`, `s`, or `v`; arguments were: 1"
        );
        assert_eq!(
            report(fmt("~x", &[Value::Float(1.5)])),
            "format: format string requires a exact integer, given something else\n  bad argument: 1.5; arguments were: 1.5"
        );
        assert_eq!(
            report(fmt("~c", &[Value::Int(1)])),
            "format: format string requires a character, given something else\n  bad argument: 1; arguments were: 1"
        );
    }

    #[test]
    fn tilde_a_family() {
        let cat = |f: Keyed, args: &[Value], kws: &[(Symbol, Value)]| call_kw(f, args, kws);
        let sym = |name: &str| Value::sym(name);
        let int = Value::Int;
        let displayed = [
            (
                vec![s("left")],
                vec![kw("width", int(8)), kw("align", sym("left"))],
                "\"left    \"",
            ),
            (
                vec![s("right")],
                vec![kw("min-width", int(8)), kw("align", sym("right"))],
                "\"   right\"",
            ),
            (
                vec![int(42)],
                vec![kw("min-width", int(5)), kw("pad-string", s("."))],
                "\"42...\"",
            ),
            (
                vec![s("ab")],
                vec![kw("min-width", int(7)), kw("align", sym("center"))],
                "\"  ab   \"",
            ),
            (
                vec![s("ab")],
                vec![
                    kw("min-width", int(7)),
                    kw("align", sym("center")),
                    kw("pad-string", s("xyz")),
                ],
                "\"xyabxyz\"",
            ),
            (
                vec![s("ab")],
                vec![
                    kw("min-width", int(9)),
                    kw("align", sym("right")),
                    kw("pad-string", s("xyz")),
                ],
                "\"xyzxyzxab\"",
            ),
            (
                vec![s("ab")],
                vec![kw("min-width", int(9)), kw("pad-string", s("xyz"))],
                "\"abzxyzxyz\"",
            ),
            (
                vec![s("abcdefghij")],
                vec![kw("max-width", int(5))],
                "\"abcde\"",
            ),
            (
                vec![s("abcdefghij")],
                vec![kw("max-width", int(5)), kw("limit-marker", s("..."))],
                "\"ab...\"",
            ),
            (
                vec![s("abcdef")],
                vec![
                    kw("max-width", int(4)),
                    kw("limit-marker", s("...")),
                    kw("limit-prefix?", Value::Bool(true)),
                ],
                "\"...f\"",
            ),
            (vec![int(1), sym("b"), Value::Char('c')], vec![], "\"1bc\""),
            (
                vec![int(1), int(2)],
                vec![kw("separator", s(", "))],
                "\"1, 2\"",
            ),
        ];
        for (args, kws, expected) in &displayed {
            assert_eq!(cat(cat_display, args, kws), *expected, "~a of {args:?}");
        }
        assert_eq!(
            cat(cat_write, &[s("a"), Value::Int(1)], &[]),
            "\"\\\"a\\\" 1\""
        );
        assert_eq!(cat(cat_print, &[s("a"), sym("b")], &[]), "\"\\\"a\\\" 'b\"");
        assert_eq!(cat(cat_display, &[], &[]), "\"\"");
        assert_eq!(
            error(cat_display(
                &mut Interp::new(),
                &[s("x")],
                &[kw("width", Value::Int(10)), kw("max-width", Value::Int(5))]
            )),
            "~a: pad-to length greater than limit (5): 10"
        );
    }

    #[test]
    fn tilde_r() {
        let r = |n: Value, kws: &[(Symbol, Value)]| call_kw(cat_real, &[n], kws);
        let p = |n: i64| kw("precision", Value::Int(n));
        let exactly = |n: i64| {
            kw(
                "precision",
                Value::list(vec![Value::sym("="), Value::Int(n)]),
            )
        };
        let third = Value::Rat(Rc::new(BigRational::new(BigInt::one(), BigInt::from(3))));
        assert_eq!(r(Value::Float(1.23456), &[p(2)]), "\"1.23\"");
        assert_eq!(r(Value::Float(1.23456), &[]), "\"1.23456\"");
        assert_eq!(r(third.clone(), &[]), "\"0.333333\"");
        assert_eq!(r(Value::Int(2), &[]), "\"2\"");
        assert_eq!(r(Value::Float(2.5), &[p(0)]), "\"3\"");
        assert_eq!(r(Value::Float(2.0), &[]), "\"2\"");
        assert_eq!(r(Value::Float(-1.23456), &[p(2)]), "\"-1.23\"");
        assert_eq!(r(Value::Float(1.23456), &[exactly(4)]), "\"1.2346\"");
        assert_eq!(r(Value::Float(1.5), &[exactly(0)]), "\"2.\"");
        assert_eq!(r(Value::Float(0.5), &[exactly(3)]), "\"0.500\"");
        assert_eq!(
            r(Value::Int(42), &[kw("min-width", Value::Int(6))]),
            "\"    42\""
        );
        assert_eq!(
            r(
                Value::Int(-42),
                &[kw("min-width", Value::Int(6)), kw("pad-string", s("0"))]
            ),
            "\"-000042\""
        );
        assert_eq!(
            r(Value::Int(1234567), &[kw("group-sep", s(","))]),
            "\"1,234,567\""
        );
        assert_eq!(
            r(Value::Float(1234567.891), &[kw("group-sep", s(",")), p(2)]),
            "\"1,234,567.89\""
        );
        let indian = [
            kw("groups", Value::list(vec![Value::Int(2)])),
            kw("group-sep", s(".")),
        ];
        assert_eq!(r(Value::Int(1234), &indian), "\"12.34\"");
        assert_eq!(r(Value::Int(255), &[kw("base", Value::Int(16))]), "\"ff\"");
        assert_eq!(
            r(
                Value::Int(255),
                &[kw(
                    "base",
                    Value::list(vec![Value::sym("up"), Value::Int(16)])
                )]
            ),
            "\"FF\""
        );
        assert_eq!(
            r(Value::Float(3.5), &[kw("base", Value::Int(2))]),
            "\"11.1\""
        );
        assert_eq!(r(third, &[kw("base", Value::Int(3))]), "\"0.1\"");
        assert_eq!(r(Value::Int(5), &[kw("sign", Value::sym("+"))]), "\"+5\"");
        assert_eq!(r(Value::Int(0), &[kw("sign", Value::sym("++"))]), "\"+0\"");
        assert_eq!(
            r(Value::Int(-5), &[kw("sign", Value::sym("parens"))]),
            "\"(5)\""
        );
        assert_eq!(r(Value::Float(0.1), &[p(20)]), "\"0.1\"");
        assert_eq!(r(Value::Float(1.005), &[p(2)]), "\"1\"");
        assert_eq!(r(Value::Float(0.125), &[p(2)]), "\"0.13\"");
        assert_eq!(r(Value::Float(2.675), &[p(2)]), "\"2.67\"");
        assert_eq!(r(Value::Float(99.999), &[p(2)]), "\"100\"");
        assert_eq!(r(Value::Float(-0.0), &[]), "\"-0\"");
        assert_eq!(
            r(Value::Float(1e100), &[]),
            "\"10000000000000000159028911097599180468360808563945281389781327557747838772170381060813469985856815104\""
        );
        let exp = || kw("notation", Value::sym("exponential"));
        assert_eq!(r(Value::Float(12345.6789), &[exp()]), "\"1.234568e+04\"");
        assert_eq!(r(Value::Float(0.000123), &[exp(), p(2)]), "\"1.23e-04\"");
        assert_eq!(r(Value::Float(1e21), &[exp()]), "\"1e+21\"");
        assert_eq!(r(Value::Int(100), &[exp()]), "\"1e+02\"");
        assert_eq!(r(Value::Int(0), &[exp()]), "\"0e+00\"");
        assert_eq!(
            error(cat_real(
                &mut Interp::new(),
                &[Value::Float(f64::INFINITY)],
                &[]
            )),
            "~r: contract violation\n  expected: rational?\n  given: +inf.0"
        );
    }
}
