//! Bad input at the command line (RELIABILITY.md §6): arguments and imported files that are not
//! UTF-8 are refused with a clear message and exit code 2, and the vault stays as it was. The
//! API's own table of bad values is in crates/core/tests/core/bad_input.rs.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::Vault;

/// Bytes that are not UTF-8 (a Latin-1 "é" and a lone continuation byte).
const BAD: &[u8] = b"Ren\xe9e \x80Okafor";

/// The whole vault as a backup (records only: the same bytes when nothing changed).
fn backup(v: &Vault) -> String {
    v.ok(&["export", "json"])
}

#[test]
fn arguments_that_are_not_utf8_are_refused_and_change_nothing() {
    let v = Vault::new();
    let id = v
        .ok(&["person", "add", "--name", "Ada Okafor"])
        .trim()
        .to_string();
    let before = backup(&v);
    let bad = OsStr::from_bytes(BAD);
    let commands: Vec<Vec<&OsStr>> = vec![
        vec!["person".as_ref(), "add".as_ref(), "--name".as_ref(), bad],
        vec![
            "person".as_ref(),
            "edit".as_ref(),
            id.as_ref(),
            "--role".as_ref(),
            bad,
        ],
        vec!["person".as_ref(), "show".as_ref(), bad],
        vec!["person".as_ref(), "rm".as_ref(), bad],
        vec!["org".as_ref(), "add".as_ref(), "--name".as_ref(), bad],
        vec!["goal".as_ref(), "add".as_ref(), "--name".as_ref(), bad],
        vec!["task".as_ref(), "add".as_ref(), "--title".as_ref(), bad],
        vec!["search".as_ref(), bad],
        vec!["stage".as_ref(), id.as_ref(), bad],
        vec!["today".as_ref(), "--tz".as_ref(), bad],
        vec!["export".as_ref(), bad],
        vec!["import".as_ref(), bad, "file.csv".as_ref()],
        vec!["link".as_ref(), id.as_ref(), bad],
    ];
    for args in commands {
        let out = v.command(&[]).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("UTF-8"),
            "{args:?}: the message does not say why: {err}"
        );
        assert!(out.stdout.is_empty(), "{args:?} printed something");
    }
    assert_eq!(backup(&v), before, "a refused command changed the vault");
}

#[test]
fn imported_files_that_are_not_utf8_are_refused_and_change_nothing() {
    let v = Vault::new();
    v.ok(&["person", "add", "--name", "Ada Okafor"]);
    let before = backup(&v);
    let with_bad = |text: &str| {
        let (head, tail) = text.split_once("NAME").unwrap();
        [head.as_bytes(), BAD, tail.as_bytes()].concat()
    };
    let files = [
        (
            "linkedin",
            with_bad(
                "Notes:\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nNAME,Okafor,,,Acme,Engineer,01 Mar 2024\n",
            ),
        ),
        (
            "vcard",
            with_bad("BEGIN:VCARD\nVERSION:3.0\nFN:NAME\nEND:VCARD\n"),
        ),
        (
            "google-csv",
            with_bad("First Name,Last Name,E-mail 1 - Value\nNAME,Okafor,renee@example.org\n"),
        ),
        (
            "json",
            with_bad(
                r#"{"format": "rapport-backup", "version": 1, "records": [{"kind": "person", "name": "NAME"}]}"#,
            ),
        ),
    ];
    for (format, bytes) in files {
        let file = v.path().join(format!("contacts.{format}"));
        std::fs::write(&file, bytes).unwrap();
        for dry_run in [false, true] {
            let mut args = vec!["import", format, file.to_str().unwrap()];
            if dry_run {
                args.push("--dry-run");
            }
            let err = v.fails(2, &args);
            assert!(
                err.contains("UTF-8")
                    || err.contains("unicode")
                    || err.contains("not a Rapport backup"),
                "{format}: the message does not say why: {err}"
            );
            assert!(err.lines().count() <= 3, "{format}: {err}");
        }
    }
    assert_eq!(backup(&v), before, "a refused import changed the vault");
}

/// Escape sequences that retitle a terminal, clear it or recolour it: in the ESC, OSC, C1 and
/// carriage-return shapes.
const DRIVERS: [&str; 4] = [
    "\u{1b}]0;owned\u{7}",
    "\u{1b}[2J\u{1b}[H",
    "\u{9b}31m",
    "over\rwrite",
];

/// Nothing printed by `rapport` holds a control character but newline and tab.
fn assert_clean(what: &str, text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n' && *c != '\t')
        .collect();
    assert!(bad.is_empty(), "{what} printed {bad:?}: {text:?}");
}

/// Text that could drive a terminal is cleaned out at every door (arguments, every import) and
/// never printed raw, even when an older vault already holds it.
#[test]
fn text_that_could_drive_a_terminal_is_cleaned_and_never_printed_raw() {
    let v = Vault::new();
    for (i, d) in DRIVERS.iter().enumerate() {
        let id = v
            .ok(&[
                "person",
                "add",
                "--name",
                &format!("Person {i}"),
                "--role",
                &format!("Lead{d}"),
                "--location",
                d,
                "--source-detail",
                d,
                "--tag",
                &format!("t{d}"),
            ])
            .trim()
            .to_string();
        let shown = v.ok(&["person", "show", &id]);
        assert_clean("person show", &shown);
        assert!(shown.contains("Lead"), "{shown}");
    }
    let vcard = format!(
        "BEGIN:VCARD\nVERSION:3.0\nFN:Vera Card\nTITLE:Chief{}\nNOTE:Met{}\nEND:VCARD\n",
        DRIVERS[0], DRIVERS[1]
    );
    let file = v.path().join("c.vcf");
    std::fs::write(&file, vcard).unwrap();
    let out = v.ok(&["import", "vcard", file.to_str().unwrap()]);
    assert_clean("import", &out);
    let linkedin = format!(
        "First Name,Last Name,URL,Email Address,Company,Position,Connected On\nLin,Ked,,,Acme,Boss{},01 Mar 2024\n",
        DRIVERS[2]
    );
    let file = v.path().join("c.csv");
    std::fs::write(&file, linkedin).unwrap();
    v.ok(&["import", "linkedin", file.to_str().unwrap()]);
    let backup = v.ok(&["export", "json"]);
    for d in DRIVERS {
        let escaped = serde_json::to_string(d).unwrap();
        assert!(
            !backup.contains(escaped.trim_matches('"')),
            "stored as it came: {d:?}"
        );
    }
    assert_clean("person list", &v.ok(&["person", "list"]));

    // A vault from before the rule: the text is in the store already.
    let old = Vault::new();
    old.ok(&["person", "list"]);
    let olde = {
        let store = rapport_core::model::Record {
            meta: rapport_core::model::Meta::new_at(rapport_core::model::Timestamp::from_millis(
                1_765_000_000_000,
            )),
            body: rapport_core::model::Body::Person(rapport_core::model::Person {
                name: "Olde".into(),
                role: Some(format!("Role{}", DRIVERS[0])),
                ..Default::default()
            }),
        };
        let s = rapport_store::Store::open(
            &old.path().join("vault"),
            rapport_store::StoreOptions::default(),
        )
        .unwrap();
        let id = store.id();
        s.write(id, |_| Ok::<_, std::convert::Infallible>(store.clone()))
            .unwrap()
            .unwrap();
        id.to_string()
    };
    let listed = old.ok(&["person", "list"]);
    assert_clean("person list of an older vault", &listed);
    assert!(listed.contains("\\u{1b}"), "shown escaped: {listed}");
    assert_clean("person show", &old.ok(&["person", "show", &olde]));
}

/// CSV cells that a spreadsheet would run as formulas come out as text.
#[test]
fn csv_exports_neutralise_formulas() {
    let v = Vault::new();
    v.ok(&[
        "person",
        "add",
        "--name",
        "=HYPERLINK(\"http://x.example\",\"x\")",
        "--role",
        "+cmd|' /C calc'!A0",
        "--location",
        "@SUM(1+1)",
        "--phone",
        "+44 20 7946 0958",
    ]);
    v.ok(&["org", "add", "--name=-2+3", "--industry", "=1+1"]);
    let people = v.ok(&["export", "people-csv"]);
    let orgs = v.ok(&["export", "orgs-csv"]);
    let mut rows = csv::Reader::from_reader(people.as_bytes());
    let row = rows.records().next().unwrap().unwrap();
    for cell in row.iter().chain(
        csv::Reader::from_reader(orgs.as_bytes())
            .records()
            .next()
            .unwrap()
            .unwrap()
            .iter(),
    ) {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a cell a spreadsheet runs: {cell:?}"
        );
    }
    assert!(people.contains("'=HYPERLINK"), "{people}");
    assert!(people.contains("'+44 20 7946 0958"), "{people}");
}

/// The smaller things of issue 16, each as a user meets it.
#[test]
fn small_rough_edges_give_one_clear_line() {
    let v = Vault::new();
    // A name of 300 characters of two bytes each: its Markdown note is written.
    let long = "é".repeat(300);
    v.ok(&["person", "add", "--name", &long]);
    let md = v.path().join("md");
    v.ok(&["export", "markdown", "--out", md.to_str().unwrap()]);
    assert_eq!(std::fs::read_dir(&md).unwrap().count(), 1);

    // An import file far over the cap: refused at once, naming the cap, nothing read further.
    let before = backup(&v);
    let err = v.fails(2, &["import", "vcard", "/dev/zero"]);
    assert!(err.contains("256 MB"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(backup(&v), before);

    // An empty tag is a mistake to point out.
    let err = v.fails(2, &["person", "add", "--name", "Tess", "--tag", ""]);
    assert!(err.contains("tags[0]"), "{err}");

    // A bad time zone on a vault without a profile names the time zone.
    let err = v.fails(2, &["profile", "set", "--time-zone", "Bad/Zone"]);
    assert!(err.contains("time_zone"), "{err}");
    // A good setting on a vault without a profile says the first save needs a name too.
    let err = v.fails(
        2,
        &["profile", "set", "--relay", "https://relay.example.org"],
    );
    assert!(
        err.contains("no profile yet") && err.contains("name"),
        "{err}"
    );
    v.ok(&[
        "profile",
        "set",
        "--name",
        "Tess",
        "--relay",
        "https://relay.example.org",
    ]);
    // Once there is one, a relay alone is enough.
    v.ok(&["profile", "set", "--relay", "https://relay2.example.org"]);

    // A mistyped argument: one line, exit 2.
    let err = v.fails(2, &["person", "add", "--nmae", "x"]);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--nmae"), "{err}");

    // An expired ticket is bad input (2), said before anything is dialed.
    let mut inviting = crate::running::Running::start(v.command(&["pair", "--json"]));
    let offer = inviting
        .wait_for(std::time::Duration::from_secs(30), |o| {
            o.get("ticket").is_some()
        })
        .unwrap();
    let mut ticket = rapport_sync::Ticket::decode(offer["ticket"].as_str().unwrap()).unwrap();
    drop(inviting.kill_and_collect(std::time::Duration::from_secs(10)));
    ticket.expires_at = rapport_core::model::Timestamp::from_millis(1_700_000_000_000);
    let other = Vault::new();
    let err = other.fails(2, &["pair", "--join", &ticket.encode()]);
    assert!(err.contains("expired"), "{err}");
}
