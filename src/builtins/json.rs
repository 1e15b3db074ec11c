//! JSON with Racket's `json` library mapping: objects are immutable `hasheq` tables with
//! symbol keys (in the input's key order), arrays are lists, `null` is the symbol `null`,
//! integers are exact (of any size) and other numbers are flonums.
//!
//! The parser is hand-written rather than serde's so that it reads one value from the front
//! of a port and leaves the rest, keeps every digit of big integers, and reports errors the
//! way Racket does (`string::POS: string->jsexpr: ...`, an `exn:fail:read`).

use indexmap::IndexMap;
use num_bigint::BigInt;

use crate::builtins::args;
use crate::builtins::ports::{input_arg, output_arg, Parsed};
use crate::builtins::Primitive;
use crate::error::{Error, ExnKind, R};
use crate::interp::Interp;
use crate::value::number::{float_to_string, normalize_big};
use crate::value::print::print_string;
use crate::value::{HashKey, HashKind, Symbol, Value};

/// Deeper nesting than this is refused, in both directions, so that hostile input (or a
/// hash table that contains itself) cannot overflow the stack.
const MAX_DEPTH: usize = 1000;

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

struct JsonError {
    message: String,
    /// Racket's 1-based port position where the error was noticed.
    position: usize,
    /// The input ended in the middle of a value (more input could complete it).
    eof: bool,
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    null: &'a Value,
    depth: usize,
}

/// Parses the first JSON value of `text`: the value and the bytes it used, or `None` if only
/// whitespace remains. Anything after the value is left alone, as Racket's `read-json` does.
fn parse_first(text: &str, null: &Value) -> Result<Option<(Value, usize)>, JsonError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        null,
        depth: 0,
    };
    parser.skip_whitespace();
    if parser.pos >= text.len() {
        return Ok(None);
    }
    let value = parser.value()?;
    Ok(Some((value, parser.pos)))
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, message: impl Into<String>, position: usize) -> JsonError {
        JsonError {
            message: message.into(),
            position,
            eof: false,
        }
    }

    fn eof_error(&self) -> JsonError {
        JsonError {
            message: "unexpected end-of-file".into(),
            position: self.text.len() + 1,
            eof: true,
        }
    }

    /// `bad input starting #"..."`, quoting (a bounded amount of) the rest of the input.
    fn bad_input(&self, at: usize) -> JsonError {
        const SHOWN: usize = 100;
        let rest = self.text.get(at..).unwrap_or("");
        let shown: String = rest.chars().take(SHOWN).collect();
        let quoted = shown.replace('\\', "\\\\").replace('"', "\\\"");
        self.error(format!("bad input starting #\"{quoted}\""), at + 1)
    }

    /// The error for an unexpected byte at `self.pos`, or end-of-file if there is none.
    fn unexpected(&self, message: &str) -> JsonError {
        if self.pos >= self.bytes.len() {
            self.eof_error()
        } else {
            self.error(message, self.pos + 2)
        }
    }

    fn value(&mut self) -> Result<Value, JsonError> {
        match self.peek() {
            Some(b'{') => self.nested(Parser::object),
            Some(b'[') => self.nested(Parser::array),
            Some(b'"') => self.string().map(Value::string),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", self.null.clone()),
            Some(_) => Err(self.bad_input(self.pos)),
            None => Err(self.eof_error()),
        }
    }

    fn nested(
        &mut self,
        parse: fn(&mut Self) -> Result<Value, JsonError>,
    ) -> Result<Value, JsonError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(
                format!("nesting deeper than {MAX_DEPTH} levels"),
                self.pos + 1,
            ));
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn literal(&mut self, word: &str, value: Value) -> Result<Value, JsonError> {
        let rest = self.text.get(self.pos..).unwrap_or("");
        if rest.starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else if word.starts_with(rest) {
            Err(self.eof_error())
        } else {
            Err(self.bad_input(self.pos))
        }
    }

    fn array(&mut self) -> Result<Value, JsonError> {
        let mut items = Vec::new();
        if self.open_is_empty(b']') {
            return Ok(Value::Null);
        }
        loop {
            items.push(self.value()?);
            if self.closes_after_item(b']', "error while parsing a json array")? {
                return Ok(Value::list(items));
            }
        }
    }

    fn object(&mut self) -> Result<Value, JsonError> {
        let mut map = IndexMap::new();
        if self.open_is_empty(b'}') {
            return Ok(Value::new_hash(HashKind::Eq, false, map));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("non-string value used for json object key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b':') => self.pos += 1,
                None => return Err(self.eof_error()),
                Some(_) => {
                    return Err(self.error("error while parsing a json object pair", self.pos + 1))
                }
            }
            self.skip_whitespace();
            let value = self.value()?;
            map.insert(HashKey(Value::sym(&key)), value);
            if self.closes_after_item(b'}', "error while parsing a json object")? {
                return Ok(Value::new_hash(HashKind::Eq, false, map));
            }
        }
    }

    /// Steps over an array's or object's opening bracket; true if `close` follows at once.
    fn open_is_empty(&mut self, close: u8) -> bool {
        self.pos += 1;
        self.skip_whitespace();
        let empty = self.peek() == Some(close);
        if empty {
            self.pos += 1;
        }
        empty
    }

    /// After an element or pair: a comma means another follows (false), `close` ends the
    /// array or object (true); anything else is the error `context` describes.
    fn closes_after_item(&mut self, close: u8, context: &str) -> Result<bool, JsonError> {
        self.skip_whitespace();
        match self.peek() {
            Some(b',') => {
                self.pos += 1;
                self.skip_whitespace();
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.unexpected(context)),
        }
    }

    /// A string starting at the opening quote; runs without escapes are copied whole.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_end = self.bytes[self.pos..]
                .iter()
                .position(|b| *b == b'"' || *b == b'\\')
                .map(|i| self.pos + i);
            let Some(end) = run_end else {
                return Err(JsonError {
                    message: "unterminated string".into(),
                    position: self.text.len() + 1,
                    eof: true,
                });
            };
            out.push_str(self.text.get(self.pos..end).unwrap_or(""));
            self.pos = end + 1;
            if self.bytes[end] == b'"' {
                return Ok(out);
            }
            self.escape(&mut out)?;
        }
    }

    /// One escape, with `self.pos` just after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), JsonError> {
        let Some(c) = self.text.get(self.pos..).and_then(|s| s.chars().next()) else {
            return Err(self.eof_error());
        };
        self.pos += c.len_utf8();
        let simple = match c {
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            '"' | '\\' | '/' => Some(c),
            'u' => None,
            other => {
                return Err(self.error(format!("bad string escape: \"{other}\""), self.pos + 1))
            }
        };
        match simple {
            Some(c) => out.push(c),
            None => out.push(self.unicode_escape()?),
        }
        Ok(())
    }

    /// The code point of `\uXXXX`, joining a UTF-16 surrogate pair written as two escapes.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        if !(0xD800..0xDC00).contains(&first) {
            return char::from_u32(first)
                .ok_or_else(|| self.error("bad string \\u escape", self.pos + 1));
        }
        let missing = || "bad string \\u escape, missing second half of a UTF-16 pair";
        if !self
            .text
            .get(self.pos..)
            .is_some_and(|s| s.starts_with("\\u"))
        {
            return Err(self.error(missing(), self.pos + 2));
        }
        self.pos += 2;
        let second = self.hex4()?;
        if !(0xDC00..0xE000).contains(&second) {
            return Err(self.error(missing(), self.pos + 1));
        }
        let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00);
        char::from_u32(combined).ok_or_else(|| self.error("bad string \\u escape", self.pos + 1))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits: Vec<u8> = self.bytes[self.pos..].iter().take(4).copied().collect();
        let all_hex = digits.iter().all(u8::is_ascii_hexdigit);
        if digits.len() < 4 && all_hex {
            return Err(self.eof_error());
        }
        if !all_hex {
            return Err(self.error("bad string \\u escape", self.pos + 1));
        }
        self.pos += 4;
        Ok(digits.iter().fold(0, |acc, d| {
            acc * 16 + (*d as char).to_digit(16).unwrap_or(0)
        }))
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// JSON's number grammar: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.number_error(start)),
        }
        let mut integer = true;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            integer = false;
            if self.digits() == 0 {
                return Err(self.number_error(start));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            integer = false;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.number_error(start));
            }
        }
        let text = self.text.get(start..self.pos).unwrap_or("0");
        if integer {
            return Ok(match text.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => text
                    .parse::<BigInt>()
                    .map(normalize_big)
                    .unwrap_or(Value::Int(0)),
            });
        }
        text.parse::<f64>()
            .map(Value::Float)
            .map_err(|_| self.bad_input(start))
    }

    /// A number cut short: at the end of the input Racket reports what it had read so far.
    fn number_error(&self, start: usize) -> JsonError {
        if self.pos >= self.bytes.len() {
            let read = self.text.get(start..).unwrap_or("");
            JsonError {
                message: format!("unexpected end-of-fileafter #\"{read}\""),
                position: self.text.len() + 1,
                eof: true,
            }
        } else {
            let mut error = self.bad_input(start);
            if self.pos > start {
                // Racket has read the offending character by then.
                error.position = self.pos + 2;
            }
            error
        }
    }
}

fn read_error(who: &str, e: JsonError) -> Error {
    Error::new(
        ExnKind::Read,
        format!("string::{}: {who}: {}", e.position, e.message),
    )
}

/// The value JSON `null` maps to: the `#:null` keyword argument, or the symbol `null`.
fn null_value(kws: &[(Symbol, Value)]) -> Value {
    args::keyword(kws, "null")
        .cloned()
        .unwrap_or_else(|| Value::sym("null"))
}

fn string_to_jsexpr(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "string->jsexpr";
    let text = args::string(who, &args[0])?;
    match parse_first(text, &null_value(kws)) {
        Ok(Some((value, _))) => Ok(value),
        Ok(None) => Ok(Value::Eof),
        Err(e) => Err(read_error(who, e)),
    }
}

fn read_json(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "read-json";
    let port = input_arg(interp, who, args, 0)?;
    let null = null_value(kws);
    port.parse_prefix(|rest| match parse_first(rest, &null) {
        Ok(Some((value, used))) => Parsed::Done(Ok(value), used),
        Ok(None) => Parsed::NeedMore(Ok(Value::Eof)),
        Err(e) if e.eof => Parsed::NeedMore(Err(read_error(who, e))),
        Err(e) => Parsed::Done(Err(read_error(who, e)), rest.len()),
    })
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

struct WriteOptions {
    null: Value,
    /// `#:encode 'all`: escape every non-ASCII character too.
    ascii_only: bool,
}

/// Why a value could not be written: the offending value, and whether it was a key.
struct NotJson {
    value: Value,
    as_key: bool,
}

fn not_json(value: &Value) -> NotJson {
    NotJson {
        value: value.clone(),
        as_key: false,
    }
}

fn write_json_value(
    out: &mut String,
    v: &Value,
    opts: &WriteOptions,
    depth: usize,
) -> Result<(), NotJson> {
    if depth > MAX_DEPTH {
        return Err(not_json(v));
    }
    if crate::value::equal::eqv(v, &opts.null) {
        out.push_str("null");
        return Ok(());
    }
    match v {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Big(b) => out.push_str(&b.to_string()),
        Value::Float(f) if f.is_finite() => out.push_str(&float_to_string(*f)),
        Value::Str(s) => write_json_string(out, s, opts.ascii_only),
        Value::Null => out.push_str("[]"),
        Value::Pair(_) => {
            let items = v.list_to_vec().ok_or_else(|| not_json(v))?;
            write_json_array(out, &items, opts, depth)?;
        }
        Value::Vector(items) => {
            let items = items.borrow().clone();
            write_json_array(out, &items, opts, depth)?;
        }
        Value::Hash(table) => {
            let entries: Vec<(Value, Value)> = table
                .map
                .borrow()
                .iter()
                .map(|(k, v)| (k.0.clone(), v.clone()))
                .collect();
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let name = match key {
                    Value::Symbol(s) => s.name(),
                    Value::Str(s) => s,
                    other => {
                        return Err(NotJson {
                            value: other.clone(),
                            as_key: true,
                        })
                    }
                };
                write_json_string(out, name, opts.ascii_only);
                out.push(':');
                write_json_value(out, value, opts, depth + 1)?;
            }
            out.push('}');
        }
        other => return Err(not_json(other)),
    }
    Ok(())
}

fn write_json_array(
    out: &mut String,
    items: &[Value],
    opts: &WriteOptions,
    depth: usize,
) -> Result<(), NotJson> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_json_value(out, item, opts, depth + 1)?;
    }
    out.push(']');
    Ok(())
}

/// A JSON string literal escaped as Racket writes it: control characters and DEL as `\uXXXX`
/// (or their short forms), everything else literal unless `ascii_only`.
fn write_json_string(out: &mut String, s: &str, ascii_only: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || c == '\u{7f}' || (ascii_only && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{:04x}", unit));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_options(who: &str, kws: &[(Symbol, Value)]) -> R<WriteOptions> {
    let ascii_only = match args::keyword(kws, "encode") {
        None => false,
        Some(v) => match v.as_symbol().map(|s| s.name()) {
            Some("control") => false,
            Some("all") => true,
            _ => return Err(Error::contract(who, "(or/c 'control 'all)", v)),
        },
    };
    Ok(WriteOptions {
        null: null_value(kws),
        ascii_only,
    })
}

/// The JSON text of `v`, or Racket's error naming the part that has no JSON form.
fn to_json(who: &str, v: &Value, opts: &WriteOptions) -> R<String> {
    let mut out = String::new();
    write_json_value(&mut out, v, opts, 0).map_err(|bad| {
        let kind = if bad.as_key {
            "legal JSON key value"
        } else {
            "legal JSON value"
        };
        Error::fail(format!(
            "{who}: expected argument of type <{kind}>; given: {}",
            print_string(&bad.value)
        ))
    })?;
    Ok(out)
}

/// A whole text parsed as one JSON value with Racket's jsexpr mapping; the error says what is
/// wrong and where.
pub fn parse_jsexpr(text: &str) -> Result<Value, String> {
    match parse_first(text, &Value::sym("null")) {
        Ok(Some((value, used))) if text[used..].trim().is_empty() => Ok(value),
        Ok(Some(_)) => Err("more than one JSON value".to_string()),
        Ok(None) => Err("no JSON value".to_string()),
        Err(e) => Err(format!("at byte {}: {}", e.position, e.message)),
    }
}

/// The JSON text of a value, if it is a jsexpr (Racket's mapping; the symbol `null` is null).
pub fn jsexpr_text(v: &Value) -> Option<String> {
    let opts = WriteOptions { null: Value::sym("null"), ascii_only: false };
    to_json("jsexpr->string", v, &opts).ok()
}

fn jsexpr_to_string(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "jsexpr->string";
    let opts = write_options(who, kws)?;
    Ok(Value::string(to_json(who, &args[0], &opts)?))
}

fn write_json(interp: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let who = "write-json";
    let port = output_arg(who, args, 1)?;
    let text = to_json(who, &args[0], &write_options(who, kws)?)?;
    interp.write_output(port, &text)?;
    Ok(Value::Void)
}

/// Racket's `jsexpr?`: stricter than what `jsexpr->string` accepts (only symbol keys, only
/// lists as arrays).
fn is_jsexpr(v: &Value, null: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    if crate::value::equal::eqv(v, null) {
        return true;
    }
    match v {
        Value::Bool(_) | Value::Int(_) | Value::Big(_) | Value::Str(_) | Value::Null => true,
        Value::Float(f) => f.is_finite(),
        Value::Pair(_) => v
            .list_to_vec()
            .is_some_and(|items| items.iter().all(|x| is_jsexpr(x, null, depth + 1))),
        Value::Hash(table) => table
            .map
            .borrow()
            .iter()
            .all(|(k, x)| matches!(k.0, Value::Symbol(_)) && is_jsexpr(x, null, depth + 1)),
        _ => false,
    }
}

fn jsexpr_p(_: &mut Interp, args: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    Ok(Value::Bool(is_jsexpr(&args[0], &null_value(kws), 0)))
}

pub const PRIMITIVES: &[Primitive] = &[
    Primitive::with_keywords(
        "string->jsexpr",
        1,
        1,
        &["null"],
        string_to_jsexpr,
        "Parses JSON text: objects become hasheq tables with symbol keys, arrays lists, null 'null.",
    ),
    Primitive::with_keywords(
        "read-json",
        0,
        1,
        &["null"],
        read_json,
        "Reads one JSON value from a port (default the current input); eof at the end.",
    ),
    Primitive::with_keywords(
        "jsexpr->string",
        1,
        1,
        &["null", "encode"],
        jsexpr_to_string,
        "JSON text for a jsexpr (hash tables, lists, strings, numbers, booleans, 'null).",
    ),
    Primitive::with_keywords(
        "write-json",
        1,
        2,
        &["null", "encode"],
        write_json,
        "Writes a jsexpr as JSON to a port (default the current output).",
    ),
    Primitive::with_keywords("jsexpr?", 1, 1, &["null"], jsexpr_p, "Can the value be written as JSON?"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Value {
        match parse_first(text, &Value::sym("null")) {
            Ok(Some((v, _))) => v,
            Ok(None) => Value::Eof,
            Err(e) => panic!("{text}: {} at {}", e.message, e.position),
        }
    }

    fn parse_err(text: &str) -> (String, usize) {
        match parse_first(text, &Value::sym("null")) {
            Err(e) => (e.message, e.position),
            Ok(_) => panic!("{text} should not parse"),
        }
    }

    fn json(v: &Value) -> String {
        to_json(
            "test",
            v,
            &WriteOptions {
                null: Value::sym("null"),
                ascii_only: false,
            },
        )
        .unwrap_or_else(|e| panic!("{}", e.report()))
    }

    fn round_trip(text: &str) -> String {
        json(&parse(text))
    }

    #[test]
    fn objects_keep_key_order_and_become_immutable_hasheq() {
        let v = parse(r#"{"z": 1, "a": [1, 2.5, true, null, "x"], "m": {}}"#);
        let Value::Hash(table) = &v else {
            panic!("not a hash")
        };
        assert_eq!(table.kind, HashKind::Eq);
        assert!(!table.mutable);
        let keys: Vec<String> = table
            .map
            .borrow()
            .keys()
            .map(|k| k.0.as_symbol().map_or("?", |s| s.name()).to_string())
            .collect();
        assert_eq!(keys, ["z", "a", "m"]);
        assert_eq!(json(&v), r#"{"z":1,"a":[1,2.5,true,null,"x"],"m":{}}"#);
    }

    #[test]
    fn numbers() {
        assert!(matches!(parse("-12"), Value::Int(-12)));
        assert!(matches!(parse("-0"), Value::Int(0)));
        assert!(matches!(parse("1e3"), Value::Float(f) if f == 1000.0));
        assert!(matches!(parse("2.0e0"), Value::Float(f) if f == 2.0));
        assert!(matches!(parse("1E400"), Value::Float(f) if f.is_infinite()));
        let big = "12345678901234567890123";
        assert!(matches!(parse(big), Value::Big(_)));
        assert_eq!(round_trip(big), big);
        assert_eq!(
            round_trip("[-98765432109876543210987654321, 9223372036854775807]"),
            "[-98765432109876543210987654321,9223372036854775807]"
        );
        assert!(matches!(parse("9223372036854775807"), Value::Int(i64::MAX)));
        assert!(matches!(parse("01"), Value::Int(0)));
    }

    #[test]
    fn strings_and_escapes() {
        assert!(matches!(parse(r#""\u00e9\ud83d\ude00\n\/""#), Value::Str(s) if &*s == "é😀\n/"));
        assert_eq!(
            json(&Value::str("é\n\"\\/\u{1}\u{7f}\t\r\u{8}\u{c}")),
            r#""é\n\"\\/\u0001\u007f\t\r\b\f""#
        );
        let all = WriteOptions {
            null: Value::sym("null"),
            ascii_only: true,
        };
        let encoded = to_json("t", &Value::str("é😀"), &all).unwrap_or_default();
        assert_eq!(encoded, r#""\u00e9\ud83d\ude00""#);
    }

    #[test]
    fn racket_error_messages_and_positions() {
        assert_eq!(parse_err("[1,"), ("unexpected end-of-file".to_string(), 4));
        assert_eq!(
            parse_err("[1 2]"),
            ("error while parsing a json array".to_string(), 5)
        );
        assert_eq!(
            parse_err("{1:2}"),
            ("non-string value used for json object key".to_string(), 3)
        );
        assert_eq!(
            parse_err(r#"{"a":1 "b":2}"#),
            ("error while parsing a json object".to_string(), 9)
        );
        assert_eq!(
            parse_err(r#"{"a" 1}"#),
            ("error while parsing a json object pair".to_string(), 6)
        );
        assert_eq!(
            parse_err("[1,]"),
            ("bad input starting #\"]\"".to_string(), 4)
        );
        assert_eq!(parse_err("\"abc"), ("unterminated string".to_string(), 5));
        assert_eq!(
            parse_err(r#""\x""#),
            ("bad string escape: \"x\"".to_string(), 4)
        );
        assert_eq!(
            parse_err("-"),
            ("unexpected end-of-fileafter #\"-\"".to_string(), 2)
        );
        assert_eq!(parse_err("[01]").0, "error while parsing a json array");
        assert_eq!(
            parse_err("1.e5"),
            ("bad input starting #\"1.e5\"".to_string(), 4)
        );
        assert_eq!(
            parse_err(".5"),
            ("bad input starting #\".5\"".to_string(), 1)
        );
        assert!(parse_err(r#""\ud800""#).0.contains("missing second half"));
        assert_eq!(
            parse_err("[\"é\", x]"),
            ("bad input starting #\"x]\"".to_string(), 8)
        );
        assert!(parse_first("tru", &Value::Null)
            .err()
            .is_some_and(|e| e.eof));
        assert!(matches!(parse("  "), Value::Eof));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = "[".repeat(100_000);
        assert!(parse_err(&deep).0.contains("nesting"));
    }

    #[test]
    fn unwritable_values() {
        let opts = WriteOptions {
            null: Value::sym("null"),
            ascii_only: false,
        };
        for bad in [
            Value::Float(f64::INFINITY),
            Value::Void,
            Value::sym("foo"),
            Value::cons(Value::Int(1), Value::Int(2)),
        ] {
            let e = to_json("jsexpr->string", &bad, &opts).expect_err("refused");
            assert!(e.report().starts_with(
                "jsexpr->string: expected argument of type <legal JSON value>; given: "
            ));
        }
        let mut map = IndexMap::new();
        map.insert(HashKey(Value::Int(1)), Value::Int(2));
        let e = to_json(
            "jsexpr->string",
            &Value::new_hash(HashKind::Equal, false, map),
            &opts,
        )
        .expect_err("refused");
        assert!(e.report().contains("<legal JSON key value>"));
    }

    #[test]
    fn lenient_writer_strict_predicate() {
        let mut map = IndexMap::new();
        map.insert(
            HashKey(Value::str("k")),
            Value::vector(vec![Value::Int(1), Value::Bool(false)]),
        );
        let table = Value::new_hash(HashKind::Equal, true, map);
        assert_eq!(json(&table), r#"{"k":[1,false]}"#);
        assert!(!is_jsexpr(&table, &Value::sym("null"), 0));
        assert!(is_jsexpr(
            &parse(r#"{"a": [1, {"b": null}]}"#),
            &Value::sym("null"),
            0
        ));
        assert!(!is_jsexpr(&Value::Float(f64::NAN), &Value::sym("null"), 0));
    }

    #[test]
    fn read_json_reads_one_value_at_a_time() {
        use std::rc::Rc;
        let mut interp = Interp::new();
        let port = Value::Port(Rc::new(crate::builtins::ports::Port::new_string_input(
            r#"[1, 2] {"a": 3}"#,
        )));
        let first = read_json(&mut interp, std::slice::from_ref(&port), &[]).unwrap_or(Value::Void);
        assert_eq!(json(&first), "[1,2]");
        let second =
            read_json(&mut interp, std::slice::from_ref(&port), &[]).unwrap_or(Value::Void);
        assert_eq!(json(&second), r#"{"a":3}"#);
        assert!(matches!(
            read_json(&mut interp, &[port], &[]),
            Ok(Value::Eof)
        ));
    }
}
