//! Flags that shape the session a program runs in (its settings, inputs and context), checked
//! before anything runs so that a bad flag is a usage error naming the flag.

use std::path::PathBuf;

use clap::Args;

use crate::config::{positive_seconds, Config, Flags};
use crate::python::{bind_at_startup, python_name, valid_name, StartupGlobal};
use crate::value::Value;
use crate::Interp;

#[derive(Args, Debug, Clone)]
pub struct SessionFlags {
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

    /// Raise an out-of-memory error (exn:fail, exit 1 when uncaught) when the program holds
    /// more than MB megabytes of heap (default: no limit).
    #[arg(long, value_name = "MB", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_memory: Option<u64>,

    #[command(flatten)]
    pub settings: Flags,

    /// At the end, print model calls, tokens, estimated cost and wall time to stderr.
    #[arg(long)]
    pub stats: bool,

    /// Do not show the live progress line of model calls (shown only when stderr is a terminal).
    #[arg(long)]
    pub quiet: bool,

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

    #[command(flatten)]
    pub sandbox: super::sandbox_flags::SandboxFlags,
}

/// What the session serves: a program (which may itself come from standard input), or an MCP
/// client (which owns standard input and output, and reads each execution's trace).
pub enum Host {
    Program { reads_stdin: bool },
    Mcp { trace: crate::llm::TraceMemory },
}

/// Why the session could not be prepared, with the exit code that goes with it.
pub struct SetupError {
    pub message: String,
    pub code: i32,
}

impl SetupError {
    /// Prints the message; the exit code.
    pub fn report(self) -> i32 {
        eprintln!("{}", self.message);
        self.code
    }
}

enum InputSource {
    File(PathBuf),
    Stdin,
}

impl SessionFlags {
    pub fn reporting(&self) -> super::run::Reporting {
        super::run::Reporting { json: self.json, result_file: self.result_file.clone() }
    }

    /// Checks the flags and binds what they ask for in `interp`, one concern at a time; every
    /// input and context file is opened and checked before any is bound.
    pub fn apply(&self, interp: &mut Interp, host: &Host) -> Result<(), SetupError> {
        let config = super::load_config(&self.settings)?;
        crate::scaffold::set_checkpoint_dir(interp, config.checkpoint_dir.value.clone());
        self.configure_models(interp, config, host)?;
        self.sandbox.apply(interp).map_err(no_input)?;
        if let Some(megabytes) = self.max_memory {
            interp.limit_memory(megabytes);
        }
        let mut stdin = StdinUser(None);
        match host {
            Host::Program { reads_stdin } => {
                if let Some(secs) = self.timeout {
                    super::timeout::start(secs, interp.interrupt.clone());
                }
                if *reads_stdin {
                    stdin.0 = Some("the program (`-`)".to_string());
                }
            }
            Host::Mcp { .. } => stdin.0 = Some("the MCP protocol".to_string()),
        }
        let inputs = self.open_inputs(&mut stdin)?;
        let contexts = self.read_contexts(&mut stdin)?;
        bind_inputs(interp, inputs);
        contexts.bind(interp, self.context_json);
        Ok(())
    }

    fn configure_models(&self, interp: &mut Interp, config: Config, host: &Host) -> Result<(), SetupError> {
        let (progress, trace_memory) = match host {
            Host::Program { .. } => (!self.quiet, None),
            Host::Mcp { trace } => (false, Some(trace.clone())),
        };
        let options = crate::llm::Options {
            config,
            stats: self.stats,
            record: self.record.clone(),
            replay: self.replay.clone(),
            trace: self.trace.clone(),
            trace_full: self.trace_full,
            trace_memory,
            progress,
        };
        crate::llm::configure(interp, &options).map_err(no_input)
    }

    /// `--input NAME=PATH`: checks each name and that each file can be opened; the lines are
    /// read later, when Python asks for them.
    fn open_inputs(&self, stdin: &mut StdinUser) -> Result<Vec<(String, InputSource)>, SetupError> {
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
                stdin.claim(flag)?;
                InputSource::Stdin
            } else {
                match std::fs::File::open(path).and_then(|f| f.metadata()) {
                    Ok(meta) if meta.is_dir() => return Err(no_input(format!("{flag}: {path} is a directory"))),
                    Ok(_) => {}
                    Err(e) => return Err(no_input(format!("{flag}: cannot open {path}: {e}"))),
                }
                InputSource::File(PathBuf::from(path))
            };
            inputs.push((name.to_string(), source));
        }
        Ok(inputs)
    }

    /// `--context PATH` and `--context NAME=PATH`: reads every text (parsed as JSON with
    /// `--context-json`).
    fn read_contexts(&self, stdin: &mut StdinUser) -> Result<Contexts, SetupError> {
        let mut contexts = Contexts::default();
        for spec in &self.context {
            let flag = format!("--context {spec}");
            let (name, path) = match spec.split_once('=') {
                Some((name, path)) if is_slot_name(name) && !std::path::Path::new(spec).exists() => (Some(name), path),
                _ => (None, spec.as_str()),
            };
            let text = if path == "-" {
                stdin.claim(flag.clone())?;
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
                    contexts.slots.insert(name.to_string(), value);
                }
                None if contexts.unnamed.is_some() => {
                    return Err(usage(format!("{flag}: only one unnamed --context; name the others NAME=PATH")))
                }
                None => contexts.unnamed = Some((text, value)),
            }
        }
        Ok(contexts)
    }
}

/// Which flag (or the program) reads standard input, which can be read only once.
struct StdinUser(Option<String>);

impl StdinUser {
    fn claim(&mut self, flag: String) -> Result<(), SetupError> {
        match self.0.replace(flag.clone()) {
            Some(earlier) => Err(usage(format!("{flag}: standard input is already read by {earlier}"))),
            None => Ok(()),
        }
    }
}

fn bind_inputs(interp: &mut Interp, inputs: Vec<(String, InputSource)>) {
    for (name, source) in inputs {
        let global = match source {
            InputSource::File(path) => StartupGlobal::Lines(path),
            InputSource::Stdin => StartupGlobal::StdinLines,
        };
        bind_at_startup(interp, &name, global);
    }
}

/// The texts of `--context`: the unnamed one (as read, and as bound) and the named slots.
#[derive(Default)]
struct Contexts {
    unnamed: Option<(String, Value)>,
    slots: std::collections::HashMap<String, Value>,
}

impl Contexts {
    /// Binds `context` in Scheme and Python (empty without an unnamed `--context`) and the
    /// slots `get-context` reads.
    fn bind(self, interp: &mut Interp, json: bool) {
        crate::scaffold::set_context_slots(interp, self.slots);
        let (text, value) = self.unnamed.unwrap_or_else(|| (String::new(), Value::string(String::new())));
        interp.globals.define("context", value);
        let python_context = if json && !text.is_empty() { StartupGlobal::Json(text) } else { StartupGlobal::Text(text) };
        bind_at_startup(interp, "context", python_context);
    }
}

/// A slot name in `--context NAME=PATH`: a word, so that a path containing `=` is not taken for one.
pub fn is_slot_name(name: &str) -> bool {
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
