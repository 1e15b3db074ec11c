//! Answers that do not need the network: the response cache (`--cache DIR`), recordings of a
//! run (`--record FILE.jsonl`) and replaying them (`--replay FILE.jsonl`). All are keyed by the
//! request's digest (provider, model, messages, temperature, max tokens, JSON flag, images).

use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::{json, Value as Json};

use super::request::{Answer, Request};

/// One answer per request digest, one file each, written atomically.
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    fn path(&self, digest: &str) -> PathBuf {
        self.dir.join(format!("{digest}.json"))
    }

    /// A cached answer. An entry that cannot be read is a miss (and is rewritten after the call).
    pub fn get(&self, digest: &str) -> Option<String> {
        let json: Json = serde_json::from_str(&std::fs::read_to_string(self.path(digest)).ok()?).ok()?;
        if json.get("digest")?.as_str()? != digest {
            return None;
        }
        Some(json.get("answer")?.as_str()?.to_string())
    }

    pub fn put(&self, digest: &str, answer: &str) -> std::io::Result<()> {
        let text = json!({"digest": digest, "answer": answer}).to_string();
        crate::atomic_file::write(&self.path(digest), text.as_bytes())
    }
}

/// Appends every request and answer of a run to a JSON-lines file.
pub struct Recorder {
    file: Mutex<File>,
}

impl Recorder {
    pub fn create(path: &PathBuf) -> std::io::Result<Recorder> {
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Recorder { file: Mutex::new(file) })
    }

    pub fn record(&self, digest: &str, req: &Request, answer: &Answer) -> std::io::Result<()> {
        let line = json!({
            "digest": digest,
            "provider": req.provider.name(),
            "model": req.model,
            "system": req.system,
            "user": req.user,
            "answer": answer.text,
            "prompt_tokens": answer.usage.prompt,
            "completion_tokens": answer.usage.completion,
        });
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(file, "{line}")?;
        file.flush()
    }
}

/// Answers from a recording only. The same request asked several times gets the recorded
/// answers in order, then the last one again.
pub struct Replay {
    answers: Mutex<HashMap<String, VecDeque<String>>>,
}

impl Replay {
    pub fn load(path: &PathBuf) -> Result<Replay, String> {
        let file = File::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let mut answers: HashMap<String, VecDeque<String>> = HashMap::new();
        for (number, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            let entry: Json = serde_json::from_str(&line).map_err(|e| format!("{}:{}: not a recorded call: {e}", path.display(), number + 1))?;
            let field = |name: &str| entry.get(name).and_then(Json::as_str).map(str::to_string);
            let (Some(digest), Some(answer)) = (field("digest"), field("answer")) else {
                return Err(format!("{}:{}: a recorded call needs \"digest\" and \"answer\"", path.display(), number + 1));
            };
            answers.entry(digest).or_default().push_back(answer);
        }
        Ok(Replay { answers: Mutex::new(answers) })
    }

    pub fn answer(&self, digest: &str) -> Option<String> {
        let mut answers = self.answers.lock().unwrap_or_else(|p| p.into_inner());
        let queue = answers.get_mut(digest)?;
        if queue.len() > 1 {
            queue.pop_front()
        } else {
            queue.front().cloned()
        }
    }
}

/// The stores in use for a run.
#[derive(Default)]
pub struct Stores {
    pub cache: Option<Cache>,
    pub recorder: Option<Recorder>,
    pub replay: Option<Replay>,
    pub tracer: Option<super::trace::Tracer>,
}

impl Stores {
    /// Whether any store keys answers by the request's digest.
    pub fn keyed(&self) -> bool {
        self.cache.is_some() || self.recorder.is_some() || self.replay.is_some()
    }

    /// An answer that needs no call: from the replay recording (whose lack of one is an error,
    /// `Err(())`) or else the cache.
    pub fn known_answer(&self, digest: &str) -> Result<Option<String>, ()> {
        match &self.replay {
            Some(replay) => replay.answer(digest).map(Some).ok_or(()),
            None => Ok(self.cache.as_ref().and_then(|cache| cache.get(digest))),
        }
    }
}
