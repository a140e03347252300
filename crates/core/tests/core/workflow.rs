//! The informational-interview story through the API, with the clock moved by hand.

use std::sync::Arc;

use jiff::tz::TimeZone;
use rapport_core::model::workflow::calendar::Nudge;
use rapport_core::model::workflow::ranking::Reason;
use rapport_core::model::{Body, Kind, Person, RecordId, Stage, Timestamp};
use rapport_core::workflow::current_stage;
use rapport_core::{FixedClock, Rapport};
use serde_json::json;

fn at(s: &str) -> Timestamp {
    Timestamp::from_jiff(s.parse::<jiff::Timestamp>().unwrap())
}

async fn stage(app: &Rapport, id: RecordId) -> Stage {
    match app.get(id).await.unwrap().body {
        Body::Person(p) => current_stage(&p),
        _ => panic!("not a person"),
    }
}

fn person(r: &rapport_core::model::Record) -> &Person {
    match &r.body {
        Body::Person(p) => p,
        _ => panic!("not a person"),
    }
}

#[tokio::test]
async fn from_a_goal_to_a_check_in_due_after_90_days() {
    let clock = Arc::new(FixedClock::new(at("2026-11-16T09:00:00Z"))); // a Monday
    let app = Rapport::in_memory(clock.clone()).await.unwrap();
    let utc = TimeZone::UTC;

    // Objective, targets, people.
    let goal = app
        .create_from_fields(
            Kind::Goal,
            json!({ "name": "Grid planning roles", "priority": 1 }),
        )
        .await
        .unwrap();
    let org = app
        .create_from_fields(Kind::Organization, json!({ "name": "Green Harbor", "advocacy": true, "motivation": 5, "postings": "relevant" }))
        .await
        .unwrap();
    app.create_from_fields(
        Kind::Organization,
        json!({ "name": "Blue Field", "motivation": 2 }),
    )
    .await
    .unwrap();
    let ada = app
        .create_from_fields(Kind::Person, json!({
            "name": "Ada Okafor", "organization_id": org.id(), "goal_ids": [goal.id()],
            "research_notes": "Leads grid planning; spoke at the storage summit.", "likelihood": 4
        }))
        .await
        .unwrap();
    let bob = app
        .create_from_fields(
            Kind::Person,
            json!({ "name": "Bob Mensah", "organization_id": org.id() }),
        )
        .await
        .unwrap();
    assert_eq!(
        app.refresh_person(ada.id())
            .await
            .map(|r| current_stage(person(&r)))
            .unwrap(),
        Stage::Researching
    );
    let lamp: Vec<String> = app
        .organizations_by_lamp()
        .await
        .unwrap()
        .iter()
        .map(|o| o.body.display_name().to_string())
        .collect();
    assert_eq!(lamp, ["Green Harbor", "Blue Field"]);
    let next = app.next_to_contact(5).await.unwrap();
    assert_eq!(next[0].person.id(), ada.id());
    for r in [
        Reason::LikelyYes,
        Reason::TopGoal,
        Reason::TopOrganization,
        Reason::NotContacted,
    ] {
        assert!(
            next[0].reasons.contains(&r),
            "{:?} lacks {r:?}",
            next[0].reasons
        );
    }

    // Outreach: drafted, checked, sent on a Friday afternoon.
    let body = "Hi Ada,\n\nYour talk at the storage summit stayed with me. I'm a data analyst moving into grid planning. \
                Would you have 20 minutes for a call? Tuesday at 10:00 or Thursday at 16:00 would suit me.";
    assert!(
        app.check_outreach(body).is_empty(),
        "{:?}",
        app.check_outreach(body)
    );
    let msg = app
        .create_from_fields(Kind::Outreach, json!({ "title": "Request to Ada", "person_id": ada.id(), "status": "draft", "body": body }))
        .await
        .unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::OutreachDrafted);
    clock.set(at("2026-11-20T16:00:00Z"));
    app.outreach_sent(msg.id(), None).await.unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::Requested);
    assert!(
        !app.next_to_contact(5)
            .await
            .unwrap()
            .iter()
            .any(|n| n.person.id() == ada.id()),
        "contacted people drop out"
    );

    // 3B7 across the weekend.
    clock.set(at("2026-11-24T10:00:00Z")); // Tuesday: 2 business days
    assert_eq!(app.nudges(&utc).await.unwrap()[0].nudge, Nudge::Wait);
    clock.set(at("2026-11-25T10:00:00Z")); // Wednesday: 3
    let n = app.nudges(&utc).await.unwrap();
    assert_eq!(
        (n[0].nudge, n[0].business_days),
        (Nudge::TryAnotherPerson, 3)
    );
    assert_eq!(n[0].others_at_organization, vec![bob.id()]);
    clock.set(at("2026-12-01T10:00:00Z")); // the next Tuesday: 7
    assert_eq!(app.nudges(&utc).await.unwrap()[0].nudge, Nudge::FollowUp);
    app.outreach_replied(msg.id(), false, None).await.unwrap();
    assert!(app.nudges(&utc).await.unwrap().is_empty());

    // Scheduling and the day of the meeting.
    let meeting = app
        .create_from_fields(Kind::Meeting, json!({
            "title": "Call with Ada", "person_id": ada.id(), "status": "confirmed",
            "start": "2026-12-03T15:00:00Z", "time_zone": "Europe/London", "planned_minutes": 20, "medium": "video"
        }))
        .await
        .unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::Confirmed);
    let tasks = app.list_all(Kind::Task).await.unwrap();
    let confirm = tasks
        .iter()
        .find(|t| matches!(&t.body, Body::Task(t) if t.meeting_id == Some(meeting.id())))
        .expect("a confirmation task");
    assert_eq!(
        confirm.body.due_at(),
        Some(at("2026-12-01T15:00:00Z")),
        "two days before the meeting"
    );
    clock.set(at("2026-12-03T08:00:00Z"));
    let today = app.today(&utc, 5).await.unwrap();
    assert_eq!(
        today.meetings.iter().map(|m| m.id()).collect::<Vec<_>>(),
        vec![meeting.id()]
    );

    // Held: met, and the thank-you is due 24 hours after it ended.
    clock.set(at("2026-12-03T15:25:00Z"));
    app.update(meeting.id(), json!({ "status": "held", "started_at": "2026-12-03T15:00:00Z", "ended_at": "2026-12-03T15:22:00Z" }))
        .await
        .unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::Met);
    let due = app.thank_yous_due().await.unwrap();
    assert_eq!(due[0].due_at, at("2026-12-04T15:22:00Z"));
    assert!(!due[0].overdue);
    clock.set(at("2026-12-05T09:00:00Z"));
    assert!(
        app.thank_yous_due().await.unwrap()[0].overdue,
        "an overdue thank-you shows as such"
    );
    assert_eq!(app.today(&utc, 5).await.unwrap().thank_yous.len(), 1);
    app.update(
        meeting.id(),
        json!({ "thanked_at": "2026-12-05T09:00:00Z" }),
    )
    .await
    .unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::Thanked);
    assert!(app.thank_yous_due().await.unwrap().is_empty());

    // Keep in touch: 90 days after the last interaction (the meeting), not before.
    clock.set(at("2027-02-28T09:00:00Z"));
    assert!(
        app.check_ins_due(0)
            .await
            .unwrap()
            .iter()
            .all(|d| d.person_id != Some(ada.id()))
    );
    clock.set(at("2027-03-04T09:00:00Z"));
    let check_ins = app.check_ins_due(0).await.unwrap();
    let ada_due = check_ins
        .iter()
        .find(|d| d.person_id == Some(ada.id()))
        .expect("Ada's check-in is due");
    assert_eq!(ada_due.due_at, at("2027-03-03T15:22:00Z"));
    assert!(ada_due.overdue);
    // A check-in done resets the clock and moves her to keeping in touch.
    app.create_from_fields(Kind::Task, json!({ "title": "Send Ada my update", "task_kind": "check_in", "person_id": ada.id(), "done_at": "2027-03-04T09:00:00Z" }))
        .await
        .unwrap();
    assert_eq!(stage(&app, ada.id()).await, Stage::KeepingInTouch);
    assert!(
        app.check_ins_due(0)
            .await
            .unwrap()
            .iter()
            .all(|d| d.person_id != Some(ada.id()))
    );

    // Every transition was logged with its time, in order.
    let log: Vec<Stage> = person(&app.get(ada.id()).await.unwrap())
        .stage_log
        .iter()
        .map(|c| c.stage)
        .collect();
    assert_eq!(
        log,
        [
            Stage::Researching,
            Stage::OutreachDrafted,
            Stage::Requested,
            Stage::Confirmed,
            Stage::Met,
            Stage::Thanked,
            Stage::KeepingInTouch
        ]
    );
    let times: Vec<Timestamp> = person(&app.get(ada.id()).await.unwrap())
        .stage_log
        .iter()
        .map(|c| c.at)
        .collect();
    assert!(times.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(times[2], at("2026-11-20T16:00:00Z"));

    // A stage set by hand.
    app.set_stage(bob.id(), Some(Stage::NoReply)).await.unwrap();
    assert_eq!(stage(&app, bob.id()).await, Stage::NoReply);

    app.add_takeaway(
        meeting.id(),
        "Power-flow modelling is the core skill".into(),
        rapport_core::model::TakeawayTopic::Skills,
    )
    .await
    .unwrap();
    let dash = app.dashboard(&utc).await.unwrap();
    assert_eq!(
        (dash.funnel.identified, dash.funnel.met, dash.funnel.thanked),
        (2, 1, 1)
    );
    assert_eq!(dash.replies, 1);
    let days = dash.reply_days_median.unwrap();
    assert!(
        (days - 10.75).abs() < 0.01,
        "sent Fri 20 Nov 16:00, replied Tue 1 Dec 10:00: {days}"
    );
    assert_eq!(dash.takeaways_by_goal[0].group, "Grid planning roles");
    assert_eq!(
        dash.takeaways_by_goal[0].topics["skills"],
        vec!["Power-flow modelling is the core skill"]
    );
    assert_eq!(dash.per_week.len(), 12);
    assert_eq!(
        dash.per_week.last().unwrap().week_of,
        "2027-03-01",
        "the 12 weeks end with this one"
    );
    clock.set(at("2026-12-06T12:00:00Z"));
    let dash = app.dashboard(&utc).await.unwrap();
    let week = dash
        .per_week
        .iter()
        .find(|w| w.week_of == "2026-11-30")
        .expect("the week of the meeting is listed");
    assert_eq!(week.conversations, 1);
}

#[tokio::test]
async fn referral_chains_are_trees_with_depth_and_meetings() {
    let clock = Arc::new(FixedClock::new(at("2026-11-16T09:00:00Z")));
    let app = Rapport::in_memory(clock.clone()).await.unwrap();
    let add = |name: &'static str, by: Option<RecordId>| {
        let app = app.clone();
        async move {
            app.create_from_fields(Kind::Person, json!({ "name": name, "referred_by_id": by }))
                .await
                .unwrap()
                .id()
        }
    };
    let ada = add("Ada", None).await;
    let carl = add("Carl", Some(ada)).await;
    let dee = add("Dee", Some(carl)).await;
    let eve = add("Eve", Some(dee)).await;
    let _fay = add("Fay", Some(ada)).await;
    let _loner = add("Loner", None).await;
    app.create_from_fields(Kind::Meeting, json!({ "title": "Coffee", "person_id": dee, "status": "held", "ended_at": "2026-11-16T08:00:00Z" }))
        .await
        .unwrap();
    let dash = app.dashboard(&TimeZone::UTC).await.unwrap();
    assert_eq!(
        dash.referral_chains.len(),
        1,
        "only people who referred someone start a chain"
    );
    let chain = &dash.referral_chains[0];
    assert_eq!(
        (chain.root.id, chain.depth, chain.people, chain.met),
        (ada, 3, 5, 1)
    );
    let carl_node = &chain.root.children[0];
    assert_eq!(carl_node.id, carl);
    assert_eq!(carl_node.children[0].id, dee);
    assert!(carl_node.children[0].met, "Dee's referral led to a meeting");
    assert_eq!(carl_node.children[0].children[0].id, eve);
    assert_eq!(dash.per_week.last().unwrap().conversations, 1);
}

/// Today and who-to-contact-next read a few index entries instead of the vault: what they show
/// with a small limit is the head of what they show with none, and the totals count it all.
#[tokio::test]
async fn the_short_plan_is_the_head_of_the_whole_one() {
    let now = at("2026-11-25T10:00:00Z");
    let app = Rapport::in_memory(Arc::new(FixedClock::new(now)))
        .await
        .unwrap();
    let records = rapport_core::seed::generate(&rapport_core::seed::SeedSpec {
        people: 300,
        seed: 9,
        now,
    });
    app.write_all(records).await.unwrap();
    let utc = TimeZone::UTC;
    let short = app.today(&utc, 5).await.unwrap();
    let all = app.today(&utc, usize::MAX).await.unwrap();
    let ids = |d: &[rapport_core::workflow::Due]| d.iter().map(|x| x.record_id).collect::<Vec<_>>();
    assert_eq!(ids(&short.tasks), ids(&all.tasks)[..short.tasks.len()]);
    assert_eq!(
        ids(&short.thank_yous),
        ids(&all.thank_yous)[..short.thank_yous.len()]
    );
    assert_eq!(
        ids(&short.check_ins),
        ids(&all.check_ins)[..short.check_ins.len()]
    );
    assert_eq!(all.tasks.len() as u64, all.totals.tasks);
    assert_eq!(all.check_ins.len() as u64, all.totals.check_ins);
    assert!(
        short.tasks.len() <= 5 && all.totals.tasks > 5,
        "{:?}",
        all.totals
    );
    assert!(all.follow_ups.len() as u64 <= all.totals.follow_ups);
    // Due tasks come latest first, and none is done or due after today.
    for w in all.tasks.windows(2) {
        assert!(w[0].due_at >= w[1].due_at);
    }
    let next = app.next_to_contact(8).await.unwrap();
    let whole = app.next_to_contact(100_000).await.unwrap();
    assert!(whole.len() > 8);
    let names = |n: &[rapport_core::workflow::NextContact]| {
        n.iter()
            .map(|c| (c.score, c.person.id()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&next), names(&whole)[..8]);
}

/// Progress reads counters the store keeps with every write. After a seeded vault is edited,
/// deleted from and restored into, they still say what counting every record says.
#[tokio::test]
async fn progress_counts_what_the_records_say_after_edits_and_deletes() {
    let now = at("2026-11-25T10:00:00Z");
    let app = Rapport::in_memory(Arc::new(FixedClock::new(now)))
        .await
        .unwrap();
    app.write_all(rapport_core::seed::generate(
        &rapport_core::seed::SeedSpec {
            people: 300,
            seed: 4,
            now,
        },
    ))
    .await
    .unwrap();
    let people = app.list_all(Kind::Person).await.unwrap();
    // Some people move on, some are deleted, a meeting is deleted, a reply is logged.
    for p in people.iter().step_by(7) {
        app.set_stage(p.id(), Some(Stage::Met)).await.unwrap();
    }
    for p in people.iter().skip(3).step_by(11) {
        app.delete(p.id()).await.unwrap();
    }
    let meetings = app.list_all(Kind::Meeting).await.unwrap();
    app.delete(meetings[0].id()).await.unwrap();
    let tz: TimeZone = TimeZone::get("America/New_York").unwrap();
    let dash = app.dashboard(&tz).await.unwrap();

    // What counting every record gives.
    let people = app.list_all(Kind::Person).await.unwrap();
    let mut stages = std::collections::BTreeMap::<String, u64>::new();
    let mut met = 0;
    for p in &people {
        let s = current_stage(person(p));
        *stages.entry(s.to_string()).or_default() += 1;
        met += u64::from(!s.is_dead_end() && s.rank() >= Stage::Met.rank());
    }
    assert_eq!(dash.stages, stages);
    assert_eq!(dash.funnel.identified, people.len() as u64);
    assert_eq!(dash.funnel.met, met);
    let mut replies: Vec<i64> = app
        .list_all(Kind::Outreach)
        .await
        .unwrap()
        .iter()
        .filter_map(|r| match &r.body {
            Body::Outreach(o) => {
                Some((o.replied_at?.as_millis() - o.sent_at?.as_millis()) / 60_000)
            }
            _ => None,
        })
        .filter(|m| *m >= 0)
        .collect();
    replies.sort();
    assert!(replies.len() > 10, "the seed has replies");
    assert_eq!(dash.replies as usize, replies.len());
    assert_eq!(
        dash.reply_days_median,
        Some(replies[replies.len() / 2] as f64 / 1440.0)
    );
    let first_week = dash.per_week[0].week_of.clone();
    let held_in_weeks = app
        .list_all(Kind::Meeting)
        .await
        .unwrap()
        .iter()
        .filter_map(|r| match &r.body {
            Body::Meeting(m)
                if m.status == Some(rapport_core::model::MeetingStatus::Held)
                    || m.ended_at.is_some() =>
            {
                m.started_at.or(m.start).or(m.ended_at)
            }
            _ => None,
        })
        .filter(|t| {
            let d = t.to_jiff().to_zoned(tz.clone()).date();
            let monday = d
                .checked_sub(jiff::Span::new().days(i64::from(d.weekday().to_monday_zero_offset())))
                .unwrap();
            monday.to_string() >= first_week && *t <= now
        })
        .count();
    let counted: u32 = dash.per_week.iter().map(|w| w.conversations).sum();
    assert!(held_in_weeks > 0);
    assert_eq!(counted as usize, held_in_weeks);
    assert!(dash.takeaways_from > 0);
    assert!(u64::from(dash.takeaways_from) <= dash.conversations_with_takeaways);
    let check = app.doctor(false).await.unwrap();
    assert!(check.is_clean(), "{check:?}");
}

/// Progress shows the 20 largest chains and counts the rest; when the person a chain starts
/// with is deleted, the people they referred start chains of their own.
#[tokio::test]
async fn progress_shows_the_largest_chains_and_counts_them_all() {
    let app = Rapport::in_memory(Arc::new(FixedClock::new(at("2026-11-16T09:00:00Z"))))
        .await
        .unwrap();
    let add = |name: String, by: Option<RecordId>| {
        let app = app.clone();
        async move {
            app.create_from_fields(Kind::Person, json!({ "name": name, "referred_by_id": by }))
                .await
                .unwrap()
                .id()
        }
    };
    let mut roots = Vec::new();
    for i in 0..25 {
        let root = add(format!("Root {i:02}"), None).await;
        // Chain i has i % 4 + 2 people.
        let mut by = root;
        for j in 0..=(i % 4) {
            by = add(format!("Referee {i:02}-{j}"), Some(by)).await;
        }
        roots.push(root);
    }
    let dash = app.dashboard(&TimeZone::UTC).await.unwrap();
    assert_eq!(dash.chains_total, 25);
    assert_eq!(dash.referral_chains.len(), 20);
    assert!(
        dash.referral_chains
            .windows(2)
            .all(|w| w[0].people >= w[1].people)
    );
    assert_eq!(dash.referral_chains[0].people, 5);
    // Root 03 referred Referee 03-0, who referred 03-1 and on: without Root 03, 03-0 starts.
    app.delete(roots[3]).await.unwrap();
    let dash = app.dashboard(&TimeZone::UTC).await.unwrap();
    assert_eq!(dash.chains_total, 25);
    let chain = dash
        .referral_chains
        .iter()
        .find(|c| c.root.name == "Referee 03-0")
        .expect("the referee starts the chain");
    assert_eq!((chain.people, chain.depth), (4, 3));
    // Root 00's chain had one referee who referred no one: it is gone with its root.
    app.delete(roots[0]).await.unwrap();
    let dash = app.dashboard(&TimeZone::UTC).await.unwrap();
    assert_eq!(dash.chains_total, 24);
}
