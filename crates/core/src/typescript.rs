//! The API as TypeScript, for the UI's `ui/src/lib/backend/generated.ts`: the closed
//! vocabularies (kinds, stages, media, error codes…), every record and every argument and answer
//! of every call, derived from the Rust types with `ts-rs`. A test compares that file with this
//! output, so the UI cannot drift from Rust; `UPDATE_TS=1 cargo test -p rapport-core typescript`
//! rewrites it.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};

use rapport_model::*;
use serde::Serialize;
use ts_rs::{Config, TS, TypeVisitor};

use crate::background::SyncOutcome;
use crate::calls::ExportFile;
use crate::import::ImportReport;
use crate::meeting::{Captured, PrepBrief};
use crate::workflow::{Dashboard, NextContact, Today};
use crate::{
    ApiError, AppEvent, Call, ErrorCode, ListResponse, PairingCode, Reminder, RestoreReport,
    SearchResponse, StoreStats, SyncStatus,
};

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
pub fn generated() -> Result<String, String> {
    let mut out = String::from(
        "// Generated from the Rust types by crates/core/src/typescript.rs. Do not edit:\n\
         // `UPDATE_TS=1 cargo test -p rapport-core typescript` rewrites it, and CI fails when it is stale.\n\n",
    );
    vocabularies(&mut out);
    out.push_str(
        "/** An RFC 3339 instant, e.g. \"2026-12-03T15:00:00Z\". */\n\
         export type Timestamp = string;\n\
         /** A record's id: a UUID v7. */\n\
         export type Id = string;\n\
         /** A record of one kind: its metadata, `kind`, and its fields side by side. */\n\
         export type RecordOf<K extends Kind> = Extract<AnyRecord, { kind: K }>;\n\n",
    );
    let cfg = config();
    for decl in declarations(&cfg)?.values() {
        out.push_str(decl);
        out.push_str("\n\n");
    }
    out.push_str("/** What every call answers, by operation (the arguments are `Call`). */\n");
    out.push_str("export interface Results {\n");
    for (op, ty) in results(&cfg) {
        out.push_str(&format!("  {op}: {ty};\n"));
    }
    out.push_str("}\n");
    let ops: Vec<String> = results(&cfg)
        .into_iter()
        .map(|(op, _)| op.to_string())
        .collect();
    let called = call_ops(&cfg);
    if ops != called {
        return Err(format!(
            "the operations of `Call` ({called:?}) and of `results` ({ops:?}) differ: give every call its answer's type"
        ));
    }
    Ok(out)
}

/// Big integers are plain JSON numbers in this API (counts, sizes): never past 2^53.
fn config() -> Config {
    Config::new().with_large_int("number")
}

fn name<T: TS>(cfg: &Config) -> String {
    T::name(cfg)
}

/// What each operation answers, in the order of [`Call`]'s variants. Records of one kind are
/// named by kind, as the Rust code guarantees.
fn results(cfg: &Config) -> Vec<(&'static str, String)> {
    let record = name::<Record>(cfg);
    let of = |kind: &str| format!("RecordOf<'{kind}'>");
    vec![
        ("list", name::<ListResponse>(cfg)),
        ("get", record.clone()),
        ("list_all", format!("Array<{record}>")),
        ("search", name::<SearchResponse>(cfg)),
        ("create", record.clone()),
        ("update", record.clone()),
        ("delete", record.clone()),
        ("link", record.clone()),
        ("unlink", record.clone()),
        ("today", name::<Today>(cfg)),
        ("dashboard", name::<Dashboard>(cfg)),
        (
            "next_to_contact",
            format!("Array<{}>", name::<NextContact>(cfg)),
        ),
        (
            "organizations_by_lamp",
            format!("Array<{}>", of("organization")),
        ),
        (
            "check_outreach",
            format!("Array<{}>", name::<workflow::etiquette::Finding>(cfg)),
        ),
        ("draft_message", name::<crate::drafts::Draft>(cfg)),
        ("outreach_sent", of("outreach")),
        ("outreach_replied", of("outreach")),
        ("set_stage", of("person")),
        ("prep_brief", name::<PrepBrief>(cfg)),
        ("start_meeting", of("meeting")),
        ("stop_meeting", of("meeting")),
        ("meeting_timer", name::<workflow::meeting::Timer>(cfg)),
        ("answer", of("meeting")),
        ("add_takeaway", of("meeting")),
        ("capture_referral", name::<Captured>(cfg)),
        ("thank_you_sent", of("meeting")),
        ("profile", format!("{} | null", of("profile"))),
        ("set_profile", of("profile")),
        ("devices", format!("Array<{}>", of("device"))),
        ("device_key", "string | null".into()),
        ("remove_device", of("device")),
        ("stats", name::<StoreStats>(cfg)),
        ("sync_status", name::<SyncStatus>(cfg)),
        ("pairing_code", name::<PairingCode>(cfg)),
        ("pair_with", of("device")),
        ("sync_now", format!("Array<{}>", name::<SyncOutcome>(cfg))),
        ("reminders", format!("Array<{}>", name::<Reminder>(cfg))),
        ("import_contacts", name::<ImportReport>(cfg)),
        ("import_backup", name::<RestoreReport>(cfg)),
        ("export", name::<ExportFile>(cfg)),
    ]
}

/// The operations `Call` accepts, in order, read from its TypeScript (`{ "op": args } | …`).
fn call_ops(cfg: &Config) -> Vec<String> {
    Call::inline(cfg)
        .split("{ \"")
        .skip(1)
        .filter_map(|part| part.split_once("\":").map(|(op, _)| op.to_string()))
        .collect()
}

/// Collects the declaration of every type reachable from the roots, by TypeScript name.
struct Declarations<'a> {
    cfg: &'a Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, String>,
    clashes: Vec<String>,
}

impl TypeVisitor for Declarations<'_> {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        // Only derived types have a declaration; the rest (numbers, arrays, ids, the
        // vocabularies) are written inline or declared above.
        if T::output_path().is_some() {
            let name = T::ident(self.cfg);
            let decl = format!("export {}", T::decl(self.cfg));
            if let Some(old) = self.decls.insert(name.clone(), decl.clone())
                && old != decl
            {
                self.clashes.push(name);
            }
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn declarations(cfg: &Config) -> Result<BTreeMap<String, String>, String> {
    let mut d = Declarations {
        cfg,
        seen: HashSet::new(),
        decls: BTreeMap::new(),
        clashes: Vec::new(),
    };
    d.visit::<Call>();
    d.visit::<AppEvent>();
    d.visit::<ApiError>();
    d.visit::<Record>();
    d.visit::<ListResponse>();
    d.visit::<SearchResponse>();
    d.visit::<Today>();
    d.visit::<Dashboard>();
    d.visit::<NextContact>();
    d.visit::<workflow::etiquette::Finding>();
    d.visit::<crate::drafts::Draft>();
    d.visit::<PrepBrief>();
    d.visit::<workflow::meeting::Timer>();
    d.visit::<Captured>();
    d.visit::<StoreStats>();
    d.visit::<SyncStatus>();
    d.visit::<PairingCode>();
    d.visit::<SyncOutcome>();
    d.visit::<Reminder>();
    d.visit::<ImportReport>();
    d.visit::<RestoreReport>();
    d.visit::<ExportFile>();
    if d.clashes.is_empty() {
        Ok(d.decls)
    } else {
        Err(format!(
            "two Rust types share a TypeScript name: {:?} (rename one with #[ts(rename = \"…\")])",
            d.clashes
        ))
    }
}

/// The closed vocabularies, each as a union type and the list of its values.
fn vocabularies(out: &mut String) {
    union(out, "Kind", Kind::ALL);
    union(out, "Source", Source::ALL);
    union(out, "Warmth", Warmth::ALL);
    union(out, "Postings", Postings::ALL);
    union(out, "GoalStatus", GoalStatus::ALL);
    union(out, "Medium", Medium::ALL);
    union(out, "MeetingStatus", MeetingStatus::ALL);
    union(out, "Channel", Channel::ALL);
    union(out, "OutreachStatus", OutreachStatus::ALL);
    union(out, "TaskKind", TaskKind::ALL);
    union(out, "QuestionCategory", QuestionCategory::ALL);
    union(out, "Tiara", Tiara::ALL);
    union(out, "GoalFocus", GoalFocus::ALL);
    union(out, "TemplatePurpose", TemplatePurpose::ALL);
    union(out, "TakeawayTopic", TakeawayTopic::ALL);
    union(out, "Stage", Stage::ALL);
    union(out, "ErrorCode", ErrorCode::ALL);
}
