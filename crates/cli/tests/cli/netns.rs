//! Two devices on two hosts of their own: network namespaces this test creates, joined by a
//! veth pair. They pair, then both move to new addresses, so the addresses each device kept
//! for the other are wrong: only local discovery (mDNS) can bring them together again. Every
//! wait is bounded; the namespaces and processes are removed whatever happens.

use std::process::Command;
use std::time::Duration;

use super::Vault;
use super::running::Running;

/// The namespaces and their veth pair, deleted on drop.
pub(super) struct Hosts {
    pub(super) names: [String; 2],
}

impl Drop for Hosts {
    fn drop(&mut self) {
        for n in &self.names {
            let _ = Command::new("ip").args(["netns", "del", n]).status();
        }
    }
}

pub(super) fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Two hosts, `10.231.7.1` and `10.231.7.2`, on one link; none if this machine cannot make
/// namespaces (not root, no iproute2).
fn hosts() -> Option<Hosts> {
    hosts_named("rp")
}

/// [`hosts`] under names starting with `prefix` (two letters), so tests running at once in
/// one process each make their own.
pub(super) fn hosts_named(prefix: &str) -> Option<Hosts> {
    let tag = format!("{prefix}{}", std::process::id() % 100_000);
    let names = [format!("{tag}a"), format!("{tag}b")];
    let made = Command::new("ip")
        .args(["netns", "add", &names[0]])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        return None;
    }
    let _ = Command::new("ip")
        .args(["netns", "add", &names[1]])
        .status();
    let hosts = Hosts { names };
    let [a, b] = &hosts.names;
    let (va, vb) = (format!("{a}v"), format!("{b}v"));
    ip(&["link", "add", &va, "type", "veth", "peer", "name", &vb]);
    for (ns, dev, addr) in [(a, &va, "10.231.7.1/24"), (b, &vb, "10.231.7.2/24")] {
        ip(&["link", "set", dev, "netns", ns]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
        ip(&["-n", ns, "addr", "add", addr, "dev", dev]);
        ip(&["-n", ns, "link", "set", dev, "up"]);
        // The link is each host's default route, as a LAN is (mDNS joins its multicast group on
        // the default interface). Nothing is beyond it: the pair is closed on itself.
        ip(&["-n", ns, "route", "add", "default", "dev", dev]);
    }
    Some(hosts)
}

/// Gives a host a new address on its link (as a laptop does when it joins another network).
fn move_host(ns: &str, from: &str, to: &str) {
    let dev = format!("{ns}v");
    ip(&["-n", ns, "addr", "del", from, "dev", &dev]);
    ip(&["-n", ns, "addr", "add", to, "dev", &dev]);
    // Removing the old address took the default route with it.
    ip(&["-n", ns, "route", "replace", "default", "dev", &dev]);
}

/// `rapport` on `vault`, inside namespace `ns`, relays off, local discovery on.
pub(super) fn rapport_in(ns: &str, vault: &Vault, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args([
        "netns",
        "exec",
        ns,
        env!("CARGO_BIN_EXE_rapport"),
        "--data-dir",
    ])
    .arg(vault.path().join("vault"))
    .args(args)
    .env_remove("RAPPORT_DATA_DIR")
    .env_remove("RAPPORT_BIND")
    .env("RAPPORT_RELAY", "off")
    .env("RAPPORT_MDNS", "on");
    c
}

pub(super) fn run_ok(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Pairs the laptop (on the first host) with the phone (on the second) across the link, with
/// the addresses the ticket carries.
pub(super) fn pair_across(hosts: &Hosts, laptop: &Vault, phone: &Vault) {
    let [a, b] = &hosts.names;
    let mut inviting = Running::start(rapport_in(
        a,
        laptop,
        &["pair", "--name", "laptop", "--json"],
    ));
    let offer = inviting
        .wait_for(Duration::from_secs(20), |v| v["ticket"].is_string())
        .expect("a ticket");
    let ticket = offer["ticket"].as_str().unwrap();
    let joined = run_ok(rapport_in(
        b,
        phone,
        &["pair", "--name", "phone", "--join", ticket],
    ));
    assert!(joined.contains("Paired with laptop"), "{joined}");
    assert_eq!(inviting.exit_code(Duration::from_secs(30)), Some(0));
}

#[test]
fn devices_on_two_hosts_find_each_other_by_mdns_after_moving_and_sync() {
    let Some(hosts) = hosts() else {
        eprintln!(
            "skipped: this machine cannot create network namespaces (needs root and iproute2)"
        );
        return;
    };
    let [a, b] = &hosts.names;
    let laptop = Vault::new();
    let phone = Vault::new();
    laptop.ok(&["person", "add", "--name", "Ada Lovelace"]);
    phone.ok(&["person", "add", "--name", "Grace Hopper"]);

    pair_across(&hosts, &laptop, &phone);

    // Both hosts move: the addresses each device kept for the other are now wrong.
    move_host(a, "10.231.7.1/24", "10.231.7.11/24");
    move_host(b, "10.231.7.2/24", "10.231.7.12/24");
    phone.ok(&["person", "add", "--name", "Katherine Johnson"]);

    let laptop_watch = Running::start(rapport_in(a, &laptop, &["sync", "--watch", "--json"]));
    let phone_watch = Running::start(rapport_in(b, &phone, &["sync", "--watch", "--json"]));
    // With relays off, the only way to the other device's new address is mDNS.
    let synced = laptop_watch.wait_for(Duration::from_secs(40), |v| {
        v["event"] == "synced" && v["documents_changed"].as_u64().unwrap_or(0) > 0
    });
    assert!(
        synced.is_some(),
        "the phone's new person reached the laptop"
    );
    drop(laptop_watch);
    drop(phone_watch);

    let names = laptop.names("person");
    assert_eq!(names, ["Ada Lovelace", "Grace Hopper", "Katherine Johnson"]);
    // The phone's record now says where it is.
    let devices = laptop.json(&["devices"]).to_string();
    assert!(devices.contains("10.231.7.12:"), "{devices}");
}
