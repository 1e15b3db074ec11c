//! The tools the MCP server offers: names, descriptions written for the model that reads them,
//! input schemas, and the checking of a call's arguments against them.

use std::sync::Arc;

use rmcp::model::{JsonObject, Tool};
use serde_json::{json, Value as Json};

/// Programs and data larger than this are refused with a protocol error rather than read.
pub const MAX_CODE_BYTES: usize = 8 << 20;
pub const MAX_DATA_BYTES: usize = 64 << 20;

pub const EXECUTE: &str = "execute_scheme";
pub const LOAD_CONTEXT: &str = "load_context";
pub const RESET: &str = "reset";
pub const STATE: &str = "get_sandbox_state";
pub const STATUS: &str = "get_status";
pub const CANCEL: &str = "cancel_call";
pub const TRACE: &str = "get_execution_trace";
pub const GUIDE: &str = "get_usage_guide";

pub fn catalogue() -> Vec<Tool> {
    vec![
        tool(
            EXECUTE,
            "Run rlmsh Scheme code (Racket syntax: #:keywords, [ ] brackets, let*, define-values...) in the \
             persistent session. Definitions, Python globals and `context` stay for later calls until `reset`. \
             Model calls (llm-query, llm-query-async, map-async, the combinators) run inside. Returns JSON: \
             status (`finished` when the code called (finish V), `completed` when it ran to its end, `error`), \
             result (the finish value, else the value of the last expression), output (what the code displayed), \
             calls, tokens and cost_usd of this execution, elapsed_ms, and on error a message with line and column. \
             Long results and output are cut, with a note naming the checkpoint that holds the whole text. \
             Read get_usage_guide first if you do not know the primitives.",
            json!({
                "code": {"type": "string", "description": "One or more Scheme forms, run in order."},
                "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "Stop the execution after this many seconds (default: the server's --timeout, else none)."}
            }),
            &["code"],
        ),
        tool(
            LOAD_CONTEXT,
            "Load data for programs to work on. Without a name it becomes `context` in Scheme and in Python; \
             with a name it fills a slot that programs read with (get-context \"NAME\"). With json=true the data is \
             parsed as JSON first (objects become hash tables in Scheme and dicts in Python). Returns what was loaded \
             and its size.",
            json!({
                "data": {"type": "string", "description": "The text (or JSON text) to load."},
                "name": {"type": "string", "description": "A slot name (letters, digits, _ and -); omit to set `context`."},
                "json": {"type": "boolean", "description": "Parse data as JSON (default false)."}
            }),
            &["data"],
        ),
        tool(
            RESET,
            "Start the session afresh: forget every definition, Python global and loaded context, and the token \
             totals, as if the server had just started. Checkpoint files stay on disk unless clear_checkpoints is true.",
            json!({
                "clear_checkpoints": {"type": "boolean", "description": "Also delete the saved checkpoints (default false)."}
            }),
            &[],
        ),
        tool(
            STATE,
            "Show what the session holds: the names your code defined with a short preview of each value, the Python \
             globals, the loaded context and slots with their sizes, and the session's calls, tokens and cost.",
            json!({}),
            &[],
        ),
        tool(
            STATUS,
            "Model calls right now: those in flight (id, model, seconds waiting), and how many are done and failed; \
             whether an execution is running and for how long. Answers at once, also while execute_scheme runs.",
            json!({}),
            &[],
        ),
        tool(
            CANCEL,
            "Cancel model calls in flight: one by its id (from get_status), or every one with id \"all\". The code \
             waiting for a cancelled call gets an error it can catch; the execution goes on.",
            json!({
                "id": {"type": ["integer", "string"], "description": "A call id, or \"all\"."}
            }),
            &["id"],
        ),
        tool(
            TRACE,
            "The per-call trace of the last execution: for each model call its id, parent call and depth (for \
             #:recursive sub-calls), provider and model, start and latency in ms, tokens, retries, cache hit and status.",
            json!({}),
            &[],
        ),
        tool(
            GUIDE,
            "The concise guide to rlmsh's primitives and combinators (llm-query, map-async, finish, checkpoint, \
             py-exec, tree-reduce...), with examples. Read it before writing programs for execute_scheme.",
            json!({}),
            &[],
        ),
    ]
}

fn tool(name: &'static str, description: &'static str, properties: Json, required: &[&str]) -> Tool {
    let schema = json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    let Json::Object(schema) = schema else { unreachable!("the schema literal is an object") };
    Tool::new(name, description, Arc::new(schema))
}

/// A call's arguments, checked against the tool's schema; the error is the message of an
/// `invalid params` protocol error.
pub struct Args<'a> {
    tool: &'a str,
    object: Option<&'a JsonObject>,
}

impl<'a> Args<'a> {
    pub fn new(tool: &'a str, object: Option<&'a JsonObject>) -> Result<Args<'a>, String> {
        let known = catalogue().into_iter().find(|t| t.name == tool).ok_or_else(|| format!("unknown tool `{tool}`"))?;
        let properties = known.input_schema.get("properties").and_then(Json::as_object).cloned().unwrap_or_default();
        for name in object.into_iter().flat_map(|o| o.keys()) {
            if !properties.contains_key(name) {
                let expected: Vec<&str> = properties.keys().map(String::as_str).collect();
                return Err(format!("{tool}: unknown argument `{name}` (expected: {})", expected.join(", ")));
            }
        }
        Ok(Args { tool, object })
    }

    fn get(&self, name: &str) -> Option<&'a Json> {
        self.object.and_then(|o| o.get(name)).filter(|v| !v.is_null())
    }

    pub fn string(&self, name: &str, max_bytes: usize) -> Result<&'a str, String> {
        let text = self.optional_string(name)?.ok_or_else(|| format!("{}: missing argument `{name}`", self.tool))?;
        if text.len() > max_bytes {
            return Err(format!("{}: `{name}` is {} bytes; the limit is {max_bytes}", self.tool, text.len()));
        }
        Ok(text)
    }

    pub fn optional_string(&self, name: &str) -> Result<Option<&'a str>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.mistyped(name, "a string", other)),
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, String> {
        match self.get(name) {
            None => Ok(false),
            Some(Json::Bool(b)) => Ok(*b),
            Some(other) => Err(self.mistyped(name, "true or false", other)),
        }
    }

    pub fn seconds(&self, name: &str) -> Result<Option<f64>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(Json::Number(n)) => match n.as_f64() {
                Some(secs) if secs > 0.0 && secs.is_finite() => Ok(Some(secs)),
                _ => Err(self.mistyped(name, "a positive number of seconds", &Json::Number(n.clone()))),
            },
            Some(other) => Err(self.mistyped(name, "a positive number of seconds", other)),
        }
    }

    /// `id`: a call id, or "all" (`None`).
    pub fn call_id(&self, name: &str) -> Result<Option<u64>, String> {
        match self.get(name) {
            Some(Json::String(s)) if s == "all" => Ok(None),
            Some(Json::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64()),
            Some(Json::String(s)) if s.parse::<u64>().is_ok() => Ok(s.parse().ok()),
            Some(other) => Err(self.mistyped(name, "a call id (a whole number) or \"all\"", other)),
            None => Err(format!("{}: missing argument `{name}`", self.tool)),
        }
    }

    fn mistyped(&self, name: &str, expected: &str, given: &Json) -> String {
        let shown: String = given.to_string().chars().take(60).collect();
        format!("{}: `{name}` must be {expected}; given: {shown}", self.tool)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Json) -> JsonObject {
        match v {
            Json::Object(o) => o,
            _ => unreachable!(),
        }
    }

    #[test]
    fn every_tool_has_an_object_schema_and_a_description() {
        let tools = catalogue();
        assert_eq!(tools.len(), 8);
        for t in tools {
            assert_eq!(t.input_schema.get("type"), Some(&json!("object")), "{}", t.name);
            assert!(t.description.as_deref().is_some_and(|d| d.len() > 40), "{}", t.name);
        }
    }

    #[test]
    fn arguments_are_checked_against_the_schema() {
        assert!(Args::new("no_such_tool", None).err().unwrap().contains("unknown tool"));
        let extra = object(json!({"code": "1", "colour": "red"}));
        assert!(Args::new(EXECUTE, Some(&extra)).err().unwrap().contains("unknown argument `colour`"));
        let wrong = object(json!({"code": 5}));
        let args = Args::new(EXECUTE, Some(&wrong)).unwrap();
        assert!(args.string("code", MAX_CODE_BYTES).unwrap_err().contains("`code` must be a string"));
        let timeout = object(json!({"code": "1", "timeout": -2}));
        assert!(Args::new(EXECUTE, Some(&timeout)).unwrap().seconds("timeout").is_err());
        let all = object(json!({"id": "all"}));
        assert_eq!(Args::new(CANCEL, Some(&all)).unwrap().call_id("id"), Ok(None));
        let one = object(json!({"id": 7}));
        assert_eq!(Args::new(CANCEL, Some(&one)).unwrap().call_id("id"), Ok(Some(7)));
    }
}
