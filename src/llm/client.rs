//! Sending one model call: the shared tokio runtime and HTTP client, the global cap on calls in
//! flight, retries with backoff, and JSON-mode checking. Runs on tokio workers and sees only
//! `Send` data.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rand::Rng;
use tokio::sync::Semaphore;

use super::offline;
use super::request::{redact, Answer, CallError, Request, Usage};
use super::settings::Provider;
use super::wire;

/// The runtime model calls run on; two workers are plenty for I/O-bound calls.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("rlmsh-llm")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the async runtime for model calls: {e}"))
    })
}

/// One client for the whole process, so connections are pooled across calls.
fn http() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()
            .unwrap_or_else(|e| panic!("cannot create the HTTP client: {e}"))
    })
}

/// Limits shared by every call of a run.
pub struct Limits {
    pub max_retries: u32,
    pub request_timeout: Duration,
    pub in_flight: Arc<Semaphore>,
}

/// Sends `req` (waiting for a free slot first), retrying what retrying can fix. In JSON mode an
/// answer that does not parse is asked for once more. `sent` counts the requests as they go
/// out, so that whoever traces the call knows its retries however it ends, cancelled included.
pub async fn execute(req: Request, limits: Arc<Limits>, sent: Arc<AtomicU32>) -> Result<Answer, CallError> {
    let _slot = limits.in_flight.acquire().await.map_err(|_| CallError::Cancelled)?;
    let first = send_with_retries(&req, &limits, &sent).await?;
    if !req.json {
        return Ok(first);
    }
    if let Some(json) = as_json(&first.text) {
        return Ok(Answer { text: json, ..first });
    }
    let second = send_with_retries(&req, &limits, &sent).await?;
    let usage = Usage {
        prompt: first.usage.prompt + second.usage.prompt,
        completion: first.usage.completion + second.usage.completion,
    };
    match as_json(&second.text) {
        Some(json) => Ok(Answer { text: json, usage, rate_limits: second.rate_limits }),
        None => Err(CallError::NotJson { raw: second.text, usage }),
    }
}

/// The answer as JSON text, if it is JSON, possibly inside a Markdown code fence (which some
/// models add even in JSON mode).
fn as_json(text: &str) -> Option<String> {
    let parses = |t: &str| serde_json::from_str::<serde_json::Value>(t).is_ok();
    if parses(text) {
        return Some(text.to_string());
    }
    let trimmed = text.trim();
    let inner = trimmed.strip_prefix("```json").or_else(|| trimmed.strip_prefix("```"))?.strip_suffix("```")?.trim();
    parses(inner).then(|| inner.to_string())
}

/// A failed attempt: whether it is worth retrying, and after how long the provider asked.
struct Failure {
    error: CallError,
    retryable: bool,
    retry_after: Option<Duration>,
}

async fn send_with_retries(req: &Request, limits: &Limits, sent: &AtomicU32) -> Result<Answer, CallError> {
    let mut attempt = 0;
    loop {
        sent.fetch_add(1, Ordering::Relaxed);
        match redact_key(send_once(req, limits.request_timeout).await, req.key()) {
            Ok(answer) => return Ok(answer),
            Err(failure) if failure.retryable && attempt < limits.max_retries => {
                tokio::time::sleep(failure.retry_after.unwrap_or_else(|| backoff(attempt))).await;
                attempt += 1;
            }
            Err(failure) => return Err(failure.error),
        }
    }
}

fn redact_key(outcome: Result<Answer, Failure>, key: Option<&str>) -> Result<Answer, Failure> {
    let Some(key) = key else { return outcome };
    match outcome {
        Ok(mut answer) => {
            redact(&mut answer.text, key);
            Ok(answer)
        }
        Err(mut failure) => {
            failure.error.redact(key);
            Err(failure)
        }
    }
}

/// Exponential backoff with jitter: about 0.5 s, 1 s, 2 s, ... up to 30 s, each scaled by a
/// random factor in [0.5, 1] so that many calls failing together do not retry together.
fn backoff(attempt: u32) -> Duration {
    let base = (0.5 * 2f64.powi(attempt as i32)).min(30.0);
    Duration::from_secs_f64(base * rand::thread_rng().gen_range(0.5..=1.0))
}

async fn send_once(req: &Request, timeout: Duration) -> Result<Answer, Failure> {
    let (url, builder, body) = match &req.provider {
        Provider::Offline => return Ok(offline::answer(req)),
        Provider::OpenAi { base_url, key } => {
            let builder = http().post(format!("{}/chat/completions", base_url.trim_end_matches('/')));
            let builder = match key {
                Some(k) => builder.bearer_auth(k),
                None => builder,
            };
            ("chat/completions", builder, wire::openai_body(req))
        }
        Provider::Anthropic { base_url, key } => {
            let builder = http()
                .post(format!("{}/messages", base_url.trim_end_matches('/')))
                .header("anthropic-version", "2023-06-01");
            let builder = match key {
                Some(k) => builder.header("x-api-key", k),
                None => builder,
            };
            ("messages", builder, wire::anthropic_body(req))
        }
    };
    let response = builder.timeout(timeout).json(&body).send().await.map_err(transport_failure)?;
    let status = response.status();
    let retry_after = retry_after(response.headers(), std::time::SystemTime::now());
    let rate_limits: Vec<(String, String)> = response
        .headers()
        .iter()
        .filter(|(name, _)| name.as_str().starts_with("x-ratelimit-") || name.as_str().starts_with("anthropic-ratelimit-"))
        .filter_map(|(name, value)| Some((name.as_str().to_string(), value.to_str().ok()?.to_string())))
        .collect();
    let text = response.text().await.map_err(transport_failure)?;
    if !status.is_success() {
        let retryable = status.as_u16() == 429 || status.is_server_error();
        let error = CallError::Status { status: status.as_u16(), message: wire::error_message(&text) };
        return Err(Failure { error, retryable, retry_after });
    }
    let parsed = serde_json::from_str::<serde_json::Value>(&text)
        .map_err(|e| e.to_string())
        .and_then(|json| match req.provider {
            Provider::Anthropic { .. } => wire::anthropic_answer(&json),
            _ => wire::openai_answer(&json),
        });
    match parsed {
        Ok((text, usage)) => Ok(Answer { text, usage, rate_limits }),
        Err(e) => Err(Failure { error: CallError::Malformed(format!("{url}: {e}")), retryable: false, retry_after: None }),
    }
}

fn transport_failure(e: reqwest::Error) -> Failure {
    let error = if e.is_timeout() { CallError::Timeout } else { CallError::Connection(without_url(&e)) };
    Failure { error, retryable: true, retry_after: None }
}

/// reqwest's messages name the URL; the message is enough, and keeps query-string secrets out.
fn without_url(e: &reqwest::Error) -> String {
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut deepest = e.to_string();
    while let Some(s) = source {
        deepest = s.to_string();
        source = s.source();
    }
    deepest
}

/// The longest wait a provider's `Retry-After` can ask for; longer ones are cut to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How long the provider asks to wait before a retry: OpenAI's `retry-after-ms`, else
/// `Retry-After` in seconds or as an HTTP date (RFC 9110), cut to [0, 60 s]; `None` when it
/// says nothing usable (then the usual backoff applies).
fn retry_after(headers: &reqwest::header::HeaderMap, now: std::time::SystemTime) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
    let seconds = |text: &str, scale: f64| text.parse::<f64>().ok().filter(|n| n.is_finite()).map(|n| (n * scale).clamp(0.0, MAX_RETRY_AFTER.as_secs_f64()));
    let wait = header("retry-after-ms").and_then(|ms| seconds(ms, 0.001)).or_else(|| {
        let text = header("retry-after")?;
        seconds(text, 1.0).or_else(|| {
            let date = httpdate::parse_http_date(text).ok()?;
            Some(date.duration_since(now).unwrap_or_default().min(MAX_RETRY_AFTER).as_secs_f64())
        })
    });
    wait.map(Duration::from_secs_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(pairs: &[(&'static str, &str)]) -> Option<Duration> {
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, value.parse().unwrap());
        }
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        retry_after(&headers, now)
    }

    #[test]
    fn retry_after_in_seconds_milliseconds_or_a_date() {
        assert_eq!(wait(&[("retry-after", "2")]), Some(Duration::from_secs(2)));
        assert_eq!(wait(&[("retry-after", "0.5")]), Some(Duration::from_millis(500)));
        assert_eq!(wait(&[("retry-after-ms", "250"), ("retry-after", "9")]), Some(Duration::from_millis(250)));
        assert_eq!(wait(&[("retry-after", "Tue, 14 Nov 2023 22:13:30 GMT")]), Some(Duration::from_secs(10)));
        assert_eq!(wait(&[("retry-after", "Tue, 14 Nov 2023 22:13:00 GMT")]), Some(Duration::ZERO));
        assert_eq!(wait(&[]), None);
    }

    #[test]
    fn hostile_retry_after_values_are_cut_or_ignored() {
        assert_eq!(wait(&[("retry-after", "NaN")]), None);
        assert_eq!(wait(&[("retry-after", "inf")]), None);
        assert_eq!(wait(&[("retry-after", "-5")]), Some(Duration::ZERO));
        assert_eq!(wait(&[("retry-after", "86400")]), Some(MAX_RETRY_AFTER));
        assert_eq!(wait(&[("retry-after", "Fri, 01 Jan 2100 00:00:00 GMT")]), Some(MAX_RETRY_AFTER));
        assert_eq!(wait(&[("retry-after-ms", "NaN"), ("retry-after", "3")]), Some(Duration::from_secs(3)));
        assert_eq!(wait(&[("retry-after", "soon")]), None);
    }
}
