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
