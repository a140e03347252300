//! A deterministic, realistic synthetic vault for benchmarks and demos. For N people it holds
//! N/5 organizations, N/2 meetings (notes of 1–3 KB, answers, takeaways), N outreach messages,
//! 2N tasks, 10 goals and the question bank. The same (N, seed, now) always gives the same vault.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rapport_model::*;

use crate::questions;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SeedSpec {
    pub people: usize,
    pub seed: u64,
    /// Dates are spread around this moment (past meetings, upcoming ones, due tasks).
    pub now: Timestamp,
}

const FIRST: &[&str] = &[
    "Ada", "Amara", "Andrei", "Aisha", "Bea", "Bilal", "Camille", "Chen", "Dara", "Diego", "Elif",
    "Emeka", "Eva", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan", "Jamal", "Jana",
    "Joon", "Kai", "Kemi", "Lars", "Leila", "Lucía", "Mads", "Maya", "Mei", "Mateo", "Nadia",
    "Nico", "Noor", "Olu", "Omar", "Paula", "Priya", "Quinn", "Rafael", "Rosa", "Ruth", "Sam",
    "Sana", "Søren", "Tariq", "Tomás", "Uma", "Vera", "Wen", "Xavier", "Yara", "Yusuf", "Zoë",
    "Zain", "Hiroshi", "Ngozi", "Marta", "Oskar",
];
const LAST: &[&str] = &[
    "Abara",
    "Andersen",
    "Bauer",
    "Bianchi",
    "Castillo",
    "Chen",
    "Costa",
    "Dubois",
    "Eze",
    "Fischer",
    "García",
    "Haddad",
    "Hansen",
    "Ibrahim",
    "Ito",
    "Jensen",
    "Kim",
    "Kowalski",
    "Laurent",
    "Lopez",
    "Mensah",
    "Moreau",
    "Müller",
    "Nakamura",
    "Novak",
    "Okafor",
    "Olsen",
    "Patel",
    "Pereira",
    "Quist",
    "Rossi",
    "Sato",
    "Schmidt",
    "Silva",
    "Singh",
    "Suzuki",
    "Tanaka",
    "Torres",
    "Umar",
    "Varga",
    "Wang",
    "Weber",
    "Yilmaz",
    "Zhang",
    "Zielinski",
    "Ndiaye",
    "O'Brien",
    "Petrov",
    "Rahman",
    "Svensson",
];
const ROLES: &[&str] = &[
    "Data analyst",
    "Product manager",
    "UX researcher",
    "Software engineer",
    "Nurse educator",
    "Policy advisor",
    "Sustainability consultant",
    "Grant writer",
    "Clinical researcher",
    "Marketing lead",
    "Operations manager",
    "Financial analyst",
    "Teacher",
    "Architect",
    "Supply chain planner",
    "Recruiter",
    "Data scientist",
    "Energy modeller",
    "Editor",
    "Community manager",
    "Design lead",
    "Head of partnerships",
    "Lab manager",
    "Economist",
];
const INDUSTRIES: &[&str] = &[
    "Renewable energy",
    "Healthcare",
    "Fintech",
    "Education",
    "Public policy",
    "Biotech",
    "Publishing",
    "Logistics",
    "Architecture",
    "Nonprofit",
    "Games",
    "Agriculture",
];
const CITIES: &[&str] = &[
    "London",
    "Lagos",
    "Berlin",
    "Toronto",
    "Osaka",
    "Lisbon",
    "Nairobi",
    "São Paulo",
    "Austin",
    "Copenhagen",
    "Melbourne",
    "Seoul",
    "Paris",
    "Mexico City",
    "Dublin",
    "Bangalore",
];
const ORG_A: &[&str] = &[
    "North", "Blue", "Bright", "Open", "Green", "Clear", "True", "Silver", "Red", "Tall", "Swift",
    "Kind",
];
const ORG_B: &[&str] = &[
    "Harbor", "Field", "Stone", "Leaf", "Wave", "Bridge", "Peak", "River", "Lantern", "Orchard",
    "Forge", "Atlas",
];
const ORG_C: &[&str] = &[
    "Labs",
    "Health",
    "Energy",
    "Works",
    "Partners",
    "Collective",
    "Systems",
    "Foundation",
    "Studio",
    "Group",
];
const TAGS: &[&str] = &[
    "alumni",
    "warm intro",
    "hiring manager",
    "mentor",
    "conference",
    "remote",
    "senior",
    "peer",
    "career changer",
    "podcast",
];
const TOPICS: &[&str] = &[
    "battery storage",
    "patient onboarding",
    "open banking",
    "adult learning",
    "carbon accounting",
    "clinical trials",
    "audiobooks",
    "last-mile delivery",
    "timber buildings",
    "volunteer retention",
    "player research",
    "soil health",
    "accessibility audits",
    "pricing experiments",
];
const SENTENCES: &[&str] = &[
    "{name} spent the first years of their career in {city} before moving into {industry}.",
    "They mentioned that {topic} takes up most of the team's attention this quarter.",
    "The team is small, about {n} people, and everyone covers several roles.",
    "Hiring usually happens through referrals first and postings second.",
    "They recommended reading up on {topic} before talking to anyone else there.",
    "A typical week mixes planning meetings on Monday with quiet focus time later on.",
    "The hardest part, in their words, is explaining {topic} to people outside the field.",
    "They studied something unrelated and moved over after a short course in {city}.",
    "Their advice: build one small project on {topic} and write about what you learn.",
    "Culture feels collaborative; decisions are written down and discussed openly.",
    "They were candid that pay in {industry} lags other sectors but the work is meaningful.",
    "Certifications matter less than a portfolio of real examples.",
    "They offered to introduce me to a colleague who works on {topic}.",
    "Remote work is common, but the team meets in {city} once a month.",
    "Budgets are tight this year, so new roles open slowly.",
    "The biggest trend they see is automation changing how {topic} is done.",
    "They suggested the local meet-up on {topic}, held every second Thursday.",
    "Customers care most about reliability; features come second.",
    "They keep a list of newsletters and promised to send it over.",
    "Career changers do well when they bring domain knowledge from their previous field.",
];

fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn id_at(rng: &mut ChaCha8Rng, at: Timestamp) -> RecordId {
    let mut b: [u8; 16] = rng.r#gen();
    b[..6].copy_from_slice(&(at.as_millis() as u64).to_be_bytes()[2..]);
    b[6] = (b[6] & 0x0f) | 0x70;
    b[8] = (b[8] & 0x3f) | 0x80;
    RecordId::from_bytes(b)
}

const DAY: i64 = 86_400_000;

fn prose(rng: &mut ChaCha8Rng, name: &str, min: usize, max: usize) -> String {
    let target = rng.gen_range(min..=max);
    let mut out = String::new();
    while out.len() < target {
        let s = pick(rng, SENTENCES)
            .replace("{name}", name)
            .replace("{city}", pick::<&str>(rng, CITIES))
            .replace("{industry}", &pick(rng, INDUSTRIES).to_lowercase())
            .replace("{topic}", pick::<&str>(rng, TOPICS))
            .replace("{n}", &rng.gen_range(4..40).to_string());
        if !out.is_empty() {
            out.push(if rng.gen_bool(0.2) { '\n' } else { ' ' });
        }
        out.push_str(&s);
    }
    out
}

/// Builds the whole synthetic vault, in an order where every link points backwards.
pub fn generate(spec: &SeedSpec) -> Vec<Record> {
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed);
    let now = spec.now.as_millis();
    let n = spec.people.max(1);
    let mut out: Vec<Record> = Vec::with_capacity(n * 5);
    let bank = questions::bank_records();
    let bank_ids: Vec<RecordId> = bank.iter().map(Record::id).collect();
    out.extend(bank);
    let mut record = |rng: &mut ChaCha8Rng, created: i64, body: Body| {
        let at = Timestamp::from_millis(created);
        let updated =
            Timestamp::from_millis(created + rng.gen_range(0..30 * DAY).min(now - created).max(0));
        let r = Record {
            meta: Meta {
                id: id_at(rng, at),
                created_at: at,
                updated_at: updated,
                deleted_at: None,
            },
            body,
        };
        let id = r.id();
        out.push(r);
        id
    };
    let past = |rng: &mut ChaCha8Rng, days: i64| {
        now - rng.gen_range(1..days.max(2)) * DAY - rng.gen_range(0..DAY)
    };

    let goals: Vec<RecordId> = (0..10)
        .map(|i| {
            let role = ROLES[i % ROLES.len()];
            let industry = INDUSTRIES[i % INDUSTRIES.len()];
            let created = past(&mut rng, 200);
            let body = Body::Goal(Goal {
                name: format!("{role} in {}", industry.to_lowercase()),
                target_role: Some(role.into()),
                target_industry: Some(industry.into()),
                target_organization_id: None,
                status: Some(if i < 8 {
                    GoalStatus::Active
                } else {
                    GoalStatus::Paused
                }),
                priority: Some((i % 5) as u8 + 1),
                notes: Prose::new(format!(
                    "Why this matters: I want to work closer to {}.",
                    TOPICS[i % TOPICS.len()]
                )),
            });
            record(&mut rng, created, body)
        })
        .collect();

    let orgs: Vec<(RecordId, String)> = (0..(n / 5).max(1))
        .map(|i| {
            let name = format!(
                "{} {} {}{}",
                pick(&mut rng, ORG_A),
                pick(&mut rng, ORG_B),
                pick(&mut rng, ORG_C),
                if i >= 1000 {
                    format!(" {}", i / 1000)
                } else {
                    String::new()
                }
            );
            let domain = name.to_lowercase().replace([' ', '\''], "");
            let created = past(&mut rng, 180);
            let notes = prose(&mut rng, &name, 200, 600);
            let body = Body::Organization(Organization {
                name: name.clone(),
                industry: Some(pick(&mut rng, INDUSTRIES).to_string()),
                website: Some(format!("https://{domain}.example.org")),
                location: Some(pick(&mut rng, CITIES).to_string()),
                advocacy: rng.gen_bool(0.3),
                motivation: Some(rng.gen_range(1..=5)),
                postings: Some(*pick(&mut rng, Postings::ALL)),
                links: Vec::new(),
                tags: Vec::new(),
                goal_ids: vec![goals[rng.gen_range(0..goals.len())]],
                notes: Prose::new(notes),
            });
            let id = record(&mut rng, created, body);
            (id, domain)
        })
        .collect();

    let mut people: Vec<(RecordId, String)> = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("{} {}", pick(&mut rng, FIRST), pick(&mut rng, LAST));
        let (org, domain) = orgs[rng.gen_range(0..orgs.len())].clone();
        let user = name.to_lowercase().replace([' ', '\''], ".");
        let source = *pick(&mut rng, Source::ALL);
        let referred_by =
            (i > 0 && rng.gen_bool(0.3)).then(|| people[rng.gen_range(0..people.len())].0);
        let created = past(&mut rng, 150);
        let mut tags: Vec<String> = (0..rng.gen_range(0..3))
            .map(|_| pick(&mut rng, TAGS).to_string())
            .collect();
        tags.sort();
        tags.dedup();
        let notes = prose(&mut rng, &name, 150, 700);
        let body = Body::Person(Person {
            name: name.clone(),
            role: Some(pick(&mut rng, ROLES).to_string()),
            organization_id: Some(org),
            emails: vec![ContactPoint {
                value: format!("{user}{i}@{domain}.example.org"),
                label: Some("work".into()),
            }],
            phones: if rng.gen_bool(0.4) {
                vec![ContactPoint::new(format!(
                    "+44 20 7946 {:04}",
                    rng.gen_range(0..10_000)
                ))]
            } else {
                Vec::new()
            },
            links: vec![Link {
                url: format!("https://www.linkedin.com/in/{}-{i}", user.replace('.', "-")),
                label: Some("LinkedIn".into()),
            }],
            location: Some(pick(&mut rng, CITIES).to_string()),
            time_zone: Some(
                pick(
                    &mut rng,
                    &[
                        "Europe/London",
                        "Europe/Berlin",
                        "America/Toronto",
                        "Asia/Tokyo",
                        "Africa/Lagos",
                    ],
                )
                .to_string(),
            ),
            source: Some(if referred_by.is_some() {
                Source::Referral
            } else {
                source
            }),
            source_detail: (source == Source::Article)
                .then(|| format!("Quoted in an article on {}", pick(&mut rng, TOPICS))),
            referred_by_id: referred_by,
            warmth: Some(*pick(&mut rng, Warmth::ALL)),
            likelihood: Some(rng.gen_range(1..=5)),
            tags,
            goal_ids: vec![goals[rng.gen_range(0..goals.len())]],
            research_notes: Prose::new(notes),
            cadence_days: rng
                .gen_bool(0.2)
                .then(|| *pick(&mut rng, &[30u16, 60, 90, 180])),
            candidate: rng.gen_bool(0.02),
            stage: None,
            stage_log: Vec::new(),
            last_interaction_at: None,
        });
        let id = record(&mut rng, created, body);
        people.push((id, name));
    }

    let mut meetings = Vec::with_capacity(n / 2);
    for i in 0..n / 2 {
        let (person, name) = people[i * 2 % people.len()].clone();
        let held = rng.gen_bool(0.7);
        let start = if held {
            past(&mut rng, 120)
        } else {
            now + rng.gen_range(1..30) * DAY + rng.gen_range(8..18) * 3_600_000
        };
        let planned = *pick(&mut rng, &[15u16, 20, 30]);
        let mut qs: Vec<RecordId> = bank_ids.choose_multiple(&mut rng, 6).copied().collect();
        qs.sort();
        let answers = if held {
            qs.iter()
                .take(4)
                .map(|q| Answer {
                    question_id: *q,
                    text: prose(&mut rng, &name, 60, 200),
                })
                .collect()
        } else {
            Vec::new()
        };
        let takeaways = if held {
            (0..rng.gen_range(1..4))
                .map(|_| Takeaway {
                    id: id_at(&mut rng, Timestamp::from_millis(start)),
                    text: prose(&mut rng, &name, 40, 120),
                    topic: *pick(&mut rng, TakeawayTopic::ALL),
                })
                .collect()
        } else {
            Vec::new()
        };
        let notes = if held {
            prose(&mut rng, &name, 1024, 3072)
        } else {
            String::new()
        };
        let created = start.min(now) - rng.gen_range(1..10) * DAY;
        let body = Body::Meeting(Meeting {
            title: format!(
                "{} with {name}",
                pick(&mut rng, &["Coffee", "Call", "Video chat", "Lunch"])
            ),
            person_id: Some(person),
            status: Some(if held {
                MeetingStatus::Held
            } else if rng.gen_bool(0.5) {
                MeetingStatus::Confirmed
            } else {
                MeetingStatus::Proposed
            }),
            proposed_slots: vec![
                Slot {
                    start: Timestamp::from_millis(start),
                },
                Slot {
                    start: Timestamp::from_millis(start + DAY),
                },
            ],
            start: Some(Timestamp::from_millis(start)),
            time_zone: Some("Europe/London".into()),
            planned_minutes: Some(planned),
            medium: Some(*pick(&mut rng, Medium::ALL)),
            place: Some(format!("{} café", pick(&mut rng, CITIES))),
            started_at: held.then(|| Timestamp::from_millis(start)),
            ended_at: held.then(|| Timestamp::from_millis(start + i64::from(planned) * 60_000)),
            agenda: Prose::new("Intro, their path, trends, advice, who else to talk to."),
            question_ids: qs,
            answers,
            notes: Prose::new(notes),
            takeaways,
            thanked_at: (held && rng.gen_bool(0.8))
                .then(|| Timestamp::from_millis(start + DAY / 2)),
        });
        let id = record(&mut rng, created, body);
        meetings.push((id, person));
    }

    for (person, name) in &people {
        let first = name.split(' ').next().unwrap_or(name);
        let sent = rng.gen_bool(0.7);
        let sent_at = sent.then(|| past(&mut rng, 100));
        let replied = sent_at
            .filter(|_| rng.gen_bool(0.6))
            .map(|s| s + rng.gen_range(1..6) * DAY);
        let topic = pick(&mut rng, TOPICS);
        let body = format!(
            "Hi {first},\n\nA friend suggested I reach out: I read your comments on {topic} and would love to learn how you got into the field. \
             I'm a {} looking to move into this area. Would you have 20 minutes for a call or a coffee in the next two weeks? \
             Tuesday at 10:00 or Thursday at 16:00 would suit me, but I can fit around you.\n\nThanks,\nSam",
            pick(&mut rng, ROLES).to_lowercase()
        );
        let created = sent_at.unwrap_or_else(|| past(&mut rng, 20)) - DAY;
        let body = Body::Outreach(Outreach {
            title: format!("Request to {name}"),
            person_id: Some(*person),
            template_id: None,
            channel: Some(*pick(&mut rng, &[Channel::Email, Channel::LinkedIn])),
            status: Some(match (sent, replied.is_some()) {
                (false, _) => OutreachStatus::Draft,
                (true, false) => OutreachStatus::Sent,
                (true, true) => OutreachStatus::Replied,
            }),
            subject: Some(format!("A short question about {topic}")),
            body: Prose::new(body),
            sent_at: sent_at.map(Timestamp::from_millis),
            replied_at: replied.map(Timestamp::from_millis),
            follows_up_id: None,
            purpose: Some(TemplatePurpose::Outreach),
        });
        record(&mut rng, created, body);
    }

    for i in 0..2 * n {
        let (person, name) = people[rng.gen_range(0..people.len())].clone();
        let kind = *pick(&mut rng, TaskKind::ALL);
        let due = now + rng.gen_range(-60..60) * DAY;
        let meeting = (kind == TaskKind::LooseEnd && !meetings.is_empty())
            .then(|| meetings[i % meetings.len()].0);
        let title = match kind {
            TaskKind::FollowUp => format!("Follow up with {name}"),
            TaskKind::LooseEnd => format!("Send {name} the article we discussed"),
            TaskKind::GiveBack => format!("Pass {name} the event invitation"),
            TaskKind::CheckIn => format!("Check in with {name}"),
            TaskKind::Outreach => format!("Write to {name}"),
            TaskKind::Confirm => format!("Confirm the meeting with {name}"),
            TaskKind::ThankYou => format!("Thank {name}"),
            TaskKind::Research => format!("Read up on {name}'s organization"),
            TaskKind::Other => format!("Note for {name}"),
        };
        let created = due.min(now) - rng.gen_range(1..20) * DAY;
        let done = due < now && rng.gen_bool(0.6);
        let body = Body::Task(Task {
            title,
            task_kind: Some(kind),
            person_id: Some(person),
            meeting_id: meeting,
            due_at: Some(Timestamp::from_millis(due)),
            done_at: done.then(|| Timestamp::from_millis(due)),
            notes: Prose::default(),
        });
        record(&mut rng, created, body);
    }
    derive_people(&mut out);
    out
}

/// Fills in what the workflow derives from the records (stage and its log, last interaction),
/// as the API does after each write, so the synthetic vault looks lived in.
fn derive_people(records: &mut [Record]) {
    use rapport_model::workflow::pipeline::Facts;
    use std::collections::HashMap;
    let mut about: HashMap<RecordId, Vec<&Record>> = HashMap::new();
    for r in records.iter() {
        if let Some(p) = r.body.person_id() {
            about.entry(p).or_default().push(r);
        }
    }
    let facts: HashMap<RecordId, Facts> = about
        .into_iter()
        .map(|(id, rs)| (id, Facts::from_records(rs)))
        .collect();
    for r in records.iter_mut() {
        let (id, updated) = (r.id(), r.meta.updated_at);
        let Body::Person(p) = &mut r.body else {
            continue;
        };
        let Some(f) = facts.get(&id) else { continue };
        let stage = f.stage(p);
        p.last_interaction_at = f.last_interaction();
        p.stage_log = vec![StageChange {
            at: p.last_interaction_at.unwrap_or(updated),
            stage,
        }];
    }
}
