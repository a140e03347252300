//! Text that cannot drive a terminal. A control character in a stored field (ESC, an OSC
//! sequence's BEL, a carriage return) is printed by every tool that shows the field as is: it can
//! change a terminal's title, clear the screen or overwrite a line. Every door cleans them out
//! ([`strip_controls`], from `Body::normalize` and the restore of a backup) and validation
//! refuses what is left ([`find_control`]); newline and tab are text and stay.
//!
//! Both walk the record's JSON form, so a field added later is covered without a list to keep.

use serde_json::Value;

use crate::records::Body;

/// A character that is not text: any control character but newline and tab.
pub fn is_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// The first field of `body` holding a control character, as a path (`emails[2].label`), and
/// the character.
pub fn find_control(body: &Body) -> Option<(String, char)> {
    // Most records hold none: a scan of the serialized form finds that without building paths.
    let json = serde_json::to_string(body).ok()?;
    if !has_escaped_control(&json) {
        return None;
    }
    let value = serde_json::to_value(body).ok()?;
    first_control(&value, String::new())
}

/// Removes control characters from every text of `body`. True if any was there.
pub fn strip_controls(body: &mut Body) -> bool {
    if find_control(body).is_none() {
        return false;
    }
    let Ok(mut value) = serde_json::to_value(&*body) else {
        return false;
    };
    strip(&mut value);
    match serde_json::from_value(value) {
        Ok(clean) => {
            *body = clean;
            true
        }
        Err(_) => false,
    }
}

/// serde_json writes a control character in a string as `\uXXXX`, `\r`, `\b` or `\f` (newline
/// and tab as `\n` and `\t`): seeing none of those, no text holds one. An escaped backslash
/// (`\\`) is skipped so that a user's literal `\u` is not taken for one.
fn has_escaped_control(json: &str) -> bool {
    let mut bytes = json.bytes();
    while let Some(b) = bytes.next() {
        if b == b'\\' {
            if let Some(b'u' | b'r' | b'b' | b'f') = bytes.next() {
                return true;
            }
        } else if b == 0x7F {
            // DEL, which JSON does not escape.
            return true;
        } else if b >= 0x80 {
            // C1 controls (U+0080–U+009F) are written as they are, in UTF-8 as C2 80–C2 9F.
            if b == 0xC2
                && bytes
                    .clone()
                    .next()
                    .is_some_and(|n| (0x80..=0x9F).contains(&n))
            {
                return true;
            }
        }
    }
    false
}

fn first_control(v: &Value, path: String) -> Option<(String, char)> {
    match v {
        Value::String(s) => s.chars().find(|c| is_control(*c)).map(|c| (path, c)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| first_control(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, item)| {
            let path = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            first_control(item, path)
        }),
        _ => None,
    }
}

fn strip(v: &mut Value) {
    match v {
        Value::String(s) => s.retain(|c| !is_control(c)),
        Value::Array(items) => items.iter_mut().for_each(strip),
        Value::Object(fields) => fields.values_mut().for_each(strip),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prose;
    use crate::records::{ContactPoint, Person};

    fn person(role: &str, label: &str, notes: &str) -> Body {
        Body::Person(Person {
            name: "Ada".into(),
            role: Some(role.into()),
            emails: vec![ContactPoint {
                value: "ada@example.org".into(),
                label: Some(label.into()),
            }],
            research_notes: Prose::from(notes),
            ..Default::default()
        })
    }

    #[test]
    fn controls_are_found_with_their_field_and_stripped_newlines_and_tabs_stay() {
        let clean = person("Lead", "work", "line one\nline\ttwo");
        assert_eq!(find_control(&clean), None);
        let title = person("Lead\u{1b}]0;owned\u{7}", "work", "ok");
        assert_eq!(find_control(&title), Some(("role".into(), '\u{1b}')));
        let label = person("Lead", "w\u{9b}31m", "ok");
        assert_eq!(
            find_control(&label),
            Some(("emails[0].label".into(), '\u{9b}'))
        );
        let carriage = person("Lead", "work", "over\rwrite");
        assert_eq!(
            find_control(&carriage),
            Some(("research_notes".into(), '\r'))
        );
        let mut dirty = person("Le\u{1b}[2Jad", "w\u{0}ork", "a\u{8}b\nc");
        assert!(strip_controls(&mut dirty));
        assert_eq!(dirty, person("Le[2Jad", "work", "ab\nc"));
        assert!(!strip_controls(&mut dirty));
    }

    #[test]
    fn a_literal_backslash_u_is_text() {
        assert_eq!(
            find_control(&person("C:\\users", "\\u001b", "\\r\\n")),
            None
        );
    }
}
