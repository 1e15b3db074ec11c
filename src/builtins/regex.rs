//! Regular expressions with Racket's `regexp`/`pregexp` syntax, on `fancy-regex`.
//!
//! Racket patterns are translated to fancy-regex syntax once, when they are compiled: the two
//! dialects differ in what `.` matches, in what a backslash means (in `#rx` every escaped
//! character is literal), in the ASCII-only `\d \w \s` classes and in mode groups.
//! Positions in the Scheme API are character indices; fancy-regex works in byte offsets, so
//! every boundary is converted.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::builtins::args;
use crate::builtins::Primitive;
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::print::write_string;
use crate::value::{Symbol, Value};

pub struct Regex {
    /// The pattern as the program wrote it (printed back as `#rx"..."` / `#px"..."`).
    pub source: String,
    pub pregexp: bool,
    pub compiled: fancy_regex::Regex,
}

/// Compiles the pattern of a `#rx"..."` / `#px"..."` literal. The error is the message without
/// a `who:` prefix, followed by the `\n  pattern: "..."` line, ready for the reader to prefix.
pub fn compile_literal(source: &str, pregexp: bool) -> Result<Value, String> {
    compile(source, pregexp).map(|re| Value::Regex(Rc::new(re)))
}

/// Translates and compiles a Racket pattern; the error message has no `who:` prefix.
pub fn compile(source: &str, pregexp: bool) -> Result<Regex, String> {
    let with_pattern =
        |msg: String| format!("{msg}\n  pattern: {}", write_string(&Value::str(source)));
    let translated = translate(source, pregexp).map_err(with_pattern)?;
    let compiled = fancy_regex::Regex::new(&translated).map_err(|e| with_pattern(e.to_string()))?;
    Ok(Regex {
        source: source.to_string(),
        pregexp,
        compiled,
    })
}

// ---------------------------------------------------------------------------------------------
// Translation from Racket syntax
// ---------------------------------------------------------------------------------------------

/// What the previous piece of the pattern was, to reject the quantifier sequences Racket
/// rejects (with Racket's messages, typos included).
#[derive(Clone, Copy, PartialEq)]
enum Last {
    Nothing,
    Atom,
    /// `^`, `$`, `\b`, a lookaround: matches the empty string, so it cannot be repeated.
    Assertion,
    Quantified,
    QuantifiedLazy,
}

#[derive(Clone, Copy, PartialEq)]
enum GroupKind {
    Capture,
    Plain,
    Lookaround,
}

struct Translator {
    chars: Vec<char>,
    pos: usize,
    px: bool,
    out: String,
    last: Last,
    groups: Vec<GroupKind>,
    captures_opened: usize,
}

const ASCII_DIGIT: &str = "0-9";
const ASCII_WORD: &str = "a-zA-Z0-9_";
const ASCII_SPACE: &str = " \\t\\n\\x{0C}\\r";
const POSIX_CLASSES: &[&str] = &[
    "alpha", "upper", "lower", "digit", "xdigit", "alnum", "word", "blank", "space", "graph",
    "print", "cntrl", "ascii",
];

/// Translates a Racket pattern into an equivalent fancy-regex pattern.
fn translate(source: &str, px: bool) -> Result<String, String> {
    let mut t = Translator {
        chars: source.chars().collect(),
        pos: 0,
        px,
        // Outside multi mode Racket's `.` matches a newline too.
        out: String::from("(?s)"),
        last: Last::Nothing,
        groups: Vec::new(),
        captures_opened: 0,
    };
    t.run()?;
    Ok(t.out)
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn starts_with(&self, text: &str) -> bool {
        text.chars()
            .enumerate()
            .all(|(i, c)| self.peek_at(i) == Some(c))
    }

    fn run(&mut self) -> Result<(), String> {
        while let Some(c) = self.peek() {
            self.pos += 1;
            match c {
                '(' => self.open_group()?,
                ')' => self.close_group()?,
                '|' => {
                    self.out.push('|');
                    self.last = Last::Nothing;
                }
                '*' | '+' | '?' => self.quantifier(c)?,
                '{' if self.px => self.counted_quantifier()?,
                '}' if self.px => return Err("unmatched `}` in pattern".into()),
                ']' if self.px => return Err("unmatched `]` in pattern".into()),
                '^' | '$' => {
                    self.out.push(c);
                    self.last = Last::Assertion;
                }
                '.' => {
                    self.out.push('.');
                    self.last = Last::Atom;
                }
                '[' => self.class()?,
                '\\' => self.escape()?,
                _ => self.literal(c),
            }
        }
        if !self.groups.is_empty() {
            let message = if self.chars.last() == Some(&'(') {
                "missing closing parenthesis in pattern"
            } else {
                "expected a closing `)`"
            };
            return Err(message.into());
        }
        Ok(())
    }

    fn literal(&mut self, c: char) {
        push_literal(&mut self.out, c);
        self.last = Last::Atom;
    }

    fn open_group(&mut self) -> Result<(), String> {
        self.last = Last::Nothing;
        if self.peek() != Some('?') {
            self.out.push('(');
            self.captures_opened += 1;
            self.groups.push(GroupKind::Capture);
            return Ok(());
        }
        self.pos += 1;
        for look in ["=", "!", "<=", "<!"] {
            if self.starts_with(look) {
                self.pos += look.chars().count();
                self.out.push_str("(?");
                self.out.push_str(look);
                self.groups.push(GroupKind::Lookaround);
                return Ok(());
            }
        }
        match self.peek() {
            Some(':') => {
                self.pos += 1;
                self.out.push_str("(?:");
                self.groups.push(GroupKind::Plain);
            }
            Some('>') => {
                self.pos += 1;
                self.out.push_str("(?>");
                self.groups.push(GroupKind::Plain);
            }
            Some('(') => self.conditional()?,
            Some('i' | 's' | 'm' | '-') => self.mode_group()?,
            _ => return Err(
                "expected `:`, `=`, `!`, `<=`, `<!`, `i`, `-i`, `m`, `-m`, `s`, or `-s` after `(?`"
                    .into(),
            ),
        }
        Ok(())
    }

    /// `(?(N)yes|no)` or `(?(?=look)yes|no)`; the lookaround condition is translated as a group.
    fn conditional(&mut self) -> Result<(), String> {
        let digits: String = self.chars[self.pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        self.groups.push(GroupKind::Plain);
        if !digits.is_empty() && self.peek_at(1 + digits.len()) == Some(')') {
            self.pos += digits.len() + 2;
            self.out.push_str(&format!("(?({digits})"));
        } else {
            self.out.push_str("(?");
        }
        Ok(())
    }

    /// Racket's modes: `i` case-insensitive; multi mode (`m`, or `-s`) makes `.` stop at
    /// newlines and `^`/`$` match at line boundaries, which is Rust's `m` without `s`.
    fn mode_group(&mut self) -> Result<(), String> {
        let mut case_insensitive: Option<bool> = None;
        let mut multi: Option<bool> = None;
        loop {
            let negated = self.peek() == Some('-');
            let offset = usize::from(negated);
            match (self.peek_at(offset), negated) {
                (Some('i'), _) => case_insensitive = Some(!negated),
                (Some('m'), _) => multi = Some(!negated),
                (Some('s'), _) => multi = Some(negated),
                (Some(':'), false) => {
                    self.pos += 1;
                    break;
                }
                _ => {
                    return Err("expected `:` or another mode after `(?` and a mode sequence;\n a mode is `i`, `-i`, `m`, `-m`, `s`, or `-s`".into())
                }
            }
            self.pos += offset + 1;
        }
        let mut on = String::new();
        let mut off = String::new();
        match case_insensitive {
            Some(true) => on.push('i'),
            Some(false) => off.push('i'),
            None => {}
        }
        match multi {
            Some(true) => {
                on.push('m');
                off.push('s');
            }
            Some(false) => {
                on.push('s');
                off.push('m');
            }
            None => {}
        }
        self.out.push_str("(?");
        self.out.push_str(&on);
        if !off.is_empty() {
            self.out.push('-');
            self.out.push_str(&off);
        }
        self.out.push(':');
        self.groups.push(GroupKind::Plain);
        Ok(())
    }

    fn close_group(&mut self) -> Result<(), String> {
        let kind = self.groups.pop().ok_or("unmatched `)` in pattern")?;
        self.out.push(')');
        self.last = if kind == GroupKind::Lookaround {
            Last::Assertion
        } else {
            Last::Atom
        };
        Ok(())
    }

    fn check_repeatable(&self, op: char) -> Result<(), String> {
        match self.last {
            Last::Nothing => Err(format!("`{op}` follows nothing in pattern")),
            Last::Assertion if op != '?' => {
                Err("`*`, `+`, or `{...}` operand could be empty".into())
            }
            Last::Quantified if op == '{' => Err("nested `{` in pattern".into()),
            Last::Quantified | Last::QuantifiedLazy => Err(format!("nested `{op}` in patten")),
            _ => Ok(()),
        }
    }

    fn quantifier(&mut self, op: char) -> Result<(), String> {
        if op == '?' && self.last == Last::Quantified {
            self.out.push('?');
            self.last = Last::QuantifiedLazy;
            return Ok(());
        }
        self.check_repeatable(op)?;
        self.out.push(op);
        self.last = Last::Quantified;
        Ok(())
    }

    /// `{n}`, `{n,}`, `{,m}`, `{n,m}` (pregexp only); Rust needs the lower bound spelled out.
    fn counted_quantifier(&mut self) -> Result<(), String> {
        self.check_repeatable('{')?;
        let bad = || {
            "expected digit, `,`, or `}' for repetition specification started with `{`".to_string()
        };
        let lower = self.digits();
        let upper = if self.peek() == Some(',') {
            self.pos += 1;
            Some(self.digits())
        } else {
            None
        };
        if self.peek() != Some('}') {
            return Err(bad());
        }
        self.pos += 1;
        let lower = if lower.is_empty() {
            "0".to_string()
        } else {
            lower
        };
        let numbers = (
            lower.parse::<u64>(),
            upper.as_deref().map(str::parse::<u64>),
        );
        if let (Ok(low), Some(Ok(high))) = numbers {
            if low > high {
                // Racket accepts this as a pattern that never matches; Rust rejects it.
                return Err("`{n,m}` repetition with n larger than m".into());
            }
        }
        match upper {
            None => self.out.push_str(&format!("{{{lower}}}")),
            Some(upper) => self.out.push_str(&format!("{{{lower},{upper}}}")),
        }
        self.last = Last::Quantified;
        Ok(())
    }

    fn digits(&mut self) -> String {
        let digits: String = self.chars[self.pos..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        self.pos += digits.len();
        digits
    }

    fn escape(&mut self) -> Result<(), String> {
        let Some(c) = self.peek() else {
            // A backslash at the very end of a pattern matches a NUL character.
            self.literal('\0');
            return Ok(());
        };
        self.pos += 1;
        if !self.px || !c.is_ascii_alphanumeric() {
            self.literal(c);
            return Ok(());
        }
        if c.is_ascii_digit() {
            return self.backreference(c);
        }
        match c {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => {
                let negated = c.is_ascii_uppercase();
                let class = ascii_class(c.to_ascii_lowercase());
                self.out.push_str(if negated { "[^" } else { "[" });
                self.out.push_str(class);
                self.out.push(']');
                self.last = Last::Atom;
            }
            'b' | 'B' => {
                self.out.push('\\');
                self.out.push(c);
                self.last = Last::Assertion;
            }
            'p' | 'P' => self.property(c == 'P')?,
            _ => return Err("illegal alphabetic escape".into()),
        }
        Ok(())
    }

    fn backreference(&mut self, first: char) -> Result<(), String> {
        let rest = self.digits();
        let number = format!("{first}{rest}");
        let fits = number
            .parse::<usize>()
            .is_ok_and(|n| n >= 1 && n <= self.captures_opened);
        if !fits {
            return Err("backreference number is larger than the highest-numbered cluster".into());
        }
        self.out.push('\\');
        self.out.push_str(&number);
        self.last = Last::Atom;
        Ok(())
    }

    /// `\p{Ll}`, `\P{Ll}`, `\p{^Ll}`; Racket's `L&` is Rust's `LC`.
    fn property(&mut self, negated: bool) -> Result<(), String> {
        if self.peek() != Some('{') {
            return Err(format!(
                "expected `{{` after `\\{}`",
                if negated { 'P' } else { 'p' }
            ));
        }
        self.pos += 1;
        let name: String = self.chars[self.pos..]
            .iter()
            .take_while(|c| **c != '}')
            .collect();
        self.pos += name.chars().count();
        if self.peek() != Some('}') {
            return Err("missing `}` to close `\\p{`".into());
        }
        self.pos += 1;
        let (negated, name) = match name.strip_prefix('^') {
            Some(inner) => (!negated, inner.to_string()),
            None => (negated, name),
        };
        let name = if name == "L&" { "LC".to_string() } else { name };
        let known = !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && fancy_regex::Regex::new(&format!("\\p{{{name}}}")).is_ok();
        if !known {
            return Err(format!("unrecognized property name in `\\p{{}}`: `{name}`"));
        }
        self.out.push_str(if negated { "\\P{" } else { "\\p{" });
        self.out.push_str(&name);
        self.out.push('}');
        self.last = Last::Atom;
        Ok(())
    }

    /// A bracketed character range. Every literal is written as a hex escape so that Rust's
    /// class syntax (nested brackets, `&&`, `--`, `~~`) never sees a Racket literal.
    fn class(&mut self) -> Result<(), String> {
        let missing = || "missing closing square bracket in pattern".to_string();
        self.out.push('[');
        if self.peek() == Some('^') {
            self.pos += 1;
            self.out.push('^');
        }
        let mut first = true;
        loop {
            let c = self.peek().ok_or_else(missing)?;
            if c == ']' && !first {
                self.pos += 1;
                break;
            }
            first = false;
            match self.class_item()? {
                ClassItem::Char(lo) => self.class_char_or_range(lo)?,
                ClassItem::Set(set) => {
                    if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
                        return Err("misplaced hyphen within square brackets in pattern".into());
                    }
                    self.out.push_str(&set);
                }
            }
        }
        self.out.push(']');
        self.last = Last::Atom;
        Ok(())
    }

    fn class_char_or_range(&mut self, lo: char) -> Result<(), String> {
        let is_range = self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']');
        if !is_range {
            push_class_char(&mut self.out, lo);
            return Ok(());
        }
        self.pos += 1;
        let hi = match self.class_item()? {
            ClassItem::Char(hi) => hi,
            ClassItem::Set(_) => {
                return Err("misplaced hyphen within square brackets in pattern".into())
            }
        };
        if hi < lo {
            return Err("invalid range within square brackets in pattern".into());
        }
        if self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']') {
            return Err("misplaced hyphen within square brackets in pattern".into());
        }
        push_class_char(&mut self.out, lo);
        self.out.push('-');
        push_class_char(&mut self.out, hi);
        Ok(())
    }

    /// One element of a range: a character, or (pregexp) a class such as `\d` or `[:alpha:]`.
    fn class_item(&mut self) -> Result<ClassItem, String> {
        let c = self
            .peek()
            .ok_or("missing closing square bracket in pattern")?;
        self.pos += 1;
        if self.px && c == '[' && self.peek() == Some(':') {
            if let Some(set) = self.posix_class() {
                return Ok(ClassItem::Set(set));
            }
        }
        if !(self.px && c == '\\') {
            return Ok(ClassItem::Char(c));
        }
        let escaped = self
            .peek()
            .ok_or("missing closing square bracket in pattern")?;
        self.pos += 1;
        match escaped {
            'd' | 'w' | 's' => Ok(ClassItem::Set(ascii_class(escaped).to_string())),
            'D' | 'W' | 'S' => Ok(ClassItem::Set(format!(
                "[^{}]",
                ascii_class(escaped.to_ascii_lowercase())
            ))),
            c if c.is_ascii_alphabetic() => Err("illegal alphabetic escape".into()),
            c => Ok(ClassItem::Char(c)),
        }
    }

    /// `[:name:]` inside a range, with `self.pos` just after the `[`. An unknown name leaves the
    /// position alone so the `[` is taken literally, as Racket does.
    fn posix_class(&mut self) -> Option<String> {
        let rest: String = self.chars[self.pos + 1..]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let end = self.pos + 1 + rest.len();
        let closed = self.chars.get(end) == Some(&':') && self.chars.get(end + 1) == Some(&']');
        if !closed || !POSIX_CLASSES.contains(&rest.as_str()) {
            return None;
        }
        self.pos = end + 2;
        Some(format!("[:{rest}:]"))
    }
}

enum ClassItem {
    Char(char),
    Set(String),
}

fn ascii_class(c: char) -> &'static str {
    match c {
        'd' => ASCII_DIGIT,
        'w' => ASCII_WORD,
        _ => ASCII_SPACE,
    }
}

fn push_literal(out: &mut String, c: char) {
    if "\\.+*?()|[]{}^$#&-~".contains(c) {
        out.push('\\');
        out.push(c);
    } else if c.is_control() {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    } else {
        out.push(c);
    }
}

fn push_class_char(out: &mut String, c: char) {
    if c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_control()) {
        out.push(c);
    } else {
        out.push_str(&format!("\\x{{{:X}}}", c as u32));
    }
}

// ---------------------------------------------------------------------------------------------
// Pattern arguments and the compile cache
// ---------------------------------------------------------------------------------------------

const CACHE_LIMIT: usize = 512;

thread_local! {
    /// Compiled string patterns, so `(regexp-match "a+" s)` in a loop compiles once. Indexed by
    /// dialect (`regexp`, `pregexp`); cleared wholesale when full.
    static CACHE: RefCell<[HashMap<String, Rc<Regex>>; 2]> = RefCell::new([HashMap::new(), HashMap::new()]);
}

fn cached_compile(who: &str, source: &str, pregexp: bool) -> R<Rc<Regex>> {
    let slot = usize::from(pregexp);
    if let Some(re) = CACHE.with(|c| c.borrow()[slot].get(source).cloned()) {
        return Ok(re);
    }
    let re = Rc::new(compile(source, pregexp).map_err(|msg| Error::fail(format!("{who}: {msg}")))?);
    CACHE.with(|c| {
        let mut cache = c.borrow_mut();
        if cache[slot].len() >= CACHE_LIMIT {
            cache[slot].clear();
        }
        cache[slot].insert(source.to_string(), re.clone());
    });
    Ok(re)
}

/// A pattern argument: a regexp value, or a string compiled as a `regexp`.
fn pattern(who: &str, v: &Value) -> R<Rc<Regex>> {
    match v {
        Value::Regex(re) => Ok(re.clone()),
        Value::Str(_) | Value::Syntax(_) => cached_compile(who, args::string(who, v)?, false),
        other => Err(Error::contract(
            who,
            "(or/c regexp? byte-regexp? string? bytes?)",
            other,
        )),
    }
}

fn input<'a>(who: &str, v: &'a Value) -> R<&'a str> {
    match v {
        Value::Str(s) => Ok(s),
        Value::Syntax(_) => args::string(who, v),
        other => Err(Error::contract(
            who,
            "(or/c bytes? string? input-port? path?)",
            other,
        )),
    }
}

fn match_error(who: &str, e: fancy_regex::Error) -> Error {
    Error::fail(format!("{who}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Character/byte positions
// ---------------------------------------------------------------------------------------------

/// The string being searched, with conversion between character indices (what Scheme sees)
/// and byte offsets (what fancy-regex uses). Conversions mostly move forward, so the last
/// position is remembered to keep repeated conversions linear overall.
struct Subject<'a> {
    text: &'a str,
    ascii: bool,
    cursor: RefCell<(usize, usize)>,
}

impl<'a> Subject<'a> {
    fn new(text: &'a str) -> Subject<'a> {
        Subject {
            text,
            ascii: text.is_ascii(),
            cursor: RefCell::new((0, 0)),
        }
    }

    fn char_len(&self) -> usize {
        if self.ascii {
            self.text.len()
        } else {
            self.text.chars().count()
        }
    }

    fn byte_of_char(&self, index: usize) -> usize {
        if self.ascii {
            return index;
        }
        self.text
            .char_indices()
            .nth(index)
            .map_or(self.text.len(), |(b, _)| b)
    }

    fn char_of_byte(&self, byte: usize) -> usize {
        if self.ascii {
            return byte;
        }
        let count =
            |from: usize, to: usize| self.text.get(from..to).map_or(0, |s| s.chars().count());
        let mut cursor = self.cursor.borrow_mut();
        let (known_byte, known_char) = *cursor;
        let index = if byte >= known_byte {
            known_char + count(known_byte, byte)
        } else {
            known_char.saturating_sub(count(byte, known_byte))
        };
        *cursor = (byte, index);
        index
    }
}

/// The optional `start` and `end` character positions of a matching builtin, checked the way
/// Racket checks them; returns them as byte offsets.
fn bounds(
    who: &str,
    subject: &Subject,
    start: Option<&Value>,
    end: Option<&Value>,
) -> R<(usize, usize)> {
    let len = subject.char_len();
    let start_index = match start {
        Some(v) => args::index(who, v)?,
        None => 0,
    };
    if start_index > len {
        return Err(Error::new(
            ExnKind::Contract,
            format!("{who}: starting index is out of range\n  starting index: {start_index}"),
        ));
    }
    let end_index = match end {
        Some(Value::Bool(false)) | None => len,
        Some(v) => args::index(who, v)?,
    };
    if end_index > len {
        return Err(Error::new(
            ExnKind::Contract,
            format!("{who}: ending index is out of range\n  ending index: {end_index}"),
        ));
    }
    if end_index < start_index {
        return Err(Error::new(
            ExnKind::Contract,
            format!(
                "{who}: ending index is smaller than starting index\n  ending index: {end_index}\n  starting index: {start_index}"
            ),
        ));
    }
    Ok((
        subject.byte_of_char(start_index),
        subject.byte_of_char(end_index),
    ))
}

/// One match: byte ranges (relative to the whole input) of the match and each group.
type Groups = Vec<Option<(usize, usize)>>;

/// Every match of `re` in `text[from..to]`, the way `regexp-match*` finds them: an empty match
/// is allowed right after a non-empty one, and the search then moves one character on.
/// `limit` stops after that many matches.
fn all_matches(
    who: &str,
    re: &Regex,
    text: &str,
    from: usize,
    to: usize,
    limit: usize,
) -> R<Vec<Groups>> {
    let region = text.get(from..to).unwrap_or("");
    let mut found = Vec::new();
    let mut pos = 0;
    while found.len() < limit && pos <= region.len() {
        let Some(caps) = re
            .compiled
            .captures_from_pos(region, pos)
            .map_err(|e| match_error(who, e))?
        else {
            break;
        };
        let groups: Groups = (0..caps.len())
            .map(|i| caps.get(i).map(|m| (m.start() + from, m.end() + from)))
            .collect();
        let (start, end) = groups.first().copied().flatten().unwrap_or((from, from));
        found.push(groups);
        pos = if start == end {
            let local = end - from;
            match region.get(local..).and_then(|rest| rest.chars().next()) {
                Some(c) => local + c.len_utf8(),
                None => break,
            }
        } else {
            end - from
        };
    }
    Ok(found)
}

fn first_match(who: &str, re: &Regex, text: &str, from: usize, to: usize) -> R<Option<Groups>> {
    Ok(all_matches(who, re, text, from, to, 1)?.pop())
}

fn group_strings(text: &str, groups: &Groups) -> Vec<Value> {
    groups
        .iter()
        .map(|g| match g {
            Some((s, e)) => Value::str(text.get(*s..*e).unwrap_or("")),
            None => Value::Bool(false),
        })
        .collect()
}

fn group_positions(subject: &Subject, groups: &Groups) -> Vec<Value> {
    groups
        .iter()
        .map(|g| match g {
            Some((s, e)) => Value::cons(
                Value::Int(subject.char_of_byte(*s) as i64),
                Value::Int(subject.char_of_byte(*e) as i64),
            ),
            None => Value::Bool(false),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Builtins
// ---------------------------------------------------------------------------------------------

fn make_regexp(who: &str, args: &[Value], pregexp: bool) -> R<Value> {
    let source = args::string(who, &args[0])?;
    let re = compile(source, pregexp).map_err(|msg| Error::fail(format!("{who}: {msg}")))?;
    Ok(Value::Regex(Rc::new(re)))
}

fn regexp(_: &mut Interp, args: &[Value]) -> R<Value> {
    make_regexp("regexp", args, false)
}

fn pregexp(_: &mut Interp, args: &[Value]) -> R<Value> {
    make_regexp("pregexp", args, true)
}

fn regexp_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(matches!(&args[0], Value::Regex(_))))
}

fn pregexp_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    Ok(Value::Bool(
        matches!(&args[0], Value::Regex(re) if re.pregexp),
    ))
}

/// The pattern, the input and the byte bounds shared by the matching builtins.
fn match_setup<'a>(who: &str, args: &'a [Value]) -> R<(Rc<Regex>, Subject<'a>, usize, usize)> {
    let re = pattern(who, &args[0])?;
    let subject = Subject::new(input(who, &args[1])?);
    let (from, to) = bounds(who, &subject, args.get(2), args.get(3))?;
    Ok((re, subject, from, to))
}

fn regexp_match(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (re, subject, from, to) = match_setup("regexp-match", args)?;
    Ok(
        match first_match("regexp-match", &re, subject.text, from, to)? {
            Some(groups) => Value::list(group_strings(subject.text, &groups)),
            None => Value::Bool(false),
        },
    )
}

fn regexp_match_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (re, subject, from, to) = match_setup("regexp-match?", args)?;
    Ok(Value::Bool(
        first_match("regexp-match?", &re, subject.text, from, to)?.is_some(),
    ))
}

/// Racket's definition: the first match (by the usual leftmost, first-alternative rule)
/// covers the whole string, so `a|ab` does not exactly match "ab".
fn regexp_match_exact_p(_: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "regexp-match-exact?";
    let re = pattern(who, &args[0])?;
    let text = input(who, &args[1])?;
    let whole = first_match(who, &re, text, 0, text.len())?
        .and_then(|groups| groups.first().copied().flatten())
        .is_some_and(|(start, end)| start == 0 && end == text.len());
    Ok(Value::Bool(whole))
}

fn regexp_match_positions(_: &mut Interp, args: &[Value]) -> R<Value> {
    let (re, subject, from, to) = match_setup("regexp-match-positions", args)?;
    Ok(
        match first_match("regexp-match-positions", &re, subject.text, from, to)? {
            Some(groups) => Value::list(group_positions(&subject, &groups)),
            None => Value::Bool(false),
        },
    )
}

/// `regexp-match*` and `regexp-match-positions*`: each match becomes the whole match, or
/// whatever `#:match-select` makes of the list of the match and its groups.
fn select_all(
    interp: &mut Interp,
    who: &str,
    args: &[Value],
    kws: &[(Symbol, Value)],
    describe: fn(&Subject, &Groups) -> Vec<Value>,
) -> R<Value> {
    let (re, subject, from, to) = match_setup(who, args)?;
    let select = match args::keyword(kws, "match-select") {
        Some(f) => Some(args::procedure(who, f)?.clone()),
        None => None,
    };
    let mut results = Vec::new();
    for groups in all_matches(who, &re, subject.text, from, to, usize::MAX)? {
        let mut parts = describe(&subject, &groups);
        let item = match &select {
            Some(f) => interp.apply(f, vec![Value::list(parts)])?,
            None => parts.swap_remove(0),
        };
        results.push(item);
    }
    Ok(Value::list(results))
}

fn regexp_match_all(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    select_all(interp, "regexp-match*", args, kws, |subject, groups| {
        group_strings(subject.text, groups)
    })
}

fn regexp_match_positions_all(
    interp: &mut Interp,
    args: &[Value],
    kws: &[(Symbol, Value)],
) -> R<Value> {
    select_all(
        interp,
        "regexp-match-positions*",
        args,
        kws,
        group_positions,
    )
}

fn regexp_split(_: &mut Interp, args: &[Value]) -> R<Value> {
    let who = "regexp-split";
    let (re, subject, from, to) = match_setup(who, args)?;
    let text = subject.text;
    let mut pieces = Vec::new();
    let mut piece_start = from;
    for groups in all_matches(who, &re, text, from, to, usize::MAX)? {
        let (start, end) = groups
            .first()
            .copied()
            .flatten()
            .unwrap_or((piece_start, piece_start));
        pieces.push(Value::str(text.get(piece_start..start).unwrap_or("")));
        piece_start = end;
    }
    pieces.push(Value::str(text.get(piece_start..to).unwrap_or("")));
    Ok(Value::list(pieces))
}

/// Expands a Racket replacement string: `&` and `\0` are the match, `\N` group N (empty if
/// it did not match), `\&` and `\\` literal characters, `\$` nothing.
fn expand_insert(insert: &str, parts: &[Value]) -> String {
    let part = |n: usize| match parts.get(n) {
        Some(Value::Str(s)) => s.to_string(),
        _ => String::new(),
    };
    let chars: Vec<char> = insert.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        match c {
            '&' => out.push_str(&part(0)),
            '\\' => match chars.get(i) {
                None => out.push_str(&part(0)),
                Some(d) if d.is_ascii_digit() => {
                    let digits: String = chars[i..]
                        .iter()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    i += digits.len();
                    out.push_str(&digits.parse::<usize>().map(part).unwrap_or_default());
                }
                Some('$') => i += 1,
                Some(literal @ ('&' | '\\')) => {
                    out.push(*literal);
                    i += 1;
                }
                Some(_) => out.push_str(&part(0)),
            },
            _ => out.push(c),
        }
    }
    out
}

fn replacement(interp: &mut Interp, who: &str, insert: &Value, parts: Vec<Value>) -> R<String> {
    match insert {
        Value::Str(_) | Value::Syntax(_) => Ok(expand_insert(args::string(who, insert)?, &parts)),
        f if f.is_procedure() => match interp.apply(f, parts)? {
            Value::Str(s) => Ok(s.to_string()),
            other => Err(Error::new(
                ExnKind::Contract,
                format!(
                    "{who}: contract violation\n  expected: string?\n  result: {}",
                    crate::error::show_given(&other)
                ),
            )),
        },
        other => Err(Error::contract(
            who,
            "(or/c string? bytes? procedure?)",
            other,
        )),
    }
}

/// Checks the insert before matching, so a bad one is reported even when nothing matches.
fn check_insert(who: &str, insert: &Value) -> R<()> {
    match insert {
        Value::Str(_) | Value::Syntax(_) => args::string(who, insert).map(|_| ()),
        f if f.is_procedure() => Ok(()),
        other => Err(Error::contract(
            who,
            "(or/c string? bytes? procedure?)",
            other,
        )),
    }
}

fn replace(interp: &mut Interp, who: &str, args: &[Value], limit: usize) -> R<Value> {
    let re = pattern(who, &args[0])?;
    let subject = Subject::new(input(who, &args[1])?);
    let insert = &args[2];
    check_insert(who, insert)?;
    let (from, to) = bounds(who, &subject, args.get(3), args.get(4))?;
    let text = subject.text;
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..from).unwrap_or(""));
    let mut copied = from;
    for groups in all_matches(who, &re, text, from, to, limit)? {
        let (start, end) = groups
            .first()
            .copied()
            .flatten()
            .unwrap_or((copied, copied));
        out.push_str(text.get(copied..start).unwrap_or(""));
        out.push_str(&replacement(
            interp,
            who,
            insert,
            group_strings(text, &groups),
        )?);
        copied = end;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    Ok(Value::string(out))
}

fn regexp_replace(interp: &mut Interp, args: &[Value]) -> R<Value> {
    replace(interp, "regexp-replace", args, 1)
}

fn regexp_replace_all(interp: &mut Interp, args: &[Value]) -> R<Value> {
    replace(interp, "regexp-replace*", args, usize::MAX)
}

/// Escapes the characters special in either dialect, so the result matches `text` literally.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\^$.|?*+()[]{}".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn regexp_quote(_: &mut Interp, args: &[Value]) -> R<Value> {
    let text = args::string("regexp-quote", &args[0])?;
    let quoted = quote(text);
    let case_sensitive = args.get(1).is_none_or(Value::is_true);
    Ok(Value::string(if case_sensitive {
        quoted
    } else {
        format!("(?i:{quoted})")
    }))
}

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::new("regexp", 1, 1, regexp, "Compiles a string into a regexp (egrep-style syntax)."),
    Primitive::new("pregexp", 1, 1, pregexp, "Compiles a string into a Perl-style regexp (\\d, \\w, {n,m}, backreferences)."),
    Primitive::new("regexp?", 1, 1, regexp_p, "Is the value a regexp (either dialect)?"),
    Primitive::new("pregexp?", 1, 1, pregexp_p, "Is the value a Perl-style regexp?"),
    Primitive::new(
        "regexp-match",
        2,
        4,
        regexp_match,
        "First match of a pattern in a string: a list of the match and its groups (#f for unmatched groups), or #f.",
    ),
    Primitive::new("regexp-match?", 2, 4, regexp_match_p, "Does the pattern match somewhere in the string?"),
    Primitive::new("regexp-match-exact?", 2, 2, regexp_match_exact_p, "Does the pattern match the whole string?"),
    Primitive::with_keywords(
        "regexp-match*",
        2,
        4,
        &["match-select"],
        regexp_match_all,
        "Every match of a pattern as a list of strings; #:match-select picks from (match group ...).",
    ),
    Primitive::new(
        "regexp-match-positions",
        2,
        4,
        regexp_match_positions,
        "Character positions (start . end) of the first match and its groups, or #f.",
    ),
    Primitive::with_keywords(
        "regexp-match-positions*",
        2,
        4,
        &["match-select"],
        regexp_match_positions_all,
        "Character positions (start . end) of every match.",
    ),
    Primitive::new(
        "regexp-replace",
        3,
        5,
        regexp_replace,
        "Replaces the first match; the insert is a string (& and \\N refer to the match and groups) or a procedure.",
    ),
    Primitive::new(
        "regexp-replace*",
        3,
        5,
        regexp_replace_all,
        "Replaces every match; the insert is a string (& and \\N refer to the match and groups) or a procedure.",
    ),
    Primitive::new("regexp-split", 2, 4, regexp_split, "Splits a string at every match of a pattern."),
    Primitive::new(
        "regexp-quote",
        1,
        2,
        regexp_quote,
        "Escapes a string so that it matches itself literally as a pattern.",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtins::args::testing::Check;

    fn tr(src: &str, px: bool) -> String {
        translate(src, px).unwrap_or_else(|e| panic!("{src}: {e}"))
    }

    fn err(src: &str, px: bool) -> String {
        translate(src, px)
            .err()
            .unwrap_or_else(|| panic!("{src} should not translate"))
    }

    /// The first match of a Racket pattern, as Racket's `regexp-match` returns it.
    fn m(src: &str, px: bool, text: &str) -> Option<Vec<Option<String>>> {
        let re = compile(src, px).unwrap_or_else(|e| panic!("{src}: {e}"));
        let groups = first_match("test", &re, text, 0, text.len()).ok()??;
        Some(
            groups
                .iter()
                .map(|g| g.map(|(s, e)| text[s..e].to_string()))
                .collect(),
        )
    }

    fn m0(src: &str, px: bool, text: &str) -> Option<String> {
        m(src, px, text).and_then(|g| g[0].clone())
    }

    #[test]
    fn rx_backslash_is_always_literal() {
        assert_eq!(m0("\\d", false, "ad1"), Some("d".into()));
        assert_eq!(
            m("(a)\\1", false, "aa a1"),
            Some(vec![Some("a1".into()), Some("a".into())])
        );
        assert_eq!(m0("[\\d]+", false, "x\\dd"), Some("\\dd".into()));
        assert_eq!(m0("\\n", false, "n"), Some("n".into()));
        assert_eq!(m0("a\\", false, "a\0"), Some("a\0".into()));
    }

    #[test]
    fn px_classes_are_ascii() {
        assert_eq!(m0("\\d+", true, "ad12"), Some("12".into()));
        assert_eq!(m0("\\w+", true, "éab_1"), Some("ab_1".into()));
        assert_eq!(m0("\\s+", true, "a \u{0B}\t"), Some(" ".into()));
        assert_eq!(m0("[\\d]+", true, "x\\dd12"), Some("12".into()));
        assert_eq!(m0("[\\w.]+", true, "a.b c"), Some("a.b".into()));
        assert_eq!(m0("[^\\s]+", true, "ab c"), Some("ab".into()));
        assert_eq!(m0("\\D\\W\\S", true, "a  "), None);
        assert_eq!(m0("[[:alpha:]]+", true, "12abc"), Some("abc".into()));
        assert_eq!(m0("[[:digit:][:upper:]]+", true, "aB1c"), Some("B1".into()));
        assert_eq!(m0("[^[:digit:]]+", true, "12ab3"), Some("ab".into()));
        assert_eq!(m0("\\p{Ll}+", true, "ABcdE"), Some("cd".into()));
        assert_eq!(m0("\\p{^Ll}+", true, "abCD"), Some("CD".into()));
        assert_eq!(m0("\\p{L&}+", true, "aB1"), Some("aB".into()));
    }

    #[test]
    fn rx_brackets_are_literal_posix_syntax() {
        assert_eq!(m0("[[:alpha:]]+", false, "12abc:]"), Some(":]".into()));
        assert_eq!(m0("[[]+", false, "[["), Some("[[".into()));
    }

    #[test]
    fn ranges_with_special_characters() {
        assert_eq!(m0("[a-]+", true, "a-a"), Some("a-a".into()));
        assert_eq!(m0("[-a]+", false, "a-"), Some("a-".into()));
        assert_eq!(m0("[]a]+", true, "]a]"), Some("]a]".into()));
        assert_eq!(m0("[^]a]+", true, "]a]bc"), Some("bc".into()));
        assert_eq!(m0("[\\]]+", true, "]]"), Some("]]".into()));
        assert_eq!(m0("[\\]+", false, "\\\\"), Some("\\\\".into()));
        assert_eq!(m0("[a-z&&b]+", true, "a&&b"), Some("a&&b".into()));
        assert_eq!(m0("[~-]+", true, "~-"), Some("~-".into()));
        assert_eq!(m0("[a\\-z]+", true, "a-z"), Some("a-z".into()));
        assert_eq!(
            err("[a-c-e]", false),
            "misplaced hyphen within square brackets in pattern"
        );
        assert_eq!(
            err("[\\d-z]", true),
            "misplaced hyphen within square brackets in pattern"
        );
        assert_eq!(
            err("[z-a]", true),
            "invalid range within square brackets in pattern"
        );
        assert_eq!(err("[", false), "missing closing square bracket in pattern");
        assert_eq!(err("[\\q]", true), "illegal alphabetic escape");
    }

    #[test]
    fn dot_matches_newline_outside_multi_mode() {
        assert_eq!(m0(".", false, "\n"), Some("\n".into()));
        assert_eq!(m0("(?m:.)", false, "\nx"), Some("x".into()));
        assert_eq!(m0("(?m:^b)", false, "a\nb"), Some("b".into()));
        assert_eq!(m0("^b", false, "a\nb"), None);
        assert_eq!(m0("a$", false, "a\n"), None);
        assert_eq!(m0("(?s:.)", true, "\n"), Some("\n".into()));
        assert_eq!(m0("(?i:abc)", false, "xABC"), Some("ABC".into()));
        assert_eq!(m0("(?i:[a-c]+)", true, "ABC"), Some("ABC".into()));
        assert_eq!(tr("(?i-s:a)", false), "(?s)(?im-s:a)");
    }

    #[test]
    fn braces_depend_on_the_dialect() {
        assert_eq!(m0("a{2}", false, "aa a{2}"), Some("a{2}".into()));
        assert_eq!(m0("a{,2}", true, "aaa"), Some("aa".into()));
        assert_eq!(m0("a{2,3}?", true, "aaaa"), Some("aa".into()));
        assert_eq!(m0("a{,}", true, "aa"), Some("aa".into()));
        assert_eq!(m0("a}", false, "a}"), Some("a}".into()));
        assert!(err("a{", true).starts_with("expected digit"));
        assert_eq!(err("a}", true), "unmatched `}` in pattern");
        assert_eq!(err("a]", true), "unmatched `]` in pattern");
        assert_eq!(m0("a]", false, "a]"), Some("a]".into()));
    }

    #[test]
    fn groups_backreferences_and_lookaround() {
        assert_eq!(
            m("(a)\\1", true, "aa a1"),
            Some(vec![Some("aa".into()), Some("a".into())])
        );
        assert_eq!(
            m("(?:a|b)+(c)?", false, "abx"),
            Some(vec![Some("ab".into()), None])
        );
        assert_eq!(m0("x(?=y)", false, "xy"), Some("x".into()));
        assert_eq!(m0("(?<=x)y", false, "xy"), Some("y".into()));
        assert_eq!(m0("(?>a+)b", true, "aab"), Some("aab".into()));
        assert_eq!(
            m("(a)?(?(1)b|c)", true, "c"),
            Some(vec![Some("c".into()), None])
        );
        assert_eq!(m0("x*?", true, "xx"), Some("".into()));
        assert_eq!(
            err("(a)\\2", true),
            "backreference number is larger than the highest-numbered cluster"
        );
    }

    #[test]
    fn racket_syntax_errors() {
        assert_eq!(err("(", false), "missing closing parenthesis in pattern");
        assert_eq!(err("(a", false), "expected a closing `)`");
        assert_eq!(err(")", false), "unmatched `)` in pattern");
        assert_eq!(err("*a", false), "`*` follows nothing in pattern");
        assert_eq!(err("a|*", false), "`*` follows nothing in pattern");
        assert_eq!(err("a**", false), "nested `*` in patten");
        assert_eq!(err("a*??", false), "nested `?` in patten");
        assert_eq!(err("a{2}{3}", true), "nested `{` in pattern");
        assert_eq!(
            err("^*", false),
            "`*`, `+`, or `{...}` operand could be empty"
        );
        assert_eq!(err("\\q", true), "illegal alphabetic escape");
        assert!(err("(?i)a", false).starts_with("expected `:` or another mode"));
        assert!(err("(?<n>a)", false).starts_with("expected `:`, `=`"));
        assert!(err("\\p{Foo}", true).starts_with("unrecognized property name"));
        assert!(compile("a+?", false).is_ok());
        assert!(compile("a||b", false).is_ok());
    }

    #[test]
    fn literal_punctuation_is_escaped() {
        assert_eq!(m0("a<b>c!", true, "xa<b>c!"), Some("a<b>c!".into()));
        assert_eq!(m0("#&-~", false, "#&-~"), Some("#&-~".into()));
        assert_eq!(m0("\\$", true, "$"), Some("$".into()));
        assert_eq!(
            m0(&quote("a.b*c{}]"), false, "a.b*c{}]"),
            Some("a.b*c{}]".into())
        );
    }

    fn subject_matches(src: &str, text: &str) -> Vec<(usize, usize)> {
        let re = compile(src, false).expect("pattern compiles");
        let subject = Subject::new(text);
        all_matches("test", &re, text, 0, text.len(), usize::MAX)
            .check()
            .iter()
            .map(|g| {
                let (s, e) = g[0].expect("whole match present");
                (subject.char_of_byte(s), subject.char_of_byte(e))
            })
            .collect()
    }

    #[test]
    fn iteration_matches_racket_around_empty_matches() {
        assert_eq!(
            subject_matches("a*", "baaac"),
            vec![(0, 0), (1, 4), (4, 4), (5, 5)]
        );
        assert_eq!(
            subject_matches("", "abc"),
            vec![(0, 0), (1, 1), (2, 2), (3, 3)]
        );
        assert_eq!(subject_matches("^a", "aaa"), vec![(0, 1)]);
        assert_eq!(subject_matches("b", "ébéb"), vec![(1, 2), (3, 4)]);
    }

    #[test]
    fn replacement_strings() {
        let parts = vec![Value::str("a"), Value::str("a"), Value::Bool(false)];
        assert_eq!(
            expand_insert("[\\1|\\2|&|\\0|\\&|\\\\]", &parts),
            "[a||a|a|&|\\]"
        );
        assert_eq!(expand_insert("\\x", &parts), "ax");
        assert_eq!(expand_insert("\\10", &parts), "");
        assert_eq!(expand_insert("\\$", &parts), "");
        assert_eq!(expand_insert("X\\", &parts), "Xa");
    }

    fn call(f: PlainFn, args: &[Value]) -> Value {
        let mut interp = Interp::new();
        f(&mut interp, args).unwrap_or_else(|e| panic!("{}", e.report()))
    }

    use crate::builtins::PlainFn;

    fn strs(v: &Value) -> Vec<String> {
        v.list_to_vec()
            .expect("a list")
            .iter()
            .map(|x| match x {
                Value::Str(s) => s.to_string(),
                Value::Bool(false) => "#f".to_string(),
                _ => "?".to_string(),
            })
            .collect()
    }

    #[test]
    fn builtins_split_and_replace() {
        let split = call(regexp_split, &[Value::str(","), Value::str("a,b,,c,")]);
        assert_eq!(strs(&split), ["a", "b", "", "c", ""]);
        let split = call(regexp_split, &[Value::str(" *"), Value::str("a b")]);
        assert_eq!(strs(&split), ["", "a", "", "b", ""]);
        let split = call(
            regexp_split,
            &[Value::str("b"), Value::str("ébéb"), Value::Int(1)],
        );
        assert_eq!(strs(&split), ["", "é", ""]);
        let replaced = call(
            regexp_replace_all,
            &[Value::str("a*"), Value::str("baaac"), Value::str("-")],
        );
        assert!(matches!(&replaced, Value::Str(s) if &**s == "-b--c-"));
        let replaced = call(
            regexp_replace,
            &[Value::str("b"), Value::str("ébéb"), Value::str("X")],
        );
        assert!(matches!(&replaced, Value::Str(s) if &**s == "éXéb"));
    }

    #[test]
    fn builtins_match_with_positions_and_bounds() {
        let found = call(
            regexp_match,
            &[Value::str("^a"), Value::str("ba"), Value::Int(1)],
        );
        assert_eq!(strs(&found), ["a"]);
        let found = call(
            regexp_match,
            &[
                Value::str("a"),
                Value::str("cab"),
                Value::Int(0),
                Value::Int(1),
            ],
        );
        assert!(matches!(found, Value::Bool(false)));
        let positions = call(
            regexp_match_positions,
            &[Value::str("(x)?b"), Value::str("ééb"), Value::Int(1)],
        );
        let items = positions.list_to_vec().expect("a list");
        assert!(
            matches!(&items[0], Value::Pair(p) if matches!((&p.car, &p.cdr), (Value::Int(2), Value::Int(3))))
        );
        assert!(matches!(items[1], Value::Bool(false)));
        let mut interp = Interp::new();
        let e = regexp_match(
            &mut interp,
            &[Value::str("a"), Value::str("cab"), Value::Int(5)],
        )
        .expect_err("error");
        assert!(e.report().contains("starting index is out of range"));
        let e = regexp_match(&mut interp, &[Value::Int(5), Value::str("x")]).expect_err("error");
        assert!(e
            .report()
            .contains("(or/c regexp? byte-regexp? string? bytes?)"));
    }

    #[test]
    fn string_patterns_are_cached() {
        let a = cached_compile("t", "ab+c", false).check();
        let b = cached_compile("t", "ab+c", false).check();
        assert!(Rc::ptr_eq(&a, &b));
        let px = cached_compile("t", "ab+c", true).check();
        assert!(!Rc::ptr_eq(&a, &px));
    }
}
