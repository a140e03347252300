//! Leaving with everything: backup and restore, CSV, Markdown, raw documents.

use std::sync::Arc;

use rapport_core::model::{Kind, Timestamp, record_from_doc};
use rapport_core::seed::{SeedSpec, generate};
use rapport_core::{FixedClock, Rapport};
use serde_json::json;

async fn seeded() -> Rapport {
    let now = Timestamp::from_millis(1_763_800_000_000);
    let app = Rapport::in_memory(Arc::new(FixedClock::new(now)))
        .await
        .unwrap();
    app.write_all(generate(&SeedSpec {
        people: 30,
        seed: 5,
        now,
    }))
    .await
    .unwrap();
    let p = app.list_all(Kind::Person).await.unwrap();
    app.update(
        p[0].id(),
        json!({ "research_notes": "Line one, with a comma\nLine \"two\"" }),
    )
    .await
    .unwrap();
    app.delete(p[1].id()).await.unwrap();
    app
}

#[tokio::test]
async fn a_json_backup_restores_losslessly_into_an_empty_vault() {
    let source = seeded().await;
    let backup = source.backup().await.unwrap();
    let text = serde_json::to_string(&backup).unwrap();
    let target = Rapport::in_memory(Arc::new(FixedClock::new(Timestamp::from_millis(
        1_800_000_000_000,
    ))))
    .await
    .unwrap();
    let report = target
        .restore(serde_json::from_str(&text).unwrap())
        .await
        .unwrap();
    assert!(report.created > 100, "{report:?}");
    let (mut a, mut b) = (
        source.all_records().await.unwrap(),
        target.all_records().await.unwrap(),
    );
    a.sort_by_key(|r| r.id());
    b.sort_by_key(|r| r.id());
    assert_eq!(a, b, "every record, tombstones included, identical");
    assert!(target.doctor(false).await.unwrap().is_clean());
    let again = target
        .restore(source.backup().await.unwrap())
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated),
        (0, 0),
        "restoring twice changes nothing"
    );
}

#[tokio::test]
async fn a_bad_backup_changes_nothing() {
    let source = seeded().await;
    let mut backup = source.backup().await.unwrap();
    let target = Rapport::in_memory(Arc::new(FixedClock::new(Timestamp::from_millis(
        1_800_000_000_000,
    ))))
    .await
    .unwrap();
    let before = target.all_records().await.unwrap();
    let i = backup
        .records
        .iter()
        .position(|r| r.kind() == Kind::Person)
        .unwrap();
    if let rapport_core::model::Body::Person(p) = &mut backup.records[i].body {
        p.emails = vec![rapport_core::model::ContactPoint::new("not-an-email")];
    }
    let e = target.restore(backup.clone()).await.unwrap_err();
    assert!(e.message.starts_with("emails[0]"), "{}", e.message);
    assert_eq!(target.all_records().await.unwrap(), before);
    backup.format = "something-else".into();
    assert!(target.restore(backup).await.is_err());
}

#[tokio::test]
async fn csv_markdown_and_raw_documents_read_back() {
    let app = seeded().await;
    let csv_text = app.export_csv(Kind::Person).await.unwrap();
    let mut rdr = csv::Reader::from_reader(csv_text.as_bytes());
    let headers = rdr.headers().unwrap().clone();
    assert_eq!(&headers[1], "name");
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), app.list_all(Kind::Person).await.unwrap().len());
    let notes_col = headers.iter().position(|h| h == "research_notes").unwrap();
    assert!(
        rows.iter()
            .any(|r| &r[notes_col] == "Line one, with a comma\nLine \"two\""),
        "quoting survives"
    );
    let orgs = app.export_csv(Kind::Organization).await.unwrap();
    assert_eq!(
        csv::Reader::from_reader(orgs.as_bytes()).records().count(),
        app.list_all(Kind::Organization).await.unwrap().len()
    );
    assert!(app.export_csv(Kind::Task).await.is_err());

    let dir = tempfile::tempdir().unwrap();
    let n = app
        .export_documents(&dir.path().join("docs"))
        .await
        .unwrap();
    assert_eq!(n as usize, app.all_records().await.unwrap().len());
    for entry in std::fs::read_dir(dir.path().join("docs")).unwrap().take(20) {
        let path = entry.unwrap().path();
        let doc = automerge::AutoCommit::load(&std::fs::read(&path).unwrap()).unwrap();
        let r = record_from_doc(&doc).unwrap();
        assert_eq!(
            path.file_stem().unwrap().to_str().unwrap(),
            r.id().to_string()
        );
        assert_eq!(app.store().get(r.id()).unwrap(), Some(r));
    }

    let md = app.export_markdown(&dir.path().join("md")).await.unwrap();
    assert_eq!(md as usize, app.list_all(Kind::Person).await.unwrap().len());
    let any_with_meeting = std::fs::read_dir(dir.path().join("md"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .find(|t| t.contains("## Meetings"))
        .expect("someone has meetings");
    assert!(any_with_meeting.starts_with("# ") && any_with_meeting.contains("**Takeaways**"));
}
