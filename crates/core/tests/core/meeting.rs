//! Preparing and holding a conversation: brief, meeting mode, referral capture.

use std::sync::Arc;

use rapport_core::meeting::ReferralCapture;
use rapport_core::model::workflow::meeting::Signal;
use rapport_core::model::{Body, Kind, Stage, TakeawayTopic, Timestamp};
use rapport_core::workflow::current_stage;
use rapport_core::{FixedClock, Rapport, questions};
use serde_json::json;

fn at(s: &str) -> Timestamp {
    Timestamp::from_jiff(s.parse::<jiff::Timestamp>().unwrap())
}

#[tokio::test]
async fn brief_meeting_mode_and_a_referral_in_one_call() {
    let clock = Arc::new(FixedClock::new(at("2026-12-03T14:00:00Z")));
    let app = Rapport::in_memory(clock.clone()).await.unwrap();
    app.set_profile(json!({ "name": "Sam", "background": "a data analyst moving into energy", "my_story": "Six years of analytics in retail; now learning grid planning." }))
        .await
        .unwrap();
    let org = app
        .create_from_fields(
            Kind::Organization,
            json!({ "name": "Green Harbor", "notes": "Hiring freeze until spring." }),
        )
        .await
        .unwrap();
    let bea = app
        .create_from_fields(Kind::Person, json!({ "name": "Bea Costa" }))
        .await
        .unwrap();
    let ada = app
        .create_from_fields(Kind::Person, json!({
            "name": "Ada Okafor", "organization_id": org.id(), "referred_by_id": bea.id(),
            "research_notes": "Studied physics at Leeds; started in consulting, moved to grid planning in 2019."
        }))
        .await
        .unwrap();
    let q = |n: usize| questions::builtin_id(n);
    // Chosen out of order: the brief puts them in conversation order.
    let chosen = [q(60), q(40), q(0), q(20), q(10)];
    let meeting = app
        .create_from_fields(Kind::Meeting, json!({
            "title": "Call with Ada", "person_id": ada.id(), "status": "confirmed", "start": "2026-12-03T15:00:00Z",
            "planned_minutes": 20, "question_ids": chosen
        }))
        .await
        .unwrap();
    app.create_from_fields(Kind::Task, json!({ "title": "Send Ada the grid report", "task_kind": "loose_end", "person_id": ada.id() })).await.unwrap();

    let brief = app.prep_brief(meeting.id()).await.unwrap();
    assert_eq!(brief.person.id(), ada.id());
    assert_eq!(brief.organization.as_ref().map(|o| o.id()), Some(org.id()));
    assert_eq!(brief.referred_by.as_ref().map(|r| r.id()), Some(bea.id()));
    assert!(brief.my_story.starts_with("Six years"));
    let phases: Vec<u8> = brief.questions.iter().map(|q| q.phase).collect();
    assert!(
        phases.windows(2).all(|w| w[0] <= w[1]),
        "small talk first, referrals last: {phases:?}"
    );
    assert_eq!(brief.questions.first().map(|x| x.id), Some(q(0)));
    assert_eq!(brief.questions.last().map(|x| x.id), Some(q(60)));
    let path_q = brief.questions.iter().find(|x| x.id == q(10)).unwrap();
    assert!(
        path_q.research_may_answer,
        "the research already says how she got there"
    );
    // The loose end, and the task to confirm the meeting that confirming it queued (due now:
    // the meeting is less than two days away).
    assert_eq!(brief.loose_ends.len(), 2);
    let confirm = brief.loose_ends.iter().find_map(|r| match &r.body {
        Body::Task(t) if t.task_kind == Some(rapport_core::model::TaskKind::Confirm) => {
            Some(t.clone())
        }
        _ => None,
    });
    let confirm = confirm.expect("confirming a meeting queues a confirmation task");
    assert_eq!(
        (confirm.meeting_id, confirm.due_at),
        (Some(meeting.id()), Some(at("2026-12-03T14:00:00Z")))
    );
    assert!(!brief.agenda.is_empty());

    // Meeting mode.
    assert_eq!(
        app.meeting_timer(meeting.id()).await.unwrap().signal,
        Signal::NotStarted
    );
    clock.set(at("2026-12-03T15:01:00Z"));
    app.start_meeting(meeting.id()).await.unwrap();
    clock.set(at("2026-12-03T15:17:00Z"));
    assert_eq!(
        app.meeting_timer(meeting.id()).await.unwrap().signal,
        Signal::WrapUp
    );
    app.answer(
        meeting.id(),
        q(10),
        "Physics, then consulting, then grid planning.".into(),
    )
    .await
    .unwrap();
    app.add_takeaway(
        meeting.id(),
        "Learn power-flow basics first.".into(),
        TakeawayTopic::Skills,
    )
    .await
    .unwrap();
    let captured = app
        .capture_referral(ReferralCapture {
            meeting_id: Some(meeting.id()),
            name: "Omar Haddad".into(),
            role: Some("Planner".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let Body::Person(omar) = &captured.person.body else {
        panic!()
    };
    assert_eq!(omar.referred_by_id, Some(ada.id()));
    assert_eq!(
        omar.source_detail.as_deref(),
        Some("Referred by Ada Okafor")
    );
    assert_eq!(captured.matched_by, None, "Omar is new");
    let queued = captured.task.clone().expect("a task to write to Omar");
    let Body::Task(task) = &queued.body else {
        panic!()
    };
    assert_eq!(
        (task.person_id, task.meeting_id),
        (Some(captured.person.id()), Some(meeting.id()))
    );
    assert!(task.title.contains("Omar Haddad"));
    clock.set(at("2026-12-03T15:21:30Z"));
    assert_eq!(
        app.meeting_timer(meeting.id()).await.unwrap().signal,
        Signal::AtTime
    );
    clock.set(at("2026-12-03T15:22:00Z"));
    app.stop_meeting(meeting.id()).await.unwrap();
    let t = app.meeting_timer(meeting.id()).await.unwrap();
    assert_eq!((t.signal, t.elapsed_secs), (Signal::Ended, 21 * 60));
    let Body::Person(ada_now) = app.get(ada.id()).await.unwrap().body else {
        panic!()
    };
    assert_eq!(current_stage(&ada_now), Stage::Met);
    assert_eq!(
        app.thank_yous_due().await.unwrap()[0].due_at,
        at("2026-12-04T15:22:00Z")
    );
    let Body::Meeting(m) = app.get(meeting.id()).await.unwrap().body else {
        panic!()
    };
    assert_eq!(m.answers.len(), 1);
    assert_eq!(m.takeaways[0].topic, TakeawayTopic::Skills);

    // A later brief shows the answer already noted.
    let again = app.prep_brief(ada.id()).await.unwrap();
    assert!(again.history.iter().any(|h| h.record_id == meeting.id()));
    assert!(
        app.stop_meeting(queued.id()).await.is_err(),
        "only meetings stop"
    );
    assert!(
        app.capture_referral(ReferralCapture {
            name: "Nobody".into(),
            ..Default::default()
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn meetings_export_to_icalendar_and_parse_back() {
    use icalendar::{Component, EventLike};
    use std::str::FromStr;
    let clock = Arc::new(FixedClock::new(at("2026-12-01T09:00:00Z")));
    let app = Rapport::in_memory(clock).await.unwrap();
    let ada = app
        .create_from_fields(Kind::Person, json!({ "name": "Ada Okafor" }))
        .await
        .unwrap();
    let mk = |title: &str, start: &str, status: &str| {
        json!({ "title": title, "person_id": ada.id(), "start": start, "status": status, "planned_minutes": 20,
                "medium": "coffee", "place": "Café Nord, Copenhagen", "time_zone": "Europe/Copenhagen" })
    };
    let next = app
        .create_from_fields(
            Kind::Meeting,
            mk("Coffee with Ada", "2026-12-03T15:00:00Z", "confirmed"),
        )
        .await
        .unwrap();
    app.create_from_fields(
        Kind::Meeting,
        mk("Old call", "2026-11-01T15:00:00Z", "held"),
    )
    .await
    .unwrap();
    app.create_from_fields(
        Kind::Meeting,
        mk("Dropped", "2026-12-09T15:00:00Z", "cancelled"),
    )
    .await
    .unwrap();

    app.create_from_fields(
        Kind::Task,
        json!({ "title": "Send Ada the article", "person_id": ada.id(), "due_at": "2026-12-04T09:00:00Z" }),
    )
    .await
    .unwrap();
    app.create_from_fields(
        Kind::Task,
        json!({ "title": "Done already", "due_at": "2026-12-02T09:00:00Z", "done_at": "2026-11-30T09:00:00Z" }),
    )
    .await
    .unwrap();
    app.create_from_fields(Kind::Task, json!({ "title": "Someday" }))
        .await
        .unwrap();

    let text = app.calendar_ics(None).await.unwrap();
    let all = icalendar::Calendar::from_str(&text).unwrap();
    let events: Vec<&icalendar::Event> =
        all.components.iter().filter_map(|c| c.as_event()).collect();
    assert_eq!(events.len(), 1, "only upcoming, not cancelled");
    let e = events[0];
    assert_eq!(e.get_summary(), Some("Coffee with Ada"));
    assert_eq!(e.get_uid(), Some(format!("{}@rapport", next.id()).as_str()));
    assert_eq!(e.get_location(), Some("Café Nord, Copenhagen"));
    assert!(e.get_description().unwrap().contains("Europe/Copenhagen"));

    // Read back by an independent parser: local time in the agreed zone, with its VTIMEZONE,
    // and the open task with a due date as a VTODO.
    let cal = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
        .next()
        .unwrap()
        .unwrap();
    let prop = |props: &[ical::property::Property], name: &str| {
        props
            .iter()
            .find(|p| p.name == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name}"))
    };
    let ev = &cal.events[0];
    let start = prop(&ev.properties, "DTSTART");
    assert_eq!(
        start.value.as_deref(),
        Some("20261203T160000"),
        "15:00 UTC is 16:00 in Copenhagen"
    );
    let tzid = start.params.unwrap();
    assert!(
        tzid.contains(&("TZID".to_string(), vec!["Europe/Copenhagen".to_string()])),
        "{tzid:?}"
    );
    assert_eq!(
        prop(&ev.properties, "DTEND").value.as_deref(),
        Some("20261203T162000")
    );
    assert_eq!(cal.timezones.len(), 1);
    let tz = &cal.timezones[0];
    assert_eq!(
        prop(&tz.properties, "TZID").value.as_deref(),
        Some("Europe/Copenhagen")
    );
    // Winter time since the last Sunday of October 2026.
    let standard = tz.transitions.last().unwrap();
    assert_eq!(
        prop(&standard.properties, "DTSTART").value.as_deref(),
        Some("20261025T030000")
    );
    assert_eq!(
        prop(&standard.properties, "TZOFFSETTO").value.as_deref(),
        Some("+0100")
    );
    let summaries: Vec<String> = cal
        .todos
        .iter()
        .filter_map(|t| prop(&t.properties, "SUMMARY").value)
        .collect();
    assert!(
        !summaries
            .iter()
            .any(|s| s == "Done already" || s == "Someday"),
        "only open tasks with a due date: {summaries:?}"
    );
    assert_eq!(
        summaries.len(),
        2,
        "the task and the meeting's confirmation: {summaries:?}"
    );
    let todo = cal
        .todos
        .iter()
        .find(|t| prop(&t.properties, "SUMMARY").value.as_deref() == Some("Send Ada the article"))
        .unwrap();
    assert_eq!(
        prop(&todo.properties, "SUMMARY").value.as_deref(),
        Some("Send Ada the article")
    );
    assert_eq!(
        prop(&todo.properties, "DUE").value.as_deref(),
        Some("20261204T090000Z")
    );
    assert_eq!(
        prop(&todo.properties, "STATUS").value.as_deref(),
        Some("NEEDS-ACTION")
    );
    assert!(
        prop(&todo.properties, "DESCRIPTION")
            .value
            .unwrap()
            .contains("Ada Okafor")
    );

    let one = app.calendar_ics(Some(next.id())).await.unwrap();
    assert!(one.contains("BEGIN:VEVENT") && one.contains("STATUS:CONFIRMED"));
    assert!(
        app.calendar_ics(Some(ada.id())).await.is_err(),
        "a person is not a meeting"
    );
}

fn body_of(r: &rapport_core::model::Record) -> String {
    match &r.body {
        Body::Outreach(o) => o.body.as_str().to_string(),
        other => panic!("not a message: {other:?}"),
    }
}

#[tokio::test]
async fn drafts_are_filled_from_the_records_and_pass_the_etiquette_check() {
    use rapport_core::model::TemplatePurpose;
    use rapport_core::model::workflow::etiquette::Severity;
    let clock = Arc::new(FixedClock::new(at("2026-11-20T09:00:00Z"))); // a Friday
    let app = Rapport::in_memory(clock.clone()).await.unwrap();
    app.set_profile(json!({ "name": "Sam", "background": "a data analyst moving into energy", "ask": "20 minutes on a call", "time_zone": "Europe/Berlin", "hours": "09:00-17:00" }))
        .await
        .unwrap();
    let goal = app
        .create_from_fields(Kind::Goal, json!({ "name": "Grid planning" }))
        .await
        .unwrap();
    let bea = app
        .create_from_fields(Kind::Person, json!({ "name": "Bea Costa" }))
        .await
        .unwrap();
    let ada = app
        .create_from_fields(Kind::Person, json!({ "name": "Ada Okafor", "referred_by_id": bea.id(), "goal_ids": [goal.id()], "time_zone": "Asia/Tokyo" }))
        .await
        .unwrap();
    let d = app
        .draft_message(ada.id(), TemplatePurpose::Outreach, None, Vec::new(), false)
        .await
        .unwrap();
    let text = body_of(&d.outreach);
    assert!(text.starts_with("Hi Ada,"), "{text}");
    assert!(
        text.contains("Bea Costa suggested I get in touch"),
        "{text}"
    );
    assert!(
        text.contains("a data analyst moving into energy") && text.contains("grid planning"),
        "{text}"
    );
    // Inside Sam's hours in Berlin (from the second business day) and at a reasonable hour in
    // Tokyo: only Berlin mornings are evenings there. Both zones are written.
    assert!(
        text.contains(
            "Tuesday 24 Nov at 18:00 or Wednesday 25 Nov at 18:30 (your time; 10:00 and 10:30 for me in Berlin)"
        ),
        "{text}"
    );
    assert!(d.missing.is_empty(), "{:?}", d.missing);
    assert!(
        d.findings.is_empty(),
        "Rapport's own draft fails its own check: {:?}",
        d.findings
    );
    // A preview changes nothing; saving is explicit.
    assert!(!d.saved);
    assert!(
        app.get(d.outreach.id()).await.is_err(),
        "a preview was stored"
    );
    let kept = app
        .draft_message(ada.id(), TemplatePurpose::Outreach, None, Vec::new(), true)
        .await
        .unwrap();
    assert!(kept.saved);
    let first = app.get(kept.outreach.id()).await.unwrap();
    app.outreach_sent(first.id(), None).await.unwrap();
    // Drafting to someone already written to says so.
    let again = app
        .draft_message(ada.id(), TemplatePurpose::Outreach, None, Vec::new(), false)
        .await
        .unwrap();
    assert!(
        again
            .note
            .as_deref()
            .is_some_and(|n| n.contains("already wrote to Ada Okafor")),
        "{:?}",
        again.note
    );

    // Seven business days without a reply: a follow-up, sent, answers the 3B7 nudge and starts
    // none of its own.
    clock.set(at("2026-12-01T09:00:00Z"));
    let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
    assert_eq!(app.nudges(&berlin).await.unwrap().len(), 1);
    let follow = app
        .draft_message(ada.id(), TemplatePurpose::FollowUp, None, Vec::new(), true)
        .await
        .unwrap();
    assert!(follow.missing.is_empty(), "{:?}", follow.missing);
    app.outreach_sent(follow.outreach.id(), None).await.unwrap();
    clock.set(at("2026-12-15T09:00:00Z"));
    assert!(app.nudges(&berlin).await.unwrap().is_empty());

    // The thank-you: "today" only when it is, no notes-to-self, a line to write, and sending
    // it clears the thank-you due.
    let m = app
        .create_from_fields(Kind::Meeting, json!({ "title": "Call", "person_id": ada.id(), "status": "held", "start": "2026-12-14T09:00:00Z", "ended_at": "2026-12-14T09:30:00Z" }))
        .await
        .unwrap();
    app.add_takeaway(
        m.id(),
        "Learn power-flow basics first; she seemed tired".into(),
        TakeawayTopic::Skills,
    )
    .await
    .unwrap();
    assert_eq!(app.thank_yous_due().await.unwrap().len(), 1);
    let thanks = app
        .draft_message(ada.id(), TemplatePurpose::ThankYou, None, Vec::new(), true)
        .await
        .unwrap();
    let t = body_of(&thanks.outreach);
    assert!(t.contains("your time yesterday"), "{t}");
    assert!(
        !t.contains("tired") && !t.contains("power-flow"),
        "notes-to-self copied: {t}"
    );
    assert!(!thanks.missing.is_empty(), "a line to write");
    let refused = app
        .outreach_sent(thanks.outreach.id(), None)
        .await
        .unwrap_err();
    assert!(refused.message.contains("before sending"), "{refused:?}");
    let written = t.replace(
        "[one thing you learned from them, and what you will do with it]",
        "Starting with power-flow basics was the advice I needed.",
    );
    app.update(thanks.outreach.id(), json!({ "body": written }))
        .await
        .unwrap();
    app.outreach_sent(thanks.outreach.id(), None).await.unwrap();
    assert!(
        app.thank_yous_due().await.unwrap().is_empty(),
        "the thank-you due stays"
    );

    // An update has its own template; a title is not a first name.
    let prof = app
        .create_from_fields(Kind::Person, json!({ "name": "Prof. Grace Lovelace", "source": "alumni", "source_detail": "Wake Forest" }))
        .await
        .unwrap();
    let hello = app
        .draft_message(
            prof.id(),
            TemplatePurpose::Outreach,
            None,
            Vec::new(),
            false,
        )
        .await
        .unwrap();
    let h = body_of(&hello.outreach);
    assert!(h.starts_with("Hi Prof. Lovelace,"), "{h}");
    assert!(h.contains("As a fellow alum (Wake Forest)"), "{h}");
    assert!(
        hello.findings.iter().all(|f| f.severity != Severity::Error),
        "{:?}",
        hello.findings
    );
    let update = app
        .draft_message(ada.id(), TemplatePurpose::Update, None, Vec::new(), false)
        .await
        .unwrap();
    assert!(
        body_of(&update.outreach).contains("When we spoke"),
        "{}",
        body_of(&update.outreach)
    );

    // Without a profile or a connection, the gaps stay visible, and such a draft is not sent.
    let bare = app
        .create_from_fields(Kind::Person, json!({ "name": "Zed" }))
        .await
        .unwrap();
    let d2 = app
        .draft_message(bare.id(), TemplatePurpose::Outreach, None, Vec::new(), true)
        .await
        .unwrap();
    assert!(
        d2.missing.contains(&"connection".to_string()),
        "{:?}",
        d2.missing
    );
    let e = app.outreach_sent(d2.outreach.id(), None).await.unwrap_err();
    assert!(e.message.contains("{connection}"), "{e:?}");
}

/// How each way of finding someone opens the message: phrased, never the raw note, and
/// always passing Rapport's own check.
#[tokio::test]
async fn the_connection_line_is_phrased_for_how_they_were_found() {
    use rapport_core::model::TemplatePurpose;
    let app = Rapport::in_memory(Arc::new(FixedClock::new(at("2026-11-20T09:00:00Z"))))
        .await
        .unwrap();
    app.set_profile(json!({ "name": "Sam", "background": "a nurse moving into health policy", "time_zone": "Europe/London" }))
        .await
        .unwrap();
    let cases = [
        (
            "alumni",
            "Leeds University",
            "As a fellow alum (Leeds University)",
        ),
        (
            "event",
            "the Grid Futures meet-up",
            "We met at the Grid Futures meet-up",
        ),
        ("meetup", "PyData Leeds", "We met at PyData Leeds"),
        (
            "article",
            "The Guardian on heat pumps",
            "I read your piece (The Guardian on heat pumps)",
        ),
        (
            "association",
            "the Energy Institute",
            "Like you, I am a member of the Energy Institute",
        ),
        (
            "friend",
            "Maya Patel",
            "Maya Patel suggested I get in touch",
        ),
        ("linkedin", "", "I came across your profile on LinkedIn"),
        (
            "other",
            "the council's report",
            "I came across your work (the council's report)",
        ),
    ];
    for (source, detail, want) in cases {
        let mut fields = json!({ "name": format!("Person {source}"), "source": source, "organization_id": null });
        if !detail.is_empty() {
            fields["source_detail"] = json!(detail);
        }
        fields.as_object_mut().unwrap().remove("organization_id");
        let p = app.create_from_fields(Kind::Person, fields).await.unwrap();
        let d = app
            .draft_message(p.id(), TemplatePurpose::Outreach, None, Vec::new(), false)
            .await
            .unwrap();
        let text = body_of(&d.outreach);
        assert!(text.contains(want), "{source}: {text}");
        assert!(
            d.findings.iter().all(|f| f.rule != "connection_first"),
            "{source}: {:?}\n{text}",
            d.findings
        );
    }
}

/// A referral to someone already in the vault links them (by email, profile URL, then a unique
/// name) instead of making a second person, carries the referrer's goal and organization, and
/// queues no first message to someone already contacted.
#[tokio::test]
async fn a_referral_of_someone_already_known_links_them() {
    let app = Rapport::in_memory(Arc::new(FixedClock::new(at("2026-12-03T09:00:00Z"))))
        .await
        .unwrap();
    let goal = app
        .create_from_fields(Kind::Goal, json!({"name": "Grid planning"}))
        .await
        .unwrap();
    let ada = app
        .create_from_fields(
            Kind::Person,
            json!({"name": "Ada Okafor", "goal_ids": [goal.id()]}),
        )
        .await
        .unwrap();
    let omar = app
        .create_from_fields(
            Kind::Person,
            json!({"name": "Omar Haddad", "emails": [{"value": "omar@example.org"}]}),
        )
        .await
        .unwrap();
    let by_name = app
        .capture_referral(ReferralCapture {
            referrer_id: Some(ada.id()),
            name: "omar haddad".into(),
            organization: Some("Grid Co".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_name.person.id(), omar.id());
    assert_eq!(by_name.matched_by.as_deref(), Some("name"));
    let Body::Person(p) = &by_name.person.body else {
        panic!()
    };
    assert_eq!(p.referred_by_id, Some(ada.id()));
    assert_eq!(
        p.goal_ids,
        vec![goal.id()],
        "the referrer's goal comes along"
    );
    let org = p.organization_id.expect("the organization named");
    assert_eq!(app.get(org).await.unwrap().body.display_name(), "Grid Co");
    assert!(by_name.task.is_some(), "not contacted yet: a task to write");
    // By email, even under another spelling of the name.
    let by_email = app
        .capture_referral(ReferralCapture {
            referrer_id: Some(ada.id()),
            name: "O. Haddad".into(),
            email: Some("OMAR@example.org".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        (by_email.person.id(), by_email.matched_by.as_deref()),
        (omar.id(), Some("email"))
    );
    let people = app.list_all(Kind::Person).await.unwrap();
    assert_eq!(people.len(), 2, "nobody was made twice");
    // Someone already contacted gets no first-message task.
    app.set_stage(omar.id(), Some(Stage::Requested))
        .await
        .unwrap();
    let contacted = app
        .capture_referral(ReferralCapture {
            referrer_id: Some(ada.id()),
            name: "Omar Haddad".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(contacted.task.is_none());
}
