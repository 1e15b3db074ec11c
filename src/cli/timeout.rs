//! `--timeout SECS`: a watchdog thread that interrupts the program when its time is up, the
//! way Ctrl-C does (so Scheme loops, model-call waits and running Python code all stop), and
//! ends the process itself if the program does not stop within a grace period (it may be
//! blocked outside the evaluator, or catch the interruption and carry on).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::ExitCode;

static EXPIRED: AtomicBool = AtomicBool::new(false);
/// The limit in milliseconds, for the message.
static LIMIT_MS: AtomicU64 = AtomicU64::new(0);

const GRACE: Duration = Duration::from_secs(2);
const NUDGE_EVERY: Duration = Duration::from_millis(100);

pub fn start(secs: f64, interrupt: Arc<AtomicBool>) {
    LIMIT_MS.store((secs * 1000.0) as u64, Ordering::SeqCst);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs_f64(secs));
        EXPIRED.store(true, Ordering::SeqCst);
        let mut waited = Duration::ZERO;
        while waited < GRACE {
            interrupt.store(true, Ordering::SeqCst);
            crate::python::interrupt();
            std::thread::sleep(NUDGE_EVERY);
            waited += NUDGE_EVERY;
        }
        crate::builtins::system::flush_stdout();
        eprintln!("{}", message());
        std::process::exit(ExitCode::TIMEOUT);
    });
}

/// Whether the time limit has passed (an interruption is then a timeout, not a Ctrl-C).
pub fn expired() -> bool {
    EXPIRED.load(Ordering::SeqCst)
}

pub fn message() -> String {
    format!("rlmsh: the program ran longer than --timeout {} s", LIMIT_MS.load(Ordering::SeqCst) as f64 / 1000.0)
}
