//! Proptest strategies for valid records (feature `arbitrary`), shared by the tests of the
//! crates above.

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

use crate::kinds::*;
use crate::records::*;
use crate::{Prose, RecordId, Timestamp};

fn word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Ada", "Grace", "Linus", "Zoë", "José", "Mei", "Okonkwo", "Søren", "data", "design",
        "climate", "biotech", "fintech", "nurse", "teacher", "café", "Paris", "Lagos", "Osaka",
    ])
    .prop_map(str::to_string)
}

fn line() -> impl Strategy<Value = String> {
    vec(word(), 1..4).prop_map(|w| w.join(" "))
}

fn prose() -> impl Strategy<Value = Prose> {
    prop_oneof![
        Just(String::new()),
        "[ -~\n]{0,200}",
        vec(line(), 0..5).prop_map(|l| l.join(".\n"))
    ]
    .prop_map(Prose)
}

pub fn timestamp() -> BoxedStrategy<Timestamp> {
    (1_600_000_000_000i64..1_900_000_000_000)
        .prop_map(Timestamp::from_millis)
        .boxed()
}

pub fn record_id() -> BoxedStrategy<RecordId> {
    any::<[u8; 16]>()
        .prop_map(|mut b| {
            // Shape the bytes as a UUID v7 so the id is what real ones look like.
            b[6] = (b[6] & 0x0f) | 0x70;
            b[8] = (b[8] & 0x3f) | 0x80;
            RecordId::from_bytes(b)
        })
        .boxed()
}

fn email() -> impl Strategy<Value = ContactPoint> {
    (
        "[a-z]{1,8}",
        "[a-z]{1,8}",
        of(prop::sample::select(vec!["work", "home"])),
    )
        .prop_map(|(a, b, l)| ContactPoint {
            value: format!("{a}@{b}.org"),
            label: l.map(str::to_string),
        })
}

fn phone() -> impl Strategy<Value = ContactPoint> {
    "\\+[1-9][0-9]{6,11}".prop_map(ContactPoint::new)
}

fn link() -> impl Strategy<Value = Link> {
    "[a-z]{1,10}".prop_map(|s| Link {
        url: format!("https://{s}.example.org/"),
        label: None,
    })
}

fn unique<T: PartialEq, K: PartialEq>(mut v: Vec<T>, key: impl Fn(&T) -> K) -> Vec<T> {
    let mut i = 0;
    while i < v.len() {
        if v[..i].iter().any(|x| key(x) == key(&v[i])) {
            v.remove(i);
        } else {
            i += 1;
        }
    }
    v
}

fn enum_of<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    prop::sample::select(all)
}

/// A person with no links to other records (links are checked against a vault).
pub fn person() -> BoxedStrategy<Person> {
    (
        (
            line(),
            of(line()),
            vec(email(), 0..3),
            vec(phone(), 0..2),
            vec(link(), 0..2),
            of(line()),
        ),
        (
            of(enum_of(Source::ALL)),
            of(line()),
            of(enum_of(Warmth::ALL)),
            of(1u8..=5),
        ),
        (vec(word(), 0..4), prose(), of(7u16..=730), any::<bool>()),
        of(prop::sample::select(vec![
            "Europe/Paris",
            "America/New_York",
            "Asia/Tokyo",
        ])),
    )
        .prop_map(
            |(
                (name, role, emails, phones, links, location),
                (source, detail, warmth, likelihood),
                (tags, notes, cadence, candidate),
                tz,
            )| Person {
                name,
                role,
                organization_id: None,
                emails: unique(emails, |e| e.value.to_lowercase()),
                phones: unique(phones, |p| p.value.clone()),
                links: unique(links, |l| l.url.clone()),
                location,
                time_zone: tz.map(str::to_string),
                source,
                source_detail: detail,
                referred_by_id: None,
                warmth,
                likelihood,
                tags: unique(tags, |t| t.clone()),
                goal_ids: Vec::new(),
                research_notes: notes,
                cadence_days: cadence,
                candidate,
                stage: None,
                stage_log: Vec::new(),
                last_interaction_at: None,
            },
        )
        .boxed()
}

pub fn organization() -> BoxedStrategy<Organization> {
    (
        line(),
        of(line()),
        of(link()),
        of(line()),
        any::<bool>(),
        of(1u8..=5),
        of(enum_of(Postings::ALL)),
        vec(word(), 0..3),
        prose(),
    )
        .prop_map(
            |(name, industry, site, location, advocacy, motivation, postings, tags, notes)| {
                Organization {
                    name,
                    industry,
                    website: site.map(|l| l.url),
                    location,
                    advocacy,
                    motivation,
                    postings,
                    links: Vec::new(),
                    tags: unique(tags, |t| t.clone()),
                    goal_ids: Vec::new(),
                    notes,
                }
            },
        )
        .boxed()
}

pub fn goal() -> BoxedStrategy<Goal> {
    (
        line(),
        of(line()),
        of(line()),
        of(enum_of(GoalStatus::ALL)),
        of(1u8..=5),
        prose(),
    )
        .prop_map(
            |(name, target_role, target_industry, status, priority, notes)| Goal {
                name,
                target_role,
                target_industry,
                target_organization_id: None,
                status,
                priority,
                notes,
            },
        )
        .boxed()
}

pub fn meeting() -> BoxedStrategy<Meeting> {
    (
        line(),
        of(enum_of(MeetingStatus::ALL)),
        vec(timestamp(), 0..3),
        of(timestamp()),
        of(prop::sample::select(vec![15u16, 20, 30, 45])),
        of(enum_of(Medium::ALL)),
        of(line()),
        (
            prose(),
            prose(),
            vec((line(), enum_of(TakeawayTopic::ALL), record_id()), 0..3),
        ),
    )
        .prop_map(
            |(title, status, slots, start, planned, medium, place, (agenda, notes, takeaways))| {
                Meeting {
                    title,
                    person_id: None,
                    status,
                    proposed_slots: unique(
                        slots.into_iter().map(|start| Slot { start }).collect(),
                        |s| s.start,
                    ),
                    start,
                    time_zone: None,
                    planned_minutes: planned,
                    medium,
                    place,
                    started_at: None,
                    ended_at: None,
                    agenda,
                    question_ids: Vec::new(),
                    answers: Vec::new(),
                    notes,
                    takeaways: unique(
                        takeaways
                            .into_iter()
                            .map(|(text, topic, id)| Takeaway { id, text, topic })
                            .collect(),
                        |t| t.id,
                    ),
                    thanked_at: None,
                }
            },
        )
        .boxed()
}

pub fn task() -> BoxedStrategy<Task> {
    (
        line(),
        of(enum_of(TaskKind::ALL)),
        of(timestamp()),
        of(timestamp()),
        prose(),
    )
        .prop_map(|(title, task_kind, due_at, done_at, notes)| Task {
            title,
            task_kind,
            person_id: None,
            meeting_id: None,
            due_at,
            done_at,
            notes,
        })
        .boxed()
}

pub fn question() -> BoxedStrategy<Question> {
    (
        line(),
        of(enum_of(QuestionCategory::ALL)),
        of(enum_of(Tiara::ALL)),
        vec(enum_of(GoalFocus::ALL), 0..3),
        any::<bool>(),
    )
        .prop_map(|(title, category, tiara, suits, hidden)| Question {
            title: format!("{title}?"),
            category,
            tiara,
            suits: unique(suits, |s| *s),
            hidden,
            builtin: false,
        })
        .boxed()
}

pub fn outreach() -> BoxedStrategy<Outreach> {
    (
        line(),
        of(enum_of(Channel::ALL)),
        of(enum_of(OutreachStatus::ALL)),
        of(line()),
        prose(),
    )
        .prop_map(|(title, channel, status, subject, body)| Outreach {
            title,
            person_id: None,
            template_id: None,
            channel,
            status,
            subject,
            body,
            sent_at: None,
            replied_at: None,
            follows_up_id: None,
            purpose: None,
        })
        .boxed()
}

pub fn template() -> BoxedStrategy<Template> {
    (
        line(),
        of(enum_of(TemplatePurpose::ALL)),
        of(line()),
        prose(),
    )
        .prop_map(|(title, purpose, subject, body)| Template {
            title,
            purpose,
            subject,
            body,
        })
        .boxed()
}

pub fn device() -> BoxedStrategy<Device> {
    (
        line(),
        proptest::collection::vec(any::<u8>(), 32),
        proptest::collection::vec((any::<[u8; 4]>(), 1u16..), 0..3),
        proptest::collection::vec(0u16..1000, 0..2),
        of(timestamp()),
    )
        .prop_map(|(name, key, addrs, relays, revoked_at)| Device {
            name,
            key: key.iter().map(|b| format!("{b:02x}")).collect(),
            addresses: addrs
                .into_iter()
                .map(|(ip, port)| std::net::SocketAddr::from((ip, port)).to_string())
                .collect(),
            relays: relays
                .into_iter()
                .map(|n| format!("https://relay{n}.example.org/"))
                .collect(),
            revoked_at,
        })
        .boxed()
}

/// A body of any kind, with no links to other records.
pub fn body() -> BoxedStrategy<Body> {
    prop_oneof![
        person().prop_map(Body::Person),
        organization().prop_map(Body::Organization),
        goal().prop_map(Body::Goal),
        meeting().prop_map(Body::Meeting),
        outreach().prop_map(Body::Outreach),
        task().prop_map(Body::Task),
        question().prop_map(Body::Question),
        template().prop_map(Body::Template),
        device().prop_map(Body::Device),
    ]
    .boxed()
}

/// A whole record of any kind.
pub fn record() -> BoxedStrategy<Record> {
    (
        record_id(),
        timestamp(),
        0i64..10_000_000,
        of(timestamp()),
        body(),
    )
        .prop_map(|(id, created, later, deleted, body)| Record {
            meta: Meta {
                id,
                created_at: created,
                updated_at: Timestamp::from_millis(created.as_millis() + later),
                deleted_at: deleted,
            },
            body,
        })
        .boxed()
}
