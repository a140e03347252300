//! Orderings the user works from: organizations LAMP-style, and who to contact next.

use serde::{Deserialize, Serialize};

use crate::records::{Organization, Person};
use crate::{Postings, Stage, Warmth};

/// LAMP order: an insider first (advocacy), then motivation, then relevant postings, then name.
pub fn lamp_key(o: &Organization) -> (bool, u8, u8, String) {
    let postings = match o.postings {
        Some(Postings::Relevant) => 3,
        Some(Postings::Unrelated) => 2,
        Some(Postings::Unknown) | None => 1,
        Some(Postings::None) => 0,
    };
    (
        !o.advocacy,
        5 - o.motivation.unwrap_or(0).min(5),
        3 - postings,
        o.name.to_lowercase(),
    )
}

/// Why someone is suggested as the next person to contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Someone the user knows referred them.
    WarmReferral,
    /// The user already knows them (warm or close).
    KnownToYou,
    /// Likely to say yes (4 or 5 out of 5).
    LikelyYes,
    /// Linked to one of the user's most important goals.
    TopGoal,
    /// Works at one of the user's best-scored organizations.
    TopOrganization,
    /// Not contacted yet.
    NotContacted,
}

/// What the ranking knows about one candidate beyond the person record.
#[derive(Clone, Copy, Debug, Default)]
pub struct Context {
    pub stage: Option<Stage>,
    /// The referrer has been met (or is warm/close to the user).
    pub referrer_is_warm: bool,
    /// The person is linked to an active goal of priority 1 or 2.
    pub on_top_goal: bool,
    /// Their organization is in the top LAMP scores (advocacy, or motivation ≥ 4).
    pub at_top_organization: bool,
}

/// The most that [`Context`] can add to a person's [`base_score`]: a warm referrer (+15 on a
/// referral), a top goal (+20), a top organization (+15).
pub const MOST_FROM_CONTEXT: u32 = 50;

/// The part of [`next_score`] a person's own record decides (their referrer taken as not warm),
/// or none if they are not someone to contact now: what the store indexes candidates by, so
/// that finding the best few reads a few records, not every person.
pub fn base_score(p: &Person) -> Option<u32> {
    let cx = Context {
        stage: Some(p.stage()),
        ..Context::default()
    };
    next_score(p, &cx).map(|(score, _)| score)
}

/// A score (higher first) and the reasons behind it, or none if they are not someone to contact
/// now (already contacted, declined…).
pub fn next_score(p: &Person, cx: &Context) -> Option<(u32, Vec<Reason>)> {
    let stage = cx.stage.unwrap_or(Stage::Identified);
    if stage.rank() > Stage::OutreachDrafted.rank() {
        return None;
    }
    let mut score = 1;
    let mut reasons = vec![Reason::NotContacted];
    if p.referred_by_id.is_some() {
        score += if cx.referrer_is_warm { 40 } else { 25 };
        reasons.insert(0, Reason::WarmReferral);
    }
    if matches!(p.warmth, Some(Warmth::Warm | Warmth::Close)) {
        score += 20;
        reasons.push(Reason::KnownToYou);
    }
    if let Some(l) = p.likelihood.filter(|l| *l >= 4) {
        score += 10 * u32::from(l);
        reasons.push(Reason::LikelyYes);
    } else if let Some(l) = p.likelihood {
        score += 3 * u32::from(l);
    }
    if cx.on_top_goal {
        score += 20;
        reasons.push(Reason::TopGoal);
    }
    if cx.at_top_organization {
        score += 15;
        reasons.push(Reason::TopOrganization);
    }
    Some((score, reasons))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lamp_puts_insiders_and_motivation_first() {
        let org = |name: &str, advocacy, motivation, postings| Organization {
            name: name.into(),
            advocacy,
            motivation: Some(motivation),
            postings: Some(postings),
            ..Default::default()
        };
        let mut orgs = [
            org("C", false, 5, Postings::Relevant),
            org("A", true, 2, Postings::None),
            org("B", false, 5, Postings::None),
            org("D", true, 4, Postings::Relevant),
        ];
        orgs.sort_by_key(lamp_key);
        let names: Vec<_> = orgs.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names, ["D", "A", "C", "B"]);
    }

    #[test]
    fn a_warm_referral_outranks_a_cold_name_and_the_contacted_drop_out() {
        let cold = Person {
            name: "Cold".into(),
            likelihood: Some(2),
            ..Default::default()
        };
        let referred = Person {
            name: "Ref".into(),
            referred_by_id: Some(crate::RecordId::from_bytes([1; 16])),
            ..Default::default()
        };
        let (a, _) = next_score(&cold, &Context::default()).unwrap();
        let (b, why) = next_score(
            &referred,
            &Context {
                referrer_is_warm: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(b > a);
        assert_eq!(why[0], Reason::WarmReferral);
        assert!(
            next_score(
                &cold,
                &Context {
                    stage: Some(Stage::Requested),
                    ..Default::default()
                }
            )
            .is_none()
        );
    }
}
