//! The protocol side of the MCP server: the rmcp handler. Tools that need the interpreter are
//! sent to its thread as jobs and awaited; the rest (status, cancelling calls, the trace, the
//! guide) answer at once, also while an execution runs. A running execution reports progress
//! every second and stops when the client cancels it or its time runs out.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult, PaginatedRequestParams,
    ProgressNotificationParam, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData as McpError, RoleServer, ServerHandler};
use serde_json::{json, Value as Json};

use super::session::{Envelope, JobControl, Reply};
use super::shared::{Job, Shared};
use super::tools::{self, Args, MAX_CODE_BYTES, MAX_DATA_BYTES};

const PROGRESS_EVERY: Duration = Duration::from_secs(1);

pub struct Server {
    /// Behind a mutex only because the handler must be `Sync`; sending is quick.
    jobs: Mutex<Sender<Envelope>>,
    shared: Arc<Shared>,
    default_timeout: Option<f64>,
}

impl Server {
    pub fn new(jobs: Sender<Envelope>, shared: Arc<Shared>, default_timeout: Option<f64>) -> Server {
        Server { jobs: Mutex::new(jobs), shared, default_timeout }
    }

    async fn dispatch(&self, request: &CallToolRequestParams, context: &RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        let name = request.name.as_ref();
        let args = Args::new(name, request.arguments.as_ref()).map_err(invalid)?;
        match name {
            tools::EXECUTE => {
                let code = args.string("code", MAX_CODE_BYTES).map_err(invalid)?.to_string();
                let timeout = args.seconds("timeout").map_err(invalid)?.or(self.default_timeout);
                self.execute(code, timeout, context).await
            }
            tools::LOAD_CONTEXT => {
                let data = args.string("data", MAX_DATA_BYTES).map_err(invalid)?.to_string();
                let name = args.optional_string("name").map_err(invalid)?.map(str::to_string);
                let json = args.flag("json").map_err(invalid)?;
                self.ask(Job::LoadContext { data, name, json }, &JobControl::new_shared()).await
            }
            tools::RESET => {
                let clear_checkpoints = args.flag("clear_checkpoints").map_err(invalid)?;
                self.ask(Job::Reset { clear_checkpoints }, &JobControl::new_shared()).await
            }
            tools::STATE => self.ask(Job::State, &JobControl::new_shared()).await,
            tools::STATUS => Ok(CallToolResult::structured(self.status())),
            tools::CANCEL => {
                let id = args.call_id("id").map_err(invalid)?;
                let cancelled = self.shared.calls().cancel(id);
                let note = match (id, cancelled.is_empty()) {
                    (Some(id), true) => format!("call {id} is not in flight (it ended, or never started)"),
                    (None, true) => "no calls were in flight".to_string(),
                    (_, false) => format!("cancelled {} call(s)", cancelled.len()),
                };
                Ok(CallToolResult::structured(json!({"cancelled": cancelled, "note": note})))
            }
            tools::TRACE => Ok(CallToolResult::structured(json!({"calls": self.shared.execution_trace()}))),
            tools::GUIDE => Ok(CallToolResult::success(vec![ContentBlock::text(crate::sandbox::guide::GUIDE)])),
            other => Err(invalid(format!("unknown tool `{other}`"))),
        }
    }

    /// Sends a job to the interpreter thread and waits for its answer.
    async fn ask(&self, job: Job, control: &Arc<JobControl>) -> Result<CallToolResult, McpError> {
        let reply = self.send(job, control)?;
        let reply = reply.await.map_err(|_| gone())?;
        Ok(result_of(reply))
    }

    fn send(&self, job: Job, control: &Arc<JobControl>) -> Result<tokio::sync::oneshot::Receiver<Reply>, McpError> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let jobs = self.jobs.lock().unwrap_or_else(|p| p.into_inner());
        jobs.send(Envelope { job, control: control.clone(), reply }).map_err(|_| gone())?;
        Ok(answer)
    }

    /// Runs code, reporting progress every second, until it ends, the client cancels it or its
    /// time runs out (then it is stopped, and its answer still awaited, so the session is free
    /// again before the next request is served).
    async fn execute(&self, code: String, timeout: Option<f64>, context: &RequestContext<RoleServer>) -> Result<CallToolResult, McpError> {
        let control = JobControl::new_shared();
        let mut answer = self.send(Job::Execute { code }, &control)?;
        let started = Instant::now();
        let deadline = timeout.map(|secs| tokio::time::Instant::now() + Duration::from_secs_f64(secs));
        let progress_token = context.meta.get_progress_token();
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + PROGRESS_EVERY, PROGRESS_EVERY);
        let mut stopping = false;
        loop {
            tokio::select! {
                reply = &mut answer => return reply.map(result_of).map_err(|_| gone()),
                () = context.ct.cancelled(), if !stopping => {
                    stopping = true;
                    self.stop(&control, "the client cancelled the request".to_string());
                }
                () = sleep_until(deadline), if !stopping => {
                    stopping = true;
                    self.stop(&control, format!("timed out after {} s", timeout.unwrap_or_default()));
                }
                _ = ticks.tick() => {
                    // A handler that caught the interruption gets it again, until the code ends.
                    if stopping && control.is_running() {
                        self.shared.stop_execution();
                    }
                    if let Some(token) = &progress_token {
                        let elapsed = started.elapsed().as_secs_f64();
                        let mut note = ProgressNotificationParam::new(token.clone(), elapsed).with_message(self.progress_message(elapsed));
                        if let Some(total) = timeout {
                            note = note.with_total(total);
                        }
                        let _ = context.peer.notify_progress(note).await;
                    }
                }
            }
        }
    }

    /// Stops the job: the session skips it if it has not started, and interrupts it if it runs.
    fn stop(&self, control: &JobControl, reason: String) {
        *control.stopped.lock().unwrap_or_else(|p| p.into_inner()) = Some(reason);
        if control.is_running() {
            self.shared.stop_execution();
        }
    }

    fn progress_message(&self, elapsed: f64) -> String {
        let s = self.shared.calls().snapshot();
        format!(
            "{elapsed:.0} s: model calls {} done, {} in flight, {} failed; {} tokens, ${:.4}",
            s.done, s.in_flight, s.failed, s.tokens, s.cost_usd
        )
    }

    fn status(&self) -> Json {
        let calls = self.shared.calls();
        let s = calls.snapshot();
        let in_flight: Vec<Json> = calls
            .calls_in_flight()
            .into_iter()
            .map(|c| json!({"id": c.id, "model": c.model, "seconds": (c.elapsed.as_secs_f64() * 10.0).round() / 10.0}))
            .collect();
        let running = self.shared.running().map(|r| json!({"execution": r.number, "seconds": (r.started.elapsed().as_secs_f64() * 10.0).round() / 10.0}));
        json!({
            "execution_running": running,
            "calls_in_flight": in_flight,
            "calls_done": s.done,
            "calls_failed": s.failed,
            "tokens": s.tokens,
            "cost_usd": s.cost_usd,
        })
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn result_of(reply: Reply) -> CallToolResult {
    if reply.is_error {
        CallToolResult::structured_error(reply.body)
    } else {
        CallToolResult::structured(reply.body)
    }
}

fn invalid(message: String) -> McpError {
    McpError::invalid_params(message, None)
}

fn gone() -> McpError {
    McpError::internal_error("the interpreter thread has stopped", None)
}

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("rlmsh", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "rlmsh runs Scheme programs (Racket syntax) that call language models and Python, in one persistent \
                 session. Call get_usage_guide for the primitives, load data with load_context, run code with \
                 execute_scheme, watch long runs with get_status.",
            )
    }

    async fn list_tools(&self, _request: Option<PaginatedRequestParams>, _context: RequestContext<RoleServer>) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items(tools::catalogue()))
    }

    async fn call_tool(&self, request: CallToolRequestParams, context: RequestContext<RoleServer>) -> Result<CallToolResponse, McpError> {
        self.dispatch(&request, &context).await.map(Into::into)
    }
}
