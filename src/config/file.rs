//! The configuration file `rlmsh.toml`: where it is looked for, what it may say, and errors that
//! point at the line and column. Unknown keys are errors, so that a misspelt key is reported
//! rather than silently ignored; values are checked as they are read, so that their errors also
//! carry a position.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::secret::Secret;
use super::{ConfigError, Env};

pub const FILE_NAME: &str = "rlmsh.toml";
pub const PATH_VARIABLE: &str = "RLMSH_CONFIG";

/// Everything the file may set; every key is optional.
#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct FileSettings {
    pub default_model: Option<String>,
    pub request_timeout: Option<Seconds>,
    pub max_retries: Option<u32>,
    pub max_concurrency: Option<Concurrency>,
    pub cache_dir: Option<PathBuf>,
    pub checkpoint_dir: Option<PathBuf>,
    #[serde(default)]
    pub providers: Providers,
    #[serde(default)]
    pub prices: BTreeMap<String, PriceEntry>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
pub struct Providers {
    pub openai: Option<ProviderEntry>,
    pub anthropic: Option<ProviderEntry>,
    pub ollama: Option<ProviderEntry>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct ProviderEntry {
    pub base_url: Option<BaseUrl>,
    /// The environment variable that holds the key, read instead of the provider's usual one.
    pub api_key_env: Option<EnvName>,
    /// The key itself: allowed, but a file is easier to leak than the environment.
    pub api_key: Option<Secret>,
}

/// USD per million tokens.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct PriceEntry {
    pub prompt: Usd,
    pub completion: Usd,
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(try_from = "f64")]
pub struct Seconds(pub f64);

impl TryFrom<f64> for Seconds {
    type Error = &'static str;
    fn try_from(secs: f64) -> Result<Seconds, Self::Error> {
        if secs > 0.0 && secs.is_finite() {
            Ok(Seconds(secs))
        } else {
            Err("expected a positive number of seconds")
        }
    }
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(try_from = "u64")]
pub struct Concurrency(pub u64);

impl TryFrom<u64> for Concurrency {
    type Error = &'static str;
    fn try_from(n: u64) -> Result<Concurrency, Self::Error> {
        if n >= 1 {
            Ok(Concurrency(n))
        } else {
            Err("expected at least 1 call in flight")
        }
    }
}

#[derive(Deserialize, Debug, Clone, Copy)]
#[serde(try_from = "f64")]
pub struct Usd(pub f64);

impl TryFrom<f64> for Usd {
    type Error = &'static str;
    fn try_from(usd: f64) -> Result<Usd, Self::Error> {
        if usd >= 0.0 && usd.is_finite() {
            Ok(Usd(usd))
        } else {
            Err("expected a price in USD per million tokens, 0 or more")
        }
    }
}

/// A provider's address. The error does not quote the value: a key pasted into the wrong line
/// must not be printed.
#[derive(Deserialize, Debug, Clone)]
#[serde(try_from = "String")]
pub struct BaseUrl(pub String);

impl TryFrom<String> for BaseUrl {
    type Error = &'static str;
    fn try_from(url: String) -> Result<BaseUrl, Self::Error> {
        if is_http_url(&url) {
            Ok(BaseUrl(url))
        } else {
            Err("expected an http:// or https:// URL")
        }
    }
}

pub fn is_http_url(url: &str) -> bool {
    ["http://", "https://"].iter().any(|scheme| url.len() > scheme.len() && url[..scheme.len()].eq_ignore_ascii_case(scheme))
}

/// The name of an environment variable. Keys contain `-`, so a key written here by mistake is
/// refused, and not quoted.
#[derive(Deserialize, Debug, Clone)]
#[serde(try_from = "String")]
pub struct EnvName(pub String);

impl TryFrom<String> for EnvName {
    type Error = &'static str;
    fn try_from(name: String) -> Result<EnvName, Self::Error> {
        let mut chars = name.chars();
        let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Ok(EnvName(name))
        } else {
            Err("expected the name of an environment variable (letters, digits and _); the key itself goes in api_key")
        }
    }
}

/// How the file was found, shown by `rlmsh config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    Flag,
    Env,
    WorkingDir,
    UserDir,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Found::Flag => "flag --config",
            Found::Env => "env RLMSH_CONFIG",
            Found::WorkingDir => "working directory",
            Found::UserDir => "user configuration directory",
        })
    }
}

/// The file to read: `--config`, else `$RLMSH_CONFIG`, else `rlmsh.toml` in the working
/// directory, else in the user's configuration directory (`~/.config/rlmsh/` on Linux). A
/// file named explicitly must exist; the others are used only if they do.
pub fn locate(flag: Option<&Path>, env: &Env) -> Option<(PathBuf, Found)> {
    if let Some(path) = flag {
        return Some((path.to_path_buf(), Found::Flag));
    }
    if let Some(path) = env.get(PATH_VARIABLE) {
        return Some((PathBuf::from(path), Found::Env));
    }
    let here = PathBuf::from(FILE_NAME);
    if here.is_file() {
        return Some((here, Found::WorkingDir));
    }
    let user = dirs::config_dir()?.join("rlmsh").join(FILE_NAME);
    user.is_file().then_some((user, Found::UserDir))
}

pub fn load(path: &Path) -> Result<FileSettings, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError::Unreadable(format!("cannot read the configuration file {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|_| ConfigError::Invalid(format!("{}: the configuration file is not UTF-8 text", path.display())))?;
    parse(&text).map_err(|(offset, message)| {
        let (line, column) = line_and_column(&text, offset);
        ConfigError::Invalid(format!("{}:{line}:{column}: {message}", path.display()))
    })
}

/// The settings in `text`, or the byte offset and message of the first error (in TOML's
/// words: serde's "field" is a key).
pub fn parse(text: &str) -> Result<FileSettings, (usize, String)> {
    toml::from_str(text).map_err(|e| {
        let message = without_quoted_strings(e.message()).replace("unknown field", "unknown key").replace("missing field", "missing key");
        (e.span().map_or(0, |span| span.start), message)
    })
}

/// Serde's type errors quote the offending string (`invalid type: string "...", expected
/// u32`); the string may be a key, so it is left out.
fn without_quoted_strings(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message.trim_end();
    while let Some(start) = rest.find(" \"") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        rest = match after.rfind('"') {
            Some(end) => &after[end + 1..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_at(text: &str) -> (usize, usize, String) {
        let (offset, message) = parse(text).expect_err("should not parse");
        let (line, column) = line_and_column(text, offset);
        (line, column, message)
    }

    #[test]
    fn every_key_parses() {
        let text = r#"
default_model = "gpt-4o"
request_timeout = 30
max_retries = 2
max_concurrency = 8
cache_dir = "cache"
checkpoint_dir = "/tmp/checkpoints"

[providers.openai]
base_url = "http://127.0.0.1:8080/v1"
api_key_env = "MY_KEY"

[providers.anthropic]
api_key = "sk-ant-0123456789abcdef"

[providers.ollama]
base_url = "http://gpu-box:11434/v1"

[prices]
"gpt-4o" = { prompt = 1, completion = 2.5 }
"#;
        let settings = parse(text).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(settings.default_model.as_deref(), Some("gpt-4o"));
        assert_eq!(settings.request_timeout.map(|s| s.0), Some(30.0));
        assert_eq!(settings.max_retries, Some(2));
        assert_eq!(settings.max_concurrency.map(|c| c.0), Some(8));
        assert_eq!(settings.cache_dir, Some(PathBuf::from("cache")));
        let openai = settings.providers.openai.expect("openai");
        assert_eq!(openai.base_url.map(|u| u.0).as_deref(), Some("http://127.0.0.1:8080/v1"));
        assert_eq!(openai.api_key_env.map(|n| n.0).as_deref(), Some("MY_KEY"));
        assert_eq!(settings.providers.anthropic.and_then(|a| a.api_key).map(|k| k.expose().to_string()).as_deref(), Some("sk-ant-0123456789abcdef"));
        let price = &settings.prices["gpt-4o"];
        assert_eq!((price.prompt.0, price.completion.0), (1.0, 2.5));
        assert!(parse("").is_ok());
    }

    #[test]
    fn the_readme_example_sets_every_key() {
        let readme = include_str!("../../README.md");
        let start = readme.find("```toml\n").expect("a TOML example in the README") + "```toml\n".len();
        let example = &readme[start..start + readme[start..].find("```").expect("the end of the example")];
        let settings = parse(example).unwrap_or_else(|e| panic!("{e:?}"));
        let providers = &settings.providers;
        assert!(settings.default_model.is_some() && settings.request_timeout.is_some() && settings.max_retries.is_some());
        assert!(settings.max_concurrency.is_some() && settings.cache_dir.is_some() && settings.checkpoint_dir.is_some());
        assert!(providers.openai.as_ref().is_some_and(|p| p.base_url.is_some() && p.api_key_env.is_some()));
        assert!(providers.anthropic.as_ref().is_some_and(|p| p.api_key.is_some()));
        assert!(providers.ollama.is_some() && !settings.prices.is_empty());
    }

    #[test]
    fn unknown_keys_are_named_with_their_position() {
        let (line, column, message) = error_at("max_retries = 1\ndefualt_model = \"x\"\n");
        assert_eq!((line, column), (2, 1));
        assert!(message.contains("unknown key `defualt_model`") && message.contains("`default_model`"), "{message}");
        let (line, _, message) = error_at("[providers.opneai]\nbase_url = \"http://x\"\n");
        assert_eq!(line, 1);
        assert!(message.contains("`opneai`"), "{message}");
        let (line, _, message) = error_at("[providers.openai]\napi-key = \"k\"\n");
        assert_eq!(line, 2);
        assert!(message.contains("`api-key`"), "{message}");
        let (_, _, message) = error_at("[prices]\nx = { prompt = 1, completoin = 2 }\n");
        assert!(message.contains("`completoin`"), "{message}");
    }

    #[test]
    fn malformed_toml_has_a_position() {
        let (line, column, _) = error_at("max_retries = 1\ndefault_model = \"unterminated\n");
        assert_eq!(line, 2);
        assert!(column > 1);
        let (line, _, _) = error_at("a b c");
        assert_eq!(line, 1);
    }

    #[test]
    fn bad_values_are_errors_at_the_value() {
        let (line, column, message) = error_at("request_timeout = 0\n");
        assert_eq!((line, column), (1, 19));
        assert!(message.contains("positive number of seconds"), "{message}");
        assert!(error_at("max_concurrency = 0").2.contains("at least 1"));
        assert!(error_at("max_retries = -1").2.contains("-1"));
        assert!(error_at("[prices]\nm = { prompt = -1, completion = 0 }").2.contains("0 or more"));
        assert!(error_at("[providers.openai]\nbase_url = \"api.openai.com\"").2.contains("http://"));
        assert!(error_at("[prices]\nm = { prompt = 1 }").2.contains("missing key `completion`"));
    }

    #[test]
    fn a_key_written_in_the_wrong_place_is_not_quoted() {
        let key = "sk-proj-SECRETSECRETSECRET1234";
        for text in [
            format!("[providers.openai]\napi_key_env = \"{key}\""),
            format!("[providers.openai]\nbase_url = \"{key}\""),
            format!("max_retries = \"{key}\""),
            format!("[providers.openai]\napi_key = [\"{key}\"]"),
            format!("[providers.openai]\napi_key = \"{key}"),
        ] {
            let (_, _, message) = error_at(&text);
            assert!(!message.contains("SECRET"), "{message}");
        }
    }

    #[test]
    fn quoted_strings_are_removed_from_messages() {
        assert_eq!(without_quoted_strings("invalid type: string \"abc\", expected u32"), "invalid type: string, expected u32");
        assert_eq!(without_quoted_strings("unknown field `x`, expected `y`"), "unknown field `x`, expected `y`");
        assert_eq!(without_quoted_strings("bad \"unterminated"), "bad");
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(line_and_column("é = 1\nab", 7), (2, 1));
        assert_eq!(line_and_column("é = 1", 3), (1, 3));
    }
}
