//! The offline model: deterministic answers without a network, for dry runs and tests.
//!
//! Text answers are `offline:<model>:<12 hex digits of the request's digest>`. In JSON mode the
//! answer follows the shape the instruction describes, when it describes one: a literal JSON
//! example (`{"score": 7, "tags": ["a"]}`) or a loose one (`{category: str, confidence: 0-1}`,
//! `[{mention: string, page: int}]`); otherwise `{}`.

use serde_json::{json, Map, Value as Json};

use super::request::{Answer, Request, Usage};

pub fn answer(req: &Request) -> Answer {
    let text = if req.recursive {
        recursive_program(&req.model)
    } else if req.json {
        shape_in(&req.system).map(|shape| shape.to_string()).unwrap_or_else(|| "{}".to_string())
    } else {
        format!("offline:{}:{}", req.model, &req.digest()[..12])
    };
    let usage = Usage { prompt: estimate_tokens(&req.system) + estimate_tokens(&req.user), completion: estimate_tokens(&text) };
    Answer { text, usage, rate_limits: Vec::new() }
}

/// What the offline model writes when asked `#:recursive #t`: a program that uses the sandbox
/// (its `context`, a call to the same offline model, `finish`), so dry runs exercise the whole
/// path.
fn recursive_program(model: &str) -> String {
    format!(
        "```scheme
(define lines (string-split context \"\\n\"))
(define answer (syntax-e (llm-query #:model \"offline/{model}\" #:instruction \"Answer the task from this text.\" #:data context)))
(finish (format \"~a (from ~a lines)\" answer (length lines)))
```
"
    )
}

/// Tokens are about four characters each in English text.
pub fn estimate_tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// The JSON shape the instruction describes, from its first `{` or `[` that parses as one.
pub(super) fn shape_in(instruction: &str) -> Option<Json> {
    instruction.char_indices().filter(|(_, c)| *c == '{' || *c == '[').find_map(|(i, _)| {
        let rest = &instruction[i..];
        if let Ok(example) = serde_json::Deserializer::from_str(rest).into_iter::<Json>().next()? {
            return Some(placeholder_like(&example));
        }
        let mut parser = Loose { text: rest.as_bytes(), pos: 0, depth: 0 };
        parser.value().filter(|v| v.is_object() || v.is_array())
    })
}

/// A value with the same keys and value types as an example.
fn placeholder_like(example: &Json) -> Json {
    match example {
        Json::Object(fields) => Json::Object(fields.iter().map(|(k, v)| (k.clone(), placeholder_like(v))).collect()),
        Json::Array(items) => Json::Array(items.first().map(placeholder_like).into_iter().collect()),
        Json::String(_) => json!("..."),
        Json::Number(n) if n.is_f64() => json!(0.5),
        Json::Number(_) => json!(1),
        other => other.clone(),
    }
}

/// A forgiving reader for shapes written the way people write them in prompts: unquoted or
/// quoted keys, type names (`str`, `int`, `bool`, ...), ranges (`0-1`, `1-3`), enumerations
/// (`"a"|"b"`) and nested objects and lists.
struct Loose<'a> {
    text: &'a [u8],
    pos: usize,
    /// Objects and lists open around `pos`.
    depth: usize,
}

/// Shapes nest a few levels; deeper brackets are not a shape, and refusing them keeps the parse
/// off the end of the stack (it runs on a model-call worker thread, whose stack is small).
const MAX_SHAPE_DEPTH: usize = 64;

impl Loose<'_> {
    fn skip_space(&mut self) {
        while self.pos < self.text.len() && self.text[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_space();
        if self.text.get(self.pos) == Some(&byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Json> {
        self.skip_space();
        match *self.text.get(self.pos)? {
            b'{' | b'[' if self.depth >= MAX_SHAPE_DEPTH => None,
            b'{' => {
                self.depth += 1;
                let object = self.object();
                self.depth -= 1;
                object
            }
            b'[' => {
                self.pos += 1;
                self.depth += 1;
                let item = if self.eat(b']') { None } else { self.value().map(Some) };
                self.depth -= 1;
                let item = item?;
                if item.is_some() && !self.eat(b']') {
                    return None;
                }
                Some(Json::Array(item.into_iter().collect()))
            }
            b'"' | b'\'' => {
                let first = self.quoted()?;
                while self.eat(b'|') {
                    self.skip_space();
                    if matches!(self.text.get(self.pos), Some(b'"' | b'\'')) {
                        self.quoted()?;
                    } else {
                        self.word();
                    }
                }
                Some(Json::String(first))
            }
            _ => {
                let word = self.word();
                while self.eat(b'|') {
                    self.word();
                }
                type_placeholder(&word)
            }
        }
    }

    fn object(&mut self) -> Option<Json> {
        self.pos += 1;
        let mut fields = Map::new();
        if self.eat(b'}') {
            return Some(Json::Object(fields));
        }
        loop {
            self.skip_space();
            let key = if matches!(self.text.get(self.pos), Some(b'"' | b'\'')) { self.quoted()? } else { self.word() };
            if key.is_empty() || !self.eat(b':') {
                return None;
            }
            fields.insert(key, self.value()?);
            if self.eat(b'}') {
                return Some(Json::Object(fields));
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn quoted(&mut self) -> Option<String> {
        let quote = self.text[self.pos];
        let start = self.pos + 1;
        let end = start + self.text[start..].iter().position(|&b| b == quote)?;
        self.pos = end + 1;
        Some(String::from_utf8_lossy(&self.text[start..end]).into_owned())
    }

    /// A run of characters up to the next delimiter: a key, a type name or a range.
    fn word(&mut self) -> String {
        self.skip_space();
        let start = self.pos;
        while self.pos < self.text.len() && !b",:{}[]|\n".contains(&self.text[self.pos]) {
            self.pos += 1;
        }
        String::from_utf8_lossy(&self.text[start..self.pos]).trim().to_string()
    }
}

fn type_placeholder(word: &str) -> Option<Json> {
    let lower = word.to_ascii_lowercase();
    let base = lower.trim_end_matches('?');
    Some(match base {
        "" => return None,
        "str" | "string" | "text" => json!("..."),
        "int" | "integer" => json!(1),
        "float" | "number" | "double" | "num" => json!(0.5),
        "bool" | "boolean" => json!(true),
        "null" | "none" => Json::Null,
        "object" | "dict" => json!({}),
        "list" | "array" => json!([]),
        _ => match base.split_once('-').map(|(a, b)| (a.trim().parse::<f64>(), b.trim().parse::<f64>())) {
            Some((Ok(lo), Ok(hi))) => {
                let mid = (lo + hi) / 2.0;
                // Integer bounds a few apart (`1-10`, a rating) give an integer; `0-1` reads as a
                // probability.
                if lo.fract() == 0.0 && hi.fract() == 0.0 && hi - lo >= 2.0 { json!(mid.floor() as i64) } else { json!(mid) }
            }
            _ => match base.parse::<f64>() {
                Ok(n) if n.fract() == 0.0 => json!(n as i64),
                Ok(n) => json!(n),
                // Prose in brackets ("[see note]") is not a shape.
                Err(_) => return None,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        shape_in(text).map(|j| j.to_string()).unwrap_or_else(|| "none".to_string())
    }

    #[test]
    fn loose_shapes_become_values_of_their_types() {
        assert_eq!(shape("Return JSON: {category: str, confidence: 0-1}"), r#"{"category":"...","confidence":0.5}"#);
        assert_eq!(shape("{valid: bool, errors: [str]}"), r#"{"valid":true,"errors":["..."]}"#);
        assert_eq!(shape("Return JSON: [{mention: string, context: string, page: int}]"), r#"[{"mention":"...","context":"...","page":1}]"#);
        assert_eq!(
            shape(r#"Return JSON: {"issues": [{"type": str, "description": str, "severity": 1-3}]}"#),
            r#"{"issues":[{"type":"...","description":"...","severity":2}]}"#
        );
        assert_eq!(shape(r#"{"status": "ok"|"fail"}"#), r#"{"status":"ok"}"#);
        assert_eq!(shape("{level: 1-10, share: 0.2-0.4}"), r#"{"level":5,"share":0.30000000000000004}"#);
    }

    #[test]
    fn literal_examples_keep_keys_and_types() {
        assert_eq!(shape(r#"Answer like {"score": 7, "ratio": 0.2, "tags": ["a"], "ok": false}"#), r#"{"score":1,"ratio":0.5,"tags":["..."],"ok":false}"#);
    }

    /// Found probing the path the json fuzz target covers: ten thousand `[` in an instruction
    /// overflowed the stack of the worker thread answering the call.
    #[test]
    fn deep_brackets_are_not_a_shape() {
        let instruction = "[".repeat(100_000);
        let shaped = std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || shape(&instruction))
            .map(|worker| worker.join());
        assert!(matches!(shaped, Ok(Ok(text)) if text == "none"));
        let nested = format!("{}str{}", "[".repeat(MAX_SHAPE_DEPTH), "]".repeat(MAX_SHAPE_DEPTH));
        assert!(shape(&nested).starts_with("[[["));
    }

    #[test]
    fn no_shape_means_an_empty_object() {
        assert_eq!(shape("Analyze logs. Update state."), "none");
        assert_eq!(shape("numbered list: 1. [note] 2."), "none");
    }
}
