//! The application API through its typed async operations, with an injected clock.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

mod background;
mod backup;
mod bad_input;
mod calls;
mod contacts;
mod fuzz_corpus;
mod import;
mod meeting;
mod workflow;

use std::sync::Arc;

use rapport_core::model::{Body, Kind, Organization, Person, Timestamp};
use rapport_core::*;
use serde_json::json;

const T0: i64 = 1_763_800_000_000;

async fn app() -> (Rapport, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(Timestamp::from_millis(T0)));
    (Rapport::in_memory(clock.clone()).await.unwrap(), clock)
}

fn person(name: &str) -> Body {
    Body::Person(Person {
        name: name.into(),
        ..Default::default()
    })
}

#[tokio::test]
async fn an_error_is_a_code_and_a_message_in_json() {
    let e = ApiError::validation("emails[0]", "'x' is not an email address");
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"code":"validation","message":"emails[0]: 'x' is not an email address"}"#
    );
    let (app, _) = app().await;
    let missing = app
        .get("01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a".parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(serde_json::to_value(&missing).unwrap()["code"], "not_found");
}

#[tokio::test]
async fn create_stamps_ids_and_times_from_the_clock_and_normalizes() {
    let (app, clock) = app().await;
    let r = app
        .create(Body::Person(Person {
            name: "  Ada  ".into(),
            tags: vec!["x".into(), " x ".into()],
            ..Default::default()
        }))
        .await
        .unwrap();
    // An empty tag is a mistake to point out, not to drop without a word.
    let empty = app
        .create(Body::Person(Person {
            name: "Bea".into(),
            tags: vec!["x".into(), " ".into()],
            ..Default::default()
        }))
        .await
        .unwrap_err();
    assert!(empty.message.contains("tags[1]"), "{empty:?}");
    assert_eq!(r.meta.created_at, Timestamp::from_millis(T0));
    assert_eq!(r.body.display_name(), "Ada");
    let Body::Person(p) = &r.body else { panic!() };
    assert_eq!(p.tags, vec!["x"]);
    assert_eq!(r.id().as_uuid().get_version_num(), 7);
    clock.advance_millis(60_000);
    let u = app
        .update(r.id(), json!({ "role": "Engineer" }))
        .await
        .unwrap();
    assert_eq!(u.meta.updated_at, Timestamp::from_millis(T0 + 60_000));
    assert_eq!(u.meta.created_at, r.meta.created_at);
}

#[tokio::test]
async fn a_patch_changes_only_what_it_names() {
    let (app, _) = app().await;
    let r = app
        .create_from_fields(Kind::Person, json!({ "name": "Ada", "role": "Engineer", "emails": [{ "value": "ada@example.org" }], "tags": ["a"] }))
        .await
        .unwrap();
    let u = app
        .update(r.id(), json!({ "role": null, "tags": ["b", "c"] }))
        .await
        .unwrap();
    let Body::Person(p) = &u.body else { panic!() };
    assert_eq!(p.role, None);
    assert_eq!(p.tags, vec!["b", "c"]);
    assert_eq!(p.emails.len(), 1);

    for (patch, field) in [
        (json!({ "id": "x" }), "id"),
        (json!({ "created_at": "2026-01-01" }), "created_at"),
        (json!({ "colour": "red" }), "colour"),
        (json!({ "likelihood": "high" }), "likelihood"),
        (json!({ "emails": [{ "value": "nope" }] }), "emails[0]"),
        (json!(["not", "an", "object"]), "patch"),
    ] {
        let e = app.update(r.id(), patch.clone()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{patch}");
        assert!(e.message.starts_with(field), "{patch}: {}", e.message);
    }
    assert_eq!(
        app.get(r.id()).await.unwrap(),
        u,
        "refused patches changed nothing"
    );
}

#[tokio::test]
async fn delete_is_a_tombstone_that_leaves_lists_and_search() {
    let (app, _) = app().await;
    let r = app.create(person("Ada Lovelace")).await.unwrap();
    assert_eq!(
        app.search(SearchRequest {
            query: "lovelace".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .hits
        .len(),
        1
    );
    let gone = app.delete(r.id()).await.unwrap();
    assert!(gone.is_deleted());
    assert_eq!(app.get(r.id()).await.unwrap_err().code, ErrorCode::NotFound);
    assert_eq!(
        app.delete(r.id()).await.unwrap_err().code,
        ErrorCode::NotFound
    );
    assert_eq!(
        app.update(r.id(), json!({"role": "x"}))
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    let list = app
        .list(ListRequest {
            kind: Some(Kind::Person),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(list.total, 0);
    assert!(
        app.search(SearchRequest {
            query: "lovelace".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .hits
        .is_empty()
    );
}

#[tokio::test]
async fn link_and_unlink_pick_the_field_from_the_kinds() {
    let (app, _) = app().await;
    let org = app
        .create(Body::Organization(Organization {
            name: "Acme".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
    let ada = app.create(person("Ada")).await.unwrap();
    let bob = app.create(person("Bob")).await.unwrap();
    let goal = app
        .create_from_fields(Kind::Goal, json!({ "name": "Data" }))
        .await
        .unwrap();
    let linked = app
        .link(LinkRequest {
            from: ada.id(),
            to: org.id(),
        })
        .await
        .unwrap();
    let linked2 = app
        .link(LinkRequest {
            from: bob.id(),
            to: ada.id(),
        })
        .await
        .unwrap();
    app.link(LinkRequest {
        from: ada.id(),
        to: goal.id(),
    })
    .await
    .unwrap();
    let Body::Person(p) = &linked.body else {
        panic!()
    };
    assert_eq!(p.organization_id, Some(org.id()));
    let Body::Person(b) = &linked2.body else {
        panic!()
    };
    assert_eq!(b.referred_by_id, Some(ada.id()));
    let e = app
        .link(LinkRequest {
            from: org.id(),
            to: ada.id(),
        })
        .await
        .unwrap_err();
    assert!(
        e.message
            .contains("an organization cannot be linked to a person"),
        "{}",
        e.message
    );
    let at_acme = app
        .list(ListRequest {
            kind: Some(Kind::Person),
            organization: Some(org.id()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(at_acme.items.len(), 1);
    let unlinked = app
        .unlink(LinkRequest {
            from: ada.id(),
            to: org.id(),
        })
        .await
        .unwrap();
    let Body::Person(p) = &unlinked.body else {
        panic!()
    };
    assert_eq!(p.organization_id, None);
    assert_eq!(p.goal_ids, vec![goal.id()]);
    assert!(
        app.unlink(LinkRequest {
            from: ada.id(),
            to: org.id()
        })
        .await
        .is_err()
    );
}

#[tokio::test]
async fn a_record_pointing_at_a_deleted_one_can_still_be_edited() {
    let (app, _) = app().await;
    let org = app
        .create(Body::Organization(Organization {
            name: "Acme".into(),
            ..Default::default()
        }))
        .await
        .unwrap();
    let ada = app
        .create_from_fields(
            Kind::Person,
            json!({ "name": "Ada", "organization_id": org.id() }),
        )
        .await
        .unwrap();
    app.delete(org.id()).await.unwrap();
    let edited = app
        .update(ada.id(), json!({ "role": "Engineer" }))
        .await
        .unwrap();
    let Body::Person(p) = &edited.body else {
        panic!()
    };
    assert_eq!(p.role.as_deref(), Some("Engineer"));
    // But a new link to it is refused.
    let bob = app.create(person("Bob")).await.unwrap();
    let e = app
        .update(bob.id(), json!({ "organization_id": org.id() }))
        .await
        .unwrap_err();
    assert!(
        e.message
            .starts_with("organization_id: there is no organization"),
        "{}",
        e.message
    );
}

#[tokio::test]
async fn lists_page_through_everything_and_count() {
    let (app, _) = app().await;
    for i in 0..25 {
        app.create(person(&format!("Person {i:02}"))).await.unwrap();
    }
    let mut req = ListRequest {
        kind: Some(Kind::Person),
        limit: Some(10),
        ..Default::default()
    };
    let mut names = Vec::new();
    loop {
        let page = app.list(req.clone()).await.unwrap();
        assert_eq!(page.total, 25);
        names.extend(page.items.iter().map(|r| r.body.display_name().to_string()));
        match page.next {
            Some(n) => req.after = Some(n),
            None => break,
        }
    }
    assert_eq!(names.len(), 25);
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        app.list_all(Kind::Question).await.unwrap().len(),
        questions::BANK.len()
    );
    assert!(
        app.list(ListRequest::default()).await.is_err(),
        "a kind is required"
    );
}

#[tokio::test]
async fn a_vault_on_disk_keeps_everything_and_is_opened_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(FixedClock::new(Timestamp::from_millis(T0)));
    let id = {
        let app = Rapport::open(dir.path(), clock.clone()).await.unwrap();
        let second = Rapport::open(dir.path(), clock.clone()).await.unwrap_err();
        assert_eq!(second.code, ErrorCode::AlreadyOpen);
        assert!(
            second
                .message
                .contains(&format!("pid {}", std::process::id()))
        );
        app.create(person("Ada")).await.unwrap().id()
    };
    let app = Rapport::open(dir.path(), clock).await.unwrap();
    assert_eq!(app.get(id).await.unwrap().body.display_name(), "Ada");
    assert_eq!(
        app.list_all(Kind::Question).await.unwrap().len(),
        questions::BANK.len(),
        "the bank is seeded once"
    );
    assert!(app.doctor(false).await.unwrap().is_clean());
}

#[tokio::test]
async fn a_bulk_write_is_validated_as_a_whole() {
    let (app, _) = app().await;
    let records = seed::generate(&seed::SeedSpec {
        people: 20,
        seed: 3,
        now: Timestamp::from_millis(T0),
    });
    let mut broken = records.clone();
    if let Some(r) = broken.iter_mut().find(|r| r.kind() == Kind::Person)
        && let Body::Person(p) = &mut r.body
    {
        p.emails = vec![rapport_core::model::ContactPoint::new("broken")];
    }
    let e = app.write_all(broken).await.unwrap_err();
    assert!(e.message.starts_with("emails[0]"), "{}", e.message);
    assert_eq!(
        app.list(ListRequest {
            kind: Some(Kind::Person),
            ..Default::default()
        })
        .await
        .unwrap()
        .total,
        0
    );
    app.write_all(records).await.unwrap();
    assert_eq!(
        app.list(ListRequest {
            kind: Some(Kind::Person),
            ..Default::default()
        })
        .await
        .unwrap()
        .total,
        20
    );
}
