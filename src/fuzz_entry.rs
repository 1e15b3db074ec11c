//! The entry points of the fuzz targets (`fuzz/`), kept in the library so that
//! `tests/fuzz_corpus.rs` can replay the committed corpora through exactly the same code on a
//! stable toolchain. Each takes arbitrary bytes and must return, whatever they are: a panic, a
//! crash, a hang or unbounded memory is a bug in the code it reaches.

use std::path::PathBuf;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Duration;

use crate::builtins::json::{jsexpr_text, parse_jsexpr};
use crate::builtins::ports::Port;
use crate::config::{Setting, Source};
use crate::error::Span;
use crate::eval::macros::datum_to_value;
use crate::interp::Interp;
use crate::reader::{read_all, read_one};
use crate::sandbox::{Origin, Policy};
use crate::value::equal::equal;
use crate::value::print::write_string;
use crate::value::Value;

/// What a fuzzed program may spend: enough to exercise loops, recursion and large values, small
/// enough that a run-away input costs the fuzzer well under a second.
pub fn eval_policy() -> Policy {
    Policy {
        fuel: 200_000,
        time: Duration::from_secs(2),
        memory_mb: 128,
        python: false,
        max_depth: 2,
    }
}

fn text_of(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn fuzz_file() -> u32 {
    Span::register_file("fuzz-input")
}

/// Reads every datum of the input, twice over (all at once, then one at a time from the
/// offsets the reader reports), and checks that the printer and the reader agree: the written
/// form of whatever reads reads back as one datum with the same written form. (Written forms
/// are compared rather than values: `equal?` does not look inside regexps.)
pub fn reader(data: &[u8]) {
    let text = text_of(data);
    let file = fuzz_file();
    let Ok(all) = read_all(&text, file) else { return };
    for datum in &all {
        let value = datum_to_value(datum);
        let written = write_string(&value);
        match read_all(&written, file).as_deref() {
            Ok([again]) => {
                let rewritten = write_string(&datum_to_value(again));
                assert_eq!(written, rewritten, "the written form does not read back as itself");
            }
            other => panic!("{written:?} (written from {:?}) does not read back as one datum: {other:?}", datum.span),
        }
    }
    let mut pos = 0;
    while let Ok(Some((_, next))) = read_one(&text, pos, file) {
        assert!(next > pos, "read_one did not move past offset {pos}");
        pos = next;
    }
}

/// What a fuzzed program did: its result (the value written, or the error report) and what it
/// printed to its output and error ports.
#[derive(Debug)]
pub struct EvalOutcome {
    pub result: Result<String, String>,
    pub output: String,
}

/// Runs the input as a program in the sandbox that runs model-written code, under
/// `eval_policy()`: no files, process or Python, the offline model, output to string ports.
/// The program runs on an interpreter-sized stack, as the command line runs programs.
pub fn eval(data: &[u8]) -> EvalOutcome {
    let code = text_of(data);
    crate::eval::stack::with_big_stack(move || eval_on_this_thread(&code))
}

fn eval_on_this_thread(code: &str) -> EvalOutcome {
    let mut parent = Interp::blank();
    let mut options = crate::llm::Options::default();
    options.config.offline = Setting { value: true, source: Source::Flag("--offline") };
    if let Err(e) = crate::llm::configure(&mut parent, &options) {
        unreachable!("an offline configuration opens no files: {e}");
    }
    crate::sandbox::set_policy(&mut parent, eval_policy());
    crate::scaffold::set_checkpoint_dir(&mut parent, scratch_dir());
    let output = Rc::new(Port::new_string_output());
    parent.connect_ports(Value::Port(output.clone()), Value::Port(output.clone()));
    let result = crate::sandbox::run(&mut parent, code, Value::string(String::new()), Origin::ExecSubOutput)
        .map(|value| write_string(&value))
        .map_err(|e| e.report());
    EvalOutcome { result, output: output.string_output_text() }
}

/// Where fuzzed programs keep their checkpoints: a directory of this process's own, removed
/// when it ends, so that runs in parallel neither see nor clobber each other's.
fn scratch_dir() -> PathBuf {
    static DIR: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    DIR.get_or_init(|| tempfile::Builder::new().prefix("rlmsh-fuzz-").tempdir().ok())
        .as_ref()
        .map(|d| d.path().to_path_buf())
        .unwrap_or_else(std::env::temp_dir)
}

/// The JSON paths: Racket's jsexpr mapping in both directions, the checkpoint file format, and
/// what the model client makes of a provider's answer, error body and the offline model's
/// reading of an instruction.
pub fn json(data: &[u8]) {
    let text = text_of(data);
    if let Ok(value) = parse_jsexpr(&text) {
        match jsexpr_text(&value) {
            Some(written) => match parse_jsexpr(&written) {
                Ok(again) => assert!(equal(&value, &again), "{written:?} reads back as {:?}", jsexpr_text(&again)),
                Err(e) => panic!("{written:?} (written from {text:?}) does not parse: {e}"),
            },
            // As in Racket, a number too large for a flonum (`1e400`) reads as `+inf.0`, which
            // has no JSON form; nothing else that parses may fail to write.
            None => assert!(holds_infinity(&value), "parsed JSON does not write back: {text:?}"),
        }
        checkpoint_round_trip(&value);
    }
    if let Ok((_, value)) = crate::scaffold::checkpoints::from_text(&text) {
        checkpoint_round_trip(&value);
    }
    crate::llm::fuzz_provider_paths(&text);
}

fn holds_infinity(value: &Value) -> bool {
    match value {
        Value::Float(f) => f.is_infinite(),
        Value::Pair(_) => value.list_to_vec().is_some_and(|items| items.iter().any(holds_infinity)),
        Value::Hash(table) => table.map.borrow().values().any(holds_infinity),
        _ => false,
    }
}

/// A value saved as a checkpoint comes back equal.
fn checkpoint_round_trip(value: &Value) {
    let saved = match crate::scaffold::checkpoints::to_text("fuzz", value) {
        Ok(saved) => saved,
        Err(_) => return,
    };
    match crate::scaffold::checkpoints::from_text(&saved) {
        Ok((key, loaded)) => {
            assert_eq!(key, "fuzz");
            assert!(equal(value, &loaded), "checkpoint of {} loads as {}", write_string(value), write_string(&loaded));
        }
        other => panic!("checkpoint {saved:?} does not load: {other:?}"),
    }
}
