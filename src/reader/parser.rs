//! The parser proper. Racket's `read-syntax` syntax, with its error messages.
//!
//! Structure is driven by a loop over tokens with an explicit stack of open lists, quote
//! prefixes and datum comments, so nesting depth costs heap rather than Rust stack; `nom`
//! combinators recognise the small lexical pieces.
//!
//! Spans: `line` and `col` are both 1-based, and `col` counts characters (not bytes) from the
//! start of the line. A datum's span is that of its first character (for `'x`, the quote).

use std::borrow::Cow;

use nom::bytes::complete::{tag, take_while, take_while_m_n};
use nom::IResult;

use crate::error::{Error, Span};
use crate::reader::datum::{Datum, DatumKind};
use crate::reader::number::{parse_number_checked, NumberError};
use crate::value::{Symbol, Value};

/// A reader error. `incomplete` is true when the input ended inside a datum, so the REPL knows
/// to ask for another line instead of reporting an error.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub message: String,
    pub span: Span,
    pub incomplete: bool,
}

impl From<ReadError> for Error {
    fn from(e: ReadError) -> Error {
        Error::read(e.message, e.span)
    }
}

/// Reads every datum in `src`. A first line starting with `#lang` or `#!` is skipped.
pub fn read_all(src: &str, file: u32) -> Result<Vec<Datum>, ReadError> {
    let mut reader = Reader::new(src, 0, file);
    reader.skip_header();
    let mut data = Vec::new();
    while let Some(datum) = reader.read_datum()? {
        data.push(datum);
    }
    Ok(data)
}

/// Reads one datum starting at byte offset `pos`; returns it and the offset just after it, or
/// `None` at end of input (only whitespace and comments remain). Spans count lines and columns
/// from the start of `src`, not from `pos`.
pub fn read_one(src: &str, pos: usize, file: u32) -> Result<Option<(Datum, usize)>, ReadError> {
    let mut start = pos.min(src.len());
    while !src.is_char_boundary(start) {
        start += 1;
    }
    let mut reader = Reader::new(src, start, file);
    Ok(reader.read_datum()?.map(|datum| (datum, reader.pos)))
}

const WHO: &str = "read-syntax";

fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | '[' | ']' | '{' | '}' | '"' | ',' | '\'' | '`' | ';'
        )
}

fn is_plain_symbol_char(c: char) -> bool {
    !is_delimiter(c) && c != '|' && c != '\\'
}

fn closer_for(open: char) -> char {
    match open {
        '[' => ']',
        '{' => '}',
        _ => ')',
    }
}

fn hex_digits(max: usize) -> impl Fn(&str) -> IResult<&str, &str> {
    move |input| take_while_m_n(1, max, |c: char| c.is_ascii_hexdigit())(input)
}

fn octal_digits(input: &str) -> IResult<&str, &str> {
    take_while_m_n(1, 3, |c: char| ('0'..='7').contains(&c))(input)
}

fn alphabetic_run(input: &str) -> IResult<&str, &str> {
    take_while(char::is_alphabetic)(input)
}

fn char_from_hex(digits: &str) -> Option<char> {
    u32::from_str_radix(digits, 16)
        .ok()
        .and_then(char::from_u32)
}

/// Racket's character names, plus R7RS's `alarm`, `delete` and `escape`, and `altmode`.
fn named_char(name: &str) -> Option<char> {
    const NAMES: [(&str, char); 15] = [
        ("nul", '\0'),
        ("null", '\0'),
        ("backspace", '\u{8}'),
        ("tab", '\t'),
        ("newline", '\n'),
        ("linefeed", '\n'),
        ("vtab", '\u{b}'),
        ("page", '\u{c}'),
        ("return", '\r'),
        ("space", ' '),
        ("rubout", '\u{7f}'),
        ("delete", '\u{7f}'),
        ("alarm", '\u{7}'),
        ("escape", '\u{1b}'),
        ("altmode", '\u{1b}'),
    ];
    NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, c)| *c)
}

/// What a token does to the structure being built.
enum Token {
    Open {
        open: char,
        vector: bool,
    },
    Close(char),
    Dot,
    /// `'` and friends: wrap the next datum as `(name datum)`.
    Prefix {
        name: &'static str,
        marker: &'static str,
    },
    DatumComment,
    Atom(DatumKind),
    Eof,
}

/// Something still waiting for data.
enum Frame {
    List(OpenList),
    Prefix {
        name: &'static str,
        marker: &'static str,
        span: Span,
    },
    /// `#;`: the next datum is read and dropped.
    Comment,
}

struct OpenList {
    open: char,
    vector: bool,
    span: Span,
    items: Vec<Datum>,
    dot: DotState,
    /// `(a . op . b)` is Racket's infix notation for `(op a b)`.
    infix: Option<Infix>,
}

enum DotState {
    None,
    AwaitingTail {
        dot: usize,
    },
    /// `prefixed`: the tail was written as `'x`, `,x`... rather than in brackets.
    Tail {
        dot: usize,
        tail: Datum,
        prefixed: bool,
    },
}

struct Infix {
    op: Datum,
    first_dot: usize,
    items_before: usize,
}

/// Line and column of a byte offset, remembered so that moving forward costs only the
/// distance moved.
struct Locator {
    offset: usize,
    line: u32,
    col: u32,
}

impl Locator {
    fn start() -> Locator {
        Locator {
            offset: 0,
            line: 1,
            col: 1,
        }
    }
}

struct Reader<'a> {
    src: &'a str,
    pos: usize,
    file: u32,
    locator: Locator,
}

impl<'a> Reader<'a> {
    fn new(src: &'a str, pos: usize, file: u32) -> Reader<'a> {
        Reader {
            src,
            pos,
            file,
            locator: Locator::start(),
        }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn span_at(&mut self, offset: usize) -> Span {
        let offset = offset.min(self.src.len());
        if offset < self.locator.offset {
            self.locator = Locator::start();
        }
        let loc = &mut self.locator;
        for &b in &self.src.as_bytes()[loc.offset..offset] {
            if b == b'\n' {
                loc.line = loc.line.saturating_add(1);
                loc.col = 1;
            } else if b & 0xC0 != 0x80 {
                loc.col = loc.col.saturating_add(1);
            }
        }
        loc.offset = offset;
        Span::new(self.file, loc.line, loc.col)
    }

    fn error(&mut self, at: usize, message: impl std::fmt::Display) -> ReadError {
        ReadError {
            message: format!("{WHO}: {message}"),
            span: self.span_at(at),
            incomplete: false,
        }
    }

    fn eof_error(&mut self, at: usize, message: impl std::fmt::Display) -> ReadError {
        ReadError {
            incomplete: true,
            ..self.error(at, message)
        }
    }

    /// Skips a `#!` first line, or a `#lang` line after any leading whitespace and comments.
    fn skip_header(&mut self) {
        if self.rest().starts_with("#!") {
            self.skip_line();
            return;
        }
        if self.skip_atmosphere().is_err() {
            return;
        }
        let rest = self.rest();
        if rest
            .strip_prefix("#lang")
            .is_some_and(|after| after.is_empty() || after.starts_with(char::is_whitespace))
        {
            self.skip_line();
        }
    }

    fn skip_line(&mut self) {
        self.pos = match self.rest().find('\n') {
            Some(newline) => self.pos + newline + 1,
            None => self.src.len(),
        };
    }

    /// Skips whitespace, `;` comments and (nested) `#| |#` comments.
    fn skip_atmosphere(&mut self) -> Result<(), ReadError> {
        loop {
            let rest = self.rest();
            let mut chars = rest.chars();
            match chars.next() {
                Some(c) if c.is_whitespace() => self.pos += c.len_utf8(),
                Some(';') => self.skip_line(),
                Some('#') if chars.next() == Some('|') => self.skip_block_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn skip_block_comment(&mut self) -> Result<(), ReadError> {
        let start = self.pos;
        let bytes = self.src.as_bytes();
        let mut depth = 0usize;
        let mut i = start;
        while i + 1 < bytes.len() {
            match (bytes[i], bytes[i + 1]) {
                (b'#', b'|') => {
                    depth += 1;
                    i += 2;
                }
                (b'|', b'#') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        self.pos = i;
                        return Ok(());
                    }
                }
                _ => i += 1,
            }
        }
        Err(self.eof_error(start, "end of file in `#|` comment"))
    }

    /// Reads the next complete datum, or `None` if only atmosphere is left.
    fn read_datum(&mut self) -> Result<Option<Datum>, ReadError> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            let (token, start) = self.next_token()?;
            let completed = match token {
                Token::Eof => {
                    return match stack.last() {
                        None => Ok(None),
                        Some(frame) => Err(self.unfinished(frame)),
                    }
                }
                Token::Open { open, vector } => {
                    let span = self.span_at(start);
                    stack.push(Frame::List(OpenList {
                        open,
                        vector,
                        span,
                        items: Vec::new(),
                        dot: DotState::None,
                        infix: None,
                    }));
                    continue;
                }
                Token::Prefix { name, marker } => {
                    let span = self.span_at(start);
                    stack.push(Frame::Prefix { name, marker, span });
                    continue;
                }
                Token::DatumComment => {
                    stack.push(Frame::Comment);
                    continue;
                }
                Token::Dot => {
                    self.dot(&mut stack, start)?;
                    continue;
                }
                Token::Close(close) => self.close(&mut stack, close, start)?,
                Token::Atom(kind) => Datum::new(kind, self.span_at(start)),
            };
            if let Some(datum) = self.deliver(&mut stack, completed)? {
                return Ok(Some(datum));
            }
        }
    }

    /// Hands a finished datum to the innermost frame; returns it if no frame is open.
    fn deliver(
        &mut self,
        stack: &mut Vec<Frame>,
        mut datum: Datum,
    ) -> Result<Option<Datum>, ReadError> {
        let mut prefixed = false;
        loop {
            match stack.last_mut() {
                None => return Ok(Some(datum)),
                Some(Frame::Comment) => {
                    stack.pop();
                    return Ok(None);
                }
                Some(Frame::Prefix { name, span, .. }) => {
                    let (name, span) = (*name, *span);
                    stack.pop();
                    datum = Datum::list(vec![Datum::symbol(name, span), datum], span);
                    prefixed = true;
                }
                Some(Frame::List(list)) => {
                    match std::mem::replace(&mut list.dot, DotState::None) {
                        DotState::None => list.items.push(datum),
                        DotState::AwaitingTail { dot } => {
                            list.dot = DotState::Tail {
                                dot,
                                tail: datum,
                                prefixed,
                            }
                        }
                        DotState::Tail { dot, .. } => {
                            return Err(self.error(dot, "illegal use of `.`"))
                        }
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn dot(&mut self, stack: &mut [Frame], at: usize) -> Result<(), ReadError> {
        if let Some(Frame::List(list)) = stack.last_mut() {
            if !list.vector && list.infix.is_none() {
                match std::mem::replace(&mut list.dot, DotState::None) {
                    DotState::None if !list.items.is_empty() => {
                        list.dot = DotState::AwaitingTail { dot: at };
                        return Ok(());
                    }
                    DotState::Tail { dot, tail, .. } => {
                        list.infix = Some(Infix {
                            op: tail,
                            first_dot: dot,
                            items_before: list.items.len(),
                        });
                        return Ok(());
                    }
                    other => list.dot = other,
                }
            }
        }
        Err(self.error(at, "illegal use of `.`"))
    }

    fn close(
        &mut self,
        stack: &mut Vec<Frame>,
        close: char,
        at: usize,
    ) -> Result<Datum, ReadError> {
        let list = match stack.pop() {
            Some(Frame::List(list)) => list,
            _ => return Err(self.error(at, format!("unexpected `{close}`"))),
        };
        let expected = closer_for(list.open);
        if close != expected {
            let open = list.open;
            return Err(ReadError {
                message: format!("{WHO}: expected `{expected}` to close preceding `{open}`, found instead `{close}`"),
                span: list.span,
                incomplete: false,
            });
        }
        let span = list.span;
        if list.vector {
            return Ok(Datum::new(DatumKind::Vector(list.items), span));
        }
        let mut items = list.items;
        if let Some(infix) = list.infix {
            if items.len() == infix.items_before {
                return Err(self.error(infix.first_dot, "illegal use of `.`"));
            }
            items.insert(0, infix.op);
            return Ok(Datum::list(items, span));
        }
        match list.dot {
            DotState::None => Ok(Datum::list(items, span)),
            DotState::AwaitingTail { .. } => Err(self.error(at, format!("unexpected `{close}`"))),
            DotState::Tail { tail, prefixed, .. } => Ok(attach_tail(items, tail, prefixed, span)),
        }
    }

    fn unfinished(&mut self, frame: &Frame) -> ReadError {
        let end = self.src.len();
        match frame {
            Frame::List(list) => {
                let (open, span) = (list.open, list.span);
                ReadError {
                    message: format!("{WHO}: expected a `{}` to close `{open}`", closer_for(open)),
                    span,
                    incomplete: true,
                }
            }
            Frame::Prefix { marker, span, .. } => ReadError {
                message: format!(
                    "{WHO}: expected an element for quoting \"{marker}\", found end-of-file"
                ),
                span: *span,
                incomplete: true,
            },
            Frame::Comment => self.eof_error(
                end,
                "expected a commented-out element for `#;`, but found end-of-file",
            ),
        }
    }

    /// The next token and the byte offset where it starts.
    fn next_token(&mut self) -> Result<(Token, usize), ReadError> {
        self.skip_atmosphere()?;
        let start = self.pos;
        let mut chars = self.rest().chars();
        let Some(first) = chars.next() else {
            return Ok((Token::Eof, start));
        };
        let second = chars.next();
        let token = match first {
            '(' | '[' | '{' => {
                self.pos += 1;
                Token::Open {
                    open: first,
                    vector: false,
                }
            }
            ')' | ']' | '}' => {
                self.pos += 1;
                Token::Close(first)
            }
            '\'' => self.prefix(1, "quote", "'"),
            '`' => self.prefix(1, "quasiquote", "`"),
            ',' if second == Some('@') => self.prefix(2, "unquote-splicing", ",@"),
            ',' => self.prefix(1, "unquote", ","),
            '"' => {
                let text = self.string_literal()?;
                Token::Atom(DatumKind::Atom(Value::string(text)))
            }
            '#' => self.hash_token(second)?,
            _ => self.symbol_or_number()?,
        };
        Ok((token, start))
    }

    fn prefix(&mut self, len: usize, name: &'static str, marker: &'static str) -> Token {
        self.pos += len;
        Token::Prefix { name, marker }
    }

    /// Everything that starts with `#` (block comments were skipped as atmosphere).
    fn hash_token(&mut self, second: Option<char>) -> Result<Token, ReadError> {
        let start = self.pos;
        let after_hash = &self.rest()[1..];
        let token = match second {
            Some(open @ ('(' | '[' | '{')) => {
                self.pos += 2;
                Token::Open { open, vector: true }
            }
            Some('\\') => Token::Atom(DatumKind::Atom(Value::Char(self.char_literal()?))),
            Some(':') => {
                self.pos += 2;
                let (name, _) = self.symbol_text(start)?;
                Token::Atom(DatumKind::Atom(Value::Keyword(Symbol::intern(&name))))
            }
            Some('\'') => self.prefix(2, "syntax", "#'"),
            Some('`') => self.prefix(2, "quasisyntax", "#`"),
            Some(',') if after_hash.starts_with(",@") => self.prefix(3, "unsyntax-splicing", "#,@"),
            Some(',') => self.prefix(2, "unsyntax", "#,"),
            Some(';') => {
                self.pos += 2;
                Token::DatumComment
            }
            Some('%') => {
                let (name, _) = self.symbol_text(start)?;
                Token::Atom(DatumKind::Symbol(Symbol::intern(&name)))
            }
            Some('<') if after_hash.starts_with("<<") => Token::Atom(DatumKind::Atom(Value::string(self.here_string()?))),
            Some('r' | 'p') if after_hash.starts_with("rx") || after_hash.starts_with("px") => {
                Token::Atom(DatumKind::Atom(self.regex_literal()?))
            }
            Some('t' | 'f' | 'T' | 'F') => {
                Token::Atom(DatumKind::Atom(Value::Bool(self.boolean()?)))
            }
            Some('x' | 'X' | 'b' | 'B' | 'o' | 'O' | 'd' | 'D' | 'e' | 'E' | 'i' | 'I') => {
                Token::Atom(DatumKind::Atom(self.prefixed_number()?))
            }
            _ => {
                let word = self.hash_word();
                return Err(self.error(start, format!("bad syntax `{word}`")));
            }
        };
        Ok(token)
    }

    /// A here string: `#<<END`, then the lines up to one that is exactly `END`, which ends it
    /// (the line break before it is not part of the string).
    fn here_string(&mut self) -> Result<String, ReadError> {
        let start = self.pos;
        let rest = &self.rest()[3..];
        let Some(line_end) = rest.find('\n') else {
            return Err(self.eof_error(start, "read-syntax: no newline after `#<<` terminator"));
        };
        let terminator = rest[..line_end].trim_end_matches('\r');
        if terminator.is_empty() {
            return Err(self.error(start, "read-syntax: expected a terminator after `#<<`"));
        }
        let body = &rest[line_end + 1..];
        let mut offset = 0;
        for line in body.split_inclusive('\n') {
            if line.trim_end_matches('\n').trim_end_matches('\r') == terminator {
                let text = body[..offset].strip_suffix('\n').unwrap_or(&body[..offset]).to_string();
                self.pos = start + 3 + line_end + 1 + offset + terminator.len();
                return Ok(text);
            }
            offset += line.len();
        }
        Err(self.eof_error(start, format!("read-syntax: no line `{terminator}` ends the here string")))
    }

    /// The text from the current `#` up to the next delimiter, consumed (for `#t`, `#x1F`...).
    fn hash_word(&mut self) -> &'a str {
        let rest = self.rest();
        let len = 1 + rest[1..].find(is_delimiter).unwrap_or(rest.len() - 1);
        self.pos += len;
        &rest[..len]
    }

    fn boolean(&mut self) -> Result<bool, ReadError> {
        let start = self.pos;
        match self.hash_word() {
            "#t" | "#T" | "#true" => Ok(true),
            "#f" | "#F" | "#false" => Ok(false),
            word => Err(self.error(start, format!("bad syntax `{word}`"))),
        }
    }

    fn prefixed_number(&mut self) -> Result<Value, ReadError> {
        let start = self.pos;
        let word = self.hash_word();
        match parse_number_checked(word, 10) {
            Ok(value) => Ok(value),
            Err(NumberError::DivisionByZero) => {
                Err(self.error(start, format!("division by zero in `{word}`")))
            }
            Err(NumberError::NotANumber) => {
                Err(self.error(start, format!("bad number syntax `{word}`")))
            }
        }
    }

    fn regex_literal(&mut self) -> Result<Value, ReadError> {
        let start = self.pos;
        let marker = &self.rest()[..3];
        let pregexp = marker == "#px";
        self.pos += 3;
        match self.rest().chars().next() {
            Some('"') => {}
            Some('#') => {
                return Err(self.error(
                    start,
                    format!("byte-string regexps (`{marker}#\"...\"`) are not supported"),
                ))
            }
            None => return Err(self.eof_error(start, format!("expected `\"` after `{marker}`"))),
            Some(_) => return Err(self.error(start, format!("expected `\"` after `{marker}`"))),
        }
        let source = self.string_literal()?;
        crate::builtins::regex::compile_literal(&source, pregexp)
            .map_err(|message| self.error(start, message))
    }

    /// `#\...`: a named character, `#\uXXXX`, `#\NNN` (octal), or any single character.
    fn char_literal(&mut self) -> Result<char, ReadError> {
        let start = self.pos;
        let body = &self.rest()[2..];
        let mut chars = body.chars();
        let Some(first) = chars.next() else {
            return Err(self.eof_error(start, "expected a character after `#\\`"));
        };
        let after_first = &body[first.len_utf8()..];
        let next = chars.next();
        let bad = |reader: &mut Reader, text: &str| {
            reader.error(start, format!("bad character constant `#\\{text}`"))
        };

        if matches!(first, 'u' | 'U') {
            // Racket reads `#\uxyz` as `#\u` followed by `xyz`, unlike other letter runs.
            let max = if first == 'u' { 4 } else { 8 };
            let (_, digits) = hex_digits(max)(after_first).unwrap_or(("", ""));
            self.pos += 3 + digits.len();
            if digits.is_empty() {
                return Ok(first);
            }
            let text = &body[..1 + digits.len()];
            return char_from_hex(digits).ok_or_else(|| bad(self, text));
        }
        if first.is_digit(8) && next.is_some_and(|c| c.is_ascii_digit()) {
            let (_, digits) = octal_digits(body).unwrap_or(("", ""));
            let text_len = body.chars().take(3).map(char::len_utf8).sum::<usize>();
            self.pos += 2 + text_len;
            let value = u32::from_str_radix(digits, 8)
                .ok()
                .filter(|&v| digits.len() == 3 && v <= 0o377);
            return value
                .and_then(char::from_u32)
                .ok_or_else(|| bad(self, &body[..text_len]));
        }
        if first.is_alphabetic() && next.is_some_and(char::is_alphabetic) {
            let (_, name) = alphabetic_run(body).unwrap_or(("", ""));
            self.pos += 2 + name.len();
            return named_char(name).ok_or_else(|| bad(self, name));
        }
        self.pos += 2 + first.len_utf8();
        Ok(first)
    }

    /// Reads a string literal starting at the opening quote, processing escapes.
    fn string_literal(&mut self) -> Result<String, ReadError> {
        let start = self.pos;
        let mut out = String::new();
        let mut i = start + 1;
        loop {
            let rest = &self.src[i..];
            let Some(special) = rest.find(['"', '\\']) else {
                self.pos = self.src.len();
                return Err(self.eof_error(start, "expected a closing `\"`"));
            };
            out.push_str(&rest[..special]);
            i += special;
            if rest.as_bytes()[special] == b'"' {
                self.pos = i + 1;
                return Ok(out);
            }
            i = self.string_escape(start, i, &mut out)?;
        }
    }

    /// Processes the escape whose backslash is at `at`; returns the offset after it.
    fn string_escape(
        &mut self,
        start: usize,
        at: usize,
        out: &mut String,
    ) -> Result<usize, ReadError> {
        let body = &self.src[at + 1..];
        let Some(kind) = body.chars().next() else {
            self.pos = self.src.len();
            return Err(self.eof_error(start, "expected a closing `\"`"));
        };
        let after = &body[kind.len_utf8()..];
        let simple = match kind {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            't' => Some('\t'),
            'n' => Some('\n'),
            'v' => Some('\u{b}'),
            'f' => Some('\u{c}'),
            'r' => Some('\r'),
            'e' => Some('\u{1b}'),
            '"' | '\'' | '\\' => Some(kind),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return Ok(at + 2);
        }
        match kind {
            '0'..='7' => {
                let (_, digits) = octal_digits(body).unwrap_or(("", ""));
                let value = u32::from_str_radix(digits, 8).unwrap_or(0);
                if value > 0o377 {
                    return Err(self.error(
                        start,
                        format!("escape sequence `\\{digits}` is out of range in string"),
                    ));
                }
                out.push(char::from_u32(value).unwrap_or('\0'));
                Ok(at + 1 + digits.len())
            }
            'x' | 'u' | 'U' => {
                let max = match kind {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let Ok((_, digits)) = hex_digits(max)(after) else {
                    if after.is_empty() {
                        self.pos = self.src.len();
                        return Err(self.eof_error(start, "expected a closing `\"`"));
                    }
                    return Err(self.error(start, format!("no hex digit following `\\{kind}`")));
                };
                let end = at + 2 + digits.len();
                let value = u32::from_str_radix(digits, 16).unwrap_or(0);
                if kind == 'u' && (0xD800..0xE000).contains(&value) {
                    return self.surrogate_pair(start, at, value, out);
                }
                match char::from_u32(value) {
                    Some(c) => {
                        out.push(c);
                        Ok(end)
                    }
                    None => Err(self.error(
                        start,
                        format!("escape sequence `\\{kind}{digits}` is out of range in string"),
                    )),
                }
            }
            '\n' => Ok(at + 2),
            '\r' => Ok(if after.starts_with('\n') {
                at + 3
            } else {
                at + 2
            }),
            _ => Err(self.error(
                start,
                format!("unknown escape sequence `\\{kind}` in string"),
            )),
        }
    }

    /// `\uD83D\uDE00`: a UTF-16 surrogate pair spelled as two escapes.
    fn surrogate_pair(
        &mut self,
        start: usize,
        at: usize,
        high: u32,
        out: &mut String,
    ) -> Result<usize, ReadError> {
        let body = &self.src[at..];
        let parsed: IResult<&str, (&str, &str, &str, &str)> =
            nom::sequence::tuple((tag("\\u"), hex_digits(4), tag("\\u"), hex_digits(4)))(body);
        let low = match parsed {
            Ok((_, (_, _, _, low_digits))) if (0xD800..0xDC00).contains(&high) => {
                u32::from_str_radix(low_digits, 16)
                    .ok()
                    .filter(|v| (0xDC00..0xE000).contains(v))
            }
            _ => None,
        };
        match (low, parsed) {
            (Some(low), Ok((rest, _))) => {
                let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                Ok(self.src.len() - rest.len())
            }
            _ if !body.contains('"') => {
                self.pos = self.src.len();
                Err(self.eof_error(start, "expected a closing `\"`"))
            }
            _ => {
                let shown: String = body.chars().take(12).take_while(|&c| c != '"').collect();
                Err(self.error(
                    start,
                    format!("bad or incomplete surrogate-style encoding at `{shown}`"),
                ))
            }
        }
    }

    /// A symbol's text from the current position: plain characters, `|...|` verbatim runs and
    /// `\c` escapes. Returns the name and whether any part was quoted. `start` is where the
    /// whole token began, for errors.
    fn symbol_text(&mut self, start: usize) -> Result<(Cow<'a, str>, bool), ReadError> {
        let plain = self.plain_symbol_chars();
        if !self.rest().starts_with(['|', '\\']) {
            return Ok((Cow::Borrowed(plain), false));
        }
        let mut name = plain.to_string();
        loop {
            let after = self.rest();
            let mut chars = after.chars();
            match chars.next() {
                Some('|') => {
                    let Some(close) = after[1..].find('|') else {
                        self.pos = self.src.len();
                        return Err(self.eof_error(start, "end-of-file following `|` in symbol"));
                    };
                    name.push_str(&after[1..1 + close]);
                    self.pos += close + 2;
                }
                Some('\\') => {
                    let Some(escaped) = chars.next() else {
                        self.pos = self.src.len();
                        return Err(self.eof_error(start, "end-of-file following `\\` in symbol"));
                    };
                    name.push(escaped);
                    self.pos += 1 + escaped.len_utf8();
                }
                _ => return Ok((Cow::Owned(name), true)),
            }
            name.push_str(self.plain_symbol_chars());
        }
    }

    fn plain_symbol_chars(&mut self) -> &'a str {
        let rest = self.rest();
        let (_, plain) =
            take_while::<_, &str, ()>(is_plain_symbol_char)(rest).unwrap_or((rest, ""));
        self.pos += plain.len();
        plain
    }

    fn symbol_or_number(&mut self) -> Result<Token, ReadError> {
        let start = self.pos;
        let (name, quoted) = self.symbol_text(start)?;
        if quoted {
            return Ok(Token::Atom(DatumKind::Symbol(Symbol::intern(&name))));
        }
        if name == "." {
            return Ok(Token::Dot);
        }
        if name.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '+' | '-' | '.')) {
            match parse_number_checked(&name, 10) {
                Ok(value) => return Ok(Token::Atom(DatumKind::Atom(value))),
                Err(NumberError::DivisionByZero) => {
                    return Err(self.error(start, format!("division by zero in `{name}`")))
                }
                Err(NumberError::NotANumber) => {}
            }
        }
        Ok(Token::Atom(DatumKind::Symbol(Symbol::intern(&name))))
    }
}

/// `(a . (b c))` is `(a b c)` and `(a . (b . c))` is `(a b . c)`, as in Racket. A tail written
/// with a prefix stays a tail: `(a . ,b)` reads as `Dotted([a], (unquote b))` (the same pairs
/// as Racket's `(a unquote b)`), which is the shape quasiquote looks for.
fn attach_tail(mut items: Vec<Datum>, tail: Datum, prefixed: bool, span: Span) -> Datum {
    match tail.kind {
        DatumKind::List(rest) if !prefixed => {
            items.extend(rest);
            Datum::list(items, span)
        }
        DatumKind::Dotted(rest, last) if !prefixed => {
            items.extend(rest);
            Datum::new(DatumKind::Dotted(items, last), span)
        }
        kind => Datum::new(
            DatumKind::Dotted(items, Box::new(Datum::new(kind, tail.span))),
            span,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Racket-like `write` of a datum, enough to compare structure in assertions.
    fn show(d: &Datum) -> String {
        let seq = |items: &[Datum]| items.iter().map(show).collect::<Vec<_>>().join(" ");
        match &d.kind {
            DatumKind::List(items) => format!("({})", seq(items)),
            DatumKind::Dotted(items, tail) => format!("({} . {})", seq(items), show(tail)),
            DatumKind::Vector(items) => format!("#({})", seq(items)),
            DatumKind::Symbol(s) => format!("sym:{}", s.name()),
            DatumKind::Atom(v) => show_value(v),
        }
    }

    fn show_value(v: &Value) -> String {
        match v {
            Value::Bool(b) => format!("{b}"),
            Value::Int(n) => format!("{n}"),
            Value::Big(n) => format!("big:{n}"),
            Value::Rat(r) => format!("{}/{}", r.numer(), r.denom()),
            Value::Float(f) => format!("float:{f:?}"),
            Value::Char(c) => format!("char:{c:?}"),
            Value::Str(s) => format!("{:?}", s.as_ref()),
            Value::Keyword(k) => format!("#:{}", k.name()),
            Value::Regex(r) => format!("regex:{}:{}", r.pregexp, r.source),
            _ => "?".to_string(),
        }
    }

    fn read(src: &str) -> String {
        match read_all(src, 0) {
            Ok(data) => data.iter().map(show).collect::<Vec<_>>().join(" "),
            Err(e) => panic!("{src:?} failed: {}", e.message),
        }
    }

    fn fail(src: &str) -> ReadError {
        match read_all(src, 0) {
            Ok(data) => panic!(
                "{src:?} read as {}",
                data.iter().map(show).collect::<Vec<_>>().join(" ")
            ),
            Err(e) => e,
        }
    }

    fn fail_msg(src: &str) -> String {
        fail(src).message
    }

    fn at(e: &ReadError) -> (u32, u32) {
        (e.span.line, e.span.col)
    }

    /// Takes a deep datum apart without recursion, so that dropping it cannot overflow.
    fn dismantle(d: Datum) {
        let mut pending = vec![d];
        while let Some(mut d) = pending.pop() {
            match &mut d.kind {
                DatumKind::List(items) | DatumKind::Vector(items) => pending.append(items),
                DatumKind::Dotted(items, tail) => {
                    pending.append(items);
                    pending.push(std::mem::replace(tail, Datum::symbol("x", d.span)));
                }
                _ => {}
            }
        }
    }

    #[test]
    fn brackets_of_all_shapes() {
        assert_eq!(read("(1 [2 3] {4})"), "(1 (2 3) (4))");
        assert_eq!(read("()"), "()");
        assert_eq!(read("(1)(2)"), "(1) (2)");
        assert_eq!(read("[]"), "()");
    }

    #[test]
    fn mismatched_brackets_name_the_opener() {
        let e = fail("(a\n  (b]");
        assert_eq!(
            e.message,
            "read-syntax: expected `)` to close preceding `(`, found instead `]`"
        );
        assert_eq!(at(&e), (2, 3));
        assert!(!e.incomplete);
        assert_eq!(
            fail_msg("[1 2)"),
            "read-syntax: expected `]` to close preceding `[`, found instead `)`"
        );
        assert_eq!(
            fail_msg("{1 2]"),
            "read-syntax: expected `}` to close preceding `{`, found instead `]`"
        );
    }

    #[test]
    fn unexpected_closer() {
        let e = fail("1 )");
        assert_eq!(e.message, "read-syntax: unexpected `)`");
        assert_eq!(at(&e), (1, 3));
        assert!(!e.incomplete);
        assert_eq!(fail_msg("]"), "read-syntax: unexpected `]`");
        assert_eq!(fail_msg("(')"), "read-syntax: unexpected `)`");
        assert_eq!(fail_msg("(1 #;)"), "read-syntax: unexpected `)`");
    }

    #[test]
    fn booleans() {
        assert_eq!(
            read("#t #f #true #false #T #F"),
            "true false true false true false"
        );
        assert_eq!(read("#true(1)"), "true (1)");
        assert_eq!(read("#f\"s\""), "false \"s\"");
        assert_eq!(fail_msg("#tru"), "read-syntax: bad syntax `#tru`");
        assert_eq!(fail_msg("#true1"), "read-syntax: bad syntax `#true1`");
        assert_eq!(fail_msg("#True"), "read-syntax: bad syntax `#True`");
    }

    #[test]
    fn numbers() {
        assert_eq!(read("42 -7 +5"), "42 -7 5");
        assert_eq!(
            read("123456789012345678901234567890"),
            "big:123456789012345678901234567890"
        );
        assert_eq!(read("1/3 -6/4 6/3"), "1/3 -3/2 2");
        assert_eq!(
            read("1.5 .5 1. 1e21 -2.5e-3"),
            "float:1.5 float:0.5 float:1.0 float:1e21 float:-0.0025"
        );
        assert_eq!(
            read("+inf.0 -inf.0 +nan.0"),
            "float:inf float:-inf float:NaN"
        );
        assert_eq!(
            read("#e1.5 #i1/2 #x1F #b101 #o17 #X1f #d9"),
            "3/2 float:0.5 31 5 15 31 9"
        );
        assert_eq!(read("(+ 1 2)"), "(sym:+ 1 2)");
    }

    #[test]
    fn number_like_symbols() {
        assert_eq!(
            read("- + ... -> 1+ +a 1.2.3 a.b 1/x 1/0.5 .5. +inf.0x --1 1e"),
            "sym:- sym:+ sym:... sym:-> sym:1+ sym:+a sym:1.2.3 sym:a.b sym:1/x sym:1/0.5 sym:.5. sym:+inf.0x sym:--1 sym:1e"
        );
    }

    #[test]
    fn number_errors() {
        let e = fail("(x 1/0)");
        assert_eq!(e.message, "read-syntax: division by zero in `1/0`");
        assert_eq!(at(&e), (1, 4));
        assert_eq!(
            fail_msg("#e1/0"),
            "read-syntax: division by zero in `#e1/0`"
        );
        assert_eq!(fail_msg("#xG"), "read-syntax: bad number syntax `#xG`");
        assert_eq!(fail_msg("#b2"), "read-syntax: bad number syntax `#b2`");
        assert_eq!(fail_msg("#x"), "read-syntax: bad number syntax `#x`");
        assert_eq!(fail_msg("#x#x1"), "read-syntax: bad number syntax `#x#x1`");
    }

    #[test]
    fn string_escapes() {
        assert_eq!(read(r#""a\nb\tc\rd\"e\\f""#), r#""a\nb\tc\rd\"e\\f""#);
        assert_eq!(
            read(r#""\a\b\v\f\e\0x\'""#),
            r#""\u{7}\u{8}\u{b}\u{c}\u{1b}\0x'""#
        );
        assert_eq!(read(r#""\101\1011\7""#), r#""AA1\u{7}""#);
        assert_eq!(read(r#""\x41\x4142\x7e""#), r#""AA42~""#);
        assert_eq!(read(r#""\u41\u00e9t\u03bbx""#), r#""Aétλx""#);
        assert_eq!(read(r#""\uD83D\uDE00!""#), r#""😀!""#);
        assert_eq!(read(r#""\uDBFF\uDFFF""#), "\"\\u{10ffff}\"");
        assert_eq!(read(r#""\U1F600\U00000041x""#), r#""😀Ax""#);
        assert_eq!(read("\"λ→\""), "\"λ→\"");
    }

    #[test]
    fn string_line_breaks() {
        assert_eq!(read("\"a\\\n    b\""), "\"a    b\"");
        assert_eq!(read("\"a\\\r\nb\""), "\"ab\"");
        assert_eq!(read("\"x\nyz\""), "\"x\\nyz\"");
    }

    #[test]
    fn string_errors() {
        let e = fail("  \"ab\\qc\"");
        assert_eq!(
            e.message,
            "read-syntax: unknown escape sequence `\\q` in string"
        );
        assert_eq!(at(&e), (1, 3));
        assert!(!e.incomplete);
        assert_eq!(
            fail_msg(r#""\400""#),
            "read-syntax: escape sequence `\\400` is out of range in string"
        );
        assert_eq!(
            fail_msg(r#""\x""#),
            "read-syntax: no hex digit following `\\x`"
        );
        assert_eq!(
            fail_msg(r#""\uZ""#),
            "read-syntax: no hex digit following `\\u`"
        );
        assert_eq!(
            fail_msg(r#""\U110000""#),
            "read-syntax: escape sequence `\\U110000` is out of range in string"
        );
        assert_eq!(
            fail_msg(r#""\UD800""#),
            "read-syntax: escape sequence `\\UD800` is out of range in string"
        );
        assert_eq!(
            fail_msg(r#""\uD83D""#),
            "read-syntax: bad or incomplete surrogate-style encoding at `\\uD83D`"
        );
        assert_eq!(
            fail_msg(r#""\uD83D\u0041""#),
            "read-syntax: bad or incomplete surrogate-style encoding at `\\uD83D\\u0041`"
        );
        assert_eq!(
            fail_msg(r#""\uDE00""#),
            "read-syntax: bad or incomplete surrogate-style encoding at `\\uDE00`"
        );
    }

    #[test]
    fn unterminated_strings_are_incomplete() {
        for src in [
            "\"abc",
            "(display \"abc\n",
            "\"abc\\",
            "\"\\u",
            "\"\\uD83D",
            "\"\\uD83D\\u",
        ] {
            let e = fail(src);
            assert!(e.incomplete, "{src:?}");
        }
        let e = fail("(f\n  \"abc");
        assert_eq!(e.message, "read-syntax: expected a closing `\"`");
        assert_eq!(at(&e), (2, 3));
    }

    #[test]
    fn characters() {
        assert_eq!(
            read(r"#\a #\Z #\0 #\λ #\( #\) #\; #\\ #\#"),
            "char:'a' char:'Z' char:'0' char:'λ' char:'(' char:')' char:';' char:'\\\\' char:'#'"
        );
        assert_eq!(
            read(r"#\space #\newline #\tab #\nul #\null #\return"),
            "char:' ' char:'\\n' char:'\\t' char:'\\0' char:'\\0' char:'\\r'"
        );
        assert_eq!(
            read(r"#\backspace #\rubout #\delete #\vtab #\page #\linefeed #\altmode"),
            "char:'\\u{8}' char:'\\u{7f}' char:'\\u{7f}' char:'\\u{b}' char:'\\u{c}' char:'\\n' char:'\\u{1b}'"
        );
        assert_eq!(
            read(r"#\SPACE #\Newline #\nUl"),
            "char:' ' char:'\\n' char:'\\0'"
        );
        assert_eq!(
            read(r"#\u41 #\u03bb #\U1F600 #\ua #\u"),
            "char:'A' char:'λ' char:'😀' char:'\\n' char:'u'"
        );
        assert_eq!(read(r"#\uxy #\U"), "char:'u' sym:xy char:'U'");
        assert_eq!(read(r"#\101 #\377 #\1"), "char:'A' char:'ÿ' char:'1'");
        assert_eq!(read("#\\ #\\\n"), "char:' ' char:'\\n'");
        assert_eq!(
            read(r"#\a1 #\nul1 #\a#\b"),
            "char:'a' 1 char:'\\0' 1 char:'a' char:'b'"
        );
        assert_eq!(read(r"(#\a)"), "(char:'a')");
    }

    /// Found by fuzzing: `#\U` took at most six hex digits, so the eight that `write` gives an
    /// unprintable character beyond the BMP (`#\U00100000`) read back as `#\U001000` followed by `00`.
    #[test]
    fn long_char_escapes_take_eight_digits() {
        assert_eq!(read(r"#\U00100000 #\U0010FFFF1"), "char:'\\u{100000}' char:'\\u{10ffff}' 1");
        assert!(read_all(r"#\U00110000", 0).is_err());
    }

    #[test]
    fn bad_characters() {
        let e = fail("(x #\\nosuch)");
        assert_eq!(e.message, "read-syntax: bad character constant `#\\nosuch`");
        assert_eq!(at(&e), (1, 4));
        assert_eq!(
            fail_msg(r"#\ab"),
            "read-syntax: bad character constant `#\\ab`"
        );
        assert_eq!(
            fail_msg(r"#\uD800"),
            "read-syntax: bad character constant `#\\uD800`"
        );
        assert_eq!(
            fail_msg(r"#\400"),
            "read-syntax: bad character constant `#\\400`"
        );
        assert_eq!(
            fail_msg(r"#\12"),
            "read-syntax: bad character constant `#\\12`"
        );
        let e = fail("#\\");
        assert!(e.incomplete);
        assert_eq!(e.message, "read-syntax: expected a character after `#\\`");
    }

    #[test]
    fn symbols() {
        assert_eq!(
            read("string->number set! ... -> a.b CamelCase λx a#b <=?"),
            "sym:string->number sym:set! sym:... sym:-> sym:a.b sym:CamelCase sym:λx sym:a#b sym:<=?"
        );
        assert_eq!(
            read("|weird sym| || |a|b|c d| x\\ y |1| \\1"),
            "sym:weird sym sym: sym:abc d sym:x y sym:1 sym:1"
        );
        assert_eq!(read("#%app #%datum"), "sym:#%app sym:#%datum");
        assert_eq!(read("a;comment\nb"), "sym:a sym:b");
        assert_eq!(read("a\"s\""), "sym:a \"s\"");
        assert_eq!(read("(a .b)"), "(sym:a sym:.b)");
        assert_eq!(read("(1 .. 2)"), "(1 sym:.. 2)");
    }

    #[test]
    fn symbol_errors_at_eof_are_incomplete() {
        let e = fail("(a |b c");
        assert_eq!(
            e.message,
            "read-syntax: end-of-file following `|` in symbol"
        );
        assert_eq!(at(&e), (1, 4));
        assert!(e.incomplete);
        assert!(fail("a\\").incomplete);
    }

    #[test]
    fn keywords() {
        assert_eq!(
            read("#:max-tokens #: #:a|b c| #:1"),
            "#:max-tokens #: #:ab c #:1"
        );
        assert_eq!(read("(f #:x 1)"), "(sym:f #:x 1)");
    }

    #[test]
    fn quote_forms() {
        assert_eq!(read("'x `x ,x ,@x #'x"), "(sym:quote sym:x) (sym:quasiquote sym:x) (sym:unquote sym:x) (sym:unquote-splicing sym:x) (sym:syntax sym:x)");
        assert_eq!(
            read("#`x #,x #,@x"),
            "(sym:quasisyntax sym:x) (sym:unsyntax sym:x) (sym:unsyntax-splicing sym:x)"
        );
        assert_eq!(read("''a"), "(sym:quote (sym:quote sym:a))");
        assert_eq!(read("'\n  a"), "(sym:quote sym:a)");
        assert_eq!(
            read("`(a ,b ,@(c))"),
            "(sym:quasiquote (sym:a (sym:unquote sym:b) (sym:unquote-splicing (sym:c))))"
        );
        assert_eq!(read("'#;1 2"), "(sym:quote 2)");
    }

    #[test]
    fn quote_at_eof_is_incomplete() {
        let e = fail("(a '");
        assert_eq!(
            e.message,
            "read-syntax: expected an element for quoting \"'\", found end-of-file"
        );
        assert_eq!(at(&e), (1, 4));
        assert!(e.incomplete);
        assert_eq!(
            fail_msg(",@"),
            "read-syntax: expected an element for quoting \",@\", found end-of-file"
        );
    }

    #[test]
    fn vectors() {
        assert_eq!(
            read("#(1 2 3) #() #[a] #{b} #(1 #(2))"),
            "#(1 2 3) #() #(sym:a) #(sym:b) #(1 #(2))"
        );
        assert_eq!(fail_msg("#(a . b)"), "read-syntax: illegal use of `.`");
        let e = fail("#(1 2");
        assert_eq!(e.message, "read-syntax: expected a `)` to close `(`");
        assert!(e.incomplete);
    }

    #[test]
    fn dotted_pairs() {
        assert_eq!(read("(a . b)"), "(sym:a . sym:b)");
        assert_eq!(read("(a b . c)"), "(sym:a sym:b . sym:c)");
        assert_eq!(read("[a . b]"), "(sym:a . sym:b)");
        assert_eq!(read("(a . (b c))"), "(sym:a sym:b sym:c)");
        assert_eq!(read("(a . (b . c))"), "(sym:a sym:b . sym:c)");
        assert_eq!(read("(a . ())"), "(sym:a)");
        assert_eq!(read("(1 . #;2 3)"), "(1 . 3)");
        assert_eq!(read("(1 . 2 #;3)"), "(1 . 2)");
        assert_eq!(read("(1 . ,x)"), "(1 . (sym:unquote sym:x))");
        assert_eq!(read("(1 . 'x)"), "(1 . (sym:quote sym:x))");
        assert_eq!(read("(1 . #(2))"), "(1 . #(2))");
    }

    #[test]
    fn infix_dots() {
        assert_eq!(read("(1 . < . 2)"), "(sym:< 1 2)");
        assert_eq!(read("(a . b . c d)"), "(sym:b sym:a sym:c sym:d)");
    }

    #[test]
    fn dot_errors() {
        let e = fail("( . 1)");
        assert_eq!(e.message, "read-syntax: illegal use of `.`");
        assert_eq!(at(&e), (1, 3));
        let e = fail("(1 . )");
        assert_eq!(e.message, "read-syntax: unexpected `)`");
        assert_eq!(at(&e), (1, 6));
        let e = fail("(1 . 2 3)");
        assert_eq!(e.message, "read-syntax: illegal use of `.`");
        assert_eq!(at(&e), (1, 4));
        assert_eq!(fail_msg("."), "read-syntax: illegal use of `.`");
        assert_eq!(fail_msg("'."), "read-syntax: illegal use of `.`");
        assert_eq!(fail_msg("(a . b .)"), "read-syntax: illegal use of `.`");
        assert_eq!(
            fail_msg("(a . b . c . d)"),
            "read-syntax: illegal use of `.`"
        );
        assert_eq!(fail_msg("(a . . b)"), "read-syntax: illegal use of `.`");
        assert!(fail("(1 .").incomplete);
    }

    #[test]
    fn comments() {
        assert_eq!(read("; only a comment"), "");
        assert_eq!(read("1 ; c\n2"), "1 2");
        assert_eq!(read("#| a #| nested |# still |# 3"), "3");
        assert_eq!(read("(+ 10 #| inline |# 20)"), "(sym:+ 10 20)");
        assert_eq!(read("#||#1"), "1");
        assert_eq!(read("(1 #;2 3 #; (a b c) 4)"), "(1 3 4)");
        assert_eq!(read("(1 #;2)"), "(1)");
        assert_eq!(read("#;(hidden) shown"), "sym:shown");
        assert_eq!(read("#; #; 1 2 3"), "3");
        assert_eq!(read("'(#;hidden visible)"), "(sym:quote (sym:visible))");
    }

    #[test]
    fn unfinished_comments_are_incomplete() {
        let e = fail("1\n #| abc");
        assert_eq!(e.message, "read-syntax: end of file in `#|` comment");
        assert_eq!(at(&e), (2, 2));
        assert!(e.incomplete);
        assert!(fail("#| #| |#").incomplete);
        assert!(fail("#|#").incomplete);
        let e = fail("#;");
        assert_eq!(
            e.message,
            "read-syntax: expected a commented-out element for `#;`, but found end-of-file"
        );
        assert!(e.incomplete);
    }

    #[test]
    fn lang_and_shebang_lines_are_skipped() {
        assert_eq!(read("#lang racket/base\n(f 1)"), "(sym:f 1)");
        assert_eq!(read("#lang racket/base"), "");
        assert_eq!(read(";; header\n\n#lang racket\n1"), "1");
        assert_eq!(read("#!/usr/bin/env rlmsh\n1"), "1");
        assert_eq!(read("#!racket/base\n1"), "1");
        assert_eq!(
            fail_msg("1\n#lang racket"),
            "read-syntax: bad syntax `#lang`"
        );
    }

    #[test]
    fn here_strings() {
        assert_eq!(read("#<<END\nhello\n  \"world\"\nEND\n"), r#""hello\n  \"world\"""#);
        assert_eq!(read("(list #<<X\nX\n1)"), r#"(sym:list "" 1)"#);
        assert!(fail_msg("#<<END\nno end").contains("no line `END` ends the here string"));
    }

    #[test]
    fn regex_literals() {
        assert_eq!(
            read(r#"#rx"a+" #px"\\d+""#),
            r"regex:false:a+ regex:true:\d+"
        );
        assert_eq!(read(r#"#rx"a\"b""#), "regex:false:a\"b");
        let e = fail(r#"(f #rx"(")"#);
        assert!(
            e.message
                .starts_with("read-syntax: missing closing parenthesis"),
            "{}",
            e.message
        );
        assert_eq!(at(&e), (1, 4));
        assert!(fail("#rx").incomplete);
        assert!(fail("#rx\"abc").incomplete);
        assert!(!fail("#rxa").incomplete);
        assert!(!fail("#rx#\"a\"").incomplete);
    }

    #[test]
    fn other_hash_forms_are_errors() {
        assert_eq!(fail_msg("#a"), "read-syntax: bad syntax `#a`");
        assert_eq!(fail_msg("#"), "read-syntax: bad syntax `#`");
        assert_eq!(fail_msg("(#&1)"), "read-syntax: bad syntax `#&1`");
    }

    #[test]
    fn spans_are_one_based_lines_and_character_columns() {
        let data = read_all("(define (f x)\n  \"λλ\" 'y)\n\t[z]", 7).unwrap();
        assert_eq!(data[0].span, Span::new(7, 1, 1));
        let items = data[0].as_list().unwrap();
        assert_eq!(items[0].span, Span::new(7, 1, 2));
        assert_eq!(items[1].span, Span::new(7, 1, 9));
        assert_eq!(items[1].as_list().unwrap()[1].span, Span::new(7, 1, 12));
        assert_eq!(items[2].span, Span::new(7, 2, 3));
        assert_eq!(items[3].span, Span::new(7, 2, 8));
        let quoted = items[3].as_list().unwrap();
        assert_eq!(quoted[0].span, Span::new(7, 2, 8));
        assert_eq!(quoted[1].span, Span::new(7, 2, 9));
        assert_eq!(data[1].span, Span::new(7, 3, 2));
    }

    #[test]
    fn unclosed_lists_are_incomplete_and_point_at_the_opener() {
        let e = fail("(define (f x)\n  (+ x 1)");
        assert_eq!(e.message, "read-syntax: expected a `)` to close `(`");
        assert_eq!(at(&e), (1, 1));
        assert!(e.incomplete);
        assert_eq!(fail_msg("[1"), "read-syntax: expected a `]` to close `[`");
        assert_eq!(fail_msg("(a {"), "read-syntax: expected a `}` to close `{`");
        assert!(fail("(a '(b").incomplete);
    }

    #[test]
    fn errors_that_are_not_incomplete() {
        for src in [
            ")",
            "(]",
            "\"\\q\"",
            "#\\nosuch",
            "1/0",
            "( . 1)",
            "#tru",
            "#a",
        ] {
            assert!(!fail(src).incomplete, "{src:?}");
        }
    }

    #[test]
    fn deep_nesting_uses_the_heap() {
        let depth = 100_000;
        let src = format!("{}x{}", "(".repeat(depth), ")".repeat(depth));
        let handle = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let mut data = read_all(&src, 0).unwrap();
                assert_eq!(data.len(), 1);
                let mut levels = 0;
                let mut d = &data[0];
                while let DatumKind::List(items) = &d.kind {
                    levels += 1;
                    d = &items[0];
                }
                assert_eq!(levels, depth);
                data.drain(..).for_each(dismantle);
                let e = read_all(&"([".repeat(depth), 0).unwrap_err();
                assert!(e.incomplete);
                let quotes = format!("{}x", "'".repeat(depth));
                read_all(&quotes, 0).unwrap().drain(..).for_each(dismantle);
            })
            .unwrap();
        handle.join().unwrap();
    }

    #[test]
    fn read_one_walks_through_a_string() {
        let src = "1 (a b) ; comment\n \"s\" #;skipped";
        let (first, pos) = read_one(src, 0, 0).unwrap().unwrap();
        assert_eq!((show(&first), pos), ("1".to_string(), 1));
        let (second, pos) = read_one(src, pos, 0).unwrap().unwrap();
        assert_eq!((show(&second), pos), ("(sym:a sym:b)".to_string(), 7));
        let (third, pos) = read_one(src, pos, 0).unwrap().unwrap();
        assert_eq!((show(&third), pos), ("\"s\"".to_string(), 22));
        assert_eq!(third.span, Span::new(0, 2, 2));
        assert!(read_one(src, pos, 0).unwrap().is_none());
        assert!(read_one("1 #;", 1, 0).unwrap_err().incomplete);
        assert!(read_one("  ; nothing", 0, 0).unwrap().is_none());
        assert!(read_one("abc", 3, 0).unwrap().is_none());
        assert!(read_one("abc", 99, 0).unwrap().is_none());
        let (sym, end) = read_one("λx y", 1, 0).unwrap().unwrap();
        assert_eq!((show(&sym), end), ("sym:x".to_string(), 3));
        assert!(
            matches!(read_one(")", 0, 0), Err(e) if e.message == "read-syntax: unexpected `)`")
        );
        assert!(
            read_one("#lang x", 0, 0).is_err(),
            "only read_all skips a #lang line"
        );
    }

    #[test]
    fn a_megabyte_reads_quickly() {
        let form = "(define (fib n) (if (< n 2) n (+ (fib (- n 1)) (fib (- n 2))))) ; comment\n\"a string\\n\" 'sym 12345 1.5 #\\a [x y]\n";
        let src = form.repeat(1_000_000 / form.len() + 1);
        let start = std::time::Instant::now();
        let data = read_all(&src, 0).unwrap();
        let elapsed = start.elapsed();
        assert!(data.len() > 50_000);
        // A guard against accidentally quadratic behaviour, loose enough for a busy machine.
        let limit = if cfg!(debug_assertions) { 5000 } else { 500 };
        assert!(elapsed.as_millis() < limit, "took {elapsed:?}");
    }

    #[test]
    fn never_panics_on_garbage() {
        let alphabet: Vec<char> = "()[]{}#\\|;'`,@.\"xu0179eE+-/ \n\tλ😀:%!ltrpf"
            .chars()
            .collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let text: String = (0..len)
                .map(|i| alphabet[((seed >> (i * 5)) as usize + i * 7) % alphabet.len()])
                .collect();
            let _ = read_all(&text, 0);
            for pos in 0..=text.len() {
                let _ = read_one(&text, pos, 0);
            }
        }
    }
}
