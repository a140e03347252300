//! `rapport dev bench-imports`: imports of hostile and large files (issue 16). Each file is
//! previewed (`--dry-run`) in a new process that reports its time and peak memory; then two
//! large imports run at once through `rapport serve` while a `list` call is timed every 20 ms.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rapport_core::ApiError;
use rapport_core::import::ContactFormat;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::dev::{internal, peak_rss_kb, percentile, sorted, work_dir_or_temp};

/// What `dev import-peak` reports about one preview.
#[derive(Serialize, Deserialize)]
pub(crate) struct PreviewReport {
    ms: f64,
    peak_rss_kb: u64,
    rows: u64,
}

/// (helper) Previews an import of `file` into the vault, in this process; prints a
/// [`PreviewReport`].
pub(crate) async fn import_peak(
    app: &rapport_core::Rapport,
    format: &str,
    file: &Path,
) -> Result<(), ApiError> {
    let format = ContactFormat::parse(format).ok_or_else(|| internal("unknown format"))?;
    let started = Instant::now();
    let text = std::fs::read_to_string(file).map_err(internal)?;
    let opts = rapport_core::import::ImportOptions {
        dry_run: true,
        skip_invalid: true,
    };
    let report = app.import_contacts(format, &text, opts, &|_, _| {}).await?;
    let out = PreviewReport {
        ms: started.elapsed().as_secs_f64() * 1e3,
        peak_rss_kb: peak_rss_kb(),
        rows: report.created + report.updated + report.unchanged + report.invalid.len() as u64,
    };
    say!("{}", serde_json::to_string(&out).map_err(internal)?);
    Ok(())
}

fn cards(n: usize, body: impl Fn(usize) -> String) -> String {
    (0..n)
        .map(|i| format!("BEGIN:VCARD\r\nVERSION:3.0\r\n{}END:VCARD\r\n", body(i)))
        .collect()
}

/// The files: (name, format, contents).
fn files() -> Vec<(&'static str, &'static str, String)> {
    let one_card = |lines: String| {
        format!("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Many Lines\r\n{lines}END:VCARD\r\n")
    };
    let urls: String = (0..20_000)
        .map(|i| format!("URL:https://example.org/p/{i:05}\r\n"))
        .collect();
    let emails: String = (0..100_000)
        .map(|i| format!("EMAIL:m{i}@example.org\r\n"))
        .collect();
    let mut google = String::from("First Name,Last Name");
    for n in 1..=30_000 {
        google.push_str(&format!(",E-mail {n} - Label,E-mail {n} - Value"));
    }
    google.push_str("\nMany,Columns");
    for n in 1..=30_000 {
        google.push_str(&format!(",Work,c{n}@example.org"));
    }
    google.push('\n');
    let contacts = cards(20_000, |i| {
        format!(
            "FN:Person {i}\r\nN:{i};Person;;;\r\nEMAIL;TYPE=work:p{i}@example.org\r\n\
             TEL;TYPE=cell:+44 20 7946 {:04}\r\nORG:Company {}\r\nTITLE:Analyst\r\n\
             NOTE:Met at the spring meet-up\\, talked about grids and storage.\r\n",
            i % 10_000,
            i % 700
        )
    });
    let mut linkedin = String::from(
        "Notes:\n\"When exporting your connection data, you may notice...\"\n\n\
         First Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    );
    for i in 0..30_000 {
        linkedin.push_str(&format!(
            "Person,Number {i},https://www.linkedin.com/in/person-{i},,Company {},Role {},01 Mar 2024\n",
            i % 800,
            i % 17
        ));
    }
    vec![
        ("one card, 20,000 URL lines", "vcard", one_card(urls)),
        ("one card, 100,000 EMAIL lines", "vcard", one_card(emails)),
        ("Google CSV, 30,000 e-mail columns", "google-csv", google),
        ("vCard, 20,000 contacts", "vcard", contacts),
        ("LinkedIn, 30,000 connections", "linkedin", linkedin),
    ]
}

/// A minimal HTTP/1.1 POST of a call to `rapport serve` (the server closes after answering).
fn post_call(port: u16, token: &str, body: &Value) -> Result<(u16, Value), ApiError> {
    let body = body.to_string();
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(internal)?;
    s.set_read_timeout(Some(Duration::from_secs(600)))
        .map_err(internal)?;
    write!(
        s,
        "POST /api/call HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nconnection: close\r\n\
         authorization: Bearer {token}\r\ncontent-type: application/json\r\n\
         content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .map_err(internal)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).map_err(internal)?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, serde_json::from_str(rest).unwrap_or(Value::Null)))
}

/// Two imports of `text` at once through a new `rapport serve` on `vault`, and `list` timed
/// every 20 ms until both end: (latencies in ms, the imports' own time).
fn list_during_imports(exe: &Path, vault: &Path, text: &str) -> Result<(Vec<f64>, f64), ApiError> {
    let mut server = Command::new(exe)
        .arg("--data-dir")
        .arg(vault)
        .args(["serve", "--port", "0", "--json", "--sync", "off"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(internal)?;
    let out = server.stdout.take().ok_or_else(|| internal("no output"))?;
    let mut first = String::new();
    BufReader::new(out)
        .read_line(&mut first)
        .map_err(internal)?;
    let started: Value = serde_json::from_str(&first).map_err(internal)?;
    let port = started["port"].as_u64().unwrap_or(0) as u16;
    let url = started["url"].as_str().unwrap_or_default();
    let token = url.split("#token=").nth(1).unwrap_or_default().to_string();
    let began = Instant::now();
    let imports: Vec<_> = (0..2)
        .map(|k| {
            // The second file's names differ, so both imports create people.
            let text = text.replace("Person ", &format!("Person{k} "));
            let token = token.clone();
            std::thread::spawn(move || {
                post_call(
                    port,
                    &token,
                    &json!({"op": "import_contacts", "args": {"format": "vcard", "text": text}}),
                )
            })
        })
        .collect();
    let mut latencies = Vec::new();
    while imports.iter().any(|t| !t.is_finished()) {
        let t = Instant::now();
        let (status, _) = post_call(
            port,
            &token,
            &json!({"op": "list", "args": {"kind": "person", "limit": 50}}),
        )?;
        if status != 200 {
            return Err(internal(format!("list answered {status}")));
        }
        if imports.iter().all(|t| !t.is_finished()) {
            latencies.push(t.elapsed().as_secs_f64() * 1e3);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let took = began.elapsed().as_secs_f64();
    for t in imports {
        let (status, report) = t
            .join()
            .map_err(|_| internal("an import thread panicked"))??;
        if status != 200 {
            return Err(internal(format!("an import answered {status}: {report}")));
        }
    }
    let _ = server.kill();
    let _ = server.wait();
    Ok((latencies, took))
}

pub(crate) fn bench_imports(work_dir: Option<PathBuf>) -> Result<(), ApiError> {
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    std::fs::create_dir_all(&work).map_err(internal)?;
    let exe = std::env::current_exe().map_err(internal)?;
    say!("| file | size MB | preview s | peak RSS MB | 4× file + 100 MB |");
    say!("|---|---|---|---|---|");
    let mut contacts = String::new();
    for (i, (name, format, text)) in files().into_iter().enumerate() {
        let file = work.join(format!("import-{i}.{format}"));
        std::fs::write(&file, &text).map_err(internal)?;
        let vault = work.join(format!("import-vault-{i}"));
        let _ = std::fs::remove_dir_all(&vault);
        let out = Command::new(&exe)
            .arg("--data-dir")
            .arg(&vault)
            .args(["dev", "import-peak", format])
            .arg(&file)
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .map_err(internal)?;
        if !out.status.success() {
            return Err(internal(format!("previewing {name} failed")));
        }
        let r: PreviewReport = serde_json::from_slice(&out.stdout).map_err(internal)?;
        let mb = text.len() as f64 / 1e6;
        say!(
            "| {name} | {mb:.2} | {:.2} | {:.0} | {:.0} |",
            r.ms / 1e3,
            r.peak_rss_kb as f64 / 1e3,
            4.0 * mb + 100.0
        );
        if name.starts_with("vCard, 20,000") {
            contacts = text;
        }
        let _ = std::fs::remove_dir_all(&vault);
    }
    let vault = work.join("serve-vault");
    let _ = std::fs::remove_dir_all(&vault);
    let (lat, took) = list_during_imports(&exe, &vault, &contacts)?;
    let lat = sorted(lat);
    say!(
        "\n`list` through `rapport serve` while two imports of the 20,000-contact vCard ran \
         ({took:.1} s): {} calls, p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        lat.len(),
        percentile(&lat, 50.0),
        percentile(&lat, 95.0),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    let _ = std::fs::remove_dir_all(&vault);
    Ok(())
}
