//! The vault's devices and syncing with them, as the CLI and the app see it: the network part
//! lives in `rapport-sync`; this module gives it the vault's store, clock and device key.

use std::time::Duration;

use rapport_model::{Kind, Record, RecordId};

use crate::{ApiError, ErrorCode, Node, NodeConfig, Rapport, RelayChoice, Ticket};

/// How long a pairing ticket stays valid.
pub const PAIRING_TTL: Duration = Duration::from_secs(5 * 60);

impl Rapport {
    /// Starts this device on the network as the key kept in the data directory (a vault in
    /// memory gets a key for this run only).
    pub async fn start_node(&self, mut config: NodeConfig) -> Result<Node, ApiError> {
        if config.relay == RelayChoice::Auto {
            config.relay = self.relay_setting().await?;
        }
        let key = match self.store().dir() {
            Some(dir) => {
                let dir = dir.to_path_buf();
                tokio::task::spawn_blocking(move || rapport_sync::identity::load_or_create(&dir))
                    .await??
            }
            None => iroh_key(),
        };
        Ok(Node::start(self.store().clone(), self.clock().clone(), key, config).await?)
    }

    /// The relays the user set for the vault (Settings, `profile set --relay`), else iroh's
    /// public ones: what a device uses unless told otherwise.
    pub async fn relay_setting(&self) -> Result<RelayChoice, ApiError> {
        let relays = match self.profile().await?.map(|r| r.body) {
            Some(rapport_model::Body::Profile(p)) => p.relays,
            _ => Vec::new(),
        };
        if relays.is_empty() {
            return Ok(RelayChoice::Default);
        }
        relays
            .join(",")
            .parse()
            .map_err(|e: String| ApiError::validation("relays", e))
    }

    /// This device's key (hex), if it has one yet (it is made the first time it pairs or syncs).
    pub async fn device_key(&self) -> Result<Option<String>, ApiError> {
        let Some(dir) = self.store().dir() else {
            return Ok(None);
        };
        let path = dir.join(rapport_sync::identity::KEY_FILE);
        if !path.exists() {
            return Ok(None);
        }
        let dir = dir.to_path_buf();
        let key = tokio::task::spawn_blocking(move || rapport_sync::identity::load_or_create(&dir))
            .await??;
        Ok(Some(key.public().to_string()))
    }

    /// Every device of the vault (removed ones say when they were removed).
    pub async fn devices(&self) -> Result<Vec<Record>, ApiError> {
        self.list_all(Kind::Device).await
    }

    /// Removes a device: every device of the vault refuses it once they have synced.
    pub async fn remove_device(&self, id: RecordId) -> Result<Record, ApiError> {
        let dir = rapport_sync::Directory::new(self.store().clone(), self.clock().clone());
        Ok(tokio::task::spawn_blocking(move || dir.revoke(id)).await??)
    }

    /// Reads a ticket to join with: one that cannot be read, or that has expired, is bad input
    /// (caught here, before anything is dialed).
    pub fn ticket_to_join(&self, text: &str) -> Result<Ticket, ApiError> {
        let ticket = parse_ticket(text)?;
        if self.clock().now() > ticket.expires_at {
            return Err(ApiError::validation(
                "ticket",
                format!(
                    "the ticket expired at {}: start `rapport pair` again on the other device",
                    ticket.expires_at
                ),
            ));
        }
        Ok(ticket)
    }
}

/// Reads a ticket as pasted or scanned; a ticket that cannot be read is bad input.
pub fn parse_ticket(text: &str) -> Result<Ticket, ApiError> {
    Ticket::decode(text).map_err(|e| ApiError::new(ErrorCode::Validation, format!("ticket: {e}")))
}

fn iroh_key() -> rapport_sync::identity::SecretKey {
    rapport_sync::identity::SecretKey::generate()
}
