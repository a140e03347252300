//! Importing LinkedIn's connections export: real-shaped files, idempotent re-import, all or nothing.

use std::sync::Arc;

use rapport_core::import::{ContactFormat, ImportOptions};
use rapport_core::model::{Body, Kind, Timestamp};
use rapport_core::{FixedClock, Rapport};
use serde_json::json;

async fn app() -> Rapport {
    Rapport::in_memory(Arc::new(FixedClock::new(Timestamp::from_millis(
        1_763_800_000_000,
    ))))
    .await
    .unwrap()
}

const REAL: &str = include_str!("../fixtures/Connections.csv");
const BAD: &str = include_str!("../fixtures/Connections-bad.csv");

fn people(records: &[rapport_core::model::Record]) -> Vec<&rapport_core::model::Person> {
    records
        .iter()
        .filter_map(|r| {
            if let Body::Person(p) = &r.body {
                Some(p)
            } else {
                None
            }
        })
        .collect()
}

#[tokio::test]
async fn a_real_shaped_export_imports_and_reimports_without_duplicates() {
    let app = app().await;
    let existing = app
        .create_from_fields(Kind::Person, json!({ "name": "José García", "emails": [{ "value": "JOSE@example.org" }], "research_notes": "Met at the fintech meetup." }))
        .await
        .unwrap();
    let report = app
        .import_contacts(
            ContactFormat::Linkedin,
            REAL,
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(report.applied && report.invalid.is_empty(), "{report:?}");
    assert_eq!(
        (report.created, report.updated, report.organizations_created),
        (3, 1, 2)
    );
    // The report names who: the three new people and José, who gains what the file adds.
    let named: Vec<(&str, bool)> = report
        .people
        .iter()
        .map(|p| (p.name.as_str(), p.new))
        .collect();
    assert_eq!(named.len(), 4, "{named:?}");
    assert!(named.contains(&("Zoë Okonkwo", true)), "{named:?}");
    assert!(
        named.iter().any(|(n, new)| n.starts_with("Jos") && !new),
        "{named:?}"
    );
    let all = app.list_all(Kind::Person).await.unwrap();
    assert_eq!(all.len(), 4);
    let ps = people(&all);
    let zoe = ps.iter().find(|p| p.name == "Zoë Okonkwo").unwrap();
    assert_eq!(zoe.role.as_deref(), Some("Energy Modeller"));
    assert!(zoe.emails.is_empty(), "empty emails stay empty");
    assert_eq!(
        zoe.source_detail.as_deref(),
        Some("Connected on LinkedIn on 2024-03-05")
    );
    let mei = ps.iter().find(|p| p.name == "Mei Tanaka").unwrap();
    assert!(
        mei.role.as_deref().unwrap().contains("Grid")
            && mei.role.as_deref().unwrap().contains("Planning"),
        "quoted newlines kept"
    );
    assert_eq!(zoe.organization_id, mei.organization_id, "one Green Harbor");
    let jose = app.get(existing.id()).await.unwrap();
    let Body::Person(j) = &jose.body else {
        panic!()
    };
    assert_eq!(
        j.role.as_deref(),
        Some("Head of Partnerships"),
        "matched by email, updated"
    );
    assert_eq!(
        j.research_notes.as_str(),
        "Met at the fintech meetup.",
        "never wiped"
    );
    assert_eq!(j.links.len(), 1);
    let orgs = app.list_all(Kind::Organization).await.unwrap();
    assert!(
        orgs.iter()
            .any(|o| o.body.display_name() == "Blue Field, Inc."),
        "quoted commas kept"
    );

    let again = app
        .import_contacts(
            ContactFormat::Linkedin,
            REAL,
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!(
        (
            again.created,
            again.updated,
            again.unchanged,
            again.organizations_created
        ),
        (0, 0, 4, 0)
    );
    assert_eq!(app.list_all(Kind::Person).await.unwrap().len(), 4);
}

#[tokio::test]
async fn a_bad_row_stops_the_import_unless_skipped_and_a_dry_run_writes_nothing() {
    let app = app().await;
    let dry = app
        .import_contacts(
            ContactFormat::Linkedin,
            REAL,
            ImportOptions {
                dry_run: true,
                ..Default::default()
            },
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!((dry.created, dry.applied), (4, false));
    assert!(app.list_all(Kind::Person).await.unwrap().is_empty());

    let report = app
        .import_contacts(
            ContactFormat::Linkedin,
            BAD,
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(!report.applied);
    assert_eq!(report.invalid.len(), 1);
    assert_eq!(
        report.invalid[0].line, 6,
        "line numbers count the notes before the header"
    );
    assert!(
        report.invalid[0].reason.starts_with("emails[0]"),
        "{:?}",
        report.invalid
    );
    assert!(
        app.list_all(Kind::Person).await.unwrap().is_empty(),
        "all or nothing"
    );
    assert!(app.list_all(Kind::Organization).await.unwrap().is_empty());

    let skipped = app
        .import_contacts(
            ContactFormat::Linkedin,
            BAD,
            ImportOptions {
                skip_invalid: true,
                ..Default::default()
            },
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(skipped.applied);
    assert_eq!(skipped.created, 2);
    assert!(
        app.import_contacts(
            ContactFormat::Linkedin,
            "just,some\ncsv,file\n",
            ImportOptions::default(),
            &|_, _| {}
        )
        .await
        .is_err()
    );
}

#[tokio::test]
async fn five_thousand_rows_import_once() {
    let mut file = String::from(
        "Notes:\n\"Some emails may be missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    );
    for i in 0..5000 {
        let email = if i % 3 == 0 {
            format!("person{i}@example.org")
        } else {
            String::new()
        };
        file.push_str(&format!("Person,Number {i},https://www.linkedin.com/in/person-{i},{email},Company {},Role {},0{} Mar 2024\n", i % 400, i % 17, 1 + i % 9));
    }
    let app = app().await;
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let r = app
        .import_contacts(
            ContactFormat::Linkedin,
            &file,
            ImportOptions::default(),
            &|_, _| {
                calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            },
        )
        .await
        .unwrap();
    assert_eq!((r.created, r.organizations_created), (5000, 400));
    assert!(
        calls.load(std::sync::atomic::Ordering::Relaxed) >= 5,
        "progress is reported"
    );
    let again = app
        .import_contacts(
            ContactFormat::Linkedin,
            &file,
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!((again.created, again.updated), (0, 0));
}

/// People export LinkedIn again every few weeks: a re-import must update people who have since
/// been linked to a goal (and referred by someone), never fail on those links.
#[tokio::test]
async fn a_reimport_updates_people_linked_to_goals() {
    let app = app().await;
    let first = app
        .import_contacts(
            ContactFormat::Linkedin,
            REAL,
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(first.applied, "{first:?}");
    let goal = app
        .create_from_fields(Kind::Goal, json!({ "name": "Grid planning roles" }))
        .await
        .unwrap();
    let all = app.list_all(Kind::Person).await.unwrap();
    let (a, b) = (&all[0], &all[1]);
    app.update(
        a.id(),
        json!({ "goal_ids": [goal.id()], "referred_by_id": b.id() }),
    )
    .await
    .unwrap();
    for dry_run in [true, false] {
        let again = app
            .import_contacts(
                ContactFormat::Linkedin,
                REAL,
                ImportOptions {
                    dry_run,
                    ..Default::default()
                },
                &|_, _| {},
            )
            .await
            .unwrap();
        assert!(again.invalid.is_empty(), "{:?}", again.invalid);
        assert_eq!(again.created, 0, "{again:?}");
    }
    let kept = app.get(a.id()).await.unwrap();
    match kept.body {
        rapport_core::model::Body::Person(p) => assert_eq!(p.goal_ids, vec![goal.id()]),
        other => panic!("{other:?}"),
    }
}

/// A preview of a large file names the first 200 people it brings, in file order; the counts
/// stay whole.
#[tokio::test]
async fn an_import_report_names_the_first_people_and_counts_them_all() {
    let app = app().await;
    let mut csv =
        String::from("First Name,Last Name,URL,Email Address,Company,Position,Connected On\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "Person,Number {i:03},https://www.linkedin.com/in/p-{i},,Acme,Engineer,05 Mar 2024\n"
        ));
    }
    let opts = ImportOptions {
        dry_run: true,
        ..Default::default()
    };
    let report = app
        .import_contacts(ContactFormat::Linkedin, &csv, opts, &|_, _| {})
        .await
        .unwrap();
    assert_eq!(report.created, 300);
    assert_eq!(report.people.len(), rapport_core::import::IMPORT_LISTED);
    assert_eq!(report.people[0].name, "Person Number 000");
    assert_eq!(report.people[199].name, "Person Number 199");
    assert_eq!(report.people[0].organization.as_deref(), Some("Acme"));
    assert!(report.people.iter().all(|p| p.new));
    assert!(
        app.list_all(Kind::Person).await.unwrap().is_empty(),
        "a preview writes nothing"
    );
}
