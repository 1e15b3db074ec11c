//! The command-line flags that are also settings; each beats its environment variable, which
//! beats `rlmsh.toml`, which beats the built-in default.

use std::path::PathBuf;

use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct Flags {
    /// Read settings from PATH [default: $RLMSH_CONFIG, else ./rlmsh.toml, else
    /// ~/.config/rlmsh/rlmsh.toml]; `rlmsh config` shows what is in force and why.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Answer model calls with the built-in deterministic offline model (no network); also
    /// RLMSH_OFFLINE=1.
    #[arg(long)]
    pub offline: bool,

    /// The model used when a call names none [env: RLMSH_MODEL; config: default_model;
    /// default: gpt-4o-mini].
    #[arg(long, value_name = "NAME")]
    pub model: Option<String>,

    /// Retries of a model call after 429, 5xx, timeouts and dropped connections
    /// [env: RLMSH_MAX_RETRIES; config: max_retries; default: 4].
    #[arg(long, value_name = "N")]
    pub max_retries: Option<u32>,

    /// Seconds one model request may take before it is retried [env: RLMSH_REQUEST_TIMEOUT;
    /// config: request_timeout; default: 120].
    #[arg(long, value_name = "SECS", value_parser = positive_seconds)]
    pub request_timeout: Option<f64>,

    /// Model calls in flight at once, across the whole run [env: RLMSH_MAX_CONCURRENCY;
    /// config: max_concurrency; default: 64].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_concurrency: Option<u64>,

    /// Keep model answers in DIR, keyed by the request; a repeated request costs nothing
    /// [env: RLMSH_CACHE_DIR; config: cache_dir].
    #[arg(long, value_name = "DIR")]
    pub cache: Option<PathBuf>,

    /// Directory for checkpoints [env: RLMSH_CHECKPOINT_DIR; config: checkpoint_dir;
    /// default: .rlmsh/checkpoints].
    #[arg(long, value_name = "DIR")]
    pub checkpoint_dir: Option<PathBuf>,
}

pub fn positive_seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(secs) if secs > 0.0 && secs.is_finite() => Ok(secs),
        _ => Err(format!("expected a positive number of seconds, got {text:?}")),
    }
}
