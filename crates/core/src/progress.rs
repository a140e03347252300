//! Progress, read from the counters and small indexes the store keeps in the same write as the
//! records (`tally::facets`, the referral and takeaway indexes): what it costs follows what it
//! shows, not the size of the vault.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::tz::TimeZone;
use rapport_model::workflow::calendar;
use rapport_model::{Body, Record, RecordId, Stage, Timestamp};
use rapport_store::Store;

use crate::workflow::{Chain, ChainNode, Dashboard, Funnel, Rollup, Week};
use crate::{ApiError, Rapport};

/// The referral chains Progress shows, largest first; the others are only counted.
pub const SHOWN_CHAINS: usize = 20;
/// The roll-ups read the takeaways of this many conversations, the latest.
pub const ROLLUP_CONVERSATIONS: usize = 100;

impl Rapport {
    /// Progress: the funnel, conversations per week (the last 12 weeks, in `tz`), reply speed,
    /// the largest referral chains and what the latest conversations taught, by goal and
    /// industry.
    pub async fn dashboard(&self, tz: &TimeZone) -> Result<Dashboard, ApiError> {
        let store = self.store().clone();
        let now = self.clock().now();
        let tz = tz.clone();
        crate::api::blocking(move || progress(&store, now, &tz)).await
    }
}

fn progress(store: &Store, now: Timestamp, tz: &TimeZone) -> Result<Dashboard, ApiError> {
    let mut funnel = Funnel::default();
    for (step, n) in store.tallies("funnel:")? {
        match step.as_str() {
            "1-identified" => funnel.identified = n,
            "2-contacted" => funnel.contacted = n,
            "3-replied" => funnel.replied = n,
            "4-met" => funnel.met = n,
            "5-thanked" => funnel.thanked = n,
            _ => {}
        }
    }
    let stages = store.tallies("stage:")?.into_iter().collect();
    let (replies, reply_days_median) = median_reply(store.tallies("reply:")?);
    let referrals = store.referrals()?;
    let referred = referrals.len() as u32;
    let (referral_chains, chains_total) = chains(store, referrals)?;
    let learned = store.learned(ROLLUP_CONVERSATIONS)?;
    let (takeaways_by_goal, takeaways_by_industry) = rollups(store, &learned)?;
    let conversations_with_takeaways = store.tallies("learned")?.into_iter().map(|(_, n)| n).sum();
    Ok(Dashboard {
        funnel,
        per_week: per_week(store.tallies("held:")?, now, tz),
        referral_chains,
        chains_total,
        referred,
        stages,
        replies,
        reply_days_median,
        takeaways_by_goal,
        takeaways_by_industry,
        takeaways_from: learned.len() as u32,
        conversations_with_takeaways,
    })
}

fn monday_of(d: jiff::civil::Date) -> jiff::civil::Date {
    d.checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
        .unwrap_or(d)
}

/// The 12 weeks ending with this one, from the held-conversation counters (by UTC hour).
fn per_week(held: Vec<(String, u64)>, now: Timestamp, tz: &TimeZone) -> Vec<Week> {
    let this_monday = monday_of(calendar::local_date(now, tz));
    let mut weeks: Vec<Week> = (0..12)
        .rev()
        .filter_map(|w| this_monday.checked_sub(jiff::Span::new().weeks(w)).ok())
        .map(|d| Week {
            week_of: d.to_string(),
            conversations: 0,
        })
        .collect();
    let first = weeks.first().map(|w| w.week_of.clone()).unwrap_or_default();
    for (hour, n) in held {
        let Ok(at) = jiff::civil::DateTime::strptime("%Y-%m-%dT%H", &hour)
            .and_then(|dt| dt.to_zoned(TimeZone::UTC))
        else {
            continue;
        };
        let monday = monday_of(at.with_time_zone(tz.clone()).date()).to_string();
        if monday < first {
            continue;
        }
        if let Some(w) = weeks.iter_mut().find(|w| w.week_of == monday) {
            w.conversations += n as u32;
        }
    }
    weeks
}

/// How many replies, and the median time they took in days, from the reply counters (minutes,
/// in order).
fn median_reply(replies: Vec<(String, u64)>) -> (u32, Option<f64>) {
    let total: u64 = replies.iter().map(|(_, n)| n).sum();
    let mut seen = 0;
    for (minutes, n) in &replies {
        seen += n;
        if seen > total / 2 {
            return (
                total as u32,
                minutes.parse::<u64>().ok().map(|m| m as f64 / 1440.0),
            );
        }
    }
    (0, None)
}

/// A referral tree's shape, from the edges alone.
struct Shape {
    depth: u32,
    people: u32,
}

/// The largest referral chains (at most [`SHOWN_CHAINS`]) and how many there are. Sizes come
/// from the referral index; only the people of the chains shown are read.
fn chains(
    store: &Store,
    referrals: Vec<(RecordId, RecordId, bool)>,
) -> Result<(Vec<Chain>, u32), ApiError> {
    let mut children: HashMap<RecordId, Vec<RecordId>> = HashMap::new();
    let mut met: HashMap<RecordId, bool> = HashMap::new();
    for (referrer, referee, came_to_meet) in referrals {
        children.entry(referrer).or_default().push(referee);
        met.insert(referee, came_to_meet);
    }
    // A root referred others and was not referred by a live person. Every referee is live
    // (the index holds live people only); a referrer may be gone, and then the people it
    // referred who referred others start chains of their own.
    let mut roots = Vec::new();
    for referrer in children.keys().filter(|r| !met.contains_key(r)) {
        if store.kind_of(*referrer)? == Some(rapport_model::Kind::Person) {
            roots.push(*referrer);
        } else {
            roots.extend(
                children[referrer]
                    .iter()
                    .filter(|k| children.contains_key(k))
                    .copied(),
            );
        }
    }
    fn shape(
        id: RecordId,
        children: &HashMap<RecordId, Vec<RecordId>>,
        seen: &mut HashSet<RecordId>,
    ) -> Shape {
        seen.insert(id);
        let mut s = Shape {
            depth: 0,
            people: 1,
        };
        for k in children.get(&id).into_iter().flatten() {
            if seen.contains(k) {
                continue; // a cycle made by concurrent edits: count each person once
            }
            let c = shape(*k, children, seen);
            s.depth = s.depth.max(c.depth + 1);
            s.people += c.people;
        }
        s
    }
    let mut sized: Vec<(RecordId, Shape)> = roots
        .into_iter()
        .map(|r| (r, shape(r, &children, &mut HashSet::new())))
        .collect();
    sized.sort_by(|a, b| (b.1.people, b.1.depth, a.0).cmp(&(a.1.people, a.1.depth, b.0)));
    let total = sized.len() as u32;
    let mut shown = Vec::new();
    for (root, s) in sized.into_iter().take(SHOWN_CHAINS) {
        let mut people_met = 0;
        let node = build(store, root, &children, &mut HashSet::new(), &mut people_met)?;
        if let Some(root) = node {
            shown.push(Chain {
                root,
                depth: s.depth,
                people: s.people,
                met: people_met,
            });
        }
    }
    Ok((shown, total))
}

/// One shown chain with its people's names and stages, children by name.
fn build(
    store: &Store,
    id: RecordId,
    children: &HashMap<RecordId, Vec<RecordId>>,
    seen: &mut HashSet<RecordId>,
    people_met: &mut u32,
) -> Result<Option<ChainNode>, ApiError> {
    seen.insert(id);
    let Some(Body::Person(p)) = store.get(id)?.filter(|r| !r.is_deleted()).map(|r| r.body) else {
        return Ok(None);
    };
    let stage = p.stage();
    let met = stage.rank() >= Stage::Met.rank() && !stage.is_dead_end();
    *people_met += u32::from(met);
    let mut node = ChainNode {
        id,
        name: p.name,
        stage,
        met,
        children: Vec::new(),
    };
    for k in children.get(&id).into_iter().flatten() {
        if seen.contains(k) {
            continue;
        }
        node.children
            .extend(build(store, *k, children, seen, people_met)?);
    }
    node.children.sort_by_key(|c| c.name.to_lowercase());
    Ok(Some(node))
}

/// Takeaways of the given conversations grouped by the goals and the industries of the people
/// they were with. Each person, goal and organization is read once.
fn rollups(store: &Store, meetings: &[Record]) -> Result<(Vec<Rollup>, Vec<Rollup>), ApiError> {
    let mut records: HashMap<RecordId, Option<Record>> = HashMap::new();
    let mut read = |id: RecordId| -> Result<Option<Record>, ApiError> {
        if let std::collections::hash_map::Entry::Vacant(e) = records.entry(id) {
            e.insert(store.get(id)?.filter(|r| !r.is_deleted()));
        }
        Ok(records[&id].clone())
    };
    type Groups = BTreeMap<String, BTreeMap<String, Vec<String>>>;
    let (mut by_goal, mut by_industry): (Groups, Groups) = Default::default();
    for r in meetings {
        let Body::Meeting(m) = &r.body else { continue };
        let Some(Body::Person(p)) = m
            .person_id
            .map(&mut read)
            .transpose()?
            .flatten()
            .map(|r| r.body)
        else {
            continue;
        };
        let mut goals = Vec::new();
        for g in &p.goal_ids {
            if let Some(g) = read(*g)? {
                goals.push(g.body.display_name().to_string());
            }
        }
        let industry = match p.organization_id.map(&mut read).transpose()?.flatten() {
            Some(Record {
                body: Body::Organization(o),
                ..
            }) => o.industry,
            _ => None,
        };
        for t in &m.takeaways {
            let topic = t.topic.to_string();
            for g in &goals {
                by_goal
                    .entry(g.clone())
                    .or_default()
                    .entry(topic.clone())
                    .or_default()
                    .push(t.text.clone());
            }
            if let Some(i) = &industry {
                by_industry
                    .entry(i.clone())
                    .or_default()
                    .entry(topic.clone())
                    .or_default()
                    .push(t.text.clone());
            }
        }
    }
    let list = |m: Groups| {
        m.into_iter()
            .map(|(group, topics)| Rollup { group, topics })
            .collect()
    };
    Ok((list(by_goal), list(by_industry)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_reply_is_read_from_the_counters_in_order() {
        let c = |t: &str, n| (t.to_string(), n);
        assert_eq!(median_reply(vec![]), (0, None));
        assert_eq!(median_reply(vec![c("000001440", 1)]), (1, Some(1.0)));
        // 1, 2.5, 2.5, 7 days: the median is the upper middle (index len / 2).
        let r = vec![c("000001440", 1), c("000003600", 2), c("000010080", 1)];
        assert_eq!(median_reply(r), (4, Some(2.5)));
        let r = vec![c("000001440", 3), c("000010080", 1)];
        assert_eq!(median_reply(r), (4, Some(1.0)));
    }
}
