//! The providers' wire formats: request bodies and how to read answers and errors.

use serde_json::{json, Value as Json};

use super::request::{Request, Usage};

/// OpenAI Chat Completions.
pub fn openai_body(req: &Request) -> Json {
    let user = if req.images.is_empty() {
        Json::String(req.user.clone())
    } else {
        let mut parts = vec![json!({"type": "text", "text": req.user})];
        parts.extend(req.images.iter().map(|url| json!({"type": "image_url", "image_url": {"url": url}})));
        Json::Array(parts)
    };
    let mut body = json!({
        "model": req.model,
        "messages": [
            {"role": "system", "content": req.system},
            {"role": "user", "content": user},
        ],
    });
    // OpenAI's reasoning models (o1, o3, o4...) take max_completion_tokens and refuse a
    // temperature.
    let reasoning = req.model.starts_with('o') && req.model[1..].starts_with(|c: char| c.is_ascii_digit());
    if let Some(t) = req.temperature.filter(|_| !reasoning) {
        body["temperature"] = json!(t);
    }
    if let Some(n) = req.max_tokens {
        body[if reasoning { "max_completion_tokens" } else { "max_tokens" }] = json!(n);
    }
    if req.json {
        body["response_format"] = json!({"type": "json_object"});
    }
    body
}

pub fn openai_answer(body: &Json) -> Result<(String, Usage), String> {
    let text = body
        .pointer("/choices/0/message/content")
        .and_then(Json::as_str)
        .ok_or_else(|| "no choices[0].message.content in the answer".to_string())?;
    let usage = Usage {
        prompt: body.pointer("/usage/prompt_tokens").and_then(Json::as_u64).unwrap_or(0),
        completion: body.pointer("/usage/completion_tokens").and_then(Json::as_u64).unwrap_or(0),
    };
    Ok((text.to_string(), usage))
}

/// Anthropic Messages. JSON mode has no switch there; the instruction asks for it.
pub fn anthropic_body(req: &Request) -> Json {
    let mut content = vec![json!({"type": "text", "text": req.user})];
    for url in &req.images {
        let source = match url.strip_prefix("data:").and_then(|rest| rest.split_once(";base64,")) {
            Some((media_type, data)) => json!({"type": "base64", "media_type": media_type, "data": data}),
            None => json!({"type": "url", "url": url}),
        };
        content.push(json!({"type": "image", "source": source}));
    }
    let mut body = json!({
        "model": req.model,
        "system": req.system,
        "max_tokens": req.max_tokens.unwrap_or(4096),
        "messages": [{"role": "user", "content": content}],
    });
    if let Some(t) = req.temperature {
        body["temperature"] = json!(t);
    }
    body
}

pub fn anthropic_answer(body: &Json) -> Result<(String, Usage), String> {
    let blocks = body.get("content").and_then(Json::as_array).ok_or_else(|| "no content in the answer".to_string())?;
    let text: String = blocks.iter().filter_map(|b| b.get("text").and_then(Json::as_str)).collect();
    let usage = Usage {
        prompt: body.pointer("/usage/input_tokens").and_then(Json::as_u64).unwrap_or(0),
        completion: body.pointer("/usage/output_tokens").and_then(Json::as_u64).unwrap_or(0),
    };
    Ok((text, usage))
}

/// The human-readable part of a provider's error body (both providers use `error.message`).
pub fn error_message(body: &str) -> String {
    serde_json::from_str::<Json>(body)
        .ok()
        .and_then(|j| j.pointer("/error/message").and_then(Json::as_str).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(500).collect())
}
