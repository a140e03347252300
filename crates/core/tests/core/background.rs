//! What runs behind the app's screens: reminders announced once, and sync in the background
//! between two vaults over real iroh connections on 127.0.0.1.

use std::time::Duration;

use rapport_core::model::{Body, Meeting, MeetingStatus, Person};

use super::*;

fn loopback() -> NodeConfig {
    NodeConfig {
        name: None,
        bind: vec!["127.0.0.1:0".parse().unwrap()],
        relay: RelayChoice::Off,
        mdns: false,
    }
}

#[tokio::test]
async fn reminders_come_for_a_meeting_within_the_hour_and_a_thank_you_due_once_each() {
    let (app, clock) = app().await;
    let zoe = app.create(person("Zoë Okonkwo")).await.unwrap();
    let start = Timestamp::from_millis(T0 + 45 * 60 * 1000);
    let soon = app
        .create(Body::Meeting(Meeting {
            title: "Call with Zoë".into(),
            person_id: Some(zoe.id()),
            start: Some(start),
            status: Some(MeetingStatus::Confirmed),
            ..Default::default()
        }))
        .await
        .unwrap();
    let later = app
        .create(Body::Meeting(Meeting {
            title: "Lunch".into(),
            person_id: Some(zoe.id()),
            start: Some(Timestamp::from_millis(T0 + 3 * 3600 * 1000)),
            ..Default::default()
        }))
        .await
        .unwrap();

    let mut events = app.subscribe();
    let due = app.reminders().await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].kind, ReminderKind::MeetingSoon);
    assert_eq!(due[0].record_id, soon.id());
    assert_eq!(app.announce(due.clone()), 1);
    assert_eq!(app.announce(due), 0, "a reminder is announced once");
    let AppEvent::Reminder(r) = events.recv().await.unwrap() else {
        panic!()
    };
    assert!(r.title.contains("Call with Zoë"), "{}", r.title);

    // The meeting is held: now the thank-you is due, and the later meeting is not yet near.
    app.start_meeting(soon.id()).await.unwrap();
    clock.advance_millis(20 * 60 * 1000);
    app.stop_meeting(soon.id()).await.unwrap();
    let due = app.reminders().await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].kind, ReminderKind::ThankYouDue);
    assert!(!due.iter().any(|r| r.record_id == later.id()));
    assert_eq!(app.announce(due), 1);

    // Three days on, the thank-you is still on Today but no longer a reminder: a reminder is
    // for what is due now, and a month of them would bury the screen.
    clock.advance_millis(3 * 24 * 3600 * 1000 + 3_600_000);
    assert!(app.reminders().await.unwrap().is_empty());
    let today = app.today(&jiff::tz::TimeZone::UTC, 5).await.unwrap();
    assert_eq!(today.thank_yous.len(), 1);
    assert!(today.thank_yous[0].overdue);

    app.update(
        soon.id(),
        json!({"thanked_at": Timestamp::from_millis(T0 + 3_000_000)}),
    )
    .await
    .unwrap();
    assert!(app.reminders().await.unwrap().is_empty());
    assert!(
        app.today(&jiff::tz::TimeZone::UTC, 5)
            .await
            .unwrap()
            .thank_yous
            .is_empty()
    );
}

#[tokio::test]
async fn without_sync_running_pairing_says_why_and_what_to_do() {
    let (app, _) = app().await;
    assert!(!app.sync_status().running);
    let e = app.pairing_code().await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Network);
    assert!(e.message.contains("sync is not running"), "{}", e.message);
    let e = app.pair_with("RAPPORT-PAIR:nonsense").await.unwrap_err();
    assert_eq!(
        e.code,
        ErrorCode::Validation,
        "a bad code is bad input first"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_vaults_pair_and_sync_in_the_background() {
    let within = Duration::from_secs(60);
    let (laptop, _) = app().await;
    let (phone, _) = app().await;
    laptop.start_sync(loopback()).await.unwrap();
    phone.start_sync(loopback()).await.unwrap();
    assert!(laptop.sync_status().running);
    assert!(laptop.sync_status().key.is_some());

    let code = laptop.pairing_code().await.unwrap();
    assert!(code.ticket.starts_with("RAPPORT-PAIR:"));
    assert!(code.qr_svg.contains("<svg"));
    let mut events = laptop.subscribe();
    tokio::time::timeout(within, phone.pair_with(&code.ticket))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(laptop.devices().await.unwrap().len(), 2);
    assert_eq!(phone.devices().await.unwrap().len(), 2);

    // A person added on the laptop reaches the phone while both run.
    let ada = laptop
        .create(Body::Person(Person {
            name: "Ada Lovelace".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
    tokio::time::timeout(within, async {
        while phone.get(ada.id()).await.is_err() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("the phone received the new person");

    // The laptop's status knows the phone, and it reported syncing as an event.
    tokio::time::timeout(within, async {
        loop {
            if let Ok(AppEvent::Sync(SyncEvent::Synced { .. })) = events.recv().await {
                break;
            }
        }
    })
    .await
    .expect("a synced event");
    let status = laptop.sync_status();
    assert_eq!(status.peers.len(), 1, "{status:?}");
    assert!(
        status.peers.values().all(|p| p.last_synced.is_some()),
        "{status:?}"
    );
    let outcomes = laptop.sync_now().await.unwrap();
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].ok, "{outcomes:?}");
}
