//! Laying the file, the environment and the flags over the defaults, in that order.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use super::file::{is_http_url, FileSettings, ProviderEntry};
use super::{path_in_file, Config, ConfigError, Env, Flags, ProviderConfig, Secret, Setting, Source};
use crate::llm::Price;

impl Config {
    pub(super) fn apply_file(&mut self, path: &Path, file: FileSettings) -> Result<(), ConfigError> {
        let from = || Source::File(path.to_path_buf());
        if let Some(model) = file.default_model {
            self.default_model.set(model, from());
        }
        if let Some(n) = file.max_retries {
            self.max_retries.set(n, from());
        }
        if let Some(secs) = file.request_timeout {
            self.request_timeout.set(secs.0, from());
        }
        if let Some(n) = file.max_concurrency {
            self.max_concurrency.set(n.0, from());
        }
        if let Some(dir) = file.cache_dir {
            self.cache_dir.set(Some(path_in_file(path, &dir)), from());
        }
        if let Some(dir) = file.checkpoint_dir {
            self.checkpoint_dir.set(path_in_file(path, &dir), from());
        }
        let providers = file.providers;
        for (provider, entry) in [(&mut self.openai, providers.openai), (&mut self.anthropic, providers.anthropic), (&mut self.ollama, providers.ollama)] {
            if let Some(entry) = entry {
                provider.apply_file(path, entry)?;
            }
        }
        self.prices = file
            .prices
            .into_iter()
            .map(|(name, entry)| (name, Setting { value: Price { prompt: entry.prompt.0, completion: entry.completion.0 }, source: from() }))
            .collect();
        Ok(())
    }

    pub(super) fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        let from = |name: &str| Source::Env(name.to_string());
        if let Some(value) = env.get("RLMSH_OFFLINE") {
            self.offline.set(value != "0", from("RLMSH_OFFLINE"));
        }
        if let Some(model) = env.get("RLMSH_MODEL") {
            self.default_model.set(model.to_string(), from("RLMSH_MODEL"));
        }
        if let Some(n) = parsed::<u32>(env, "RLMSH_MAX_RETRIES", "a number of retries, 0 or more", |_| true)? {
            self.max_retries.set(n, from("RLMSH_MAX_RETRIES"));
        }
        if let Some(secs) = parsed::<f64>(env, "RLMSH_REQUEST_TIMEOUT", "a positive number of seconds", |s| *s > 0.0 && s.is_finite())? {
            self.request_timeout.set(secs, from("RLMSH_REQUEST_TIMEOUT"));
        }
        if let Some(n) = parsed::<u64>(env, "RLMSH_MAX_CONCURRENCY", "a number of calls, 1 or more", |n| *n >= 1)? {
            self.max_concurrency.set(n, from("RLMSH_MAX_CONCURRENCY"));
        }
        if let Some(dir) = env.get("RLMSH_CACHE_DIR") {
            self.cache_dir.set(Some(PathBuf::from(dir)), from("RLMSH_CACHE_DIR"));
        }
        if let Some(dir) = env.get("RLMSH_CHECKPOINT_DIR") {
            self.checkpoint_dir.set(PathBuf::from(dir), from("RLMSH_CHECKPOINT_DIR"));
        }
        for provider in [&mut self.openai, &mut self.anthropic, &mut self.ollama] {
            provider.apply_env(env)?;
        }
        Ok(())
    }

    pub(super) fn apply_flags(&mut self, flags: &Flags) {
        if flags.offline {
            self.offline.set(true, Source::Flag("--offline"));
        }
        if let Some(model) = &flags.model {
            self.default_model.set(model.clone(), Source::Flag("--model"));
        }
        if let Some(n) = flags.max_retries {
            self.max_retries.set(n, Source::Flag("--max-retries"));
        }
        if let Some(secs) = flags.request_timeout {
            self.request_timeout.set(secs, Source::Flag("--request-timeout"));
        }
        if let Some(n) = flags.max_concurrency {
            self.max_concurrency.set(n, Source::Flag("--max-concurrency"));
        }
        if let Some(dir) = &flags.cache {
            self.cache_dir.set(Some(dir.clone()), Source::Flag("--cache"));
        }
        if let Some(dir) = &flags.checkpoint_dir {
            self.checkpoint_dir.set(dir.clone(), Source::Flag("--checkpoint-dir"));
        }
    }
}

impl ProviderConfig {
    fn apply_file(&mut self, path: &Path, entry: ProviderEntry) -> Result<(), ConfigError> {
        let from = || Source::File(path.to_path_buf());
        if let Some(url) = entry.base_url {
            self.base_url.set(url.0, from());
        }
        match (entry.api_key_env, entry.api_key) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid(format!(
                    "{}: [providers.{}] sets both api_key and api_key_env; keep one",
                    path.display(),
                    self.name
                )))
            }
            (Some(name), None) => self.key_env.set(Some(name.0), from()),
            // A key in the file stands for the usual variable, which still overrides it.
            (None, Some(key)) => self.key.set(Some(key), from()),
            (None, None) => {}
        }
        Ok(())
    }

    fn apply_env(&mut self, env: &Env) -> Result<(), ConfigError> {
        if let Some((name, url)) = self.base_url_env.and_then(|name| Some((name, env.get(name)?))) {
            if !is_http_url(url) {
                return Err(ConfigError::Invalid(format!("{name}: expected an http:// or https:// URL")));
            }
            self.base_url.set(url.to_string(), Source::Env(name.to_string()));
        }
        if let Some((name, key)) = self.key_env.value.as_deref().and_then(|name| Some((name, env.get(name)?))) {
            self.key.set(Some(Secret::new(key.to_string())), Source::Env(name.to_string()));
        }
        Ok(())
    }
}

/// The value of `name` parsed as a `T` that passes `valid`, if the variable is set.
fn parsed<T: FromStr>(env: &Env, name: &str, expected: &str, valid: impl Fn(&T) -> bool) -> Result<Option<T>, ConfigError> {
    let Some(text) = env.get(name) else { return Ok(None) };
    match text.trim().parse::<T>() {
        Ok(value) if valid(&value) => Ok(Some(value)),
        _ => Err(ConfigError::Invalid(format!("{name}: expected {expected}, got {text:?}"))),
    }
}
