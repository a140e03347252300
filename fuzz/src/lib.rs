//! What each fuzz target does with its input, in one place: the cargo-fuzz targets
//! (`fuzz_targets/*.rs`) call these, and so does the stable regression test that feeds every
//! file of `corpus/<target>/` and `regressions/<target>/` through them
//! (`crates/core/tests/core/fuzz_corpus.rs`, which includes this file).
//!
//! A target may refuse its input with an error (that is the point); it must not panic, hang or
//! allocate without bound, and where a property is cheap to state it is asserted: a ticket or
//! a frame that decodes encodes back to the same thing, a session that refused a peer leaves a
//! consistent store, a dry run changes nothing.

use std::sync::{Arc, OnceLock};

use rapport_core::import::{ContactFormat, ImportOptions};
use rapport_core::{Backup, Call, FixedClock, Rapport};
use rapport_model::Timestamp;
use rapport_store::Store;
use rapport_sync::wire::FrameReader;
use rapport_sync::{Message, Session, Ticket};

/// What a target does with one input.
pub type Target = fn(&[u8]);

/// Every target by name: the directory names under `corpus/` and `regressions/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("sync_wire", sync_wire),
    ("sync_session", sync_session),
    ("pairing_ticket", pairing_ticket),
    ("pairing_request", pairing_request),
    ("import_linkedin", import_linkedin),
    ("import_vcard", import_vcard),
    ("import_google_csv", import_google_csv),
    ("import_backup", import_backup),
    ("api_call", api_call),
];

/// A fixed moment, so a run is the same every time.
const NOW_MS: i64 = 1_767_225_600_000;

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime")
    })
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Timestamp::from_millis(NOW_MS)))
}

fn fresh_vault() -> Rapport {
    runtime()
        .block_on(Rapport::in_memory(clock()))
        .expect("an in-memory vault")
}

/// One vault for the dry runs: they write nothing, so it stays as it started.
fn shared_vault() -> &'static Rapport {
    static VAULT: OnceLock<Rapport> = OnceLock::new();
    VAULT.get_or_init(fresh_vault)
}

/// The sync wire: the input is a byte stream as a peer sends it, cut into pieces at points the
/// input's first byte picks (frames arrive cut anywhere). Every message that decodes must
/// encode back to the same bytes.
pub fn sync_wire(data: &[u8]) {
    let Some((&cut, stream)) = data.split_first() else {
        return;
    };
    let mut reader = FrameReader::default();
    let step = usize::from(cut).max(1);
    for piece in stream.chunks(step) {
        reader.push(piece);
        loop {
            match reader.next_message() {
                Ok(Some(m)) => {
                    let frame = m.encode().expect("a decoded message encodes");
                    let again = Message::decode(&frame[4..]).expect("its encoding decodes");
                    assert_eq!(again, m);
                }
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

/// A sync session fed the input as the peer's frames, on an empty vault: whole documents,
/// Automerge sync messages, entries and summaries the engine has to take apart. A refusal
/// ends the session as it would on the network; whatever was stored before it must leave the
/// store consistent.
pub fn sync_session(data: &[u8]) {
    let store = Arc::new(Store::in_memory());
    let mut session = Session::new(store.clone()).expect("a session on an empty store");
    let mut reader = FrameReader::default();
    reader.push(data);
    let mut refused = false;
    loop {
        let m = match reader.next_message() {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(_) => {
                refused = true;
                break;
            }
        };
        if session.receive(m).is_err() {
            refused = true;
            break;
        }
        // What the transport does between frames: take what the session has to say.
        for _ in 0..10_000 {
            match session.next_outgoing() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(_) => {
                    refused = true;
                    break;
                }
            }
        }
        if refused {
            break;
        }
    }
    if !refused {
        let _ = session.flush();
    }
    let report = store.check().expect("the store can be checked");
    assert!(report.is_clean(), "{report:?}");
}

/// A pairing ticket as typed, pasted or scanned. One that reads must read back the same from
/// its own text.
pub fn pairing_ticket(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(ticket) = Ticket::decode(&text) {
        let again = Ticket::decode(&ticket.encode()).expect("an encoded ticket decodes");
        assert_eq!(again, ticket);
    }
}

/// The secret the fuzzed device issued: a request carrying it is accepted, once.
pub const ISSUED_SECRET: [u8; 16] = [7; 16];

/// A pairing request from the network, as the inviting device answers it: a device that has
/// issued one secret gets the bytes a joining device sent. Accepted only with that secret (the
/// joining device then listed once), and never twice; refused, it leaves no device behind.
pub fn pairing_request(data: &[u8]) {
    pairing_request_accepted(data);
}

/// [`pairing_request`], saying whether the request was accepted.
pub fn pairing_request_accepted(data: &[u8]) -> bool {
    use rapport_sync::ticket::PairingSecret;
    use rapport_sync::{Directory, identity::SecretKey, node::answer_pairing_request};
    let store = Arc::new(Store::in_memory());
    let dir = Directory::new(store.clone(), clock());
    let later = Timestamp::from_millis(NOW_MS + 600_000);
    dir.invite(&PairingSecret(ISSUED_SECRET), later)
        .expect("an invitation");
    let key = SecretKey::from_bytes(&[1; 32]).public();
    let devices = |dir: &Directory| dir.list().expect("the devices").len();
    let accepted = match answer_pairing_request(&dir, &key, data) {
        Ok(_) => {
            assert!(data.starts_with(&ISSUED_SECRET), "accepted another secret");
            assert_eq!(devices(&dir), 1);
            assert!(
                answer_pairing_request(&dir, &key, data).is_err(),
                "a secret was accepted twice"
            );
            true
        }
        Err(_) => {
            assert_eq!(devices(&dir), 0, "a refused request left a device");
            false
        }
    };
    assert!(store.check().expect("the store can be checked").is_clean());
    accepted
}

/// A dry-run import of an address-book export into a vault, as `rapport import --dry-run`
/// and the API's `import_contacts` do: the file is read, every row matched against the vault,
/// and nothing written.
fn import(format: ContactFormat, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let vault = shared_vault();
    let opts = ImportOptions {
        dry_run: true,
        skip_invalid: true,
    };
    let rt = runtime();
    if let Ok(report) = rt.block_on(vault.import_contacts(format, &text, opts, &|_, _| {})) {
        assert!(!report.applied, "a dry run wrote nothing");
    }
}

pub fn import_linkedin(data: &[u8]) {
    import(ContactFormat::Linkedin, data);
}

pub fn import_vcard(data: &[u8]) {
    import(ContactFormat::Vcard, data);
}

pub fn import_google_csv(data: &[u8]) {
    import(ContactFormat::GoogleCsv, data);
}

/// A JSON backup, read as `rapport restore` reads it and restored as a dry run (every record
/// validated, nothing written).
pub fn import_backup(data: &[u8]) {
    let Ok(backup) = serde_json::from_slice::<Backup>(data) else {
        return;
    };
    let _ = runtime().block_on(shared_vault().restore_with(backup, true));
}

/// A call to the HTTP API's `/api/call`, as its body arrives: read with `Call::from_json`,
/// then run on a fresh vault (the calls that need sync fail there: no node is running, so
/// nothing reaches the network).
pub fn api_call(data: &[u8]) {
    let Ok(call) = Call::from_json(data) else {
        return;
    };
    let vault = fresh_vault();
    let _ = runtime().block_on(vault.dispatch(call));
}
