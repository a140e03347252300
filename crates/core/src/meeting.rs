//! Preparing and holding a conversation: the profile ("my story"), the prep brief, meeting mode
//! and capturing a referral in one call.

use rapport_model::workflow::meeting::{self, Timer};
use rapport_model::{
    Answer, Body, Kind, Meeting, Meta, Person, Record, RecordId, Source, Takeaway, TakeawayTopic,
    Task, TaskKind, Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::workflow::current_stage;
use crate::{ApiError, Rapport};

/// The one profile record's id (the same on every device).
pub fn profile_id() -> RecordId {
    let mut b = *crate::questions::builtin_id(0).as_bytes();
    b[9..11].copy_from_slice(b"PF");
    b[12..16].copy_from_slice(&[0; 4]);
    RecordId::from_bytes(b)
}

/// A question as the prep brief shows it.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct BriefQuestion {
    pub id: RecordId,
    pub text: String,
    pub phase: u8,
    /// The research notes seem to cover this already: ask something deeper, or skip it.
    pub research_may_answer: bool,
    /// The answer noted in this or an earlier meeting with them, if any.
    pub answer: Option<String>,
}

/// Something that happened with the person, for the brief's history.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct HistoryItem {
    pub at: Timestamp,
    pub what: String,
    pub record_id: RecordId,
}

/// Everything the phone shows before a meeting.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct PrepBrief {
    #[ts(type = "RecordOf<'meeting'> | null")]
    pub meeting: Option<Record>,
    #[ts(type = "RecordOf<'person'>")]
    pub person: Record,
    #[ts(type = "RecordOf<'organization'> | null")]
    pub organization: Option<Record>,
    #[ts(type = "RecordOf<'person'> | null")]
    pub referred_by: Option<Record>,
    pub my_story: String,
    pub background: Option<String>,
    pub agenda: String,
    pub questions: Vec<BriefQuestion>,
    #[ts(type = "RecordOf<'task'>[]")]
    pub loose_ends: Vec<Record>,
    pub history: Vec<HistoryItem>,
}

/// Capture a referral during (or after) a conversation.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct ReferralCapture {
    /// Who gave the referral.
    pub referrer_id: Option<RecordId>,
    /// The meeting it came up in.
    pub meeting_id: Option<RecordId>,
    pub name: String,
    pub role: Option<String>,
    pub email: Option<String>,
    /// A profile URL (LinkedIn or another page about them).
    pub link: Option<String>,
    /// Where they work: an organization's id or name (created if no organization has it).
    pub organization: Option<String>,
    pub note: Option<String>,
}

/// What a referral capture did: the person (new, or one the vault already held, now linked to
/// the referrer) and the task to write to them (none if they were contacted already).
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Captured {
    #[ts(type = "RecordOf<'person'>")]
    pub person: Record,
    #[ts(type = "RecordOf<'task'> | null")]
    pub task: Option<Record>,
    /// How an existing person was recognised (`email`, `link` or `name`); none when the
    /// person is new.
    pub matched_by: Option<String>,
}

const DEFAULT_AGENDA: &str = "Thank them for their time · a minute on my story · their path and their work · trends and advice · who else to talk to · thank them again";

fn meeting_of(r: &Record) -> Result<&Meeting, ApiError> {
    match &r.body {
        Body::Meeting(m) => Ok(m),
        _ => Err(ApiError::validation(
            "meeting_id",
            format!("{} is {}, not a meeting", r.id(), r.kind().a()),
        )),
    }
}

impl Rapport {
    /// The user's profile, if set.
    pub async fn profile(&self) -> Result<Option<Record>, ApiError> {
        match self.get(profile_id()).await {
            Ok(r) => Ok(Some(r)),
            Err(e) if e.code == crate::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates or changes the profile with JSON fields (`name`, `background`, `my_story`, `ask`,
    /// `time_zone`).
    pub async fn set_profile(&self, fields: Value) -> Result<Record, ApiError> {
        if self.profile().await?.is_some() {
            return self.update(profile_id(), fields).await;
        }
        crate::patch::check_fields(Kind::Profile, &fields)?;
        let Value::Object(map) = fields else {
            unreachable!("checked above")
        };
        let gave_name = map.contains_key("name");
        let body = crate::patch::body_from_fields(Kind::Profile, map)?;
        match self.create_with_id(Some(profile_id()), body).await {
            // Only a relay or a time zone given on a new vault: say what the first save also
            // needs, not that a field nobody gave is empty.
            Err(e) if !gave_name && e.message.starts_with("name: ") => Err(ApiError::validation(
                "name",
                "there is no profile yet: give your name with the other settings (it signs \
                 every draft)",
            )),
            created => created,
        }
    }

    /// The brief for a meeting (or for a person, before anything is scheduled).
    pub async fn prep_brief(&self, id: RecordId) -> Result<PrepBrief, ApiError> {
        let target = self.get(id).await?;
        let (meeting, person_id) = match &target.body {
            Body::Meeting(m) => (
                Some(target.clone()),
                m.person_id.ok_or_else(|| {
                    ApiError::validation(
                        "person_id",
                        "the meeting is with nobody yet: link a person first",
                    )
                })?,
            ),
            Body::Person(_) => (None, id),
            _ => return Err(ApiError::validation("id", "give a meeting or a person")),
        };
        let person = self.get_kind(person_id, Kind::Person).await?;
        let Body::Person(p) = &person.body else {
            unreachable!("checked kind")
        };
        let organization = match p.organization_id {
            Some(o) => self.get(o).await.ok(),
            None => None,
        };
        let referred_by = match p.referred_by_id {
            Some(r) => self.get(r).await.ok(),
            None => None,
        };
        let profile = self.profile().await?;
        let (my_story, background) = match profile.as_ref().map(|r| &r.body) {
            Some(Body::Profile(pr)) => (pr.my_story.as_str().to_string(), pr.background.clone()),
            _ => (String::new(), None),
        };
        let related = self.related(person_id).await?;
        let earlier_answers: Vec<Answer> = related
            .iter()
            .filter_map(|r| {
                if let Body::Meeting(m) = &r.body {
                    Some(m.answers.clone())
                } else {
                    None
                }
            })
            .flatten()
            .filter(|a| !a.text.trim().is_empty())
            .collect();
        let research = format!(
            "{}\n{}",
            p.research_notes.as_str(),
            organization
                .as_ref()
                .map(|o| if let Body::Organization(o) = &o.body {
                    o.notes.as_str().to_string()
                } else {
                    String::new()
                })
                .unwrap_or_default()
        );
        let chosen: Vec<RecordId> = match meeting.as_ref().map(meeting_of).transpose()? {
            Some(m) if !m.question_ids.is_empty() => m.question_ids.clone(),
            _ => Vec::new(),
        };
        let mut questions = Vec::new();
        for qid in chosen {
            let Ok(q) = self.get(qid).await else { continue };
            let Body::Question(qb) = &q.body else {
                continue;
            };
            questions.push(BriefQuestion {
                id: qid,
                text: qb.title.clone(),
                phase: meeting::phase(qb.category, qb.tiara),
                research_may_answer: meeting::research_covers(qb.category, &research),
                answer: earlier_answers
                    .iter()
                    .find(|a| a.question_id == qid)
                    .map(|a| a.text.clone()),
            });
        }
        questions.sort_by_key(|q| q.phase);
        let mut loose_ends: Vec<Record> = related
            .iter()
            .filter(|r| matches!(&r.body, Body::Task(t) if t.done_at.is_none()))
            .cloned()
            .collect();
        loose_ends.sort_by_key(|r| r.body.due_at());
        let mut history: Vec<HistoryItem> = Vec::new();
        for r in &related {
            match &r.body {
                Body::Outreach(o) => {
                    if let Some(at) = o.sent_at {
                        history.push(HistoryItem {
                            at,
                            what: format!("Sent “{}”", o.title),
                            record_id: r.id(),
                        });
                    }
                    if let Some(at) = o.replied_at {
                        history.push(HistoryItem {
                            at,
                            what: format!("They replied to “{}”", o.title),
                            record_id: r.id(),
                        });
                    }
                }
                Body::Meeting(m) if Some(r.id()) != meeting.as_ref().map(Record::id) => {
                    if let Some(at) = m.ended_at.or(m.start) {
                        history.push(HistoryItem {
                            at,
                            what: m.title.clone(),
                            record_id: r.id(),
                        });
                    }
                }
                _ => {}
            }
        }
        history.sort_by_key(|h| std::cmp::Reverse(h.at));
        let agenda = meeting
            .as_ref()
            .and_then(|m| meeting_of(m).ok())
            .map(|m| m.agenda.as_str().to_string())
            .filter(|a| !a.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_AGENDA.to_string());
        Ok(PrepBrief {
            meeting,
            person,
            organization,
            referred_by,
            my_story,
            background,
            agenda,
            questions,
            loose_ends,
            history,
        })
    }

    /// Meeting mode: starts the clock now.
    pub async fn start_meeting(&self, id: RecordId) -> Result<Record, ApiError> {
        let now = self.clock().now();
        self.change(id, move |b| match b {
            // Starting again would silently reset the clock of a conversation under way.
            Body::Meeting(m) if m.started_at.is_some() && m.ended_at.is_none() => {
                Err(ApiError::validation(
                    "started_at",
                    format!(
                        "the meeting is under way since {}: `meeting stop` ends it",
                        m.started_at.map(|t| t.to_string()).unwrap_or_default()
                    ),
                ))
            }
            Body::Meeting(m) => Ok(Body::Meeting(Meeting {
                started_at: Some(now),
                ended_at: None,
                ..m.clone()
            })),
            _ => Err(ApiError::validation("id", "only a meeting can be started")),
        })
        .await
    }

    /// Meeting mode: stops the clock now; the meeting is held and the thank-you clock starts.
    pub async fn stop_meeting(&self, id: RecordId) -> Result<Record, ApiError> {
        let now = self.clock().now();
        self.change(id, move |b| match b {
            Body::Meeting(m) if m.started_at.is_some() => Ok(Body::Meeting(Meeting {
                ended_at: Some(now),
                status: Some(rapport_model::MeetingStatus::Held),
                ..m.clone()
            })),
            Body::Meeting(_) => Err(ApiError::validation(
                "started_at",
                "the meeting was not started: start it first",
            )),
            _ => Err(ApiError::validation("id", "only a meeting can be stopped")),
        })
        .await
    }

    /// The meeting clock against the planned length (20 minutes when none was planned).
    pub async fn meeting_timer(&self, id: RecordId) -> Result<Timer, ApiError> {
        let r = self.get_kind(id, Kind::Meeting).await?;
        let m = meeting_of(&r)?;
        Ok(meeting::timer(
            m.started_at,
            m.ended_at,
            m.planned_minutes.unwrap_or(20),
            self.clock().now(),
        ))
    }

    /// Notes the answer to one of the meeting's questions (adding the question to it if needed).
    pub async fn answer(
        &self,
        meeting_id: RecordId,
        question_id: RecordId,
        text: String,
    ) -> Result<Record, ApiError> {
        self.get_kind(question_id, Kind::Question).await?;
        self.change(meeting_id, move |b| {
            let Body::Meeting(m) = b else {
                return Err(ApiError::validation("meeting_id", "is not a meeting"));
            };
            let mut m = m.clone();
            if !m.question_ids.contains(&question_id) {
                m.question_ids.push(question_id);
            }
            match m.answers.iter_mut().find(|a| a.question_id == question_id) {
                Some(a) => a.text = text,
                None => m.answers.push(Answer { question_id, text }),
            }
            Ok(Body::Meeting(m))
        })
        .await
    }

    /// Adds a takeaway to a meeting.
    pub async fn add_takeaway(
        &self,
        meeting_id: RecordId,
        text: String,
        topic: TakeawayTopic,
    ) -> Result<Record, ApiError> {
        let id = RecordId::new_at(self.clock().now());
        self.change(meeting_id, move |b| {
            let Body::Meeting(m) = b else {
                return Err(ApiError::validation("meeting_id", "is not a meeting"));
            };
            let mut m = m.clone();
            m.takeaways.push(Takeaway { id, text, topic });
            Ok(Body::Meeting(m))
        })
        .await
    }

    /// Creates the referred person (referred by, found through a referral) and queues the task
    /// to write to them, in one durable write.
    pub async fn capture_referral(&self, c: ReferralCapture) -> Result<Captured, ApiError> {
        let now = self.clock().now();
        let referrer_id = match (c.referrer_id, c.meeting_id) {
            (Some(r), _) => r,
            (None, Some(m)) => meeting_of(&self.get(m).await?)?.person_id.ok_or_else(|| {
                ApiError::validation(
                    "referrer_id",
                    "the meeting is with nobody: say who referred them",
                )
            })?,
            (None, None) => {
                return Err(ApiError::validation(
                    "referrer_id",
                    "say who referred them (or the meeting it came up in)",
                ));
            }
        };
        let referrer = self.get_kind(referrer_id, Kind::Person).await?;
        let referrer_name = referrer.body.display_name().to_string();
        let referrer_goals = match &referrer.body {
            Body::Person(r) => r.goal_ids.clone(),
            _ => Vec::new(),
        };
        let email = c.email.filter(|e| !e.trim().is_empty());
        let link = c.link.filter(|l| !l.trim().is_empty());
        let mut records = Vec::new();
        let organization_id = match c.organization.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(given) => Some(match given.parse::<RecordId>() {
                Ok(id) => self.get_kind(id, Kind::Organization).await?.id(),
                Err(_) => match self
                    .list_all(Kind::Organization)
                    .await?
                    .into_iter()
                    .find(|o| o.body.display_name().eq_ignore_ascii_case(given))
                {
                    Some(o) => o.id(),
                    None => {
                        let org = Record {
                            meta: Meta::new_at(now),
                            body: Body::Organization(rapport_model::Organization {
                                name: given.to_string(),
                                ..Default::default()
                            }),
                        };
                        let id = org.id();
                        records.push(org);
                        id
                    }
                },
            }),
        };
        // Someone already in the vault is linked, not made twice: by email, then profile URL,
        // then a name only one person has.
        let people = self.list_all(Kind::Person).await?;
        let as_person = |r: &Record| match &r.body {
            Body::Person(p) => Some(p.clone()),
            _ => None,
        };
        let by_email = email.as_deref().and_then(|e| {
            people.iter().find(|r| {
                as_person(r).is_some_and(|p| {
                    p.emails
                        .iter()
                        .any(|x| x.value.eq_ignore_ascii_case(e.trim()))
                })
            })
        });
        let by_link = link.as_deref().and_then(|l| {
            let key = crate::import::normalize_url(l);
            people.iter().find(|r| {
                as_person(r).is_some_and(|p| {
                    p.links
                        .iter()
                        .any(|x| crate::import::normalize_url(&x.url) == key)
                })
            })
        });
        let named: Vec<&Record> = people
            .iter()
            .filter(|r| {
                r.body
                    .display_name()
                    .trim()
                    .eq_ignore_ascii_case(c.name.trim())
            })
            .collect();
        let by_name = (named.len() == 1).then(|| named[0]);
        let (existing, matched_by) = match (by_email, by_link, by_name) {
            (Some(r), _, _) => (Some(r.clone()), Some("email")),
            (None, Some(r), _) => (Some(r.clone()), Some("link")),
            (None, None, Some(r)) => (Some(r.clone()), Some("name")),
            _ => (None, None),
        };
        if existing.as_ref().is_some_and(|r| r.id() == referrer_id) {
            return Err(ApiError::validation(
                "name",
                format!("{referrer_name} cannot refer themselves"),
            ));
        }
        let contacted = existing.as_ref().is_some_and(|r| match &r.body {
            Body::Person(p) => current_stage(p).rank() >= rapport_model::Stage::Requested.rank(),
            _ => false,
        });
        let mut person_record = existing.clone().unwrap_or_else(|| Record {
            meta: Meta::new_at(now),
            body: Body::Person(Person {
                name: c.name.clone(),
                source: Some(Source::Referral),
                source_detail: Some(format!("Referred by {referrer_name}")),
                ..Default::default()
            }),
        });
        if let Body::Person(p) = &mut person_record.body {
            // What the referral says is added; nothing the vault knew is lost.
            if p.referred_by_id.is_none() {
                p.referred_by_id = Some(referrer_id);
            }
            if p.role.is_none() {
                p.role = c.role;
            }
            if p.organization_id.is_none() {
                p.organization_id = organization_id;
            }
            if let Some(e) = email
                && !p
                    .emails
                    .iter()
                    .any(|x| x.value.eq_ignore_ascii_case(e.trim()))
            {
                p.emails.push(rapport_model::ContactPoint::new(e));
            }
            if let Some(l) = link
                && !p.links.iter().any(|x| {
                    crate::import::normalize_url(&x.url) == crate::import::normalize_url(&l)
                })
            {
                p.links.push(rapport_model::Link {
                    url: l,
                    label: None,
                });
            }
            for g in &referrer_goals {
                if !p.goal_ids.contains(g) {
                    p.goal_ids.push(*g);
                }
            }
            if let Some(note) = c.note.filter(|n| !n.trim().is_empty()) {
                let mut text = p.research_notes.as_str().to_string();
                if !text.is_empty() {
                    text.push_str("\n\n");
                }
                text.push_str(&note);
                p.research_notes = rapport_model::Prose::new(text);
            }
        }
        if existing.is_some() {
            person_record.meta.updated_at = now.max(person_record.meta.updated_at);
        }
        let pid = person_record.id();
        let display = person_record.body.display_name().to_string();
        records.push(person_record);
        // Someone contacted already needs no first message.
        let task = (!contacted).then(|| Record {
            meta: Meta::new_at(now),
            body: Body::Task(Task {
                title: format!("Write to {display} (referred by {referrer_name})"),
                task_kind: Some(TaskKind::Outreach),
                person_id: Some(pid),
                meeting_id: c.meeting_id,
                due_at: Some(Timestamp::from_millis(now.as_millis() + 2 * 86_400_000)),
                done_at: None,
                notes: rapport_model::Prose::default(),
            }),
        });
        let tid = task.as_ref().map(Record::id);
        records.extend(task);
        for r in &mut records {
            r.body.normalize();
        }
        self.write_all(records).await?;
        let person = self.refresh_person(pid).await?;
        let task = match tid {
            Some(t) => Some(self.get(t).await?),
            None => None,
        };
        Ok(Captured {
            person,
            task,
            matched_by: matched_by.map(str::to_string),
        })
    }
}
