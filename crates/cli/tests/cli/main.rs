//! The `rapport` binary end to end: every command in its own process, on a temporary vault.

#![allow(clippy::unwrap_used)] // tests fail loudly on purpose

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod bad_input;
mod crash;
mod logs;
mod netfaults;
mod netns;
mod relay_netns;
mod running;
mod serve;
mod short_lived;
mod story;
mod sync;

struct Vault {
    dir: tempfile::TempDir,
}

impl Vault {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    /// The command, on this vault; networking stays on 127.0.0.1 (no relays, no multicast).
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
        c.arg("--data-dir")
            .arg(self.path().join("vault"))
            .args(args)
            .env_remove("RAPPORT_DATA_DIR")
            .env("RAPPORT_RELAY", "off")
            .env("RAPPORT_MDNS", "off")
            .env("RAPPORT_BIND", "127.0.0.1:0");
        c
    }
    fn cmd(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }
    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
    /// The names of every record of `kind` (`person`, `org`, …), sorted.
    fn names(&self, kind: &str) -> Vec<String> {
        let mut n: Vec<String> = self
            .items(&[kind, "list", "--limit", "1000"])
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
    /// The records of a `list --json` page.
    fn items(&self, args: &[&str]) -> Value {
        let page = self.json(args);
        assert!(page.get("total").is_some(), "a page has its total: {page}");
        page["items"].clone()
    }
    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.push("--json");
        serde_json::from_str(&self.ok(&a)).unwrap()
    }
    /// Runs a command that must fail with `code`; returns its stderr.
    fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).unwrap()
    }
    /// Everything the vault holds, as the CLI reports it.
    fn snapshot(&self) -> Vec<Value> {
        ["person", "org", "goal", "task", "question"]
            .iter()
            .map(|k| self.items(&[k, "list", "--limit", "1000"]))
            .collect()
    }
}

#[test]
fn a_person_is_added_listed_shown_edited_and_removed_across_processes() {
    let v = Vault::new();
    let goal = v.ok(&[
        "goal",
        "add",
        "--name",
        "Data roles in climate",
        "--role",
        "Data analyst",
    ]);
    let id = v.ok(&[
        "person",
        "add",
        "--name",
        "Zoë Okonkwo",
        "--org",
        "Acme Energy",
        "--role",
        "Analyst",
        "--email",
        "zoe@acme.example.org",
        "--email",
        "zoe@home.example.org",
        "--source",
        "article",
        "--source-detail",
        "Quoted on heat pumps",
        "--tag",
        "alumni",
        "--goal",
        "Data roles in climate",
        "--likelihood",
        "4",
    ]);
    let id = id.trim();
    assert_eq!(id.len(), 36, "prints the new id: {id}");

    let list = v.items(&["person", "list"]);
    let people = list.as_array().unwrap();
    assert_eq!(people.len(), 1);
    let p = &people[0];
    assert_eq!(p["id"], id);
    assert_eq!(p["kind"], "person");
    assert_eq!(p["name"], "Zoë Okonkwo");
    assert_eq!(p["emails"][1]["value"], "zoe@home.example.org");
    assert_eq!(p["goal_ids"][0], goal.trim());
    assert_eq!(p["likelihood"], 4);
    assert!(
        p["research_notes"].is_string() && p["created_at"].is_string(),
        "every stored field is there"
    );

    let orgs = v.items(&["org", "list"]);
    assert_eq!(
        orgs[0]["name"], "Acme Energy",
        "the organization was created from its name"
    );
    assert_eq!(p["organization_id"], orgs[0]["id"]);

    let shown = v.json(&["person", "show", id]);
    assert_eq!(&shown, p);
    let text = v.ok(&["person", "show", id]);
    assert!(
        text.contains("Acme Energy"),
        "text output names the organization: {text}"
    );

    let edited = v.json(&[
        "person",
        "edit",
        id,
        "--role",
        "Senior analyst",
        "--clear",
        "tags",
    ]);
    assert_eq!(edited["role"], "Senior analyst");
    assert_eq!(edited["tags"], serde_json::json!([]));
    assert_eq!(
        edited["emails"], p["emails"],
        "fields not given stay as they were"
    );

    let second = v.ok(&[
        "person",
        "add",
        "--name",
        "Bea Costa",
        "--org",
        "acme energy",
        "--referred-by",
        id,
    ]);
    let bea = v.json(&["person", "show", second.trim()]);
    assert_eq!(
        bea["organization_id"], orgs[0]["id"],
        "an existing organization is matched by name"
    );
    assert_eq!(bea["referred_by_id"], id);
    assert_eq!(v.items(&["org", "list"]).as_array().unwrap().len(), 1);
    assert_eq!(
        v.items(&["person", "list", "--org", "Acme Energy"])
            .as_array()
            .unwrap()
            .len(),
        2
    );

    v.ok(&["person", "rm", id]);
    let left = v.items(&["person", "list"]);
    assert_eq!(left.as_array().unwrap().len(), 1);
    assert!(v.fails(2, &["person", "show", id]).contains("was deleted"));
}

#[test]
fn every_kind_has_the_same_commands() {
    let v = Vault::new();
    let org = v.ok(&[
        "org",
        "add",
        "--name",
        "Green Harbor",
        "--industry",
        "Energy",
        "--motivation",
        "5",
        "--advocacy",
        "yes",
        "--postings",
        "relevant",
    ]);
    let goal = v.ok(&[
        "goal",
        "add",
        "--name",
        "Energy modelling",
        "--org",
        "Green Harbor",
        "--priority",
        "1",
    ]);
    let task = v.ok(&[
        "task",
        "add",
        "--title",
        "Read their annual report",
        "--type",
        "research",
        "--due",
        "2026-12-01",
    ]);
    let q = v.ok(&[
        "question",
        "add",
        "--title",
        "What would you read first?",
        "--category",
        "resources",
        "--tiara",
        "resources",
        "--suits",
        "industry",
    ]);
    assert_eq!(v.json(&["org", "show", org.trim()])["motivation"], 5);
    assert_eq!(
        v.json(&["goal", "show", goal.trim()])["target_organization_id"],
        org.trim()
    );
    let t = v.json(&["task", "edit", task.trim(), "--done", "2026-11-30"]);
    assert_eq!(t["title"], "Read their annual report");
    assert!(t["done_at"].as_str().unwrap().starts_with("2026-11-30"));
    let hidden = v.json(&["question", "edit", q.trim(), "--hidden", "yes"]);
    assert_eq!(hidden["hidden"], true);
    for (kind, id) in [
        ("org", &org),
        ("goal", &goal),
        ("task", &task),
        ("question", &q),
    ] {
        v.ok(&[kind, "rm", id.trim()]);
        v.fails(2, &[kind, "show", id.trim()]);
    }
    // A record of another kind is not shown under the wrong command.
    let p = v.ok(&["person", "add", "--name", "Ada"]);
    assert!(
        v.fails(2, &["org", "show", p.trim()])
            .contains("is a person, not an organization")
    );
}

#[test]
fn a_new_vault_has_the_question_bank_and_search_finds_every_field() {
    let v = Vault::new();
    let bank = v.items(&["question", "list", "--limit", "1000"]);
    assert!(bank.as_array().unwrap().len() >= 60);
    assert!(
        bank.as_array()
            .unwrap()
            .iter()
            .all(|q| q["title"].as_str().unwrap().ends_with('?'))
    );
    let id = v.ok(&[
        "person",
        "add",
        "--name",
        "Mei Tanaka",
        "--notes",
        "Runs the soil health meet-up in Osaka.",
    ]);
    let hits = v.json(&["search", "soil healt"]);
    assert_eq!(hits[0]["id"], id.trim());
    assert_eq!(hits[0]["name"], "Mei Tanaka");
    let q_hits = v.json(&["search", "who else", "--kind", "question"]);
    assert!(
        q_hits
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["kind"] == "question")
    );
    assert!(v.ok(&["search", "zzzz-nothing"]).contains("Nothing found"));
}

#[test]
fn bad_input_exits_2_names_the_field_and_changes_nothing() {
    let v = Vault::new();
    v.ok(&["person", "add", "--name", "Ada", "--org", "Acme"]);
    let ada = v.items(&["person", "list"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = v.snapshot();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["person", "add", "--name", ""], "name"),
        (
            vec![
                "person",
                "add",
                "--name",
                "Bob",
                "--org",
                "NewCo",
                "--email",
                "bob-at-example",
            ],
            "emails[0]",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--likelihood", "9"],
            "likelihood",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--cadence", "2"],
            "cadence_days",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--source", "pigeon"],
            "source",
        ),
        (
            vec![
                "person",
                "add",
                "--name",
                "Bob",
                "--referred-by",
                "01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a",
            ],
            "referred_by_id",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--time-zone", "Mars/Base"],
            "time_zone",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--link", "not a url"],
            "links[0]",
        ),
        (
            vec!["person", "add", "--name", "Bob", "--goal", "No such goal"],
            "goal",
        ),
        (vec!["person", "edit", &ada, "--email", "x"], "emails[0]"),
        (vec!["person", "edit", &ada, "--clear", "id"], "id"),
        (vec!["person", "edit", &ada, "--clear", "colour"], "colour"),
        (vec!["person", "edit", &ada], "fields"),
        (vec!["person", "show", "not-an-id"], "id"),
        (
            vec!["person", "rm", "01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a"],
            "no record",
        ),
        (
            vec!["org", "add", "--name", "X", "--motivation", "7"],
            "motivation",
        ),
        (
            vec!["org", "add", "--name", "X", "--advocacy", "maybe"],
            "advocacy",
        ),
        (
            vec!["task", "add", "--title", "T", "--due", "next week"],
            "due",
        ),
        (vec!["person", "list", "--sort", "height"], "sort"),
        (vec!["search", "x", "--kind", "planet"], "kind"),
    ];
    for (args, field) in cases {
        let err = v.fails(2, &args);
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
        assert!(
            err.contains(field),
            "{args:?}: '{err}' should name '{field}'"
        );
    }
    assert_eq!(v.snapshot(), before, "bad input changed nothing");
    // Not valid UTF-8 on the command line.
    use std::os::unix::ffi::OsStrExt;
    let out = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--data-dir")
        .arg(v.path().join("vault"))
        .args(["person", "add", "--name"])
        .arg(std::ffi::OsStr::from_bytes(b"Ad\xffa"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(v.snapshot(), before);
}

#[test]
fn a_second_process_on_the_same_vault_is_refused_with_the_holders_pid() {
    let v = Vault::new();
    v.ok(&["person", "add", "--name", "Ada"]);
    let mut holder = Command::new(env!("CARGO_BIN_EXE_rapport"))
        .arg("--data-dir")
        .arg(v.path().join("vault"))
        .args(["dev", "hold"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    use std::io::BufRead;
    std::io::BufReader::new(holder.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.starts_with("ready"), "{line}");
    let started = std::time::Instant::now();
    let err = v.fails(1, &["person", "list"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "refused at once, not after a hang"
    );
    assert!(
        err.contains(&format!("already open by pid {}", holder.id())),
        "{err}"
    );
    drop(holder.stdin.take());
    assert!(holder.wait().unwrap().success());
    assert_eq!(
        v.items(&["person", "list"])[0]["name"],
        "Ada",
        "usable again once the holder is gone"
    );
}

#[test]
fn doctor_reports_a_consistent_vault_and_rebuilds() {
    let v = Vault::new();
    v.ok(&["dev", "seed", "--people", "30", "--now", "2026-11-01"]);
    let report = v.json(&["doctor"]);
    assert_eq!(report["records_missing"], 0);
    assert!(report["documents"].as_u64().unwrap() > 100);
    let rebuilt = v.json(&["doctor", "--rebuild"]);
    assert_eq!(rebuilt["documents"], report["documents"]);
    assert!(v.ok(&["doctor"]).contains("consistent"));
    assert!(
        v.json(&["search", "alumni"])
            .as_array()
            .map(Vec::len)
            .unwrap_or(0)
            > 0
    );
}

#[test]
fn seeding_is_deterministic_and_proportioned() {
    let a = Vault::new();
    let b = Vault::new();
    for v in [&a, &b] {
        v.ok(&[
            "dev",
            "seed",
            "--people",
            "40",
            "--seed",
            "7",
            "--now",
            "2026-11-01",
        ]);
    }
    assert_eq!(a.snapshot(), b.snapshot(), "same seed, same vault");
    let count = |kind: &str| {
        a.items(&[kind, "list", "--limit", "1000"])
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(count("person"), 40);
    assert_eq!(count("org"), 8);
    assert_eq!(count("goal"), 10);
    assert_eq!(count("task"), 80);
    let c = Vault::new();
    c.ok(&[
        "dev",
        "seed",
        "--people",
        "40",
        "--seed",
        "8",
        "--now",
        "2026-11-01",
    ]);
    assert_ne!(a.snapshot(), c.snapshot(), "another seed, another vault");
}

#[test]
fn the_workflow_commands_move_a_person_along() {
    let v = Vault::new();
    v.ok(&["org", "add", "--name", "Beta", "--motivation", "2"]);
    v.ok(&[
        "org",
        "add",
        "--name",
        "Acme",
        "--advocacy",
        "yes",
        "--motivation",
        "5",
    ]);
    let lamp = v.items(&["org", "list", "--sort", "lamp"]);
    assert_eq!(lamp[0]["name"], "Acme", "best LAMP target first");
    let ada = v.ok(&[
        "person",
        "add",
        "--name",
        "Ada Okafor",
        "--org",
        "Acme",
        "--likelihood",
        "5",
        "--notes",
        "Leads grid planning.",
    ]);
    let ada = ada.trim();
    let next = v.json(&["next"]);
    assert_eq!(next[0]["person"]["id"], ada);
    assert!(
        next[0]["reasons"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("likely_yes"))
    );

    // Findings exit 3, so a script can tell a clean draft from one to fix.
    let out = v.cmd(&[
        "outreach",
        "check",
        "--text",
        "I would like a job at Acme. My CV is attached.",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(3));
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"job_request") && rules.contains(&"resume"),
        "{rules:?}"
    );
    assert!(
        v.ok(&[
            "outreach",
            "check",
            "--text",
            "Bea Costa suggested I write. Would you have 20 minutes on Tuesday at 10:00?"
        ])
        .contains("Looks good")
    );

    let msg = v.ok(&[
        "outreach",
        "add",
        "--title",
        "Ask Ada",
        "--person",
        "Ada Okafor",
        "--status",
        "draft",
        "--body",
        "Hello",
    ]);
    assert_eq!(
        v.json(&["person", "show", ada])["stage_log"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["stage"],
        "outreach_drafted"
    );
    v.ok(&["outreach", "sent", msg.trim()]);
    let meeting = v.ok(&[
        "meeting",
        "add",
        "--title",
        "Call with Ada",
        "--person",
        "Ada Okafor",
        "--start",
        "2026-11-03T15:00:00Z",
        "--minutes",
        "20",
        "--medium",
        "video",
    ]);
    v.ok(&[
        "meeting",
        "edit",
        meeting.trim(),
        "--started",
        "2026-11-03T15:00:00Z",
        "--ended",
        "2026-11-03T15:20:00Z",
    ]);
    let p = v.json(&["person", "show", ada]);
    let stages: Vec<&str> = p["stage_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "researching",
            "outreach_drafted",
            "requested",
            "scheduled",
            "met"
        ]
    );
    assert_eq!(
        v.items(&["meeting", "list", "--person", "Ada Okafor"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let today = v.json(&["today", "--tz", "UTC"]);
    assert_eq!(today["thank_yous"][0]["record_id"], meeting.trim());
    assert_eq!(
        today["thank_yous"][0]["overdue"], true,
        "the meeting was long before the real now"
    );
    v.ok(&["meeting", "edit", meeting.trim(), "--thanked", "now"]);
    assert!(
        v.json(&["today", "--tz", "UTC"])["thank_yous"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let stats = v.json(&["stats", "--tz", "UTC"]);
    assert_eq!(stats["funnel"]["thanked"], 1);
    v.ok(&["stage", "Ada Okafor", "keeping_in_touch"]);
    assert!(
        v.fails(2, &["stage", "Ada Okafor", "famous"])
            .contains("stage")
    );
    assert!(v.fails(2, &["today", "--tz", "Mars/Base"]).contains("tz"));
}

#[test]
fn prepare_hold_and_capture_a_referral_from_the_command_line() {
    let v = Vault::new();
    v.ok(&[
        "profile",
        "set",
        "--name",
        "Sam",
        "--story",
        "Six years in retail analytics.",
    ]);
    assert_eq!(
        v.json(&["profile", "show"])["my_story"],
        "Six years in retail analytics."
    );
    let ada = v.ok(&[
        "person",
        "add",
        "--name",
        "Ada Okafor",
        "--notes",
        "Studied physics; started in consulting.",
    ]);
    let q = v.items(&["question", "list", "--limit", "1000"]);
    let path_q = q
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "path")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = v.ok(&[
        "meeting",
        "add",
        "--title",
        "Call with Ada",
        "--person",
        ada.trim(),
        "--start",
        "2026-11-20T15:00:00Z",
        "--minutes",
        "15",
    ]);
    let m = m.trim();
    v.ok(&["meeting", "answer", m, &path_q, "Physics, then consulting."]);
    let brief = v.json(&["brief", m]);
    assert_eq!(brief["my_story"], "Six years in retail analytics.");
    assert_eq!(brief["questions"][0]["research_may_answer"], true);
    assert!(v.ok(&["brief", "Ada Okafor"]).contains("Ada Okafor"));
    assert_eq!(v.json(&["meeting", "timer", m])["signal"], "not_started");
    v.ok(&["meeting", "start", m]);
    assert_eq!(v.json(&["meeting", "timer", m])["signal"], "running");
    let captured = v.json(&[
        "referral",
        "--meeting",
        m,
        "--name",
        "Omar Haddad",
        "--email",
        "omar@example.org",
    ]);
    assert_eq!(captured["person"]["referred_by_id"], ada.trim());
    assert_eq!(captured["task"]["task_kind"], "outreach");
    v.ok(&[
        "meeting",
        "takeaway",
        m,
        "Learn power-flow basics",
        "--topic",
        "skills",
    ]);
    v.ok(&["meeting", "stop", m]);
    assert_eq!(v.json(&["meeting", "timer", m])["signal"], "ended");
    assert_eq!(
        v.json(&["person", "show", ada.trim()])["stage_log"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()["stage"],
        "met"
    );
    assert!(
        v.fails(2, &["referral", "--name", "Nobody"])
            .contains("referrer_id")
    );
    assert!(
        v.fails(2, &["meeting", "takeaway", m, "x", "--topic", "astrology"])
            .contains("topic")
    );
}

#[test]
fn a_json_export_restores_into_an_empty_vault_and_other_formats_are_written() {
    let a = Vault::new();
    a.ok(&["dev", "seed", "--people", "20", "--now", "2026-11-01"]);
    let backup = a.path().join("backup.json");
    a.ok(&["export", "json", "--out", backup.to_str().unwrap()]);
    let b = Vault::new();
    let dry = b.json(&["import", "json", backup.to_str().unwrap(), "--dry-run"]);
    assert!(dry["created"].as_u64().unwrap() > 50, "{dry}");
    assert_eq!(
        b.items(&["person", "list"]).as_array().unwrap().len(),
        0,
        "a dry run changes nothing"
    );
    b.ok(&["import", "json", backup.to_str().unwrap()]);
    assert_eq!(a.snapshot(), b.snapshot(), "restored as it was");
    let again = b.json(&["import", "json", backup.to_str().unwrap()]);
    assert_eq!(
        (again["created"].as_u64(), again["updated"].as_u64()),
        (Some(0), Some(0))
    );

    let csv_text = a.ok(&["export", "people-csv"]);
    assert_eq!(
        csv_text.lines().next().unwrap().split(',').nth(1),
        Some("name")
    );
    let md = a.path().join("md");
    a.ok(&["export", "markdown", "--out", md.to_str().unwrap()]);
    assert_eq!(std::fs::read_dir(&md).unwrap().count(), 20);
    let docs = a.path().join("docs");
    a.ok(&["export", "automerge", "--out", docs.to_str().unwrap()]);
    assert!(std::fs::read_dir(&docs).unwrap().count() > 100);
    assert!(a.fails(2, &["export", "markdown"]).contains("out"));
    std::fs::write(a.path().join("junk.json"), "{ not json").unwrap();
    assert!(
        b.fails(
            2,
            &[
                "import",
                "json",
                a.path().join("junk.json").to_str().unwrap()
            ]
        )
        .contains("not a Rapport backup")
    );
}

#[test]
fn a_linkedin_export_imports_once_and_a_bad_file_changes_nothing() {
    let v = Vault::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let bad = fixtures.join("Connections-bad.csv");
    let err = v.fails(2, &["import", "linkedin", bad.to_str().unwrap()]);
    assert!(err.contains("line 6: emails[0]"), "{err}");
    assert!(v.items(&["person", "list"]).as_array().unwrap().is_empty());
    let good = fixtures.join("Connections.csv");
    let r = v.json(&["import", "linkedin", good.to_str().unwrap()]);
    assert_eq!(
        (r["created"].as_u64(), r["applied"].as_bool()),
        (Some(4), Some(true))
    );
    let r = v.json(&["import", "linkedin", good.to_str().unwrap()]);
    assert_eq!(
        (r["created"].as_u64(), r["unchanged"].as_u64()),
        (Some(0), Some(4))
    );
    let list = v.ok(&["person", "list"]);
    assert_eq!(
        list.lines().count(),
        5,
        "one line per person and the footer: {list}"
    );
}

#[test]
fn phone_contacts_import_and_export_as_vcard() {
    let v = Vault::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let cut = fixtures.join("contacts-cut.vcf");
    let err = v.fails(2, &["import", "vcard", cut.to_str().unwrap()]);
    assert!(
        err.contains("line 13") && err.contains("END:VCARD"),
        "{err}"
    );
    let phone = fixtures.join("contacts-iphone.vcf");
    let dry = v.json(&["import", "vcard", phone.to_str().unwrap(), "--dry-run"]);
    assert_eq!(
        (dry["created"].as_u64(), dry["applied"].as_bool()),
        (Some(3), Some(false))
    );
    assert!(v.items(&["person", "list"]).as_array().unwrap().is_empty());
    let out = v.ok(&["import", "vcard", phone.to_str().unwrap()]);
    assert!(out.contains("3 people created"), "{out}");
    let google = fixtures.join("google-contacts.csv");
    let out = v.ok(&["import", "google-csv", google.to_str().unwrap()]);
    assert!(out.contains("2 people created"), "{out}");
    let cards = v.ok(&["export", "vcard"]);
    assert_eq!(cards.matches("BEGIN:VCARD").count(), 5, "{cards}");
    assert!(cards.contains("FN:Jürgen Müller"));
    let err = v.fails(2, &["import", "outlook", phone.to_str().unwrap()]);
    assert!(err.contains("vcard, google-csv"), "{err}");
}
