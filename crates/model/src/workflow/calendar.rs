//! Business days, in the user's time zone: the 3B7 rule counts them, and weekends do not count.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;

use crate::Timestamp;

fn is_business_day(d: Date) -> bool {
    !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// The calendar date of `t` in `tz`.
pub fn local_date(t: Timestamp, tz: &TimeZone) -> Date {
    t.to_jiff().to_zoned(tz.clone()).date()
}

/// Business days that have passed since `from`, as of `now`, in `tz`: the number of Monday–Friday
/// dates after `from`'s date up to and including `now`'s date. A message sent on a Friday has
/// 1 business day behind it on Monday, 3 on Wednesday.
/// The day a due time stands for when it was given as a date without a time ("due
/// 2026-12-07"): such dates are stored as midnight UTC, and mean the whole of that day wherever
/// the user is. None for a due time with a time of day.
pub fn due_day(t: Timestamp) -> Option<Date> {
    let z = t.to_jiff().to_zoned(TimeZone::UTC);
    (z.time() == jiff::civil::Time::midnight()).then(|| z.date())
}

/// Whether something due at `due` is late at `now` for someone in `tz`: a day is late only once
/// it has passed there.
pub fn is_late(due: Timestamp, now: Timestamp, tz: &TimeZone) -> bool {
    match due_day(due) {
        Some(day) => day < local_date(now, tz),
        None => due < now,
    }
}

/// Whether something due at `due` is due by the end of `today` (a day, or a time before the
/// next day starts in `tz`).
pub fn due_by(due: Timestamp, today: Date, tz: &TimeZone) -> bool {
    match due_day(due) {
        Some(day) => day <= today,
        None => local_date(due, tz) <= today,
    }
}

pub fn business_days_between(from: Timestamp, now: Timestamp, tz: &TimeZone) -> u32 {
    let (start, end) = (local_date(from, tz), local_date(now, tz));
    if end <= start {
        return 0;
    }
    let mut n = 0;
    let mut d = start;
    while d < end {
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => break,
        };
        if is_business_day(d) {
            n += 1;
        }
    }
    n
}

/// The date `n` business days after `t`'s date, in `tz`.
pub fn add_business_days(t: Timestamp, n: u32, tz: &TimeZone) -> Date {
    let mut d = local_date(t, tz);
    let mut left = n;
    while left > 0 {
        d = match d.tomorrow() {
            Ok(next) => next,
            Err(_) => return d,
        };
        if is_business_day(d) {
            left -= 1;
        }
    }
    d
}

/// What the 3B7 rule suggests for a request that has had no reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "NudgeAdvice")]
pub enum Nudge {
    /// Fewer than 3 business days: keep waiting.
    Wait,
    /// 3 or more: contact a second person at the same organization.
    TryAnotherPerson,
    /// 7 or more: send the first person a polite follow-up.
    FollowUp,
}

/// The 3B7 rule: 3 business days without a reply → approach another person at the same
/// organization; 7 → follow up with the first.
pub fn three_b_seven(sent: Timestamp, now: Timestamp, tz: &TimeZone) -> (Nudge, u32) {
    let days = business_days_between(sent, now, tz);
    let nudge = match days {
        0..=2 => Nudge::Wait,
        3..=6 => Nudge::TryAnotherPerson,
        _ => Nudge::FollowUp,
    };
    (nudge, days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        Timestamp::from_jiff(s.parse::<jiff::Timestamp>().unwrap())
    }

    #[test]
    fn weekends_do_not_count() {
        let utc = TimeZone::UTC;
        // Friday 2026-11-20 → Monday 23rd is 1 business day, Wednesday 25th is 3.
        let fri = at("2026-11-20T16:00:00Z");
        assert_eq!(
            business_days_between(fri, at("2026-11-21T10:00:00Z"), &utc),
            0
        );
        assert_eq!(
            business_days_between(fri, at("2026-11-23T10:00:00Z"), &utc),
            1
        );
        assert_eq!(
            business_days_between(fri, at("2026-11-25T09:00:00Z"), &utc),
            3
        );
        assert_eq!(
            three_b_seven(fri, at("2026-11-24T09:00:00Z"), &utc).0,
            Nudge::Wait
        );
        assert_eq!(
            three_b_seven(fri, at("2026-11-25T09:00:00Z"), &utc).0,
            Nudge::TryAnotherPerson
        );
        assert_eq!(
            three_b_seven(fri, at("2026-12-01T09:00:00Z"), &utc),
            (Nudge::FollowUp, 7)
        );
        assert_eq!(add_business_days(fri, 3, &utc).to_string(), "2026-11-25");
    }

    #[test]
    fn days_are_counted_in_the_users_time_zone() {
        // 23:30 UTC on Friday is already Saturday in Tokyo: the clock starts on the weekend.
        let sent = at("2026-11-20T23:30:00Z");
        let tokyo = TimeZone::get("Asia/Tokyo").unwrap();
        let monday_tokyo = at("2026-11-23T01:00:00Z");
        assert_eq!(business_days_between(sent, monday_tokyo, &tokyo), 1);
        assert_eq!(business_days_between(sent, monday_tokyo, &TimeZone::UTC), 1);
        let la = TimeZone::get("America/Los_Angeles").unwrap();
        // In Los Angeles it is still Friday afternoon when sent; Monday 17:00 there is 1 day.
        assert_eq!(
            business_days_between(sent, at("2026-11-24T01:00:00Z"), &la),
            1
        );
    }

    #[test]
    fn a_dst_change_does_not_shift_the_count() {
        // Europe/Paris leaves summer time on Sunday 2026-10-25.
        let paris = TimeZone::get("Europe/Paris").unwrap();
        let sent = at("2026-10-22T08:00:00Z"); // Thursday
        assert_eq!(
            business_days_between(sent, at("2026-10-27T23:30:00Z"), &paris),
            4
        ); // Wed 00:30 local
        assert_eq!(
            business_days_between(sent, at("2026-10-27T22:30:00Z"), &paris),
            3
        ); // Tue 23:30 local
    }
}
