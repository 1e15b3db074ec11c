//! Checkpoints: values saved under string keys, one file per key, written atomically and
//! durably (`atomic_file`), so a crash at any instant leaves the old value or the new one,
//! never a torn file.
//!
//! A key maps to `<sha256 of the key>.json`: any string is a safe, collision-free file name,
//! whatever slashes, dots, newlines or length it has. The file records the key itself, for
//! listing and to tell a (vanishingly unlikely) hash collision from a hit.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use crate::reader::number::parse_number;
use crate::value::{HashKey, HashKind, Value};

pub const DEFAULT_DIR: &str = ".rlmsh/checkpoints";

pub fn file_for(dir: &Path, key: &str) -> PathBuf {
    let digest: String = Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    dir.join(format!("{digest}.json"))
}

/// Saves `value` under `key`. The error says what could not be saved or written.
pub fn save(dir: &Path, key: &str, value: &Value) -> Result<(), String> {
    let text = to_text(key, value)?;
    crate::atomic_file::write(&file_for(dir, key), text.as_bytes()).map_err(|e| format!("cannot write checkpoint {key:?} in {}: {e}", dir.display()))
}

/// The value saved under `key`, if any. A file that cannot be read or decoded counts as absent.
pub fn load(dir: &Path, key: &str) -> Option<Value> {
    let text = std::fs::read_to_string(file_for(dir, key)).ok()?;
    match from_text(&text)? {
        (saved, value) if saved == key => value,
        _ => None,
    }
}

/// Every saved (key, value), sorted by key.
pub fn list(dir: &Path) -> Vec<(String, Option<Value>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(String, Option<Value>)> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
        .filter_map(|e| from_text(&std::fs::read_to_string(e.path()).ok()?))
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// Deeper values are refused: they are almost always values that contain themselves.
const MAX_DEPTH: usize = 10_000;

/// The text of the file that saves `value` under `key`.
pub fn to_text(key: &str, value: &Value) -> Result<String, String> {
    let encoded = encode(value, 0)?;
    Ok(json!({"key": key, "value": encoded}).to_string())
}

/// The key a checkpoint file's text records and its value (`None` if the value cannot be
/// decoded); `None` if the text is not a checkpoint at all.
pub fn from_text(text: &str) -> Option<(String, Option<Value>)> {
    let json = parse(text)?;
    let key = json.get("key")?.as_str()?.to_string();
    Some((key, json.get("value").and_then(decode)))
}

/// Reads checkpoint JSON without serde_json's default nesting limit of 128, which would lose
/// values nested a few dozen levels deep (each level of a value is two levels of JSON).
fn parse(text: &str) -> Option<Json> {
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut reader).ok()
}

/// Deletes every checkpoint file in `dir` (and nothing else); returns how many.
pub fn clear(dir: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        let is_checkpoint = path.extension().is_some_and(|x| x == "json")
            && path.file_stem().is_some_and(|s| s.len() == 64 && s.to_string_lossy().bytes().all(|b| b.is_ascii_hexdigit()));
        if is_checkpoint {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// The JSON form of a value, tagged so that every type comes back as it went in.
fn encode(v: &Value, depth: usize) -> Result<Json, String> {
    if depth > MAX_DEPTH {
        return Err(format!("cannot checkpoint a value nested more than {MAX_DEPTH} levels deep (does it contain itself?)"));
    }
    let encode = |v: &Value| encode(v, depth + 1);
    Ok(match v {
        Value::Void => json!({"void": true}),
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!({"int": i.to_string()}),
        Value::Big(b) => json!({"int": b.to_string()}),
        Value::Rat(r) => json!({"rat": r.to_string()}),
        Value::Float(f) => json!({"float": crate::value::print::display_string(&Value::Float(*f))}),
        Value::Str(s) => json!(s.as_str()),
        Value::Char(c) => json!({"char": c.to_string()}),
        Value::Symbol(s) => json!({"symbol": s.name()}),
        Value::Keyword(k) => json!({"keyword": k.name()}),
        Value::Null => json!({"list": []}),
        Value::Pair(_) => match v.list_to_vec() {
            Some(items) => json!({"list": items.iter().map(encode).collect::<Result<Vec<_>, _>>()?}),
            None => {
                let pair = v.as_pair().expect("a pair");
                json!({"pair": [encode(&pair.car)?, encode(&pair.cdr)?]})
            }
        },
        Value::Vector(items) => json!({"vector": items.borrow().iter().map(encode).collect::<Result<Vec<_>, _>>()?}),
        Value::Hash(table) => {
            let entries = table
                .map
                .borrow()
                .iter()
                .map(|(k, v)| Ok(json!([encode(&k.0)?, encode(v)?])))
                .collect::<Result<Vec<_>, String>>()?;
            let kind = match table.kind {
                HashKind::Equal => "equal",
                HashKind::Eqv => "eqv",
                HashKind::Eq => "eq",
            };
            json!({"hash": entries, "kind": kind, "mutable": table.mutable})
        }
        Value::Syntax(_) => {
            return Err("cannot checkpoint a syntax object (a wrapped model answer); unwrap it with syntax-e first".into())
        }
        Value::Closure(_) | Value::Primitive(_) | Value::Continuation(_) | Value::Parameter(_) => {
            return Err(format!("cannot checkpoint a procedure: {v}"))
        }
        other => return Err(format!("cannot checkpoint a value of type {}: {other}", other.type_name())),
    })
}

fn decode(j: &Json) -> Option<Value> {
    Some(match j {
        Json::Bool(b) => Value::Bool(*b),
        Json::String(s) => Value::string(s.clone()),
        Json::Object(fields) => decode_tagged(fields)?,
        _ => return None,
    })
}

fn decode_tagged(fields: &Map<String, Json>) -> Option<Value> {
    let (tag, body) = fields.iter().next()?;
    let text = || body.as_str();
    let items = || body.as_array()?.iter().map(decode).collect::<Option<Vec<_>>>();
    Some(match tag.as_str() {
        "void" => Value::Void,
        "int" | "rat" | "float" => parse_number(text()?, 10)?,
        "char" => Value::Char(text()?.chars().next()?),
        "symbol" => Value::sym(text()?),
        "keyword" => Value::Keyword(crate::value::Symbol::intern(text()?)),
        "list" => Value::list(items()?),
        "pair" => {
            let parts = items()?;
            let [car, cdr]: [Value; 2] = parts.try_into().ok()?;
            Value::cons(car, cdr)
        }
        "vector" => Value::vector(items()?),
        "hash" => {
            let kind = match fields.get("kind").and_then(Json::as_str) {
                Some("eq") => HashKind::Eq,
                Some("eqv") => HashKind::Eqv,
                _ => HashKind::Equal,
            };
            let mutable = fields.get("mutable").and_then(Json::as_bool).unwrap_or(false);
            let mut map = IndexMap::new();
            for entry in body.as_array()? {
                let pair = entry.as_array()?;
                map.insert(HashKey(decode(pair.first()?)?), decode(pair.get(1)?)?);
            }
            Value::new_hash(kind, mutable, map)
        }
        _ => return None,
    })
}
