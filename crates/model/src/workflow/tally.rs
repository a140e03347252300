//! What each record adds to Progress's counts (its facets), so the store can keep the counts in
//! the same write as the record and Progress reads them instead of the vault.

use crate::records::{Body, Record};
use crate::{MeetingStatus, Stage};

/// The facets `record` counts under: a person's stage and the funnel steps they reached, the
/// UTC hour of a held conversation, a reply's delay in minutes, a conversation that
/// left takeaways.
pub fn facets(record: &Record) -> Vec<String> {
    if record.is_deleted() {
        return Vec::new();
    }
    let mut out = Vec::new();
    match &record.body {
        Body::Person(p) => {
            let s = p.stage();
            out.push(format!("stage:{s}"));
            let reached = |x: Stage| !s.is_dead_end() && s.rank() >= x.rank();
            out.push("funnel:1-identified".into());
            if reached(Stage::Requested) || s.is_dead_end() {
                out.push("funnel:2-contacted".into());
            }
            if reached(Stage::Scheduled) || s == Stage::Declined {
                out.push("funnel:3-replied".into());
            }
            if reached(Stage::Met) {
                out.push("funnel:4-met".into());
            }
            if reached(Stage::Thanked) {
                out.push("funnel:5-thanked".into());
            }
        }
        Body::Meeting(m) => {
            let held = m.status == Some(MeetingStatus::Held) || m.ended_at.is_some();
            if held && let Some(at) = m.started_at.or(m.start).or(m.ended_at) {
                // By UTC hour, so Progress can place it in the user's local week exactly (to
                // the half hour in the few zones off by 30 or 45 minutes).
                out.push(format!("held:{}", at.to_jiff().strftime("%Y-%m-%dT%H")));
            }
            if !m.takeaways.is_empty() {
                out.push("learned".into());
            }
        }
        Body::Outreach(o) => {
            if let (Some(sent), Some(replied)) = (o.sent_at, o.replied_at) {
                let minutes = (replied.as_millis() - sent.as_millis()) / 60_000;
                if minutes >= 0 {
                    out.push(format!("reply:{minutes:09}"));
                }
            }
        }
        _ => {}
    }
    out
}
