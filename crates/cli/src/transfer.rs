//! `rapport export` and `rapport import`.

use std::path::{Path, PathBuf};

use rapport_core::import::{ContactFormat, ImportOptions};
use rapport_core::model::Kind;
use rapport_core::{ApiError, Backup, ErrorCode, Rapport};

use crate::{output, parse_id};

fn write(out: Option<&Path>, text: &str) -> Result<(), ApiError> {
    match out {
        Some(path) => std::fs::write(path, text).map_err(|e| {
            ApiError::new(
                ErrorCode::Storage,
                format!("could not write {}: {e}", path.display()),
            )
        }),
        None => {
            say!("{}", text.trim_end());
            Ok(())
        }
    }
}

fn folder(format: &str, out: Option<PathBuf>) -> Result<PathBuf, ApiError> {
    out.ok_or_else(|| {
        ApiError::validation(
            "out",
            format!("{format} export writes a folder: give --out DIR"),
        )
    })
}

pub async fn export(
    app: &Rapport,
    format: &str,
    meeting: Option<String>,
    out: Option<PathBuf>,
) -> Result<(), ApiError> {
    let internal = |e: serde_json::Error| ApiError::new(ErrorCode::Internal, e.to_string());
    match format {
        "ics" => {
            let meeting = meeting
                .as_deref()
                .map(|m| parse_id("meeting", m))
                .transpose()?;
            write(out.as_deref(), &app.calendar_ics(meeting).await?)
        }
        "json" => write(
            out.as_deref(),
            &serde_json::to_string_pretty(&app.backup().await?).map_err(internal)?,
        ),
        "people-csv" => write(out.as_deref(), &app.export_csv(Kind::Person).await?),
        "vcard" => write(out.as_deref(), &app.export_vcard().await?),
        "orgs-csv" => write(out.as_deref(), &app.export_csv(Kind::Organization).await?),
        "markdown" => {
            let n = app.export_markdown(&folder(format, out.clone())?).await?;
            eprintln!("wrote {n} Markdown files");
            Ok(())
        }
        "automerge" => {
            let n = app.export_documents(&folder(format, out.clone())?).await?;
            eprintln!("wrote {n} Automerge documents");
            Ok(())
        }
        other => Err(ApiError::validation(
            "format",
            format!(
                "'{other}' is not an export format (json, people-csv, orgs-csv, vcard, ics, markdown, automerge)"
            ),
        )),
    }
}

/// The file's bytes, or none if it holds more than `cap`: never more than `cap` + 1 bytes are
/// read, whatever the file is (a device such as /dev/zero has no size to check first).
fn read_capped(file: &Path, cap: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let f = std::fs::File::open(file)?;
    if f.metadata().is_ok_and(|m| m.is_file() && m.len() > cap) {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    f.take(cap + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

fn unknown(format: &str) -> ApiError {
    ApiError::validation(
        "format",
        format!("'{format}' is not an import format (json, linkedin, vcard, google-csv)"),
    )
}

pub async fn import(
    app: &Rapport,
    format: &str,
    file: &Path,
    opts: ImportOptions,
    json: bool,
) -> Result<(), ApiError> {
    let (cap, what) = match format {
        "json" => (rapport_core::MAX_BACKUP_BYTES, "backup"),
        other => match ContactFormat::parse(other) {
            Some(f) => (f.max_bytes(), f.name()),
            None => return Err(unknown(other)),
        },
    };
    let bytes = read_capped(file, cap)
        .map_err(|e| ApiError::validation("file", format!("cannot read {}: {e}", file.display())))?
        .ok_or_else(|| rapport_core::import::too_large(what, cap))?;
    match format {
        "json" => {
            let backup: Backup = serde_json::from_slice(&bytes).map_err(|e| {
                ApiError::validation(
                    "file",
                    format!(
                        "{} is not a Rapport backup: {e} (line {}, column {})",
                        file.display(),
                        e.line(),
                        e.column()
                    ),
                )
            })?;
            let report = app.restore_with(backup, opts.dry_run).await?;
            if json {
                return output::print_json(&report);
            }
            let (c, u) = if opts.dry_run {
                ("would create", "would update")
            } else {
                ("created", "updated")
            };
            say!(
                "{c} {}, {u} {}, {} unchanged",
                report.created,
                report.updated,
                report.unchanged
            );
            if report.devices_skipped > 0 {
                say!(
                    "{} device record(s) in the backup were skipped: devices join a vault only \
                     by pairing (`rapport pair`)",
                    report.devices_skipped
                );
            }
            Ok(())
        }
        other if ContactFormat::parse(other).is_some() => {
            let format = ContactFormat::parse(other).ok_or_else(|| unknown(other))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                ApiError::validation("file", format!("{} is not UTF-8 text", file.display()))
            })?;
            let show = !json && std::io::IsTerminal::is_terminal(&std::io::stderr());
            let report = app
                .import_contacts(format, &text, opts, &|done, total| {
                    if show && total >= 1000 {
                        eprint!("\rimporting: {done}/{total} rows");
                    }
                })
                .await?;
            if show && report.created + report.updated + report.unchanged >= 1000 {
                eprintln!();
            }
            if json {
                output::print_json(&report)?;
            } else {
                let verb = if report.applied { "" } else { "would be " };
                say!(
                    "{} people {verb}created, {} {verb}updated, {} unchanged; {} organizations {verb}created",
                    report.created,
                    report.updated,
                    report.unchanged,
                    report.organizations_created
                );
            }
            for e in &report.invalid {
                eprintln!("line {}: {}", e.line, crate::printable(&e.reason));
            }
            if !report.invalid.is_empty() && !opts.skip_invalid {
                return Err(ApiError::validation(
                    "file",
                    format!(
                        "{} invalid rows (listed above); nothing was imported — fix them or pass --skip-invalid",
                        report.invalid.len()
                    ),
                ));
            }
            Ok(())
        }
        other => Err(unknown(other)),
    }
}
