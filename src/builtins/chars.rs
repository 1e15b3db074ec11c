//! Characters: conversions, Unicode classification and comparison.
//!
//! Rust's standard library knows Unicode properties (alphabetic, numeric, whitespace, case)
//! but not general categories, so the category-based predicates (`char-graphic?`,
//! `char-punctuation?`, ...) use the standard properties plus the few ranges that matter.

use std::cmp::Ordering;

use num_traits::ToPrimitive;

use crate::builtins::args;
use crate::builtins::Primitive;
use crate::builtins::MANY;
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::Value;

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("char?", 1, 1, char_p, "(char? v): whether v is a character."),
    Primitive::new("char->integer", 1, 1, char_to_integer, "(char->integer c): the Unicode scalar value of c."),
    Primitive::new("integer->char", 1, 1, integer_to_char, "(integer->char n): the character with Unicode scalar value n."),
    Primitive::new("char-upcase", 1, 1, char_upcase_prim, "(char-upcase c): c in upper case (simple case mapping)."),
    Primitive::new("char-downcase", 1, 1, char_downcase_prim, "(char-downcase c): c in lower case (simple case mapping)."),
    Primitive::new("char-titlecase", 1, 1, char_titlecase_prim, "(char-titlecase c): c in title case."),
    Primitive::new("char-foldcase", 1, 1, char_foldcase_prim, "(char-foldcase c): c case-folded, for caseless comparison."),
    Primitive::new("char-alphabetic?", 1, 1, char_alphabetic_p, "(char-alphabetic? c): whether c is a letter (Unicode Alphabetic)."),
    Primitive::new("char-numeric?", 1, 1, char_numeric_p, "(char-numeric? c): whether c is a digit or other numeric character."),
    Primitive::new("char-whitespace?", 1, 1, char_whitespace_p, "(char-whitespace? c): whether c is whitespace (Unicode White_Space)."),
    Primitive::new("char-upper-case?", 1, 1, char_upper_case_p, "(char-upper-case? c): whether c is an upper-case letter."),
    Primitive::new("char-lower-case?", 1, 1, char_lower_case_p, "(char-lower-case? c): whether c is a lower-case letter."),
    Primitive::new("char-title-case?", 1, 1, char_title_case_p, "(char-title-case? c): whether c is a title-case letter such as Dž."),
    Primitive::new("char-punctuation?", 1, 1, char_punctuation_p, "(char-punctuation? c): whether c is punctuation."),
    Primitive::new("char-symbolic?", 1, 1, char_symbolic_p, "(char-symbolic? c): whether c is a symbol character such as + or $."),
    Primitive::new("char-graphic?", 1, 1, char_graphic_p, "(char-graphic? c): whether c is a visible character (letter, digit, mark, punctuation or symbol)."),
    Primitive::new("char-blank?", 1, 1, char_blank_p, "(char-blank? c): whether c is a space or tab (horizontal whitespace)."),
    Primitive::new("char-iso-control?", 1, 1, char_iso_control_p, "(char-iso-control? c): whether c is a control character U+0000-U+001F or U+007F-U+009F."),
    Primitive::new("char=?", 1, MANY, char_eq, "(char=? c1 c2 ...): whether all characters are equal."),
    Primitive::new("char<?", 1, MANY, char_lt, "(char<? c1 c2 ...): whether the characters are strictly increasing."),
    Primitive::new("char>?", 1, MANY, char_gt, "(char>? c1 c2 ...): whether the characters are strictly decreasing."),
    Primitive::new("char<=?", 1, MANY, char_le, "(char<=? c1 c2 ...): whether the characters are non-decreasing."),
    Primitive::new("char>=?", 1, MANY, char_ge, "(char>=? c1 c2 ...): whether the characters are non-increasing."),
    Primitive::new("char-ci=?", 1, MANY, char_ci_eq, "(char-ci=? c1 c2 ...): char=? ignoring case."),
    Primitive::new("char-ci<?", 1, MANY, char_ci_lt, "(char-ci<? c1 c2 ...): char<? ignoring case."),
    Primitive::new("char-ci>?", 1, MANY, char_ci_gt, "(char-ci>? c1 c2 ...): char>? ignoring case."),
    Primitive::new("char-ci<=?", 1, MANY, char_ci_le, "(char-ci<=? c1 c2 ...): char<=? ignoring case."),
    Primitive::new("char-ci>=?", 1, MANY, char_ci_ge, "(char-ci>=? c1 c2 ...): char>=? ignoring case."),
];

/// Racket's `char-graphic?`: letters, marks, numbers, punctuation and symbols; not spaces,
/// controls, format characters, private-use characters or noncharacters.
pub fn is_graphic(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_graphic();
    }
    !(c.is_control()
        || c.is_whitespace()
        || is_format(c)
        || is_private_use(c)
        || is_noncharacter(c))
}

/// Racket's `char-blank?`: tab or a space separator (Unicode category Zs).
pub fn is_blank(c: char) -> bool {
    matches!(
        c,
        '\t' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// Unicode category Cf.
fn is_format(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{600}'..='\u{605}'
            | '\u{61c}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206f}'
            | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{13438}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

fn is_private_use(c: char) -> bool {
    matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{ffffd}' | '\u{100000}'..='\u{10fffd}')
}

fn is_noncharacter(c: char) -> bool {
    let n = c as u32;
    (0xfdd0..=0xfdef).contains(&n) || (n & 0xfffe) == 0xfffe
}

/// Combining marks (category M) in the common combining blocks.
fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{300}'..='\u{36f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}'
    )
}

/// Unicode category P: all of ASCII punctuation that is not a math, currency or modifier
/// symbol, and the common punctuation blocks beyond ASCII.
fn is_punctuation(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !is_ascii_symbol(c);
    }
    matches!(
        c,
        '\u{a1}' | '\u{a7}' | '\u{ab}' | '\u{b6}' | '\u{b7}' | '\u{bb}' | '\u{bf}'
            | '\u{37e}'
            | '\u{387}'
            | '\u{55a}'..='\u{55f}'
            | '\u{589}'..='\u{58a}'
            | '\u{5be}'
            | '\u{5c0}'
            | '\u{5c3}'
            | '\u{5c6}'
            | '\u{5f3}'..='\u{5f4}'
            | '\u{609}'..='\u{60a}'
            | '\u{60c}'..='\u{60d}'
            | '\u{61b}'
            | '\u{61d}'..='\u{61f}'
            | '\u{66a}'..='\u{66d}'
            | '\u{6d4}'
            | '\u{964}'..='\u{965}'
            | '\u{970}'
            | '\u{2010}'..='\u{2027}'
            | '\u{2030}'..='\u{2043}'
            | '\u{2045}'..='\u{2051}'
            | '\u{2053}'..='\u{205e}'
            | '\u{207d}'..='\u{207e}'
            | '\u{208d}'..='\u{208e}'
            | '\u{2308}'..='\u{230b}'
            | '\u{2329}'..='\u{232a}'
            | '\u{2768}'..='\u{2775}'
            | '\u{27c5}'..='\u{27c6}'
            | '\u{27e6}'..='\u{27ef}'
            | '\u{2983}'..='\u{2998}'
            | '\u{29d8}'..='\u{29db}'
            | '\u{29fc}'..='\u{29fd}'
            | '\u{2cf9}'..='\u{2cfc}'
            | '\u{2cfe}'..='\u{2cff}'
            | '\u{2e00}'..='\u{2e2e}'
            | '\u{2e30}'..='\u{2e4f}'
            | '\u{3001}'..='\u{3003}'
            | '\u{3008}'..='\u{3011}'
            | '\u{3014}'..='\u{301f}'
            | '\u{3030}'
            | '\u{303d}'
            | '\u{30a0}'
            | '\u{30fb}'
            | '\u{fd3e}'..='\u{fd3f}'
            | '\u{fe10}'..='\u{fe19}'
            | '\u{fe30}'..='\u{fe52}'
            | '\u{fe54}'..='\u{fe61}'
            | '\u{fe63}'
            | '\u{fe68}'
            | '\u{fe6a}'..='\u{fe6b}'
            | '\u{ff01}'..='\u{ff03}'
            | '\u{ff05}'..='\u{ff0a}'
            | '\u{ff0c}'..='\u{ff0f}'
            | '\u{ff1a}'..='\u{ff1b}'
            | '\u{ff1f}'..='\u{ff20}'
            | '\u{ff3b}'..='\u{ff3d}'
            | '\u{ff3f}'
            | '\u{ff5b}'
            | '\u{ff5d}'
            | '\u{ff5f}'..='\u{ff65}'
    )
}

/// ASCII characters in the Unicode symbol categories (Sm, Sc, Sk).
fn is_ascii_symbol(c: char) -> bool {
    matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
}

/// Unicode category S (math, currency, modifier and other symbols).
fn is_symbolic(c: char) -> bool {
    if c.is_ascii() {
        return is_ascii_symbol(c);
    }
    is_graphic(c) && !c.is_alphanumeric() && !is_punctuation(c) && !is_combining_mark(c)
}

/// The title-case letters (category Lt).
pub fn is_title_case(c: char) -> bool {
    matches!(
        c,
        '\u{1c5}' | '\u{1c8}' | '\u{1cb}' | '\u{1f2}' | '\u{1f88}'..='\u{1f8f}' | '\u{1f98}'..='\u{1f9f}' | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

/// Simple (one-to-one) upper-case mapping: characters whose upper case is several
/// characters, like ß, stay as they are.
fn char_upcase(c: char) -> char {
    single(c.to_uppercase()).unwrap_or(c)
}

/// Simple lower-case mapping. Only İ lower-cases to two characters; its simple mapping is i.
fn char_downcase(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

pub fn char_titlecase(c: char) -> char {
    match c {
        '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
        '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
        '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
        '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
        _ => char_upcase(c),
    }
}

/// Simple case folding: up then down maps the case variants (ς, σ and Σ; ſ, s and S) together.
fn char_foldcase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    char_downcase(char_upcase(c))
}

fn single(mut chars: impl Iterator<Item = char>) -> Option<char> {
    let first = chars.next()?;
    chars.next().is_none().then_some(first)
}

fn char_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(args[0], Value::Char(_))))
}

fn char_to_integer(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Int(
        args::character("char->integer", &args[0])? as i64
    ))
}

fn integer_to_char(_: &mut Interp, args: &[Value]) -> R<Value> {
    let code = match &args[0] {
        Value::Int(i) => i.to_u32(),
        _ => None,
    };
    code.and_then(char::from_u32)
        .map(Value::Char)
        .ok_or_else(|| Error::contract("integer->char", "valid-unicode-scalar-value?", &args[0]))
}

fn map_char(who: &str, args: &[Value], f: fn(char) -> char) -> R<Value> {
    Ok(Value::Char(f(args::character(who, &args[0])?)))
}

fn char_upcase_prim(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_char("char-upcase", args, char_upcase)
}

fn char_downcase_prim(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_char("char-downcase", args, char_downcase)
}

fn char_titlecase_prim(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_char("char-titlecase", args, char_titlecase)
}

fn char_foldcase_prim(_: &mut Interp, args: &[Value]) -> R<Value> {
    map_char("char-foldcase", args, char_foldcase)
}

fn test_char(who: &str, args: &[Value], f: fn(char) -> bool) -> R<Value> {
    Ok(Value::Bool(f(args::character(who, &args[0])?)))
}

fn char_alphabetic_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-alphabetic?", args, char::is_alphabetic)
}

fn char_numeric_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-numeric?", args, char::is_numeric)
}

fn char_whitespace_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-whitespace?", args, char::is_whitespace)
}

fn char_upper_case_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-upper-case?", args, char::is_uppercase)
}

fn char_lower_case_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-lower-case?", args, char::is_lowercase)
}

fn char_title_case_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-title-case?", args, is_title_case)
}

fn char_punctuation_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-punctuation?", args, is_punctuation)
}

fn char_symbolic_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-symbolic?", args, is_symbolic)
}

fn char_graphic_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-graphic?", args, is_graphic)
}

fn char_blank_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-blank?", args, is_blank)
}

fn char_iso_control_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    test_char("char-iso-control?", args, char::is_control)
}

/// Checks every argument (as Racket does) before comparing neighbours.
fn compare_chars(who: &str, args: &[Value], fold: bool, holds: fn(Ordering) -> bool) -> R<Value> {
    let chars = args
        .iter()
        .map(|v| args::character(who, v).map(|c| if fold { char_foldcase(c) } else { c }))
        .collect::<R<Vec<char>>>()?;
    Ok(Value::Bool(
        chars.windows(2).all(|w| holds(w[0].cmp(&w[1]))),
    ))
}

fn char_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char=?", args, false, Ordering::is_eq)
}

fn char_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char<?", args, false, Ordering::is_lt)
}

fn char_gt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char>?", args, false, Ordering::is_gt)
}

fn char_le(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char<=?", args, false, Ordering::is_le)
}

fn char_ge(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char>=?", args, false, Ordering::is_ge)
}

fn char_ci_eq(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char-ci=?", args, true, Ordering::is_eq)
}

fn char_ci_lt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char-ci<?", args, true, Ordering::is_lt)
}

fn char_ci_gt(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char-ci>?", args, true, Ordering::is_gt)
}

fn char_ci_le(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char-ci<=?", args, true, Ordering::is_le)
}

fn char_ci_ge(_: &mut Interp, args: &[Value]) -> R<Value> {
    compare_chars("char-ci>=?", args, true, Ordering::is_ge)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(f: fn(&mut Interp, &[Value]) -> R<Value>, args: &[Value]) -> Value {
        let mut interp = Interp::new();
        match f(&mut interp, args) {
            Ok(v) => v,
            Err(e) => panic!("unexpected error: {}", e.report()),
        }
    }

    fn error(f: fn(&mut Interp, &[Value]) -> R<Value>, args: &[Value]) -> String {
        let mut interp = Interp::new();
        match f(&mut interp, args) {
            Ok(v) => panic!("expected an error, got {v:?}"),
            Err(e) => e.report(),
        }
    }

    fn is_true(v: Value) -> bool {
        matches!(v, Value::Bool(true))
    }

    #[test]
    fn conversions() {
        assert!(matches!(
            call(char_to_integer, &[Value::Char('A')]),
            Value::Int(65)
        ));
        assert!(matches!(
            call(integer_to_char, &[Value::Int(0xe9)]),
            Value::Char('é')
        ));
        for bad in [-1, 0xd800, 0x110000] {
            assert_eq!(
                error(integer_to_char, &[Value::Int(bad)]),
                format!("integer->char: contract violation\n  expected: valid-unicode-scalar-value?\n  given: {bad}")
            );
        }
        assert_eq!(
            error(char_to_integer, &[Value::Int(1)]),
            "char->integer: contract violation\n  expected: char?\n  given: 1"
        );
    }

    #[test]
    fn case_mapping() {
        assert_eq!(char_upcase('q'), 'Q');
        assert_eq!(char_upcase('1'), '1');
        assert_eq!(char_upcase('ß'), 'ß');
        assert_eq!(char_upcase('ǆ'), 'Ǆ');
        assert_eq!(char_titlecase('ǆ'), 'ǅ');
        assert_eq!(char_downcase('Q'), 'q');
        assert_eq!(char_downcase('İ'), 'i');
        assert_eq!(char_foldcase('ς'), 'σ');
        assert_eq!(char_foldcase('Σ'), 'σ');
        assert_eq!(char_foldcase('A'), 'a');
    }

    #[test]
    fn classification() {
        assert!(is_graphic('a') && is_graphic('λ') && is_graphic('\u{300}') && is_graphic('😀'));
        assert!(
            !is_graphic(' ')
                && !is_graphic('\u{a0}')
                && !is_graphic('\u{200b}')
                && !is_graphic('\u{e000}')
        );
        assert!(!is_graphic('\u{85}') && !is_graphic('\u{2028}') && !is_graphic('\u{feff}'));
        assert!(is_blank('\t') && is_blank('\u{3000}') && !is_blank('\n'));
        assert!(
            is_punctuation('!')
                && is_punctuation('_')
                && !is_punctuation('$')
                && is_punctuation('«')
        );
        assert!(is_symbolic('+') && is_symbolic('€') && !is_symbolic('a'));
        assert!(is_true(call(char_alphabetic_p, &[Value::Char('é')])));
        assert!(!is_true(call(char_numeric_p, &[Value::Char('x')])));
        assert!(is_true(call(char_whitespace_p, &[Value::Char('\n')])));
        assert!(is_true(call(char_title_case_p, &[Value::Char('ǅ')])));
    }

    #[test]
    fn comparisons() {
        let abc = [Value::Char('a'), Value::Char('b'), Value::Char('c')];
        assert!(is_true(call(char_lt, &abc)));
        assert!(!is_true(call(char_gt, &abc)));
        assert!(is_true(call(char_eq, &[Value::Char('a')])));
        assert!(is_true(call(
            char_ci_eq,
            &[Value::Char('a'), Value::Char('A')]
        )));
        assert!(!is_true(call(
            char_ci_eq,
            &[Value::Char('ß'), Value::Char('S')]
        )));
        assert_eq!(
            error(
                char_lt,
                &[Value::Char('b'), Value::Char('a'), Value::Int(1)]
            ),
            "char<?: contract violation\n  expected: char?\n  given: 1"
        );
    }
}
