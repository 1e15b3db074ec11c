//! The settings of a run and where each came from. Four layers, each overriding the one before:
//! the built-in defaults, the configuration file (`rlmsh.toml`), environment variables, and
//! command-line flags. `rlmsh config` prints the result.

mod file;
mod flags;
mod layers;
pub mod report;
mod secret;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::llm::Price;

pub use file::{Found, FILE_NAME};
pub use flags::{positive_seconds, Flags};
pub use secret::Secret;

pub const DEFAULT_MODEL: &str = "gpt-4o-mini";
pub const DEFAULT_MAX_RETRIES: u32 = 4;
pub const DEFAULT_REQUEST_TIMEOUT_SECS: f64 = 120.0;
pub const DEFAULT_MAX_CONCURRENCY: u64 = 64;

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
    Flag(&'static str),
}

impl Source {
    /// `default`, `file`, `env` or `flag`.
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Default => "default",
            Source::File(_) => "file",
            Source::Env(_) => "env",
            Source::Flag(_) => "flag",
        }
    }

    /// The file, variable or flag; nothing for a default.
    pub fn origin(&self) -> Option<String> {
        match self {
            Source::Default => None,
            Source::File(path) => Some(path.display().to_string()),
            Source::Env(name) => Some(name.clone()),
            Source::Flag(flag) => Some(flag.to_string()),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin() {
            Some(origin) => write!(f, "{} {origin}", self.kind()),
            None => f.write_str(self.kind()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T> Setting<T> {
    fn builtin(value: T) -> Setting<T> {
        Setting { value, source: Source::Default }
    }

    fn set(&mut self, value: T, source: Source) {
        *self = Setting { value, source };
    }
}

/// One provider: where its endpoint is and the key sent to it.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// As in `[providers.NAME]` and model names (`ollama/llama3`).
    pub name: &'static str,
    pub base_url: Setting<String>,
    /// The variable that overrides the base URL, if the provider has one.
    pub base_url_env: Option<&'static str>,
    /// The variable the key is read from.
    pub key_env: Setting<Option<String>>,
    pub key: Setting<Option<Secret>>,
}

impl ProviderConfig {
    fn new(name: &'static str, base_url: &str, base_url_env: Option<&'static str>, key_env: Option<&str>) -> ProviderConfig {
        ProviderConfig {
            name,
            base_url: Setting::builtin(base_url.to_string()),
            base_url_env,
            key_env: Setting::builtin(key_env.map(str::to_string)),
            key: Setting::builtin(None),
        }
    }

    /// Whether anything chose this provider (a key or an address); calls to a provider nothing
    /// chose are refused with a message saying what to set.
    pub fn chosen(&self) -> bool {
        self.key.value.is_some() || self.base_url.source != Source::Default
    }
}

/// The effective configuration of a run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The configuration file read, if any, and how it was found.
    pub file: Option<(PathBuf, Found)>,
    pub offline: Setting<bool>,
    pub default_model: Setting<String>,
    pub max_retries: Setting<u32>,
    pub request_timeout: Setting<f64>,
    pub max_concurrency: Setting<u64>,
    pub cache_dir: Setting<Option<PathBuf>>,
    pub checkpoint_dir: Setting<PathBuf>,
    pub openai: ProviderConfig,
    pub anthropic: ProviderConfig,
    pub ollama: ProviderConfig,
    /// Prices from the file, laid over the built-in table (`crate::llm::BUILTIN_PRICES`).
    pub prices: Vec<(String, Setting<Price>)>,
}

impl Default for Config {
    /// The built-in defaults: no file, nothing from the environment.
    fn default() -> Config {
        Config {
            file: None,
            offline: Setting::builtin(false),
            default_model: Setting::builtin(DEFAULT_MODEL.to_string()),
            max_retries: Setting::builtin(DEFAULT_MAX_RETRIES),
            request_timeout: Setting::builtin(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_concurrency: Setting::builtin(DEFAULT_MAX_CONCURRENCY),
            cache_dir: Setting::builtin(None),
            checkpoint_dir: Setting::builtin(PathBuf::from(crate::scaffold::checkpoints::DEFAULT_DIR)),
            openai: ProviderConfig::new("openai", "https://api.openai.com/v1", Some("OPENAI_BASE_URL"), Some("OPENAI_API_KEY")),
            anthropic: ProviderConfig::new("anthropic", "https://api.anthropic.com/v1", Some("ANTHROPIC_BASE_URL"), Some("ANTHROPIC_API_KEY")),
            ollama: ProviderConfig::new("ollama", "http://localhost:11434/v1", None, None),
            prices: Vec::new(),
        }
    }
}

/// Why the configuration could not be made; the command line turns it into an exit code.
#[derive(Debug)]
pub enum ConfigError {
    /// A file named by `--config` or `RLMSH_CONFIG` could not be read.
    Unreadable(String),
    /// A file that is not valid TOML or says something wrong, or a bad environment variable.
    Invalid(String),
}

impl ConfigError {
    pub fn message(&self) -> &str {
        match self {
            ConfigError::Unreadable(m) | ConfigError::Invalid(m) => m,
        }
    }
}

/// The environment variables as read once (empty ones count as unset).
#[derive(Clone, Debug, Default)]
pub struct Env(HashMap<String, String>);

impl Env {
    pub fn process() -> Env {
        Env(std::env::vars_os()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(_, value)| !value.is_empty())
            .collect())
    }

    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Env {
        Env(pairs.into_iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl Config {
    /// The configuration of this process: its flags, its environment and the file they or the
    /// usual places name.
    pub fn load(flags: &Flags) -> Result<Config, ConfigError> {
        let env = Env::process();
        let file = match file::locate(flags.config.as_deref(), &env) {
            Some((path, found)) => {
                let settings = file::load(&path)?;
                Some((path, found, settings))
            }
            None => None,
        };
        Config::resolve(flags, &env, file)
    }

    fn resolve(flags: &Flags, env: &Env, file: Option<(PathBuf, Found, file::FileSettings)>) -> Result<Config, ConfigError> {
        let mut config = Config::default();
        if let Some((path, found, settings)) = file {
            config.apply_file(&path, settings)?;
            config.file = Some((path, found));
        }
        config.apply_env(env)?;
        config.apply_flags(flags);
        Ok(config)
    }

    pub fn providers(&self) -> [&ProviderConfig; 3] {
        [&self.openai, &self.anthropic, &self.ollama]
    }

    /// The run's price table.
    pub fn price_table(&self) -> crate::llm::Prices {
        crate::llm::Prices::new(self.prices.iter().map(|(name, price)| (name.clone(), price.value)))
    }
}

/// A path written in the file: `~/` is the home directory, and a relative path is relative to
/// the directory holding the file, so that the file means the same from wherever rlmsh runs.
fn path_in_file(file: &Path, path: &Path) -> PathBuf {
    if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), dirs::home_dir()) {
        return home.join(rest);
    }
    match file.parent() {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests;
