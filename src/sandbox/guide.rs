//! What a sub-model asked with `#:recursive #t` is told, and how its program is taken from its
//! answer.

/// The concise guide to the sandbox's primitives, shipped inside the binary (`rlmsh guide`
/// prints it).
pub const GUIDE: &str = include_str!("guide.md");

/// How much of `context` the sub-model sees in its message; the program sees all of it.
const PREVIEW_CHARS: usize = 4000;

/// The system message of a recursive call: the guide, then the parent's instruction.
pub fn system_message(instruction: &str) -> String {
    let task = if instruction.trim().is_empty() {
        "Answer from the data in `context`."
    } else {
        instruction
    };
    format!("{GUIDE}\n## Your task\n{task}\n")
}

/// The user message of a recursive call: the data, or its beginning when it is long.
pub fn user_message(data: &str) -> String {
    let total = data.chars().count();
    if total <= PREVIEW_CHARS {
        return format!("`context` holds these {total} characters:\n{data}");
    }
    let preview: String = data.chars().take(PREVIEW_CHARS).collect();
    format!("`context` holds {total} characters; the first {PREVIEW_CHARS}:\n{preview}\n[... the rest is in `context`]")
}

/// The program in a model's answer: its first fenced block marked as Scheme or Racket (or not
/// marked at all), else the whole answer.
pub fn extract_code(answer: &str) -> &str {
    let mut rest = answer;
    while let Some(start) = rest.find("```") {
        let after = &rest[start + 3..];
        let Some(line_end) = after.find('\n') else {
            break;
        };
        let language = after[..line_end].trim().to_ascii_lowercase();
        let body = &after[line_end + 1..];
        let Some(end) = body.find("```") else { break };
        if matches!(
            language.as_str(),
            "" | "scheme" | "racket" | "rkt" | "scm" | "lisp"
        ) {
            return &body[..end];
        }
        rest = &body[end + 3..];
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_first_scheme_block() {
        let answer = "Here:\n```python\nprint(1)\n```\nthen\n```racket\n(finish 42)\n```\n";
        assert_eq!(extract_code(answer), "(finish 42)\n");
        assert_eq!(extract_code("```\n(+ 1 2)\n```"), "(+ 1 2)\n");
    }

    #[test]
    fn without_a_block_the_whole_answer_is_the_program() {
        assert_eq!(extract_code("(finish \"x\")"), "(finish \"x\")");
        assert_eq!(
            extract_code("```scheme\n(unterminated"),
            "```scheme\n(unterminated"
        );
    }

    #[test]
    fn long_data_is_previewed() {
        let data = "x".repeat(PREVIEW_CHARS + 10);
        let message = user_message(&data);
        assert!(message.contains(&format!("holds {} characters", PREVIEW_CHARS + 10)));
        assert!(message.len() < data.len() + 200);
        assert!(user_message("short").ends_with("short"));
    }
}
