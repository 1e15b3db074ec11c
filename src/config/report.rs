//! `rlmsh config`: every setting in force, its value and where it came from, as a table or as
//! JSON. Keys are shown masked; nothing here ever holds one whole.

use serde_json::{json, Map, Value as Json};

use super::{Config, Setting, Source};
use crate::llm::{Price, BUILTIN_PRICES};

/// One line of the report: the setting's name as a path of keys (as in `rlmsh.toml`), its
/// value as text and as JSON, and its source.
struct Row {
    keys: Vec<String>,
    text: String,
    json: Json,
    source: Source,
}

const NOT_SET: &str = "(not set)";

fn row<T>(keys: &[&str], setting: &Setting<T>, text: String, json: Json) -> Row {
    Row { keys: keys.iter().map(|k| k.to_string()).collect(), text, json, source: setting.source.clone() }
}

fn optional_text(value: Option<String>) -> (String, Json) {
    match value {
        Some(text) => (text.clone(), Json::String(text)),
        None => (NOT_SET.to_string(), Json::Null),
    }
}

fn rows(config: &Config) -> Vec<Row> {
    let mut rows = vec![
        row(&["offline"], &config.offline, config.offline.value.to_string(), json!(config.offline.value)),
        row(&["default_model"], &config.default_model, config.default_model.value.clone(), json!(config.default_model.value)),
        row(&["max_retries"], &config.max_retries, config.max_retries.value.to_string(), json!(config.max_retries.value)),
        row(&["request_timeout"], &config.request_timeout, config.request_timeout.value.to_string(), json!(config.request_timeout.value)),
        row(&["max_concurrency"], &config.max_concurrency, config.max_concurrency.value.to_string(), json!(config.max_concurrency.value)),
    ];
    let (text, json) = optional_text(config.cache_dir.value.as_ref().map(|dir| dir.display().to_string()));
    rows.push(row(&["cache_dir"], &config.cache_dir, text, json));
    let checkpoints = config.checkpoint_dir.value.display().to_string();
    rows.push(row(&["checkpoint_dir"], &config.checkpoint_dir, checkpoints.clone(), json!(checkpoints)));
    for provider in config.providers() {
        let keys = |key: &'static str| ["providers", provider.name, key];
        rows.push(row(&keys("base_url"), &provider.base_url, provider.base_url.value.clone(), json!(provider.base_url.value)));
        let (text, json) = optional_text(provider.key_env.value.clone());
        rows.push(row(&keys("api_key_env"), &provider.key_env, text, json));
        let (text, json) = optional_text(provider.key.value.as_ref().map(|key| key.masked()));
        rows.push(row(&keys("api_key"), &provider.key, text, json));
    }
    let configured = config.prices.iter().map(|(name, price)| (name.as_str(), price.value, price.source.clone()));
    let builtin = BUILTIN_PRICES
        .iter()
        .filter(|(name, _)| !config.prices.iter().any(|(configured, _)| configured == name))
        .map(|(name, price)| (*name, *price, Source::Default));
    let mut prices: Vec<(&str, Price, Source)> = configured.chain(builtin).collect();
    prices.sort_by(|a, b| a.0.cmp(b.0));
    for (name, price, source) in prices {
        rows.push(Row {
            keys: vec!["prices".to_string(), name.to_string()],
            text: format!("prompt {}, completion {} USD per 1M tokens", price.prompt, price.completion),
            json: json!({"prompt": price.prompt, "completion": price.completion}),
            source,
        });
    }
    rows
}

fn file_line(config: &Config) -> String {
    match &config.file {
        Some((path, found)) => format!("config file: {} ({found})", path.display()),
        None => format!("config file: none (looked for --config, $RLMSH_CONFIG, ./{0}, and {0} in the user configuration directory)", super::FILE_NAME),
    }
}

/// The report as an aligned table.
pub fn text(config: &Config) -> String {
    let rows = rows(config);
    let names: Vec<String> = rows.iter().map(|r| r.keys.join(".")).collect();
    let name_width = names.iter().map(|n| n.chars().count()).max().unwrap_or(0).max("setting".len());
    let value_width = rows.iter().map(|r| r.text.chars().count()).max().unwrap_or(0).max("value".len());
    let mut out = format!("{}\n\n{:name_width$}  {:value_width$}  source\n", file_line(config), "setting", "value");
    for (name, row) in names.iter().zip(&rows) {
        out.push_str(&format!("{name:name_width$}  {:value_width$}  {}\n", row.text, row.source));
    }
    out
}

/// The report as JSON: `config_file` (path and how it was found, or null), then each setting
/// nested as in `rlmsh.toml`, as `{"value": ..., "source": "flag"|"env"|"file"|"default",
/// "from": flag, variable or file}`.
pub fn json(config: &Config) -> Json {
    let mut root = Map::new();
    root.insert(
        "config_file".to_string(),
        match &config.file {
            Some((path, found)) => json!({"path": path.display().to_string(), "found": found.to_string()}),
            None => Json::Null,
        },
    );
    for row in rows(config) {
        let mut entry = Map::new();
        entry.insert("value".to_string(), row.json);
        entry.insert("source".to_string(), json!(row.source.kind()));
        if let Some(origin) = row.source.origin() {
            entry.insert("from".to_string(), json!(origin));
        }
        let (last, parents) = row.keys.split_last().expect("every row has a name");
        let mut table = &mut root;
        for key in parents {
            table = table.entry(key.clone()).or_insert_with(|| Json::Object(Map::new())).as_object_mut().expect("a table of settings");
        }
        table.insert(last.clone(), Json::Object(entry));
    }
    Json::Object(root)
}
