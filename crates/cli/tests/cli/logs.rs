//! Nothing private in the logs: a whole session of use (people with notes, a search, pairing,
//! sync both ways, the HTTP API) with logging at its most verbose (`RAPPORT_LOG=trace`), and
//! every line any process wrote to standard error is searched for the notes, the people's
//! names, the pairing secret, the device keys and the API token. The data directory and the key file are checked
//! owner-only at the end of the run too.

use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};

use super::Vault;
use super::running::Running;

const NOTES: [&str; 4] = [
    "Quokka-Zanzibar-7731 worried about the layoffs",
    "Marmoset-Tbilisi-4409 is changing teams",
    "Pangolin-Valparaiso-5512 asked me not to tell anyone",
    "Axolotl-Reykjavik-2093 mentioned a health issue",
];

/// Every log written by the run: standard error of each command, and the log files of the
/// long-running ones.
#[derive(Default)]
struct Logs {
    text: String,
    files: Vec<std::path::PathBuf>,
}

impl Logs {
    fn command(v: &Vault, args: &[&str]) -> Command {
        let mut c = v.command(args);
        c.env("RAPPORT_LOG", "trace");
        c
    }

    /// Runs a command to the end; it must succeed. Its standard output.
    fn run(&mut self, v: &Vault, args: &[&str]) -> String {
        let out = Self::command(v, args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
        self.text.push_str(&err);
        String::from_utf8(out.stdout).unwrap()
    }

    /// Starts a long-running command, its standard error going to a file read at the end.
    fn start(&mut self, v: &Vault, name: &str, args: &[&str]) -> Running {
        let path = v.path().join(format!("{name}.log"));
        let file = File::create(&path).unwrap();
        self.files.push(path);
        Running::start_with_stderr(Self::command(v, args), file)
    }

    fn all(&self) -> String {
        let mut all = self.text.clone();
        for f in &self.files {
            all.push_str(&std::fs::read_to_string(f).unwrap());
        }
        all
    }
}

/// The ways a secret's bytes could be written out.
fn spellings(bytes: &[u8]) -> Vec<String> {
    use data_encoding::{BASE32_NOPAD, BASE64, BASE64_NOPAD, HEXLOWER, HEXUPPER};
    let b32 = BASE32_NOPAD.encode(bytes);
    vec![
        HEXLOWER.encode(bytes),
        HEXUPPER.encode(bytes),
        b32.to_lowercase(),
        b32,
        BASE64.encode(bytes),
        BASE64_NOPAD.encode(bytes),
        // Rust's `{:?}` of a byte array, cut after a few bytes.
        format!("{:?}", &bytes[..8])
            .trim_end_matches(']')
            .to_string(),
    ]
}

fn key_bytes(v: &Vault) -> Vec<u8> {
    let hex = std::fs::read_to_string(v.path().join("vault/device.key")).unwrap();
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(hex.trim().as_bytes())
        .unwrap()
}

#[test]
fn a_full_run_at_trace_level_logs_no_note_secret_or_key() {
    let laptop = Vault::new();
    let phone = Vault::new();
    let mut logs = Logs::default();

    logs.run(
        &laptop,
        &[
            "person",
            "add",
            "--name",
            "Ada Lovelace",
            "--notes",
            NOTES[0],
        ],
    );
    logs.run(&laptop, &["search", "Quokka"]);
    logs.run(
        &phone,
        &[
            "person",
            "add",
            "--name",
            "Grace Hopper",
            "--notes",
            NOTES[1],
        ],
    );

    // Pairing: the laptop shows a ticket, the phone joins with it.
    let inviting = logs.start(&laptop, "pair", &["pair", "--name", "laptop", "--json"]);
    let offer = inviting
        .wait_for(Duration::from_secs(30), |v| v["ticket"].is_string())
        .expect("a ticket");
    let ticket = offer["ticket"].as_str().unwrap().to_string();
    let joined = logs.run(&phone, &["pair", "--name", "phone", "--join", &ticket]);
    assert!(joined.contains("Paired with laptop"), "{joined}");
    let mut inviting = inviting;
    assert_eq!(inviting.exit_code(Duration::from_secs(30)), Some(0));

    // Sync: the laptop watches, the phone adds a note and syncs once.
    let watching = logs.start(&laptop, "watch", &["sync", "--watch", "--json"]);
    assert!(
        watching
            .wait_for(Duration::from_secs(30), |e| e["event"] == "listening")
            .is_some()
    );
    logs.run(
        &phone,
        &[
            "person",
            "add",
            "--name",
            "Katherine Johnson",
            "--notes",
            NOTES[2],
        ],
    );
    logs.run(&phone, &["sync"]);
    assert!(
        watching
            .wait_for(Duration::from_secs(30), |e| e["event"] == "synced")
            .is_some(),
        "the laptop synced with the phone"
    );
    drop(watching);

    // The HTTP API, with its token.
    let ui = laptop.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(ui.join("index.html"), "<!doctype html><title>R</title>").unwrap();
    let mut c = Logs::command(&laptop, &["serve", "--port", "0", "--json", "--ui"]);
    c.arg(&ui);
    let path = laptop.path().join("serve.log");
    logs.files.push(path.clone());
    let serving = Running::start_with_stderr(c, File::create(&path).unwrap());
    let started = serving
        .wait_for(Duration::from_secs(30), |v| v.get("url").is_some())
        .expect("serve printed its address");
    let url = started["url"].as_str().unwrap().to_string();
    let port = started["port"].as_u64().unwrap() as u16;
    let token = url.split("#token=").nth(1).unwrap().to_string();
    let body = json!({"op": "create", "args": {"kind": "person",
        "fields": {"name": "Mary Jackson", "research_notes": NOTES[3]}}});
    let answer = api_call(port, &token, &body.to_string());
    assert!(answer.contains(NOTES[3]), "{answer}");
    // A bad call too: errors are logged, and must not echo what they were given.
    let bad =
        json!({"op": "update", "args": {"id": "nope", "patch": {"research_notes": NOTES[3]}}});
    api_call(port, &token, &bad.to_string());
    drop(serving);

    // Everything reached both sides (so the notes did pass through the code that logs).
    let names = laptop.names("person");
    assert_eq!(
        names,
        [
            "Ada Lovelace",
            "Grace Hopper",
            "Katherine Johnson",
            "Mary Jackson"
        ]
    );

    let all = logs.all();
    assert!(
        all.contains("TRACE") || all.contains("DEBUG"),
        "logging was on at its most verbose ({} bytes)",
        all.len()
    );
    let ticket_secret = rapport_sync::Ticket::decode(&ticket).unwrap().secret.0;
    let mut secrets: Vec<(String, String)> = Vec::new();
    for n in NOTES {
        // The distinctive first word is enough: no part of a note may show.
        let word = n.split(' ').next().unwrap();
        secrets.push((format!("note {n:?}"), word.to_string()));
    }
    // Nor the names of the people (the devices' own names do show: they say which peer).
    for n in &names {
        secrets.push(("a person's name".into(), n.clone()));
    }
    secrets.push(("the ticket".into(), ticket.clone()));
    secrets.push(("the ticket's text".into(), ticket[20..60].to_string()));
    for s in spellings(&ticket_secret) {
        secrets.push(("the pairing secret".into(), s));
    }
    for (who, v) in [("laptop", &laptop), ("phone", &phone)] {
        for s in spellings(&key_bytes(v)) {
            secrets.push((format!("the {who}'s device key"), s));
        }
    }
    secrets.push(("the API token".into(), token.clone()));
    for (what, needle) in &secrets {
        assert!(
            !all.contains(needle.as_str()),
            "{what} is in the logs ({needle:?})"
        );
    }

    // After all that, the data directory and the key file are still the owner's alone.
    for v in [&laptop, &phone] {
        let dir = v.path().join("vault");
        let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
        let key = std::fs::metadata(dir.join("device.key")).unwrap();
        assert_eq!(key.permissions().mode() & 0o777, 0o600);
    }
}

/// One API call over raw HTTP; the response body.
fn api_call(port: u16, token: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let req = format!(
        "POST /api/call HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n\
         authorization: Bearer {token}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let value: Value =
        serde_json::from_str(text.split_once("\r\n\r\n").unwrap().1).unwrap_or(Value::Null);
    value.to_string()
}
