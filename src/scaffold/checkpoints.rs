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
    dir.join(format!("{}.json", crate::digest::hex(Sha256::new_with_prefix(key.as_bytes()))))
}

/// Saves `value` under `key`. The error says what could not be saved or written.
pub fn save(dir: &Path, key: &str, value: &Value) -> Result<(), String> {
    let text = to_text(key, value)?;
    crate::atomic_file::write(&file_for(dir, key), text.as_bytes()).map_err(|e| format!("cannot write checkpoint {key:?} in {}: {e}", dir.display()))
}

/// The value saved under `key`, if any. A file that cannot be read or decoded counts as absent.
pub fn load(dir: &Path, key: &str) -> Option<Value> {
    read(dir, key).ok().flatten()
}

/// The value saved under `key`: `Ok(None)` when there is none, an error saying why when its
/// file exists but cannot be read or decoded.
pub fn read(dir: &Path, key: &str) -> Result<Option<Value>, String> {
    let path = file_for(dir, key);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    match read_file(&path, &text)? {
        (found, value) if found == key => Ok(Some(value)),
        _ => Ok(None),
    }
}

/// What `list` finds in a directory: the readable checkpoints sorted by key, and the checkpoint
/// files that cannot be read or decoded with the reason, sorted by path.
#[derive(Default)]
pub struct Listing {
    pub entries: Vec<(String, Value)>,
    pub unreadable: Vec<(PathBuf, String)>,
}

pub fn list(dir: &Path) -> Listing {
    let mut listing = Listing::default();
    let Ok(entries) = std::fs::read_dir(dir) else { return listing };
    for path in entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| is_checkpoint_file(p)) {
        let found = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display())).and_then(|text| read_file(&path, &text));
        match found {
            Ok(entry) => listing.entries.push(entry),
            Err(reason) => listing.unreadable.push((path, reason)),
        }
    }
    listing.entries.sort_by(|a, b| a.0.cmp(&b.0));
    listing.unreadable.sort();
    listing
}

/// The key and value a checkpoint file's text holds, or why it holds none.
fn read_file(path: &Path, text: &str) -> Result<(String, Value), String> {
    from_text(text).map_err(|reason| format!("{} {reason}", path.display()))
}

/// A file `checkpoint` writes: the 64 hex digits of a key's digest, then `.json`. Temporary
/// files of writes in progress and files of other programs are not.
fn is_checkpoint_file(path: &Path) -> bool {
    path.extension().is_some_and(|x| x == "json")
        && path.file_stem().is_some_and(|s| s.len() == 64 && s.to_string_lossy().bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Deeper values are refused: they are almost always values that contain themselves.
const MAX_DEPTH: usize = 10_000;

/// The text of the file that saves `value` under `key`.
pub fn to_text(key: &str, value: &Value) -> Result<String, String> {
    let encoded = encode(value, 0)?;
    Ok(json!({"key": key, "value": encoded}).to_string())
}

/// The key and value a checkpoint file's text records, or why it records none (the reason
/// reads after the file's name).
pub fn from_text(text: &str) -> Result<(String, Value), String> {
    let json = parse(text).map_err(|e| format!("is not JSON: {e}"))?;
    let key = json.get("key").and_then(Json::as_str).ok_or("names no key")?;
    let value = json.get("value").and_then(decode).ok_or_else(|| format!("holds no value rlmsh can decode (key {key:?})"))?;
    Ok((key.to_string(), value))
}

/// Reads checkpoint JSON without serde_json's default nesting limit of 128, which would lose
/// values nested a few dozen levels deep (each level of a value is two levels of JSON).
fn parse(text: &str) -> Result<Json, serde_json::Error> {
    let mut reader = serde_json::Deserializer::from_str(text);
    reader.disable_recursion_limit();
    serde::Deserialize::deserialize(&mut reader)
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
        if is_checkpoint_file(&path) {
            std::fs::remove_file(&path)?;
            removed += 1;
        } else if is_interrupted_write(&path) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(removed)
}

/// The temporary file of a checkpoint write that a crash (or SIGKILL) stopped before its
/// rename: never read, so clearing removes it with the checkpoints.
fn is_interrupted_write(path: &Path) -> bool {
    path.file_name().is_some_and(|name| name.to_string_lossy().starts_with(".tmp"))
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
