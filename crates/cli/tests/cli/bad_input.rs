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
