//! End-to-end tests of the configuration file (`rlmsh.toml`) and `rlmsh config`, running the
//! binary in a fresh working directory whose user configuration directory is empty, against
//! the loopback model server of `tests/common/http.rs`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::http::{MockServer, Reply};
use common::{run_command, Out, MODEL_ENV};
use serde_json::Value as Json;

/// Recognisable fake keys: no output of any run may contain them.
const FILE_KEY: &str = "sk-proj-FILESECRET-0a1b2c3d4e5f6789-k9Q2";
const ENV_KEY: &str = "sk-ant-api03-ENVSECRET-fedcba9876543210-z7W4";

fn stdout_json(out: &Out) -> Json {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", out.stdout))
}

/// A working directory, and beside it an empty user configuration directory.
struct Place {
    root: tempfile::TempDir,
}

impl Place {
    fn new() -> Place {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        std::fs::create_dir_all(root.path().join("home/.config")).unwrap();
        Place { root }
    }

    fn work(&self) -> PathBuf {
        self.root.path().join("work")
    }

    fn user_config_file(&self) -> PathBuf {
        self.root.path().join("home/.config/rlmsh/rlmsh.toml")
    }

    fn write(&self, path: &Path, text: &str) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// `rlmsh.toml` in the working directory.
    fn config(&self, text: &str) -> &Self {
        self.write(&self.work().join("rlmsh.toml"), text);
        self
    }

    /// Runs `rlmsh ARGS` in the working directory with only `env` of the variables that
    /// choose settings; whatever happens, the fake keys must not be in the output.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Out {
        let home = self.root.path().join("home");
        let mut cmd = Command::new(common::rlmsh_bin());
        cmd.args(args).current_dir(self.work()).env("HOME", &home).env("XDG_CONFIG_HOME", home.join(".config"));
        for name in MODEL_ENV {
            cmd.env_remove(name);
        }
        cmd.env("NO_PROXY", "127.0.0.1,localhost");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let out = Out::of(run_command(&mut cmd, common::TIMEOUT), &format!("rlmsh {args:?}"));
        for key in [FILE_KEY, ENV_KEY] {
            assert!(!out.stdout.contains(key) && !out.stderr.contains(key), "a key leaked\nstdout: {}\nstderr: {}", out.stdout, out.stderr);
        }
        out
    }

    fn program(&self, source: &str) -> String {
        let path = self.work().join("prog.scm");
        std::fs::write(&path, source).unwrap();
        path.display().to_string()
    }
}

fn echo_server(prompt_tokens: u64, completion_tokens: u64) -> MockServer {
    MockServer::start(move |r| Reply::openai(&format!("answer: {}", r.openai_user_text()), prompt_tokens, completion_tokens))
}

fn models_asked(server: &MockServer) -> Vec<String> {
    server.requests().iter().map(|r| r.json()["model"].as_str().unwrap_or("").to_string()).collect()
}

#[test]
fn the_file_sets_the_default_model_the_address_and_the_key() {
    let server = echo_server(3, 2);
    let place = Place::new();
    place.config(&format!(
        "default_model = \"model-from-file\"\n\n[providers.openai]\nbase_url = \"{}\"\napi_key = \"{FILE_KEY}\"\n",
        server.base_url()
    ));
    let program = place.program("(displayln (unsafe-raw-query #:data \"hi\"))");
    let out = place.run(&["run", &program], &[]);
    out.ok();
    assert_eq!(out.stdout, "answer: hi\n");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v1/chat/completions");
    assert_eq!(requests[0].json()["model"], "model-from-file");
    assert_eq!(requests[0].header("authorization"), Some(format!("Bearer {FILE_KEY}").as_str()));
}

#[test]
fn a_key_variable_named_in_the_file_replaces_the_usual_one() {
    let server = echo_server(1, 1);
    let place = Place::new();
    place.config(&format!("[providers.openai]\nbase_url = \"{}\"\napi_key_env = \"WORK_OPENAI_KEY\"\n", server.base_url()));
    let program = place.program("(displayln (unsafe-raw-query #:data \"x\"))");
    place.run(&["run", &program], &[("WORK_OPENAI_KEY", FILE_KEY), ("OPENAI_API_KEY", ENV_KEY)]).ok();
    assert_eq!(server.requests()[0].header("authorization"), Some(format!("Bearer {FILE_KEY}").as_str()));
}

#[test]
fn model_settings_go_flag_then_environment_then_file_then_default() {
    let server = echo_server(1, 1);
    let place = Place::new();
    let program = place.program("(displayln (unsafe-raw-query #:data \"x\"))");
    let url = server.base_url();
    let env = [("OPENAI_BASE_URL", url.as_str()), ("OPENAI_API_KEY", ENV_KEY)];
    let with_model = [&env[..], &[("RLMSH_MODEL", "from-env")]].concat();
    place.run(&["run", &program], &env).ok();
    place.config("default_model = \"from-file\"\n");
    place.run(&["run", &program], &env).ok();
    place.run(&["run", &program], &with_model).ok();
    place.run(&["run", "--model", "from-flag", &program], &with_model).ok();
    assert_eq!(models_asked(&server), ["gpt-4o-mini", "from-file", "from-env", "from-flag"]);

    // The same order for the numbers, as `rlmsh config --json` reports them.
    place.config("max_retries = 1\nrequest_timeout = 10\nmax_concurrency = 3\n");
    let settings = |args: &[&str], env: &[(&str, &str)]| {
        let out = place.run(&[&["config", "--json"], args].concat(), env);
        out.ok();
        stdout_json(&out)
    };
    let file = settings(&[], &[]);
    assert_eq!(file["max_retries"]["value"], 1);
    assert_eq!(file["max_retries"]["source"], "file");
    assert_eq!(file["max_retries"]["from"], "rlmsh.toml");
    assert_eq!(file["request_timeout"]["value"], 10.0);
    let env = [("RLMSH_MAX_RETRIES", "2"), ("RLMSH_REQUEST_TIMEOUT", "20"), ("RLMSH_MAX_CONCURRENCY", "5")];
    let from_env = settings(&[], &env);
    assert_eq!(from_env["max_retries"], serde_json::json!({"value": 2, "source": "env", "from": "RLMSH_MAX_RETRIES"}));
    assert_eq!(from_env["max_concurrency"]["value"], 5);
    let flagged = settings(&["--max-retries", "3", "--request-timeout", "30", "--max-concurrency", "7"], &env);
    assert_eq!(flagged["max_retries"], serde_json::json!({"value": 3, "source": "flag", "from": "--max-retries"}));
    assert_eq!(flagged["request_timeout"]["value"], 30.0);
    assert_eq!(flagged["max_concurrency"]["source"], "flag");
    assert_eq!(flagged["offline"]["source"], "default");
}

#[test]
fn max_retries_from_the_file_is_obeyed() {
    let server = MockServer::always(Reply::error(503, "busy"));
    let place = Place::new();
    place.config(&format!("max_retries = 1\n[providers.openai]\nbase_url = \"{}\"\n", server.base_url()));
    let program = place.program("(unsafe-raw-query #:data \"x\")");
    place.run(&["run", &program], &[]).failed(1);
    assert_eq!(server.request_count(), 2);
}

#[test]
fn configured_prices_are_what_tokens_used_costs() {
    let server = echo_server(1_000, 500);
    let place = Place::new();
    place.config(&format!(
        "[providers.openai]\nbase_url = \"{}\"\n\n[prices]\n\"gpt-4o-mini\" = {{ prompt = 2, completion = 4 }}\n\"house-model\" = {{ prompt = 10, completion = 20 }}\n",
        server.base_url()
    ));
    let program = place.program(
        r#"
(unsafe-raw-query #:data "a")
(unsafe-raw-query #:data "b" #:model "house-model-v2")
(unsafe-raw-query #:data "c" #:model "gpt-4o")
(define by (hash-ref (tokens-used) 'by_model))
(for-each (lambda (m) (displayln (hash-ref (hash-ref by m) 'cost_usd))) '("openai/gpt-4o-mini" "openai/house-model-v2" "openai/gpt-4o"))
(displayln (hash-ref (tokens-used) 'cost_usd))
"#,
    );
    let out = place.run(&["run", &program], &[]);
    out.ok();
    let costs: Vec<f64> = out.stdout.lines().map(|l| l.parse().unwrap()).collect();
    // 1,000 prompt and 500 completion tokens a call, at USD per million tokens: the file's
    // 2 / 4 and 10 / 20, and the built-in 2.50 / 10 for gpt-4o.
    let expected = [(1_000.0 * 2.0 + 500.0 * 4.0) / 1e6, (1_000.0 * 10.0 + 500.0 * 20.0) / 1e6, (1_000.0 * 2.5 + 500.0 * 10.0) / 1e6];
    for (cost, expected) in costs.iter().zip(expected) {
        assert!((cost - expected).abs() < 1e-12, "{cost} != {expected}\n{}", out.stdout);
    }
    assert!((costs[3] - expected.iter().sum::<f64>()).abs() < 1e-12, "{}", out.stdout);
}

#[test]
fn rlmsh_config_shows_every_setting_with_keys_masked() {
    let place = Place::new();
    place.config(&format!("default_model = \"m\"\ncache_dir = \"answers\"\n[providers.openai]\napi_key = \"{FILE_KEY}\"\n"));
    let env = [("ANTHROPIC_API_KEY", ENV_KEY), ("RLMSH_CHECKPOINT_DIR", "ckpt")];
    let out = place.run(&["config", "--max-concurrency", "9"], &env);
    out.ok();
    let line = |name: &str| {
        out.stdout.lines().find(|l| l.split_whitespace().next() == Some(name)).unwrap_or_else(|| panic!("no {name}:\n{}", out.stdout)).to_string()
    };
    assert!(out.stdout.starts_with("config file: rlmsh.toml (working directory)"), "{}", out.stdout);
    assert!(line("default_model").ends_with("file rlmsh.toml"));
    assert!(line("max_concurrency").contains(" 9 ") && line("max_concurrency").ends_with("flag --max-concurrency"));
    assert!(line("max_retries").contains(" 4 ") && line("max_retries").ends_with("default"));
    assert!(line("cache_dir").contains("answers") && line("cache_dir").ends_with("file rlmsh.toml"));
    assert!(line("checkpoint_dir").ends_with("env RLMSH_CHECKPOINT_DIR"));
    assert!(line("providers.openai.api_key").contains("sk-…k9Q2") && line("providers.openai.api_key").ends_with("file rlmsh.toml"));
    assert!(line("providers.anthropic.api_key").contains("sk-…z7W4") && line("providers.anthropic.api_key").ends_with("env ANTHROPIC_API_KEY"));
    assert!(line("providers.ollama.api_key").contains("(not set)"));
    assert!(line("prices.gpt-4o-mini").contains("0.15"));
    for setting in ["offline", "request_timeout", "providers.openai.base_url", "providers.anthropic.api_key_env"] {
        line(setting);
    }
    assert!(!out.stdout.contains("FILESECRET") && !out.stdout.contains("ENVSECRET"));

    let json = place.run(&["config", "--json"], &env);
    json.ok();
    assert!(!json.stdout.contains("FILESECRET") && !json.stdout.contains("ENVSECRET"));
    let json = stdout_json(&json);
    assert_eq!(json["providers"]["openai"]["api_key"], serde_json::json!({"value": "sk-…k9Q2", "source": "file", "from": "rlmsh.toml"}));
    assert_eq!(json["providers"]["anthropic"]["api_key"]["value"], "sk-…z7W4");
    assert_eq!(json["providers"]["ollama"]["api_key"]["value"], Json::Null);
    assert_eq!(json["config_file"], serde_json::json!({"path": "rlmsh.toml", "found": "working directory"}));
    assert_eq!(json["cache_dir"]["value"], "answers");
    assert_eq!(json["prices"]["gpt-4o"]["value"], serde_json::json!({"prompt": 2.5, "completion": 10.0}));
}

#[test]
fn the_file_is_found_by_flag_then_variable_then_working_directory_then_user_directory() {
    let place = Place::new();
    let model = |args: &[&str], env: &[(&str, &str)]| {
        let out = place.run(&[&["config", "--json"], args].concat(), env);
        out.ok();
        let json = stdout_json(&out);
        (json["default_model"]["value"].as_str().unwrap().to_string(), json["config_file"]["found"].clone())
    };
    assert_eq!(model(&[], &[]), ("gpt-4o-mini".to_string(), Json::Null));
    place.write(&place.user_config_file(), "default_model = \"user\"\n");
    assert_eq!(model(&[], &[]), ("user".to_string(), Json::from("user configuration directory")));
    place.config("default_model = \"here\"\n");
    assert_eq!(model(&[], &[]), ("here".to_string(), Json::from("working directory")));
    let elsewhere = place.root.path().join("elsewhere.toml");
    place.write(&elsewhere, "default_model = \"variable\"\n");
    let named = place.root.path().join("named.toml");
    place.write(&named, "default_model = \"flag\"\n");
    assert_eq!(model(&[], &[("RLMSH_CONFIG", elsewhere.to_str().unwrap())]), ("variable".to_string(), Json::from("env RLMSH_CONFIG")));
    assert_eq!(model(&["--config", named.to_str().unwrap()], &[("RLMSH_CONFIG", elsewhere.to_str().unwrap())]), ("flag".to_string(), Json::from("flag --config")));
    // A file named explicitly must exist.
    let missing = place.run(&["-e", "1", "--config", "no-such.toml"], &[]);
    missing.failed(66);
    assert!(missing.stderr.contains("no-such.toml"), "{}", missing.stderr);
    place.run(&["config"], &[("RLMSH_CONFIG", "no-such.toml")]).failed(66);
}

#[test]
fn a_malformed_file_is_a_usage_error_with_its_position() {
    let place = Place::new();
    place.config("max_retries = 2\ndefault_model = \"unterminated\n");
    for args in [&["-e", "(+ 1 2)"][..], &["config"], &["run", "prog.scm"]] {
        let out = place.run(args, &[]);
        out.failed(2);
        assert!(out.stderr.starts_with("rlmsh: rlmsh.toml:2:"), "{args:?}: {}", out.stderr);
        assert!(out.stdout.is_empty(), "{}", out.stdout);
    }
    let named = place.root.path().join("bad.toml");
    place.write(&named, "[providers.openai]\nbase_url = 5\n");
    let out = place.run(&["--config", named.to_str().unwrap(), "-e", "1"], &[]);
    out.failed(2);
    assert!(out.stderr.contains(&format!("{}:2:12: invalid type", named.display())), "{}", out.stderr);
}

#[test]
fn an_unknown_key_is_named_with_its_position() {
    let place = Place::new();
    place.config("max_retries = 2\n\n[providers.openai]\nbase_url = \"http://127.0.0.1:1/v1\"\napi-key = \"x\"\n");
    let out = place.run(&["-e", "1"], &[]);
    out.failed(2);
    assert!(out.stderr.starts_with("rlmsh: rlmsh.toml:5:1: unknown key `api-key`, expected one of"), "{}", out.stderr);
    place.config("defualt_model = \"x\"\n");
    let out = place.run(&["config"], &[]);
    out.failed(2);
    assert!(out.stderr.contains("rlmsh.toml:1:1: unknown key `defualt_model`") && out.stderr.contains("`default_model`"), "{}", out.stderr);
}

#[test]
fn a_key_in_a_bad_file_is_never_printed() {
    let place = Place::new();
    for text in [
        format!("[providers.openai]\napi_key_env = \"{FILE_KEY}\"\n"),
        format!("max_retries = \"{FILE_KEY}\"\n"),
        format!("[providers.openai]\napi_key = \"{FILE_KEY}\"\napi_key_env = \"K\"\n"),
        format!("[providers.openai]\napi_key = \"{FILE_KEY}\n"),
    ] {
        place.config(&text);
        let out = place.run(&["config"], &[]);
        out.failed(2);
        assert!(out.stderr.contains("rlmsh.toml"), "{}", out.stderr);
    }
}

#[test]
fn bad_values_in_the_environment_are_usage_errors() {
    let place = Place::new();
    for (name, value) in [("RLMSH_MAX_RETRIES", "-1"), ("RLMSH_REQUEST_TIMEOUT", "soon"), ("RLMSH_MAX_CONCURRENCY", "0")] {
        let out = place.run(&["-e", "1"], &[(name, value)]);
        out.failed(2);
        assert!(out.stderr.contains(name), "{}", out.stderr);
    }
}

#[test]
fn directories_from_the_file_hold_the_cache_and_the_checkpoints() {
    let server = echo_server(1, 1);
    let place = Place::new();
    place.config(&format!("cache_dir = \"store/cache\"\ncheckpoint_dir = \"store/ckpt\"\n[providers.openai]\nbase_url = \"{}\"\n", server.base_url()));
    let program = place.program("(checkpoint \"k\" 42)\n(displayln (unsafe-raw-query #:data \"x\"))");
    place.run(&["run", &program], &[]).ok();
    place.run(&["run", &program], &[]).ok();
    assert_eq!(server.request_count(), 1, "the second run should be answered from the cache");
    let store = place.work().join("store");
    assert!(std::fs::read_dir(store.join("cache")).unwrap().count() > 0);
    assert!(std::fs::read_dir(store.join("ckpt")).unwrap().count() > 0);
    let shown = place.run(&["checkpoints", "show", "k"], &[]);
    shown.ok();
    assert_eq!(shown.stdout, "42\n");
}

#[test]
fn rlmsh_trace_prices_calls_with_the_configured_table() {
    let server = echo_server(1_000_000, 0);
    let place = Place::new();
    place.config(&format!("[providers.openai]\nbase_url = \"{}\"\n[prices]\nhouse = {{ prompt = 3, completion = 0 }}\n", server.base_url()));
    let program = place.program("(unsafe-raw-query #:data \"x\" #:model \"house\")");
    place.run(&["run", "--trace", "calls.jsonl", &program], &[]).ok();
    let out = place.run(&["trace", "calls.jsonl"], &[]);
    out.ok();
    assert!(out.stdout.contains("| openai/house | 1 | 0 | 0 | 1000000 | 0 | 3.0000 |"), "{}", out.stdout);
}
