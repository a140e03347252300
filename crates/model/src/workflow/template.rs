//! Message templates with `{placeholders}` filled from the records.

use std::collections::BTreeMap;

/// The placeholders a template may use, with what each is filled from.
pub const PLACEHOLDERS: &[(&str, &str)] = &[
    ("first_name", "their first name"),
    ("name", "their full name"),
    ("organization", "their organization"),
    ("role", "their role"),
    (
        "connection",
        "who referred you, or where you came across them",
    ),
    ("my_name", "your name"),
    ("my_background", "your one-line background"),
    ("ask", "what you ask for (e.g. a 20-minute call)"),
    ("times", "two or three proposed times, in their time zone"),
    ("topic", "what you would like to learn about"),
    ("takeaways", "what you took away from the meeting"),
];

/// What filling a template gives: the text, and the placeholders that had no value (left in
/// the text as `{name}` so the user sees what to write).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
pub struct Filled {
    pub text: String,
    pub missing: Vec<String>,
}

/// Replaces every `{key}` with its value. Unknown or empty keys stay as written and are reported.
/// `{{` and `}}` stand for literal braces.
pub fn fill(template: &str, values: &BTreeMap<&str, String>) -> Filled {
    let mut out = String::with_capacity(template.len());
    let mut missing = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if let Some(after) = tail.strip_prefix('}') {
            out.push('}');
            rest = after;
            continue;
        }
        match tail.find('}') {
            Some(end)
                if tail[1..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && end > 1 =>
            {
                let key = &tail[1..end];
                match values.get(key).filter(|v| !v.trim().is_empty()) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push_str(&tail[..=end]);
                        if !missing.iter().any(|m| m == key) {
                            missing.push(key.to_string());
                        }
                    }
                }
                rest = &tail[end + 1..];
            }
            _ => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Filled { text: out, missing }
}

/// What is still to fill in a message before it can be sent: `{placeholders}` left unfilled and
/// `[bracketed prompts]` of the built-in templates ("[your update]"). Empty when it is ready.
pub fn unfilled(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['{', '[']) {
        let open = rest.as_bytes()[i];
        let close = if open == b'{' { '}' } else { ']' };
        let tail = &rest[i + 1..];
        match tail.find(close) {
            Some(end) => {
                let inside = &tail[..end];
                let is_prompt = if open == b'{' {
                    !inside.is_empty()
                        && inside
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_')
                } else {
                    // "[your update]": words a person wrote to be replaced, not a footnote [1].
                    (3..=80).contains(&inside.chars().count())
                        && inside.chars().next().is_some_and(char::is_lowercase)
                        && !inside.contains('\n')
                };
                if is_prompt && !out.iter().any(|m: &String| m == inside) {
                    out.push(inside.to_string());
                }
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_gaps_reported() {
        let mut v = BTreeMap::new();
        v.insert("first_name", "Zoë".to_string());
        v.insert("connection", "Bea Costa suggested I write".to_string());
        v.insert("times", String::new());
        let f = fill(
            "Hi {first_name}, {connection}. Could we talk {times}? {{literal}} {unknown} {first_name}",
            &v,
        );
        assert_eq!(
            f.text,
            "Hi Zoë, Bea Costa suggested I write. Could we talk {times}? {literal} {unknown} Zoë"
        );
        assert_eq!(f.missing, vec!["times", "unknown"]);
        assert_eq!(fill("a { b } c}", &v).text, "a { b } c}");
    }
}
