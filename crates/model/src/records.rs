//! The records. Each kind is one Automerge document (see `doc.rs`); links between records are ids.
//!
//! Fields that hold free prose use [`Prose`] (an Automerge text, merged character by character,
//! once edited: bulk writes store it as a plain string until then);
//! short fields are plain strings (last writer wins, the other value stays in the history).
//! List items carry a `#[key]`, so inserting on one device is not mistaken for an edit of the
//! item that used to be at that position on another.

use autosurgeon::{Hydrate, Reconcile};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::kinds::*;
use crate::{Kind, Prose, RecordId, Timestamp};

/// What every record carries besides its own fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct Meta {
    pub id: RecordId,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Set when the record was deleted. The document stays (so the deletion syncs) but the record
    /// leaves every list, index and search.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<Timestamp>,
}

impl Meta {
    /// The metadata of a record created at `at`, with a fresh id.
    pub fn new_at(at: Timestamp) -> Self {
        Self {
            id: RecordId::new_at(at),
            created_at: at,
            updated_at: at,
            deleted_at: None,
        }
    }
}

/// A way to reach someone: an email address or a phone number, with an optional label.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct ContactPoint {
    #[key]
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl ContactPoint {
    pub fn new(value: impl Into<String>) -> Self {
        Self {
            value: value.into(),
            label: None,
        }
    }
}

/// A web address about someone or something (a profile, an article, a website).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct Link {
    #[key]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

/// Someone worth talking to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Person {
    pub name: String,
    pub role: Option<String>,
    pub organization_id: Option<RecordId>,
    #[autosurgeon(missing = "Default::default")]
    pub emails: Vec<ContactPoint>,
    #[autosurgeon(missing = "Default::default")]
    pub phones: Vec<ContactPoint>,
    #[autosurgeon(missing = "Default::default")]
    pub links: Vec<Link>,
    pub location: Option<String>,
    /// Their IANA time zone (`Europe/Paris`), for proposing times in their day.
    pub time_zone: Option<String>,
    /// How the user found them…
    pub source: Option<Source>,
    /// …and the detail: the article, the event, the association.
    pub source_detail: Option<String>,
    /// The person who pointed the user to them.
    pub referred_by_id: Option<RecordId>,
    pub warmth: Option<Warmth>,
    /// How likely they are to say yes to a conversation, 1 (unlikely) to 5 (certain).
    pub likelihood: Option<u8>,
    #[autosurgeon(missing = "Default::default")]
    pub tags: Vec<String>,
    #[autosurgeon(missing = "Default::default")]
    pub goal_ids: Vec<RecordId>,
    #[autosurgeon(missing = "Default::default")]
    pub research_notes: Prose,
    /// Days between check-ins; none means the default of 90.
    pub cadence_days: Option<u16>,
    /// For employers: someone met as a possible future hire.
    #[autosurgeon(missing = "Default::default")]
    pub candidate: bool,
    /// The stage set by hand, if any (the effective stage also follows from the facts).
    pub stage: Option<Stage>,
    /// Every change of the effective stage, oldest first.
    #[autosurgeon(missing = "Default::default")]
    pub stage_log: Vec<StageChange>,
    /// The last meeting, message or update with them (resets the keep-in-touch clock).
    pub last_interaction_at: Option<Timestamp>,
}

/// One step of a person through the pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct StageChange {
    #[key]
    pub at: Timestamp,
    pub stage: Stage,
}

/// An organization worth learning about, scored LAMP-style.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Organization {
    pub name: String,
    pub industry: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    /// LAMP "advocacy": the user knows an insider.
    #[autosurgeon(missing = "Default::default")]
    pub advocacy: bool,
    /// LAMP "motivation": how much the user wants to work there, 1 to 5.
    pub motivation: Option<u8>,
    /// LAMP "postings": relevant openings advertised.
    pub postings: Option<Postings>,
    #[autosurgeon(missing = "Default::default")]
    pub links: Vec<Link>,
    #[autosurgeon(missing = "Default::default")]
    pub tags: Vec<String>,
    #[autosurgeon(missing = "Default::default")]
    pub goal_ids: Vec<RecordId>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: Prose,
}

/// What the user is exploring: a role, an industry, an organization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Goal {
    pub name: String,
    pub target_role: Option<String>,
    pub target_industry: Option<String>,
    pub target_organization_id: Option<RecordId>,
    pub status: Option<GoalStatus>,
    /// 1 (most important) to 5.
    pub priority: Option<u8>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: Prose,
}

/// One proposed time for a meeting.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct Slot {
    #[key]
    pub start: Timestamp,
}

/// The answer noted for one of the chosen questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct Answer {
    #[key]
    pub question_id: RecordId,
    #[serde(default)]
    pub text: String,
}

/// Something learned in a meeting, tagged by topic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
pub struct Takeaway {
    #[key]
    pub id: RecordId,
    pub text: String,
    pub topic: TakeawayTopic,
}

/// A conversation with one person: proposed, confirmed, held.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Meeting {
    pub title: String,
    pub person_id: Option<RecordId>,
    pub status: Option<MeetingStatus>,
    #[autosurgeon(missing = "Default::default")]
    pub proposed_slots: Vec<Slot>,
    /// The confirmed start.
    pub start: Option<Timestamp>,
    /// The IANA time zone the meeting was agreed in.
    pub time_zone: Option<String>,
    /// Planned length in minutes (15, 20, 30, or another length).
    pub planned_minutes: Option<u16>,
    pub medium: Option<Medium>,
    pub place: Option<String>,
    pub started_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    #[autosurgeon(missing = "Default::default")]
    pub agenda: Prose,
    #[autosurgeon(missing = "Default::default")]
    pub question_ids: Vec<RecordId>,
    #[autosurgeon(missing = "Default::default")]
    pub answers: Vec<Answer>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: Prose,
    #[autosurgeon(missing = "Default::default")]
    pub takeaways: Vec<Takeaway>,
    pub thanked_at: Option<Timestamp>,
}

/// A message asking for (or following up on) a conversation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Outreach {
    pub title: String,
    pub person_id: Option<RecordId>,
    pub template_id: Option<RecordId>,
    pub channel: Option<Channel>,
    pub status: Option<OutreachStatus>,
    pub subject: Option<String>,
    #[autosurgeon(missing = "Default::default")]
    pub body: Prose,
    pub sent_at: Option<Timestamp>,
    pub replied_at: Option<Timestamp>,
    /// The message this one follows up on.
    pub follows_up_id: Option<RecordId>,
    /// What the message is for (a first request, a follow-up, a thank-you…): sending it settles
    /// what was due (a thank-you sent clears the thank-you due).
    pub purpose: Option<TemplatePurpose>,
}

/// Something to do: a follow-up, a loose end, a give-back, a check-in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Task {
    pub title: String,
    pub task_kind: Option<TaskKind>,
    pub person_id: Option<RecordId>,
    pub meeting_id: Option<RecordId>,
    pub due_at: Option<Timestamp>,
    pub done_at: Option<Timestamp>,
    #[autosurgeon(missing = "Default::default")]
    pub notes: Prose,
}

/// A question from the bank.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Question {
    /// The question as the user would ask it.
    pub title: String,
    pub category: Option<QuestionCategory>,
    pub tiara: Option<Tiara>,
    #[autosurgeon(missing = "Default::default")]
    pub suits: Vec<GoalFocus>,
    /// Hidden questions stay in the bank but are not offered.
    #[autosurgeon(missing = "Default::default")]
    pub hidden: bool,
    /// Shipped with Rapport (as opposed to written by the user).
    #[autosurgeon(missing = "Default::default")]
    pub builtin: bool,
}

/// A reusable message with `{placeholders}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Template {
    pub title: String,
    pub purpose: Option<TemplatePurpose>,
    pub subject: Option<String>,
    #[autosurgeon(missing = "Default::default")]
    pub body: Prose,
}

/// The user: how they introduce themselves, kept once and reused in outreach and prep briefs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Profile {
    /// The user's name, as they sign messages.
    pub name: String,
    /// One line about the user, for outreach ("a data analyst moving into energy").
    pub background: Option<String>,
    /// The reusable pitch: who the user is, what they are exploring, why.
    #[autosurgeon(missing = "Default::default")]
    pub my_story: Prose,
    /// What the user usually asks for ("20 minutes on a call").
    pub ask: Option<String>,
    /// The user's IANA time zone.
    pub time_zone: Option<String>,
    /// When the user can take calls, in their zone, as `HH:MM-HH:MM` (default 09:00-17:00,
    /// Monday to Friday): proposed times fall inside these hours.
    pub hours: Option<String>,
    /// The user's own relays (iroh-relay URLs) for devices that share no network. Kept in the
    /// vault, so every device of it uses them; empty: iroh's public relays.
    #[autosurgeon(missing = "Default::default")]
    pub relays: Vec<String>,
}

/// The hours the user is free for calls when the profile does not say.
pub const DEFAULT_HOURS: (jiff::civil::Time, jiff::civil::Time) = (
    jiff::civil::Time::constant(9, 0, 0, 0),
    jiff::civil::Time::constant(17, 0, 0, 0),
);

/// Reads `HH:MM-HH:MM` (a start before an end).
pub fn parse_hours(s: &str) -> Result<(jiff::civil::Time, jiff::civil::Time), String> {
    let bad = || format!("'{s}' is not a span of hours such as 09:00-17:00");
    let (a, b) = s.split_once('-').ok_or_else(bad)?;
    let time = |t: &str| jiff::civil::Time::strptime("%H:%M", t.trim()).map_err(|_| bad());
    let (from, to) = (time(a)?, time(b)?);
    if from >= to {
        return Err(format!(
            "'{s}' ends before it starts: use a span such as 09:00-17:00"
        ));
    }
    Ok((from, to))
}

/// One of the user's devices (a phone, a laptop). The vault's device list is these records, so
/// every paired device knows the others, and a removal reaches them all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Reconcile, Hydrate, TS)]
#[serde(default)]
pub struct Device {
    /// What the user calls it ("Ada's phone").
    pub name: String,
    /// Its public key (an iroh endpoint id) as 64 hex digits: the device's identity.
    pub key: String,
    /// Where it was last reachable (`ip:port`): hints for dialing, never proof of identity.
    pub addresses: Vec<String>,
    /// The relays it is reachable through (iroh-relay URLs), so another device can dial it
    /// through them with no lookup service; hints too, like the addresses.
    #[autosurgeon(missing = "Default::default")]
    pub relays: Vec<String>,
    /// Set when the device was removed: from then on every device refuses it.
    pub revoked_at: Option<Timestamp>,
}

/// Keeps in `new` what no later state of a record may undo, given the state `old` it follows
/// (a merge of another device's changes, an import, an edit): a device's removal is final, so
/// a removed device stays removed, at the moment it was first removed, with no addresses or
/// relays to dial. True if `new` had to be put back.
pub fn keep_final(old: &Record, new: &mut Record) -> bool {
    let (Body::Device(was), Body::Device(now)) = (&old.body, &mut new.body) else {
        return false;
    };
    let Some(removed) = was.revoked_at else {
        return false;
    };
    // The earliest removal wins when two devices removed it at different moments.
    let at = now.revoked_at.map_or(removed, |t| t.min(removed));
    if now.revoked_at == Some(at) && now.addresses.is_empty() && now.relays.is_empty() {
        return false;
    }
    now.revoked_at = Some(at);
    now.addresses.clear();
    now.relays.clear();
    true
}

impl Person {
    /// Where they stand in the pipeline: the last entry of the stage log (identified when
    /// there is none yet).
    pub fn stage(&self) -> Stage {
        self.stage_log.last().map_or(Stage::Identified, |c| c.stage)
    }
}

/// The fields of a record, by kind. In JSON the kind is the `kind` field beside them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Body {
    Person(Person),
    Organization(Organization),
    Goal(Goal),
    Meeting(Meeting),
    Outreach(Outreach),
    Task(Task),
    Question(Question),
    Template(Template),
    Profile(Profile),
    Device(Device),
}

/// A whole record: its metadata and its fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, TS)]
// `Record` is a TypeScript built-in.
#[ts(rename = "AnyRecord")]
pub struct Record {
    #[serde(flatten)]
    pub meta: Meta,
    #[serde(flatten)]
    pub body: Body,
}

impl Body {
    pub fn kind(&self) -> Kind {
        match self {
            Body::Person(_) => Kind::Person,
            Body::Organization(_) => Kind::Organization,
            Body::Goal(_) => Kind::Goal,
            Body::Meeting(_) => Kind::Meeting,
            Body::Outreach(_) => Kind::Outreach,
            Body::Task(_) => Kind::Task,
            Body::Question(_) => Kind::Question,
            Body::Template(_) => Kind::Template,
            Body::Profile(_) => Kind::Profile,
            Body::Device(_) => Kind::Device,
        }
    }

    /// The name (people, organizations, goals) or title (everything else).
    pub fn display_name(&self) -> &str {
        match self {
            Body::Person(p) => &p.name,
            Body::Organization(o) => &o.name,
            Body::Goal(g) => &g.name,
            Body::Meeting(m) => &m.title,
            Body::Outreach(o) => &o.title,
            Body::Task(t) => &t.title,
            Body::Question(q) => &q.title,
            Body::Template(t) => &t.title,
            Body::Profile(p) => &p.name,
            Body::Device(d) => &d.name,
        }
    }

    /// An empty body of the given kind (every field at its default).
    pub fn empty(kind: Kind) -> Body {
        match kind {
            Kind::Person => Body::Person(Person::default()),
            Kind::Organization => Body::Organization(Organization::default()),
            Kind::Goal => Body::Goal(Goal::default()),
            Kind::Meeting => Body::Meeting(Meeting::default()),
            Kind::Outreach => Body::Outreach(Outreach::default()),
            Kind::Task => Body::Task(Task::default()),
            Kind::Question => Body::Question(Question::default()),
            Kind::Template => Body::Template(Template::default()),
            Kind::Profile => Body::Profile(Profile::default()),
            Kind::Device => Body::Device(Device::default()),
        }
    }

    /// Every id this record links to, with the field it sits in and the kind it must point at.
    pub fn links(&self) -> Vec<(String, RecordId, Kind)> {
        let mut out = Vec::new();
        let mut one = |field: &str, id: &Option<RecordId>, kind: Kind| {
            if let Some(id) = id {
                out.push((field.to_string(), *id, kind));
            }
        };
        match self {
            Body::Person(p) => {
                one("organization_id", &p.organization_id, Kind::Organization);
                one("referred_by_id", &p.referred_by_id, Kind::Person);
                for (i, g) in p.goal_ids.iter().enumerate() {
                    out.push((format!("goal_ids[{i}]"), *g, Kind::Goal));
                }
            }
            Body::Organization(o) => {
                for (i, g) in o.goal_ids.iter().enumerate() {
                    out.push((format!("goal_ids[{i}]"), *g, Kind::Goal));
                }
            }
            Body::Goal(g) => one(
                "target_organization_id",
                &g.target_organization_id,
                Kind::Organization,
            ),
            Body::Meeting(m) => {
                one("person_id", &m.person_id, Kind::Person);
                for (i, q) in m.question_ids.iter().enumerate() {
                    out.push((format!("question_ids[{i}]"), *q, Kind::Question));
                }
            }
            Body::Outreach(o) => {
                one("person_id", &o.person_id, Kind::Person);
                one("template_id", &o.template_id, Kind::Template);
                one("follows_up_id", &o.follows_up_id, Kind::Outreach);
            }
            Body::Task(t) => {
                one("person_id", &t.person_id, Kind::Person);
                one("meeting_id", &t.meeting_id, Kind::Meeting);
            }
            Body::Question(_) | Body::Template(_) | Body::Profile(_) | Body::Device(_) => {}
        }
        out
    }

    /// The person this record is about, if any (for the by-person index).
    pub fn person_id(&self) -> Option<RecordId> {
        match self {
            Body::Meeting(m) => m.person_id,
            Body::Outreach(o) => o.person_id,
            Body::Task(t) => t.person_id,
            _ => None,
        }
    }

    /// The organization this record belongs to, if any (for the by-organization index).
    pub fn organization_id(&self) -> Option<RecordId> {
        match self {
            Body::Person(p) => p.organization_id,
            Body::Goal(g) => g.target_organization_id,
            _ => None,
        }
    }

    /// The goals this record is linked to (for the by-goal index).
    pub fn goal_ids(&self) -> &[RecordId] {
        match self {
            Body::Person(p) => &p.goal_ids,
            Body::Organization(o) => &o.goal_ids,
            _ => &[],
        }
    }

    /// When this record asks for attention (for the by-due-date index): an open task's due date,
    /// a meeting's confirmed start.
    pub fn due_at(&self) -> Option<Timestamp> {
        match self {
            Body::Task(t) if t.done_at.is_none() => t.due_at,
            Body::Meeting(m) if !matches!(m.status, Some(MeetingStatus::Cancelled)) => m.start,
            _ => None,
        }
    }

    /// Every piece of text in the record, for full-text search.
    pub fn text_fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        fn push<'a>(out: &mut Vec<&'a str>, s: &'a Option<String>) {
            if let Some(s) = s {
                out.push(s);
            }
        }
        match self {
            Body::Person(p) => {
                out.push(&p.name);
                push(&mut out, &p.role);
                out.extend(p.emails.iter().map(|e| e.value.as_str()));
                out.extend(p.phones.iter().map(|e| e.value.as_str()));
                out.extend(p.links.iter().map(|l| l.url.as_str()));
                push(&mut out, &p.location);
                push(&mut out, &p.source_detail);
                out.extend(p.tags.iter().map(String::as_str));
                out.push(p.research_notes.as_str());
            }
            Body::Organization(o) => {
                out.push(&o.name);
                push(&mut out, &o.industry);
                push(&mut out, &o.website);
                push(&mut out, &o.location);
                out.extend(o.links.iter().map(|l| l.url.as_str()));
                out.extend(o.tags.iter().map(String::as_str));
                out.push(o.notes.as_str());
            }
            Body::Goal(g) => {
                out.push(&g.name);
                push(&mut out, &g.target_role);
                push(&mut out, &g.target_industry);
                out.push(g.notes.as_str());
            }
            Body::Meeting(m) => {
                out.push(&m.title);
                push(&mut out, &m.place);
                out.push(m.agenda.as_str());
                out.extend(m.answers.iter().map(|a| a.text.as_str()));
                out.push(m.notes.as_str());
                out.extend(m.takeaways.iter().map(|t| t.text.as_str()));
            }
            Body::Outreach(o) => {
                out.push(&o.title);
                push(&mut out, &o.subject);
                out.push(o.body.as_str());
            }
            Body::Task(t) => {
                out.push(&t.title);
                out.push(t.notes.as_str());
            }
            Body::Question(q) => out.push(&q.title),
            Body::Template(t) => {
                out.push(&t.title);
                push(&mut out, &t.subject);
                out.push(t.body.as_str());
            }
            Body::Profile(p) => {
                out.push(&p.name);
                push(&mut out, &p.background);
                out.push(p.my_story.as_str());
            }
            Body::Device(d) => out.push(&d.name),
        }
        out.retain(|s| !s.trim().is_empty());
        out
    }
}

impl Record {
    pub fn id(&self) -> RecordId {
        self.meta.id
    }
    pub fn kind(&self) -> Kind {
        self.body.kind()
    }
    pub fn is_deleted(&self) -> bool {
        self.meta.deleted_at.is_some()
    }
}
