//! `map-async`: F over a list, the model calls F starts kept at most N in flight, the answers
//! in input order. With `#:checkpoint KEY` the answers so far are saved under KEY (about once a
//! second while they come in, when the map fails or is interrupted, and at the end), and a rerun
//! with the same key and list calls F only on the elements without a saved answer.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use super::handle::{handle_of, wait_any};
use super::primitives::DEFAULT_MAX_CONCURRENT;
use crate::builtins::args;
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::scaffold::{checkpoint_dir, checkpoints};
use crate::value::print::write_string;
use crate::value::{HashKey, HashKind, Symbol, Value};

const WHO: &str = "map-async";

/// How often answers are saved while they come in: a crash loses at most this much work, and
/// a long map does not rewrite its checkpoint for every answer.
const SAVE_EVERY: Duration = Duration::from_secs(1);

/// How much of a failed element its error shows.
const PREVIEW_CHARS: usize = 80;

pub fn map_async(interp: &mut Interp, a: &[Value], kws: &[(Symbol, Value)]) -> R<Value> {
    let f = args::procedure(WHO, &a[0])?.clone();
    let items = args::list(WHO, &a[1])?;
    let limit = match args::keyword(kws, "max-concurrent") {
        Some(v) => args::index(WHO, v)?.max(1),
        None => DEFAULT_MAX_CONCURRENT,
    };
    let mut saver = match args::keyword(kws, "checkpoint") {
        Some(key) => Some(Saver::new(interp, args::string(WHO, key)?, &items)),
        None => None,
    };
    let mut results = match &saver {
        Some(saver) => saver.restore(items.len())?,
        None => vec![None; items.len()],
    };
    let mut in_flight: Vec<(usize, Value)> = Vec::new();
    let outcome = (|| -> R<()> {
        for (i, item) in items.iter().enumerate() {
            if results[i].is_some() {
                continue;
            }
            while in_flight.len() >= limit {
                settle_one(interp, &items, &mut in_flight, &mut results)?;
                save_if_due(&mut saver, &results)?;
            }
            let produced = interp.apply(&f, vec![item.clone()])?;
            if handle_of(WHO, &produced).is_ok() {
                in_flight.push((i, produced));
            } else {
                results[i] = Some(produced);
            }
        }
        while !in_flight.is_empty() {
            settle_one(interp, &items, &mut in_flight, &mut results)?;
            save_if_due(&mut saver, &results)?;
        }
        Ok(())
    })();
    match (outcome, saver.as_mut()) {
        (Ok(()), Some(saver)) => saver.save(&results).map_err(Error::fail)?,
        (Ok(()), None) => {}
        (Err(e), saver) => {
            give_up(&in_flight, &mut results);
            // The map's own error is what the program needs to see; a checkpoint that cannot be
            // written (and was not the error itself) is reported beside it.
            if let Some(saver) = saver.filter(|s| s.refused.is_none()) {
                if let Err(not_saved) = saver.save(&results) {
                    eprintln!("rlmsh: {not_saved}");
                }
            }
            return Err(e);
        }
    }
    Ok(Value::list(results.into_iter().map(|r| r.unwrap_or(Value::Void)).collect()))
}

/// Waits for one of the calls in flight and stores its answer; a failed call fails the map,
/// naming the element.
fn settle_one(interp: &mut Interp, items: &[Value], in_flight: &mut Vec<(usize, Value)>, results: &mut [Option<Value>]) -> R<()> {
    let handles = in_flight.iter().map(|(_, h)| handle_of(WHO, h)).collect::<R<Vec<_>>>()?;
    let position = wait_any(interp, &handles)?;
    let outcome = handles[position].outcome_now();
    let (index, _) = in_flight.remove(position);
    let answer = outcome.map_err(|e| Error::fail(format!("{WHO}: element {index} failed: {e}\n  element: {}", preview(&items[index]))))?;
    results[index] = Some(Value::Str(answer));
    Ok(())
}

/// Keeps the answers of calls that ended but were not yet collected, and cancels the others.
fn give_up(in_flight: &[(usize, Value)], results: &mut [Option<Value>]) {
    for (index, h) in in_flight {
        let Ok(handle) = handle_of(WHO, h) else { continue };
        match handle.ended_now().then(|| handle.outcome_now()) {
            Some(Ok(answer)) => results[*index] = Some(Value::Str(answer)),
            Some(Err(_)) => {}
            None => handle.cancel(),
        }
    }
}

fn preview(item: &Value) -> String {
    let written = write_string(item);
    match written.char_indices().nth(PREVIEW_CHARS) {
        Some((cut, _)) => format!("{}...", &written[..cut]),
        None => written,
    }
}

fn save_if_due(saver: &mut Option<Saver>, results: &[Option<Value>]) -> R<()> {
    match saver {
        Some(saver) if saver.last_saved.elapsed() >= SAVE_EVERY => saver.save(results).map_err(Error::fail),
        _ => Ok(()),
    }
}

/// Where a checkpointed map keeps its answers, and what they were computed from.
///
/// The checkpoint is a hash: `items` (the list's length), `digest` (a SHA-256 of the elements'
/// written forms, so that answers are never restored for a different list) and `answers`, a
/// list of `(index . answer)` pairs.
struct Saver {
    key: String,
    dir: PathBuf,
    digest: String,
    last_saved: Instant,
    /// Why the last save failed, if it did.
    refused: Option<String>,
}

impl Saver {
    fn new(interp: &mut Interp, key: &str, items: &[Value]) -> Saver {
        let mut hasher = Sha256::new();
        for item in items {
            crate::digest::update_framed(&mut hasher, write_string(item).as_bytes());
        }
        let digest = crate::digest::hex(hasher);
        Saver { key: key.to_string(), dir: checkpoint_dir(interp), digest, last_saved: Instant::now(), refused: None }
    }

    /// The answers a previous run saved, by index; none when nothing is saved under the key.
    fn restore(&self, count: usize) -> R<Vec<Option<Value>>> {
        let mut results = vec![None; count];
        let Some(saved) = checkpoints::load(&self.dir, &self.key) else { return Ok(results) };
        let not_progress = || Error::fail(format!("{WHO}: the checkpoint {} holds no map-async answers", write_string(&Value::str(&self.key))));
        let Value::Hash(table) = &saved else { return Err(not_progress()) };
        let field = |name: &str| table.map.borrow().get(&HashKey(Value::sym(name))).cloned();
        let (Some(Value::Int(saved_count)), Some(Value::Str(digest)), Some(answers)) = (field("items"), field("digest"), field("answers")) else {
            return Err(not_progress());
        };
        if saved_count as usize != count || *digest != self.digest {
            let which = if saved_count as usize == count { "the same length".to_string() } else { format!("{saved_count} elements, not {count}") };
            return Err(Error::fail(format!(
                "{WHO}: the checkpoint {} holds answers for another list (of {which}); use another key or delete it",
                write_string(&Value::str(&self.key))
            )));
        }
        for pair in answers.list_to_vec().ok_or_else(not_progress)? {
            let pair = pair.as_pair().ok_or_else(not_progress)?;
            let index = args::saturating_index(&pair.car).filter(|i| *i < count).ok_or_else(not_progress)?;
            results[index] = Some(pair.cdr.clone());
        }
        Ok(results)
    }

    /// Saves the answers so far; the error says why they could not be.
    fn save(&mut self, results: &[Option<Value>]) -> Result<(), String> {
        let answers = results.iter().enumerate().filter_map(|(i, r)| Some(Value::cons(Value::Int(i as i64), r.clone()?))).collect();
        let entry = |name: &str, v: Value| (HashKey(Value::sym(name)), v);
        let progress = Value::new_hash(
            HashKind::Equal,
            false,
            [entry("items", Value::Int(results.len() as i64)), entry("answers", Value::list(answers)), entry("digest", Value::str(&self.digest))],
        );
        if let Err(e) = checkpoints::save(&self.dir, &self.key, &progress) {
            let refused = format!("{WHO}: {e}");
            self.refused = Some(refused.clone());
            return Err(refused);
        }
        self.last_saved = Instant::now();
        Ok(())
    }
}
