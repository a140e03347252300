//! Messages drafted from templates, filled from the records: outreach, follow-up, thank-you,
//! check-in. The built-in templates are written for Rapport; users add their own.

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use rapport_model::workflow::{calendar, etiquette, template};
use rapport_model::{
    Body, Kind, Meeting, MeetingStatus, Meta, Outreach, OutreachStatus, Prose, Record, RecordId,
    Template, TemplatePurpose, Timestamp,
};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{ApiError, Rapport};

type Builtin = (TemplatePurpose, &'static str, &'static str, &'static str);

/// The built-in templates: purpose, title, subject, body.
pub const TEMPLATES: &[Builtin] = &[
    (
        TemplatePurpose::Outreach,
        "A short request",
        "A quick question about your work",
        "Hi {first_name},\n\n{connection}. I'm {my_background}, and I'd value your view on {topic}.\n\nWould you have {ask}? {times} would suit me, but I'm happy to fit around you.\n\nThank you,\n{my_name}",
    ),
    (
        TemplatePurpose::FollowUp,
        "A polite follow-up",
        "Following up",
        "Hi {first_name},\n\nI know inboxes fill up quickly, so I'm writing once more. {connection}, and I'd still appreciate {ask} if you can spare it. Would {times} work?\n\nEither way, thank you,\n{my_name}",
    ),
    (
        TemplatePurpose::ThankYou,
        "Thank you after a conversation",
        "Thank you",
        "Hi {first_name},\n\nThank you for your time today. A few things I'm taking away:\n{takeaways}\n\nI'll let you know how it goes.\n\nBest,\n{my_name}",
    ),
    (
        TemplatePurpose::CheckIn,
        "Keeping in touch",
        "A quick update",
        "Hi {first_name},\n\nIt's been a while since we spoke, and I wanted to share where things stand: [your update]. Your advice on {topic} helped.\n\nHope all is well on your side,\n{my_name}",
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

/// A draft, with what the etiquette check says and the placeholders left to fill.
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct Draft {
    #[ts(type = "RecordOf<'outreach'>")]
    pub outreach: Record,
    pub findings: Vec<etiquette::Finding>,
    pub missing: Vec<String>,
}

/// "Tuesday 3 Dec at 10:00 or Thursday 5 Dec at 16:00 (your time)".
pub fn format_times(times: &[Timestamp], tz: &TimeZone) -> String {
    let parts: Vec<String> = times
        .iter()
        .map(|t| {
            t.to_jiff()
                .to_zoned(tz.clone())
                .strftime("%A %-d %b at %H:%M")
                .to_string()
        })
        .collect();
    let joined = match parts.len() {
        0 => return String::new(),
        1 => parts[0].clone(),
        n => format!("{} or {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    format!("{joined} (your time)")
}

/// Two proposals in their zone: the second and third business days from now, at 10:00 and 16:00.
pub fn default_times(now: Timestamp, tz: &TimeZone) -> Vec<Timestamp> {
    [(2, 10), (3, 16)]
        .iter()
        .filter_map(|(days, hour)| {
            let date = calendar::add_business_days(now, *days, tz);
            date.at(*hour, 0, 0, 0)
                .to_zoned(tz.clone())
                .ok()
                .map(|z| Timestamp::from_jiff(z.timestamp()))
        })
        .collect()
}

impl Rapport {
    /// Drafts a message to a person from a template (the first built-in one of `purpose` when
    /// none is given), stores it as a draft, and returns it with its etiquette findings.
    pub async fn draft_message(
        &self,
        person_id: RecordId,
        purpose: TemplatePurpose,
        template_id: Option<RecordId>,
        times: Vec<Timestamp>,
    ) -> Result<Draft, ApiError> {
        let person = self.get_kind(person_id, Kind::Person).await?;
        let Body::Person(p) = &person.body else {
            unreachable!("checked kind")
        };
        let template = match template_id {
            Some(t) => self.get_kind(t, Kind::Template).await?,
            None => {
                let n = TEMPLATES.iter().position(|t| t.0 == purpose).unwrap_or(0);
                self.get(builtin_template_id(n)).await?
            }
        };
        let Body::Template(t) = &template.body else {
            unreachable!("checked kind")
        };
        let profile = self.profile().await?;
        let (my_name, background, ask, my_tz) = match profile.as_ref().map(|r| &r.body) {
            Some(Body::Profile(pr)) => (
                pr.name.clone(),
                pr.background.clone(),
                pr.ask.clone(),
                pr.time_zone.clone(),
            ),
            _ => (String::new(), None, None, None),
        };
        let their_tz = p
            .time_zone
            .as_deref()
            .or(my_tz.as_deref())
            .and_then(|z| TimeZone::get(z).ok())
            .unwrap_or(TimeZone::UTC);
        let now = self.clock().now();
        let times = if times.is_empty() {
            default_times(now, &their_tz)
        } else {
            times
        };
        let mut v: BTreeMap<&str, String> = BTreeMap::new();
        v.insert("name", p.name.clone());
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
            if let Body::Organization(ob) = &org.body {
                v.insert(
                    "topic",
                    ob.industry
                        .clone()
                        .map(|i| format!("working in {}", i.to_lowercase()))
                        .unwrap_or_default(),
                );
            }
        }
        if let Some(g) = p.goal_ids.first()
            && let Ok(goal) = self.get(*g).await
        {
            v.insert("topic", goal.body.display_name().to_lowercase());
        }
        let connection = match p.referred_by_id {
            Some(r) => self
                .get(r)
                .await
                .ok()
                .map(|r| format!("{} suggested I get in touch", r.body.display_name())),
            None => p
                .source_detail
                .clone()
                .map(|d| format!("I came across your work ({d})")),
        };
        v.insert("connection", connection.unwrap_or_default());
        v.insert("my_name", my_name);
        v.insert("my_background", background.unwrap_or_default());
        v.insert(
            "ask",
            ask.unwrap_or_else(|| "20 minutes for a call or a coffee".into()),
        );
        v.insert("times", format_times(&times, &their_tz));
        if purpose == TemplatePurpose::ThankYou {
            let related = self.related(person_id).await?;
            let latest: Option<&Meeting> = related
                .iter()
                .filter_map(|r| {
                    if let Body::Meeting(m) = &r.body {
                        Some(m)
                    } else {
                        None
                    }
                })
                .filter(|m| m.status == Some(MeetingStatus::Held) || m.ended_at.is_some())
                .max_by_key(|m| m.ended_at.or(m.start));
            let lines: Vec<String> = latest
                .map(|m| {
                    m.takeaways
                        .iter()
                        .map(|t| format!("- {}", t.text))
                        .collect()
                })
                .unwrap_or_default();
            v.insert("takeaways", lines.join("\n"));
        }
        let filled = template::fill(t.body.as_str(), &v);
        let subject = t.subject.as_deref().map(|s| template::fill(s, &v).text);
        let findings = if purpose == TemplatePurpose::Outreach {
            etiquette::check(&filled.text)
        } else {
            Vec::new()
        };
        let outreach = self
            .create(Body::Outreach(Outreach {
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
            }))
            .await?;
        Ok(Draft {
            outreach,
            findings,
            missing: filled.missing,
        })
    }
}
