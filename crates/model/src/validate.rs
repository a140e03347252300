//! The rules a record must follow before it is stored. Each failure names the field and says
//! what would be accepted, so the CLI and the UI can show it as is.

use crate::records::{Body, ContactPoint, Link, Record};
use crate::{Kind, RecordId, ValidationError};

/// Longest name or title, in characters.
pub const MAX_NAME_CHARS: usize = 300;
/// Longest short field (role, location, label…), in characters.
pub const MAX_SHORT_CHARS: usize = 2_000;
/// Longest prose field, in bytes.
pub const MAX_PROSE_BYTES: usize = 1 << 20;
/// The most items in one list of a record (emails, phones, links, tags): far more than anyone
/// keeps for one person, and a bound on what one record costs to store, sync and show.
pub const MAX_LIST_ITEMS: usize = 200;
/// The allowed keep-in-touch cadence, in days.
pub const CADENCE_DAYS: std::ops::RangeInclusive<u16> = 7..=730;
/// The allowed planned meeting length, in minutes.
pub const MEETING_MINUTES: std::ops::RangeInclusive<u16> = 5..=240;

/// Answers "does this id exist, and what is it?" for the link rules.
pub trait LinkCheck {
    fn kind_of(&self, id: RecordId) -> Option<Kind>;
}

impl<F: Fn(RecordId) -> Option<Kind>> LinkCheck for F {
    fn kind_of(&self, id: RecordId) -> Option<Kind> {
        self(id)
    }
}

type Rule = Result<(), ValidationError>;

fn fail(field: impl Into<String>, message: impl Into<String>) -> Rule {
    Err(ValidationError::new(field, message))
}

/// Checks every rule for `record`, returning the first broken one.
pub fn validate(record: &Record, links: &dyn LinkCheck) -> Rule {
    let name_field = match record.kind() {
        Kind::Person | Kind::Organization | Kind::Goal | Kind::Profile | Kind::Device => "name",
        _ => "title",
    };
    // The fields given are checked before the name is required: `profile set --time-zone
    // Bad/Zone` on a vault without a profile names the time zone, not the missing name.
    if let Some((field, c)) = crate::text::find_control(&record.body) {
        fail(
            field,
            format!(
                "holds a control character (U+{:04X}), which could drive a terminal: remove it",
                c as u32
            ),
        )?;
    }
    match &record.body {
        Body::Person(p) => {
            short("role", &p.role)?;
            contact_points("emails", &p.emails, email)?;
            contact_points("phones", &p.phones, phone)?;
            web_links("links", &p.links)?;
            short("location", &p.location)?;
            time_zone("time_zone", &p.time_zone)?;
            short("source_detail", &p.source_detail)?;
            one_to_five("likelihood", p.likelihood)?;
            tags(&p.tags)?;
            prose("research_notes", p.research_notes.as_str())?;
            if let Some(days) = p.cadence_days
                && !CADENCE_DAYS.contains(&days)
            {
                fail(
                    "cadence_days",
                    format!(
                        "{days} is out of range: check in every {} to {} days",
                        CADENCE_DAYS.start(),
                        CADENCE_DAYS.end()
                    ),
                )?;
            }
            if p.referred_by_id == Some(record.id()) {
                fail(
                    "referred_by_id",
                    "a person cannot be referred by themselves",
                )?;
            }
        }
        Body::Organization(o) => {
            short("industry", &o.industry)?;
            if let Some(w) = &o.website {
                url("website", w)?;
            }
            short("location", &o.location)?;
            one_to_five("motivation", o.motivation)?;
            web_links("links", &o.links)?;
            tags(&o.tags)?;
            prose("notes", o.notes.as_str())?;
        }
        Body::Goal(g) => {
            short("target_role", &g.target_role)?;
            short("target_industry", &g.target_industry)?;
            one_to_five("priority", g.priority)?;
            prose("notes", g.notes.as_str())?;
        }
        Body::Meeting(m) => {
            time_zone("time_zone", &m.time_zone)?;
            short("place", &m.place)?;
            if let Some(min) = m.planned_minutes
                && !MEETING_MINUTES.contains(&min)
            {
                fail(
                    "planned_minutes",
                    format!(
                        "{min} minutes is out of range: plan {} to {} minutes (15, 20 or 30 is usual)",
                        MEETING_MINUTES.start(),
                        MEETING_MINUTES.end()
                    ),
                )?;
            }
            if let (Some(s), Some(e)) = (m.started_at, m.ended_at)
                && e < s
            {
                fail("ended_at", "the meeting cannot end before it started")?;
            }
            prose("agenda", m.agenda.as_str())?;
            prose("notes", m.notes.as_str())?;
            for (i, a) in m.answers.iter().enumerate() {
                prose(&format!("answers[{i}].text"), &a.text)?;
            }
            for (i, t) in m.takeaways.iter().enumerate() {
                if t.text.trim().is_empty() {
                    fail(format!("takeaways[{i}].text"), "a takeaway needs some text")?;
                }
                prose(&format!("takeaways[{i}].text"), &t.text)?;
            }
        }
        Body::Outreach(o) => {
            short("subject", &o.subject)?;
            prose("body", o.body.as_str())?;
            if let (Some(s), Some(r)) = (o.sent_at, o.replied_at)
                && r < s
            {
                fail(
                    "replied_at",
                    "the reply cannot come before the message was sent",
                )?;
            }
        }
        Body::Task(t) => prose("notes", t.notes.as_str())?,
        Body::Question(_) => {}
        Body::Template(t) => {
            short("subject", &t.subject)?;
            prose("body", t.body.as_str())?;
        }
        Body::Profile(p) => {
            short("background", &p.background)?;
            short("ask", &p.ask)?;
            time_zone("time_zone", &p.time_zone)?;
            if let Some(h) = &p.hours
                && let Err(m) = crate::records::parse_hours(h)
            {
                fail("hours", m)?;
            }
            prose("my_story", p.my_story.as_str())?;
            relays(&p.relays)?;
        }
        Body::Device(d) => {
            if d.key.len() != 64 || !d.key.bytes().all(|b| b.is_ascii_hexdigit()) {
                fail("key", "a device key is 64 hex digits (its public key)")?;
            }
            for (i, a) in d.addresses.iter().enumerate() {
                if a.parse::<std::net::SocketAddr>().is_err() {
                    fail(
                        format!("addresses[{i}]"),
                        format!("'{a}' is not an address such as 192.168.1.20:4433"),
                    )?;
                }
            }
            relays(&d.relays)?;
        }
    }
    name(name_field, record.body.display_name())?;
    for (field, id, want) in record.body.links() {
        if id == record.id() && want != Kind::Person {
            fail(&field, "a record cannot link to itself")?;
        }
        match links.kind_of(id) {
            None => fail(&field, format!("there is no {} with id {id}", want.label()))?,
            Some(k) if k != want => fail(&field, format!("{id} is {}, not {}", k.a(), want.a()))?,
            Some(_) => {}
        }
    }
    Ok(())
}

fn name(field: &str, value: &str) -> Rule {
    if value.trim().is_empty() {
        return fail(field, format!("the {field} must not be empty"));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return fail(
            field,
            format!("the {field} is longer than {MAX_NAME_CHARS} characters"),
        );
    }
    if value.chars().any(char::is_control) {
        return fail(field, format!("the {field} must fit on one line"));
    }
    Ok(())
}

fn relays(list: &[String]) -> Rule {
    if list.len() > MAX_DEVICE_RELAYS {
        return fail("relays", format!("at most {MAX_DEVICE_RELAYS} relays"));
    }
    for (i, r) in list.iter().enumerate() {
        if let Err(why) = relay_url(r) {
            fail(format!("relays[{i}]"), why)?;
        }
    }
    Ok(())
}

fn short(field: &str, value: &Option<String>) -> Rule {
    if let Some(v) = value
        && v.chars().count() > MAX_SHORT_CHARS
    {
        return fail(field, format!("longer than {MAX_SHORT_CHARS} characters"));
    }
    Ok(())
}

fn prose(field: &str, value: &str) -> Rule {
    if value.len() > MAX_PROSE_BYTES {
        return fail(field, format!("longer than {} KiB", MAX_PROSE_BYTES / 1024));
    }
    Ok(())
}

fn one_to_five(field: &str, value: Option<u8>) -> Rule {
    match value {
        Some(v) if !(1..=5).contains(&v) => fail(field, format!("{v} is out of range: use 1 to 5")),
        _ => Ok(()),
    }
}

fn at_most(field: &str, n: usize) -> Rule {
    if n > MAX_LIST_ITEMS {
        return fail(
            field,
            format!("{n} entries: a record keeps at most {MAX_LIST_ITEMS}"),
        );
    }
    Ok(())
}

fn tags(tags: &[String]) -> Rule {
    at_most("tags", tags.len())?;
    for (i, t) in tags.iter().enumerate() {
        if t.trim().is_empty() {
            return fail(format!("tags[{i}]"), "a tag must not be empty");
        }
        if t.chars().count() > 60 {
            return fail(format!("tags[{i}]"), "a tag is at most 60 characters");
        }
    }
    Ok(())
}

fn contact_points(
    field: &str,
    points: &[ContactPoint],
    check: fn(&str) -> Result<(), String>,
) -> Rule {
    at_most(field, points.len())?;
    let mut seen = std::collections::HashSet::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        check(&p.value).or_else(|m| fail(format!("{field}[{i}]"), m))?;
        if !seen.insert(p.value.to_lowercase()) {
            return fail(
                format!("{field}[{i}]"),
                format!("'{}' is listed twice", p.value),
            );
        }
    }
    Ok(())
}

fn web_links(field: &str, links: &[Link]) -> Rule {
    at_most(field, links.len())?;
    for (i, l) in links.iter().enumerate() {
        url(&format!("{field}[{i}]"), &l.url)?;
    }
    Ok(())
}

/// How many relays a device record may list (a user runs one or two).
pub const MAX_DEVICE_RELAYS: usize = 4;

/// A relay is an `http` or `https` URL with a host, as `iroh-relay` serves it.
pub fn relay_url(value: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "'{value}' is not a relay URL such as https://relay.example.org"
        ))
    };
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    let Some(rest) = rest else {
        return bad();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty()
        || value.len() > 300
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return bad();
    }
    Ok(())
}

/// A deliberately plain check: one `@`, something before it, a dotted domain after it, no spaces.
/// Good enough to catch typos without refusing real but unusual addresses.
pub fn email(value: &str) -> Result<(), String> {
    let bad = || {
        Err(format!(
            "'{value}' is not an email address (expected name@example.org)"
        ))
    };
    let Some((local, domain)) = value.split_once('@') else {
        return bad();
    };
    if local.is_empty()
        || domain.contains('@')
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
        || !domain.contains('.')
        || domain.starts_with('.')
        || domain.ends_with('.')
        || domain.contains("..")
        || value.len() > 254
    {
        return bad();
    }
    Ok(())
}

/// Digits with the usual separators and an optional leading `+`; 3 to 20 digits.
pub fn phone(value: &str) -> Result<(), String> {
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = |c: char| c.is_ascii_digit() || " +-().".contains(c);
    let body = value.trim();
    // A `+` only first (by character: slicing at byte 1 split a multi-byte first character).
    let plus_ok = !body.chars().skip(1).any(|c| c == '+');
    if !(3..=20).contains(&digits) || !body.chars().all(allowed) || !plus_ok {
        return Err(format!(
            "'{value}' is not a phone number (expected digits such as +44 20 7946 0958)"
        ));
    }
    Ok(())
}

fn url(field: &str, value: &str) -> Rule {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(r)
            if !r.is_empty() && !r.starts_with('/') && !value.chars().any(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => fail(
            field,
            format!("'{value}' is not a web address (expected https://…)"),
        ),
    }
}

fn time_zone(field: &str, value: &Option<String>) -> Rule {
    if let Some(tz) = value
        && jiff::tz::TimeZone::get(tz).is_err()
    {
        return fail(
            field,
            format!("'{tz}' is not a time zone (use an IANA name such as Europe/Paris)"),
        );
    }
    Ok(())
}
