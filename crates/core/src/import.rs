//! Importing the network people already have. LinkedIn's connections export first: people are
//! matched by email, then profile URL, then name + organization, so importing the same file
//! again creates nothing new; matched people gain what the file knows and lose nothing.

use std::collections::HashMap;

use rapport_model::{
    Body, ContactPoint, Kind, Link, Meta, Organization, Person, Record, RecordId, Source, validate,
};
use serde::{Deserialize, Serialize};

use crate::{ApiError, Rapport};

/// One row that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    /// The line of the file the row starts on (1-based).
    pub line: u64,
    pub reason: String,
}

/// What an import did (or, in a dry run or when rows are invalid, would do).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub organizations_created: u64,
    pub invalid: Vec<RowError>,
    /// False when nothing was written: a dry run, or invalid rows without `skip_invalid`.
    pub applied: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Import the valid rows and report the others (otherwise any invalid row stops the import).
    pub skip_invalid: bool,
}

fn normalize_url(u: &str) -> String {
    let u = u.trim().to_lowercase();
    let u = u
        .split(['?', '#'])
        .next()
        .unwrap_or(&u)
        .trim_end_matches('/')
        .to_string();
    u.replace("http://", "https://")
        .replace("https://linkedin.com", "https://www.linkedin.com")
}

/// "05 Mar 2024" → "2024-03-05" (LinkedIn's export), or the text as it is.
fn linkedin_date(s: &str) -> String {
    jiff::civil::Date::strptime("%d %b %Y", s.trim())
        .map(|d| d.to_string())
        .unwrap_or_else(|_| s.trim().to_string())
}

struct Index {
    by_email: HashMap<String, RecordId>,
    by_url: HashMap<String, RecordId>,
    by_name_org: HashMap<(String, Option<RecordId>), RecordId>,
    orgs: HashMap<String, RecordId>,
}

impl Index {
    fn add_person(&mut self, id: RecordId, p: &Person) {
        for e in &p.emails {
            self.by_email.insert(e.value.to_lowercase(), id);
        }
        for l in &p.links {
            self.by_url.insert(normalize_url(&l.url), id);
        }
        self.by_name_org
            .insert((p.name.to_lowercase(), p.organization_id), id);
    }
}

impl Rapport {
    /// Imports a LinkedIn connections export (`Connections.csv`). `progress(done, total)` is
    /// called as rows are processed.
    pub async fn import_linkedin(
        &self,
        text: &str,
        opts: ImportOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport, ApiError> {
        let text = text.trim_start_matches('\u{feff}');
        // The export starts with a few lines of notes; the table begins at its header.
        let mut offset = 0u64;
        let mut start = None;
        let mut pos = 0;
        for line in text.split_inclusive('\n') {
            if line.trim_start().to_lowercase().starts_with("first name,") {
                start = Some(pos);
                break;
            }
            pos += line.len();
            offset += 1;
        }
        let Some(start) = start else {
            return Err(ApiError::validation(
                "file",
                "no header line 'First Name,Last Name,URL,Email Address,Company,Position,Connected On' found: is this LinkedIn's Connections.csv?",
            ));
        };
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(&text.as_bytes()[start..]);
        let headers = rdr
            .headers()
            .map_err(|e| ApiError::validation("file", format!("line {}: {e}", offset + 1)))?
            .clone();
        let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        let (Some(first), Some(last)) = (col("First Name"), col("Last Name")) else {
            return Err(ApiError::validation(
                "file",
                "the header needs First Name and Last Name columns",
            ));
        };
        let (url_c, email_c, company_c, position_c, connected_c) = (
            col("URL"),
            col("Email Address"),
            col("Company"),
            col("Position"),
            col("Connected On"),
        );

        let mut index = Index {
            by_email: HashMap::new(),
            by_url: HashMap::new(),
            by_name_org: HashMap::new(),
            orgs: HashMap::new(),
        };
        let mut current: HashMap<RecordId, Record> = HashMap::new();
        for r in self.list_all(Kind::Person).await? {
            if let Body::Person(p) = &r.body {
                index.add_person(r.id(), p);
            }
            current.insert(r.id(), r);
        }
        for o in self.list_all(Kind::Organization).await? {
            index
                .orgs
                .insert(o.body.display_name().to_lowercase(), o.id());
        }

        let now = self.clock().now();
        let mut report = ImportReport::default();
        let mut new_orgs: Vec<Record> = Vec::new();
        let mut touched: Vec<RecordId> = Vec::new();
        let mut created: Vec<RecordId> = Vec::new();
        let rows: Vec<_> = rdr.records().collect();
        let total = rows.len();
        for (i, row) in rows.into_iter().enumerate() {
            if i % 1000 == 0 {
                progress(i, total);
            }
            let row = match row {
                Ok(r) => r,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line()) + offset;
                    report.invalid.push(RowError {
                        line,
                        reason: e.to_string(),
                    });
                    continue;
                }
            };
            let line = row.position().map_or(0, |p| p.line()) + offset;
            let get =
                |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").trim().to_string();
            let name = format!("{} {}", get(Some(first)), get(Some(last)))
                .trim()
                .to_string();
            let (url, email, company, position, connected) = (
                get(url_c),
                get(email_c),
                get(company_c),
                get(position_c),
                get(connected_c),
            );
            if name.is_empty() && url.is_empty() && email.is_empty() {
                continue; // a blank line
            }
            let org_id = if company.is_empty() {
                None
            } else {
                Some(
                    *index.orgs.entry(company.to_lowercase()).or_insert_with(|| {
                        let o = Record {
                            meta: Meta::new_at(now),
                            body: Body::Organization(Organization {
                                name: company.clone(),
                                ..Default::default()
                            }),
                        };
                        let id = o.id();
                        new_orgs.push(o);
                        id
                    }),
                )
            };
            let matched = (!email.is_empty())
                .then(|| index.by_email.get(&email.to_lowercase()).copied())
                .flatten()
                .or_else(|| {
                    (!url.is_empty())
                        .then(|| index.by_url.get(&normalize_url(&url)).copied())
                        .flatten()
                })
                .or_else(|| {
                    index
                        .by_name_org
                        .get(&(name.to_lowercase(), org_id))
                        .copied()
                });
            let mut record = match matched.and_then(|id| current.get(&id).cloned()) {
                Some(r) => r,
                None => Record {
                    meta: Meta::new_at(now),
                    body: Body::Person(Person {
                        name: name.clone(),
                        source: Some(Source::LinkedIn),
                        ..Default::default()
                    }),
                },
            };
            let before = record.clone();
            let Body::Person(p) = &mut record.body else {
                continue;
            };
            if p.name.is_empty() {
                p.name = name.clone();
            }
            if !position.is_empty() {
                p.role = Some(position.clone());
            }
            if org_id.is_some() {
                p.organization_id = org_id;
            }
            if !email.is_empty()
                && !p
                    .emails
                    .iter()
                    .any(|e| e.value.eq_ignore_ascii_case(&email))
            {
                p.emails.push(ContactPoint::new(email.clone()));
            }
            if !url.is_empty()
                && !p
                    .links
                    .iter()
                    .any(|l| normalize_url(&l.url) == normalize_url(&url))
            {
                p.links.push(Link {
                    url: url.clone(),
                    label: Some("LinkedIn".into()),
                });
            }
            if p.source.is_none() {
                p.source = Some(Source::LinkedIn);
            }
            if p.source_detail.is_none() && !connected.is_empty() {
                p.source_detail = Some(format!(
                    "Connected on LinkedIn on {}",
                    linkedin_date(&connected)
                ));
            }
            record.body.normalize();
            let known = |id: RecordId| {
                if new_orgs.iter().any(|o| o.id() == id) || index.orgs.values().any(|o| *o == id) {
                    Some(Kind::Organization)
                } else {
                    current.get(&id).map(|r| r.kind())
                }
            };
            if let Err(e) = validate(&record, &known) {
                report.invalid.push(RowError {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
            if record == before {
                report.unchanged += 1;
                continue;
            }
            if matched.is_none() {
                created.push(record.id());
            }
            if let Body::Person(p) = &record.body {
                index.add_person(record.id(), p);
            }
            if !touched.contains(&record.id()) {
                touched.push(record.id());
            }
            current.insert(record.id(), record);
        }
        progress(total, total);
        report.created = created.len() as u64;
        report.updated = (touched.len() - created.len()) as u64;
        // Only the organizations some written person points at.
        let used: Vec<RecordId> = touched
            .iter()
            .filter_map(|id| match &current[id].body {
                Body::Person(p) => p.organization_id,
                _ => None,
            })
            .collect();
        new_orgs.retain(|o| used.contains(&o.id()));
        report.organizations_created = new_orgs.len() as u64;
        if opts.dry_run || (!report.invalid.is_empty() && !opts.skip_invalid) {
            return Ok(report);
        }
        let mut records = new_orgs;
        records.extend(touched.iter().map(|id| current[id].clone()));
        self.write_all(records).await?;
        self.refresh_search().await?;
        report.applied = true;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn linkedin_dates_and_urls_normalize() {
        assert_eq!(super::linkedin_date("05 Mar 2024"), "2024-03-05");
        assert_eq!(super::linkedin_date("soon"), "soon");
        assert_eq!(
            super::normalize_url("https://LinkedIn.com/in/ada/?trk=x"),
            "https://www.linkedin.com/in/ada"
        );
    }
}
