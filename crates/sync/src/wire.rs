//! What two devices say to each other, and how it is framed: a 4-byte big-endian length, then
//! the message in postcard. Frames are capped, and anything that does not decode is refused
//! with an error (never trusted, never a panic).

use rapport_model::RecordId;
use serde::{Deserialize, Serialize};

use crate::{Result, SyncError};

/// The largest frame either side accepts: a whole document can be big (long notes), but a
/// peer cannot make us allocate without bound.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;

/// A record id on the wire: its 16 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WireId(pub [u8; 16]);

impl From<RecordId> for WireId {
    fn from(id: RecordId) -> Self {
        Self(*id.as_bytes())
    }
}

impl From<WireId> for RecordId {
    fn from(id: WireId) -> Self {
        RecordId::from_bytes(id.0)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Message {
    /// A digest per bucket of (document id, heads): equal buckets hold the same documents in
    /// the same state, so a reconnect with nothing changed ends here.
    Summary(Vec<u64>),
    /// For the buckets that differ: every document the sender has in them, with the digest of
    /// its heads.
    Entries {
        buckets: Vec<u16>,
        entries: Vec<(WireId, u64)>,
    },
    /// A whole saved (compressed) document the receiver does not have.
    Document { id: WireId, bytes: Vec<u8> },
    /// One step of Automerge's sync protocol for one document.
    Sync { id: WireId, message: Vec<u8> },
    /// "I have nothing more to send": how many data messages the sender sent and received,
    /// so both sides can tell when the exchange is over.
    Idle { sent: u64, received: u64 },
}

impl Message {
    /// The message as one frame (length prefix included).
    pub fn encode(&self) -> Result<Vec<u8>> {
        let body = postcard::to_allocvec(self).map_err(|e| SyncError::Malformed(e.to_string()))?;
        if body.len() > MAX_FRAME {
            return Err(SyncError::TooLarge(body.len()));
        }
        let mut frame = Vec::with_capacity(4 + body.len());
        frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
        frame.extend_from_slice(&body);
        Ok(frame)
    }

    /// Decodes one frame body (without its length prefix).
    pub fn decode(body: &[u8]) -> Result<Self> {
        if body.len() > MAX_FRAME {
            return Err(SyncError::TooLarge(body.len()));
        }
        postcard::from_bytes(body).map_err(|e| SyncError::Malformed(e.to_string()))
    }
}

/// Reads the length prefix of a frame, refusing lengths over [`MAX_FRAME`] before anything is
/// allocated for them.
pub fn frame_len(prefix: [u8; 4]) -> Result<usize> {
    let n = u32::from_be_bytes(prefix) as usize;
    if n > MAX_FRAME {
        return Err(SyncError::TooLarge(n));
    }
    Ok(n)
}

/// Splits a byte stream into messages: frames may arrive cut anywhere.
#[derive(Default)]
pub struct FrameReader {
    buf: Vec<u8>,
}

impl FrameReader {
    pub fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole message, if one has arrived.
    pub fn next_message(&mut self) -> Result<Option<Message>> {
        let Some(prefix) = self.buf.get(..4) else {
            return Ok(None);
        };
        let mut p = [0u8; 4];
        p.copy_from_slice(prefix);
        let n = frame_len(p)?;
        if self.buf.len() < 4 + n {
            return Ok(None);
        }
        let msg = Message::decode(&self.buf[4..4 + n]);
        self.buf.drain(..4 + n);
        msg.map(Some)
    }
}
