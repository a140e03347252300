//! `rapport serve`: the web UI and the API over HTTP, on 127.0.0.1 only.
//!
//! The API (`POST /api/call` with a [`Call`] as JSON) answers only requests that carry the token
//! made at launch (`Authorization: Bearer …`), so other local users and web pages cannot read
//! the vault. The token travels in the printed URL's fragment, which browsers never send to a
//! server or put in a `Referer`. No CORS headers are ever sent, and requests whose `Host` is not
//! this server's own address are refused (a page on another name resolving to 127.0.0.1 gets
//! nothing either).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use rapport_core::{ApiError, Call, ErrorCode, Rapport};
use subtle::ConstantTimeEq;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body: a call is small, an imported address book or backup is not (a
/// backup of a 1k-people vault is ~5 MB; larger ones are restored with `rapport import json`).
const MAX_BODY: usize = 16 * 1024 * 1024;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 7411)]
    pub port: u16,
    /// The built web UI [default: ui/dist beside the program's sources, or RAPPORT_UI_DIR].
    #[arg(long, env = "RAPPORT_UI_DIR", value_name = "DIR")]
    pub ui: Option<PathBuf>,
    /// Sync with the vault's other devices in the background: on or off (the network settings
    /// are those of `rapport sync`: RAPPORT_RELAY, RAPPORT_MDNS, RAPPORT_BIND).
    #[arg(long, env = "RAPPORT_SYNC", default_value = "on")]
    pub sync: String,
}

struct Server {
    app: Rapport,
    token: String,
    /// The `Host` values this server answers to.
    hosts: Vec<String>,
    /// The built UI's folder, resolved: no file outside it is served, whatever links inside
    /// it point at.
    ui: Option<PathBuf>,
}

/// How long a client may take to send a request's headers (a page on 127.0.0.1 sends them at
/// once): a connection that has not finished them by then is closed.
const HEADER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Whether the file `uri_path` names lies inside the UI's folder once links are followed (a
/// path to nothing is the UI's own route, answered with its page).
fn inside_ui(ui: &Path, uri_path: &str) -> bool {
    let decoded = percent_encoding::percent_decode_str(uri_path).decode_utf8_lossy();
    let mut path = ui.to_path_buf();
    for part in decoded.split('/') {
        match part {
            "" | "." => {}
            ".." => return false,
            part => path.push(part),
        }
    }
    match path.canonicalize() {
        Ok(real) => real.starts_with(ui),
        Err(_) => true,
    }
}

/// A fresh random token: 32 bytes, hex.
fn new_token() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the built UI is: `--ui`, else `ui/dist` of the source tree this program was built from.
fn ui_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist"))
}

fn status_of(e: &ApiError) -> StatusCode {
    match e.code {
        ErrorCode::Validation => StatusCode::BAD_REQUEST,
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Refused => StatusCode::FORBIDDEN,
        ErrorCode::AlreadyOpen => StatusCode::CONFLICT,
        ErrorCode::Network => StatusCode::BAD_GATEWAY,
        ErrorCode::Storage | ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_response(status: StatusCode, e: &ApiError) -> Response {
    (status, axum::Json(e)).into_response()
}

/// Refuses any `/api/` request without the token, and any request for another host.
async fn guard(
    State(server): State<Arc<Server>>,
    req: axum::extract::Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    if !server.hosts.iter().any(|h| h == host) {
        let e = ApiError::new(ErrorCode::Refused, "this server answers only to 127.0.0.1");
        return error_response(StatusCode::MISDIRECTED_REQUEST, &e);
    }
    let path = req.uri().path();
    if !path.starts_with("/api/") && server.ui.as_ref().is_some_and(|ui| !inside_ui(ui, path)) {
        let e = ApiError::not_found("that file");
        return error_response(StatusCode::NOT_FOUND, &e);
    }
    if req.uri().path().starts_with("/api/") && !has_token(req.headers(), &server.token) {
        let e = ApiError::new(
            ErrorCode::Refused,
            "missing or wrong token: open the address `rapport serve` printed",
        );
        return error_response(StatusCode::UNAUTHORIZED, &e);
    }
    // A declared length over the cap is refused before a byte of the body is read; a body
    // without a length (chunked) is cut off at the cap by the body limit layer instead.
    if declared_length(req.headers()).is_some_and(|n| n > MAX_BODY as u64) {
        let e = ApiError::validation(
            "body",
            format!(
                "a request body may hold at most {} MB: import a larger file with `rapport import`",
                MAX_BODY / (1024 * 1024)
            ),
        );
        return error_response(StatusCode::PAYLOAD_TOO_LARGE, &e);
    }
    next.run(req).await
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().parse().ok())
}

fn has_token(headers: &HeaderMap, token: &str) -> bool {
    let Some(given) = headers
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
    else {
        return false;
    };
    bool::from(given.as_bytes().ct_eq(token.as_bytes()))
}

/// `POST /api/call`: one [`Call`] in, its result out.
async fn call(State(server): State<Arc<Server>>, body: Bytes) -> Response {
    // A body may be 16 MB of JSON: parsed where it cannot hold up the other calls.
    let result = match tokio::task::block_in_place(|| Call::from_json(&body)) {
        Ok(call) => server.app.dispatch(call).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(value) => axum::Json(value).into_response(),
        Err(e) => {
            if !e.is_bad_input() {
                tracing::warn!(code = ?e.code, "call failed");
            }
            error_response(status_of(&e), &e)
        }
    }
}

/// `GET /api/events`: the app's events (sync, reminders) as a server-sent event stream, one JSON
/// object per event.
async fn events(State(server): State<Arc<Server>>) -> Response {
    use axum::response::sse::{Event, KeepAlive, Sse};
    let rx = server.app.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(e) => {
                    let data = serde_json::to_string(&e).unwrap_or_default();
                    return Some((
                        Ok::<_, std::convert::Infallible>(Event::default().data(data)),
                        rx,
                    ));
                }
                // A slow reader missed some events: go on with the next ones.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

async fn no_such_api() -> Response {
    let e = ApiError::new(
        ErrorCode::NotFound,
        "no such API path: every call is POST /api/call",
    );
    error_response(StatusCode::NOT_FOUND, &e)
}

fn router(server: Arc<Server>, ui: &Path) -> Router {
    let index = ui.join("index.html");
    // Unknown paths are the UI's own routes: answer them with the page.
    let files = ServeDir::new(ui).fallback(ServeFile::new(index));
    Router::new()
        .route("/api/call", post(call))
        .route("/api/events", axum::routing::get(events))
        .route("/api/{*rest}", axum::routing::any(no_such_api))
        .fallback_service(files)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(server.clone(), guard))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                 connect-src 'self'; frame-ancestors 'none'",
            ),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .with_state(server)
}

/// Serves until interrupted (Ctrl-C).
pub async fn serve(app: Rapport, args: ServeArgs, json: bool) -> Result<(), ApiError> {
    let ui = ui_dir(args.ui);
    if !ui.join("index.html").is_file() {
        tracing::warn!("no built UI found; the API is served alone");
        eprintln!(
            "warning: no built UI in {} (build it with `npm --prefix ui ci && npm --prefix ui run build`, or pass --ui DIR); serving the API only",
            ui.display()
        );
    }
    match args.sync.trim() {
        "off" => {}
        "on" => {
            let config = rapport_core::node_config_from_env()?;
            if let Err(e) = app.start_sync(config).await {
                // The app works offline all the same; the devices screen says why.
                eprintln!("warning: sync did not start: {}", e.message);
            }
        }
        other => {
            return Err(ApiError::validation(
                "sync",
                format!("'{other}' is neither on nor off"),
            ));
        }
    }
    app.start_reminders();
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        ApiError::new(
            ErrorCode::Network,
            format!("cannot listen on {addr}: {e} (try another --port, or --port 0)"),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| ApiError::new(ErrorCode::Network, e.to_string()))?
        .port();
    let token = new_token();
    let url = format!("http://127.0.0.1:{port}/#token={token}");
    let server = Arc::new(Server {
        app,
        token,
        hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")],
        ui: ui.canonicalize().ok(),
    });
    if json {
        say!("{}", serde_json::json!({ "url": url, "port": port }));
    } else {
        say!("Rapport is open at {url}");
        say!("(the address holds this launch's key: keep it to yourself; Ctrl-C stops)");
    }
    accept(listener, router(server, &ui)).await;
    Ok(())
}

/// Serves connections until Ctrl-C, each with a deadline for its request headers
/// ([`HEADER_TIMEOUT`]); then lets the requests under way finish (for at most 2 s).
async fn accept(listener: tokio::net::TcpListener, app: Router) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        let (stream, _) = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                // Out of descriptors, say: wait a moment rather than spin.
                Err(e) => {
                    tracing::warn!(%e, "accepting a connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(HEADER_TIMEOUT)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), graceful.shutdown()).await;
}
