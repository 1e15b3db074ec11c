//! `rlmsh mcp`: rlmsh as a Model Context Protocol server over stdio, for coding agents. One
//! persistent session per process: what earlier executions defined, loaded or saved stays
//! until `reset`, as in the REPL.
//!
//! The interpreter (which is not `Send`) stays on the calling thread and does jobs from a
//! channel; the protocol runs on the tokio runtime that model calls use.

mod server;
mod session;
mod shared;
mod stdio;
mod tools;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::ServiceExt;

use crate::cli::{ExitCode, SessionFlags};

/// Incoming messages up to this size are read (a `load_context` of the largest data allowed,
/// JSON-escaped); longer lines are dropped by the transport.
const MAX_MESSAGE_BYTES: usize = 2 * tools::MAX_DATA_BYTES + (1 << 20);

/// Serves MCP on stdin and stdout until the client closes the connection.
pub fn serve(flags: SessionFlags, interrupt: Arc<AtomicBool>) -> i32 {
    let default_timeout = flags.timeout;
    let (session, shared) = match session::Session::start(flags, interrupt) {
        Ok(started) => started,
        Err(code) => return code,
    };
    let streams = match stdio::take_over() {
        Ok(streams) => streams,
        Err(e) => {
            eprintln!("rlmsh mcp: cannot set up standard input and output: {e}");
            return ExitCode::NO_INPUT;
        }
    };
    let (jobs, inbox) = std::sync::mpsc::channel();
    let handler = server::Server::new(jobs, shared, default_timeout);
    let transport = AsyncRwTransport::new(streams.input, streams.output).with_max_line_length(MAX_MESSAGE_BYTES);
    let served = crate::llm::runtime().spawn(async move {
        let running = handler.serve(transport).await.map_err(|e| e.to_string())?;
        running.waiting().await.map(drop).map_err(|e| e.to_string())
    });
    // Returns when the protocol side ends and drops the handler, the only sender of jobs.
    session.serve(inbox);
    match crate::llm::runtime().block_on(served) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("rlmsh mcp: {e}");
            ExitCode::RUNTIME
        }
        Err(e) => {
            eprintln!("rlmsh mcp: the server stopped: {e}");
            ExitCode::RUNTIME
        }
    }
}

/// The snippet that registers this server with an MCP client: this executable, `mcp`, and the
/// flags given with `--print-config` (which are the session's settings).
pub fn client_config(flags: &[String]) -> serde_json::Value {
    let command = std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "rlmsh".to_string());
    let mut args = vec!["mcp".to_string()];
    args.extend(flags.iter().filter(|f| f.as_str() != "--print-config").cloned());
    serde_json::json!({"mcpServers": {"rlmsh": {"command": command, "args": args}}})
}
