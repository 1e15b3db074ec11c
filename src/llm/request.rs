//! What crosses from the interpreter thread to the tokio workers and back: plain `Send` data
//! (a request in; text, usage and retry counts out), never interpreter values.

use std::fmt;

use sha2::{Digest, Sha256};

use super::settings::Provider;

#[derive(Clone, Debug)]
pub struct Request {
    pub provider: Provider,
    /// The model name as the provider knows it (without an `openai/`-style prefix).
    pub model: String,
    pub system: String,
    pub user: String,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u64>,
    pub json: bool,
    /// Images as data URLs or http(s) URLs.
    pub images: Vec<String>,
    /// JSON mode was asked for by an instruction that did not say "json", so a request for
    /// JSON was appended to it (recorded in the trace).
    pub json_instruction_added: bool,
    /// `#:recursive #t`: the answer is to be a program (the offline model writes one).
    pub recursive: bool,
}

impl Request {
    /// The API key the request is sent with, if any.
    pub fn key(&self) -> Option<&str> {
        match &self.provider {
            Provider::OpenAi { key, .. } | Provider::Anthropic { key, .. } => key.as_deref(),
            _ => None,
        }
    }

    /// A hex digest of everything that determines an answer: the key of the response cache and
    /// of recordings, and the seed of offline answers.
    pub fn digest(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [self.provider.name(), &self.model, &self.system, &self.user] {
            crate::digest::update_framed(&mut hasher, part.as_bytes());
        }
        hasher.update(format!("{:?}|{:?}|{}", self.temperature, self.max_tokens, self.json).as_bytes());
        for image in &self.images {
            crate::digest::update_framed(&mut hasher, image.as_bytes());
        }
        crate::digest::hex(hasher)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    pub prompt: u64,
    pub completion: u64,
}

impl Usage {
    pub fn total(&self) -> u64 {
        self.prompt + self.completion
    }
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub text: String,
    pub usage: Usage,
    /// The provider's `x-ratelimit-*` headers on the answer, name to value.
    pub rate_limits: Vec<(String, String)>,
}

/// What stands in for an API key a provider echoed back.
const REDACTED: &str = "[redacted API key]";

/// Removes every occurrence of `key` from `text`: a provider or gateway that echoes the key
/// (in an answer or an error message) must not get it into output, traces or checkpoints.
pub fn redact(text: &mut String, key: &str) {
    if !key.is_empty() && text.contains(key) {
        *text = text.replace(key, REDACTED);
    }
}

impl CallError {
    pub fn redact(&mut self, key: &str) {
        match self {
            CallError::Status { message: text, .. } | CallError::Connection(text) | CallError::Malformed(text) | CallError::NotJson { raw: text, .. } => {
                redact(text, key)
            }
            CallError::Timeout | CallError::Cancelled => {}
        }
    }
}

#[derive(Clone, Debug)]
pub enum CallError {
    /// The provider answered with an error status that retrying does not fix (or retries ran out).
    Status { status: u16, message: String },
    /// No answer within the request timeout, on every attempt.
    Timeout,
    /// The connection failed (refused, reset, dropped) on every attempt.
    Connection(String),
    /// The provider's answer could not be read.
    Malformed(String),
    /// JSON mode: the answer was not JSON, twice; the tokens both answers used.
    NotJson { raw: String, usage: Usage },
    Cancelled,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Status { status, message } => write!(f, "the provider answered HTTP {status}: {message}"),
            CallError::Timeout => write!(f, "the request timed out"),
            CallError::Connection(e) => write!(f, "connection failed: {e}"),
            CallError::Malformed(e) => write!(f, "the provider's answer could not be read: {e}"),
            CallError::NotJson { raw, .. } => write!(f, "the answer is not valid JSON (asked twice); raw answer: {raw}"),
            CallError::Cancelled => write!(f, "the call was cancelled"),
        }
    }
}
