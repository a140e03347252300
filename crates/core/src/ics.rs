//! Calendar export (RFC 5545, written with the `icalendar` crate): one meeting, or every
//! upcoming meeting (VEVENT) and every open task with a due date (VTODO). A meeting agreed in a
//! time zone is written in that zone's local time with its TZID, and the calendar carries a
//! VTIMEZONE for it built from the time zone database, so a calendar app shows it at the time
//! both sides agreed even if the zone's rules change; everything else is in UTC.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use icalendar::{
    Calendar, CalendarDateTime, Component, Event, EventLike, EventStatus, Todo, TodoStatus,
};
use jiff::tz::{Offset, TimeZone};
use rapport_model::{Body, Kind, Medium, MeetingStatus, RecordId, Timestamp};

use crate::{ApiError, ErrorCode, Rapport};

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

fn utc(t: Timestamp) -> Result<DateTime<Utc>, ApiError> {
    DateTime::<Utc>::from_timestamp_millis(t.as_millis())
        .ok_or_else(|| internal(format!("time out of range: {t}")))
}

fn jiff_ts(t: Timestamp) -> Result<jiff::Timestamp, ApiError> {
    jiff::Timestamp::from_millisecond(t.as_millis()).map_err(internal)
}

/// `+0100`, `-0530` (RFC 5545's UTC-OFFSET; seconds only when there are any).
fn utc_offset(o: Offset) -> String {
    let s = o.seconds();
    let sign = if s < 0 { '-' } else { '+' };
    let s = s.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

fn local(t: jiff::Timestamp, offset: Offset) -> jiff::civil::DateTime {
    offset.to_datetime(t)
}

fn naive(d: jiff::civil::DateTime) -> Result<NaiveDateTime, ApiError> {
    chrono::NaiveDate::from_ymd_opt(i32::from(d.year()), d.month() as u32, d.day() as u32)
        .and_then(|day| day.and_hms_opt(d.hour() as u32, d.minute() as u32, d.second() as u32))
        .ok_or_else(|| internal(format!("date out of range: {d}")))
}

/// A VTIMEZONE for `tz` covering `from..=to`: the rule in force at `from`, then every change
/// up to `to`, each as an observance with its own onset (no recurrence rules to get wrong).
fn vtimezone(name: &str, tz: &TimeZone, from: jiff::Timestamp, to: jiff::Timestamp) -> String {
    let mut out = format!("BEGIN:VTIMEZONE\r\nTZID:{name}\r\n");
    let mut transitions: Vec<_> = tz.preceding(from).take(1).collect();
    transitions.extend(tz.following(from).take_while(|t| t.timestamp() <= to));
    let mut push =
        |kind: &str, onset: jiff::civil::DateTime, before: Offset, after: Offset, abbr: &str| {
            out.push_str(&format!(
                "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
                onset.strftime("%Y%m%dT%H%M%S"),
                utc_offset(before),
                utc_offset(after),
            ));
            if !abbr.is_empty()
                && abbr
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-".contains(c))
            {
                out.push_str(&format!("TZNAME:{abbr}\r\n"));
            }
            out.push_str(&format!("END:{kind}\r\n"));
        };
    if transitions.is_empty() {
        // A zone that never changed (UTC, or a fixed offset).
        let info = tz.to_offset_info(from);
        let epoch = jiff::civil::date(1970, 1, 1).at(0, 0, 0, 0);
        push(
            "STANDARD",
            epoch,
            info.offset(),
            info.offset(),
            info.abbreviation(),
        );
    }
    for t in transitions {
        let before = tz.to_offset(t.timestamp() - jiff::SignedDuration::from_secs(1));
        let kind = if t.dst().is_dst() {
            "DAYLIGHT"
        } else {
            "STANDARD"
        };
        push(
            kind,
            local(t.timestamp(), before),
            before,
            t.offset(),
            t.abbreviation(),
        );
    }
    out.push_str("END:VTIMEZONE\r\n");
    out
}

impl Rapport {
    /// An iCalendar file with one meeting (`Some(id)`), or every meeting from today on and
    /// every open task that has a due date.
    pub async fn calendar_ics(&self, only: Option<RecordId>) -> Result<String, ApiError> {
        let meetings = match only {
            Some(id) => vec![self.get_kind(id, Kind::Meeting).await?],
            None => self.list_all(Kind::Meeting).await?,
        };
        let now = self.clock().now();
        let today_start =
            Timestamp::from_millis(now.as_millis() - now.as_millis().rem_euclid(86_400_000));
        let mut cal = Calendar::new();
        cal.name(if only.is_some() {
            "Rapport meeting"
        } else {
            "Rapport meetings and tasks"
        });
        // Zone name → (zone, first and last time it is used).
        let mut zones: BTreeMap<String, (TimeZone, jiff::Timestamp, jiff::Timestamp)> =
            BTreeMap::new();
        // People's names: one person for one meeting, everyone for the whole calendar.
        let names = match meetings.first().map(|r| &r.body) {
            Some(Body::Meeting(m)) if only.is_some() => match m.person_id {
                Some(p) => self
                    .get(p)
                    .await
                    .map(|r| [(p, r.body.display_name().to_string())].into())
                    .unwrap_or_default(),
                None => Default::default(),
            },
            _ => self.display_names(&[Kind::Person]).await?,
        };
        for r in meetings {
            let Body::Meeting(m) = &r.body else { continue };
            if m.status == Some(MeetingStatus::Cancelled) && only.is_none() {
                continue;
            }
            let Some(start) = m
                .start
                .or_else(|| m.proposed_slots.first().map(|s| s.start))
            else {
                if only.is_some() {
                    return Err(ApiError::validation(
                        "start",
                        "the meeting has no time yet: set --start or a proposed slot",
                    ));
                }
                continue;
            };
            if only.is_none() && start < today_start {
                continue;
            }
            let minutes = i64::from(m.planned_minutes.unwrap_or(30));
            let end = Timestamp::from_millis(start.as_millis() + minutes * 60_000);
            let with = m.person_id.and_then(|p| names.get(&p));
            let mut description = vec!["Informational interview".to_string()];
            if let Some(w) = with {
                description.push(format!("with {w}"));
            }
            if let Some(md) = m.medium {
                description.push(format!("({})", md.as_str()));
            }
            let mut text = description.join(" ");
            if let Some(tz) = &m.time_zone {
                text.push_str(&format!("\nAgreed in the {tz} time zone."));
            }
            if !m.agenda.is_empty() {
                text.push_str(&format!("\nAgenda: {}", m.agenda.as_str()));
            }
            let mut e = Event::new();
            e.uid(&format!("{}@rapport", r.id()))
                .summary(&m.title)
                .description(&text)
                .timestamp(utc(r.meta.updated_at)?)
                .status(match m.status {
                    Some(MeetingStatus::Confirmed | MeetingStatus::Held) => EventStatus::Confirmed,
                    Some(MeetingStatus::Cancelled) => EventStatus::Cancelled,
                    _ => EventStatus::Tentative,
                });
            let zone = m
                .time_zone
                .as_ref()
                .and_then(|name| Some((name, TimeZone::get(name).ok()?)));
            match zone {
                Some((name, tz)) => {
                    let (s, en) = (jiff_ts(start)?, jiff_ts(end)?);
                    let at = |t: jiff::Timestamp| -> Result<CalendarDateTime, ApiError> {
                        Ok(CalendarDateTime::WithTimezone {
                            date_time: naive(local(t, tz.to_offset(t)))?,
                            tzid: name.clone(),
                        })
                    };
                    e.starts(at(s)?).ends(at(en)?);
                    let span = zones.entry(name.clone()).or_insert((tz.clone(), s, en));
                    span.1 = span.1.min(s);
                    span.2 = span.2.max(en);
                }
                None => {
                    e.starts(utc(start)?).ends(utc(end)?);
                }
            }
            match (&m.place, m.medium) {
                (Some(place), _) => {
                    e.location(place);
                }
                (None, Some(Medium::Phone)) => {
                    e.location("Phone call");
                }
                (None, Some(Medium::Video)) => {
                    e.location("Video call");
                }
                _ => {}
            }
            cal.push(e.done());
        }
        if only.is_none() {
            for r in self.list_all(Kind::Task).await? {
                let Body::Task(t) = &r.body else { continue };
                let (Some(due), None) = (t.due_at, t.done_at) else {
                    continue;
                };
                let mut todo = Todo::new();
                todo.uid(&format!("{}@rapport", r.id()))
                    .summary(&t.title)
                    .due(utc(due)?)
                    .timestamp(utc(r.meta.updated_at)?)
                    .status(TodoStatus::NeedsAction);
                let mut text = Vec::new();
                if let Some(p) = t.person_id.and_then(|p| names.get(&p)) {
                    text.push(format!("With {p}."));
                }
                if !t.notes.is_empty() {
                    text.push(t.notes.as_str().to_string());
                }
                if !text.is_empty() {
                    todo.description(&text.join("\n"));
                }
                cal.push(todo.done());
            }
        }
        if !zones.is_empty() {
            let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:rapport\r\n");
            for (name, (tz, from, to)) in &zones {
                text.push_str(&vtimezone(name, tz, *from, *to));
            }
            text.push_str("END:VCALENDAR\r\n");
            let parsed = Calendar::from_str(&text).map_err(internal)?;
            // Time zones first, as calendar apps expect them before their first use.
            cal.components.splice(0..0, parsed.components);
        }
        Ok(cal.done().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_rfc5545_form() {
        assert_eq!(utc_offset(Offset::from_seconds(3600).unwrap()), "+0100");
        assert_eq!(utc_offset(Offset::from_seconds(-19800).unwrap()), "-0530");
        assert_eq!(utc_offset(Offset::from_seconds(0).unwrap()), "+0000");
    }

    #[test]
    fn a_vtimezone_spans_the_changes_in_range() {
        let tz = TimeZone::get("Europe/Paris").unwrap();
        let from: jiff::Timestamp = "2026-01-10T10:00:00Z".parse().unwrap();
        let to: jiff::Timestamp = "2026-12-10T10:00:00Z".parse().unwrap();
        let v = vtimezone("Europe/Paris", &tz, from, to);
        // In force since October 2025, then summer time in March and winter time in October.
        assert!(v.contains("DTSTART:20251026T030000"), "{v}");
        assert!(v.contains("BEGIN:DAYLIGHT\r\nDTSTART:20260329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"), "{v}");
        assert!(
            v.contains("DTSTART:20261025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"),
            "{v}"
        );
        let utc = vtimezone("UTC", &TimeZone::UTC, from, to);
        assert!(
            utc.contains("TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000"),
            "{utc}"
        );
    }
}
