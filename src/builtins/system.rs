//! The process and the clock: `exit`, time, `sleep`, command-line arguments, environment.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::builtins::{args, Capability, Primitive};
use crate::error::{Error, R};
use crate::interp::Interp;
use crate::value::Value;

pub static PRIMITIVES: &[Primitive] = &[
    Primitive::new("exit", 0, 1, exit, "Ends the program with an exit code (default 0).").needs(Capability::Process),
    Primitive::new("current-seconds", 0, 0, |_, _| Ok(Value::Int(since_epoch().as_secs() as i64)), "Seconds since the Unix epoch."),
    Primitive::new("current-milliseconds", 0, 0, |_, _| Ok(Value::Int(since_epoch().as_millis() as i64)), "Milliseconds since the Unix epoch."),
    Primitive::new("current-inexact-milliseconds", 0, 0, |_, _| Ok(Value::Float(since_epoch().as_secs_f64() * 1000.0)), "Milliseconds since the Unix epoch, as a float."),
    Primitive::new("current-process-milliseconds", 0, 1, process_ms, "CPU milliseconds used by the process."),
    Primitive::new("sleep", 0, 1, sleep, "Pauses for the given number of seconds (interruptible)."),
    Primitive::new("current-command-line-arguments", 0, 0, command_line, "The script's arguments, as a vector of strings."),
    Primitive::new("getenv", 1, 1, getenv, "The value of an environment variable, or #f.").needs(Capability::Process),
    Primitive::new("collect-garbage", 0, 1, collect_garbage, "Frees unreachable reference cycles now."),
];

fn since_epoch() -> Duration {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default()
}

fn exit(_: &mut Interp, a: &[Value]) -> R<Value> {
    let code = match a.first() {
        None | Some(Value::Void) => 0,
        Some(Value::Int(n)) if (0..=255).contains(n) => *n as i32,
        Some(_) => 0,
    };
    Err(Error::exit(code))
}

fn process_ms(_: &mut Interp, _: &[Value]) -> R<Value> {
    // SAFETY: getrusage only writes into the struct passed to it.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let ms = (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000 + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000;
    Ok(Value::Int(ms))
}

/// Sleeps in short slices so Ctrl-C and timeouts interrupt it promptly.
fn sleep(interp: &mut Interp, a: &[Value]) -> R<Value> {
    let secs = match a.first() {
        None => 0.0,
        Some(v) => crate::value::number::to_f64(args::number("sleep", v)?),
    };
    if secs.is_nan() || secs < 0.0 || !secs.is_finite() {
        return Err(Error::contract("sleep", "(>=/c 0)", &a[0]));
    }
    flush_stdout();
    const SLICE: Duration = Duration::from_millis(50);
    // A pause longer than a `Duration` or the clock can hold (`(sleep 1e300)`) never ends by
    // itself; only an interrupt or a sandbox's time limit stops it.
    let deadline = Duration::try_from_secs_f64(secs).ok().and_then(|d| std::time::Instant::now().checked_add(d));
    loop {
        interp.check_interrupt()?;
        let left = match deadline {
            Some(deadline) => deadline.saturating_duration_since(std::time::Instant::now()),
            None => SLICE,
        };
        if left.is_zero() {
            return Ok(Value::Void);
        }
        std::thread::sleep(left.min(SLICE));
    }
}

/// Output written so far reaches the terminal or pipe before the program blocks.
pub fn flush_stdout() {
    use std::io::Write;
    let _ = std::io::stdout().flush();
}

fn command_line(interp: &mut Interp, _: &[Value]) -> R<Value> {
    Ok(Value::vector(interp.command_line.iter().map(|s| Value::str(s)).collect()))
}

fn getenv(_: &mut Interp, a: &[Value]) -> R<Value> {
    let name = args::string("getenv", &a[0])?;
    Ok(std::env::var(name).map(Value::string).unwrap_or(Value::Bool(false)))
}

fn collect_garbage(_: &mut Interp, _: &[Value]) -> R<Value> {
    crate::eval::exec::collect_cycles();
    Ok(Value::Void)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use super::*;

    /// `(sleep 1e300)`, a pause too long for a `Duration`, panicked instead of sleeping until
    /// interrupted.
    #[test]
    fn sleep_longer_than_the_clock_waits_for_an_interrupt() {
        let mut interp = Interp::new();
        interp.interrupt.store(true, Ordering::Relaxed);
        let e = sleep(&mut interp, &[Value::Float(1e300)]).expect_err("interrupted");
        assert_eq!(e.report(), "user break");
    }
}
