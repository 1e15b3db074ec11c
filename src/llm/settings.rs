//! Where model calls go: providers, keys, base URLs, the default model, retry and concurrency
//! limits, from flags and environment variables (flags win).

use std::time::Duration;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provider {
    /// An OpenAI-compatible Chat Completions endpoint.
    OpenAi { base_url: String, key: Option<String> },
    Anthropic { base_url: String, key: Option<String> },
    /// Deterministic answers computed locally.
    Offline,
}

impl Provider {
    pub fn name(&self) -> &'static str {
        match self {
            Provider::OpenAi { .. } => "openai",
            Provider::Anthropic { .. } => "anthropic",
            Provider::Offline => "offline",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub openai_key: Option<String>,
    pub openai_base_url: Option<String>,
    pub anthropic_key: Option<String>,
    pub anthropic_base_url: Option<String>,
    pub offline: bool,
    pub default_model: String,
    pub max_retries: u32,
    pub request_timeout: Duration,
    pub max_concurrency: u64,
    /// Answers come from a recording: a provider's address and key are not needed.
    pub replaying: bool,
}

pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_MAX_RETRIES: u32 = 4;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: f64 = 120.0;
pub const DEFAULT_MAX_CONCURRENCY: u64 = 64;
const OPENAI_BASE_URL: &str = "https://api.openai.com/v1";
const ANTHROPIC_BASE_URL: &str = "https://api.anthropic.com/v1";
const OLLAMA_BASE_URL: &str = "http://localhost:11434/v1";

/// What the command line says about model calls; `None` leaves the environment's choice.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub offline: bool,
    pub model: Option<String>,
    pub max_retries: Option<u32>,
    pub request_timeout_secs: Option<f64>,
    pub max_concurrency: Option<u64>,
    /// Print calls, tokens, cost and wall time to stderr at the end (`--stats`).
    pub stats: bool,
    pub cache_dir: Option<std::path::PathBuf>,
    pub record: Option<std::path::PathBuf>,
    pub replay: Option<std::path::PathBuf>,
    pub trace: Option<std::path::PathBuf>,
    pub trace_full: bool,
    /// Show the live progress line when stderr is a terminal (off with `--quiet`).
    pub progress: bool,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    pub fn from_env(overrides: &Overrides) -> Settings {
        Settings {
            openai_key: env("OPENAI_API_KEY"),
            openai_base_url: env("OPENAI_BASE_URL"),
            anthropic_key: env("ANTHROPIC_API_KEY"),
            anthropic_base_url: env("ANTHROPIC_BASE_URL"),
            offline: overrides.offline || env("RLMSH_OFFLINE").is_some_and(|v| v != "0"),
            default_model: overrides.model.clone().or_else(|| env("RLMSH_MODEL")).unwrap_or_else(|| DEFAULT_MODEL.to_string()),
            max_retries: overrides.max_retries.unwrap_or(DEFAULT_MAX_RETRIES),
            request_timeout: Duration::from_secs_f64(overrides.request_timeout_secs.unwrap_or(DEFAULT_REQUEST_TIMEOUT_SECS)),
            max_concurrency: overrides.max_concurrency.unwrap_or(DEFAULT_MAX_CONCURRENCY),
            replaying: overrides.replay.is_some(),
        }
    }

    /// The provider and provider-side model name for a model as a program names it:
    /// `openai/gpt-4o-mini`, `anthropic/claude-...`, `claude-...`, `ollama/llama3`, `offline`,
    /// or a bare name (OpenAI-compatible).
    pub fn route(&self, model: &str) -> Result<(Provider, String), String> {
        if self.offline || model == "offline" {
            // `offline/NAME` answers as NAME whether or not every call is offline.
            return Ok((Provider::Offline, model.strip_prefix("offline/").unwrap_or(model).to_string()));
        }
        let (prefix, name) = match model.split_once('/') {
            Some((p, n)) if matches!(p, "openai" | "anthropic" | "ollama" | "offline") => (Some(p), n),
            _ => (None, model),
        };
        match prefix {
            Some("offline") => Ok((Provider::Offline, name.to_string())),
            Some("ollama") => Ok((Provider::OpenAi { base_url: OLLAMA_BASE_URL.to_string(), key: None }, name.to_string())),
            Some("anthropic") => self.anthropic(name),
            None if name.starts_with("claude") => self.anthropic(name),
            _ => {
                if self.openai_key.is_none() && self.openai_base_url.is_none() && !self.replaying {
                    return Err(not_configured(model, "OPENAI_API_KEY (and OPENAI_BASE_URL for other OpenAI-compatible servers)"));
                }
                let base_url = self.openai_base_url.clone().unwrap_or_else(|| OPENAI_BASE_URL.to_string());
                Ok((Provider::OpenAi { base_url, key: self.openai_key.clone() }, name.to_string()))
            }
        }
    }

    fn anthropic(&self, name: &str) -> Result<(Provider, String), String> {
        if self.anthropic_key.is_none() && self.anthropic_base_url.is_none() && !self.replaying {
            return Err(not_configured(name, "ANTHROPIC_API_KEY (and ANTHROPIC_BASE_URL for a gateway)"));
        }
        let base_url = self.anthropic_base_url.clone().unwrap_or_else(|| ANTHROPIC_BASE_URL.to_string());
        Ok((Provider::Anthropic { base_url, key: self.anthropic_key.clone() }, name.to_string()))
    }
}

fn not_configured(model: &str, variables: &str) -> String {
    format!(
        "no model provider is configured for {model:?}: set {variables}, or run with --offline (or RLMSH_OFFLINE=1) for deterministic offline answers"
    )
}
