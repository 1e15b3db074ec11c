//! The load tests' keep-alive loopback model server as a program, for `scripts/bench-load.sh`:
//! prints its port, then answers until killed. The optional argument is the idle timeout in
//! milliseconds after which it closes a connection (default 500).

#[path = "../tests/common/listen.rs"]
mod listen;

// The tests use the rest of the module.
#[allow(dead_code)]
#[path = "../tests/common/keepalive.rs"]
mod keepalive;

use std::time::Duration;

fn main() {
    let idle_ms = match std::env::args().nth(1) {
        Some(arg) => arg.parse().unwrap_or_else(|_| {
            eprintln!("loopback_server: expected an idle timeout in milliseconds, given {arg:?}");
            std::process::exit(2)
        }),
        None => 500,
    };
    let server = keepalive::KeepAliveServer::start(Duration::from_millis(idle_ms));
    println!("{}", server.port());
    loop {
        std::thread::park();
    }
}
