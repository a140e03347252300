//! How results are printed: readable text by default, JSON with `--json`.

use std::path::Path;

use jiff::tz::TimeZone;
use rapport_core::model::{Body, Kind, Record, Timestamp};
use rapport_core::workflow::current_stage;
use rapport_core::{
    ApiError, CheckReport, ErrorCode, ListResponse, Rapport, SearchHit, StoreStats,
};
use serde_json::Value;

pub(crate) fn print_json(v: &impl serde::Serialize) -> Result<(), ApiError> {
    let s = serde_json::to_string_pretty(v)
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    say!("{s}");
    Ok(())
}

/// The name of a linked record, for text output ("Acme (0193…)").
async fn name_of(app: &Rapport, id: &str) -> String {
    match id.parse() {
        Ok(id) => match app.get(id).await {
            Ok(r) => format!("{} ({id})", r.body.display_name()),
            Err(_) => format!("{id} (deleted)"),
        },
        Err(_) => id.to_string(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Object(o) => o
            .get("value")
            .or_else(|| o.get("url"))
            .or_else(|| o.get("start"))
            .or_else(|| o.get("text"))
            .map(scalar)
            .unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

/// A moment in the meeting's own zone and, when it differs, in the user's: "Thu 03 Dec 15:00
/// Europe/London (16:00 Europe/Berlin, your time)".
pub fn in_both_zones(at: Timestamp, theirs: Option<&str>, mine: &TimeZone) -> String {
    let mine_name = mine.iana_name().unwrap_or("UTC");
    let theirs_tz = theirs.and_then(|z| TimeZone::get(z).ok());
    let here = at.to_jiff().to_zoned(mine.clone());
    match theirs_tz {
        Some(tz) if tz.iana_name() != mine.iana_name() => {
            let there = at.to_jiff().to_zoned(tz.clone());
            let day_mine = if here.date() == there.date() {
                here.strftime("%H:%M").to_string()
            } else {
                here.strftime("%a %H:%M").to_string()
            };
            format!(
                "{} {} ({day_mine} {mine_name}, your time)",
                there.strftime("%a %d %b %H:%M"),
                tz.iana_name().unwrap_or("UTC")
            )
        }
        _ => format!("{} {mine_name}", here.strftime("%a %d %b %H:%M")),
    }
}

/// The user's zone for text output: the profile's, else the system's.
async fn my_zone(app: &Rapport) -> TimeZone {
    app.view_time_zone("tz", None)
        .await
        .unwrap_or(TimeZone::UTC)
}

/// One record: every non-empty field (a person's stage as a word, a meeting's time in its zone
/// and the user's).
pub async fn record(app: &Rapport, r: &Record, json: bool) -> Result<(), ApiError> {
    if json {
        return print_json(r);
    }
    let Ok(Value::Object(mut fields)) = serde_json::to_value(r) else {
        return Ok(());
    };
    let zone = my_zone(app).await;
    match &r.body {
        Body::Person(p) => {
            fields.remove("stage_log");
            let stage = current_stage(p);
            let since = p
                .stage_log
                .iter()
                .rev()
                .find(|c| c.stage == stage)
                .map(|c| {
                    format!(
                        " (since {})",
                        c.at.to_jiff()
                            .to_zoned(zone.clone())
                            .strftime("%a %d %b %Y")
                    )
                })
                .unwrap_or_default();
            fields.insert("stage".into(), Value::from(format!("{stage}{since}")));
        }
        Body::Meeting(m) => {
            if let Some(start) = m.start {
                fields.insert(
                    "start".into(),
                    Value::from(in_both_zones(start, m.time_zone.as_deref(), &zone)),
                );
            }
        }
        _ => {}
    }
    let width = fields.keys().map(String::len).max().unwrap_or(0);
    for (k, v) in &fields {
        let text = match v {
            Value::Null => continue,
            Value::Bool(false) => continue,
            Value::Array(a) if a.is_empty() => continue,
            Value::String(s) if s.is_empty() => continue,
            Value::String(s) if k.ends_with("_id") => name_of(app, s).await,
            Value::Array(a) if k.ends_with("_ids") => {
                let mut names = Vec::new();
                for x in a {
                    names.push(name_of(app, &scalar(x)).await);
                }
                names.join(", ")
            }
            Value::Array(a) => a.iter().map(scalar).collect::<Vec<_>>().join(", "),
            other => scalar(other),
        };
        if text.contains('\n') {
            say!("{k:width$}:");
            for line in text.lines() {
                say!("  {line}");
            }
        } else {
            say!("{k:width$}: {text}");
        }
    }
    Ok(())
}

fn summary(r: &Record) -> String {
    match &r.body {
        Body::Person(p) => p.role.clone().unwrap_or_default(),
        Body::Organization(o) => {
            let lamp = format!(
                "{}{}{}",
                if o.advocacy { "A" } else { "-" },
                o.motivation
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "-".into()),
                o.postings
                    .map(|p| p.as_str().chars().next().unwrap_or('-').to_string())
                    .unwrap_or_else(|| "-".into())
            );
            format!("{} [{lamp}]", o.industry.clone().unwrap_or_default())
        }
        Body::Goal(g) => g.status.map(|s| s.to_string()).unwrap_or_default(),
        Body::Task(t) => match (t.done_at, t.due_at) {
            (Some(_), _) => "done".into(),
            (None, Some(d)) => format!("due {}", d.to_jiff().strftime("%Y-%m-%d")),
            _ => String::new(),
        },
        Body::Question(q) => {
            let mut s = q.category.map(|c| c.to_string()).unwrap_or_default();
            if q.hidden {
                s.push_str(" (hidden)");
            }
            s
        }
        Body::Meeting(m) => m.start.map(|s| s.to_string()).unwrap_or_default(),
        Body::Outreach(o) => o.status.map(|s| s.to_string()).unwrap_or_default(),
        Body::Template(t) => t.purpose.map(|s| s.to_string()).unwrap_or_default(),
        Body::Profile(p) => p.background.clone().unwrap_or_default(),
        Body::Device(d) => match d.revoked_at {
            Some(t) => format!("removed {t}"),
            None => d.addresses.join(" "),
        },
    }
}

/// One table cell: on one line, at most `n` characters.
fn cut(s: &str, n: usize) -> String {
    let s = &s.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

/// A page of records as a table, or as JSON: `{"items": [...], "next": CURSOR or null,
/// "total": N}` (pass `next` to `--after` for the next page).
pub async fn list(
    app: &Rapport,
    kind: Kind,
    page: &ListResponse,
    json: bool,
) -> Result<(), ApiError> {
    if json {
        return print_json(&serde_json::json!({
            "items": page.items,
            "next": page.next,
            "total": page.total,
        }));
    }
    if page.items.is_empty() {
        say!(
            "No {}s yet. Add one with `rapport {} add`.",
            kind.label(),
            cli_word(kind)
        );
        return Ok(());
    }
    let zone = my_zone(app).await;
    let mut org_names = std::collections::HashMap::new();
    for r in &page.items {
        let line = match &r.body {
            // Who, where they stand, what they do and where, and how they were found.
            Body::Person(p) => {
                let org = match p.organization_id {
                    Some(org) => {
                        if let std::collections::hash_map::Entry::Vacant(e) = org_names.entry(org) {
                            let name = app
                                .get(org)
                                .await
                                .map(|o| o.body.display_name().to_string())
                                .unwrap_or_default();
                            e.insert(name);
                        }
                        org_names[&org].clone()
                    }
                    None => String::new(),
                };
                let work = [p.role.clone().unwrap_or_default(), org]
                    .into_iter()
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(" · ");
                format!(
                    "{:<36}  {:<28}  {:<16}  {:<40}  {}",
                    r.id().to_string(),
                    cut(r.body.display_name(), 28),
                    current_stage(p).as_str(),
                    cut(&work, 40),
                    p.source.map(|s| s.as_str()).unwrap_or("")
                )
            }
            Body::Meeting(m) => format!(
                "{:<36}  {:<40}  {}",
                r.id().to_string(),
                cut(r.body.display_name(), 40),
                m.start
                    .map(|s| in_both_zones(s, m.time_zone.as_deref(), &zone))
                    .unwrap_or_default()
            ),
            _ => format!(
                "{:<36}  {:<40}  {:<28}",
                r.id().to_string(),
                cut(r.body.display_name(), 40),
                cut(&summary(r), 28)
            ),
        };
        say!("{}", line.trim_end());
    }
    match &page.next {
        Some(next) => say!(
            "— {} of {}; next page: --after {next}",
            page.items.len(),
            page.total
        ),
        None => say!("— {} of {}", page.items.len(), page.total),
    }
    Ok(())
}

fn cli_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Organization => "org",
        k => k.as_str(),
    }
}

/// Search results: full records with `--json`, one line each otherwise.
pub async fn hits(app: &Rapport, hits: &[SearchHit], json: bool) -> Result<(), ApiError> {
    if json {
        let mut records = Vec::with_capacity(hits.len());
        for h in hits {
            if let Ok(r) = app.get(h.id).await {
                records.push(r);
            }
        }
        return print_json(&records);
    }
    if hits.is_empty() {
        say!("Nothing found.");
    }
    for h in hits {
        let detail = if h.detail.is_empty() {
            String::new()
        } else {
            format!("  ({})", h.detail)
        };
        say!(
            "{:<36}  {:<12}  {}{detail}",
            h.id.to_string(),
            h.kind.as_str(),
            h.title
        );
    }
    Ok(())
}

pub fn doctor(
    report: &CheckReport,
    stats: &StoreStats,
    rebuilt: bool,
    json: bool,
) -> Result<(), ApiError> {
    if json {
        let mut v = serde_json::to_value(report)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        v["storage"] = serde_json::to_value(stats)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        return print_json(&v);
    }
    let mb = |b: u64| b as f64 / 1e6;
    say!(
        "documents: {} ({:.1} MB, {} pending changes)",
        report.documents,
        mb(stats.document_bytes),
        stats.change_chunks
    );
    say!(
        "records:   {:.1} MB of JSON, {} index entries",
        mb(stats.record_bytes),
        stats.index_entries
    );
    say!("disk:      {:.1} MB", mb(stats.disk_bytes));
    if report.is_clean() {
        say!("projections: consistent with the documents");
    } else {
        say!(
            "projections: {} records differ, {} missing, {} orphaned; {} index entries missing, {} stray",
            report.records_mismatched,
            report.records_missing,
            report.records_orphaned,
            report.index_keys_missing,
            report.index_keys_stray
        );
        for d in &report.unreadable_documents {
            say!("unreadable document: {d}");
        }
        if rebuilt {
            say!("rebuilt: the projections now match the documents");
        } else {
            say!("run `rapport doctor --rebuild` to rebuild them from the documents");
        }
    }
    Ok(())
}

/// What repairs at open moved out of the way (`set-aside/`), if anything: kept for the user,
/// who may delete it once the vault has proved fine.
pub fn set_aside(dir: &Path) {
    fn walk(dir: &Path, files: &mut u64, bytes: &mut u64) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => walk(&e.path(), files, bytes),
                Ok(m) => {
                    *files += 1;
                    *bytes += m.len();
                }
                Err(_) => {}
            }
        }
    }
    let (mut files, mut bytes) = (0, 0);
    walk(dir, &mut files, &mut bytes);
    if files > 0 {
        say!(
            "set aside: {files} file(s), {:.1} KB, left by processes stopped part-way and moved \
             out of the way at an open ({}); nothing in them is needed, delete them when you like",
            bytes as f64 / 1e3,
            dir.display()
        );
    }
}
