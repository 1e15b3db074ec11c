//! The audit log (`--audit FILE.jsonl`): one line per moment untrusted text crossed into the
//! trusted layer or a safety rule was bypassed: every unwrap (`syntax-e`), every unsafe
//! primitive, every model call and every Python call, with the sandbox depth it happened at.
//! Lines are flushed as they are written, so a crash loses none.

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use serde_json::json;

use crate::interp::Interp;

/// How much of a text an audit line keeps: enough to recognise it, not a copy of the data.
const DETAIL_CHARS: usize = 200;

struct Log {
    file: Mutex<File>,
    started: Instant,
}

/// An instance's audit log, shared with the sandboxes it starts.
#[derive(Clone)]
struct Audit {
    log: Arc<Log>,
    depth: u32,
}

pub fn open(interp: &mut Interp, path: &Path) -> std::io::Result<()> {
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    interp.set_extension(Audit {
        log: Arc::new(Log {
            file: Mutex::new(file),
            started: Instant::now(),
        }),
        depth: 0,
    });
    Ok(())
}

/// Gives a sandbox its parent's audit log.
pub fn inherit(parent: &mut Interp, child: &mut Interp) {
    if let Some(audit) = parent.extension::<Audit>().cloned() {
        child.set_extension(Audit {
            depth: audit.depth + 1,
            ..audit
        });
    }
}

pub fn record(interp: &mut Interp, event: &str, detail: &str) {
    let Some(audit) = interp.extension::<Audit>() else {
        return;
    };
    let total = detail.chars().count();
    let mut shown: String = detail.chars().take(DETAIL_CHARS).collect();
    if total > DETAIL_CHARS {
        shown.push_str(&format!("... ({total} characters)"));
    }
    let line = json!({
        "ms": (audit.log.started.elapsed().as_secs_f64() * 1e6).round() / 1e3,
        "event": event,
        "depth": audit.depth,
        "detail": shown,
    });
    let mut file = audit.log.file.lock().unwrap_or_else(|p| p.into_inner());
    if let Err(e) = writeln!(file, "{line}").and_then(|()| file.flush()) {
        eprintln!("rlmsh: --audit: cannot write: {e}");
    }
}
