//! The interactive REPL: multi-line input until brackets balance, persistent history,
//! completion of bound names, and `,` commands for help. Errors and Ctrl-C return to the
//! prompt with every earlier definition intact.

use std::borrow::Cow;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::atomic::Ordering;

use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};

use crate::builtins::all_tables;
use crate::eval::library;
use crate::error::Span;
use crate::reader::read_all;
use crate::value::print::print_string;
use crate::value::Value;
use crate::Interp;

const HELP: &str = "\
Enter expressions to evaluate them; input continues until brackets balance.
  ,help          this text
  ,doc NAME      the documentation of a builtin or library procedure
  ,apropos TEXT  builtins and library procedures whose name contains TEXT
  ,load FILE     run a file in this session
  ,quit          leave (Ctrl-D does too)
Ctrl-C interrupts a running evaluation; the session and its definitions stay.";

struct ReplHelper {
    names: Rc<RefCell<Vec<String>>>,
}

impl Completer for ReplHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos].rfind(|c: char| c.is_whitespace() || "()[]{}'`,".contains(c)).map_or(0, |i| i + 1);
        let prefix = &line[start..pos];
        if prefix.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let matches = self
            .names
            .borrow()
            .iter()
            .filter(|n| n.starts_with(prefix))
            .map(|n| Pair { display: n.clone(), replacement: n.clone() })
            .collect();
        Ok((start, matches))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(&'s self, prompt: &'p str, _default: bool) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

fn history_path() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("rlmsh");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history"))
}

pub fn run(mut interp: Interp) -> i32 {
    let interrupt = interp.interrupt.clone();
    let names = Rc::new(RefCell::new(interp.globals.bound_names()));
    let mut editor: Editor<ReplHelper, rustyline::history::DefaultHistory> = match Editor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("rlmsh: cannot start the line editor: {e}");
            return 1;
        }
    };
    editor.set_helper(Some(ReplHelper { names: names.clone() }));
    let history = history_path();
    if let Some(path) = &history {
        let _ = editor.load_history(path);
    }
    println!("rlmsh {} — ,help for help, Ctrl-D to leave", env!("CARGO_PKG_VERSION"));
    let repl_file = Span::register_file("<repl>");
    let mut buffer = String::new();
    loop {
        let prompt = if buffer.is_empty() { "> " } else { "  " };
        match editor.readline(prompt) {
            Ok(line) => {
                if buffer.is_empty() && line.trim_start().starts_with(',') {
                    let _ = editor.add_history_entry(line.as_str());
                    if !command(&mut interp, line.trim()) {
                        break;
                    }
                    continue;
                }
                buffer.push_str(&line);
                buffer.push('\n');
                match read_all(&buffer, repl_file) {
                    Err(e) if e.incomplete => continue,
                    Err(e) => eprintln!("{}", crate::error::Error::from(e).report()),
                    Ok(forms) => {
                        interrupt.store(false, Ordering::Relaxed);
                        for form in &forms {
                            match interp.eval_datum(form) {
                                Ok(v) => show(&v),
                                Err(e) => {
                                    crate::builtins::system::flush_stdout();
                                    eprintln!("{}", e.report());
                                    break;
                                }
                            }
                        }
                        crate::builtins::system::flush_stdout();
                    }
                }
                let _ = editor.add_history_entry(buffer.trim_end());
                buffer.clear();
                *names.borrow_mut() = interp.globals.bound_names();
            }
            Err(ReadlineError::Interrupted) => {
                if !buffer.is_empty() {
                    buffer.clear();
                }
            }
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("rlmsh: {e}");
                break;
            }
        }
    }
    if let Some(path) = &history {
        let _ = editor.save_history(path);
    }
    0
}

fn show(v: &Value) {
    match v {
        Value::Void => {}
        Value::Values(vs) => vs.iter().for_each(show),
        other => println!("{}", print_string(other)),
    }
}

/// Runs a `,` command; returns false when the REPL should end.
fn command(interp: &mut Interp, line: &str) -> bool {
    let mut parts = line[1..].splitn(2, char::is_whitespace);
    let name = parts.next().unwrap_or("");
    let arg = parts.next().unwrap_or("").trim();
    match name {
        "quit" | "q" | "exit" => return false,
        "help" | "h" | "?" => println!("{HELP}"),
        "doc" => match doc(arg) {
            Some(text) => println!("{text}"),
            None => println!("no documentation for `{arg}`"),
        },
        "apropos" => {
            for table in all_tables() {
                for p in table.iter().filter(|p| p.name.contains(arg) && !p.name.starts_with('%')) {
                    println!("{:<32} {}", p.name, p.doc);
                }
            }
            for e in library::docs().iter().filter(|e| e.name.contains(arg)) {
                println!("{:<32} {}", e.name, e.doc);
            }
        }
        "load" => match std::fs::read_to_string(arg) {
            Ok(src) => {
                if let Err(e) = interp.eval_str(&src, arg) {
                    eprintln!("{}", e.report());
                }
                crate::builtins::system::flush_stdout();
            }
            Err(e) => eprintln!("cannot read {arg}: {e}"),
        },
        other => println!("unknown command ,{other} (try ,help)"),
    }
    true
}

/// `(name arity) doc` for a builtin, `(name args...) doc` for a library procedure.
pub fn doc(name: &str) -> Option<String> {
    if let Some(p) = crate::builtins::lookup(name) {
        return Some(format!("({} ...) takes {} argument(s)\n  {}", p.name, p.arity_text(), p.doc));
    }
    let e = library::lookup(name)?;
    Some(format!("{}\n  {}", e.signature, e.doc))
}
