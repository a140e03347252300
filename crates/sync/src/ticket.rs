//! Pairing tickets: what one device shows (as text and as a QR code) so another can join it.
//!
//! A ticket holds the inviting device's public key (the joiner dials exactly that key: a relay or
//! a spoofed address cannot stand in for it), addresses to try, the relays it can be reached
//! through (so two devices on different networks pair through the user's own relay with no
//! lookup service), a single-use 128-bit secret and an expiry. It is `RAPPORT-PAIR:` followed by base32, all in the QR code's alphanumeric set,
//! with a checksum so a mistyped ticket says so instead of dialing a wrong key.

use std::net::SocketAddr;

use iroh::{EndpointId, RelayUrl};
use qrcode::render::{svg, unicode};
use qrcode::{EcLevel, QrCode};
use rapport_model::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{Result, SyncError};

pub const PREFIX: &str = "RAPPORT-PAIR:";
/// Version 2 added the relays; version 1 tickets (no relays) are still read.
const VERSION: u8 = 2;
/// Relays a ticket may carry: the QR code must stay scannable.
const MAX_RELAYS: usize = 2;
const CHECKSUM_BYTES: usize = 4;
/// Longer input is refused before decoding (a ticket is ~100 characters).
const MAX_TICKET_CHARS: usize = 2048;

/// The secret a joining device must present: 128 random bits, used once.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PairingSecret(pub [u8; 16]);

impl PairingSecret {
    pub fn random() -> Self {
        use rand::RngCore;
        let mut b = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut b);
        Self(b)
    }
}

impl std::fmt::Debug for PairingSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PairingSecret(…)")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The inviting device.
    pub key: EndpointId,
    /// Where it listens (hints: the key is what is checked).
    pub addrs: Vec<SocketAddr>,
    /// The relays it can be reached through (hints too).
    pub relays: Vec<RelayUrl>,
    pub secret: PairingSecret,
    pub expires_at: Timestamp,
}

#[derive(Serialize, Deserialize)]
struct TicketWire {
    version: u8,
    key: [u8; 32],
    addrs: Vec<SocketAddr>,
    secret: [u8; 16],
    expires_ms: i64,
    /// From version 2; a version 1 ticket ends before it.
    relays: Vec<String>,
}

/// A version 1 ticket: the same fields, without the relays.
#[derive(Serialize, Deserialize)]
struct TicketWireV1 {
    version: u8,
    key: [u8; 32],
    addrs: Vec<SocketAddr>,
    secret: [u8; 16],
    expires_ms: i64,
}

/// A ticket's text: the encoded fields and a short checksum, in base32 after the prefix.
fn seal(mut bytes: Vec<u8>) -> String {
    let sum = blake3::hash(&bytes);
    bytes.extend_from_slice(&sum.as_bytes()[..CHECKSUM_BYTES]);
    format!("{PREFIX}{}", data_encoding::BASE32_NOPAD.encode(&bytes))
}

fn bad(why: &str) -> SyncError {
    SyncError::Pairing(format!(
        "{why}: copy the whole ticket that `rapport pair` printed on the other device (it starts with {PREFIX})"
    ))
}

impl Ticket {
    pub fn encode(&self) -> String {
        let wire = TicketWire {
            version: VERSION,
            key: *self.key.as_bytes(),
            addrs: self.addrs.clone(),
            secret: self.secret.0,
            expires_ms: self.expires_at.as_millis(),
            relays: self
                .relays
                .iter()
                .take(MAX_RELAYS)
                .map(|r| r.to_string())
                .collect(),
        };
        seal(postcard::to_stdvec(&wire).unwrap_or_default())
    }

    pub fn decode(text: &str) -> Result<Ticket> {
        let text: String = text.split_whitespace().collect();
        if text.len() > MAX_TICKET_CHARS {
            return Err(bad("that is far too long for a pairing ticket"));
        }
        let upper = text.to_ascii_uppercase();
        let Some(body) = upper.strip_prefix(PREFIX) else {
            return Err(bad("this is not a Rapport pairing ticket"));
        };
        let bytes = data_encoding::BASE32_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| bad("the ticket has characters a ticket never contains"))?;
        if bytes.len() <= CHECKSUM_BYTES {
            return Err(bad("the ticket is cut short"));
        }
        let (data, sum) = bytes.split_at(bytes.len() - CHECKSUM_BYTES);
        if blake3::hash(data).as_bytes()[..CHECKSUM_BYTES] != *sum {
            return Err(bad("the ticket is damaged or incomplete"));
        }
        let damaged = || bad("the ticket is damaged or incomplete");
        let wire: TicketWire = match data.first() {
            Some(1) => {
                let v1: TicketWireV1 = postcard::from_bytes(data).map_err(|_| damaged())?;
                TicketWire {
                    version: v1.version,
                    key: v1.key,
                    addrs: v1.addrs,
                    secret: v1.secret,
                    expires_ms: v1.expires_ms,
                    relays: Vec::new(),
                }
            }
            Some(&VERSION) => postcard::from_bytes(data).map_err(|_| damaged())?,
            Some(other) => {
                return Err(SyncError::Pairing(format!(
                    "the ticket is of version {other} and this Rapport reads versions 1 to {VERSION}: update both devices"
                )));
            }
            None => return Err(damaged()),
        };
        if wire.relays.len() > MAX_RELAYS {
            return Err(damaged());
        }
        let relays = wire
            .relays
            .iter()
            .map(|r| {
                rapport_model::relay_url(r)
                    .ok()
                    .and_then(|()| r.parse::<RelayUrl>().ok())
                    .ok_or_else(|| bad("the ticket names a relay that is not a relay URL"))
            })
            .collect::<Result<Vec<_>>>()?;
        let key = EndpointId::from_bytes(&wire.key)
            .map_err(|_| bad("the ticket's device key is not a valid key"))?;
        Ok(Ticket {
            key,
            addrs: wire.addrs,
            relays,
            secret: PairingSecret(wire.secret),
            expires_at: Timestamp::from_millis(wire.expires_ms),
        })
    }

    fn qr(&self) -> Result<QrCode> {
        QrCode::with_error_correction_level(self.encode(), EcLevel::M)
            .map_err(|e| SyncError::Pairing(format!("the ticket does not fit a QR code: {e}")))
    }

    /// The ticket as an SVG QR code, for the app's pairing screen or a file.
    pub fn qr_svg(&self) -> Result<String> {
        Ok(self
            .qr()?
            .render::<svg::Color>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .build())
    }

    /// The ticket as a QR code drawn with block characters, for a terminal (light on dark
    /// terminals and dark on light ones both scan: the quiet zone is kept).
    pub fn qr_text(&self) -> Result<String> {
        Ok(self
            .qr()?
            .render::<unicode::Dense1x2>()
            .dark_color(unicode::Dense1x2::Light)
            .light_color(unicode::Dense1x2::Dark)
            .quiet_zone(true)
            .build())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            key: iroh::SecretKey::generate().public(),
            addrs: vec![
                "127.0.0.1:4433".parse().unwrap(),
                "[::1]:4433".parse().unwrap(),
            ],
            relays: vec!["https://relay.example.org".parse().unwrap()],
            secret: PairingSecret::random(),
            expires_at: Timestamp::from_millis(1_767_225_600_000),
        }
    }

    /// A ticket as a device of the first version wrote it (no relays).
    fn version_1(t: &Ticket) -> String {
        seal(
            postcard::to_stdvec(&TicketWireV1 {
                version: 1,
                key: *t.key.as_bytes(),
                addrs: t.addrs.clone(),
                secret: t.secret.0,
                expires_ms: t.expires_at.as_millis(),
            })
            .unwrap(),
        )
    }

    #[test]
    fn a_ticket_carries_its_relays_and_a_first_version_ticket_still_reads() {
        let t = ticket();
        assert_eq!(Ticket::decode(&t.encode()).unwrap().relays, t.relays);
        let old = Ticket::decode(&version_1(&t)).unwrap();
        assert_eq!(old.key, t.key);
        assert_eq!(old.addrs, t.addrs);
        assert!(old.relays.is_empty());
        // Two relays with long names still make a ticket a phone's camera reads.
        let mut long = ticket();
        long.relays = vec![
            "https://relay-one.a-rather-long-domain.example.org"
                .parse()
                .unwrap(),
            "https://relay-two.a-rather-long-domain.example.org"
                .parse()
                .unwrap(),
        ];
        let text = long.encode();
        assert!(text.len() < 400, "{} characters", text.len());
        assert!(long.qr_svg().is_ok());
        assert_eq!(Ticket::decode(&text).unwrap().relays, long.relays);
    }

    #[test]
    fn a_ticket_reads_back_from_its_text_in_any_case_and_with_line_breaks() {
        let t = ticket();
        let text = t.encode();
        assert!(text.starts_with(PREFIX));
        assert_eq!(Ticket::decode(&text).unwrap(), t);
        let lower = text.to_ascii_lowercase();
        let broken = format!("  {}\n{}  ", &lower[..40], &lower[40..]);
        assert_eq!(Ticket::decode(&broken).unwrap(), t);
    }

    #[test]
    fn damaged_or_foreign_tickets_say_what_is_wrong() {
        let text = ticket().encode();
        // A character in the middle changed (to one it is not already). Not the last one:
        // base32's last character only has some of its bits in use, so changing it may give
        // text no ticket can have instead of a damaged ticket.
        let mid = text.len() / 2;
        let other = if &text[mid..=mid] == "A" { 'B' } else { 'A' };
        let cases = [
            ("hello".to_string(), "not a Rapport pairing ticket"),
            (format!("{PREFIX}!!!!"), "never contains"),
            (text[..text.len() - 10].to_string(), "damaged"),
            (
                format!("{}{other}{}", &text[..mid], &text[mid + 1..]),
                "damaged",
            ),
            (format!("{PREFIX}{}", "A".repeat(3000)), "too long"),
        ];
        for (input, want) in cases {
            let e = Ticket::decode(&input).unwrap_err().to_string();
            assert!(e.contains(want), "{input:?}: {e}");
        }
    }

    #[test]
    fn the_qr_code_renders_as_svg_and_text() {
        let t = ticket();
        assert!(t.qr_svg().unwrap().contains("<svg"));
        let text = t.qr_text().unwrap();
        assert!(text.lines().count() > 10, "{text}");
    }
}
