//! The workflow on top of the records: stages, who to contact next, what is due today, the
//! 3B7 nudges and the dashboard. Every rule takes "now" from the injected clock.

use std::collections::{BTreeMap, HashMap};

use jiff::tz::TimeZone;
use rapport_model::workflow::{calendar, etiquette, pipeline, ranking};
use rapport_model::{
    Body, GoalStatus, Kind, Meeting, MeetingStatus, Outreach, OutreachStatus, Person, Record,
    RecordId, Stage, StageChange, Task, TaskKind, TemplatePurpose, Timestamp,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Rapport};

/// Someone to contact next, and why.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct NextContact {
    #[ts(type = "RecordOf<'person'>")]
    pub person: Record,
    pub score: u32,
    pub reasons: Vec<ranking::Reason>,
}

/// Something due: a thank-you after a meeting, a check-in, a follow-up.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Due {
    pub person_id: Option<RecordId>,
    pub person_name: String,
    /// The meeting, message or task it is about.
    pub record_id: RecordId,
    pub what: String,
    pub due_at: Timestamp,
    /// Due on a day rather than at a time (given as a date): show the day only.
    pub all_day: bool,
    pub overdue: bool,
}

/// A request without a reply, and what the 3B7 rule suggests.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Nudge {
    pub outreach_id: RecordId,
    pub person_id: Option<RecordId>,
    pub person_name: String,
    pub business_days: u32,
    pub nudge: calendar::Nudge,
    /// For `try_another_person`: people at the same organization not contacted yet.
    pub others_at_organization: Vec<RecordId>,
}

/// The day as a short plan: the next meetings (today and the coming seven days), then what is
/// due, section by section in order of importance (a thank-you due today before an overdue one,
/// then 3B7 follow-ups, check-ins, tasks). Each section holds at most the limit asked for, most
/// pressing first; `totals` counts each in full ("show all 138").
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Today {
    #[ts(type = "RecordOf<'meeting'>[]")]
    pub meetings: Vec<Record>,
    pub thank_yous: Vec<Due>,
    pub follow_ups: Vec<Nudge>,
    pub tasks: Vec<Due>,
    pub check_ins: Vec<Due>,
    pub totals: TodayTotals,
}

/// How many of each section of Today there are in all (follow-ups: at most, since some may
/// turn out answered when read).
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
pub struct TodayTotals {
    pub meetings: u64,
    pub thank_yous: u64,
    pub follow_ups: u64,
    pub tasks: u64,
    pub check_ins: u64,
}

/// How many items of each section Today shows unless asked for more.
pub const TODAY_LIMIT: usize = 5;

/// One person in a referral chain.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct ChainNode {
    pub id: RecordId,
    pub name: String,
    pub stage: Stage,
    /// The referral led to a conversation.
    pub met: bool,
    pub children: Vec<ChainNode>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Chain {
    pub root: ChainNode,
    pub depth: u32,
    pub people: u32,
    pub met: u32,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
pub struct Funnel {
    pub identified: u64,
    pub contacted: u64,
    pub replied: u64,
    pub met: u64,
    pub thanked: u64,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Week {
    /// The Monday the week starts on.
    pub week_of: String,
    pub conversations: u32,
}

/// Takeaways of one goal or industry, by topic.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Rollup {
    pub group: String,
    pub topics: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Dashboard {
    pub funnel: Funnel,
    pub per_week: Vec<Week>,
    /// The largest chains (at most `progress::SHOWN_CHAINS`), most people first.
    pub referral_chains: Vec<Chain>,
    /// How many chains there are in all.
    pub chains_total: u32,
    /// How many people came by referral.
    pub referred: u32,
    pub stages: BTreeMap<String, u64>,
    /// How long replies took, in days (to the minute): the median over every replied message.
    pub reply_days_median: Option<f64>,
    pub replies: u32,
    pub takeaways_by_goal: Vec<Rollup>,
    pub takeaways_by_industry: Vec<Rollup>,
    /// How many conversations the roll-ups read: the latest ones with takeaways.
    pub takeaways_from: u32,
    /// How many conversations left takeaways in all.
    pub conversations_with_takeaways: u64,
}

/// The effective stage a person record carries (the last entry of its log).
pub fn current_stage(p: &Person) -> Stage {
    p.stage()
}

fn person(r: &Record) -> Option<&Person> {
    match &r.body {
        Body::Person(p) => Some(p),
        _ => None,
    }
}

/// Everything the workflow reads at once, loaded once per call.
struct Vault {
    people: Vec<Record>,
    meetings: Vec<Record>,
    outreach: Vec<Record>,
}

impl Vault {
    fn meetings(&self) -> impl Iterator<Item = (&Record, &Meeting)> {
        self.meetings.iter().filter_map(|r| match &r.body {
            Body::Meeting(m) => Some((r, m)),
            _ => None,
        })
    }
    fn outreach(&self) -> impl Iterator<Item = (&Record, &Outreach)> {
        self.outreach.iter().filter_map(|r| match &r.body {
            Body::Outreach(o) => Some((r, o)),
            _ => None,
        })
    }
    fn names(&self) -> HashMap<RecordId, &str> {
        self.people
            .iter()
            .map(|r| (r.id(), r.body.display_name()))
            .collect()
    }
}

impl Rapport {
    async fn vault(&self) -> Result<Vault, ApiError> {
        // The three reads are independent: side by side they use every core.
        let (people, meetings, outreach) = tokio::try_join!(
            self.list_all(Kind::Person),
            self.list_all(Kind::Meeting),
            self.list_all(Kind::Outreach),
        )?;
        Ok(Vault {
            people,
            meetings,
            outreach,
        })
    }

    /// Every live meeting, message and task about a person (one index scan).
    pub(crate) async fn related(&self, person_id: RecordId) -> Result<Vec<Record>, ApiError> {
        let store = self.store().clone();
        tokio::task::spawn_blocking(move || Ok(store.related(person_id)?)).await?
    }

    /// Recomputes what follows from a person's records: the effective stage (logging a change
    /// with the time) and the last interaction. Called after every change to their meetings,
    /// messages and tasks.
    pub async fn refresh_person(&self, person_id: RecordId) -> Result<Record, ApiError> {
        let facts = pipeline::Facts::from_records(&self.related(person_id).await?);
        let last = facts.last_interaction();
        let now = self.clock().now();
        self.change_raw(person_id, move |b| {
            let Body::Person(p) = b else {
                return Err(ApiError::validation("person_id", "is not a person"));
            };
            let mut p = p.clone();
            let stage = facts.stage(&p);
            if p.stage_log.last().map(|c| c.stage) != Some(stage) {
                let at = p.stage_log.last().map_or(now, |c| {
                    now.max(Timestamp::from_millis(c.at.as_millis() + 1))
                });
                p.stage_log.push(StageChange { at, stage });
            }
            if last.is_some() && last > p.last_interaction_at {
                p.last_interaction_at = last;
            }
            Ok(Body::Person(p))
        })
        .await
    }

    /// A confirmed meeting gets a task to confirm it two days before (or now, if sooner); a
    /// moved meeting moves its task; once the meeting starts (or is held or cancelled) the open
    /// task is done. Done or deleted tasks are left alone.
    pub(crate) async fn ensure_confirmation_task(
        &self,
        meeting_id: RecordId,
        m: &Meeting,
    ) -> Result<(), ApiError> {
        let now = self.clock().now();
        // Once the meeting is under way, held or cancelled, there is nothing left to confirm.
        let moot = m.started_at.is_some()
            || matches!(
                m.status,
                Some(MeetingStatus::Held | MeetingStatus::Cancelled)
            );
        if moot {
            let Some(person) = m.person_id else {
                return Ok(());
            };
            let open = self.related(person).await?.into_iter().filter(|r| {
                matches!(&r.body, Body::Task(t) if t.task_kind == Some(TaskKind::Confirm)
                    && t.meeting_id == Some(meeting_id) && t.done_at.is_none())
            });
            for r in open.collect::<Vec<_>>() {
                self.change_raw(r.id(), move |b| match b {
                    Body::Task(t) => Ok(Body::Task(Task {
                        done_at: Some(now),
                        ..t.clone()
                    })),
                    other => Ok(other.clone()),
                })
                .await?;
            }
            return Ok(());
        }
        let (Some(MeetingStatus::Confirmed), Some(start), Some(person)) =
            (m.status, m.start, m.person_id)
        else {
            return Ok(());
        };
        let due = Timestamp::from_millis(
            (start.as_millis() - 2 * 86_400_000)
                .max(now.as_millis())
                .min(start.as_millis()),
        );
        let existing = self.related(person).await?.into_iter().find(|r| {
            matches!(&r.body, Body::Task(t) if t.task_kind == Some(TaskKind::Confirm) && t.meeting_id == Some(meeting_id))
        });
        match existing {
            Some(r) => {
                if let Body::Task(t) = &r.body
                    && t.done_at.is_none()
                    && t.due_at != Some(due)
                {
                    self.change_raw(r.id(), move |b| match b {
                        Body::Task(t) => Ok(Body::Task(Task {
                            due_at: Some(due),
                            ..t.clone()
                        })),
                        other => Ok(other.clone()),
                    })
                    .await?;
                }
            }
            None => {
                let title = format!("Confirm “{}”", m.title);
                self.create_raw(Body::Task(Task {
                    title,
                    task_kind: Some(TaskKind::Confirm),
                    person_id: Some(person),
                    meeting_id: Some(meeting_id),
                    due_at: Some(due),
                    done_at: None,
                    notes: Default::default(),
                }))
                .await?;
            }
        }
        Ok(())
    }

    /// Sets (or clears) the stage by hand; the facts still move the person further.
    pub async fn set_stage(
        &self,
        person_id: RecordId,
        stage: Option<Stage>,
    ) -> Result<Record, ApiError> {
        self.change(person_id, move |b| match b {
            Body::Person(p) => Ok(Body::Person(Person { stage, ..p.clone() })),
            _ => Err(ApiError::validation("id", "only a person has a stage")),
        })
        .await?;
        self.refresh_person(person_id).await
    }

    /// Organizations, best targets first (LAMP: advocacy, motivation, postings).
    pub async fn organizations_by_lamp(&self) -> Result<Vec<Record>, ApiError> {
        let mut orgs = self.list_all(Kind::Organization).await?;
        orgs.sort_by_cached_key(|r| match &r.body {
            Body::Organization(o) => ranking::lamp_key(o),
            _ => (true, 9, 9, String::new()),
        });
        Ok(orgs)
    }

    /// People to contact next, best first, with the reasons.
    pub async fn next_to_contact(&self, limit: usize) -> Result<Vec<NextContact>, ApiError> {
        let store = self.store().clone();
        crate::api::blocking(move || next_on(&store, limit)).await
    }

    /// Checks an outreach draft against the etiquette of informational interviews.
    pub fn check_outreach(&self, text: &str) -> Vec<etiquette::Finding> {
        etiquette::check(text)
    }

    /// Records that a message was sent (now, or at `at`), and settles what it answers: a
    /// thank-you clears the thank-you due of the last conversation with them. A message that
    /// still holds a `{placeholder}` or a `[prompt]` to fill is refused: it was not ready.
    pub async fn outreach_sent(
        &self,
        id: RecordId,
        at: Option<Timestamp>,
    ) -> Result<Record, ApiError> {
        let message = self.get_kind(id, Kind::Outreach).await?;
        let Body::Outreach(o) = &message.body else {
            unreachable!("checked kind")
        };
        let left = rapport_model::workflow::template::unfilled(o.body.as_str());
        if !left.is_empty() {
            return Err(ApiError::validation(
                "body",
                format!(
                    "fill in {} before sending",
                    left.iter()
                        .map(|l| if l.contains(' ') {
                            format!("[{l}]")
                        } else {
                            format!("{{{l}}}")
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let at = at.unwrap_or_else(|| self.clock().now());
        let sent = self
            .update(id, serde_json::json!({ "status": "sent", "sent_at": at }))
            .await?;
        if o.purpose == Some(TemplatePurpose::ThankYou)
            && let Some(person) = o.person_id
        {
            let unthanked = self
                .related(person)
                .await?
                .into_iter()
                .filter_map(|r| match &r.body {
                    Body::Meeting(m) if m.ended_at.is_some() && m.thanked_at.is_none() => {
                        Some((m.ended_at, r.id()))
                    }
                    _ => None,
                })
                .max();
            if let Some((_, meeting)) = unthanked {
                self.update(meeting, serde_json::json!({ "thanked_at": at }))
                    .await?;
            }
        }
        Ok(sent)
    }

    /// Records a reply (or a decline) to a message, now or at `at` (a reply logged late keeps
    /// its real reply speed).
    pub async fn outreach_replied(
        &self,
        id: RecordId,
        declined: bool,
        at: Option<Timestamp>,
    ) -> Result<Record, ApiError> {
        let at = at.unwrap_or_else(|| self.clock().now());
        let status = if declined { "declined" } else { "replied" };
        self.update(
            id,
            serde_json::json!({ "status": status, "replied_at": at }),
        )
        .await
    }

    /// Requests without a reply and what 3B7 suggests, most overdue first.
    pub async fn nudges(&self, tz: &TimeZone) -> Result<Vec<Nudge>, ApiError> {
        let v = self.vault().await?;
        Ok(nudges(&v, self.clock().now(), tz))
    }

    /// Thank-yous due (24 h after a meeting ends), soonest first; overdue ones are marked.
    pub async fn thank_yous_due(&self) -> Result<Vec<Due>, ApiError> {
        let v = self.vault().await?;
        Ok(thank_yous(&v, self.clock().now()))
    }

    /// People whose keep-in-touch cadence has run out by `within` from now.
    pub async fn check_ins_due(&self, within_days: i64) -> Result<Vec<Due>, ApiError> {
        let v = self.vault().await?;
        Ok(check_ins(&v, self.clock().now(), within_days))
    }

    /// Today: the next meetings and what is due, in the user's zone, at most `limit` of each
    /// (see [`Today`]). Read from the agenda index: what it costs follows what is shown, not
    /// the size of the vault.
    pub async fn today(&self, tz: &TimeZone, limit: usize) -> Result<Today, ApiError> {
        let store = self.store().clone();
        let now = self.clock().now();
        let tz = tz.clone();
        crate::api::blocking(move || plan(&store, now, &tz, limit)).await
    }
}

fn nudges(v: &Vault, now: Timestamp, tz: &TimeZone) -> Vec<Nudge> {
    let names = v.names();
    let people: HashMap<RecordId, &Person> = v
        .people
        .iter()
        .filter_map(|r| person(r).map(|p| (r.id(), p)))
        .collect();
    // A later message to the same person (a follow-up) answers the nudge of an earlier one.
    let mut latest_sent: HashMap<RecordId, Timestamp> = HashMap::new();
    for (_, o) in v.outreach() {
        if let (Some(p), Some(s)) = (o.person_id, o.sent_at) {
            let e = latest_sent.entry(p).or_insert(s);
            *e = (*e).max(s);
        }
    }
    let mut out: Vec<Nudge> = v
        .outreach()
        .filter(|(_, o)| o.status == Some(OutreachStatus::Sent) && o.replied_at.is_none())
        // Only a first request waits for a reply under 3B7: a follow-up sent answers the
        // nudge (it is the later message) and does not start one of its own; thank-yous and
        // updates ask for nothing.
        .filter(|(_, o)| o.purpose.is_none_or(|p| p == TemplatePurpose::Outreach))
        .filter_map(|(r, o)| {
            let sent = o.sent_at?;
            if o.person_id
                .and_then(|p| latest_sent.get(&p))
                .is_some_and(|l| *l > sent)
            {
                return None;
            }
            let stage = o
                .person_id
                .and_then(|p| people.get(&p))
                .map(|p| current_stage(p));
            if stage.is_some_and(|s| s.rank() >= Stage::Scheduled.rank()) {
                return None;
            }
            let (nudge, days) = calendar::three_b_seven(sent, now, tz);
            let org = o
                .person_id
                .and_then(|p| people.get(&p))
                .and_then(|p| p.organization_id);
            let others_at_organization = if nudge == calendar::Nudge::TryAnotherPerson {
                people
                    .iter()
                    .filter(|(id, p)| {
                        Some(**id) != o.person_id && org.is_some() && p.organization_id == org
                    })
                    .filter(|(_, p)| current_stage(p).rank() <= Stage::OutreachDrafted.rank())
                    .map(|(id, _)| *id)
                    .collect()
            } else {
                Vec::new()
            };
            Some(Nudge {
                outreach_id: r.id(),
                person_id: o.person_id,
                person_name: o
                    .person_id
                    .and_then(|p| names.get(&p).map(|n| n.to_string()))
                    .unwrap_or_default(),
                business_days: days,
                nudge,
                others_at_organization,
            })
        })
        .collect();
    out.sort_by_key(|n| std::cmp::Reverse(n.business_days));
    out
}

fn thank_yous(v: &Vault, now: Timestamp) -> Vec<Due> {
    let names = v.names();
    let mut out: Vec<Due> = v
        .meetings()
        .filter_map(|(r, m)| {
            let due = pipeline::thank_you_due(m)?;
            Some(Due {
                person_id: m.person_id,
                person_name: m
                    .person_id
                    .and_then(|p| names.get(&p).map(|n| n.to_string()))
                    .unwrap_or_default(),
                record_id: r.id(),
                what: format!(
                    "Thank {} for “{}”",
                    m.person_id
                        .and_then(|p| names.get(&p).copied())
                        .unwrap_or("them"),
                    m.title
                ),
                due_at: due,
                all_day: false,
                overdue: due < now,
            })
        })
        .collect();
    out.sort_by_key(|d| d.due_at);
    out
}

fn check_ins(v: &Vault, now: Timestamp, within_days: i64) -> Vec<Due> {
    let horizon = Timestamp::from_millis(now.as_millis() + within_days * 86_400_000);
    let mut out: Vec<Due> = v
        .people
        .iter()
        .filter_map(|r| {
            let p = person(r)?;
            if current_stage(p).is_dead_end() {
                return None;
            }
            let due = pipeline::check_in_due(p).filter(|d| *d <= horizon)?;
            Some(Due {
                person_id: Some(r.id()),
                person_name: p.name.clone(),
                record_id: r.id(),
                what: format!("Check in with {}", p.name),
                due_at: due,
                all_day: false,
                overdue: due < now,
            })
        })
        .collect();
    out.sort_by_key(|d| d.due_at);
    out
}

/// The start of `date` in `tz`, as a moment.
fn start_of(date: jiff::civil::Date, tz: &TimeZone) -> Timestamp {
    date.to_zoned(tz.clone())
        .map(|z| Timestamp::from_jiff(z.timestamp()))
        .unwrap_or(Timestamp::from_millis(0))
}

/// [`Rapport::today`], on the store.
fn plan(
    store: &rapport_store::Store,
    now: Timestamp,
    tz: &TimeZone,
    limit: usize,
) -> Result<Today, ApiError> {
    use rapport_model::workflow::agenda::Due as What;
    let today = calendar::local_date(now, tz);
    let start = start_of(today, tz);
    let end = today.tomorrow().map_or(now, |d| start_of(d, tz));
    let week_end = today
        .checked_add(jiff::Span::new().days(8))
        .map_or(end, |d| start_of(d, tz));
    // The people items are about, read once each; a deleted person's items are nothing to do.
    let mut people: HashMap<RecordId, Option<Record>> = HashMap::new();
    let mut person_of = |id: Option<RecordId>| -> Result<Option<Option<Record>>, ApiError> {
        let Some(id) = id else {
            return Ok(Some(None));
        };
        if let std::collections::hash_map::Entry::Vacant(e) = people.entry(id) {
            e.insert(store.get(id)?.filter(|r| !r.is_deleted()));
        }
        Ok(people[&id].clone().map(Some))
    };
    let name = |p: &Option<Record>| {
        p.as_ref()
            .map(|r| r.body.display_name().to_string())
            .unwrap_or_default()
    };

    let read = |id: RecordId| -> Result<Option<Record>, ApiError> {
        Ok(store.get(id)?.filter(|r| !r.is_deleted()))
    };

    let upcoming = store.agenda(What::Meeting, Some(start), week_end, false)?;
    let mut meetings = Vec::new();
    for (_, id) in upcoming.iter().take(limit) {
        meetings.extend(read(*id)?);
    }

    // Thank-yous: the ones still on time first (each is due 24 hours after its meeting, so
    // within a day), then the overdue ones, latest first.
    let on_time = store.agenda(
        What::ThankYou,
        Some(now),
        Timestamp::from_millis(now.as_millis() + 2 * 86_400_000),
        false,
    )?;
    let late = store.agenda(What::ThankYou, None, now, true)?;
    let mut thank_yous = Vec::new();
    for (due, id) in on_time.iter().chain(&late) {
        if thank_yous.len() >= limit {
            break;
        }
        let Some(r) = read(*id)? else { continue };
        let Body::Meeting(m) = &r.body else { continue };
        let Some(p) = person_of(m.person_id)? else {
            continue;
        };
        thank_yous.push(Due {
            person_id: m.person_id,
            person_name: name(&p),
            record_id: r.id(),
            what: format!(
                "Thank {} for “{}”",
                p.as_ref().map_or("them", |p| p.body.display_name()),
                m.title
            ),
            due_at: *due,
            all_day: false,
            overdue: *due < now,
        });
    }

    // 3B7: requests sent three calendar days ago or more (three business days at least), the
    // longest waiting first; a request answered by a later message, or whose person has moved
    // on to a meeting, is passed over.
    let three_days_ago = Timestamp::from_millis(now.as_millis() - 3 * 86_400_000);
    let waiting = store.agenda(What::Request, None, three_days_ago, false)?;
    let mut follow_ups = Vec::new();
    for (sent, id) in &waiting {
        if follow_ups.len() >= limit {
            break;
        }
        let (nudge, days) = calendar::three_b_seven(*sent, now, tz);
        if nudge == calendar::Nudge::Wait {
            continue;
        }
        let Some(r) = read(*id)? else { continue };
        let Body::Outreach(o) = &r.body else { continue };
        let Some(Some(p)) = person_of(o.person_id)? else {
            continue;
        };
        let Body::Person(pb) = &p.body else { continue };
        if pb.stage().rank() >= Stage::Scheduled.rank() {
            continue;
        }
        let later = store
            .related(p.id())?
            .into_iter()
            .any(|x| matches!(&x.body, Body::Outreach(y) if y.sent_at.is_some_and(|t| t > *sent)));
        if later {
            continue;
        }
        let others_at_organization = match (nudge, pb.organization_id) {
            (calendar::Nudge::TryAnotherPerson, Some(org)) => {
                let mut q = rapport_store::ListQuery::new(Kind::Person);
                q.organization = Some(org);
                q.limit = 50;
                store
                    .list(&q)?
                    .items
                    .into_iter()
                    .filter(|x| x.id() != p.id())
                    .filter(|x| {
                        matches!(&x.body, Body::Person(q) if q.stage().rank() <= Stage::OutreachDrafted.rank())
                    })
                    .map(|x| x.id())
                    .collect()
            }
            _ => Vec::new(),
        };
        follow_ups.push(Nudge {
            outreach_id: r.id(),
            person_id: Some(p.id()),
            person_name: p.body.display_name().to_string(),
            business_days: days,
            nudge,
            others_at_organization,
        });
    }

    // Tasks due by the end of today, the most recently due first (a pile of old ones does not
    // hide today's). A day given without a time (stored at midnight UTC) falls due all that
    // day wherever the user is.
    let due_tasks: Vec<(Timestamp, RecordId)> = store
        .agenda(What::Task, None, end, true)?
        .into_iter()
        .filter(|(due, _)| calendar::due_by(*due, today, tz))
        .collect();
    let mut tasks = Vec::new();
    for (due, id) in &due_tasks {
        if tasks.len() >= limit {
            break;
        }
        let Some(r) = read(*id)? else { continue };
        let Body::Task(t) = &r.body else { continue };
        let Some(p) = person_of(t.person_id)? else {
            continue;
        };
        tasks.push(Due {
            person_id: t.person_id,
            person_name: name(&p),
            record_id: r.id(),
            what: t.title.clone(),
            due_at: *due,
            all_day: calendar::due_day(*due).is_some(),
            overdue: calendar::is_late(*due, now, tz),
        });
    }

    let due_check_ins = store.agenda(What::CheckIn, None, now, true)?;
    let mut check_ins = Vec::new();
    for (due, id) in due_check_ins.iter().take(limit) {
        let Some(r) = read(*id)? else { continue };
        check_ins.push(Due {
            person_id: Some(r.id()),
            person_name: r.body.display_name().to_string(),
            record_id: r.id(),
            what: format!("Check in with {}", r.body.display_name()),
            due_at: *due,
            all_day: false,
            overdue: *due < now,
        });
    }

    Ok(Today {
        meetings,
        thank_yous,
        follow_ups,
        tasks,
        check_ins,
        totals: TodayTotals {
            meetings: upcoming.len() as u64,
            thank_yous: (on_time.len() + late.len()) as u64,
            follow_ups: waiting
                .iter()
                .filter(|(sent, _)| {
                    calendar::three_b_seven(*sent, now, tz).0 != calendar::Nudge::Wait
                })
                .count() as u64,
            tasks: due_tasks.len() as u64,
            check_ins: due_check_ins.len() as u64,
        },
    })
}

/// [`Rapport::next_to_contact`], on the store: candidates come best first by what their own
/// record says; their goals, organization and referrer can add at most
/// [`ranking::MOST_FROM_CONTEXT`], so reading stops once no later candidate can reach the
/// `limit`-th best. What it costs follows `limit`, not the number of people.
fn next_on(store: &rapport_store::Store, limit: usize) -> Result<Vec<NextContact>, ApiError> {
    let mut cache: HashMap<RecordId, Option<Record>> = HashMap::new();
    let mut read = |id: RecordId| -> Result<Option<Record>, ApiError> {
        if let std::collections::hash_map::Entry::Vacant(e) = cache.entry(id) {
            e.insert(store.get(id)?.filter(|r| !r.is_deleted()));
        }
        Ok(cache[&id].clone())
    };
    let mut out: Vec<NextContact> = Vec::new();
    for (base, id) in store.candidates()? {
        if out.len() >= limit
            && out
                .last()
                .is_some_and(|w| base + ranking::MOST_FROM_CONTEXT < w.score)
        {
            break;
        }
        let Some(r) = read(id)? else { continue };
        let Some(p) = person(&r).cloned() else {
            continue;
        };
        let referrer_is_warm = match p.referred_by_id {
            Some(rid) => read(rid)?.is_some_and(|rr| {
                person(&rr).is_some_and(|rp| {
                    current_stage(rp).rank() >= Stage::Met.rank()
                        || matches!(
                            rp.warmth,
                            Some(rapport_model::Warmth::Warm | rapport_model::Warmth::Close)
                        )
                })
            }),
            None => false,
        };
        let mut on_top_goal = false;
        for g in &p.goal_ids {
            on_top_goal |= read(*g)?.is_some_and(|g| {
                matches!(&g.body, Body::Goal(g) if g.priority.is_some_and(|p| p <= 2) && g.status.is_none_or(|s| s == GoalStatus::Active))
            });
        }
        let at_top_organization = match p.organization_id {
            Some(o) => read(o)?.is_some_and(|o| {
                matches!(&o.body, Body::Organization(o) if o.advocacy || o.motivation.is_some_and(|m| m >= 4))
            }),
            None => false,
        };
        let cx = ranking::Context {
            stage: Some(current_stage(&p)),
            referrer_is_warm,
            on_top_goal,
            at_top_organization,
        };
        let Some((score, reasons)) = ranking::next_score(&p, &cx) else {
            continue;
        };
        out.push(NextContact {
            person: r,
            score,
            reasons,
        });
        out.sort_by(|a, b| {
            b.score.cmp(&a.score).then_with(|| {
                a.person
                    .body
                    .display_name()
                    .cmp(b.person.body.display_name())
            })
        });
        out.truncate(limit);
    }
    Ok(out)
}
