//! The command line: flags are declared once here (clap derives `--help` from them), and each
//! mode is a thin layer over the interpreter library.

mod run;
mod sandbox_flags;
mod session;
mod timeout;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{Parser, Subcommand};

pub use run::{ExitCode, Source};
pub use run::result_json;
pub use session::{is_slot_name, Host, SessionFlags};

use crate::config::{Config, ConfigError, Flags};
use session::SetupError;

const AFTER_HELP: &str = "\
Exit codes:
  0   success
  1   runtime error (an uncaught exception)
  2   usage error (bad command-line flags, environment variables or rlmsh.toml)
  3   a token budget was exceeded (uncaught)
  4   the program ran longer than --timeout
  65  syntax error (the program could not be read or compiled)
  66  the program file (or an --input, --context or --config file) could not be read
  130 interrupted (Ctrl-C)
  141 standard output (or error) was a pipe closed by its reader, as in `| head -1`

Settings (model, retries, timeouts, concurrency, cache and checkpoint directories, providers,
prices) come from a flag, else an environment variable, else rlmsh.toml (--config PATH,
$RLMSH_CONFIG, ./rlmsh.toml or ~/.config/rlmsh/rlmsh.toml), else the built-in default;
`rlmsh config` shows each one and where it came from.

Examples:
  rlmsh script.scm arg1 arg2     run a program with arguments
  rlmsh -e '(+ 1 2)'             evaluate and print
  echo '(display 1)' | rlmsh -   run a program from standard input
  rlmsh                          start the REPL (on a terminal)
  rlmsh config                   show the settings in force
  rlmsh mcp --print-config       the JSON that registers rlmsh with an MCP client";

#[derive(Parser, Debug)]
#[command(name = "rlmsh", version, about = "A small, fast Racket-flavoured Scheme for orchestrating language-model calls", after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Evaluate EXPR (one or more forms) and print each non-void result.
    #[arg(short = 'e', long = "eval", value_name = "EXPR", conflicts_with = "file")]
    pub eval: Option<String>,

    /// Program file to run (`-` reads the program from standard input).
    pub file: Option<PathBuf>,

    /// Arguments for the program, available as (current-command-line-arguments). rlmsh's own
    /// flags may come before or after the program; arguments that start with `-` go after `--`.
    pub args: Vec<String>,

    #[command(flatten)]
    pub session: SessionFlags,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program file (`-` for standard input).
    Run {
        file: PathBuf,
        /// Arguments for the program (those that start with `-` after `--`).
        args: Vec<String>,
        #[command(flatten)]
        session: SessionFlags,
    },
    /// Read and compile a program without running it; report the first error.
    Check { file: PathBuf },
    /// Start the interactive REPL.
    Repl {
        #[command(flatten)]
        session: SessionFlags,
    },
    /// Serve the Model Context Protocol on stdin/stdout: one persistent session for a coding
    /// agent (execute_scheme, load_context, reset, get_status, ...).
    Mcp {
        /// Print the JSON that registers this server (with these flags) in an MCP client's
        /// configuration, and exit.
        #[arg(long)]
        print_config: bool,
        #[command(flatten)]
        session: SessionFlags,
    },
    /// Print the reference of every builtin (name, arity, documentation) as Markdown.
    Builtins,
    /// Print the guide to the sandbox that `#:recursive` sub-models are given.
    Guide,
    /// Summarize a trace written with --trace: calls, errors, tokens, cost, latency per model.
    Trace {
        file: PathBuf,
        /// Read prices from PATH instead of the usual rlmsh.toml.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
    /// List, show or clear the checkpoints in a directory.
    Checkpoints {
        #[command(subcommand)]
        action: Option<CheckpointAction>,
        /// The checkpoint directory [env: RLMSH_CHECKPOINT_DIR; config: checkpoint_dir;
        /// default: .rlmsh/checkpoints].
        #[arg(long, value_name = "DIR", global = true)]
        checkpoint_dir: Option<PathBuf>,
        /// Read settings from PATH instead of the usual rlmsh.toml.
        #[arg(long, value_name = "PATH", global = true)]
        config: Option<PathBuf>,
    },
    /// Print the settings in force and where each came from (API keys masked).
    ///
    /// Each setting comes from a flag, else an environment variable, else rlmsh.toml, else the
    /// built-in default.
    Config {
        #[command(flatten)]
        settings: Flags,
        /// Print the settings as one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum CheckpointAction {
    /// Every key with a preview of its value (the default); fails (exit 1) naming each
    /// checkpoint file that cannot be read or decoded.
    List,
    /// The value saved under KEY, in `write` style (exit 66 when there is none, 1 when its file
    /// cannot be read or decoded).
    Show { key: String },
    /// Delete every checkpoint in the directory.
    Clear,
}

/// Parses the command line and runs the chosen mode on the current (big-stack) thread.
pub fn main(argv: Vec<String>, interrupt: Arc<AtomicBool>) -> i32 {
    let argv_copy = argv.clone();
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { ExitCode::USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let session = |flags: &SessionFlags, args: Vec<String>, program_reads_stdin: bool| {
        let mut interp = crate::Interp::new();
        interp.interrupt = interrupt.clone();
        interp.command_line = args;
        flags.apply(&mut interp, &Host::Program { reads_stdin: program_reads_stdin }).map(|()| interp).map_err(SetupError::report)
    };
    let run_file = |file: &PathBuf, args, flags: &SessionFlags| {
        let source = Source::from_path(file);
        let reporting = flags.reporting();
        session(flags, args, matches!(source, Source::Stdin)).map_or_else(|code| code, |interp| run::run_program(source, interp, &reporting))
    };
    match cli.command {
        Some(Command::Mcp { print_config: true, .. }) => {
            let flags: Vec<String> = argv_after("mcp", &argv_copy);
            emit(&format!("{:#}\n", crate::mcp::client_config(&flags)))
        }
        Some(Command::Mcp { session: flags, .. }) => match mcp_flags_usable(&flags) {
            Ok(()) => crate::mcp::serve(flags, interrupt),
            Err(e) => e.report(),
        },
        Some(Command::Run { file, args, session: flags }) => run_file(&file, args, &flags),
        Some(Command::Check { file }) => run::check_program(Source::from_path(&file)),
        Some(Command::Repl { session: flags }) => session(&flags, Vec::new(), false).map_or_else(|code| code, crate::repl::run),
        Some(Command::Builtins) => {
            emit(&crate::builtins::reference_markdown())
        }
        Some(Command::Checkpoints { action, checkpoint_dir, config }) => {
            match load_config(&Flags { config, checkpoint_dir, ..Flags::default() }) {
                Ok(settings) => checkpoints_command(action.unwrap_or(CheckpointAction::List), &settings.checkpoint_dir.value),
                Err(e) => e.report(),
            }
        }
        Some(Command::Guide) => {
            emit(crate::sandbox::guide::GUIDE)
        }
        Some(Command::Trace { file, config }) => match load_config(&Flags { config, ..Flags::default() }) {
            Ok(settings) => match crate::llm::summarize_trace(&file, &settings.price_table()) {
                Ok(table) => emit(&table),
                Err(e) => {
                    eprintln!("rlmsh trace: {e}");
                    ExitCode::NO_INPUT
                }
            },
            Err(e) => e.report(),
        },
        Some(Command::Config { settings, json }) => match load_config(&settings) {
            Ok(config) if json => emit(&format!("{:#}\n", crate::config::report::json(&config))),
            Ok(config) => emit(&crate::config::report::text(&config)),
            Err(e) => e.report(),
        },
        None => match (cli.eval, cli.file) {
            (Some(expr), _) => session(&cli.session, cli.args, false).map_or_else(|code| code, |interp| run::eval_and_print(&expr, interp)),
            (None, Some(file)) => run_file(&file, cli.args, &cli.session),
            (None, None) if std::io::stdin().is_terminal() => {
                session(&cli.session, Vec::new(), false).map_or_else(|code| code, crate::repl::run)
            }
            (None, None) => run_file(&PathBuf::from("-"), cli.args, &cli.session),
        },
    }
}

/// The arguments after the subcommand `name`.
fn argv_after(name: &str, argv: &[String]) -> Vec<String> {
    argv.iter().skip(1).skip_while(|a| a.as_str() != name).skip(1).cloned().collect()
}

/// Flags that shape how a program's end is reported mean nothing to a server.
fn mcp_flags_usable(flags: &SessionFlags) -> Result<(), SetupError> {
    let unusable = [(flags.json, "--json"), (flags.result_file.is_some(), "--result-file")];
    match unusable.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(SetupError {
            message: format!("rlmsh mcp: {flag} does not apply to a server (each execute_scheme call returns its result)"),
            code: ExitCode::USAGE,
        }),
        None => Ok(()),
    }
}

/// Writes a subcommand's report to stdout; a reader that has gone (`rlmsh builtins | head`)
/// ends it quietly, as it ends a program.
fn emit(text: &str) -> i32 {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if crate::builtins::ports::is_broken_pipe(&e) => ExitCode::BROKEN_PIPE,
        Err(e) => {
            eprintln!("rlmsh: cannot write to standard output: {e}");
            ExitCode::RUNTIME
        }
    }
}

/// The configuration from `flags`, the environment and the configuration file; an unreadable
/// file named explicitly is a missing input, anything wrong in it a usage error.
fn load_config(flags: &Flags) -> Result<Config, SetupError> {
    Config::load(flags).map_err(|e| {
        let code = match e {
            ConfigError::Unreadable(_) => ExitCode::NO_INPUT,
            ConfigError::Invalid(_) => ExitCode::USAGE,
        };
        SetupError { message: format!("rlmsh: {}", e.message()), code }
    })
}

fn checkpoints_command(action: CheckpointAction, dir: &std::path::Path) -> i32 {
    use crate::scaffold::checkpoints;
    use crate::value::print::write_string;
    match action {
        CheckpointAction::List => {
            let listing = checkpoints::list(dir);
            let mut text = String::new();
            for (key, value) in &listing.entries {
                let preview: String = write_string(value).chars().take(60).collect();
                text.push_str(&format!("{}\t{preview}\n", write_string(&crate::value::Value::str(key))));
            }
            let code = emit(&text);
            for (_, reason) in &listing.unreadable {
                eprintln!("rlmsh checkpoints: unreadable checkpoint: {reason}");
            }
            if code == ExitCode::SUCCESS && !listing.unreadable.is_empty() {
                ExitCode::RUNTIME
            } else {
                code
            }
        }
        CheckpointAction::Show { key } => match checkpoints::read(dir, &key) {
            Ok(Some(value)) => emit(&format!("{}\n", write_string(&value))),
            Ok(None) => {
                eprintln!("rlmsh checkpoints: no checkpoint {key:?} in {}", dir.display());
                ExitCode::NO_INPUT
            }
            Err(reason) => {
                eprintln!("rlmsh checkpoints: unreadable checkpoint {key:?}: {reason}");
                ExitCode::RUNTIME
            }
        },
        CheckpointAction::Clear => match checkpoints::clear(dir) {
            Ok(n) => emit(&format!("removed {n} checkpoints from {}\n", dir.display())),
            Err(e) => {
                eprintln!("rlmsh checkpoints: cannot clear {}: {e}", dir.display());
                ExitCode::RUNTIME
            }
        },
    }
}
