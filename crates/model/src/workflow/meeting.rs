//! Meeting mode: the clock against the planned length, and the order questions are asked in.

use serde::{Deserialize, Serialize};

use crate::{QuestionCategory, Tiara, Timestamp};

/// What the meeting clock says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    NotStarted,
    Running,
    /// Time to start closing: ask who else to talk to, thank them.
    WrapUp,
    /// The planned length is reached: offer to stop.
    AtTime,
    /// Past the planned length by more than a minute.
    Over,
    Ended,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Timer {
    pub elapsed_secs: i64,
    pub planned_secs: i64,
    pub remaining_secs: i64,
    pub signal: Signal,
}

/// The wrap-up cue comes this long before the end (less for short meetings).
pub fn wrap_up_secs(planned_secs: i64) -> i64 {
    if planned_secs <= 15 * 60 {
        3 * 60
    } else {
        5 * 60
    }
}

/// The meeting clock at `now`.
pub fn timer(
    started: Option<Timestamp>,
    ended: Option<Timestamp>,
    planned_minutes: u16,
    now: Timestamp,
) -> Timer {
    let planned_secs = i64::from(planned_minutes) * 60;
    let Some(start) = started else {
        return Timer {
            elapsed_secs: 0,
            planned_secs,
            remaining_secs: planned_secs,
            signal: Signal::NotStarted,
        };
    };
    let until = ended.unwrap_or(now);
    let elapsed_secs = ((until.as_millis() - start.as_millis()) / 1000).max(0);
    let remaining_secs = planned_secs - elapsed_secs;
    let signal = if ended.is_some() {
        Signal::Ended
    } else if remaining_secs < -60 {
        Signal::Over
    } else if remaining_secs <= 0 {
        Signal::AtTime
    } else if remaining_secs <= wrap_up_secs(planned_secs) {
        Signal::WrapUp
    } else {
        Signal::Running
    };
    Timer {
        elapsed_secs,
        planned_secs,
        remaining_secs,
        signal,
    }
}

/// Where a question sits in a conversation: small talk → trends → insights → advice →
/// resources → referrals.
pub fn phase(category: Option<QuestionCategory>, tiara: Option<Tiara>) -> u8 {
    match (category, tiara) {
        (Some(QuestionCategory::SmallTalk), _) => 0,
        (Some(QuestionCategory::Referrals), _) => 5,
        (Some(QuestionCategory::Trends), _) | (_, Some(Tiara::Trends)) => 1,
        (Some(QuestionCategory::Advice), _) | (_, Some(Tiara::Advice)) => 3,
        (Some(QuestionCategory::Resources), _)
        | (_, Some(Tiara::Resources | Tiara::Assignments)) => 4,
        _ => 2,
    }
}

/// Words that show the research already covers a category of question.
pub fn research_covers(category: Option<QuestionCategory>, research: &str) -> bool {
    use QuestionCategory::*;
    let words: &[&str] = match category {
        Some(Path) => &[
            "started",
            "moved to",
            "joined",
            "previously",
            "career",
            "before that",
        ],
        Some(Education) => &["degree", "studied", "university", "phd", "master", "certif"],
        Some(DayToDay) => &["day-to-day", "typical day", "daily", "their week"],
        Some(Culture) => &["culture", "values", "remote", "hybrid"],
        Some(Hiring) => &["hiring", "recruit", "interview process", "headcount"],
        Some(Trends) => &["trend", "future of", "growing", "shift"],
        Some(Challenges) => &["challenge", "struggl", "problem"],
        Some(Skills) => &["skills", "python", "sql", "certif", "tools"],
        _ => &[],
    };
    let r = research.to_lowercase();
    words.iter().any(|w| r.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_millis(secs * 1000)
    }

    #[test]
    fn the_clock_signals_wrap_up_then_time() {
        assert_eq!(timer(None, None, 20, t(0)).signal, Signal::NotStarted);
        assert_eq!(
            timer(Some(t(0)), None, 20, t(10 * 60)).signal,
            Signal::Running
        );
        assert_eq!(
            timer(Some(t(0)), None, 20, t(15 * 60)).signal,
            Signal::WrapUp
        );
        assert_eq!(
            timer(Some(t(0)), None, 15, t(11 * 60)).signal,
            Signal::Running
        );
        assert_eq!(
            timer(Some(t(0)), None, 15, t(12 * 60)).signal,
            Signal::WrapUp
        );
        let at = timer(Some(t(0)), None, 20, t(20 * 60 + 30));
        assert_eq!((at.signal, at.remaining_secs), (Signal::AtTime, -30));
        assert_eq!(timer(Some(t(0)), None, 20, t(22 * 60)).signal, Signal::Over);
        let done = timer(Some(t(0)), Some(t(18 * 60)), 20, t(99 * 60));
        assert_eq!((done.signal, done.elapsed_secs), (Signal::Ended, 18 * 60));
    }

    #[test]
    fn questions_run_from_small_talk_to_referrals() {
        use QuestionCategory::*;
        let order: Vec<u8> = [SmallTalk, Trends, DayToDay, Advice, Resources, Referrals]
            .iter()
            .map(|c| phase(Some(*c), None))
            .collect();
        assert_eq!(order, [0, 1, 2, 3, 4, 5]);
        assert!(research_covers(
            Some(Education),
            "Studied physics at Leeds, then a PhD."
        ));
        assert!(!research_covers(Some(Education), "Leads grid planning."));
    }
}
