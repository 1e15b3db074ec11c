//! Where model calls go: the provider, address and key for a model name, and the limits on
//! calls, as the run's configuration (`crate::config`) says.

use std::time::Duration;

use crate::config::{Config, ProviderConfig};

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

/// What model calls need from the run's configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    openai: Endpoint,
    anthropic: Endpoint,
    ollama: Endpoint,
    pub offline: bool,
    pub default_model: String,
    pub max_retries: u32,
    pub request_timeout: Duration,
    pub max_concurrency: u64,
    /// Answers come from a recording: a provider's address and key are not needed.
    pub replaying: bool,
}

#[derive(Clone, Debug)]
struct Endpoint {
    name: &'static str,
    base_url: String,
    key: Option<String>,
    /// Whether a key or an address was configured; calls to an endpoint nothing chose fail.
    chosen: bool,
    key_env: Option<String>,
    base_url_env: Option<&'static str>,
}

impl Endpoint {
    fn new(provider: &ProviderConfig) -> Endpoint {
        Endpoint {
            name: provider.name,
            base_url: provider.base_url.value.clone(),
            key: provider.key.value.as_ref().map(|key| key.expose().to_string()),
            chosen: provider.chosen(),
            key_env: provider.key_env.value.clone(),
            base_url_env: provider.base_url_env,
        }
    }

    /// What to set to use this endpoint, for the error of a call that found nothing set.
    fn what_to_set(&self) -> String {
        let url = self.base_url_env.map(|name| format!(" (and {name} for another server)")).unwrap_or_default();
        let variables = self.key_env.as_deref().map(|key| format!("{key}{url} or ")).unwrap_or_default();
        format!("{variables}[providers.{}] in {}", self.name, crate::config::FILE_NAME)
    }
}

impl Settings {
    pub fn new(config: &Config, replaying: bool) -> Settings {
        Settings {
            openai: Endpoint::new(&config.openai),
            anthropic: Endpoint::new(&config.anthropic),
            ollama: Endpoint::new(&config.ollama),
            offline: config.offline.value,
            default_model: config.default_model.value.clone(),
            max_retries: config.max_retries.value,
            request_timeout: Duration::from_secs_f64(config.request_timeout.value),
            max_concurrency: config.max_concurrency.value,
            replaying,
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
        let provider = match prefix {
            Some("offline") => return Ok((Provider::Offline, name.to_string())),
            // A local server needs no key, so it is always there to try.
            Some("ollama") => return Ok((Provider::OpenAi { base_url: self.ollama.base_url.clone(), key: self.ollama.key.clone() }, name.to_string())),
            Some("anthropic") => &self.anthropic,
            None if name.starts_with("claude") => &self.anthropic,
            _ => &self.openai,
        };
        if !provider.chosen && !self.replaying {
            return Err(format!(
                "no model provider is configured for {model:?}: set {}, or run with --offline (or RLMSH_OFFLINE=1) for deterministic offline answers",
                provider.what_to_set()
            ));
        }
        let (base_url, key) = (provider.base_url.clone(), provider.key.clone());
        let provider = if provider.name == "anthropic" { Provider::Anthropic { base_url, key } } else { Provider::OpenAi { base_url, key } };
        Ok((provider, name.to_string()))
    }
}
