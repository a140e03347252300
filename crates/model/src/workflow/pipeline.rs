//! The pipeline a person moves through, derived from the facts (messages, meetings, thanks)
//! and settable by hand.

use crate::records::{Body, Meeting, Outreach, Person, Record, Task};
use crate::{MeetingStatus, OutreachStatus, Stage, TaskKind, Timestamp};

/// The stage the facts imply. A held meeting means met, a thank-you means thanked, a check-in
/// or update after that means keeping in touch; before any meeting, the furthest message or
/// meeting step counts.
pub fn derive_stage(
    person: &Person,
    outreach: &[&Outreach],
    meetings: &[&Meeting],
    tasks: &[&Task],
) -> Stage {
    let live_meetings = meetings
        .iter()
        .filter(|m| m.status != Some(MeetingStatus::Cancelled));
    let mut stage = if person.research_notes.is_empty() && person.links.is_empty() {
        Stage::Identified
    } else {
        Stage::Researching
    };
    for o in outreach {
        match o.status {
            Some(OutreachStatus::Draft) | None => bump(&mut stage, Stage::OutreachDrafted),
            Some(OutreachStatus::Sent) | Some(OutreachStatus::Replied) => {
                bump(&mut stage, Stage::Requested)
            }
            Some(OutreachStatus::Declined) => {
                if stage.rank() < Stage::Scheduled.rank() {
                    stage = Stage::Declined;
                }
            }
        }
    }
    let mut thanked_at: Option<Timestamp> = None;
    for m in live_meetings {
        let held = m.status == Some(MeetingStatus::Held) || m.ended_at.is_some();
        match (held, m.status) {
            (true, _) => {
                bump(&mut stage, Stage::Met);
                if let Some(t) = m.thanked_at {
                    bump(&mut stage, Stage::Thanked);
                    thanked_at = Some(thanked_at.map_or(t, |x| x.max(t)));
                }
            }
            (false, Some(MeetingStatus::Confirmed)) => bump(&mut stage, Stage::Confirmed),
            _ => bump(&mut stage, Stage::Scheduled),
        }
    }
    if let Some(thanked) = thanked_at {
        let kept_in_touch = tasks.iter().any(|t| {
            matches!(t.task_kind, Some(TaskKind::CheckIn | TaskKind::GiveBack))
                && t.done_at.is_some_and(|d| d > thanked)
        }) || outreach
            .iter()
            .any(|o| o.sent_at.is_some_and(|s| s > thanked));
        if kept_in_touch {
            bump(&mut stage, Stage::KeepingInTouch);
        }
    }
    stage
}

fn bump(stage: &mut Stage, s: Stage) {
    if s.rank() > stage.rank() || stage.is_dead_end() {
        *stage = s;
    }
}

/// The stage to show: the facts, unless the user set a later stage by hand (or closed the
/// pipeline as declined or no reply before any meeting).
pub fn effective_stage(manual: Option<Stage>, derived: Stage) -> Stage {
    match manual {
        Some(m) if m.is_dead_end() => {
            if derived.rank() >= Stage::Scheduled.rank() && !derived.is_dead_end() {
                derived
            } else {
                m
            }
        }
        Some(m) if m.rank() > derived.rank() && !derived.is_dead_end() => m,
        _ => derived,
    }
}

/// The latest interaction the facts show (a held meeting, a message sent, a check-in or
/// give-back done): it resets the keep-in-touch clock.
pub fn last_interaction(
    outreach: &[&Outreach],
    meetings: &[&Meeting],
    tasks: &[&Task],
) -> Option<Timestamp> {
    let sent = outreach.iter().filter_map(|o| o.replied_at.max(o.sent_at));
    let met = meetings.iter().filter_map(|m| {
        m.ended_at.or(if m.status == Some(MeetingStatus::Held) {
            m.start
        } else {
            None
        })
    });
    let done = tasks
        .iter()
        .filter(|t| {
            matches!(
                t.task_kind,
                Some(
                    TaskKind::CheckIn
                        | TaskKind::GiveBack
                        | TaskKind::ThankYou
                        | TaskKind::FollowUp
                )
            )
        })
        .filter_map(|t| t.done_at);
    sent.chain(met).chain(done).max()
}

/// Everything about one person that moves them along: their messages, meetings and tasks.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub outreach: Vec<Outreach>,
    pub meetings: Vec<Meeting>,
    pub tasks: Vec<Task>,
}

impl Facts {
    /// Sorts the records about a person by kind; other records are ignored.
    pub fn from_records<'a>(records: impl IntoIterator<Item = &'a Record>) -> Self {
        let mut f = Facts::default();
        for r in records {
            match &r.body {
                Body::Outreach(o) => f.outreach.push(o.clone()),
                Body::Meeting(m) => f.meetings.push(m.clone()),
                Body::Task(t) => f.tasks.push(t.clone()),
                _ => {}
            }
        }
        f
    }

    /// The stage to show for `p` (see [`derive_stage`] and [`effective_stage`]).
    pub fn stage(&self, p: &Person) -> Stage {
        let (o, m, t) = self.refs();
        effective_stage(p.stage, derive_stage(p, &o, &m, &t))
    }

    /// See [`last_interaction`].
    pub fn last_interaction(&self) -> Option<Timestamp> {
        let (o, m, t) = self.refs();
        last_interaction(&o, &m, &t)
    }

    fn refs(&self) -> (Vec<&Outreach>, Vec<&Meeting>, Vec<&Task>) {
        (
            self.outreach.iter().collect(),
            self.meetings.iter().collect(),
            self.tasks.iter().collect(),
        )
    }
}

/// The default days between check-ins.
pub const DEFAULT_CADENCE_DAYS: u16 = 90;

/// When the next check-in with this person is due, if they have been met or contacted.
pub fn check_in_due(person: &Person) -> Option<Timestamp> {
    let last = person.last_interaction_at?;
    let days = i64::from(person.cadence_days.unwrap_or(DEFAULT_CADENCE_DAYS));
    Some(Timestamp::from_millis(last.as_millis() + days * 86_400_000))
}

/// A thank-you is due this long after a meeting ends.
pub const THANK_YOU_WITHIN_MS: i64 = 24 * 3_600_000;

/// When the thank-you for a held meeting is due (none once sent, or before the meeting ended).
pub fn thank_you_due(m: &Meeting) -> Option<Timestamp> {
    if m.thanked_at.is_some() || m.status == Some(MeetingStatus::Cancelled) {
        return None;
    }
    let ended = m.ended_at?;
    Some(Timestamp::from_millis(
        ended.as_millis() + THANK_YOU_WITHIN_MS,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Prose;

    fn t(ms: i64) -> Timestamp {
        Timestamp::from_millis(ms)
    }

    #[test]
    fn facts_move_a_person_along() {
        let mut p = Person {
            name: "Ada".into(),
            ..Default::default()
        };
        assert_eq!(derive_stage(&p, &[], &[], &[]), Stage::Identified);
        p.research_notes = Prose::new("Leads grid planning.");
        assert_eq!(derive_stage(&p, &[], &[], &[]), Stage::Researching);
        let mut o = Outreach {
            title: "Ask".into(),
            status: Some(OutreachStatus::Draft),
            ..Default::default()
        };
        assert_eq!(derive_stage(&p, &[&o], &[], &[]), Stage::OutreachDrafted);
        o.status = Some(OutreachStatus::Sent);
        o.sent_at = Some(t(1_000));
        assert_eq!(derive_stage(&p, &[&o], &[], &[]), Stage::Requested);
        let mut m = Meeting {
            title: "Coffee".into(),
            status: Some(MeetingStatus::Proposed),
            ..Default::default()
        };
        assert_eq!(derive_stage(&p, &[&o], &[&m], &[]), Stage::Scheduled);
        m.status = Some(MeetingStatus::Confirmed);
        assert_eq!(derive_stage(&p, &[&o], &[&m], &[]), Stage::Confirmed);
        m.status = Some(MeetingStatus::Held);
        m.ended_at = Some(t(5_000));
        assert_eq!(
            derive_stage(&p, &[&o], &[&m], &[]),
            Stage::Met,
            "a held meeting means met"
        );
        m.thanked_at = Some(t(6_000));
        assert_eq!(derive_stage(&p, &[&o], &[&m], &[]), Stage::Thanked);
        let check_in = Task {
            title: "Check in".into(),
            task_kind: Some(TaskKind::CheckIn),
            done_at: Some(t(9_000)),
            ..Default::default()
        };
        assert_eq!(
            derive_stage(&p, &[&o], &[&m], &[&check_in]),
            Stage::KeepingInTouch
        );
        assert_eq!(last_interaction(&[&o], &[&m], &[&check_in]), Some(t(9_000)));
    }

    #[test]
    fn a_decline_ends_the_pipeline_unless_a_meeting_follows() {
        let p = Person {
            name: "Ada".into(),
            ..Default::default()
        };
        let o = Outreach {
            title: "Ask".into(),
            status: Some(OutreachStatus::Declined),
            ..Default::default()
        };
        assert_eq!(derive_stage(&p, &[&o], &[], &[]), Stage::Declined);
        let m = Meeting {
            title: "Call".into(),
            status: Some(MeetingStatus::Held),
            ..Default::default()
        };
        assert_eq!(derive_stage(&p, &[&o], &[&m], &[]), Stage::Met);
    }

    #[test]
    fn a_stage_set_by_hand_wins_only_when_it_is_further() {
        assert_eq!(
            effective_stage(Some(Stage::Scheduled), Stage::Requested),
            Stage::Scheduled
        );
        assert_eq!(
            effective_stage(Some(Stage::Researching), Stage::Met),
            Stage::Met
        );
        assert_eq!(
            effective_stage(Some(Stage::NoReply), Stage::Requested),
            Stage::NoReply
        );
        assert_eq!(
            effective_stage(Some(Stage::NoReply), Stage::Met),
            Stage::Met
        );
        assert_eq!(effective_stage(None, Stage::Identified), Stage::Identified);
    }

    #[test]
    fn thank_you_and_check_in_due_dates() {
        let m = Meeting {
            title: "Call".into(),
            status: Some(MeetingStatus::Held),
            ended_at: Some(t(0)),
            ..Default::default()
        };
        assert_eq!(thank_you_due(&m), Some(t(24 * 3_600_000)));
        let thanked = Meeting {
            thanked_at: Some(t(1)),
            ..m.clone()
        };
        assert_eq!(thank_you_due(&thanked), None);
        let mut p = Person {
            name: "Ada".into(),
            last_interaction_at: Some(t(0)),
            ..Default::default()
        };
        assert_eq!(check_in_due(&p), Some(t(90 * 86_400_000)));
        p.cadence_days = Some(30);
        assert_eq!(check_in_due(&p), Some(t(30 * 86_400_000)));
    }
}
