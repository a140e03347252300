//! `rapport relay`: a relay of the user's own, for devices that share no network. It is
//! iroh's relay server (the `iroh-relay` crate), serving plain HTTP: put it behind a TLS
//! proxy on a public server, or run `iroh-relay` itself with a certificate (docs/sync.md).
//! The relay forwards packets encrypted end to end between devices: it never opens a vault.

use std::net::SocketAddr;

use clap::Args;
use iroh_relay::server::{RelayConfig, Server, ServerConfig};
use rapport_core::ApiError;
use serde_json::json;

use crate::dev::internal;

#[derive(Args, Debug)]
pub struct RelayArgs {
    /// Where to listen (ip:port); every device is then given --relay http://HOST:PORT.
    #[arg(long, default_value = "0.0.0.0:3340")]
    listen: SocketAddr,
}

pub async fn relay(a: RelayArgs, json: bool) -> Result<(), ApiError> {
    let mut config = ServerConfig::default();
    config.relay = Some(RelayConfig::new(a.listen));
    let server = Server::spawn(config).await.map_err(|e| {
        ApiError::validation(
            "listen",
            format!("cannot start the relay on {}: {e}", a.listen),
        )
    })?;
    let addr = server
        .http_addr()
        .ok_or_else(|| internal("the relay has no address"))?;
    if json {
        say!(
            "{}",
            json!({ "listening": addr.to_string(), "url": format!("http://{addr}") })
        );
    } else {
        say!("Relay listening on http://{addr}; Ctrl-C stops it.");
        say!(
            "Give every device --relay http://HOST:{} (HOST: this machine's address as they reach it).",
            addr.port()
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    server
        .shutdown()
        .await
        .map_err(|e| internal(format!("stopping the relay: {e}")))
}
