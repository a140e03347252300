//! `rapport serve`: the UI's files and the token-protected API over HTTP on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};

use super::Vault;
use super::running::Running;

/// A raw HTTP/1.1 exchange (no client library: the test sees exactly what a browser would).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    http_within(Duration::from_secs(10), port, method, path, headers, body)
}

fn http_within(
    limit: Duration,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String, String) {
    http_declaring(limit, port, method, path, headers, body.len(), body)
}

/// Like [`http`], with a `content-length` that may differ from what is sent.
fn http_declaring(
    limit: Duration,
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    content_length: usize,
    body: &str,
) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(limit)).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nconnection: close\r\ncontent-length: {content_length}\r\n"
    );
    if !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
        req.push_str(&format!("host: 127.0.0.1:{port}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    read_answer(s)
}

/// Reads an HTTP answer to its end: (status, lower-cased head, body).
fn read_answer(mut s: TcpStream) -> (u16, String, String) {
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_ascii_lowercase(), rest.to_string())
}

/// Starts `rapport serve` on a free port with a tiny UI; returns the process, the port and the token.
fn serve(v: &Vault) -> (Running, u16, String) {
    let ui = v.path().join("ui");
    std::fs::create_dir_all(&ui).unwrap();
    std::fs::write(
        ui.join("index.html"),
        "<!doctype html><title>Rapport</title>",
    )
    .unwrap();
    let mut c = v.command(&["serve", "--port", "0", "--json", "--ui"]);
    c.arg(&ui);
    let running = Running::start(c);
    let started = running
        .wait_for(Duration::from_secs(30), |v| v.get("url").is_some())
        .expect("serve printed its address");
    let url = started["url"].as_str().unwrap().to_string();
    let port = started["port"].as_u64().unwrap() as u16;
    let token = url.split("#token=").nth(1).unwrap().to_string();
    assert!(
        url.starts_with(&format!("http://127.0.0.1:{port}/")),
        "{url}"
    );
    assert_eq!(token.len(), 64);
    (running, port, token)
}

fn call(port: u16, token: &str, body: Value) -> (u16, Value) {
    call_within(port, token, body, Duration::from_secs(10))
}

/// Like [`call`], waiting up to `limit` for the answer (a large import in a debug build).
fn call_within(port: u16, token: &str, body: Value, limit: Duration) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let (status, _, text) = http_within(
        limit,
        port,
        "POST",
        "/api/call",
        &[
            ("authorization", &auth),
            ("content-type", "application/json"),
        ],
        &body.to_string(),
    );
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[test]
fn the_api_answers_only_with_the_launch_token() {
    let v = Vault::new();
    let (_server, port, token) = serve(&v);
    let create =
        json!({"op": "create", "args": {"kind": "person", "fields": {"name": "Ada Lovelace"}}});

    let (status, _, body) = http(port, "POST", "/api/call", &[], &create.to_string());
    assert_eq!(status, 401, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "refused"
    );
    let (status, _) = call(port, &"0".repeat(64), create.clone());
    assert_eq!(status, 401);
    let (status, _, _) = http(port, "GET", "/api/anything", &[], "");
    assert_eq!(status, 401);

    let (status, person) = call(port, &token, create);
    assert_eq!(status, 200, "{person}");
    assert_eq!(person["name"], "Ada Lovelace");
    let (status, page) = call(
        port,
        &token,
        json!({"op": "list", "args": {"kind": "person"}}),
    );
    assert_eq!(status, 200);
    assert_eq!(page["total"], 1);
}

#[test]
fn bad_calls_are_refused_with_the_fix_and_change_nothing() {
    let v = Vault::new();
    let (_server, port, token) = serve(&v);
    for (bad, status, code) in [
        (
            json!({"op": "create", "args": {"kind": "person", "fields": {"name": ""}}}),
            400,
            "validation",
        ),
        (
            json!({"op": "get", "args": {"id": "nope"}}),
            400,
            "validation",
        ),
        (
            json!({"op": "get", "args": {"id": "01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a"}}),
            404,
            "not_found",
        ),
        (json!({"op": "drop_everything"}), 400, "validation"),
        (json!([1, 2, 3]), 400, "validation"),
    ] {
        let (got, err) = call(port, &token, bad.clone());
        assert_eq!(got, status, "{bad} → {err}");
        assert_eq!(err["code"], code, "{bad} → {err}");
        assert!(!err["message"].as_str().unwrap().is_empty());
    }
    let auth = format!("Bearer {token}");
    let (status, _, _) = http(
        port,
        "POST",
        "/api/call",
        &[("authorization", &auth)],
        "{\"op\": ",
    );
    assert_eq!(status, 400);
    // A body over the cap is refused from its declared length, before the client sends it (a
    // server that stops reading mid-body would reset the connection under the client's feet).
    let (status, _, text) = http_declaring(
        Duration::from_secs(10),
        port,
        "POST",
        "/api/call",
        &[("authorization", &auth)],
        17 * 1024 * 1024,
        "",
    );
    assert_eq!(status, 413, "a body over the cap is refused: {text}");
    assert!(text.contains("at most 16 MB"), "{text}");
    let (_, page) = call(
        port,
        &token,
        json!({"op": "list", "args": {"kind": "person"}}),
    );
    assert_eq!(page["total"], 0);
}

#[test]
fn other_hosts_and_origins_get_nothing_and_the_ui_is_served() {
    let v = Vault::new();
    let (_server, port, token) = serve(&v);
    let auth = format!("Bearer {token}");
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) is refused outright.
    let (status, _, _) = http(port, "GET", "/", &[("host", "evil.example")], "");
    assert_eq!(status, 421);
    let list = json!({"op": "list", "args": {"kind": "person"}}).to_string();
    let (status, _, _) = http(
        port,
        "POST",
        "/api/call",
        &[("host", "evil.example"), ("authorization", &auth)],
        &list,
    );
    assert_eq!(status, 421);
    // No CORS: a preflight gets no permission, and no answer carries one.
    let (status, head, _) = http(
        port,
        "OPTIONS",
        "/api/call",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "POST"),
        ],
        "",
    );
    assert!(
        !head.contains("access-control-allow-origin"),
        "{status} {head}"
    );
    let (_, head, _) = http(
        port,
        "POST",
        "/api/call",
        &[("origin", "https://evil.example"), ("authorization", &auth)],
        &list,
    );
    assert!(!head.contains("access-control-allow-origin"), "{head}");
    // The UI: its page, and the page again for the UI's own routes.
    for path in ["/", "/index.html", "/people/123"] {
        let (status, head, body) = http(port, "GET", path, &[], "");
        assert_eq!(status, 200, "{path}");
        assert!(body.contains("<title>Rapport</title>"), "{path}: {body}");
        assert!(head.contains("content-security-policy"), "{head}");
    }
}

#[test]
fn events_stream_to_the_token_holder_only() {
    let v = Vault::new();
    let (_server, port, token) = serve(&v);
    let (status, _, _) = http(port, "GET", "/api/events", &[], "");
    assert_eq!(status, 401);
    // With the token the stream opens (read only its head: it does not end).
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        s,
        "GET /api/events HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\nauthorization: Bearer {token}\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
}

/// A client that never finishes its request headers is cut off (after 5 s), instead of
/// holding a connection for minutes; the UI's folder is served without following links out of
/// it.
#[test]
fn slow_headers_are_cut_off_and_links_out_of_the_ui_are_not_followed() {
    let v = Vault::new();
    let (_server, port, _token) = serve(&v);
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nhost: 127.0.0.1\r\nx-slow: ")
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    // The server closes the connection (an answer, if any, then end of stream).
    let _ = s.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(12),
        "a half-sent request held its connection for {:?}",
        started.elapsed()
    );

    let secret = v.path().join("secret.txt");
    std::fs::write(&secret, "not for the browser").unwrap();
    std::os::unix::fs::symlink(&secret, v.path().join("ui/leak.txt")).unwrap();
    std::fs::write(v.path().join("ui/app.js"), "console.log(1)").unwrap();
    let (status, _, body) = http(port, "GET", "/leak.txt", &[], "");
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("not for the browser"));
    let (status, _, body) = http(port, "GET", "/%2e%2e/secret.txt", &[], "");
    assert!(!body.contains("not for the browser"), "{status} {body}");
    let (status, _, body) = http(port, "GET", "/app.js", &[], "");
    assert_eq!((status, body.as_str()), (200, "console.log(1)"));
}

/// Two large imports through the API at once do not hold up the app's other calls: a plain
/// `list` keeps answering while both run (it waited behind them for a minute before: they
/// parsed on the server's async threads). Latency figures are in BENCHMARKS.md.
#[test]
fn other_calls_answer_while_two_large_imports_run() {
    let v = Vault::new();
    let (_server, port, token) = serve(&v);
    let card = |k: usize, i: usize| {
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Imported {k} {i}\r\nEMAIL:p{k}.{i}@example.org\r\n\
             ORG:Org {}\r\nTITLE:Analyst\r\nURL:https://example.org/{k}/{i}\r\nEND:VCARD\r\n",
            i % 300
        )
    };
    let imports: Vec<_> = (0..2)
        .map(|k| {
            let text: String = (0..8000).map(|i| card(k, i)).collect();
            let token = token.clone();
            std::thread::spawn(move || {
                call_within(
                    port,
                    &token,
                    json!({"op": "import_contacts", "args": {"format": "vcard", "text": text}}),
                    Duration::from_secs(600),
                )
            })
        })
        .collect();
    let mut answered_during = 0;
    let mut slowest = Duration::ZERO;
    let deadline = std::time::Instant::now() + Duration::from_secs(600);
    while imports.iter().any(|t| !t.is_finished()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the imports never ended"
        );
        let started = std::time::Instant::now();
        let (status, _) = call(
            port,
            &token,
            json!({"op": "list", "args": {"kind": "person", "limit": 20}}),
        );
        let took = started.elapsed();
        assert_eq!(status, 200);
        if imports.iter().all(|t| !t.is_finished()) {
            answered_during += 1;
            slowest = slowest.max(took);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for t in imports {
        let (status, report) = t.join().unwrap();
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["created"], 8000, "{report}");
    }
    assert!(
        answered_during >= 3,
        "only {answered_during} list calls were answered while both imports ran"
    );
    assert!(
        slowest < Duration::from_secs(5),
        "a list call waited {slowest:?} behind the imports"
    );
    println!("list during two imports: {answered_during} calls, slowest {slowest:?}");
}
