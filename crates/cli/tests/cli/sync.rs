//! Two `rapport` processes on 127.0.0.1: pairing with a ticket, syncing, removing a device.
//! Every wait is bounded; a stuck process is killed.

use std::time::Duration;

use super::Vault;
use super::running::Running;

const LIMIT: Duration = Duration::from_secs(30);

fn spawn(v: &Vault, args: &[&str]) -> Running {
    Running::start(v.command(args))
}

/// The first line the process prints, as JSON (within the limit).
fn first_line(p: &Running) -> serde_json::Value {
    p.wait_for(LIMIT, |_| true)
        .expect("a first line within the limit")
}

#[test]
fn two_processes_pair_sync_and_a_removed_device_is_refused() {
    let laptop = Vault::new();
    let phone = Vault::new();
    laptop.ok(&["person", "add", "--name", "Ada Lovelace"]);
    phone.ok(&["person", "add", "--name", "Grace Hopper"]);

    // The laptop shows a ticket and waits; the phone joins with it.
    let mut inviting = spawn(&laptop, &["pair", "--name", "laptop", "--json"]);
    let offer = first_line(&inviting);
    let ticket = offer["ticket"].as_str().unwrap().to_string();
    assert!(ticket.starts_with("RAPPORT-PAIR:"), "{ticket}");
    let joined = phone.ok(&["pair", "--name", "phone", "--join", &ticket]);
    assert!(joined.contains("Paired with laptop"), "{joined}");
    assert_eq!(inviting.exit_code(LIMIT), Some(0), "the laptop finishes");
    assert_eq!(phone.names("person"), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(laptop.names("person"), ["Ada Lovelace", "Grace Hopper"]);

    // The same ticket again: refused (the laptop is listening for sync meanwhile).
    let serving = spawn(&laptop, &["sync", "--watch", "--json"]);
    first_line(&serving);
    let third = Vault::new();
    let err = third.fails(1, &["pair", "--join", &ticket]);
    assert!(err.contains("already used"), "{err}");

    // A change on the phone reaches the laptop with `rapport sync`.
    phone.ok(&["person", "add", "--name", "Katherine Johnson"]);
    let out = phone.ok(&["sync"]);
    assert!(out.contains("laptop: synced"), "{out}");
    drop(serving);
    assert_eq!(
        laptop.names("person"),
        ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"]
    );

    // The laptop removes the phone: from then on the phone is refused.
    let devices = laptop.json(&["devices"]);
    assert_eq!(devices.as_array().unwrap().len(), 2, "{devices}");
    let out = laptop.ok(&["devices", "remove", "phone"]);
    assert!(out.contains("Removed phone"), "{out}");
    let serving = spawn(&laptop, &["sync", "--watch", "--json"]);
    first_line(&serving);
    let err = phone.fails(1, &["sync"]);
    assert!(err.contains("removed"), "{err}");
    drop(serving);
    // Bad tickets are bad input.
    let err = phone.fails(2, &["pair", "--join", "hello"]);
    assert!(err.contains("not a Rapport pairing ticket"), "{err}");
}

/// The device list of the vault in `v`, as `devices --json` reports it: (name, removed).
fn devices(v: &Vault) -> Vec<(String, bool)> {
    v.json(&["devices"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap_or("").to_string(),
                !d["revoked_at"].is_null(),
            )
        })
        .collect()
}

/// Trust moves only by pairing (docs/threat-model.md): a backup file holding a stranger's
/// device record does not let the stranger sync, restoring an older backup does not bring back
/// a removed device, and a backup restored into a new vault carries none of the old devices.
#[test]
fn a_backup_never_lets_a_device_in_or_back_in() {
    let victim = Vault::new();
    victim.ok(&["person", "add", "--name", "Secret Person"]);

    // The stranger's vault, with a device key of its own.
    let stranger = Vault::new();
    stranger.ok(&["person", "list"]);
    let stranger_dir = stranger.path().join("vault");
    let stranger_key = rapport_sync::identity::load_or_create(&stranger_dir)
        .unwrap()
        .public();
    // A backup with one record: the stranger as one of the victim's devices.
    let planted = serde_json::json!({
        "format": "rapport-backup",
        "version": 1,
        "records": [{
            "id": rapport_sync::device_id(&stranger_key).to_string(),
            "created_at": "2026-12-01T10:00:00Z",
            "updated_at": "2026-12-01T10:00:00Z",
            "kind": "device",
            "name": "backup helper",
            "key": stranger_key.to_string(),
            "addresses": ["127.0.0.1:9"],
        }],
    });
    let file = victim.path().join("planted.json");
    std::fs::write(&file, planted.to_string()).unwrap();
    let out = victim.ok(&["import", "json", file.to_str().unwrap()]);
    assert!(
        out.contains("1 device record(s) in the backup were skipped"),
        "{out}"
    );
    assert!(devices(&victim).is_empty(), "{:?}", devices(&victim));

    // The stranger believes it is paired with the victim and tries to sync.
    let serving = spawn(&victim, &["sync", "--watch", "--json"]);
    let listening = first_line(&serving);
    let victim_key: rapport_sync::EndpointId = listening["key"].as_str().unwrap().parse().unwrap();
    let addresses: Vec<String> = listening["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap().to_string())
        .collect();
    {
        let rt = super::crash::runtime();
        let app = rt
            .block_on(rapport_core::Rapport::open(
                &stranger_dir,
                std::sync::Arc::new(rapport_core::SystemClock),
            ))
            .unwrap();
        let dir = rapport_sync::Directory::new(
            app.store().clone(),
            std::sync::Arc::new(rapport_core::SystemClock),
        );
        dir.add(&victim_key, "victim", &addresses).unwrap();
    }
    let err = stranger.fails(1, &["sync"]);
    assert!(
        err.contains("refused") || err.contains("not paired"),
        "{err}"
    );
    assert!(
        !stranger
            .names("person")
            .contains(&"Secret Person".to_string())
    );
    drop(serving);

    // A real phone pairs, the victim backs up, removes the phone, restores the backup.
    let phone = Vault::new();
    let mut inviting = spawn(&victim, &["pair", "--name", "laptop", "--json"]);
    let ticket = first_line(&inviting)["ticket"]
        .as_str()
        .unwrap()
        .to_string();
    phone.ok(&["pair", "--name", "phone", "--join", &ticket]);
    assert_eq!(inviting.exit_code(LIMIT), Some(0));
    let backup = victim.path().join("backup.json");
    victim.ok(&["export", "json", "--out", backup.to_str().unwrap()]);
    victim.ok(&["devices", "remove", "phone"]);
    let out = victim.ok(&["import", "json", backup.to_str().unwrap()]);
    assert!(
        out.contains("device record(s) in the backup were skipped"),
        "{out}"
    );
    let listed = devices(&victim);
    assert!(
        listed.iter().any(|(n, removed)| n == "phone" && *removed),
        "the phone came back: {listed:?}"
    );
    let serving = spawn(&victim, &["sync", "--watch", "--json"]);
    first_line(&serving);
    let err = phone.fails(1, &["sync"]);
    assert!(err.contains("removed"), "{err}");
    drop(serving);

    // Restored into a new vault: the old vault's devices are not its devices.
    let fresh = Vault::new();
    let out = fresh.ok(&["import", "json", backup.to_str().unwrap()]);
    assert!(
        out.contains("device record(s) in the backup were skipped"),
        "{out}"
    );
    assert!(devices(&fresh).is_empty(), "{:?}", devices(&fresh));
    assert!(fresh.names("person").contains(&"Secret Person".to_string()));
}
