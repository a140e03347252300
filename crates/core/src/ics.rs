//! Calendar export (RFC 5545, written with the `icalendar` crate): one meeting, or every
//! upcoming one. Times are written in UTC, which every calendar reads; the meeting's own time
//! zone goes into the description.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use rapport_model::{Body, Kind, Medium, MeetingStatus, RecordId, Timestamp};

use crate::{ApiError, ErrorCode, Rapport};

fn utc(t: Timestamp) -> Result<DateTime<Utc>, ApiError> {
    DateTime::<Utc>::from_timestamp_millis(t.as_millis())
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, format!("time out of range: {t}")))
}

impl Rapport {
    /// An iCalendar file with one meeting (`Some(id)`) or every meeting from today on.
    pub async fn meetings_ics(&self, only: Option<RecordId>) -> Result<String, ApiError> {
        let meetings = match only {
            Some(id) => vec![self.get_kind(id, Kind::Meeting).await?],
            None => self.list_all(Kind::Meeting).await?,
        };
        let now = self.clock().now();
        let today_start =
            Timestamp::from_millis(now.as_millis() - now.as_millis().rem_euclid(86_400_000));
        let mut cal = Calendar::new();
        cal.name("Rapport meetings");
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
            let with = match m.person_id {
                Some(p) => self
                    .get(p)
                    .await
                    .map(|p| p.body.display_name().to_string())
                    .ok(),
                None => None,
            };
            let mut description = vec!["Informational interview".to_string()];
            if let Some(w) = &with {
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
                .starts(utc(start)?)
                .ends(utc(end)?)
                .timestamp(utc(r.meta.updated_at)?)
                .status(match m.status {
                    Some(MeetingStatus::Confirmed | MeetingStatus::Held) => EventStatus::Confirmed,
                    Some(MeetingStatus::Cancelled) => EventStatus::Cancelled,
                    _ => EventStatus::Tentative,
                });
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
        Ok(cal.done().to_string())
    }
}
