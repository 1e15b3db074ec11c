//! Flags that shape the session a program runs in (its inputs and context), checked before
//! anything runs so that a bad flag is a usage error naming the flag.

use std::path::PathBuf;

use clap::Args;

use crate::python::{bind_at_startup, python_name, valid_name, StartupGlobal};
use crate::value::Value;
use crate::Interp;

#[derive(Args, Debug, Clone)]
pub struct SessionFlags {
    #[command(flatten)]
    pub sandbox: super::sandbox_flags::SandboxFlags,

    /// Bind the Python global NAME to the lines of PATH, loaded lazily (`-`: an iterator over
    /// standard input's lines). Repeatable.
    #[arg(long = "input", value_name = "NAME=PATH")]
    pub inputs: Vec<String>,

    /// Bind `context` (in Scheme and in Python) to the text of PATH (`-`: standard input);
    /// NAME=PATH fills a named slot read with (get-context "NAME"). Repeatable.
    #[arg(long = "context", value_name = "PATH|NAME=PATH")]
    pub context: Vec<String>,

    /// Parse context texts as JSON first (Racket's jsexpr mapping in Scheme, json.loads in Python).
    #[arg(long)]
    pub context_json: bool,

    /// Directory for checkpoints [default: .rlmsh/checkpoints].
    #[arg(long, value_name = "DIR")]
    pub checkpoint_dir: Option<PathBuf>,

    /// Print a single JSON object at the end instead of the program's output: status, result,
    /// output, error, tokens, calls, elapsed_ms.
    #[arg(long)]
    pub json: bool,

    /// Write the result of `finish` to PATH (atomically).
    #[arg(long, value_name = "PATH")]
    pub result_file: Option<PathBuf>,

    /// End the program after SECS seconds of wall time (exit code 4).
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub timeout: Option<f64>,

    /// Answer model calls with the built-in deterministic offline model (no network); also
    /// RLMSH_OFFLINE=1.
    #[arg(long)]
    pub offline: bool,

    /// The model used when a call names none [default: $RLMSH_MODEL, else gpt-4o-mini].
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Retries of a model call after 429, 5xx, timeouts and dropped connections.
    #[arg(long, value_name = "N", default_value_t = crate::llm::DEFAULT_MAX_RETRIES)]
    pub max_retries: u32,

    /// Seconds one model request may take before it is retried.
    #[arg(long, value_name = "SECS", default_value_t = crate::llm::DEFAULT_REQUEST_TIMEOUT_SECS, value_parser = positive_seconds)]
    pub request_timeout: f64,

    /// Model calls in flight at once, across the whole run.
    #[arg(long, value_name = "N", default_value_t = crate::llm::DEFAULT_MAX_CONCURRENCY, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_concurrency: u64,

    /// At the end, print model calls, tokens, estimated cost and wall time to stderr.
    #[arg(long)]
    pub stats: bool,

    /// Do not show the live progress line of model calls (shown only when stderr is a terminal).
    #[arg(long)]
    pub quiet: bool,

    /// Keep model answers in DIR, keyed by the request; a repeated request costs nothing.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Append every model request and answer to FILE (JSON lines).
    #[arg(long, value_name = "FILE.jsonl")]
    pub record: Option<PathBuf>,

    /// Answer model calls only from a recording made with --record; a request it lacks is an error.
    #[arg(long, value_name = "FILE.jsonl", conflicts_with = "record")]
    pub replay: Option<PathBuf>,

    /// Append one line per model call (id, model, timing, tokens, retries, cache hit, status)
    /// to FILE; `rlmsh trace FILE` summarizes it.
    #[arg(long, value_name = "FILE.jsonl")]
    pub trace: Option<PathBuf>,

    /// With --trace, also record each call's full request and answer.
    #[arg(long, requires = "trace")]
    pub trace_full: bool,
}

fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() => Ok(secs),
        _ => Err(format!("expected a positive number of seconds, got {text:?}")),
    }
}

/// Why the session could not be prepared, with the exit code that goes with it.
pub struct SetupError {
    pub message: String,
    pub code: i32,
}

enum InputSource {
    File(PathBuf),
    Stdin,
}

impl SessionFlags {
    pub fn reporting(&self) -> super::run::Reporting {
        super::run::Reporting { json: self.json, result_file: self.result_file.clone() }
    }

    /// Checks the flags and binds what they ask for in `interp`. `program_reads_stdin` is set
    /// when the program itself comes from standard input, which then cannot serve twice.
    pub fn apply(&self, interp: &mut Interp, program_reads_stdin: bool) -> Result<(), SetupError> {
        crate::llm::configure(
            interp,
            &crate::llm::Overrides {
                cache_dir: self.cache.clone(),
                record: self.record.clone(),
                replay: self.replay.clone(),
                trace: self.trace.clone(),
                trace_full: self.trace_full,
                progress: !self.quiet,
                offline: self.offline,
                model: self.model.clone(),
                max_retries: Some(self.max_retries),
                request_timeout_secs: Some(self.request_timeout),
                max_concurrency: Some(self.max_concurrency),
                stats: self.stats,
            },
        )
        .map_err(no_input)?;
        self.sandbox.apply(interp).map_err(no_input)?;
        if let Some(secs) = self.timeout {
            super::timeout::start(secs, interp.interrupt.clone());
        }
        if let Some(dir) = &self.checkpoint_dir {
            crate::scaffold::set_checkpoint_dir(interp, dir.clone());
        }
        let mut stdin_user = program_reads_stdin.then_some("the program (`-`)".to_string());
        let mut claim_stdin = |flag: String| match stdin_user.replace(flag.clone()) {
            Some(earlier) => Err(usage(format!("{flag}: standard input is already read by {earlier}"))),
            None => Ok(()),
        };
        let mut inputs = Vec::new();
        for spec in &self.inputs {
            let flag = format!("--input {spec}");
            let Some((name, path)) = spec.split_once('=') else {
                return Err(usage(format!("{flag}: expected NAME=PATH")));
            };
            if !valid_name(&python_name(name)) {
                return Err(usage(format!("{flag}: {name:?} is not a valid Python identifier")));
            }
            let source = if path == "-" {
                claim_stdin(flag)?;
                InputSource::Stdin
            } else {
                let readable = std::fs::File::open(path).and_then(|f| f.metadata());
                match readable {
                    Ok(meta) if meta.is_dir() => return Err(no_input(format!("{flag}: {path} is a directory"))),
                    Ok(_) => {}
                    Err(e) => return Err(no_input(format!("{flag}: cannot open {path}: {e}"))),
                }
                InputSource::File(PathBuf::from(path))
            };
            inputs.push((name.to_string(), source));
        }
        let mut context = None;
        let mut slots = std::collections::HashMap::new();
        for spec in &self.context {
            let flag = format!("--context {spec}");
            let (name, path) = match spec.split_once('=') {
                Some((name, path)) if is_slot_name(name) && !std::path::Path::new(spec).exists() => (Some(name), path),
                _ => (None, spec.as_str()),
            };
            let text = if path == "-" {
                claim_stdin(flag.clone())?;
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                    .map_err(|e| no_input(format!("{flag}: cannot read standard input: {e}")))?;
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                std::fs::read(path)
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                    .map_err(|e| no_input(format!("{flag}: cannot read {path}: {e}")))?
            };
            let value = if self.context_json {
                crate::builtins::json::parse_jsexpr(&text).map_err(|e| bad_data(format!("{flag}: --context-json: not JSON: {e}")))?
            } else {
                Value::string(text.clone())
            };
            match name {
                Some(name) => {
                    slots.insert(name.to_string(), value);
                }
                None if context.is_some() => return Err(usage(format!("{flag}: only one unnamed --context; name the others NAME=PATH"))),
                None => context = Some((text, value)),
            }
        }
        crate::scaffold::set_context_slots(interp, slots);
        for (name, source) in inputs {
            let global = match source {
                InputSource::File(path) => StartupGlobal::Lines(path),
                InputSource::Stdin => StartupGlobal::StdinLines,
            };
            bind_at_startup(interp, &name, global);
        }
        let (text, value) = context.unwrap_or_else(|| (String::new(), Value::string(String::new())));
        interp.globals.define("context", value);
        let python_context = if self.context_json && !text.is_empty() { StartupGlobal::Json(text) } else { StartupGlobal::Text(text) };
        bind_at_startup(interp, "context", python_context);
        Ok(())
    }
}

/// A slot name in `--context NAME=PATH`: a word, so that a path containing `=` is not taken for one.
fn is_slot_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn bad_data(message: String) -> SetupError {
    SetupError { message: format!("rlmsh: {message}"), code: super::ExitCode::SYNTAX }
}

fn usage(message: String) -> SetupError {
    SetupError { message: format!("rlmsh: {message}"), code: super::ExitCode::USAGE }
}

fn no_input(message: String) -> SetupError {
    SetupError { message: format!("rlmsh: {message}"), code: super::ExitCode::NO_INPUT }
}
