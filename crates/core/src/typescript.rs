//! The closed vocabularies of the API (kinds, stages, media, error codes…) as TypeScript, for
//! the UI's `ui/src/lib/backend/generated.ts`. A test compares that file with this output, so
//! the UI cannot drift from the Rust enums; `UPDATE_TS=1 cargo test -p rapport-core` rewrites it.

use rapport_model::*;
use serde::Serialize;

use crate::ErrorCode;

/// Where the generated file lives, from the repository's root.
pub const GENERATED_TS: &str = "ui/src/lib/backend/generated.ts";

/// One `export type Name = 'a' | 'b';` and its list of values.
fn union<T: Serialize>(out: &mut String, name: &str, values: &[T]) {
    let words: Vec<String> = values
        .iter()
        .map(|v| {
            serde_json::to_string(v)
                .unwrap_or_default()
                .replace('"', "'")
        })
        .collect();
    out.push_str(&format!("export type {name} = {};\n", words.join(" | ")));
    out.push_str(&format!(
        "export const {}: readonly {name}[] = [{}];\n\n",
        constant_name(name),
        words.join(", ")
    ));
}

/// `TakeawayTopic` → `TAKEAWAY_TOPICS`.
fn constant_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    if out.ends_with("US") || out.ends_with("SS") {
        out.push_str("ES");
    } else if out.ends_with('S') {
        // Already plural (Postings).
    } else if let Some(stem) = out.strip_suffix('Y') {
        out = format!("{stem}IES");
    } else {
        out.push('S');
    }
    out
}

/// The whole generated file.
pub fn vocabularies() -> String {
    let mut out = String::from(
        "// Generated from the Rust enums by crates/core/src/typescript.rs. Do not edit:\n\
         // `UPDATE_TS=1 cargo test -p rapport-core typescript` rewrites it, and CI fails when it is stale.\n\n",
    );
    union(&mut out, "Kind", Kind::ALL);
    union(&mut out, "Source", Source::ALL);
    union(&mut out, "Warmth", Warmth::ALL);
    union(&mut out, "Postings", Postings::ALL);
    union(&mut out, "GoalStatus", GoalStatus::ALL);
    union(&mut out, "Medium", Medium::ALL);
    union(&mut out, "MeetingStatus", MeetingStatus::ALL);
    union(&mut out, "Channel", Channel::ALL);
    union(&mut out, "OutreachStatus", OutreachStatus::ALL);
    union(&mut out, "TaskKind", TaskKind::ALL);
    union(&mut out, "QuestionCategory", QuestionCategory::ALL);
    union(&mut out, "Tiara", Tiara::ALL);
    union(&mut out, "GoalFocus", GoalFocus::ALL);
    union(&mut out, "TemplatePurpose", TemplatePurpose::ALL);
    union(&mut out, "TakeawayTopic", TakeawayTopic::ALL);
    union(&mut out, "Stage", Stage::ALL);
    union(&mut out, "ErrorCode", ErrorCode::ALL);
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
