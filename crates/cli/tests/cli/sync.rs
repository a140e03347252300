//! Two `rapport` processes on 127.0.0.1: pairing with a ticket, syncing, removing a device.
//! Every wait is bounded; a stuck process is killed.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use super::Vault;

/// Kills the process when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Waits (bounded) for the process to exit; returns its exit code.
    fn wait(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

fn spawn(v: &Vault, args: &[&str]) -> Running {
    Running(
        v.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// The first line the process prints (bounded by the test's own limit on the process).
fn first_line(p: &mut Running) -> String {
    let mut line = String::new();
    BufReader::new(p.0.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line
}

fn names(v: &Vault, kind: &str) -> Vec<String> {
    let mut n: Vec<String> = v
        .json(&[kind, "list", "--limit", "1000"])
        .as_array()
        .map(|a| {
            a.iter()
                .map(|r| r["name"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default();
    n.sort();
    n
}

#[test]
fn two_processes_pair_sync_and_a_removed_device_is_refused() {
    let laptop = Vault::new();
    let phone = Vault::new();
    laptop.ok(&["person", "add", "--name", "Ada Lovelace"]);
    phone.ok(&["person", "add", "--name", "Grace Hopper"]);

    // The laptop shows a ticket and waits; the phone joins with it.
    let mut inviting = spawn(&laptop, &["pair", "--name", "laptop", "--json"]);
    let offer: serde_json::Value = serde_json::from_str(&first_line(&mut inviting)).unwrap();
    let ticket = offer["ticket"].as_str().unwrap().to_string();
    assert!(ticket.starts_with("RAPPORT-PAIR:"), "{ticket}");
    let joined = phone.ok(&["pair", "--name", "phone", "--join", &ticket]);
    assert!(joined.contains("Paired with laptop"), "{joined}");
    assert_eq!(
        inviting.wait(Duration::from_secs(30)),
        Some(0),
        "the laptop finishes"
    );
    assert_eq!(names(&phone, "person"), ["Ada Lovelace", "Grace Hopper"]);
    assert_eq!(names(&laptop, "person"), ["Ada Lovelace", "Grace Hopper"]);

    // The same ticket again: refused (the laptop is listening for sync meanwhile).
    let mut serving = spawn(&laptop, &["sync", "--watch", "--json"]);
    first_line(&mut serving);
    let third = Vault::new();
    let err = third.fails(1, &["pair", "--join", &ticket]);
    assert!(err.contains("already used"), "{err}");

    // A change on the phone reaches the laptop with `rapport sync`.
    phone.ok(&["person", "add", "--name", "Katherine Johnson"]);
    let out = phone.ok(&["sync"]);
    assert!(out.contains("laptop: synced"), "{out}");
    drop(serving);
    assert_eq!(
        names(&laptop, "person"),
        ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"]
    );

    // The laptop removes the phone: from then on the phone is refused.
    let devices = laptop.json(&["devices"]);
    assert_eq!(devices.as_array().unwrap().len(), 2, "{devices}");
    let out = laptop.ok(&["devices", "remove", "phone"]);
    assert!(out.contains("Removed phone"), "{out}");
    let mut serving = spawn(&laptop, &["sync", "--watch", "--json"]);
    first_line(&mut serving);
    let err = phone.fails(1, &["sync"]);
    assert!(err.contains("removed"), "{err}");
    drop(serving);
    // Bad tickets are bad input.
    let err = phone.fails(2, &["pair", "--join", "hello"]);
    assert!(err.contains("not a Rapport pairing ticket"), "{err}");
}
