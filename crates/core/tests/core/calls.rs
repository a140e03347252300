//! The API as data: calls read from JSON, answered as JSON, bad calls refused with the part to fix.

use super::*;

async fn call(app: &Rapport, json: serde_json::Value) -> Result<serde_json::Value, ApiError> {
    let call = Call::from_json(json.to_string().as_bytes())?;
    app.dispatch(call).await
}

#[tokio::test]
async fn a_call_creates_reads_updates_and_deletes_a_record() {
    let (app, _) = app().await;
    let created = call(
        &app,
        json!({"op": "create", "args": {"kind": "person", "fields": {"name": "Zoë Okonkwo", "role": "Modeller"}}}),
    )
    .await
    .unwrap();
    assert_eq!(created["kind"], "person");
    assert_eq!(created["name"], "Zoë Okonkwo");
    let id = created["id"].as_str().unwrap().to_string();

    let got = call(&app, json!({"op": "get", "args": {"id": id}}))
        .await
        .unwrap();
    assert_eq!(got["role"], "Modeller");

    let updated = call(
        &app,
        json!({"op": "update", "args": {"id": id, "patch": {"role": null, "tags": ["alumni"]}}}),
    )
    .await
    .unwrap();
    assert_eq!(updated["role"], serde_json::Value::Null);
    assert_eq!(updated["tags"], json!(["alumni"]));

    let page = call(&app, json!({"op": "list", "args": {"kind": "person"}}))
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["id"], id.as_str());

    call(&app, json!({"op": "delete", "args": {"id": id}}))
        .await
        .unwrap();
    let gone = call(&app, json!({"op": "get", "args": {"id": id}}))
        .await
        .unwrap_err();
    assert_eq!(gone.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn a_bad_call_names_what_to_fix_and_changes_nothing() {
    let (app, _) = app().await;
    let cases = [
        (json!({"op": "fly"}), "op"),
        (json!({"args": {}}), "op"),
        (json!({"op": "get", "args": {"id": "not-an-id"}}), "id"),
        (
            json!({"op": "create", "args": {"kind": "planet", "fields": {}}}),
            "kind",
        ),
        (
            json!({"op": "today", "args": {"time_zone": "Mars/Olympus"}}),
            "time_zone",
        ),
        (
            json!({"op": "create", "args": {"kind": "person", "fields": {"name": ""}}}),
            "name",
        ),
        (json!({"op": "check_outreach", "args": {"text": 5}}), "text"),
    ];
    for (bad, field) in cases {
        let e = call(&app, bad.clone()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation, "{bad}: {e:?}");
        assert!(
            e.message.contains(field),
            "{bad}: '{}' should name {field}",
            e.message
        );
    }
    let e = Call::from_json(b"{not json").unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    let page = call(&app, json!({"op": "list", "args": {"kind": "person"}}))
        .await
        .unwrap();
    assert_eq!(page["total"], 0);
}

#[tokio::test]
async fn the_meeting_story_runs_through_calls() {
    let (app, clock) = app().await;
    let person = call(
        &app,
        json!({"op": "create", "args": {"kind": "person", "fields": {"name": "Omar Haddad"}}}),
    )
    .await
    .unwrap();
    let pid = person["id"].as_str().unwrap();
    let meeting = call(
        &app,
        json!({"op": "create", "args": {"kind": "meeting", "fields": {
            "title": "Call with Omar", "person_id": pid, "start": "2025-11-23T10:00:00Z",
            "planned_minutes": 20, "status": "confirmed"}}}),
    )
    .await
    .unwrap();
    let mid = meeting["id"].as_str().unwrap();
    let brief = call(&app, json!({"op": "prep_brief", "args": {"id": mid}}))
        .await
        .unwrap();
    assert_eq!(brief["person"]["name"], "Omar Haddad");
    assert!(!brief["agenda"].as_str().unwrap().is_empty());

    call(&app, json!({"op": "start_meeting", "args": {"id": mid}}))
        .await
        .unwrap();
    clock.advance_millis(21 * 60 * 1000);
    let timer = call(&app, json!({"op": "meeting_timer", "args": {"id": mid}}))
        .await
        .unwrap();
    assert_eq!(timer["elapsed_secs"], 21 * 60);
    let captured = call(
        &app,
        json!({"op": "capture_referral", "args": {"meeting_id": mid, "name": "Lina Park"}}),
    )
    .await
    .unwrap();
    assert_eq!(captured["person"]["referred_by_id"], pid);
    call(&app, json!({"op": "stop_meeting", "args": {"id": mid}}))
        .await
        .unwrap();

    let today = call(&app, json!({"op": "today", "args": {"time_zone": "UTC"}}))
        .await
        .unwrap();
    assert_eq!(today["thank_yous"][0]["record_id"], mid);
    call(
        &app,
        json!({"op": "thank_you_sent", "args": {"meeting_id": mid}}),
    )
    .await
    .unwrap();
    let today = call(&app, json!({"op": "today", "args": {"time_zone": "UTC"}}))
        .await
        .unwrap();
    assert!(today["thank_yous"].as_array().unwrap().is_empty());
    let thanked = call(&app, json!({"op": "get", "args": {"id": pid}}))
        .await
        .unwrap();
    let log = thanked["stage_log"].as_array().unwrap();
    assert_eq!(log.last().unwrap()["stage"], "thanked");
}

#[test]
fn the_generated_typescript_matches_the_rust_types() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(typescript::GENERATED_TS);
    let want = typescript::generated().unwrap();
    if std::env::var_os("UPDATE_TS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: run `UPDATE_TS=1 cargo test -p rapport-core typescript` and commit it",
        path.display()
    );
    assert!(want.contains("export type Stage = 'identified' | 'researching'"));
    assert!(want.contains("export const TAKEAWAY_TOPICS: readonly TakeawayTopic[]"));
    // Records, arguments and answers are there too, and every call has its answer.
    assert!(want.contains("export type Person = {"), "{want}");
    assert!(want.contains("export type Call = "), "{want}");
    assert!(want.contains("  prep_brief: PrepBrief;"), "{want}");
}

#[tokio::test]
async fn a_filtered_list_counts_only_what_it_lists() {
    let (app, _) = app().await;
    let goal = call(
        &app,
        json!({"op": "create", "args": {"kind": "goal", "fields": {"name": "Grid planning"}}}),
    )
    .await
    .unwrap();
    let gid = goal["id"].as_str().unwrap();
    for (name, linked) in [("Ada", true), ("Bea", false), ("Cy", true)] {
        let goals = if linked { json!([gid]) } else { json!([]) };
        call(&app, json!({"op": "create", "args": {"kind": "person", "fields": {"name": name, "goal_ids": goals}}}))
            .await
            .unwrap();
    }
    let all = call(&app, json!({"op": "list", "args": {"kind": "person"}}))
        .await
        .unwrap();
    assert_eq!(all["total"], 3);
    let page = call(
        &app,
        json!({"op": "list", "args": {"kind": "person", "goal": gid, "limit": 1}}),
    )
    .await
    .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert_eq!(
        page["total"], 2,
        "the total of the goal's people, not of everyone"
    );
}

#[tokio::test]
async fn the_confirmation_task_is_done_once_the_meeting_starts() {
    let (app, _) = app().await;
    let p = call(
        &app,
        json!({"op": "create", "args": {"kind": "person", "fields": {"name": "Ines"}}}),
    )
    .await
    .unwrap();
    let m = call(
        &app,
        json!({"op": "create", "args": {"kind": "meeting", "fields": {
            "title": "Coffee with Ines", "person_id": p["id"], "start": "2025-11-23T10:00:00Z",
            "status": "confirmed"}}}),
    )
    .await
    .unwrap();
    let open_confirmations = |tasks: &serde_json::Value| {
        tasks["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["task_kind"] == "confirm" && t["done_at"].is_null())
            .count()
    };
    let tasks = call(
        &app,
        json!({"op": "list", "args": {"kind": "task", "person": p["id"]}}),
    )
    .await
    .unwrap();
    assert_eq!(open_confirmations(&tasks), 1);
    call(
        &app,
        json!({"op": "start_meeting", "args": {"id": m["id"]}}),
    )
    .await
    .unwrap();
    let tasks = call(
        &app,
        json!({"op": "list", "args": {"kind": "task", "person": p["id"]}}),
    )
    .await
    .unwrap();
    assert_eq!(open_confirmations(&tasks), 0, "{tasks}");
}

#[tokio::test]
async fn contacts_import_with_a_preview_and_the_vault_exports_as_files() {
    let (app, _) = app().await;
    let csv = "Notes:\r\n\"When exporting your connection data…\"\r\n\r\n\
First Name,Last Name,URL,Email Address,Company,Position,Connected On\r\n\
Zoë,Okonkwo,https://www.linkedin.com/in/zoe,,Green Harbor,Energy modeller,05 Mar 2024\r\n\
Omar,Haddad,https://www.linkedin.com/in/omar,omar@example.org,\"Grid, Inc.\",Planner,06 Mar 2024\r\n";
    let preview = call(
        &app,
        json!({"op": "import_contacts", "args": {"format": "linkedin", "text": csv, "dry_run": true}}),
    )
    .await
    .unwrap();
    assert_eq!(preview["created"], 2);
    assert_eq!(preview["applied"], false);
    let people = call(&app, json!({"op": "list", "args": {"kind": "person"}}))
        .await
        .unwrap();
    assert_eq!(people["total"], 0, "a preview writes nothing");

    let done = call(
        &app,
        json!({"op": "import_contacts", "args": {"format": "linkedin", "text": csv}}),
    )
    .await
    .unwrap();
    assert_eq!(
        (done["created"].as_u64(), done["applied"].as_bool()),
        (Some(2), Some(true))
    );
    let again = call(
        &app,
        json!({"op": "import_contacts", "args": {"format": "linkedin", "text": csv}}),
    )
    .await
    .unwrap();
    assert_eq!(again["created"], 0, "re-importing creates nobody new");

    let vcf = call(&app, json!({"op": "export", "args": {"format": "vcard"}}))
        .await
        .unwrap();
    assert!(vcf["filename"].as_str().unwrap().ends_with("people.vcf"));
    assert!(vcf["text"].as_str().unwrap().contains("FN:Omar Haddad"));
    let backup = call(&app, json!({"op": "export", "args": {"format": "json"}}))
        .await
        .unwrap();
    assert_eq!(backup["media_type"], "application/json");

    // The backup restores into another vault; a damaged one is refused with where it broke.
    let (other, _) = super::app().await;
    let restored = call(
        &other,
        json!({"op": "import_backup", "args": {"text": backup["text"]}}),
    )
    .await
    .unwrap();
    assert!(restored["created"].as_u64().unwrap() >= 2, "{restored}");
    let e = call(
        &other,
        json!({"op": "import_backup", "args": {"text": "{\"format\": "}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.code, ErrorCode::Validation);
    assert!(e.message.contains("not a Rapport backup"), "{}", e.message);
    let e = call(&app, json!({"op": "export", "args": {"format": "pdf"}}))
        .await
        .unwrap_err();
    assert!(e.message.contains("format"), "{}", e.message);
}
