//! Messages drafted from templates, filled from the records: outreach, follow-up, thank-you,
//! check-in. The built-in templates are written for Rapport; users add their own.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use rapport_model::workflow::{calendar, etiquette, template};
use rapport_model::{
    Body, Kind, MeetingStatus, Meta, Outreach, OutreachStatus, Prose, Record, RecordId, Template,
    TemplatePurpose, Timestamp,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Rapport};

type Builtin = (TemplatePurpose, &'static str, &'static str, &'static str);

/// The built-in templates: purpose, title, subject, body. `{placeholders}` are filled from the
/// records; a `[bracketed prompt]` is for the user to write, and a message holding one (or an
/// unfilled placeholder) cannot be marked sent.
pub const TEMPLATES: &[Builtin] = &[
    (
        TemplatePurpose::Outreach,
        "A short request",
        "A quick question about your work",
        "Hi {greeting},\n\n{connection}. I'm {my_background}, and I'd value your view on {topic}.\n\nWould you have {ask}? {times} would suit me, but I'm happy to fit around you.\n\nThank you,\n{my_name}",
    ),
    (
        TemplatePurpose::FollowUp,
        "A polite follow-up",
        "Following up",
        "Hi {greeting},\n\nI know inboxes fill up quickly, so I'm writing once more. {connection}, and I'd still appreciate {ask} if you can spare it. Would {times} work?\n\nEither way, thank you,\n{my_name}",
    ),
    (
        TemplatePurpose::ThankYou,
        "Thank you after a conversation",
        "Thank you",
        "Hi {greeting},\n\nThank you for your time {when_we_spoke}. [one thing you learned from them, and what you will do with it]\n\nI'll let you know how it goes.\n\nBest,\n{my_name}",
    ),
    (
        TemplatePurpose::CheckIn,
        "Keeping in touch",
        "A quick update",
        "Hi {greeting},\n\nIt's been a while since we spoke, and I wanted to share where things stand: [your update]. Your advice on {topic} helped.\n\nHope all is well on your side,\n{my_name}",
    ),
    (
        TemplatePurpose::Update,
        "How your advice worked out",
        "How it went",
        "Hi {greeting},\n\nWhen we spoke {when_we_spoke}, you suggested [what they suggested]. I followed it up: [what you did, and how it went].\n\nThank you again for pointing me that way,\n{my_name}",
    ),
];

/// The stable id of the n-th built-in template (the same on every device).
pub fn builtin_template_id(n: usize) -> RecordId {
    let mut b = *crate::questions::builtin_id(n).as_bytes();
    b[9..11].copy_from_slice(b"TP");
    RecordId::from_bytes(b)
}

/// The built-in templates as records.
pub fn template_records() -> Vec<Record> {
    TEMPLATES
        .iter()
        .enumerate()
        .map(|(n, (purpose, title, subject, body))| {
            let mut meta = Meta::new_at(Timestamp::from_millis(1_767_225_600_000));
            meta.id = builtin_template_id(n);
            Record {
                meta,
                body: Body::Template(Template {
                    title: (*title).into(),
                    purpose: Some(*purpose),
                    subject: Some((*subject).into()),
                    body: Prose::new(*body),
                }),
            }
        })
        .collect()
}

/// A draft, with what the etiquette check says and the placeholders left to fill. It is not
/// stored until asked to ([`Rapport::draft_message`] with `save`).
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Draft {
    #[ts(type = "RecordOf<'outreach'>")]
    pub outreach: Record,
    pub findings: Vec<etiquette::Finding>,
    pub missing: Vec<String>,
    /// Whether it was stored (as a draft of the person's messages).
    pub saved: bool,
    /// What the user should know before sending, such as an earlier message to the same person.
    pub note: Option<String>,
}

/// The last part of a zone's name, for people: "America/New_York" → "New York".
fn place_of(tz: &TimeZone) -> String {
    tz.iana_name()
        .and_then(|n| n.rsplit('/').next())
        .unwrap_or("UTC")
        .replace('_', " ")
}

/// The proposed times as the recipient reads them: in their zone, and in the sender's too when
/// that differs — "Tuesday 3 Dec at 17:00 or Thursday 5 Dec at 16:00 (your time; 09:00 and
/// 08:00 for me in New York)".
pub fn format_times(times: &[Timestamp], theirs: &TimeZone, mine: &TimeZone) -> String {
    let join = |parts: Vec<String>, word: &str| match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} {word} {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    let zoned = |t: &Timestamp, tz: &TimeZone| t.to_jiff().to_zoned(tz.clone());
    let there: Vec<String> = times
        .iter()
        .map(|t| zoned(t, theirs).strftime("%A %-d %b at %H:%M").to_string())
        .collect();
    if there.is_empty() {
        return String::new();
    }
    let same = times
        .iter()
        .all(|t| zoned(t, theirs).offset() == zoned(t, mine).offset());
    if same {
        return format!("{} (your time)", join(there, "or"));
    }
    let here: Vec<String> = times
        .iter()
        .map(|t| {
            let (a, b) = (zoned(t, mine), zoned(t, theirs));
            if a.date() == b.date() {
                a.strftime("%H:%M").to_string()
            } else {
                a.strftime("%A %H:%M").to_string()
            }
        })
        .collect();
    format!(
        "{} (your time; {} for me in {})",
        join(there, "or"),
        join(here, "and"),
        place_of(mine)
    )
}

/// Hours of the recipient's day a request may reasonably land in.
const THEIR_DAY: (i8, i8) = (8, 19);

/// Two times to propose: inside the sender's own hours (`mine_hours`, in `mine`, on their
/// business days from the second on), at a reasonable hour of the recipient's weekday, on two
/// different days, one in the morning and one later if the hours allow. When no such time
/// exists (the zones barely overlap), the times closest to the recipient's day.
pub fn propose_times(
    now: Timestamp,
    mine: &TimeZone,
    theirs: &TimeZone,
    mine_hours: (jiff::civil::Time, jiff::civil::Time),
) -> Vec<Timestamp> {
    let mut candidates: Vec<(i64, Timestamp, jiff::civil::Date)> = Vec::new();
    for days in 2..=8 {
        let date = calendar::add_business_days(now, days, mine);
        let mut t = mine_hours.0;
        while t < mine_hours.1 {
            if let Ok(z) = date.to_datetime(t).to_zoned(mine.clone()) {
                let there = z.timestamp().to_zoned(theirs.clone());
                let h = i64::from(there.hour()) * 60 + i64::from(there.minute());
                let (lo, hi) = (i64::from(THEIR_DAY.0) * 60, i64::from(THEIR_DAY.1) * 60);
                let weekday = !matches!(
                    there.weekday(),
                    jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday
                );
                // Minutes outside their day (0 inside it), a weekend counting as far outside.
                let off = if !weekday {
                    24 * 60
                } else if h < lo {
                    lo - h
                } else if h >= hi {
                    h - hi + 1
                } else {
                    0
                };
                candidates.push((off, Timestamp::from_jiff(z.timestamp()), date));
            }
            t = match t.checked_add(jiff::SignedDuration::from_mins(30)) {
                Ok(next) if next > t => next,
                _ => break,
            };
        }
    }
    let best = candidates.iter().map(|c| c.0).min().unwrap_or(0);
    let fitting: Vec<&(i64, Timestamp, jiff::civil::Date)> =
        candidates.iter().filter(|c| c.0 == best).collect();
    let Some(first_day) = fitting.first().map(|c| c.2) else {
        return Vec::new();
    };
    let on = |day: jiff::civil::Date| fitting.iter().filter(move |c| c.2 == day);
    // Mid-morning if it fits (10:00 mine, or the first good time), then a later time on the
    // next good day.
    let morning = on(first_day)
        .find(|c| c.1.to_jiff().to_zoned(mine.clone()).hour() >= 10)
        .or_else(|| on(first_day).next())
        .map(|c| c.1);
    let second_day = fitting.iter().map(|c| c.2).find(|d| *d > first_day);
    let later = second_day.and_then(|d| {
        on(d)
            .find(|c| c.1.to_jiff().to_zoned(mine.clone()).hour() >= 14)
            .or_else(|| on(d).next_back())
            .map(|c| c.1)
    });
    morning.into_iter().chain(later).collect()
}

/// How the user is connected to them, in a sentence that opens the message (the etiquette
/// check wants it first): phrased for how they were found, not the raw note.
fn connection_line(p: &rapport_model::Person, referrer: Option<&str>) -> Option<String> {
    use rapport_model::Source;
    if let Some(r) = referrer {
        return Some(format!("{r} suggested I get in touch with you"));
    }
    let detail = p
        .source_detail
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    Some(match (p.source, detail) {
        (Some(Source::Alumni), Some(d)) => {
            format!("As a fellow alum ({d}), I hope you don't mind me writing")
        }
        (Some(Source::Alumni), None) => "As a fellow alum, I hope you don't mind me writing".into(),
        (Some(Source::Event | Source::Meetup), Some(d)) => format!("We met at {d}"),
        (Some(Source::Event | Source::Meetup), None) => "We met at a recent event".into(),
        (Some(Source::Article), Some(d)) => format!("I read your piece ({d}) with real interest"),
        (Some(Source::Article), None) => "I read your recent piece with real interest".into(),
        (Some(Source::Association), Some(d)) => format!("Like you, I am a member of {d}"),
        (Some(Source::Professor), Some(d)) => format!("{d} suggested I write to you"),
        (Some(Source::Friend | Source::Family | Source::Colleague), Some(d)) => {
            format!("{d} suggested I get in touch with you")
        }
        (Some(Source::Recruiter), Some(d)) => format!("{d} mentioned your work to me"),
        (Some(Source::LinkedIn), _) => {
            "I came across your profile on LinkedIn and read your work there with interest".into()
        }
        (Some(Source::Referral), Some(d)) => format!("{d} suggested I get in touch with you"),
        (_, Some(d)) => format!("I came across your work ({d}) and read it with interest"),
        (_, None) => return None,
    })
}

/// Titles that are not a first name: "Prof. Ada Lovelace" is greeted "Prof. Lovelace".
const TITLES: &[&str] = &[
    "dr",
    "prof",
    "professor",
    "mr",
    "mrs",
    "ms",
    "mx",
    "sir",
    "dame",
    "rev",
    "dean",
];

/// The greeting's name: the first name, or the title and last name when a title comes first.
pub fn greeting_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    let Some(first) = words.first() else {
        return String::new();
    };
    let bare = first.trim_end_matches('.').to_lowercase();
    if TITLES.contains(&bare.as_str()) && words.len() > 1 {
        return format!("{first} {}", words[words.len() - 1]);
    }
    (*first).to_string()
}

/// "today", "yesterday", or "on Tuesday": when a meeting that ended at `ended` was, seen from
/// `now` in `tz` (a thank-you says "today" only when it is).
fn when_we_spoke(ended: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let (then, today) = (
        calendar::local_date(ended, tz),
        calendar::local_date(now, tz),
    );
    if then == today {
        "today".into()
    } else if today.yesterday().ok() == Some(then) {
        "yesterday".into()
    } else if (today - then).get_days() < 7 {
        format!("on {}", ended.to_jiff().to_zoned(tz.clone()).strftime("%A"))
    } else {
        format!(
            "on {}",
            ended.to_jiff().to_zoned(tz.clone()).strftime("%-d %B")
        )
    }
}

impl Rapport {
    /// Drafts a message to a person from a template (the built-in one of `purpose` when none is
    /// given) and checks its etiquette. Nothing is stored unless `save` (a preview changes
    /// nothing); a draft to someone already written to says so in its `note`.
    pub async fn draft_message(
        &self,
        person_id: RecordId,
        purpose: TemplatePurpose,
        template_id: Option<RecordId>,
        times: Vec<Timestamp>,
        save: bool,
    ) -> Result<Draft, ApiError> {
        let person = self.get_kind(person_id, Kind::Person).await?;
        let Body::Person(p) = &person.body else {
            unreachable!("checked kind")
        };
        let template = match template_id {
            Some(t) => self.get_kind(t, Kind::Template).await?,
            None => {
                let n = TEMPLATES.iter().position(|t| t.0 == purpose).unwrap_or(0);
                // A built-in template the user deleted is still the fallback.
                match self.get(builtin_template_id(n)).await {
                    Ok(t) => t,
                    Err(_) => template_records().swap_remove(n),
                }
            }
        };
        let Body::Template(t) = &template.body else {
            unreachable!("checked kind")
        };
        let purpose = t.purpose.unwrap_or(purpose);
        let profile = match self.profile().await?.map(|r| r.body) {
            Some(Body::Profile(pr)) => pr,
            _ => rapport_model::Profile::default(),
        };
        let now = self.clock().now();
        let mine = self.view_time_zone("time_zone", None).await?;
        let theirs = p
            .time_zone
            .as_deref()
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or_else(|| mine.clone());
        let hours = profile
            .hours
            .as_deref()
            .and_then(|h| rapport_model::parse_hours(h).ok())
            .unwrap_or(rapport_model::DEFAULT_HOURS);
        let times = if times.is_empty() {
            propose_times(now, &mine, &theirs, hours)
        } else {
            times
        };
        let related = self.related(person_id).await?;
        let mut v: BTreeMap<&str, String> = BTreeMap::new();
        v.insert("name", p.name.clone());
        v.insert("greeting", greeting_name(&p.name));
        v.insert(
            "first_name",
            p.name
                .split_whitespace()
                .next()
                .unwrap_or(&p.name)
                .to_string(),
        );
        v.insert("role", p.role.clone().unwrap_or_default());
        if let Some(o) = p.organization_id
            && let Ok(org) = self.get(o).await
        {
            v.insert("organization", org.body.display_name().to_string());
            if let Body::Organization(ob) = &org.body
                && let Some(i) = &ob.industry
            {
                v.insert("topic", format!("working in {}", i.to_lowercase()));
            }
        }
        // The goal says best what the user wants to learn about.
        if let Some(g) = p.goal_ids.first()
            && let Ok(goal) = self.get(*g).await
            && let Body::Goal(goal) = &goal.body
        {
            let topic = goal
                .target_role
                .as_deref()
                .or(goal.target_industry.as_deref())
                .unwrap_or(&goal.name);
            v.insert("topic", topic.to_lowercase());
        }
        let referrer = match p.referred_by_id {
            Some(r) => self
                .get(r)
                .await
                .ok()
                .map(|r| r.body.display_name().to_string()),
            None => None,
        };
        v.insert(
            "connection",
            connection_line(p, referrer.as_deref()).unwrap_or_default(),
        );
        v.insert("my_name", profile.name.clone());
        v.insert(
            "my_background",
            profile.background.clone().unwrap_or_default(),
        );
        v.insert(
            "ask",
            profile
                .ask
                .clone()
                .unwrap_or_else(|| "20 minutes for a call or a coffee".into()),
        );
        v.insert("times", format_times(&times, &theirs, &mine));
        let last_met = related
            .iter()
            .filter_map(|r| match &r.body {
                Body::Meeting(m)
                    if m.status == Some(MeetingStatus::Held) || m.ended_at.is_some() =>
                {
                    m.ended_at.or(m.start)
                }
                _ => None,
            })
            .max();
        if let Some(ended) = last_met {
            v.insert("when_we_spoke", when_we_spoke(ended, now, &mine));
        }
        let filled = template::fill(t.body.as_str(), &v);
        let subject = t.subject.as_deref().map(|s| template::fill(s, &v).text);
        let findings = if purpose == TemplatePurpose::Outreach {
            etiquette::check(&filled.text)
        } else {
            Vec::new()
        };
        let note = earlier_message(&related, purpose, &p.name, &mine);
        let mut missing = filled.missing;
        for prompt in template::unfilled(&filled.text) {
            if !missing.contains(&prompt) {
                missing.push(prompt);
            }
        }
        let outreach = Body::Outreach(Outreach {
            title: format!("{} — {}", t.title, p.name),
            person_id: Some(person_id),
            template_id: Some(template.id()),
            channel: None,
            status: Some(OutreachStatus::Draft),
            subject,
            body: Prose::new(filled.text),
            sent_at: None,
            replied_at: None,
            follows_up_id: None,
            purpose: Some(purpose),
        });
        let outreach = if save {
            self.create(outreach).await?
        } else {
            let mut r = Record {
                meta: Meta::new_at(now),
                body: outreach,
            };
            r.body.normalize();
            r
        };
        Ok(Draft {
            outreach,
            findings,
            missing,
            saved: save,
            note,
        })
    }
}

/// A word about messages already sent to this person, when drafting another one of the same
/// kind (a second first request is usually a follow-up).
fn earlier_message(
    related: &[Record],
    purpose: TemplatePurpose,
    name: &str,
    tz: &TimeZone,
) -> Option<String> {
    let sent = related
        .iter()
        .filter_map(|r| match &r.body {
            Body::Outreach(o) if o.sent_at.is_some() => Some(o),
            _ => None,
        })
        .filter(|o| {
            o.purpose.is_none_or(|p| p == purpose)
                || (purpose == TemplatePurpose::Outreach
                    && o.purpose == Some(TemplatePurpose::FollowUp))
        })
        .max_by_key(|o| o.sent_at)?;
    let at = sent.sent_at?.to_jiff().to_zoned(tz.clone());
    let state = match (sent.status, sent.replied_at) {
        (Some(OutreachStatus::Declined), _) => "they declined".to_string(),
        (_, Some(_)) => "they replied".to_string(),
        _ => "no reply yet".to_string(),
    };
    let advice = if purpose == TemplatePurpose::Outreach && sent.replied_at.is_none() {
        ": a polite follow-up may fit better than a new request"
    } else {
        ""
    };
    Some(format!(
        "You already wrote to {name} (“{}”, sent {}; {state}){advice}.",
        sent.title,
        at.strftime("%a %-d %b")
    ))
}
