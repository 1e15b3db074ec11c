//! The `rlmsh` binary: installs the Ctrl-C handler, then runs the command line on a thread
//! with a large stack (deep recursion in Scheme programs recurses in the evaluator).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rlmsh::cli::ExitCode;

fn main() {
    let interrupt = Arc::new(AtomicBool::new(false));
    let flag = interrupt.clone();
    // A first Ctrl-C asks the evaluator to stop; a second one, if the program did not
    // notice (it may be blocked outside the evaluator), ends the process.
    let _ = ctrlc::set_handler(move || {
        rlmsh::python::interrupt();
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(ExitCode::INTERRUPTED);
        }
    });
    std::panic::set_hook(Box::new(|info| {
        eprintln!("rlmsh: internal error: {info}\nThis is a bug in rlmsh; please report it with the program that caused it.");
    }));
    let argv: Vec<String> = std::env::args_os().map(|a| a.to_string_lossy().into_owned()).collect();
    // An internal error (a panic, already reported by the hook) exits with EX_SOFTWARE.
    let code = std::panic::catch_unwind(|| rlmsh::eval::stack::with_big_stack(move || rlmsh::cli::main(argv, interrupt)))
        .unwrap_or(70);
    std::process::exit(code);
}
