//! Bad input everywhere (RELIABILITY.md §6): every API operation, read from JSON as the HTTP
//! server and the app read it, is sent invalid values — empty, huge (20 MB), the wrong type,
//! ids that are malformed, unknown or of the wrong kind — and must answer with a clear error
//! (a code, and a message naming the field) and leave the vault exactly as it was.
//!
//! The list of operations is read from [`Call`] itself, so a new operation without rows here
//! fails [`every_operation_has_rows`].

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

const UNKNOWN: &str = "01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a";

/// 20 MB of text: far over every limit (names 300 characters, prose 1 MiB, bodies 16 MiB).
fn huge() -> Value {
    Value::String("x".repeat(20 << 20))
}

/// The ids of a small vault: one record of each kind the operations take.
struct Fixture {
    person: String,
    org: String,
    goal: String,
    meeting: String,
    outreach: String,
    task: String,
    question: String,
    template: String,
}

async fn fixture(app: &Rapport) -> Fixture {
    let id = |r: model::Record| r.id().to_string();
    let mk = |kind: Kind, fields: Value| app.create_from_fields(kind, fields);
    let org = id(mk(Kind::Organization, json!({"name": "Acme"}))
        .await
        .unwrap());
    let goal = id(mk(Kind::Goal, json!({"name": "Grid planning"}))
        .await
        .unwrap());
    let person = id(mk(
        Kind::Person,
        json!({"name": "Ada Okafor", "organization_id": org, "goal_ids": [goal]}),
    )
    .await
    .unwrap());
    let meeting = id(mk(
        Kind::Meeting,
        json!({"title": "Coffee with Ada", "person_id": person, "start": "2025-11-23T10:00:00Z", "status": "confirmed"}),
    )
    .await
    .unwrap());
    let outreach = id(mk(
        Kind::Outreach,
        json!({"title": "First note", "person_id": person, "body": "Hello Ada"}),
    )
    .await
    .unwrap());
    let task = id(mk(Kind::Task, json!({"title": "Send the article"}))
        .await
        .unwrap());
    let question = id(app.list_all(Kind::Question).await.unwrap().remove(0));
    let template = id(app.list_all(Kind::Template).await.unwrap().remove(0));
    Fixture {
        person,
        org,
        goal,
        meeting,
        outreach,
        task,
        question,
        template,
    }
}

/// What a row expects.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    /// An error whose message names the field.
    Refused,
    /// The value is acceptable for this operation (e.g. checking an empty message): any answer,
    /// but the vault must not change.
    Harmless,
}

struct Row {
    op: &'static str,
    args: Value,
    /// The field the bad value is in; a refusal's message must name it.
    field: &'static str,
    what: &'static str,
    expect: Expect,
}

/// `good` with `field` set to `bad` (a field path of one level: `patch.name`, `fields.name`).
fn with(good: &Value, field: &str, bad: Value) -> Value {
    let mut args = good.clone();
    match field.split_once('.') {
        Some((outer, inner)) => {
            args[outer][inner] = bad;
        }
        None => args[field] = bad,
    }
    args
}

/// The bad values of an id: malformed, empty, the wrong type, unknown, or (given) a record of
/// the wrong kind.
fn bad_ids(wrong_kind: Option<&str>) -> Vec<(Value, &'static str)> {
    let mut v = vec![
        (json!(""), "empty"),
        (json!("not-an-id"), "malformed"),
        (json!(42), "wrong type"),
        (json!(["x"]), "wrong type"),
        (json!(UNKNOWN), "unknown id"),
        (Value::String("0".repeat(100_000)), "huge"),
    ];
    if let Some(id) = wrong_kind {
        v.push((json!(id), "id of the wrong kind"));
    }
    v
}

fn rows(f: &Fixture) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut add = |op: &'static str,
                   good: Value,
                   field: &'static str,
                   bads: Vec<(Value, &'static str)>,
                   expect: Expect| {
        for (bad, what) in bads {
            rows.push(Row {
                op,
                args: with(&good, field, bad),
                field: field.rsplit('.').next().unwrap_or(field),
                what,
                expect,
            });
        }
    };
    use Expect::*;
    let text_bads = || {
        vec![
            (json!(5), "wrong type"),
            (json!(null), "null"),
            (json!({"a": 1}), "wrong type"),
        ]
    };

    // Ids, operation by operation; a record of another kind where the operation wants one kind.
    let by_id: [(&str, Value, &str, Option<&str>); 12] = [
        ("get", json!({"id": f.person}), "id", None),
        ("delete", json!({"id": f.person}), "id", None),
        (
            "update",
            json!({"id": f.person, "patch": {"role": "x"}}),
            "id",
            None,
        ),
        ("prep_brief", json!({"id": f.meeting}), "id", Some(&f.task)),
        (
            "start_meeting",
            json!({"id": f.meeting}),
            "id",
            Some(&f.person),
        ),
        (
            "stop_meeting",
            json!({"id": f.meeting}),
            "id",
            Some(&f.person),
        ),
        (
            "meeting_timer",
            json!({"id": f.meeting}),
            "id",
            Some(&f.person),
        ),
        (
            "outreach_sent",
            json!({"id": f.outreach}),
            "id",
            Some(&f.person),
        ),
        (
            "outreach_replied",
            json!({"id": f.outreach}),
            "id",
            Some(&f.person),
        ),
        (
            "remove_device",
            json!({"id": f.person}),
            "id",
            Some(&f.person),
        ),
        (
            "thank_you_sent",
            json!({"meeting_id": f.meeting}),
            "meeting_id",
            Some(&f.person),
        ),
        (
            "set_stage",
            json!({"person_id": f.person, "stage": "requested"}),
            "person_id",
            Some(&f.org),
        ),
    ];
    for (op, good, field, wrong) in by_id {
        let op: &'static str = Box::leak(op.to_string().into_boxed_str());
        let field: &'static str = Box::leak(field.to_string().into_boxed_str());
        add(op, good, field, bad_ids(wrong), Refused);
    }

    // Records: kinds, fields and patches.
    add(
        "list_all",
        json!({"kind": "person"}),
        "kind",
        vec![
            (json!("planet"), "unknown kind"),
            (json!(""), "empty"),
            (json!(3), "wrong type"),
            (huge(), "huge"),
        ],
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "kind",
        vec![
            (json!("planet"), "unknown kind"),
            (json!(null), "missing"),
            (json!(3), "wrong type"),
        ],
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "limit",
        vec![
            (json!(-1), "negative"),
            (json!("ten"), "wrong type"),
            (json!(1e30), "huge"),
        ],
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "order",
        vec![(json!("sideways"), "unknown order")],
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "person",
        bad_ids(None)
            .into_iter()
            .filter(|(_, w)| *w != "unknown id")
            .collect(),
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "after",
        vec![(json!(5), "wrong type")],
        Refused,
    );
    add(
        "list",
        json!({"kind": "person"}),
        "after",
        vec![
            (json!(""), "empty"),
            (json!("\u{0}\u{ffff}garbage"), "garbage cursor"),
            (huge(), "huge"),
        ],
        Harmless,
    );
    add(
        "search",
        json!({"query": "ada"}),
        "query",
        vec![(huge(), "huge"), (json!(7), "wrong type")],
        Refused,
    );
    add(
        "search",
        json!({"query": "ada"}),
        "query",
        vec![(json!(""), "empty"), (json!("\"(*:[)"), "query syntax")],
        Harmless,
    );
    add(
        "search",
        json!({"query": "ada"}),
        "kind",
        vec![(json!("planet"), "unknown kind")],
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "kind",
        vec![
            (json!("planet"), "unknown kind"),
            (json!(""), "empty"),
            (json!(1), "wrong type"),
            // Devices join only by pairing (docs/threat-model.md).
            (json!("device"), "a device"),
        ],
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "fields",
        vec![
            (json!("Bea"), "wrong type"),
            (json!([1]), "wrong type"),
            (json!(null), "null"),
        ],
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "fields.name",
        vec![
            (json!(""), "empty"),
            (json!("   "), "blank"),
            (huge(), "huge"),
            (json!(5), "wrong type"),
        ],
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "fields.organization_id",
        bad_ids(Some(&f.goal)),
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "fields.research_notes",
        vec![(huge(), "huge")],
        Refused,
    );
    add(
        "create",
        json!({"kind": "person", "fields": {"name": "Bea"}}),
        "fields.emails",
        vec![
            (json!([{"value": "not an email"}]), "invalid email"),
            (json!("x"), "wrong type"),
        ],
        Refused,
    );
    add(
        "create",
        json!({"kind": "meeting", "fields": {"title": "T", "person_id": f.person}}),
        "fields.start",
        vec![(json!("yesterday-ish"), "not a time"), (json!(""), "empty")],
        Refused,
    );
    add(
        "create",
        json!({"kind": "meeting", "fields": {"title": "T", "person_id": f.person}}),
        "fields.person_id",
        bad_ids(Some(&f.org)),
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch",
        vec![(json!("x"), "wrong type"), (json!([1, 2]), "wrong type")],
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch.name",
        vec![
            (json!(""), "empty"),
            (json!(null), "cleared"),
            (huge(), "huge"),
            (json!(["x"]), "wrong type"),
        ],
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch.role",
        vec![(huge(), "huge"), (json!(12), "wrong type")],
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch.likelihood",
        vec![
            (json!(9), "out of range"),
            (json!(-1), "negative"),
            (json!("high"), "wrong type"),
        ],
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch.referred_by_id",
        bad_ids(Some(&f.org)),
        Refused,
    );
    add(
        "update",
        json!({"id": f.person, "patch": {"role": "x"}}),
        "patch.id",
        vec![(json!(f.org), "another record's id")],
        Refused,
    );
    add(
        "update",
        json!({"id": f.org, "patch": {"motivation": 3}}),
        "patch.motivation",
        vec![
            (json!(0), "out of range"),
            (json!(6), "out of range"),
            (json!(2.5), "fraction"),
        ],
        Refused,
    );
    for op in ["link", "unlink"] {
        add(
            op,
            json!({"from": f.person, "to": f.org}),
            "from",
            bad_ids(None),
            Refused,
        );
        add(
            op,
            json!({"from": f.person, "to": f.org}),
            "to",
            bad_ids(Some(&f.template)),
            Refused,
        );
    }

    // The workflow.
    for op in ["today", "dashboard"] {
        add(
            op,
            json!({"time_zone": "UTC"}),
            "time_zone",
            vec![
                (json!("Mars/Olympus"), "unknown zone"),
                (json!(""), "empty"),
                (json!(3), "wrong type"),
                (huge(), "huge"),
            ],
            Refused,
        );
    }
    add(
        "next_to_contact",
        json!({"limit": 5}),
        "limit",
        vec![(json!(-3), "negative"), (json!("all"), "wrong type")],
        Refused,
    );
    add(
        "next_to_contact",
        json!({"limit": 5}),
        "limit",
        vec![(json!(0), "zero"), (json!(1_000_000_000), "huge")],
        Harmless,
    );
    add(
        "check_outreach",
        json!({"text": "Hi"}),
        "text",
        text_bads(),
        Refused,
    );
    add(
        "check_outreach",
        json!({"text": "Hi"}),
        "text",
        vec![(json!(""), "empty"), (huge(), "huge")],
        Harmless,
    );
    add(
        "draft_message",
        json!({"person_id": f.person}),
        "person_id",
        bad_ids(Some(&f.org)),
        Refused,
    );
    add(
        "draft_message",
        json!({"person_id": f.person}),
        "template_id",
        bad_ids(Some(&f.person)),
        Refused,
    );
    add(
        "draft_message",
        json!({"person_id": f.person}),
        "purpose",
        vec![
            (json!("blackmail"), "unknown purpose"),
            (json!(4), "wrong type"),
        ],
        Refused,
    );
    add(
        "draft_message",
        json!({"person_id": f.person}),
        "times",
        vec![
            (json!(["soon"]), "not a time"),
            (json!("2025-11-23T10:00:00Z"), "wrong type"),
        ],
        Refused,
    );
    add(
        "outreach_sent",
        json!({"id": f.outreach}),
        "at",
        vec![
            (json!("last week"), "not a time"),
            (json!(true), "wrong type"),
        ],
        Refused,
    );
    add(
        "outreach_replied",
        json!({"id": f.outreach}),
        "declined",
        vec![(json!("no"), "wrong type")],
        Refused,
    );
    add(
        "set_stage",
        json!({"person_id": f.person, "stage": "requested"}),
        "stage",
        vec![
            (json!("hired"), "unknown stage"),
            (json!(""), "empty"),
            (json!(2), "wrong type"),
        ],
        Refused,
    );
    add(
        "thank_you_sent",
        json!({"meeting_id": f.meeting}),
        "at",
        vec![(json!("tomorrow"), "not a time")],
        Refused,
    );
    let answer = json!({"meeting_id": f.meeting, "question_id": f.question, "text": "A lot"});
    add(
        "answer",
        answer.clone(),
        "meeting_id",
        bad_ids(Some(&f.person)),
        Refused,
    );
    add(
        "answer",
        answer.clone(),
        "question_id",
        bad_ids(Some(&f.person)),
        Refused,
    );
    add(
        "answer",
        answer,
        "text",
        vec![(huge(), "huge"), (json!(5), "wrong type")],
        Refused,
    );
    let takeaway = json!({"meeting_id": f.meeting, "text": "Learn SQL", "topic": "skills"});
    add(
        "add_takeaway",
        takeaway.clone(),
        "meeting_id",
        bad_ids(Some(&f.task)),
        Refused,
    );
    add(
        "add_takeaway",
        takeaway.clone(),
        "text",
        vec![
            (json!(""), "empty"),
            (huge(), "huge"),
            (json!([]), "wrong type"),
        ],
        Refused,
    );
    add(
        "add_takeaway",
        takeaway,
        "topic",
        vec![(json!("gossip"), "unknown topic"), (json!(null), "missing")],
        Refused,
    );
    let referral = json!({"meeting_id": f.meeting, "name": "Lina Park"});
    add(
        "capture_referral",
        referral.clone(),
        "name",
        vec![
            (json!(""), "empty"),
            (huge(), "huge"),
            (json!(1), "wrong type"),
        ],
        Refused,
    );
    add(
        "capture_referral",
        referral.clone(),
        "meeting_id",
        bad_ids(Some(&f.person)),
        Refused,
    );
    add(
        "capture_referral",
        referral.clone(),
        "referrer_id",
        bad_ids(Some(&f.meeting)),
        Refused,
    );
    add(
        "capture_referral",
        referral.clone(),
        "email",
        vec![(json!("lina at example"), "invalid email")],
        Refused,
    );
    add(
        "capture_referral",
        referral,
        "note",
        vec![(huge(), "huge")],
        Refused,
    );
    add(
        "set_profile",
        json!({"fields": {"name": "Me"}}),
        "fields",
        vec![(json!("Me"), "wrong type"), (json!(null), "null")],
        Refused,
    );
    add(
        "set_profile",
        json!({"fields": {"name": "Me"}}),
        "fields.name",
        vec![(huge(), "huge"), (json!(5), "wrong type")],
        Refused,
    );
    add(
        "set_profile",
        json!({"fields": {"name": "Me"}}),
        "fields.time_zone",
        vec![(json!("Mars/Olympus"), "unknown zone")],
        Refused,
    );
    add(
        "pair_with",
        json!({"ticket": "x"}),
        "ticket",
        vec![
            (json!(""), "empty"),
            (json!("rapport-pair-garbage"), "garbage"),
            (huge(), "huge"),
            (json!(5), "wrong type"),
        ],
        Refused,
    );

    // Import and export.
    let contacts = json!({"format": "linkedin", "text": "First Name,Last Name\nAda,Okafor\n"});
    add(
        "import_contacts",
        contacts.clone(),
        "format",
        vec![(json!("excel"), "unknown format"), (json!(1), "wrong type")],
        Refused,
    );
    add(
        "import_contacts",
        contacts.clone(),
        "text",
        vec![
            (json!(""), "empty"),
            (huge(), "huge"),
            (json!("\u{0}\u{1}binary\u{fffd}"), "garbage"),
            (json!(5), "wrong type"),
        ],
        Refused,
    );
    add(
        "import_contacts",
        json!({"format": "vcard", "text": ""}),
        "text",
        vec![(huge(), "huge")],
        Refused,
    );
    // A card without a name is skipped (the report says so); nothing is created.
    add(
        "import_contacts",
        json!({"format": "vcard", "text": ""}),
        "text",
        vec![(
            json!("BEGIN:VCARD\nFN:\nEND:VCARD\n"),
            "card without a name",
        )],
        Harmless,
    );
    add(
        "import_contacts",
        contacts,
        "dry_run",
        vec![(json!("yes"), "wrong type")],
        Refused,
    );
    // A backup holding a device record: skipped, so the vault does not change.
    let planted = json!({"format": "rapport-backup", "version": 1, "records": [{
        "id": "01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6b", "kind": "device",
        "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:00:00Z",
        "name": "helper", "key": "ab".repeat(32), "addresses": ["127.0.0.1:9"]}]});
    add(
        "import_backup",
        json!({"text": "{}"}),
        "text",
        vec![(json!(planted.to_string()), "a device record")],
        Harmless,
    );
    add(
        "import_backup",
        json!({"text": "{}"}),
        "text",
        vec![
            (json!(""), "empty"),
            (huge(), "huge"),
            (
                json!("{\"format\": \"rapport-backup\", \"version\": 99, \"records\": []}"),
                "future version",
            ),
            (
                json!(
                    "{\"format\": \"rapport-backup\", \"version\": 1, \"records\": [{\"id\": 5}]}"
                ),
                "bad record",
            ),
            (json!(5), "wrong type"),
        ],
        Refused,
    );
    add(
        "export",
        json!({"format": "json"}),
        "format",
        vec![
            (json!("pdf"), "unknown format"),
            (json!(""), "empty"),
            (json!(null), "missing"),
        ],
        Refused,
    );
    rows
}

/// Other names a message may use for a field: an import's text is the user's file, and what
/// is wrong with a backup's text is often one of its fields.
/// (`set_stage` on a record that is not a person says "id: only a person has a stage".)
const SYNONYMS: &[(&str, &str)] = &[
    ("text", "file"),
    ("text", "version"),
    ("text", "records"),
    ("person_id", "id: only a person"),
];

fn names(message: &str, field: &str) -> bool {
    message.contains(field)
        || SYNONYMS
            .iter()
            .any(|(f, other)| *f == field && message.contains(other))
}

/// Operations that take no arguments: the only bad input is arguments of the wrong type.
const NO_ARGS: &[&str] = &[
    "organizations_by_lamp",
    "profile",
    "devices",
    "device_key",
    "stats",
    "sync_status",
    "pairing_code",
    "sync_now",
    "reminders",
];

/// Every operation [`Call`] knows, read from the error an unknown one gets (Serde lists the
/// variants it expected).
fn all_ops() -> BTreeSet<String> {
    let e = Call::from_value(json!({"op": "no_such_operation"})).unwrap_err();
    let list = e
        .message
        .split_once("expected one of ")
        .unwrap_or_else(|| panic!("no list of operations in: {}", e.message))
        .1;
    list.split(", ")
        .map(|s| s.trim_matches(|c| c == '`' || c == ' ').to_string())
        .collect()
}

/// Everything the vault holds and shows: every record (a backup), every document's heads,
/// every projection entry, the counts.
async fn snapshot(app: &Rapport) -> Value {
    let store = app.store();
    let heads: Vec<String> = store
        .document_ids()
        .unwrap()
        .into_iter()
        .map(|id| format!("{id}:{:?}", store.heads_of(id).unwrap()))
        .collect();
    json!({
        "backup": serde_json::to_value(app.backup().await.unwrap()).unwrap(),
        "heads": heads,
        "projections": format!("{:?}", store.projection_entries().unwrap()),
        "profile": app.profile().await.unwrap(),
    })
}

#[test]
fn every_operation_has_rows() {
    let ops = all_ops();
    assert!(ops.len() > 30, "found only {ops:?}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let covered: BTreeSet<String> = rt.block_on(async {
        let (app, _) = app().await;
        let f = fixture(&app).await;
        rows(&f).into_iter().map(|r| r.op.to_string()).collect()
    });
    let covered: BTreeSet<String> = covered
        .into_iter()
        .chain(NO_ARGS.iter().map(|s| s.to_string()))
        .collect();
    let missing: Vec<_> = ops.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "operations with no bad-input rows: {missing:?} (add rows to bad_input.rs)"
    );
    let stale: Vec<_> = covered.difference(&ops).collect();
    assert!(
        stale.is_empty(),
        "rows for operations that do not exist: {stale:?}"
    );
}

#[tokio::test]
async fn every_operation_refuses_bad_input_and_changes_nothing() {
    let (app, _) = app().await;
    let f = fixture(&app).await;
    let before = snapshot(&app).await;
    let mut rows = rows(&f);
    // Arguments of the wrong type, and no arguments where some are needed, for every operation.
    for op in all_ops() {
        let op: &'static str = Box::leak(op.into_boxed_str());
        for (args, what) in [
            (json!(7), "arguments of the wrong type"),
            (json!("x"), "arguments of the wrong type"),
            (json!([]), "arguments of the wrong type"),
        ] {
            rows.push(Row {
                op,
                args,
                field: "args",
                what,
                expect: Expect::Refused,
            });
        }
    }
    let mut failures = Vec::new();
    let total = rows.len();
    let harmless = rows.iter().filter(|r| r.expect == Expect::Harmless).count();
    for row in rows {
        let call = json!({"op": row.op, "args": row.args});
        let outcome = match Call::from_value(call) {
            Ok(c) => app.dispatch(c).await,
            Err(e) => Err(e),
        };
        let label = format!("{} {} ({})", row.op, row.field, row.what);
        match (outcome, row.expect) {
            (Ok(_), Expect::Refused) => failures.push(format!("{label}: accepted")),
            (Ok(_), Expect::Harmless) => {}
            (Err(e), _) => {
                if !matches!(e.code, ErrorCode::Validation | ErrorCode::NotFound) {
                    failures.push(format!("{label}: code {:?}: {}", e.code, e.message));
                } else if e.message.trim().is_empty() || e.message.len() > 1000 {
                    failures.push(format!(
                        "{label}: unclear message ({} bytes)",
                        e.message.len()
                    ));
                } else if e.code == ErrorCode::Validation
                    && !row.field.is_empty()
                    && !names(&e.message, row.field)
                {
                    failures.push(format!(
                        "{label}: the message does not name {}: {}",
                        row.field, e.message
                    ));
                }
            }
        }
        let after = snapshot(&app).await;
        if after != before {
            failures.push(format!("{label}: the vault changed"));
            break;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} bad inputs were not handled:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The snapshot sees a change when there is one.
    app.update(f.person.parse().unwrap(), json!({"role": "Engineer"}))
        .await
        .unwrap();
    assert_ne!(snapshot(&app).await, before, "the snapshot misses changes");
    println!(
        "bad input: {total} bad calls over {} operations ({harmless} of them harmless values \
         that may be answered); every other one refused with a code and a message naming the \
         field; the vault unchanged after each",
        all_ops().len()
    );
}
