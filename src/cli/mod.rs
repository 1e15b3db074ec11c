//! The command line: flags are declared once here (clap derives `--help` from them), and each
//! mode is a thin layer over the interpreter library.

mod run;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use clap::{Parser, Subcommand};

pub use run::{ExitCode, Source};

const AFTER_HELP: &str = "\
Exit codes:
  0   success
  1   runtime error (an uncaught exception)
  2   usage error (bad command-line flags)
  65  syntax error (the program could not be read or compiled)
  66  the program file could not be read
  130 interrupted (Ctrl-C)

Examples:
  rlmsh script.scm arg1 arg2     run a program with arguments
  rlmsh -e '(+ 1 2)'             evaluate and print
  echo '(display 1)' | rlmsh -   run a program from standard input
  rlmsh                          start the REPL (on a terminal)";

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

    /// Arguments for the program, available as (current-command-line-arguments).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a program file (`-` for standard input).
    Run {
        file: PathBuf,
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Read and compile a program without running it; report the first error.
    Check { file: PathBuf },
    /// Start the interactive REPL.
    Repl,
    /// Print the reference of every builtin (name, arity, documentation) as Markdown.
    Builtins,
}

/// Parses the command line and runs the chosen mode on the current (big-stack) thread.
pub fn main(argv: Vec<String>, interrupt: Arc<AtomicBool>) -> i32 {
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { ExitCode::USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let code = match cli.command {
        Some(Command::Run { file, args }) => run::run_program(Source::from_path(&file), args, interrupt),
        Some(Command::Check { file }) => run::check_program(Source::from_path(&file)),
        Some(Command::Repl) => crate::repl::run(interrupt),
        Some(Command::Builtins) => {
            print!("{}", crate::builtins::reference_markdown());
            ExitCode::SUCCESS
        }
        None => match (cli.eval, cli.file) {
            (Some(expr), _) => run::eval_and_print(&expr, cli.args, interrupt),
            (None, Some(file)) => run::run_program(Source::from_path(&file), cli.args, interrupt),
            (None, None) if std::io::stdin().is_terminal() => crate::repl::run(interrupt),
            (None, None) => run::run_program(Source::Stdin, cli.args, interrupt),
        },
    };
    code
}
