//! Devices apart: a phone and a laptop on two networks with no route between them, and a relay
//! host both can reach — three network namespaces this test creates. `rapport relay` (iroh's
//! relay server) runs on the relay host; the devices pair with a ticket, take a first sync of a
//! 1,000-person vault, exchange edits both ways, live through the relay's link to the phone
//! going down for 10 s with edits on both sides, and converge. Everything that crosses the relay
//! host is captured (tcpdump) and searched for the vault's content. A second test measures the
//! relay beside a direct link between the two devices, in one run: the first sync, a reconnect,
//! and edits made while both devices watch (`rapport dev ping-pong`). Every wait is bounded; the
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
/// relay and nothing else. With a direct link, the phone and the laptop also share a link of
/// their own (10.231.10.1 and 10.231.10.2), as on one home network. Deleted on drop.
struct Apart {
    tag: String,
}

impl Apart {
    fn ns(&self, which: char) -> String {
        format!("{}{which}", self.tag)
    }

    /// Under names starting with `prefix` (two letters), so tests running at once in one
    /// process each make their own.
    fn make(prefix: &str, direct_link: bool) -> Option<Apart> {
        let tag = format!("{prefix}{}", std::process::id() % 100_000);
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
        if direct_link {
            let (dp, dl) = (format!("{}pd", apart.tag), format!("{}ld", apart.tag));
            ip(&["link", "add", &dp, "type", "veth", "peer", "name", &dl]);
            for (ns, dev, addr) in [(&p, &dp, "10.231.10.1/24"), (&l, &dl, "10.231.10.2/24")] {
                ip(&["link", "set", dev, "netns", ns]);
                ip(&["-n", ns, "addr", "add", addr, "dev", dev]);
                ip(&["-n", ns, "link", "set", dev, "up"]);
            }
        }
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

/// Both devices know the relay by one address; the laptop reaches it on its own link (the
/// relay host answers for all its addresses).
const RELAY_URL: &str = "http://10.231.8.1:3340";

/// `rapport relay` on the relay host, listening on every address of it.
fn start_relay(relay_host: &str) -> Running {
    let relay = Running::start({
        let mut c = Command::new("ip");
        c.args([
            "netns",
            "exec",
            relay_host,
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
    relay
}

/// `rapport sync --watch` in `ns` on `vault`, once it listens.
fn watching(ns: &str, vault: &Vault, relay: &str) -> Running {
    let watch = Running::start(device(ns, vault, relay, &["sync", "--watch", "--json"]));
    watch
        .wait_for(LIMIT, |v| v["event"] == "listening")
        .expect("the device listens");
    watch
}

fn has_person(vault: &Vault, name: &str) -> bool {
    let found = vault.json(&["search", name, "--kind", "person"]);
    found
        .as_array()
        .is_some_and(|h| h.iter().any(|x| x["name"] == name))
}

#[test]
fn devices_with_no_route_between_them_pair_and_sync_through_a_relay_that_sees_no_content() {
    let Some(apart) = Apart::make("ra", false) else {
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
    let relay = start_relay(&r);
    let url = RELAY_URL;

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
    let laptop_watch = watching(&l, &laptop, "auto");
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

    let phone_watch = watching(&p, &phone, "auto");
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
    let laptop_watch = watching(&l, &laptop, "auto");
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

/// What one link costs: a first sync of 1,000 people (with the pairing before it), a reconnect
/// with nothing changed, and how soon an edit shows on the other device while both watch.
struct LinkFigures {
    link: &'static str,
    first_sync: Duration,
    /// p50 of five (by the whole `sync` process's time): that time, the session's, and its
    /// bytes both ways.
    reconnect_process_ms: u64,
    reconnect_ms: u64,
    reconnect_bytes: u64,
    /// Phone to laptop, and laptop to phone, one figure per ping; sorted.
    there_ms: Vec<f64>,
    back_ms: Vec<f64>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// One link's figures, on fresh vaults: through the relay host (`via_relay`), or with relays off
/// over the phone and laptop's own link.
fn measure_link(apart: &Apart, via_relay: bool, pings: u64) -> LinkFigures {
    let (p, l, r) = (apart.ns('p'), apart.ns('l'), apart.ns('r'));
    let _relay = via_relay.then(|| start_relay(&r));
    let (setting, route) = if via_relay {
        (RELAY_URL, "relay")
    } else {
        ("off", "direct")
    };
    let laptop = Vault::new();
    let phone = Vault::new();
    laptop.ok(&["dev", "seed", "--people", "1000", "--seed", "6"]);

    let mut inviting = Running::start(device(
        &l,
        &laptop,
        setting,
        &["pair", "--name", "laptop", "--json"],
    ));
    let offer = inviting
        .wait_for(Duration::from_secs(30), |v| v["ticket"].is_string())
        .expect("a ticket");
    let ticket = offer["ticket"].as_str().unwrap().to_string();
    let started = Instant::now();
    run_ok(device(
        &p,
        &phone,
        setting,
        &["pair", "--name", "phone", "--join", &ticket],
    ));
    let first_sync = started.elapsed();
    assert_eq!(inviting.exit_code(LIMIT), Some(0), "the laptop pairs");

    let laptop_watch = watching(&l, &laptop, setting);
    // The laptop notes its addresses in its device record as it starts watching: one sync
    // brings that, then nothing is left to change.
    synced(&run_ok(device(&p, &phone, setting, &["sync", "--json"])));
    let mut reconnects: Vec<(u64, u64, u64)> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let out = run_ok(device(&p, &phone, setting, &["sync", "--json"]));
            let whole = u64::try_from(started.elapsed().as_millis()).unwrap();
            let s = synced(&out);
            assert_eq!(s["route"], route, "{s}");
            assert_eq!(s["documents_changed"], 0, "{s}");
            (
                whole,
                s["took_ms"].as_u64().unwrap(),
                s["bytes_sent"].as_u64().unwrap() + s["bytes_received"].as_u64().unwrap(),
            )
        })
        .collect();
    drop(laptop_watch);
    reconnects.sort_unstable();
    let (reconnect_process_ms, reconnect_ms, reconnect_bytes) = reconnects[reconnects.len() / 2];

    // Live edits, both devices running and watching: the phone pings, the laptop answers.
    let probe = phone.json(&["person", "add", "--name", "Latency Probe"])["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut answering = Running::start(device(
        &l,
        &laptop,
        setting,
        &["dev", "ping-pong", "--probe", &probe],
    ));
    answering
        .wait_for(LIMIT, |v| v["event"] == "listening")
        .expect("the laptop answers");
    let mut pinging = Running::start(device(
        &p,
        &phone,
        setting,
        &[
            "dev",
            "ping-pong",
            "--probe",
            &probe,
            "--pings",
            &pings.to_string(),
        ],
    ));
    // Each ping is bounded (10 s, the first 60 s) by the helper itself.
    let limit = LIMIT + Duration::from_secs(10 * pings);
    let mut sent = Vec::new();
    while let Some(v) = pinging.wait_for(limit, |v| v["ping"].is_u64()) {
        let k = v["ping"].as_u64().unwrap();
        sent.push((
            k,
            v["sent_us"].as_u64().unwrap(),
            v["pong_seen_us"].as_u64().unwrap(),
        ));
        if k == pings {
            break;
        }
    }
    assert_eq!(pinging.exit_code(LIMIT), Some(0), "the phone's pings ended");
    assert_eq!(
        sent.len() as u64,
        pings + 1,
        "every ping was answered: {sent:?}"
    );
    let answers: std::collections::HashMap<u64, u64> = answering
        .kill_and_collect(Duration::from_secs(10))
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|v| Some((v["answered"].as_u64()?, v["ping_seen_us"].as_u64()?)))
        .collect();
    let (mut there_ms, mut back_ms) = (Vec::new(), Vec::new());
    // Ping 0 waited for the devices to connect: not counted.
    for &(k, sent_us, pong_seen_us) in sent.iter().filter(|(k, ..)| *k > 0) {
        let seen_us = answers[&k];
        assert!(
            sent_us <= seen_us && seen_us <= pong_seen_us,
            "ping {k}: written {sent_us}, seen there {seen_us}, answer seen {pong_seen_us}"
        );
        there_ms.push((seen_us - sent_us) as f64 / 1000.0);
        back_ms.push((pong_seen_us - seen_us) as f64 / 1000.0);
    }
    if std::env::var_os("RAPPORT_NETNS_TRACE").is_some() {
        for (i, (t, b)) in there_ms.iter().zip(&back_ms).enumerate() {
            eprintln!("ping {}: there {t:.1} ms, back {b:.1} ms", i + 1);
        }
    }
    there_ms.sort_by(f64::total_cmp);
    back_ms.sort_by(f64::total_cmp);
    // The probe ends the same on both devices: the last ping and its pong.
    for vault in [&phone, &laptop] {
        let shown = vault.json(&["person", "show", &probe]);
        let text = shown.to_string();
        assert!(
            text.contains(&format!("ping {pings}")) && text.contains(&format!("pong {pings}")),
            "{text}"
        );
    }
    LinkFigures {
        link: route,
        first_sync,
        reconnect_process_ms,
        reconnect_ms,
        reconnect_bytes,
        there_ms,
        back_ms,
    }
}

#[test]
fn a_direct_link_and_the_relay_measured_side_by_side() {
    // The long run: RAPPORT_NETNS_PINGS=200 (BENCHMARKS.md); CI takes a short one.
    let pings: u64 = std::env::var("RAPPORT_NETNS_PINGS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    let mut rows = Vec::new();
    for (prefix, via_relay) in [("rd", false), ("rr", true)] {
        let Some(apart) = Apart::make(prefix, !via_relay) else {
            eprintln!(
                "skipped: this machine cannot create network namespaces (needs root and iproute2)"
            );
            return;
        };
        rows.push(measure_link(&apart, via_relay, pings));
    }
    println!(
        "| link | pairing + first sync of 1,000 people (s) | reconnect, nothing changed: the `sync` process / its session (ms, p50 of 5) | reconnect bytes | edit visible phone→laptop ms p50 / p99 | laptop→phone ms p50 / p99 | both ways max ms |"
    );
    println!("|---|---|---|---|---|---|---|");
    for f in &rows {
        println!(
            "| {} | {:.2} | {} / {} | {} | {:.1} / {:.1} | {:.1} / {:.1} | {:.1} |",
            f.link,
            f.first_sync.as_secs_f64(),
            f.reconnect_process_ms,
            f.reconnect_ms,
            f.reconnect_bytes,
            percentile(&f.there_ms, 50.0),
            percentile(&f.there_ms, 99.0),
            percentile(&f.back_ms, 50.0),
            percentile(&f.back_ms, 99.0),
            f.there_ms.last().unwrap().max(*f.back_ms.last().unwrap()),
        );
    }
    println!("({pings} edits each way on each link)");
}
