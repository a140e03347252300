//! vCard files as phones and mail apps write them (2.1, 3.0 and 4.0: folded lines,
//! quoted-printable, `item1.` groups labelled by `X-ABLabel`, typed emails and phones, photos),
//! read and written with the `calcard` crate.

use std::collections::HashMap;

use calcard::Entry;
use calcard::vcard::{
    VCard, VCardEntry, VCardParameter, VCardParameterName, VCardProperty, VCardValue, VCardVersion,
};
use rapport_model::{Body, ContactPoint, Link, Record, RecordId};

use super::{Contact, RowError, Rows, some};
use crate::ApiError;

/// Every text of an entry, components flattened (`N:Gump;Forrest;;Mr.;` → five strings).
fn texts(e: &VCardEntry) -> Vec<String> {
    e.values
        .iter()
        .flat_map(|v| match v {
            VCardValue::Component(parts) => parts.clone(),
            other => other.as_text().map(str::to_string).into_iter().collect(),
        })
        .collect()
}

fn first_text(card: &VCard, prop: VCardProperty) -> Option<String> {
    card.property(&prop)
        .and_then(|e| texts(e).into_iter().find_map(|t| some(&t)))
}

/// Types that say something to a person (`work`, `cell`), not to a program (`internet`, `pref`).
fn type_label(e: &VCardEntry, group_labels: &HashMap<String, String>) -> Option<String> {
    if let Some(l) = e
        .group
        .as_ref()
        .and_then(|g| group_labels.get(&g.to_lowercase()))
    {
        return Some(l.clone());
    }
    e.parameters(&VCardParameterName::Type)
        .filter_map(|p| p.as_text())
        .flat_map(|t| t.split(','))
        .map(|t| t.trim().to_lowercase())
        .find(|t| !["internet", "pref", "voice", "x400", ""].contains(&t.as_str()))
}

/// An extension property (`X-…`), whatever its case.
fn is_x(e: &VCardEntry, name: &str) -> bool {
    matches!(&e.name, VCardProperty::Other(n) if n.eq_ignore_ascii_case(name))
}

/// Apple writes custom labels as `item1.X-ABLabel:_$!<Mobile>!$_` next to `item1.TEL:…`.
fn group_labels(card: &VCard) -> HashMap<String, String> {
    card.entries
        .iter()
        .filter(|e| is_x(e, "X-ABLABEL"))
        .filter_map(|e| {
            let group = e.group.as_ref()?.to_lowercase();
            let label = texts(e).join(" ");
            let label = label
                .trim_start_matches("_$!<")
                .trim_end_matches(">!$_")
                .trim()
                .to_lowercase();
            (!label.is_empty()).then_some((group, label))
        })
        .collect()
}

fn points(
    card: &VCard,
    prop: VCardProperty,
    labels: &HashMap<String, String>,
    clean: impl Fn(&str) -> String,
) -> Vec<ContactPoint> {
    card.properties(&prop)
        .filter_map(|e| {
            let value = clean(texts(e).first()?);
            some(&value).map(|value| ContactPoint {
                value,
                label: type_label(e, labels),
            })
        })
        .collect()
}

fn contact(card: &VCard, line: u64) -> Contact {
    let labels = group_labels(card);
    let name = first_text(card, VCardProperty::Fn).unwrap_or_else(|| {
        // N is family;given;additional;prefix;suffix.
        card.property(&VCardProperty::N)
            .map(|e| {
                let n = texts(e);
                [n.get(1), n.get(2), n.first()]
                    .into_iter()
                    .flatten()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| s.trim())
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    });
    let org = card.property(&VCardProperty::Org).map(texts);
    let links: Vec<Link> = card
        .entries
        .iter()
        .filter(|e| {
            matches!(e.name, VCardProperty::Url | VCardProperty::Socialprofile)
                || is_x(e, "X-SOCIALPROFILE")
        })
        .filter_map(|e| {
            let url = texts(e).first().and_then(|u| some(u))?;
            Some(Link {
                url,
                label: type_label(e, &labels),
            })
        })
        .collect();
    // ADR is pobox;extended;street;locality;region;code;country: the town and country are
    // what matter for meeting someone.
    let location = card.property(&VCardProperty::Adr).and_then(|e| {
        let a = texts(e);
        let parts: Vec<&str> = [a.get(3), a.get(4), a.get(6)]
            .into_iter()
            .flatten()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect();
        some(&parts.join(", "))
    });
    Contact {
        line,
        name,
        role: first_text(card, VCardProperty::Title)
            .or_else(|| first_text(card, VCardProperty::Role)),
        company: org.as_ref().and_then(|o| o.first()).and_then(|o| some(o)),
        emails: points(card, VCardProperty::Email, &labels, |v| {
            v.trim_start_matches("mailto:").trim().to_string()
        }),
        phones: points(card, VCardProperty::Tel, &labels, |v| {
            v.trim_start_matches("tel:").trim().to_string()
        }),
        links,
        location,
        note: card
            .properties(&VCardProperty::Note)
            .flat_map(texts)
            .filter_map(|t| some(&t))
            .reduce(|a, b| format!("{a}\n{b}")),
        tags: card
            .properties(&VCardProperty::Categories)
            .flat_map(texts)
            .flat_map(|t| t.split(',').filter_map(some).collect::<Vec<_>>())
            .collect(),
        ..Default::default()
    }
}

/// Where each card begins (1-based line) and whether an END:VCARD closes it before the next
/// card or the end of the file (the parser is lenient about a file cut off mid-card).
fn card_lines(text: &str) -> Vec<(u64, bool)> {
    let mut cards: Vec<(u64, bool)> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let l = l.trim();
        if l.eq_ignore_ascii_case("BEGIN:VCARD") {
            cards.push((i as u64 + 1, false));
        } else if l.eq_ignore_ascii_case("END:VCARD")
            && let Some(last) = cards.last_mut()
        {
            last.1 = true;
        }
    }
    cards
}

pub(super) fn read(text: &str) -> Result<Rows, ApiError> {
    let lines = card_lines(text);
    if lines.is_empty() {
        return Err(ApiError::validation(
            "file",
            "no BEGIN:VCARD line found: is this a vCard (.vcf) file?",
        ));
    }
    let mut parser = calcard::Parser::new(text);
    let mut rows = Vec::with_capacity(lines.len());
    let line_of = |n: usize| lines.get(n).map_or(0, |l| l.0);
    let unterminated = |n: usize| RowError {
        line: line_of(n),
        reason: "the card has no END:VCARD (is the file cut off?)".into(),
    };
    loop {
        let n = rows.len();
        match parser.entry() {
            Entry::VCard(_) if lines.get(n).is_some_and(|l| !l.1) => {
                rows.push(Err(unterminated(n)));
                break;
            }
            Entry::VCard(card) => rows.push(Ok(contact(&card, line_of(n)))),
            Entry::Eof => break,
            // Text between cards (a stray blank or header line) is not a card.
            Entry::InvalidLine(_) => {}
            Entry::ICalendar(_) => rows.push(Err(RowError {
                line: line_of(n),
                reason: "a calendar entry where a vCard was expected".into(),
            })),
            Entry::UnterminatedComponent(_) => {
                rows.push(Err(unterminated(n)));
                break;
            }
            other => {
                rows.push(Err(RowError {
                    line: line_of(n),
                    reason: format!("not a valid card: {other:?}"),
                }));
                break;
            }
        }
    }
    Ok(rows)
}

fn text_entry(prop: VCardProperty, value: &str) -> VCardEntry {
    VCardEntry::new(prop).with_value(value.to_string())
}

fn typed(prop: VCardProperty, p: &ContactPoint) -> VCardEntry {
    let e = text_entry(prop, &p.value);
    match &p.label {
        Some(l) => e.with_param(VCardParameter::typ(l.clone())),
        None => e,
    }
}

/// People as vCard 4.0 (RFC 6350), one card each, with their organization's name.
pub(crate) fn people_to_vcard(people: &[Record], org_names: &HashMap<RecordId, String>) -> String {
    let mut out = String::new();
    for r in people {
        let Body::Person(p) = &r.body else { continue };
        let mut entries = vec![
            text_entry(VCardProperty::Uid, &format!("urn:uuid:{}", r.id())),
            text_entry(VCardProperty::Fn, &p.name),
        ];
        if let Some(org) = p.organization_id.and_then(|o| org_names.get(&o)) {
            entries.push(text_entry(VCardProperty::Org, org));
        }
        if let Some(role) = &p.role {
            entries.push(text_entry(VCardProperty::Title, role));
        }
        entries.extend(p.emails.iter().map(|e| typed(VCardProperty::Email, e)));
        entries.extend(p.phones.iter().map(|t| typed(VCardProperty::Tel, t)));
        entries.extend(
            p.links
                .iter()
                .map(|l| text_entry(VCardProperty::Url, &l.url)),
        );
        if let Some(loc) = &p.location {
            // Where they are, as the locality of an address (ADR has seven parts).
            entries.push(
                VCardEntry::new(VCardProperty::Adr).with_values(
                    ["", "", "", loc.as_str(), "", "", ""]
                        .into_iter()
                        .map(|s| VCardValue::Text(s.to_string()))
                        .collect(),
                ),
            );
        }
        if let Some(tz) = &p.time_zone {
            entries.push(text_entry(VCardProperty::Tz, tz));
        }
        if !p.tags.is_empty() {
            entries.push(
                VCardEntry::new(VCardProperty::Categories)
                    .with_values(p.tags.iter().map(|t| VCardValue::Text(t.clone())).collect()),
            );
        }
        if !p.research_notes.is_empty() {
            entries.push(text_entry(VCardProperty::Note, p.research_notes.as_str()));
        }
        let card = VCard { entries };
        // Writing into a String cannot fail.
        let _ = card.write_to(&mut out, VCardVersion::V4_0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn card_lines_point_at_begin() {
        assert_eq!(
            card_lines("x\nBEGIN:VCARD\nEND:VCARD\n\nbegin:vcard\r\nEND:VCARD\nBEGIN:VCARD\nFN:x"),
            [(2, true), (5, true), (7, false)]
        );
    }
}
