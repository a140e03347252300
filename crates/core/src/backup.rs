//! Leaving with everything: a JSON backup that restores losslessly, CSV of people and
//! organizations, Markdown notes per person, and the raw Automerge documents.

use std::collections::HashMap;
use std::path::Path;

use rapport_model::{Body, Kind, Record, RecordId};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, ErrorCode, Rapport};

/// The JSON backup: every record, deleted ones included (so a restore keeps the tombstones).
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Backup {
    /// Always "rapport-backup".
    pub format: String,
    pub version: u32,
    pub records: Vec<Record>,
}

pub const BACKUP_FORMAT: &str = "rapport-backup";
/// The largest backup file a restore reads: ten times the backup of a 10,000-person vault
/// with long notes. Restoring takes several times the file's size in memory.
pub const MAX_BACKUP_BYTES: u64 = 512 << 20;
pub const BACKUP_VERSION: u32 = 1;

/// What a restore did.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
pub struct RestoreReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Device records in the backup, never restored: which devices may sync changes only by
    /// pairing and removal (docs/threat-model.md).
    pub devices_skipped: u64,
}

fn io(path: &Path, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        ErrorCode::Storage,
        format!("could not write {}: {e}", path.display()),
    )
}

/// A CSV cell that a spreadsheet will show as text, never run: a cell starting with `=`, `+`,
/// `-`, `@`, tab or carriage return is read as a formula by Excel, LibreOffice and Google Sheets
/// (`=HYPERLINK(…)`, `+cmd|…`), so it gets a leading `'` (the OWASP rule for CSV injection).
/// Phone numbers written `+44 …` come out as `'+44 …` for the same reason.
pub(crate) fn safe_cell(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

fn csv_err(e: csv::Error) -> ApiError {
    ApiError::new(ErrorCode::Storage, format!("could not write CSV: {e}"))
}

impl Rapport {
    /// Every record the vault holds, deleted ones included, in id order.
    pub async fn all_records(&self) -> Result<Vec<Record>, ApiError> {
        let store = self.store().clone();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for id in store.document_ids()? {
                if let Some(r) = store.get(id)? {
                    out.push(r);
                }
            }
            Ok(out)
        })
        .await?
    }

    /// The whole vault as a JSON backup.
    pub async fn backup(&self) -> Result<Backup, ApiError> {
        Ok(Backup {
            format: BACKUP_FORMAT.into(),
            version: BACKUP_VERSION,
            records: self.all_records().await?,
        })
    }

    /// Restores a backup: records are created or merged field by field with what the vault
    /// holds, all in one durable write. A backup that does not validate changes nothing.
    pub async fn restore(&self, backup: Backup) -> Result<RestoreReport, ApiError> {
        self.restore_with(backup, false).await
    }

    /// Like [`Rapport::restore`]; with `dry_run`, reports what would change and writes nothing.
    pub async fn restore_with(
        &self,
        backup: Backup,
        dry_run: bool,
    ) -> Result<RestoreReport, ApiError> {
        if backup.format != BACKUP_FORMAT {
            return Err(ApiError::validation(
                "format",
                format!("'{}' is not a Rapport backup", backup.format),
            ));
        }
        if backup.version > BACKUP_VERSION {
            return Err(ApiError::validation(
                "version",
                format!(
                    "the backup is version {}, newer than this Rapport reads ({BACKUP_VERSION}); update Rapport",
                    backup.version
                ),
            ));
        }
        let mut report = RestoreReport::default();
        let mut changed = Vec::new();
        crate::api::heavy(|| -> Result<(), ApiError> {
            for mut r in backup.records {
                // Text that could drive a terminal (an older vault may hold it) is cleaned out.
                rapport_model::strip_controls(&mut r.body);
                // A backup is a file anyone could have written: a device record in it would let
                // that device sync (or revive one that was removed). Trust moves only by pairing.
                if r.kind() == Kind::Device {
                    report.devices_skipped += 1;
                    continue;
                }
                match self.store().get(r.id())? {
                    None => {
                        report.created += 1;
                        changed.push(r);
                    }
                    Some(existing) if existing == r => report.unchanged += 1,
                    Some(existing) if existing.kind() != r.kind() => {
                        return Err(ApiError::validation(
                            "records",
                            format!(
                                "{} is {} here but {} in the backup",
                                r.id(),
                                existing.kind().a(),
                                r.kind().a()
                            ),
                        ));
                    }
                    Some(_) => {
                        report.updated += 1;
                        changed.push(r);
                    }
                }
            }
            Ok(())
        })?;
        if dry_run {
            self.check_all(&changed).await?;
            return Ok(report);
        }
        self.write_all(changed).await?;
        self.refresh_search().await?;
        Ok(report)
    }

    /// Writes every record's Automerge document to `dir/<id>.automerge` (any Automerge
    /// implementation opens them). Returns how many were written.
    pub async fn export_documents(&self, dir: &Path) -> Result<u64, ApiError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let store = self.store().clone();
        let dir = dir.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let mut n = 0;
            for id in store.document_ids()? {
                if let Some(bytes) = store.document_bytes(id)? {
                    let path = dir.join(format!("{id}.automerge"));
                    std::fs::write(&path, bytes).map_err(|e| io(&path, e))?;
                    n += 1;
                }
            }
            Ok(n)
        })
        .await?
    }

    /// Id → display name of every live record of these kinds.
    pub(crate) async fn display_names(
        &self,
        kinds: &[Kind],
    ) -> Result<HashMap<RecordId, String>, ApiError> {
        let mut m = HashMap::new();
        for k in kinds {
            for r in self.list_all(*k).await? {
                m.insert(r.id(), r.body.display_name().to_string());
            }
        }
        Ok(m)
    }

    /// Every live person as a vCard 4.0 card (RFC 6350), for phones and address books.
    pub async fn export_vcard(&self) -> Result<String, ApiError> {
        let people = self.list_all(Kind::Person).await?;
        let orgs = self.display_names(&[Kind::Organization]).await?;
        Ok(crate::import::people_to_vcard(&people, &orgs))
    }

    /// People (or organizations) as CSV, one row per live record, linked names spelled out.
    pub async fn export_csv(&self, kind: Kind) -> Result<String, ApiError> {
        let records = self.list_all(kind).await?;
        let names = self
            .display_names(&[Kind::Person, Kind::Organization, Kind::Goal])
            .await?;
        let name =
            |id: &Option<RecordId>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
        let join = |v: Vec<String>| v.join("; ");
        let mut w = csv::Writer::from_writer(Vec::new());
        match kind {
            Kind::Person => {
                w.write_record([
                    "id",
                    "name",
                    "role",
                    "organization",
                    "emails",
                    "phones",
                    "links",
                    "location",
                    "time_zone",
                    "source",
                    "source_detail",
                    "referred_by",
                    "warmth",
                    "likelihood",
                    "tags",
                    "goals",
                    "stage",
                    "last_interaction_at",
                    "cadence_days",
                    "research_notes",
                ])
                .map_err(csv_err)?;
                for r in &records {
                    let Body::Person(p) = &r.body else { continue };
                    let stage = p
                        .stage_log
                        .last()
                        .map(|c| c.stage.to_string())
                        .unwrap_or_default();
                    w.write_record(
                        [
                            r.id().to_string(),
                            p.name.clone(),
                            p.role.clone().unwrap_or_default(),
                            name(&p.organization_id),
                            join(p.emails.iter().map(|e| e.value.clone()).collect()),
                            join(p.phones.iter().map(|e| e.value.clone()).collect()),
                            join(p.links.iter().map(|l| l.url.clone()).collect()),
                            p.location.clone().unwrap_or_default(),
                            p.time_zone.clone().unwrap_or_default(),
                            p.source.map(|s| s.to_string()).unwrap_or_default(),
                            p.source_detail.clone().unwrap_or_default(),
                            name(&p.referred_by_id),
                            p.warmth.map(|s| s.to_string()).unwrap_or_default(),
                            p.likelihood.map(|s| s.to_string()).unwrap_or_default(),
                            join(p.tags.clone()),
                            join(p.goal_ids.iter().map(|g| name(&Some(*g))).collect()),
                            stage,
                            p.last_interaction_at
                                .map(|t| t.to_string())
                                .unwrap_or_default(),
                            p.cadence_days.map(|s| s.to_string()).unwrap_or_default(),
                            p.research_notes.as_str().to_string(),
                        ]
                        .map(safe_cell),
                    )
                    .map_err(csv_err)?;
                }
            }
            Kind::Organization => {
                w.write_record([
                    "id",
                    "name",
                    "industry",
                    "website",
                    "location",
                    "advocacy",
                    "motivation",
                    "postings",
                    "tags",
                    "goals",
                    "notes",
                ])
                .map_err(csv_err)?;
                for r in &records {
                    let Body::Organization(o) = &r.body else {
                        continue;
                    };
                    w.write_record(
                        [
                            r.id().to_string(),
                            o.name.clone(),
                            o.industry.clone().unwrap_or_default(),
                            o.website.clone().unwrap_or_default(),
                            o.location.clone().unwrap_or_default(),
                            if o.advocacy {
                                "yes".into()
                            } else {
                                "no".into()
                            },
                            o.motivation.map(|s| s.to_string()).unwrap_or_default(),
                            o.postings.map(|s| s.to_string()).unwrap_or_default(),
                            join(o.tags.clone()),
                            join(o.goal_ids.iter().map(|g| name(&Some(*g))).collect()),
                            o.notes.as_str().to_string(),
                        ]
                        .map(safe_cell),
                    )
                    .map_err(csv_err)?;
                }
            }
            other => {
                return Err(ApiError::validation(
                    "kind",
                    format!(
                        "CSV export covers people and organizations, not {}",
                        other.label()
                    ),
                ));
            }
        }
        let bytes = w
            .into_inner()
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))
    }

    /// One Markdown file per person in `dir`: their details, research, meetings with notes and
    /// takeaways. Returns how many files were written.
    pub async fn export_markdown(&self, dir: &Path) -> Result<u64, ApiError> {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let people = self.list_all(Kind::Person).await?;
        let mut n = 0;
        for r in people {
            let Body::Person(p) = &r.body else { continue };
            let mut md = format!("# {}\n\n", p.name);
            let mut line = |label: &str, v: Option<String>| {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    md.push_str(&format!("- **{label}:** {v}\n"));
                }
            };
            line("Role", p.role.clone());
            if let Some(o) = p.organization_id {
                line(
                    "Organization",
                    self.get(o)
                        .await
                        .ok()
                        .map(|o| o.body.display_name().to_string()),
                );
            }
            line(
                "Email",
                Some(
                    p.emails
                        .iter()
                        .map(|e| e.value.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
            );
            line(
                "How found",
                p.source.map(|s| {
                    format!(
                        "{s}{}",
                        p.source_detail
                            .as_ref()
                            .map(|d| format!(" — {d}"))
                            .unwrap_or_default()
                    )
                }),
            );
            if let Some(by) = p.referred_by_id {
                line(
                    "Referred by",
                    self.get(by)
                        .await
                        .ok()
                        .map(|r| r.body.display_name().to_string()),
                );
            }
            line("Stage", p.stage_log.last().map(|c| c.stage.to_string()));
            if !p.research_notes.is_empty() {
                md.push_str(&format!("\n## Research\n\n{}\n", p.research_notes.as_str()));
            }
            let mut meetings: Vec<Record> = self
                .related(r.id())
                .await?
                .into_iter()
                .filter(|m| m.kind() == Kind::Meeting)
                .collect();
            meetings.sort_by_key(|m| {
                m.body.due_at().or(match &m.body {
                    Body::Meeting(x) => x.ended_at,
                    _ => None,
                })
            });
            if !meetings.is_empty() {
                md.push_str("\n## Meetings\n");
            }
            for m in &meetings {
                let Body::Meeting(mb) = &m.body else { continue };
                let when = mb
                    .start
                    .or(mb.ended_at)
                    .map(|t| t.to_jiff().strftime("%Y-%m-%d").to_string())
                    .unwrap_or_default();
                md.push_str(&format!("\n### {} ({when})\n", mb.title));
                if !mb.notes.is_empty() {
                    md.push_str(&format!("\n{}\n", mb.notes.as_str()));
                }
                if !mb.takeaways.is_empty() {
                    md.push_str("\n**Takeaways**\n\n");
                    for t in &mb.takeaways {
                        md.push_str(&format!("- {} ({})\n", t.text, t.topic));
                    }
                }
            }
            let safe: String = p
                .name
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == ' ' || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .collect();
            // File names hold at most 255 bytes on the usual file systems, and a name may be
            // 300 characters of several bytes each: cut at 200 bytes, on a character boundary.
            let mut cut = safe.trim().len().min(200);
            while !safe.trim().is_char_boundary(cut) {
                cut -= 1;
            }
            let safe = &safe.trim()[..cut];
            let path = dir.join(format!("{} {}.md", safe.trim(), &r.id().to_string()[..8]));
            std::fs::write(&path, md).map_err(|e| io(&path, e))?;
            n += 1;
        }
        Ok(n)
    }
}
