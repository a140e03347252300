//! Importing the network people already have: LinkedIn's connections export, vCard files from
//! phones and mail apps, and Google Contacts CSV. Each format is read into [`Contact`]s by its
//! own module (with a library for the format); one merge then matches them against the vault
//! by email, then profile URL, then name + organization, so importing the same file again
//! creates nothing new, and matched people gain what the file knows and lose nothing.

mod google;
mod linkedin;
mod table;
mod vcard;

use std::collections::{HashMap, HashSet};

use rapport_model::{
    Body, ContactPoint, Kind, Link, Meta, Organization, Person, Prose, Record, RecordId, Source,
    validate,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Rapport};

pub(crate) use vcard::people_to_vcard;

/// One row (or card) that could not be imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RowError {
    /// The line of the file the row or card starts on (1-based).
    pub line: u64,
    pub reason: String,
}

/// What an import did (or, in a dry run or when rows are invalid, would do).
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
pub struct ImportReport {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub organizations_created: u64,
    /// Rows with nothing to import (no name, email or profile URL).
    pub skipped: u64,
    pub invalid: Vec<RowError>,
    /// False when nothing was written: a dry run, or invalid rows without `skip_invalid`.
    pub applied: bool,
    /// Who is new or changed, in file order: the first [`IMPORT_LISTED`] (the counts are whole).
    pub people: Vec<ImportedPerson>,
}

/// How many of the people an import creates or changes its report names.
pub const IMPORT_LISTED: usize = 200;

/// One person an import creates or changes.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct ImportedPerson {
    pub name: String,
    pub organization: Option<String>,
    /// New to the vault (otherwise an existing person gains what the file adds).
    pub new: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    pub dry_run: bool,
    /// Import the valid rows and report the others (otherwise any invalid row stops the import).
    pub skip_invalid: bool,
}

/// The address-book formats [`Rapport::import_contacts`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ContactFormat {
    /// LinkedIn's `Connections.csv`.
    Linkedin,
    /// vCard 2.1, 3.0 or 4.0, any number of cards.
    Vcard,
    /// Google Contacts' CSV export (the current and the older "Google CSV" layout).
    GoogleCsv,
}

impl ContactFormat {
    /// The largest file of this format an import takes. An address book far larger than anyone's
    /// is a mistake or an attack, and reading it would take the memory of several copies of it:
    /// LinkedIn and Google CSV are text only (30,000 connections are ~3 MB); a vCard file may
    /// carry photos (5,000 contacts with photos, ~200 MB).
    pub const fn max_bytes(self) -> u64 {
        match self {
            Self::Linkedin | Self::GoogleCsv => 64 << 20,
            Self::Vcard => 256 << 20,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Linkedin => "LinkedIn CSV",
            Self::Vcard => "vCard",
            Self::GoogleCsv => "Google CSV",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "linkedin" => Some(Self::Linkedin),
            "vcard" | "vcf" => Some(Self::Vcard),
            "google-csv" | "google" => Some(Self::GoogleCsv),
            _ => None,
        }
    }
}

/// A person as an export describes them, before matching.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Contact {
    /// Where the row or card starts in the file (1-based).
    pub line: u64,
    pub name: String,
    pub role: Option<String>,
    pub company: Option<String>,
    pub emails: Vec<ContactPoint>,
    pub phones: Vec<ContactPoint>,
    pub links: Vec<Link>,
    pub location: Option<String>,
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub source: Option<Source>,
    pub source_detail: Option<String>,
}

impl Contact {
    fn is_blank(&self) -> bool {
        self.name.is_empty() && self.emails.is_empty() && self.links.is_empty()
    }
}

/// A parsed file: its contacts, and the rows that could not be read at all.
pub(crate) type Rows = Vec<Result<Contact, RowError>>;

/// The error for a file over its format's cap (nothing is read further, nothing changes).
pub fn too_large(format: &str, cap: u64) -> ApiError {
    ApiError::validation(
        "file",
        format!(
            "the file is larger than the {} MB a {format} import takes: split it, or leave out \
             what is not contacts (photos, attachments)",
            cap >> 20
        ),
    )
}

/// Trimmed, `None` when empty.
pub(crate) fn some(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

pub(crate) fn normalize_url(u: &str) -> String {
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

/// Phone numbers compare by their digits (and a leading +), whatever the spacing.
fn phone_key(p: &str) -> String {
    p.chars()
        .filter(|c| c.is_ascii_digit() || *c == '+')
        .collect()
}

#[derive(Default)]
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

    fn find(&self, c: &Contact, org: Option<RecordId>) -> Option<RecordId> {
        c.emails
            .iter()
            .find_map(|e| self.by_email.get(&e.value.to_lowercase()))
            .or_else(|| {
                c.links
                    .iter()
                    .find_map(|l| self.by_url.get(&normalize_url(&l.url)))
            })
            .or_else(|| self.by_name_org.get(&(c.name.to_lowercase(), org)))
            .copied()
    }
}

/// Adds the file's contact points to the person's: a new value is added, a known one (same
/// `key`) gains the file's label if it had none.
fn add_points(have: &mut Vec<ContactPoint>, from: &[ContactPoint], key: fn(&str) -> String) {
    let mut at: HashMap<String, usize> = have
        .iter()
        .enumerate()
        .map(|(i, x)| (key(&x.value), i))
        .collect();
    for e in from {
        match at.get(&key(&e.value)) {
            Some(&i) if have[i].label.is_none() => have[i].label = e.label.clone(),
            Some(_) => {}
            None => {
                at.insert(key(&e.value), have.len());
                have.push(e.clone());
            }
        }
    }
}

/// Adds what the contact knows to the person, field by field; nothing is ever removed.
fn merge_into(p: &mut Person, c: &Contact, org: Option<RecordId>) {
    if p.name.is_empty() {
        p.name = c.name.clone();
    }
    if c.role.is_some() {
        p.role = c.role.clone();
    }
    if org.is_some() {
        p.organization_id = org;
    }
    add_points(&mut p.emails, &c.emails, |v| v.to_lowercase());
    add_points(&mut p.phones, &c.phones, phone_key);
    // Looked up by key, not compared pair by pair: a card can hold thousands of them.
    let mut have: HashSet<String> = p.links.iter().map(|x| normalize_url(&x.url)).collect();
    for l in &c.links {
        if have.insert(normalize_url(&l.url)) {
            p.links.push(l.clone());
        }
    }
    if c.location.is_some() {
        p.location = c.location.clone();
    }
    if let Some(note) = &c.note
        && !p.research_notes.as_str().contains(note.as_str())
    {
        let mut text = p.research_notes.as_str().to_string();
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(note);
        p.research_notes = Prose::from(text.as_str());
    }
    let mut have: HashSet<String> = p.tags.iter().map(|x| x.to_lowercase()).collect();
    for t in &c.tags {
        if have.insert(t.to_lowercase()) {
            p.tags.push(t.clone());
        }
    }
    if p.source.is_none() {
        p.source = c.source;
    }
    if p.source_detail.is_none() {
        p.source_detail = c.source_detail.clone();
    }
}

impl Rapport {
    /// Imports people from an address-book export. All or nothing: unless
    /// `opts.skip_invalid`, one invalid row means nothing is written (the report lists each
    /// with its line). `progress(done, total)` is called as rows are processed.
    pub async fn import_contacts(
        &self,
        format: ContactFormat,
        text: &str,
        opts: ImportOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport, ApiError> {
        if text.len() as u64 > format.max_bytes() {
            return Err(too_large(format.name(), format.max_bytes()));
        }
        let text = text.trim_start_matches('\u{feff}');
        let rows = crate::api::heavy(|| match format {
            ContactFormat::Linkedin => linkedin::read(text),
            ContactFormat::Vcard => vcard::read(text),
            ContactFormat::GoogleCsv => google::read(text),
        })?;
        self.merge_contacts(rows, opts, progress).await
    }

    async fn merge_contacts(
        &self,
        rows: Rows,
        opts: ImportOptions,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<ImportReport, ApiError> {
        let mut index = Index::default();
        // Boxed: a record is large inline (its body is as big as the largest kind), and a map
        // of them held twice that while it grew, for every row of a large file.
        let mut current: HashMap<RecordId, Box<Record>> = HashMap::new();
        for r in self.list_all(Kind::Person).await? {
            if let Body::Person(p) = &r.body {
                index.add_person(r.id(), p);
            }
            current.insert(r.id(), Box::new(r));
        }
        let mut org_ids: HashSet<RecordId> = HashSet::new();
        for o in self.list_all(Kind::Organization).await? {
            index
                .orgs
                .insert(o.body.display_name().to_lowercase(), o.id());
            org_ids.insert(o.id());
        }

        let now = self.clock().now();
        let mut report = ImportReport::default();
        let mut new_orgs: Vec<Record> = Vec::new();
        let mut touched: Vec<RecordId> = Vec::new();
        let mut touched_set: HashSet<RecordId> = HashSet::new();
        let mut created: HashSet<RecordId> = HashSet::new();
        let mut listed: Vec<(RecordId, Option<String>)> = Vec::new();
        let total = rows.len();
        let store = self.store().clone();
        crate::api::heavy(|| {
            for (i, row) in rows.into_iter().enumerate() {
                if i % 1000 == 0 {
                    progress(i, total);
                }
                let c = match row {
                    Ok(c) => c,
                    Err(e) => {
                        report.invalid.push(e);
                        continue;
                    }
                };
                if c.is_blank() {
                    report.skipped += 1;
                    continue;
                }
                let org_id = c.company.as_ref().map(|company| {
                    *index.orgs.entry(company.to_lowercase()).or_insert_with(|| {
                        let o = Record {
                            meta: Meta::new_at(now),
                            body: Body::Organization(Organization {
                                name: company.clone(),
                                ..Default::default()
                            }),
                        };
                        let id = o.id();
                        org_ids.insert(id);
                        new_orgs.push(o);
                        id
                    })
                });
                let matched = index.find(&c, org_id);
                let mut record =
                    match matched.and_then(|id| current.get(&id).map(|r| r.as_ref().clone())) {
                        Some(r) => r,
                        None => Record {
                            meta: Meta::new_at(now),
                            body: Body::Person(Person::default()),
                        },
                    };
                let before = record.clone();
                let Body::Person(p) = &mut record.body else {
                    continue;
                };
                merge_into(p, &c, org_id);
                if p.name.is_empty() {
                    // A card with only an email or a URL: name the person after it.
                    p.name = c
                        .emails
                        .first()
                        .map(|e| e.value.clone())
                        .or_else(|| c.links.first().map(|l| l.url.clone()))
                        .unwrap_or_default();
                }
                record.body.normalize();
                let known = |id: RecordId| {
                    if org_ids.contains(&id) {
                        Some(Kind::Organization)
                    } else {
                        // Links the person already had (a goal, a referrer) are checked against the vault:
                        // a re-import of people linked to goals failed on them.
                        current
                            .get(&id)
                            .map(|r| r.kind())
                            .or_else(|| store.kind_of(id).ok().flatten())
                    }
                };
                if let Err(e) = validate(&record, &known) {
                    report.invalid.push(RowError {
                        line: c.line,
                        reason: e.to_string(),
                    });
                    continue;
                }
                if record == before {
                    report.unchanged += 1;
                    continue;
                }
                if matched.is_none() {
                    created.insert(record.id());
                }
                if let Body::Person(p) = &record.body {
                    index.add_person(record.id(), p);
                }
                if touched_set.insert(record.id()) {
                    touched.push(record.id());
                    if listed.len() < IMPORT_LISTED {
                        listed.push((record.id(), c.company.clone()));
                    }
                }
                current.insert(record.id(), Box::new(record));
            }
        });
        progress(total, total);
        report.invalid.sort_by_key(|e| e.line);
        report.created = created.len() as u64;
        report.updated = (touched.len() - created.len()) as u64;
        report.people = listed
            .into_iter()
            .map(|(id, organization)| ImportedPerson {
                name: current[&id].body.display_name().to_string(),
                organization,
                new: created.contains(&id),
            })
            .collect();
        // Only the organizations some written person points at.
        let used: HashSet<RecordId> = touched
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
        records.extend(touched.iter().map(|id| Record::clone(&current[id])));
        self.write_all(records).await?;
        self.refresh_search().await?;
        report.applied = true;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_phones_compare_loosely() {
        assert_eq!(
            normalize_url("https://LinkedIn.com/in/ada/?trk=x"),
            "https://www.linkedin.com/in/ada"
        );
        assert_eq!(phone_key("+33 6 12-34-56-78"), "+33612345678");
    }

    #[test]
    fn merging_adds_and_never_removes() {
        let mut p = Person {
            name: "Ada".into(),
            role: Some("Engineer".into()),
            emails: vec![ContactPoint::new("ada@example.org")],
            phones: vec![ContactPoint::new("+44 20 7946 0000")],
            research_notes: Prose::from("Met at the meetup."),
            ..Default::default()
        };
        let c = Contact {
            name: "Ada Lovelace".into(),
            emails: vec![
                ContactPoint {
                    value: "ADA@example.org".into(),
                    label: Some("work".into()),
                },
                ContactPoint::new("ada@home.example"),
            ],
            phones: vec![ContactPoint::new("+442079460000")],
            note: Some("Likes maths.".into()),
            ..Default::default()
        };
        merge_into(&mut p, &c, None);
        assert_eq!(p.name, "Ada", "a name already there is kept");
        assert_eq!(
            p.role.as_deref(),
            Some("Engineer"),
            "no role in the file keeps the role"
        );
        assert_eq!(p.emails.len(), 2);
        assert_eq!(p.emails[0].label.as_deref(), Some("work"));
        assert_eq!(p.phones.len(), 1, "the same number written differently");
        assert_eq!(
            p.research_notes.as_str(),
            "Met at the meetup.\n\nLikes maths."
        );
        merge_into(&mut p, &c, None);
        assert_eq!(
            p.research_notes.as_str(),
            "Met at the meetup.\n\nLikes maths."
        );
    }
}
