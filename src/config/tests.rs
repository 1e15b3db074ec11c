use std::path::{Path, PathBuf};

use super::file::{self, FileSettings};
use super::*;

const KEY: &str = "sk-proj-UNITTESTSECRET0123456789wxyz";

fn settings(text: &str) -> FileSettings {
    file::parse(text).unwrap_or_else(|e| panic!("{e:?}"))
}

fn resolve(flags: &Flags, env: &[(&str, &str)], text: Option<&str>) -> Result<Config, ConfigError> {
    let file = text.map(|t| (PathBuf::from("/etc/project/rlmsh.toml"), Found::Flag, settings(t)));
    Config::resolve(flags, &Env::from_pairs(env.iter().copied()), file)
}

fn config(flags: &Flags, env: &[(&str, &str)], text: Option<&str>) -> Config {
    resolve(flags, env, text).unwrap_or_else(|e| panic!("{}", e.message()))
}

fn file_source() -> Source {
    Source::File(PathBuf::from("/etc/project/rlmsh.toml"))
}

#[test]
fn defaults_when_nothing_is_said() {
    let c = config(&Flags::default(), &[], None);
    assert_eq!(c.default_model, Setting { value: "gpt-4o-mini".to_string(), source: Source::Default });
    assert_eq!(c.max_retries.value, 4);
    assert_eq!(c.request_timeout.value, 120.0);
    assert_eq!(c.max_concurrency.value, 64);
    assert_eq!(c.cache_dir.value, None);
    assert_eq!(c.checkpoint_dir.value, PathBuf::from(".rlmsh/checkpoints"));
    assert!(!c.offline.value);
    assert!(c.providers().iter().all(|p| !p.chosen() && p.key.value.is_none()));
    assert_eq!(c.openai.key_env.value.as_deref(), Some("OPENAI_API_KEY"));
    assert!(c.prices.is_empty() && c.file.is_none());
}

#[test]
fn a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default() {
    let file = "default_model = \"file-model\"\nmax_retries = 1\nrequest_timeout = 10\nmax_concurrency = 3\n";
    let only_file = config(&Flags::default(), &[], Some(file));
    assert_eq!(only_file.default_model, Setting { value: "file-model".to_string(), source: file_source() });
    assert_eq!((only_file.max_retries.value, only_file.request_timeout.value, only_file.max_concurrency.value), (1, 10.0, 3));
    let env = [("RLMSH_MODEL", "env-model"), ("RLMSH_MAX_RETRIES", "2"), ("RLMSH_REQUEST_TIMEOUT", "20.5"), ("RLMSH_MAX_CONCURRENCY", "5")];
    let with_env = config(&Flags::default(), &env, Some(file));
    assert_eq!(with_env.default_model, Setting { value: "env-model".to_string(), source: Source::Env("RLMSH_MODEL".into()) });
    assert_eq!((with_env.max_retries.value, with_env.request_timeout.value, with_env.max_concurrency.value), (2, 20.5, 5));
    let flags = Flags { model: Some("flag-model".into()), max_retries: Some(3), request_timeout: Some(30.0), max_concurrency: Some(7), ..Flags::default() };
    let with_flags = config(&flags, &env, Some(file));
    assert_eq!(with_flags.default_model, Setting { value: "flag-model".to_string(), source: Source::Flag("--model") });
    assert_eq!((with_flags.max_retries.value, with_flags.request_timeout.value, with_flags.max_concurrency.value), (3, 30.0, 7));
    assert_eq!(with_flags.max_retries.source, Source::Flag("--max-retries"));
}

#[test]
fn offline_comes_from_the_flag_or_the_environment() {
    assert_eq!(config(&Flags::default(), &[("RLMSH_OFFLINE", "1")], None).offline.value, true);
    assert_eq!(config(&Flags::default(), &[("RLMSH_OFFLINE", "0")], None).offline, Setting { value: false, source: Source::Env("RLMSH_OFFLINE".into()) });
    let flag = config(&Flags { offline: true, ..Flags::default() }, &[("RLMSH_OFFLINE", "0")], None);
    assert_eq!(flag.offline, Setting { value: true, source: Source::Flag("--offline") });
}

#[test]
fn paths_in_the_file_are_relative_to_it() {
    let c = config(&Flags::default(), &[], Some("cache_dir = \"cache\"\ncheckpoint_dir = \"/abs/ckpt\"\n"));
    assert_eq!(c.cache_dir.value, Some(PathBuf::from("/etc/project/cache")));
    assert_eq!(c.checkpoint_dir.value, PathBuf::from("/abs/ckpt"));
    if let Some(home) = dirs::home_dir() {
        assert_eq!(path_in_file(Path::new("/etc/rlmsh.toml"), Path::new("~/c")), home.join("c"));
    }
    assert_eq!(path_in_file(Path::new("rlmsh.toml"), Path::new("c")), PathBuf::from("c"));
    let env = config(&Flags::default(), &[("RLMSH_CACHE_DIR", "env-cache"), ("RLMSH_CHECKPOINT_DIR", "env-ckpt")], Some("cache_dir = \"cache\""));
    assert_eq!(env.cache_dir.value, Some(PathBuf::from("env-cache")));
    assert_eq!(env.checkpoint_dir.source, Source::Env("RLMSH_CHECKPOINT_DIR".into()));
    let flags = Flags { cache: Some("flag-cache".into()), checkpoint_dir: Some("flag-ckpt".into()), ..Flags::default() };
    let flagged = config(&flags, &[("RLMSH_CACHE_DIR", "env-cache")], None);
    assert_eq!((flagged.cache_dir.value, flagged.checkpoint_dir.value), (Some(PathBuf::from("flag-cache")), PathBuf::from("flag-ckpt")));
}

#[test]
fn provider_keys_and_addresses() {
    let file = format!("[providers.openai]\nbase_url = \"http://gateway/v1\"\napi_key = \"{KEY}\"\n[providers.anthropic]\napi_key_env = \"WORK_ANTHROPIC_KEY\"\n");
    let c = config(&Flags::default(), &[("ANTHROPIC_API_KEY", "sk-ant-usual-variable-0000"), ("WORK_ANTHROPIC_KEY", "sk-ant-named-variable-1111")], Some(&file));
    assert_eq!(c.openai.base_url, Setting { value: "http://gateway/v1".to_string(), source: file_source() });
    assert_eq!(c.openai.key.value.as_ref().map(Secret::expose), Some(KEY));
    assert_eq!(c.openai.key.source, file_source());
    // api_key_env replaces the usual variable rather than falling back to it.
    assert_eq!(c.anthropic.key.value.as_ref().map(Secret::expose), Some("sk-ant-named-variable-1111"));
    assert_eq!(c.anthropic.key.source, Source::Env("WORK_ANTHROPIC_KEY".into()));
    assert!(c.openai.chosen() && c.anthropic.chosen() && !c.ollama.chosen());
    // The usual variables beat the file.
    let env = config(&Flags::default(), &[("OPENAI_API_KEY", "sk-from-env-0123456789"), ("OPENAI_BASE_URL", "https://env/v1")], Some(&file));
    assert_eq!(env.openai.key.value.as_ref().map(Secret::expose), Some("sk-from-env-0123456789"));
    assert_eq!(env.openai.base_url.source, Source::Env("OPENAI_BASE_URL".into()));
    let unset = config(&Flags::default(), &[("ANTHROPIC_API_KEY", "sk-ant-usual-variable-0000")], Some(&file));
    assert_eq!(unset.anthropic.key.value, None);
    assert!(!unset.anthropic.chosen());
    let ollama = config(&Flags::default(), &[], Some("[providers.ollama]\nbase_url = \"http://gpu:11434/v1\""));
    assert!(ollama.ollama.chosen());
}

#[test]
fn a_provider_with_both_a_key_and_a_key_variable_is_an_error() {
    let error = resolve(&Flags::default(), &[], Some(&format!("[providers.openai]\napi_key = \"{KEY}\"\napi_key_env = \"K\""))).unwrap_err();
    assert!(matches!(error, ConfigError::Invalid(_)));
    assert!(error.message().contains("[providers.openai]") && error.message().contains("/etc/project/rlmsh.toml"), "{}", error.message());
    assert!(!error.message().contains(KEY));
}

#[test]
fn bad_environment_values_name_the_variable() {
    for (name, value) in [("RLMSH_MAX_RETRIES", "many"), ("RLMSH_REQUEST_TIMEOUT", "0"), ("RLMSH_MAX_CONCURRENCY", "0"), ("OPENAI_BASE_URL", "api.openai.com")] {
        let error = resolve(&Flags::default(), &[(name, value)], None).unwrap_err();
        assert!(matches!(error, ConfigError::Invalid(_)) && error.message().starts_with(name), "{}", error.message());
    }
}

#[test]
fn configured_prices_change_the_cost() {
    let c = config(&Flags::default(), &[], Some("[prices]\n\"gpt-4o-mini\" = { prompt = 1, completion = 3 }\nlocal = { prompt = 0.5, completion = 0.5 }\n"));
    let prices = c.price_table();
    // 2,000 prompt and 1,000 completion tokens: 2000 * 1 / 1e6 + 1000 * 3 / 1e6.
    assert!((prices.cost_usd("openai/gpt-4o-mini", 2_000, 1_000) - 0.005).abs() < 1e-12);
    assert!((prices.cost_usd("openai/local-7b", 1_000_000, 1_000_000) - 1.0).abs() < 1e-12);
    assert!((prices.cost_usd("openai/gpt-4o", 1_000_000, 0) - 2.5).abs() < 1e-12);
}

#[test]
fn the_report_masks_keys_and_names_sources() {
    let file = format!("default_model = \"m\"\n[providers.openai]\napi_key = \"{KEY}\"\n[prices]\n\"gpt-4o\" = {{ prompt = 1, completion = 2 }}\n");
    let c = config(&Flags { max_retries: Some(9), ..Flags::default() }, &[("ANTHROPIC_API_KEY", "sk-ant-api03-ENVSECRET-abcdefgh")], Some(&file));
    let text = report::text(&c);
    let json = report::json(&c).to_string();
    for out in [&text, &json] {
        assert!(!out.contains(KEY) && !out.contains("UNITTESTSECRET") && !out.contains("ENVSECRET"), "{out}");
        assert!(out.contains("sk-…wxyz") && out.contains("sk-…efgh"), "{out}");
    }
    let line = |name: &str| text.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("no {name} in\n{text}")).to_string();
    assert!(text.starts_with("config file: /etc/project/rlmsh.toml (flag --config)"), "{text}");
    assert!(line("default_model").ends_with("file /etc/project/rlmsh.toml"));
    assert!(line("max_retries").ends_with("flag --max-retries"));
    assert!(line("providers.anthropic.api_key").ends_with("env ANTHROPIC_API_KEY"));
    assert!(line("providers.ollama.api_key").contains("(not set)"));
    assert!(line("request_timeout").ends_with("default"));
    assert!(line("prices.gpt-4o").contains("prompt 1, completion 2") && line("prices.gpt-4o").ends_with("rlmsh.toml"));
    assert!(line("prices.gpt-4o-mini").ends_with("default"));
    let json = report::json(&c);
    assert_eq!(json["max_retries"], serde_json::json!({"value": 9, "source": "flag", "from": "--max-retries"}));
    assert_eq!(json["providers"]["openai"]["api_key"]["value"], "sk-…wxyz");
    assert_eq!(json["providers"]["ollama"]["api_key"]["value"], serde_json::Value::Null);
    assert_eq!(json["cache_dir"], serde_json::json!({"value": null, "source": "default"}));
    assert_eq!(json["prices"]["gpt-4o"]["value"]["completion"], serde_json::json!(2.0));
    assert_eq!(json["config_file"]["found"], "flag --config");
}
