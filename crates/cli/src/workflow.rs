//! The workflow commands: outreach and meetings, what is due today, who to contact next, stats.

use clap::{Args, Subcommand};
use jiff::tz::TimeZone;
use rapport_core::model::workflow::etiquette::Severity;
use rapport_core::model::{Kind, RecordId, Stage, Timestamp};
use rapport_core::workflow::{Dashboard, Due, Today};
use rapport_core::{ApiError, Rapport};
use serde_json::{Map, Value, json};

use crate::args::{self, RecordCommand, ToFields, resolve};
use crate::{output, parse_id};

#[derive(Args, Debug)]
pub struct OutreachFields {
    #[arg(long)]
    title: Option<String>,
    /// Who it is to (id or name).
    #[arg(long)]
    person: Option<String>,
    /// email, linkedin, phone, text, in_person or other.
    #[arg(long)]
    channel: Option<String>,
    /// draft, sent, replied or declined.
    #[arg(long)]
    status: Option<String>,
    #[arg(long)]
    subject: Option<String>,
    /// The message itself.
    #[arg(long)]
    body: Option<String>,
}

impl ToFields for OutreachFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        args::set(&mut m, "title", self.title.clone().map(Value::from));
        args::set(
            &mut m,
            "person_id",
            args::id(app, "person", Kind::Person, &self.person).await?,
        );
        args::set(&mut m, "channel", self.channel.clone().map(Value::from));
        args::set(&mut m, "status", self.status.clone().map(Value::from));
        args::set(&mut m, "subject", self.subject.clone().map(Value::from));
        args::set(&mut m, "body", self.body.clone().map(Value::from));
        Ok(m)
    }
}

#[derive(Args, Debug)]
pub struct MeetingFields {
    #[arg(long)]
    title: Option<String>,
    /// Who it is with (id or name).
    #[arg(long)]
    person: Option<String>,
    /// proposed, confirmed, held or cancelled.
    #[arg(long)]
    status: Option<String>,
    /// A proposed time (repeatable): 2026-12-03T15:00:00Z.
    #[arg(long = "slot", value_name = "TIME")]
    slots: Vec<String>,
    /// The confirmed start: 2026-12-03T15:00:00Z (or with an offset, +01:00).
    #[arg(long)]
    start: Option<String>,
    /// The IANA time zone it was agreed in.
    #[arg(long)]
    time_zone: Option<String>,
    /// Planned length in minutes (15, 20, 30…).
    #[arg(long)]
    minutes: Option<i64>,
    /// phone, video, coffee, lunch, office or other.
    #[arg(long)]
    medium: Option<String>,
    #[arg(long)]
    place: Option<String>,
    #[arg(long)]
    notes: Option<String>,
    /// When it started and ended (marks it held when both are given).
    #[arg(long)]
    started: Option<String>,
    #[arg(long)]
    ended: Option<String>,
    /// When the thank-you was sent ("now" or a time).
    #[arg(long)]
    thanked: Option<String>,
}

fn time(app: &Rapport, field: &str, v: &Option<String>) -> Result<Option<Value>, ApiError> {
    match v.as_deref() {
        Some("now") => Ok(Some(json!(app.clock().now()))),
        other => args::date(field, &other.map(str::to_string)),
    }
}

impl ToFields for MeetingFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        args::set(&mut m, "title", self.title.clone().map(Value::from));
        args::set(
            &mut m,
            "person_id",
            args::id(app, "person", Kind::Person, &self.person).await?,
        );
        args::set(&mut m, "status", self.status.clone().map(Value::from));
        if !self.slots.is_empty() {
            let mut slots = Vec::new();
            for s in &self.slots {
                let t = Timestamp::parse(s).map_err(|e| ApiError::validation("slot", e))?;
                slots.push(json!({ "start": t }));
            }
            m.insert("proposed_slots".into(), Value::Array(slots));
        }
        args::set(&mut m, "start", time(app, "start", &self.start)?);
        args::set(&mut m, "time_zone", self.time_zone.clone().map(Value::from));
        args::set(&mut m, "planned_minutes", self.minutes.map(Value::from));
        args::set(&mut m, "medium", self.medium.clone().map(Value::from));
        args::set(&mut m, "place", self.place.clone().map(Value::from));
        args::set(&mut m, "notes", self.notes.clone().map(Value::from));
        args::set(&mut m, "started_at", time(app, "started", &self.started)?);
        args::set(&mut m, "ended_at", time(app, "ended", &self.ended)?);
        if m.contains_key("started_at") && m.contains_key("ended_at") && !m.contains_key("status") {
            m.insert("status".into(), json!("held"));
        }
        args::set(&mut m, "thanked_at", time(app, "thanked", &self.thanked)?);
        Ok(m)
    }
}

#[derive(Subcommand, Debug)]
pub enum OutreachCommand {
    #[command(flatten)]
    Record(RecordCommand<OutreachFields>),
    /// Draft a message to someone from a template, filled from their record and your profile.
    Draft {
        /// Who to (id or name).
        #[arg(long)]
        person: String,
        /// outreach, follow_up, thank_you, check_in or update.
        #[arg(long, default_value = "outreach")]
        purpose: String,
        /// A template of yours (id) instead of the built-in one.
        #[arg(long)]
        template: Option<String>,
        /// A time to propose (repeatable); default: two times inside your hours (profile
        /// --hours) that are also reasonable where they are.
        #[arg(long = "time", value_name = "TIME")]
        times: Vec<String>,
        /// Keep it as a draft among their messages (otherwise it is only shown).
        #[arg(long)]
        save: bool,
    },
    /// Check a draft's etiquette (from a file, or --text).
    Check {
        file: Option<std::path::PathBuf>,
        #[arg(long)]
        text: Option<String>,
    },
    /// Record that a message was sent (now, or --at TIME).
    Sent {
        id: String,
        #[arg(long)]
        at: Option<String>,
    },
    /// Record the reply (or --declined).
    Replied {
        id: String,
        #[arg(long)]
        declined: bool,
        /// When the reply came (a date or time), if not now.
        #[arg(long)]
        at: Option<String>,
    },
}

// One parsed command per process: the size difference between variants costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum MeetingCommand {
    #[command(flatten)]
    Record(RecordCommand<MeetingFields>),
    /// Meeting mode: start the clock now.
    Start { id: String },
    /// Meeting mode: stop the clock now (the meeting is held; the thank-you is due in 24 hours).
    Stop { id: String },
    /// Meeting mode: the clock against the planned length (--watch keeps it live until the
    /// meeting stops or Ctrl-C).
    Timer {
        id: String,
        #[arg(long)]
        watch: bool,
    },
    /// Note the answer to a question: its number in the brief (`rapport brief MEETING`), or its
    /// id.
    Answer {
        id: String,
        question: String,
        text: String,
    },
    /// The questions chosen for a meeting (the brief lists them in order).
    #[command(subcommand)]
    Questions(MeetingQuestions),
    /// Note a takeaway: skills, trends, culture, hiring, education or other.
    Takeaway {
        id: String,
        text: String,
        #[arg(long, default_value = "other")]
        topic: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum MeetingQuestions {
    /// Add questions from the bank (ids, or words of their text that only one question has).
    Add { id: String, questions: Vec<String> },
    /// Take questions off (their number in the brief, or their id).
    Rm { id: String, questions: Vec<String> },
}

#[derive(Subcommand, Debug)]
pub enum ProfileCommand {
    /// Show your profile.
    Show,
    /// Set your name, one-line background, story, usual ask, time zone and hours.
    Set {
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        background: Option<String>,
        #[arg(long)]
        story: Option<String>,
        #[arg(long)]
        ask: Option<String>,
        #[arg(long)]
        time_zone: Option<String>,
        /// When you can take calls, in your zone (default 09:00-17:00): proposed times fall
        /// inside these hours.
        #[arg(long)]
        hours: Option<String>,
        /// Your own relays for devices that share no network (URLs, comma-separated; "" for
        /// iroh's public ones). Kept in the vault: every device uses them.
        #[arg(long, value_delimiter = ',')]
        relay: Option<Vec<String>>,
    },
}

#[derive(Args, Debug)]
pub struct ReferralArgs {
    /// Their name.
    #[arg(long)]
    name: String,
    /// Who referred them (id or name); defaults to the person of --meeting.
    #[arg(long)]
    from: Option<String>,
    /// The meeting it came up in (id).
    #[arg(long)]
    meeting: Option<String>,
    #[arg(long)]
    role: Option<String>,
    #[arg(long)]
    email: Option<String>,
    /// A profile URL (LinkedIn or another page about them).
    #[arg(long)]
    link: Option<String>,
    /// Where they work: an organization's id or name (created if no organization has it).
    #[arg(long)]
    org: Option<String>,
    #[arg(long)]
    note: Option<String>,
}

/// The user's time zone: `--tz`, else the system's.
pub fn user_tz(given: Option<&str>) -> Result<TimeZone, ApiError> {
    rapport_core::time_zone("tz", given)
}

/// An `--at` moment given as a date or a time.
fn moment(at: Option<String>) -> Result<Option<Timestamp>, ApiError> {
    at.map(|s| Timestamp::parse(&s).map_err(|e| ApiError::validation("at", e)))
        .transpose()
}

pub async fn outreach(app: Rapport, cmd: OutreachCommand, json: bool) -> Result<(), ApiError> {
    match cmd {
        OutreachCommand::Record(c) => args::run(app, Kind::Outreach, c, json).await,
        OutreachCommand::Draft {
            person,
            purpose,
            template,
            times,
            save,
        } => {
            let person = resolve(&app, "person", Kind::Person, &person).await?;
            let purpose = purpose
                .parse()
                .map_err(|e| ApiError::validation("purpose", e))?;
            let template = template
                .as_deref()
                .map(|t| parse_id("template", t))
                .transpose()?;
            let mut at = Vec::new();
            for t in &times {
                at.push(Timestamp::parse(t).map_err(|e| ApiError::validation("time", e))?);
            }
            let d = app
                .draft_message(person, purpose, template, at, save)
                .await?;
            if json {
                return output::print_json(&d);
            }
            let rapport_core::model::Body::Outreach(o) = &d.outreach.body else {
                return Ok(());
            };
            if let Some(note) = &d.note {
                say!("Note: {note}\n");
            }
            if d.saved {
                say!(
                    "{}  (saved as draft {})\n",
                    o.subject.clone().unwrap_or_default(),
                    d.outreach.id()
                );
            } else {
                say!("{}\n", o.subject.clone().unwrap_or_default());
            }
            say!("{}", o.body.as_str());
            if !d.missing.is_empty() {
                say!("\nStill to fill in: {}", d.missing.join(", "));
            }
            for f in &d.findings {
                say!("{}: {}", f.rule, f.message);
            }
            if !d.saved {
                say!("\n(A preview: nothing was saved. --save keeps it as a draft.)");
            }
            Ok(())
        }
        OutreachCommand::Check { file, text } => {
            let text = match (file, text) {
                (_, Some(t)) => t,
                (Some(f), None) => std::fs::read_to_string(&f).map_err(|e| {
                    ApiError::validation("file", format!("cannot read {}: {e}", f.display()))
                })?,
                (None, None) => {
                    return Err(ApiError::validation("text", "give a file or --text \"…\""));
                }
            };
            let findings = app.check_outreach(&text);
            if findings.iter().any(|f| f.severity == Severity::Error) {
                crate::exit_with(crate::EXIT_FINDINGS);
            }
            if json {
                return output::print_json(&findings);
            }
            if findings.is_empty() {
                say!("Looks good: short, personal, a clear question with times to choose from.");
            }
            for f in &findings {
                say!(
                    "{:7} {}: {}\n        “{}”",
                    format!("{:?}", f.severity).to_lowercase(),
                    f.rule,
                    f.message,
                    f.excerpt.trim()
                );
            }
            Ok(())
        }
        OutreachCommand::Sent { id, at } => {
            let r = app.outreach_sent(parse_id("id", &id)?, moment(at)?).await?;
            output::record(&app, &r, json).await
        }
        OutreachCommand::Replied { id, declined, at } => {
            let r = app
                .outreach_replied(parse_id("id", &id)?, declined, moment(at)?)
                .await?;
            output::record(&app, &r, json).await
        }
    }
}

pub async fn meeting(app: Rapport, cmd: MeetingCommand, json: bool) -> Result<(), ApiError> {
    let r = match cmd {
        MeetingCommand::Record(c) => return args::run(app, Kind::Meeting, c, json).await,
        MeetingCommand::Start { id } => app.start_meeting(parse_id("id", &id)?).await?,
        MeetingCommand::Stop { id } => app.stop_meeting(parse_id("id", &id)?).await?,
        MeetingCommand::Timer { id, watch } => {
            let id = parse_id("id", &id)?;
            return timer(&app, id, watch, json).await;
        }
        MeetingCommand::Answer { id, question, text } => {
            let id = parse_id("id", &id)?;
            let question = brief_question(&app, id, &question).await?;
            app.answer(id, question, text).await?
        }
        MeetingCommand::Questions(q) => {
            let (id, given, add) = match q {
                MeetingQuestions::Add { id, questions } => (id, questions, true),
                MeetingQuestions::Rm { id, questions } => (id, questions, false),
            };
            let id = parse_id("id", &id)?;
            let meeting = app.get_kind(id, Kind::Meeting).await?;
            let rapport_core::model::Body::Meeting(m) = &meeting.body else {
                return Ok(());
            };
            // Starting from what the brief shows: the chosen questions, or its suggestions.
            let mut chosen: Vec<RecordId> = if m.question_ids.is_empty() {
                app.prep_brief(id)
                    .await?
                    .questions
                    .iter()
                    .map(|q| q.id)
                    .collect()
            } else {
                m.question_ids.clone()
            };
            for g in &given {
                let q = if add {
                    question_by_words(&app, g).await?
                } else {
                    brief_question(&app, id, g).await?
                };
                if add && !chosen.contains(&q) {
                    chosen.push(q);
                } else if !add {
                    chosen.retain(|x| *x != q);
                }
            }
            app.update(id, serde_json::json!({ "question_ids": chosen }))
                .await?
        }
        MeetingCommand::Takeaway { id, text, topic } => {
            let topic = topic
                .parse()
                .map_err(|e| ApiError::validation("topic", e))?;
            app.add_takeaway(parse_id("id", &id)?, text, topic).await?
        }
    };
    output::record(&app, &r, json).await
}

pub async fn profile(app: Rapport, cmd: ProfileCommand, json: bool) -> Result<(), ApiError> {
    match cmd {
        ProfileCommand::Show => match app.profile().await? {
            Some(r) => output::record(&app, &r, json).await,
            None if json => output::print_json(&Value::Null),
            None => {
                say!(
                    "No profile yet. Set it with `rapport profile set --name NAME --background \"…\" --story \"…\"`."
                );
                Ok(())
            }
        },
        ProfileCommand::Set {
            name,
            background,
            story,
            ask,
            time_zone,
            hours,
            relay,
        } => {
            let mut m = Map::new();
            args::set(&mut m, "hours", hours.map(Value::from));
            if let Some(r) = relay {
                m.insert("relays".into(), Value::from(r));
            }
            args::set(&mut m, "name", name.map(Value::from));
            args::set(&mut m, "background", background.map(Value::from));
            args::set(&mut m, "my_story", story.map(Value::from));
            args::set(&mut m, "ask", ask.map(Value::from));
            args::set(&mut m, "time_zone", time_zone.map(Value::from));
            let r = app.set_profile(Value::Object(m)).await?;
            output::record(&app, &r, json).await
        }
    }
}

pub async fn referral(app: Rapport, a: ReferralArgs, json: bool) -> Result<(), ApiError> {
    let referrer_id = match &a.from {
        Some(f) => Some(resolve(&app, "from", Kind::Person, f).await?),
        None => None,
    };
    let meeting_id = a
        .meeting
        .as_deref()
        .map(|m| parse_id("meeting", m))
        .transpose()?;
    let c = app
        .capture_referral(rapport_core::meeting::ReferralCapture {
            referrer_id,
            meeting_id,
            name: a.name,
            role: a.role,
            email: a.email,
            link: a.link,
            organization: a.org,
            note: a.note,
        })
        .await?;
    if json {
        return output::print_json(&c);
    }
    say!("{}", c.person.id());
    if let Some(by) = &c.matched_by {
        say!(
            "{} was already in the vault (same {by}): linked to who referred them, nothing new made",
            c.person.body.display_name()
        );
    }
    match &c.task {
        Some(task) => say!("queued: {}", task.body.display_name()),
        None => say!("no message queued: you have been in touch already"),
    }
    Ok(())
}

/// A question of the bank, by id, by its whole text, or by words only one question has.
async fn question_by_words(app: &Rapport, given: &str) -> Result<RecordId, ApiError> {
    if let Ok(id) = given.parse::<RecordId>() {
        return Ok(id);
    }
    let hits = app
        .search(rapport_core::SearchRequest {
            query: given.into(),
            kind: Some(Kind::Question),
            limit: Some(10),
        })
        .await?
        .hits;
    let wanted = given.trim().to_lowercase();
    if let Some(exact) = hits.iter().find(|h| h.title.to_lowercase() == wanted) {
        return Ok(exact.id);
    }
    match hits.as_slice() {
        [one] => Ok(one.id),
        [] => Err(ApiError::validation(
            "questions",
            format!("no question of the bank has the words '{given}' (`rapport question list`)"),
        )),
        many => Err(ApiError::validation(
            "questions",
            format!(
                "{} questions have the words '{given}': add words, or give an id ({})",
                many.len(),
                many.iter()
                    .map(|h| h.title.as_str())
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" / ")
            ),
        )),
    }
}

/// A question of a meeting's brief, by its number there (1, 2, …) or by id.
async fn brief_question(
    app: &Rapport,
    meeting: RecordId,
    given: &str,
) -> Result<RecordId, ApiError> {
    if let Ok(id) = given.parse::<RecordId>() {
        return Ok(id);
    }
    let n: usize = given.trim().parse().map_err(|_| {
        ApiError::validation(
            "question",
            format!("'{given}' is neither a question's number in the brief nor its id"),
        )
    })?;
    let questions = app.prep_brief(meeting).await?.questions;
    questions
        .get(n.wrapping_sub(1))
        .map(|q| q.id)
        .ok_or_else(|| {
            ApiError::validation(
                "question",
                format!(
                    "the brief has {} questions; {n} is not one of them",
                    questions.len()
                ),
            )
        })
}

/// The meeting's clock, once or (with `watch`) live until it stops.
async fn timer(app: &Rapport, id: RecordId, watch: bool, json: bool) -> Result<(), ApiError> {
    let mm = |s: i64| {
        format!(
            "{}{}:{:02}",
            if s < 0 { "-" } else { "" },
            s.abs() / 60,
            s.abs() % 60
        )
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    loop {
        let t = app.meeting_timer(id).await?;
        if json && watch {
            // One object per line, as `sync --watch --json` prints its events.
            say!("{}", serde_json::to_string(&t).unwrap_or_default());
        } else if json {
            output::print_json(&t)?;
        } else {
            let line = format!(
                "{} of {} — {} left — {}",
                mm(t.elapsed_secs),
                mm(t.planned_secs),
                mm(t.remaining_secs),
                serde_json::to_value(t.signal)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default()
                    .replace('_', " ")
            );
            if watch && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                // One line, redrawn in place.
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = write!(out, "\r{line}\x1b[K");
                let _ = out.flush();
            } else {
                say!("{line}");
            }
        }
        let ended = t.signal == rapport_core::model::workflow::meeting::Signal::Ended;
        if !watch || ended {
            if watch && !json {
                println!();
            }
            return Ok(());
        }
        tokio::select! {
            _ = tick.tick() => {}
            _ = &mut stop => {
                println!();
                return Ok(());
            }
        }
    }
}

pub async fn brief(app: Rapport, id: String, json: bool) -> Result<(), ApiError> {
    let id = match id.parse() {
        Ok(id) => id,
        Err(_) => resolve(&app, "id", Kind::Person, &id).await?,
    };
    let b = app.prep_brief(id).await?;
    if json {
        return output::print_json(&b);
    }
    let Some(rapport_core::model::Body::Person(p)) = Some(&b.person.body) else {
        return Ok(());
    };
    let role = p
        .role
        .clone()
        .map(|r| format!(" — {r}"))
        .unwrap_or_default();
    let org = b
        .organization
        .as_ref()
        .map(|o| format!(" at {}", o.body.display_name()))
        .unwrap_or_default();
    say!("{}{role}{org}", p.name);
    if let Some(r) = &b.referred_by {
        say!("Referred by {}", r.body.display_name());
    }
    if let Some(meeting) = &b.meeting {
        say!("Meeting: {}", meeting.body.display_name());
        if let rapport_core::model::Body::Meeting(m) = &meeting.body {
            let mine = app.view_time_zone("tz", None).await?;
            if let Some(start) = m.start {
                say!(
                    "When: {}",
                    output::in_both_zones(start, m.time_zone.as_deref(), &mine)
                );
            }
            let how: Vec<String> = [
                m.medium.map(|x| x.to_string().replace('_', " ")),
                m.place.clone(),
                m.planned_minutes.map(|n| format!("{n} minutes")),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !how.is_empty() {
                say!("How: {}", how.join(" · "));
            }
        }
    }
    say!("\nAgenda\n  {}", b.agenda);
    if !b.my_story.is_empty() {
        say!("\nMy story\n  {}", b.my_story);
    }
    if !p.research_notes.is_empty() {
        say!(
            "\nTheir story and research\n  {}",
            p.research_notes.as_str().replace('\n', "\n  ")
        );
    }
    if let Some(rapport_core::model::Body::Organization(o)) =
        b.organization.as_ref().map(|r| &r.body)
        && !o.notes.is_empty()
    {
        say!(
            "\nAbout {}\n  {}",
            o.name,
            o.notes.as_str().replace('\n', "\n  ")
        );
    }
    if !b.questions.is_empty() {
        say!("\nQuestions (answer by number: `rapport meeting answer MEETING N \"…\"`)");
        for (n, q) in b.questions.iter().enumerate() {
            say!(
                "  {:>2}. {} {}{}",
                n + 1,
                if q.answer.is_some() { "✓" } else { " " },
                q.text,
                if q.research_may_answer {
                    "  (your research may already answer this)"
                } else {
                    ""
                }
            );
        }
    }
    if !b.loose_ends.is_empty() {
        say!("\nLoose ends");
        for t in &b.loose_ends {
            say!("  • {}", t.body.display_name());
        }
    }
    if !b.history.is_empty() {
        say!("\nHistory");
        for h in &b.history {
            say!("  {}  {}", h.at.to_jiff().strftime("%Y-%m-%d"), h.what);
        }
    }
    Ok(())
}

pub async fn set_stage(
    app: Rapport,
    person: String,
    stage: String,
    json: bool,
) -> Result<(), ApiError> {
    let id = resolve(&app, "person", Kind::Person, &person).await?;
    let stage = match stage.as_str() {
        "auto" => None,
        s => Some(
            s.parse::<Stage>()
                .map_err(|e| ApiError::validation("stage", format!("{e}, or auto")))?,
        ),
    };
    let r = app.set_stage(id, stage).await?;
    output::record(&app, &r, json).await
}

pub async fn next(app: Rapport, limit: usize, json: bool) -> Result<(), ApiError> {
    let next = app.next_to_contact(limit).await?;
    if json {
        return output::print_json(&next);
    }
    if next.is_empty() {
        say!("Nobody waiting to be contacted. Add people with `rapport person add`.");
    }
    for n in &next {
        let why: Vec<String> = n
            .reasons
            .iter()
            .map(|r| {
                serde_json::to_value(r)
                    .ok()
                    .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                    .unwrap_or_default()
            })
            .collect();
        say!(
            "{:<36}  {:<28}  {}",
            n.person.id().to_string(),
            n.person.body.display_name(),
            why.join(", ")
        );
    }
    Ok(())
}

/// "OVERDUE Mon 07 Dec 09:30  Write to Omar", in the user's zone; a day without a time shows
/// the day only.
fn due_line(d: &Due, tz: &TimeZone) -> String {
    let when = if d.all_day {
        d.due_at
            .to_jiff()
            .to_zoned(TimeZone::UTC)
            .strftime("%a %d %b")
            .to_string()
    } else {
        d.due_at
            .to_jiff()
            .to_zoned(tz.clone())
            .strftime("%a %d %b %H:%M")
            .to_string()
    };
    format!(
        "{}{when}  {}",
        if d.overdue { "OVERDUE " } else { "" },
        d.what
    )
}

pub async fn today(app: Rapport, tz: &TimeZone, limit: usize, json: bool) -> Result<(), ApiError> {
    let t: Today = app.today(tz, limit).await?;
    if json {
        return output::print_json(&t);
    }
    let mut empty = true;
    let mut section = |title: &str, lines: Vec<String>, total: u64| {
        if !lines.is_empty() {
            empty = false;
            say!("{title}");
            let shown = lines.len() as u64;
            for l in lines {
                say!("  {l}");
            }
            if total > shown {
                say!("  … and {} more (`rapport today --all`)", total - shown);
            }
        }
    };
    let zone = tz.iana_name().unwrap_or("UTC");
    section(
        "Next meetings (today and the coming week)",
        t.meetings
            .iter()
            .map(|m| {
                let when = match &m.body {
                    rapport_core::model::Body::Meeting(mb) => mb
                        .start
                        .map(|s| output::in_both_zones(s, mb.time_zone.as_deref(), tz))
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                format!("{when}  {}", m.body.display_name())
            })
            .collect(),
        t.totals.meetings,
    );
    section(
        "Thank-yous due",
        t.thank_yous.iter().map(|d| due_line(d, tz)).collect(),
        t.totals.thank_yous,
    );
    section(
        "Follow-ups (3B7)",
        t.follow_ups
            .iter()
            .map(|n| match n.nudge {
                rapport_core::model::workflow::calendar::Nudge::FollowUp => format!("{}: {} business days without a reply — send a polite follow-up", n.person_name, n.business_days),
                _ => format!("{}: {} business days without a reply — try someone else at the same organization ({} not contacted yet)", n.person_name, n.business_days, n.others_at_organization.len()),
            })
            .collect(),
        t.totals.follow_ups,
    );
    section(
        "Check-ins due",
        t.check_ins.iter().map(|d| due_line(d, tz)).collect(),
        t.totals.check_ins,
    );
    section(
        "Tasks due",
        t.tasks.iter().map(|d| due_line(d, tz)).collect(),
        t.totals.tasks,
    );
    if empty {
        say!("Nothing due today ({zone}). `rapport next` suggests who to contact.");
    }
    Ok(())
}

pub async fn stats(app: Rapport, tz: &TimeZone, json: bool) -> Result<(), ApiError> {
    let d: Dashboard = app.dashboard(tz).await?;
    if json {
        return output::print_json(&d);
    }
    let f = &d.funnel;
    say!(
        "Funnel: {} identified → {} contacted → {} replied → {} met → {} thanked",
        f.identified,
        f.contacted,
        f.replied,
        f.met,
        f.thanked
    );
    say!("Conversations per week (last 12):");
    for w in &d.per_week {
        say!("  {}  {}", w.week_of, "█".repeat(w.conversations as usize));
    }
    if let Some(days) = d.reply_days_median {
        say!(
            "Replies: {} (median {:.1} days after sending)",
            d.replies,
            days
        );
    }
    // What was learned, per goal and per industry, topic by topic.
    if u64::from(d.takeaways_from) < d.conversations_with_takeaways {
        say!(
            "What you learned, from the latest {} of {} conversations with takeaways:",
            d.takeaways_from,
            d.conversations_with_takeaways
        );
    }
    for (title, rollups) in [
        ("goal", &d.takeaways_by_goal),
        ("industry", &d.takeaways_by_industry),
    ] {
        for r in rollups {
            let n: usize = r.topics.values().map(Vec::len).sum();
            say!("Takeaways for the {title} “{}” ({n}):", r.group);
            for (topic, items) in &r.topics {
                for t in items {
                    say!("  {topic}: {t}");
                }
            }
        }
    }
    say!("Referral chains: {}", d.chains_total);
    fn tree(n: &rapport_core::workflow::ChainNode, depth: usize) {
        say!(
            "  {}{}{}",
            "  ".repeat(depth),
            n.name,
            if n.met { " ✓ met" } else { "" }
        );
        for c in &n.children {
            tree(c, depth + 1);
        }
    }
    for c in d.referral_chains.iter().take(5) {
        say!("  depth {}, {} people, {} met:", c.depth, c.people, c.met);
        tree(&c.root, 1);
    }
    Ok(())
}
