//! The fuzz corpora as regression tests on stable Rust: every seed in `fuzz/corpus/<target>/`
//! and every crasher found since in `fuzz/regressions/<target>/` goes through the very function
//! its cargo-fuzz target calls (`fuzz/src/lib.rs`, included here). RELIABILITY.md §3 says how
//! the targets were run and what they found.
//!
//! The seeds are real input: the import fixtures, frames the sync engine produced, tickets and
//! API calls. `write_seeds` (ignored) regenerates the ones made by code:
//! `cargo test -p rapport-core --test core fuzz_corpus::write_seeds -- --ignored`.

#[allow(dead_code, clippy::expect_used)]
#[path = "../../../../fuzz/src/lib.rs"]
mod harness;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rapport_core::model::{Body, Kind, Meta, Person, Prose, Record, Timestamp};
use rapport_store::Store;
use rapport_sync::Session;
use rapport_sync::ticket::PairingSecret;
use rapport_sync::wire::FrameReader;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n != ".gitkeep"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_seed_and_every_past_crasher_runs_through_its_target() {
    let mut ran = Vec::new();
    for (target, run) in harness::TARGETS {
        let seeds = files_in(&fuzz_dir().join("corpus").join(target));
        assert!(!seeds.is_empty(), "{target} has a seed corpus");
        let crashers = files_in(&fuzz_dir().join("regressions").join(target));
        for file in seeds.iter().chain(&crashers) {
            let data = std::fs::read(file).unwrap();
            // A panic names the file, so a failure here is reproducible with
            // `cargo +nightly fuzz run <target> <file>`.
            let outcome = std::panic::catch_unwind(|| run(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
        }
        ran.push((*target, seeds.len(), crashers.len()));
    }
    assert_eq!(ran.len(), 9, "{ran:?}");
}

/// The pairing-request seed is what a joining device really sends, and the target accepts it
/// (so the fuzzer starts from the accepted path, not only from refusals).
#[test]
fn the_pairing_request_seed_is_a_real_request_and_is_accepted_once() {
    let seed = std::fs::read(fuzz_dir().join("corpus/pairing_request/issued_secret")).unwrap();
    let sent = rapport_sync::node::pairing_request(
        &PairingSecret(harness::ISSUED_SECRET),
        "Phone",
        &["127.0.0.1:4433".into(), "[::1]:4433".into()],
    );
    assert_eq!(seed, sent);
    assert!(harness::pairing_request_accepted(&sent));
    let mut wrong = sent.clone();
    wrong[0] ^= 1;
    assert!(!harness::pairing_request_accepted(&wrong));
}

/// Frames as the sync engine writes them: what an empty device receives from one holding
/// `n` people (a summary, the entries of every bucket, whole documents, idle), and what the
/// device holding them receives back.
fn first_sync_frames(n: usize) -> (Vec<u8>, Vec<u8>) {
    let full = Arc::new(Store::in_memory());
    let at = Timestamp::from_millis(1_767_225_600_000);
    let people: Vec<Record> = (0..n)
        .map(|i| Record {
            meta: Meta::new_at(at),
            body: Body::Person(Person {
                name: format!("Person {i}"),
                research_notes: Prose::from("Met at the meetup; ask about the grant."),
                tags: vec!["alumni".into()],
                ..Default::default()
            }),
        })
        .collect();
    full.write_all(people).unwrap();
    let empty = Arc::new(Store::in_memory());
    let mut a = Session::new(full).unwrap();
    let mut b = Session::new(empty).unwrap();
    let (mut to_a, mut to_b) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        if a.is_done() && b.is_done() {
            break;
        }
        pass(&mut a, &mut b, &mut to_b);
        pass(&mut b, &mut a, &mut to_a);
    }
    assert!(a.is_done() && b.is_done());
    (to_b, to_a)
}

/// Everything `from` says goes to `to`, and is recorded as the frames `to` received.
fn pass(from: &mut Session, to: &mut Session, log: &mut Vec<u8>) {
    let mut reader = FrameReader::default();
    while let Some(m) = from.next_outgoing().unwrap() {
        let frame = m.encode().unwrap();
        log.extend_from_slice(&frame);
        reader.push(&frame);
    }
    while let Some(m) = reader.next_message().unwrap() {
        to.receive(m).unwrap();
    }
    to.flush().unwrap();
}

/// Frames of an Automerge sync exchange: both sides hold the same person in different states.
fn edit_sync_frames() -> Vec<u8> {
    let a = Arc::new(Store::in_memory());
    let at = Timestamp::from_millis(1_767_225_600_000);
    let p = Record {
        meta: Meta::new_at(at),
        body: Body::Person(Person {
            name: "Ada Lovelace".into(),
            ..Default::default()
        }),
    };
    let id = p.meta.id;
    a.write_all(vec![p]).unwrap();
    let b = Arc::new(Store::in_memory());
    b.merge(id, &a.document_bytes(id).unwrap().unwrap())
        .unwrap();
    a.write(id, |old| {
        let mut r = old.unwrap();
        if let Body::Person(p) = &mut r.body {
            p.role = Some("Engine designer".into());
        }
        Ok::<_, std::convert::Infallible>(r)
    })
    .unwrap()
    .unwrap();
    let mut sa = Session::new(a).unwrap();
    let mut sb = Session::new(b).unwrap();
    let (mut to_a, mut to_b) = (Vec::new(), Vec::new());
    for _ in 0..100 {
        if sa.is_done() && sb.is_done() {
            break;
        }
        pass(&mut sa, &mut sb, &mut to_b);
        pass(&mut sb, &mut sa, &mut to_a);
    }
    to_b
}

fn api_calls() -> Vec<(&'static str, serde_json::Value)> {
    use serde_json::json;
    let id = "01890a5d-ac96-774b-bcce-b302099a8057";
    vec![
        (
            "create_person",
            json!({"op": "create", "args": {"kind": "person", "fields": {
                "name": "Zoë Okonkwo", "role": "Analyst", "tags": ["alumni"],
                "emails": [{"value": "zoe@acme.example.org"}],
                "research_notes": "Quoted on heat pumps."}}}),
        ),
        (
            "list",
            json!({"op": "list", "args": {"kind": "person", "limit": 10}}),
        ),
        ("get", json!({"op": "get", "args": {"id": id}})),
        (
            "update",
            json!({"op": "update", "args": {"id": id, "patch": {"role": null}}}),
        ),
        (
            "search",
            json!({"op": "search", "args": {"query": "heat pumps"}}),
        ),
        (
            "today",
            json!({"op": "today", "args": {"time_zone": "Europe/Paris"}}),
        ),
        ("dashboard", json!({"op": "dashboard"})),
        (
            "check_outreach",
            json!({"op": "check_outreach", "args": {"text": "Hi! Could we talk for 20 minutes?"}}),
        ),
        (
            "import_contacts",
            json!({"op": "import_contacts", "args": {"format": "vcard", "dry_run": true,
                "text": "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nEMAIL:ada@example.org\r\nEND:VCARD\r\n"}}),
        ),
        (
            "import_backup",
            json!({"op": "import_backup", "args": {"dry_run": true,
                "text": "{\"format\":\"rapport-backup\",\"version\":1,\"records\":[]}"}}),
        ),
        (
            "export",
            json!({"op": "export", "args": {"format": "people-csv"}}),
        ),
        (
            "pair_with",
            json!({"op": "pair_with", "args": {"ticket": "RAPPORT-PAIR:AAAA"}}),
        ),
        ("stats", json!({"op": "stats"})),
    ]
}

/// Writes the seeds made by code (the fixtures are copied as they are).
#[test]
#[ignore = "regenerates fuzz/corpus; run by hand"]
fn write_seeds() {
    let corpus = fuzz_dir().join("corpus");
    let put = |target: &str, name: &str, data: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), data).unwrap();
    };
    let (to_empty, to_full) = first_sync_frames(3);
    let edits = edit_sync_frames();
    for (name, frames) in [
        ("first-sync-received", &to_empty),
        ("first-sync-replies", &to_full),
        ("edit-sync", &edits),
    ] {
        put("sync_session", name, frames);
        // The wire target reads its first byte as where to cut the stream.
        let mut cut = vec![7u8];
        cut.extend_from_slice(frames);
        put("sync_wire", name, &cut);
    }

    let ticket = rapport_sync::Ticket {
        key: rapport_sync::identity::SecretKey::from_bytes(&[7; 32]).public(),
        addrs: vec![
            "10.0.0.2:41641".parse().unwrap(),
            "[fe80::1]:41641".parse().unwrap(),
        ],
        relays: vec!["https://relay.example.org".parse().unwrap()],
        secret: PairingSecret([9; 16]),
        expires_at: Timestamp::from_millis(1_767_225_900_000),
    };
    put("pairing_ticket", "ticket", ticket.encode().as_bytes());
    put(
        "pairing_ticket",
        "ticket-lower-wrapped",
        format!("{}\n", ticket.encode().to_lowercase()).as_bytes(),
    );

    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for (target, prefix) in [
        ("import_linkedin", "Connections"),
        ("import_vcard", "contacts-"),
        ("import_google_csv", "google-contacts"),
    ] {
        for f in files_in(&fixtures) {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if name.starts_with(prefix) {
                put(target, &name, &std::fs::read(&f).unwrap());
            }
        }
    }

    let rt = tokio::runtime::Runtime::new().unwrap();
    let backup = rt.block_on(async {
        let (app, _) = super::app().await;
        app.create(super::person("Ada Lovelace")).await.unwrap();
        let gone = app.create(super::person("Grace Hopper")).await.unwrap();
        app.delete(gone.id()).await.unwrap();
        let mut backup = app.backup().await.unwrap();
        // The people only: the question bank and templates every vault starts with are big.
        backup.records.retain(|r| r.kind() == Kind::Person);
        backup
    });
    put(
        "import_backup",
        "backup.json",
        serde_json::to_string_pretty(&backup).unwrap().as_bytes(),
    );

    for (name, call) in api_calls() {
        put(
            "api_call",
            &format!("{name}.json"),
            call.to_string().as_bytes(),
        );
    }
}
