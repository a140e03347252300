//! How results are printed: readable text by default, JSON with `--json`.

use std::path::Path;

use rapport_core::model::{Body, Kind, Record};
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

/// One record: every non-empty field.
pub async fn record(app: &Rapport, r: &Record, json: bool) -> Result<(), ApiError> {
    if json {
        return print_json(r);
    }
    let Ok(Value::Object(fields)) = serde_json::to_value(r) else {
        return Ok(());
    };
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

/// A page of records as a table (or a JSON array).
pub async fn list(
    app: &Rapport,
    kind: Kind,
    page: &ListResponse,
    json: bool,
) -> Result<(), ApiError> {
    if json {
        return print_json(&page.items);
    }
    if page.items.is_empty() {
        say!(
            "No {}s yet. Add one with `rapport {} add`.",
            kind.label(),
            cli_word(kind)
        );
        return Ok(());
    }
    let mut org_names = std::collections::HashMap::new();
    for r in &page.items {
        let mut line = format!(
            "{:<36}  {:<40}  {:<28}",
            r.id().to_string(),
            cut(r.body.display_name(), 40),
            cut(&summary(r), 28)
        );
        if let Body::Person(p) = &r.body
            && let Some(org) = p.organization_id
        {
            if let std::collections::hash_map::Entry::Vacant(e) = org_names.entry(org) {
                let name = app
                    .get(org)
                    .await
                    .map(|o| o.body.display_name().to_string())
                    .unwrap_or_default();
                e.insert(name);
            }
            line.push_str("  ");
            line.push_str(&cut(&org_names[&org], 30));
        }
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
        say!(
            "{:<36}  {:<12}  {}",
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
