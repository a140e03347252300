//! Each validation rule: what it refuses, which field it names, and what it accepts.

use rapport_model::*;

fn meta() -> Meta {
    let t = Timestamp::from_millis(1_763_800_000_000);
    Meta {
        id: RecordId::new_at(t),
        created_at: t,
        updated_at: t,
        deleted_at: None,
    }
}

fn nothing_exists(_: RecordId) -> Option<Kind> {
    None
}

fn check(body: Body) -> Result<(), ValidationError> {
    validate(&Record { meta: meta(), body }, &nothing_exists)
}

fn person(f: impl FnOnce(&mut Person)) -> Body {
    let mut p = Person {
        name: "Ada Lovelace".into(),
        ..Default::default()
    };
    f(&mut p);
    Body::Person(p)
}

#[test]
fn each_rule_names_its_field() {
    let org = |f: fn(&mut Organization)| {
        let mut o = Organization {
            name: "Acme".into(),
            ..Default::default()
        };
        f(&mut o);
        Body::Organization(o)
    };
    let cases: Vec<(Body, &str, &str)> = vec![
        (
            person(|p| p.name = "  ".into()),
            "name",
            "must not be empty",
        ),
        (
            person(|p| p.name = "x".repeat(301)),
            "name",
            "longer than 300",
        ),
        (
            person(|p| p.name = "Ada\nLovelace".into()),
            "name",
            "one line",
        ),
        (
            person(|p| p.emails = vec![ContactPoint::new("ada.example.org")]),
            "emails[0]",
            "not an email",
        ),
        (
            person(|p| p.emails = vec![ContactPoint::new("ada@example")]),
            "emails[0]",
            "not an email",
        ),
        (
            person(|p| p.emails = vec![ContactPoint::new("a b@example.org")]),
            "emails[0]",
            "not an email",
        ),
        (
            person(|p| p.emails = vec![ContactPoint::new("a@x.org"), ContactPoint::new("A@x.org")]),
            "emails[1]",
            "listed twice",
        ),
        (
            person(|p| p.phones = vec![ContactPoint::new("call me")]),
            "phones[0]",
            "not a phone",
        ),
        (
            person(|p| p.phones = vec![ContactPoint::new("12")]),
            "phones[0]",
            "not a phone",
        ),
        (
            person(|p| {
                p.links = vec![Link {
                    url: "example.org".into(),
                    label: None,
                }]
            }),
            "links[0]",
            "not a web address",
        ),
        (
            person(|p| p.likelihood = Some(6)),
            "likelihood",
            "use 1 to 5",
        ),
        (
            person(|p| p.likelihood = Some(0)),
            "likelihood",
            "use 1 to 5",
        ),
        (
            person(|p| p.cadence_days = Some(3)),
            "cadence_days",
            "out of range",
        ),
        (
            person(|p| p.cadence_days = Some(1000)),
            "cadence_days",
            "out of range",
        ),
        (
            person(|p| p.time_zone = Some("Mars/Olympus".into())),
            "time_zone",
            "not a time zone",
        ),
        (
            person(|p| p.tags = vec!["".into()]),
            "tags[0]",
            "must not be empty",
        ),
        (
            person(|p| p.research_notes = Prose::new("x".repeat(2 << 20))),
            "research_notes",
            "longer than",
        ),
        (
            person(|p| p.organization_id = Some(RecordId::new_at(Timestamp::from_millis(0)))),
            "organization_id",
            "there is no organization",
        ),
        (
            person(|p| p.goal_ids = vec![RecordId::new_at(Timestamp::from_millis(0))]),
            "goal_ids[0]",
            "there is no goal",
        ),
        (
            org(|o| o.website = Some("acme dot com".into())),
            "website",
            "not a web address",
        ),
        (org(|o| o.motivation = Some(9)), "motivation", "use 1 to 5"),
        (
            Body::Goal(Goal {
                name: "".into(),
                ..Default::default()
            }),
            "name",
            "must not be empty",
        ),
        (
            Body::Task(Task {
                title: "".into(),
                ..Default::default()
            }),
            "title",
            "must not be empty",
        ),
        (
            Body::Meeting(Meeting {
                title: "Coffee".into(),
                planned_minutes: Some(2),
                ..Default::default()
            }),
            "planned_minutes",
            "out of range",
        ),
        (
            Body::Meeting(Meeting {
                title: "Coffee".into(),
                started_at: Some(Timestamp::from_millis(2_000)),
                ended_at: Some(Timestamp::from_millis(1_000)),
                ..Default::default()
            }),
            "ended_at",
            "before it started",
        ),
        (
            Body::Question(Question {
                title: " ".into(),
                ..Default::default()
            }),
            "title",
            "must not be empty",
        ),
    ];
    for (body, field, words) in cases {
        let err = check(body.clone()).expect_err(&format!("{body:?} should be refused"));
        assert_eq!(err.field, field, "{err}");
        assert!(err.message.contains(words), "'{err}' should say '{words}'");
    }
}

#[test]
fn a_full_valid_person_passes() {
    let body = person(|p| {
        p.role = Some("Data engineer".into());
        p.emails = vec![
            ContactPoint::new("ada@example.org"),
            ContactPoint::new("a.l+x@sub.example.co.uk"),
        ];
        p.phones = vec![
            ContactPoint::new("+44 20 7946 0958"),
            ContactPoint::new("(555) 010-0199"),
        ];
        p.links = vec![Link {
            url: "https://www.linkedin.com/in/ada".into(),
            label: None,
        }];
        p.time_zone = Some("Europe/London".into());
        p.likelihood = Some(4);
        p.cadence_days = Some(90);
        p.tags = vec!["alumni".into()];
    });
    check(body).unwrap();
}

#[test]
fn links_must_point_at_a_live_record_of_the_right_kind() {
    let org_id = RecordId::new_at(Timestamp::from_millis(1));
    let person_id = RecordId::new_at(Timestamp::from_millis(2));
    let vault = |id: RecordId| {
        if id == org_id {
            Some(Kind::Organization)
        } else if id == person_id {
            Some(Kind::Person)
        } else {
            None
        }
    };
    let ok = Record {
        meta: meta(),
        body: person(|p| p.organization_id = Some(org_id)),
    };
    validate(&ok, &vault).unwrap();
    let wrong = Record {
        meta: meta(),
        body: person(|p| p.organization_id = Some(person_id)),
    };
    let err = validate(&wrong, &vault).unwrap_err();
    assert_eq!(err.field, "organization_id");
    assert!(
        err.message.contains("is a person, not a organization")
            || err.message.contains("is a person"),
        "{err}"
    );
}

#[test]
fn nobody_refers_themselves() {
    let m = meta();
    let id = m.id;
    let r = Record {
        meta: m,
        body: person(|p| p.referred_by_id = Some(id)),
    };
    let err = validate(&r, &|_| Some(Kind::Person)).unwrap_err();
    assert_eq!(err.field, "referred_by_id");
}

#[test]
fn words_parse_leniently_and_refuse_clearly() {
    assert_eq!("Job Board".parse::<Source>().unwrap(), Source::JobBoard);
    assert_eq!("linkedin".parse::<Source>().unwrap(), Source::LinkedIn);
    let err = "carrier pigeon".parse::<Source>().unwrap_err();
    assert!(err.contains("friend"), "lists the choices: {err}");
    assert_eq!("org".parse::<Kind>().unwrap(), Kind::Organization);
    assert!(Timestamp::parse("2026-11-22").is_ok());
    assert!(Timestamp::parse("2026-11-22T09:30:00+01:00").is_ok());
    assert!(Timestamp::parse("next tuesday").is_err());
}

#[test]
fn relays_are_http_urls_and_a_few_at_most() {
    let profile = |relays: &[&str]| {
        Body::Profile(Profile {
            name: "Ada".into(),
            relays: relays.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        })
    };
    assert!(
        check(profile(&[
            "https://relay.example.org",
            "http://10.0.0.2:3340/"
        ]))
        .is_ok()
    );
    for bad in [
        "ftp://relay.example.org",
        "relay.example.org",
        "https://",
        "https://a b",
    ] {
        let e = check(profile(&[bad])).unwrap_err();
        assert_eq!(e.field, "relays[0]", "{bad}: {e}");
    }
    let five = ["https://a.example.org"; 5];
    assert_eq!(check(profile(&five)).unwrap_err().field, "relays");
    let device = Body::Device(Device {
        name: "phone".into(),
        key: "ab".repeat(32),
        relays: vec!["gopher://old".into()],
        ..Default::default()
    });
    assert_eq!(check(device).unwrap_err().field, "relays[0]");
}
