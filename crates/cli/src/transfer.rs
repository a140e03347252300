//! `rapport export` and `rapport import`.

use std::path::{Path, PathBuf};

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
            write(out.as_deref(), &app.meetings_ics(meeting).await?)
        }
        "json" => write(
            out.as_deref(),
            &serde_json::to_string_pretty(&app.backup().await?).map_err(internal)?,
        ),
        "people-csv" => write(out.as_deref(), &app.export_csv(Kind::Person).await?),
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
                "'{other}' is not an export format (json, people-csv, orgs-csv, ics, markdown, automerge)"
            ),
        )),
    }
}

pub async fn import(
    app: &Rapport,
    format: &str,
    file: &Path,
    dry_run: bool,
    json: bool,
) -> Result<(), ApiError> {
    if format != "json" {
        return Err(ApiError::validation(
            "format",
            format!("'{format}' is not an import format yet (json)"),
        ));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        ApiError::validation("file", format!("cannot read {}: {e}", file.display()))
    })?;
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
    let report = app.restore_with(backup, dry_run).await?;
    if json {
        return output::print_json(&report);
    }
    let verb = if dry_run { "would create" } else { "created" };
    say!(
        "{verb} {}, {} {}, {} unchanged",
        report.created,
        if dry_run { "would update" } else { "updated" },
        report.updated,
        report.unchanged
    );
    Ok(())
}
