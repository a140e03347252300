//! What each record asks of the user, and when: the entries of the store's agenda index, kept
//! in the same write as the record so that Today reads what is due without reading the vault.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::records::{Body, Record};
use crate::workflow::pipeline;
use crate::{MeetingStatus, OutreachStatus, TemplatePurpose, Timestamp};

/// A kind of thing that falls due. The order is Today's order of importance among things due
/// at once (a meeting first, then a thank-you, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// A meeting not yet held, at its start.
    Meeting,
    /// The thank-you after a held meeting, 24 hours after it ended.
    ThankYou,
    /// A first request without a reply, from when it was sent (3B7 counts from there).
    Request,
    /// A check-in with someone, when their keep-in-touch cadence runs out.
    CheckIn,
    /// An open task, at its due date.
    Task,
}

impl Due {
    pub const ALL: [Due; 5] = [
        Due::Meeting,
        Due::ThankYou,
        Due::Request,
        Due::CheckIn,
        Due::Task,
    ];

    /// A byte for the index key.
    pub fn tag(self) -> u8 {
        match self {
            Due::Meeting => b'm',
            Due::ThankYou => b't',
            Due::Request => b'r',
            Due::CheckIn => b'c',
            Due::Task => b'k',
        }
    }
}

/// What `record` asks for and when. A deleted record asks for nothing.
pub fn entries(record: &Record) -> Vec<(Due, Timestamp)> {
    if record.is_deleted() {
        return Vec::new();
    }
    let mut out = Vec::new();
    match &record.body {
        Body::Meeting(m) if m.status != Some(MeetingStatus::Cancelled) => {
            if m.ended_at.is_none()
                && let Some(start) = m.start
            {
                out.push((Due::Meeting, start));
            }
            if let Some(due) = pipeline::thank_you_due(m) {
                out.push((Due::ThankYou, due));
            }
        }
        Body::Outreach(o)
            if o.status == Some(OutreachStatus::Sent)
                && o.replied_at.is_none()
                && o.purpose.is_none_or(|p| p == TemplatePurpose::Outreach) =>
        {
            out.extend(o.sent_at.map(|s| (Due::Request, s)));
        }
        Body::Task(t) if t.done_at.is_none() => {
            out.extend(t.due_at.map(|d| (Due::Task, d)));
        }
        Body::Person(p) if !p.stage().is_dead_end() => {
            out.extend(pipeline::check_in_due(p).map(|d| (Due::CheckIn, d)));
        }
        _ => {}
    }
    out
}
