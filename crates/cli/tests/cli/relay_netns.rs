//! Devices apart: a phone and a laptop on two networks with no route between them, and a relay
//! host both can reach — three network namespaces this test creates. `rapport relay` (iroh's
//! relay server) runs on the relay host; the devices pair with a ticket, take a first sync of a
//! 1,000-person vault, exchange edits both ways, live through the relay's link to the phone
//! going down for 10 s with edits on both sides, and converge. Everything that crosses the relay
//! host is captured (tcpdump) and searched for the vault's content. Every wait is bounded; the
//! namespaces and processes are removed whatever happens.

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::Vault;
use super::netns::{ip, rapport_in, run_ok};
use super::running::Running;

const LIMIT: Duration = Duration::from_secs(60);

/// Phone `{tag}p` (10.231.8.2) and laptop `{tag}l` (10.231.9.2), each linked only to the relay
/// host `{tag}r` (10.231.8.1 and 10.231.9.1), which does not forward: the devices reach the
/// relay and nothing else. Deleted on drop.
struct Apart {
    tag: String,
}

impl Apart {
    fn ns(&self, which: char) -> String {
        format!("{}{which}", self.tag)
    }

    fn make() -> Option<Apart> {
        let tag = format!("ra{}", std::process::id() % 100_000);
        let made = Command::new("ip")
            .args(["netns", "add", &format!("{tag}r")])
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            return None;
        }
        let apart = Apart { tag };
        let (p, l, r) = (apart.ns('p'), apart.ns('l'), apart.ns('r'));
        for ns in [&p, &l] {
            ip(&["netns", "add", ns]);
        }
        for ns in [&p, &l, &r] {
            ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        for (device, near, far, subnet) in [(&p, "pv", "rp", "8"), (&l, "lv", "rl", "9")] {
            let (dev, relay_dev) = (
                format!("{}{near}", apart.tag),
                format!("{}{far}", apart.tag),
            );
            ip(&[
                "link", "add", &dev, "type", "veth", "peer", "name", &relay_dev,
            ]);
            ip(&["link", "set", &dev, "netns", device]);
            ip(&["link", "set", &relay_dev, "netns", &r]);
            ip(&[
                "-n",
                device,
                "addr",
                "add",
                &format!("10.231.{subnet}.2/24"),
                "dev",
                &dev,
            ]);
            ip(&[
                "-n",
                &r,
                "addr",
                "add",
                &format!("10.231.{subnet}.1/24"),
                "dev",
                &relay_dev,
            ]);
            ip(&["-n", device, "link", "set", &dev, "up"]);
            ip(&["-n", &r, "link", "set", &relay_dev, "up"]);
            ip(&[
                "-n",
                device,
                "route",
                "add",
                "default",
                "via",
                &format!("10.231.{subnet}.1"),
            ]);
        }
        // The relay host is a host, not a router: a packet from the phone to the laptop ends
        // there.
        let off = Command::new("ip")
            .args([
                "netns",
                "exec",
                &r,
                "sysctl",
                "-qw",
                "net.ipv4.ip_forward=0",
            ])
            .status()
            .unwrap();
        assert!(
            off.success(),
            "could not turn forwarding off on the relay host"
        );
        Some(apart)
    }

    /// The relay host's link to the phone, down or up.
    fn phone_link(&self, up: bool) {
        let dev = format!("{}rp", self.tag);
        ip(&[
            "-n",
            &self.ns('r'),
            "link",
            "set",
            &dev,
            if up { "up" } else { "down" },
        ]);
    }
}

impl Drop for Apart {
    fn drop(&mut self) {
        for which in ['p', 'l', 'r'] {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.ns(which)])
                .status();
        }
    }
}

/// `rapport` in `ns` on `vault`, through `relay` (or with relays off), no local discovery.
fn device(ns: &str, vault: &Vault, relay: &str, args: &[&str]) -> Command {
    let mut c = rapport_in(ns, vault, args);
    c.env("RAPPORT_RELAY", relay).env("RAPPORT_MDNS", "off");
    c
}

/// What `sync --json` reported of its one device: route, took_ms and the session's stats.
fn synced(out: &str) -> Value {
    let report: Value = serde_json::from_str(out).unwrap();
    let one = report[0].clone();
    assert_eq!(one["ok"], true, "{out}");
    let mut flat = one["stats"].clone();
    flat["route"] = one["route"].clone();
    flat["took_ms"] = one["took_ms"].clone();
    flat
}

fn has_person(vault: &Vault, name: &str) -> bool {
    let found = vault.json(&["search", name, "--kind", "person"]);
    found
        .as_array()
        .is_some_and(|h| h.iter().any(|x| x["name"] == name))
}

#[test]
fn devices_with_no_route_between_them_pair_and_sync_through_a_relay_that_sees_no_content() {
    let Some(apart) = Apart::make() else {
        eprintln!(
            "skipped: this machine cannot create network namespaces (needs root and iproute2)"
        );
        return;
    };
    let (p, l, r) = (apart.ns('p'), apart.ns('l'), apart.ns('r'));
    assert!(
        Command::new("tcpdump")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success()),
        "tcpdump is needed to record what the relay host sees (scripts/test installs it)"
    );
    let capture = tempfile::tempdir().unwrap();
    let pcap = capture.path().join("relay-host.pcap");
    // Every packet on every interface of the relay host, written as it arrives.
    let tcpdump = Running::start({
        let mut c = Command::new("ip");
        c.args([
            "netns", "exec", &r, "tcpdump", "-i", "any", "-U", "-s", "0", "-w",
        ])
        .arg(&pcap);
        c
    });
    let relay = Running::start({
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            &r,
            env!("CARGO_BIN_EXE_rapport"),
            "--json",
            "relay",
        ]);
        c.args(["--listen", "0.0.0.0:3340"]);
        c
    });
    relay
        .wait_for(Duration::from_secs(20), |v| v["listening"].is_string())
        .expect("the relay listens");
    // Both devices know the relay by one address; the laptop reaches it on its own link (the
    // relay host answers for all its addresses).
    let url = "http://10.231.8.1:3340";

    let laptop = Vault::new();
    let phone = Vault::new();
    laptop.ok(&["dev", "seed", "--people", "1000", "--seed", "6"]);
    // The relay is a setting of the vault (Settings, `profile set --relay`): the laptop uses it
    // by itself, and the phone once the setting has reached it with the first sync.
    laptop.ok(&["profile", "set", "--name", "Ada", "--relay", url]);
    let secret_note = "Quillfeather told me about the salt marsh project in confidence";
    laptop.ok(&[
        "person",
        "add",
        "--name",
        "Zanzibar Quillfeather",
        "--notes",
        secret_note,
    ]);
    phone.ok(&[
        "person",
        "add",
        "--name",
        "Ottoline Wrenfield",
        "--notes",
        "met at the harbour",
    ]);

    // Pairing: the laptop shows a ticket; without the relay the phone cannot reach it at all.
    let mut inviting = Running::start(device(
        &l,
        &laptop,
        "auto",
        &["pair", "--name", "laptop", "--json"],
    ));
    let offer = inviting
        .wait_for(Duration::from_secs(30), |v| v["ticket"].is_string())
        .expect("a ticket");
    let ticket = offer["ticket"].as_str().unwrap().to_string();
    let direct = device(
        &p,
        &phone,
        "off",
        &["pair", "--name", "phone", "--join", &ticket],
    )
    .output()
    .unwrap();
    assert!(
        !direct.status.success(),
        "the phone reached the laptop with relays off: the network has a direct route"
    );
    let started = Instant::now();
    let joined = run_ok(device(
        &p,
        &phone,
        url,
        &["pair", "--name", "phone", "--join", &ticket],
    ));
    let first_sync = started.elapsed();
    assert!(joined.contains("Paired with laptop"), "{joined}");
    assert_eq!(
        inviting.exit_code(LIMIT),
        Some(0),
        "the laptop finishes pairing"
    );
    assert!(
        has_person(&phone, "Zanzibar Quillfeather"),
        "the first sync brought the vault"
    );

    // Edits both ways, each through the relay.
    let mut edits = Vec::new();
    let laptop_watch = Running::start(device(&l, &laptop, "auto", &["sync", "--watch", "--json"]));
    laptop_watch
        .wait_for(LIMIT, |v| v["event"] == "listening")
        .expect("the laptop listens");
    phone.ok(&["person", "add", "--name", "Written On Phone"]);
    let s = synced(&run_ok(device(&p, &phone, "auto", &["sync", "--json"])));
    assert_eq!(s["route"], "relay", "{s}");
    edits.push(s["took_ms"].as_u64().unwrap());
    // Nothing changed since: what a reconnect costs.
    let again = synced(&run_ok(device(&p, &phone, "auto", &["sync", "--json"])));
    assert_eq!(again["documents_changed"], 0, "{again}");
    // Whoever reaches the laptop through the relay gets nothing without a secret unused: the
    // ticket, shown again, is refused (its secret was used), and so is a sync from a stranger.
    let stranger = Vault::new();
    let replay = device(
        &p,
        &stranger,
        url,
        &["pair", "--name", "stranger", "--join", &ticket],
    )
    .output()
    .unwrap();
    assert!(!replay.status.success(), "a used ticket paired a stranger");
    let why = String::from_utf8_lossy(&replay.stderr);
    assert!(why.contains("used") || why.contains("refused"), "{why}");
    drop(laptop_watch);
    assert!(!laptop.ok(&["devices"]).contains("stranger"));
    assert!(has_person(&laptop, "Written On Phone"));
    assert!(has_person(&laptop, "Ottoline Wrenfield"));

    let phone_watch = Running::start(device(&p, &phone, "auto", &["sync", "--watch", "--json"]));
    phone_watch
        .wait_for(LIMIT, |v| v["event"] == "listening")
        .expect("the phone listens");
    laptop.ok(&["person", "add", "--name", "Written On Laptop"]);
    let s = synced(&run_ok(device(&l, &laptop, "auto", &["sync", "--json"])));
    assert_eq!(s["route"], "relay", "{s}");
    edits.push(s["took_ms"].as_u64().unwrap());
    drop(phone_watch);
    assert!(has_person(&phone, "Written On Laptop"));

    // The relay's link to the phone goes down for 10 s; both sides write meanwhile, and the
    // phone's sync fails (bounded) instead of hanging.
    apart.phone_link(false);
    let cut = Instant::now();
    phone.ok(&["person", "add", "--name", "Offline On Phone"]);
    laptop.ok(&["person", "add", "--name", "Offline On Laptop"]);
    let laptop_watch = Running::start(device(&l, &laptop, "auto", &["sync", "--watch", "--json"]));
    laptop_watch
        .wait_for(LIMIT, |v| v["event"] == "listening")
        .expect("the laptop listens");
    let cut_off = device(&p, &phone, "auto", &["sync", "--json"])
        .output()
        .unwrap();
    assert!(!cut_off.status.success(), "a sync went through a cut link");
    std::thread::sleep(Duration::from_secs(10).saturating_sub(cut.elapsed()));
    apart.phone_link(true);
    let healed = Instant::now();
    // The app retries; so does this, for up to a minute.
    let mut converged = None;
    while healed.elapsed() < LIMIT {
        let out = device(&p, &phone, "auto", &["sync", "--json"])
            .output()
            .unwrap();
        if out.status.success() {
            converged = Some(healed.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    let converged = converged.expect("the devices converged after the link came back");
    drop(laptop_watch);
    for name in ["Offline On Phone", "Offline On Laptop"] {
        assert!(
            has_person(&phone, name) && has_person(&laptop, name),
            "{name}"
        );
    }

    // What the relay host saw: every byte of it, and none of the vault's content.
    drop(relay);
    std::thread::sleep(Duration::from_millis(500));
    drop(tcpdump);
    let seen = std::fs::read(&pcap).unwrap();
    assert!(
        seen.len() > 1_000_000,
        "the capture holds the first sync ({} bytes)",
        seen.len()
    );
    for needle in [
        "Zanzibar Quillfeather",
        "Quillfeather",
        secret_note,
        "Ottoline",
        "harbour",
        &ticket,
    ] {
        assert!(
            !seen.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "the relay host saw {needle:?}"
        );
    }
    println!(
        "relay: pairing with the first sync of 1,000 people {:.2} s; edits phone→laptop {} ms, \
         laptop→phone {} ms; a reconnect with nothing changed {} ms, {} bytes; after a 10 s \
         cut, converged {:.1} s after the link came back; {} bytes captured on the relay host, \
         none of them content",
        first_sync.as_secs_f64(),
        edits[0],
        edits[1],
        again["took_ms"],
        again["bytes_sent"].as_u64().unwrap_or(0) + again["bytes_received"].as_u64().unwrap_or(0),
        converged.as_secs_f64(),
        seen.len()
    );
}
