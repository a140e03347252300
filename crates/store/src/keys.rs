//! The layout of the key space. One sled tree; the first byte says what a key is.
//!
//! | key                                   | value                          |
//! |---------------------------------------|--------------------------------|
//! | `D` id                                | the document's compacted save  |
//! | `C` id seq                            | one incremental change chunk   |
//! | `R` id                                | the hydrated record (JSON)     |
//! | `N` kind name 0x00 id                 | — (records by name or title)   |
//! | `U` kind updated id                   | — (records by last change)     |
//! | `T` due id                            | — (open tasks, meetings by time)|
//! | `A` what due id                       | — (the agenda: what falls due, by kind and time) |
//! | `X` score id                          | — (people to contact next, best first by their own record) |
//! | `F` facet                             | how many records count under it (Progress's counts) |
//! | `Y` referrer referee met              | — (who referred whom; met: a conversation came of it) |
//! | `W` time id                           | — (meetings with takeaways, by when they were held) |
//! | `O` org kind id                       | — (records by organization)    |
//! | `G` goal kind id                      | — (records by goal)            |
//! | `Q` seq                               | ids a batch changed, not yet in search |
//! | `K` kind                              | how many live records of it    |
//! | `H` bucket id                         | the document's heads (for sync)|
//! | `B` bucket                            | XOR of the bucket's digests    |
//! | `S` `seq`                             | the last sequence number used  |
//! | `S` `search-trimmed`                  | pending entries dropped up to  |
//! | `S` `actor`                           | this device's Automerge actor  |
//! | `L` name                              | device-local state (never synced: pairing secrets, peers) |
//! | `J` part                              | journal of a large batch being applied in parts (kv.rs) |
//!
//! Numbers are big-endian; signed ones have their sign bit flipped so they sort.

use rapport_model::{Kind, Record, RecordId, Timestamp};

pub const DOC: u8 = b'D';
pub const CHUNK: u8 = b'C';
pub const RECORD: u8 = b'R';
pub const BY_NAME: u8 = b'N';
pub const BY_UPDATED: u8 = b'U';
pub const BY_DUE: u8 = b'T';
pub const BY_ORG: u8 = b'O';
pub const BY_GOAL: u8 = b'G';
pub const BY_PERSON: u8 = b'P';
/// `A` + what (`agenda::Due::tag`) + time + id: what each record asks of the user and when
/// (a meeting, a thank-you, a request waiting for a reply, a check-in, a task).
pub const AGENDA: u8 = b'A';
/// Set once the agenda index is built (vaults written before it get it once when opened).
pub const AGENDA_READY: &[u8] = b"Sagenda-v3";
/// `F` + facet (`tally::facets`) → how many live records count under it, big-endian.
pub const TALLY: u8 = b'F';
/// `Y` + referrer + referee + met (1 or 0): the referral edges, for Progress's chains.
pub const REFERRAL: u8 = b'Y';
/// `W` + time + id: meetings with takeaways, by when they were held, for Progress's roll-ups.
pub const LEARNED: u8 = b'W';
/// `X` + (u32::MAX − base score) + id: people not yet contacted, best first by what their own
/// record says (`ranking::base_score`); the ranking then reads only the first few.
pub const CANDIDATE: u8 = b'X';
pub const PENDING_SEARCH: u8 = b'Q';
pub const COUNT: u8 = b'K';
/// `H` + bucket + id → the document's heads (32-byte change hashes, concatenated): what sync
/// compares without loading documents. The bucket (the id's last byte) comes first so that
/// sync reads one bucket's documents with one prefix scan.
pub const HEADS: u8 = b'H';
/// `B` + bucket → the XOR of the digests of the bucket's documents (8 bytes, little-endian):
/// the vault's summary, kept current in every write so that a reconnect reads 256 keys
/// whatever the vault's size.
pub const BUCKET: u8 = b'B';
/// Set once the heads index and bucket digests are in their current layout (vaults written
/// before them are indexed once when opened).
pub const HEADS_READY: &[u8] = b"Sheads-v2";
pub const SEQ: &[u8] = b"Sseq";
/// Device-local state: `L` + a name chosen by the crate that owns it.
pub const LOCAL: u8 = b'L';
/// The Automerge actor id this vault writes its changes as.
pub const ACTOR: &[u8] = b"Sactor";
/// Pending-search entries up to this sequence number were dropped (the index had them).
pub const SEARCH_TRIMMED: &[u8] = b"Ssearch-trimmed";

/// How many bytes of a name take part in sorting; longer names tie-break by id.
const NAME_KEY_BYTES: usize = 48;

pub fn with_id(tag: u8, id: RecordId) -> Vec<u8> {
    let mut k = Vec::with_capacity(17);
    k.push(tag);
    k.extend_from_slice(id.as_bytes());
    k
}

pub fn doc(id: RecordId) -> Vec<u8> {
    with_id(DOC, id)
}

/// The sync bucket of a document: the last byte of its id, random in a UUID v7.
pub fn bucket_of(id: RecordId) -> u8 {
    id.as_bytes()[15]
}

pub fn heads(id: RecordId) -> Vec<u8> {
    let mut k = Vec::with_capacity(18);
    k.push(HEADS);
    k.push(bucket_of(id));
    k.extend_from_slice(id.as_bytes());
    k
}

pub fn bucket(b: u8) -> Vec<u8> {
    vec![BUCKET, b]
}

pub fn record(id: RecordId) -> Vec<u8> {
    with_id(RECORD, id)
}

pub fn chunk(id: RecordId, seq: u64) -> Vec<u8> {
    let mut k = with_id(CHUNK, id);
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

/// The number of live records of a kind.
pub fn count(kind: Kind) -> Vec<u8> {
    vec![COUNT, kind.tag()]
}

pub fn pending_search(seq: u64) -> Vec<u8> {
    let mut k = vec![PENDING_SEARCH];
    k.extend_from_slice(&seq.to_be_bytes());
    k
}

pub fn time(t: Timestamp) -> [u8; 8] {
    ((t.as_millis() as u64) ^ (1 << 63)).to_be_bytes()
}

pub fn time_from(bytes: &[u8]) -> Option<Timestamp> {
    let arr: [u8; 8] = bytes.try_into().ok()?;
    Some(Timestamp::from_millis(
        (u64::from_be_bytes(arr) ^ (1 << 63)) as i64,
    ))
}

/// A facet's counter key.
pub fn tally(facet: &str) -> Vec<u8> {
    let mut k = vec![TALLY];
    k.extend_from_slice(facet.as_bytes());
    k
}

/// An agenda entry's key.
pub fn agenda(what: rapport_model::workflow::agenda::Due, at: Timestamp, id: RecordId) -> Vec<u8> {
    let mut k = vec![AGENDA, what.tag()];
    k.extend_from_slice(&time(at));
    k.extend_from_slice(id.as_bytes());
    k
}

/// The id at the end of an index key.
pub fn trailing_id(key: &[u8]) -> Option<RecordId> {
    let start = key.len().checked_sub(16)?;
    let bytes: [u8; 16] = key[start..].try_into().ok()?;
    Some(RecordId::from_bytes(bytes))
}

/// The sort form of a name: lower case, trimmed, cut to a fixed number of bytes.
pub fn name_key(name: &str) -> Vec<u8> {
    let lower = name.trim().to_lowercase();
    let mut end = lower.len().min(NAME_KEY_BYTES);
    while !lower.is_char_boundary(end) {
        end -= 1;
    }
    lower.as_bytes()[..end].to_vec()
}

pub fn kind_prefix(tag: u8, kind: Kind) -> Vec<u8> {
    vec![tag, kind.tag()]
}

/// Every index key a record appears under. A deleted record appears under none.
pub fn index_keys(r: &Record) -> Vec<Vec<u8>> {
    if r.is_deleted() {
        return Vec::new();
    }
    let id = r.id();
    let kind = r.kind();
    let mut out = Vec::new();

    let mut k = kind_prefix(BY_NAME, kind);
    k.extend_from_slice(&name_key(r.body.display_name()));
    k.push(0);
    k.extend_from_slice(id.as_bytes());
    out.push(k);

    let mut k = kind_prefix(BY_UPDATED, kind);
    k.extend_from_slice(&time(r.meta.updated_at));
    k.extend_from_slice(id.as_bytes());
    out.push(k);

    if let Some(due) = r.body.due_at() {
        let mut k = vec![BY_DUE];
        k.extend_from_slice(&time(due));
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    if let Some(org) = r.body.organization_id() {
        let mut k = with_id(BY_ORG, org);
        k.push(kind.tag());
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    if let Some(person) = r.body.person_id() {
        let mut k = with_id(BY_PERSON, person);
        k.push(kind.tag());
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    for goal in r.body.goal_ids() {
        let mut k = with_id(BY_GOAL, *goal);
        k.push(kind.tag());
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    for (what, at) in rapport_model::workflow::agenda::entries(r) {
        out.push(agenda(what, at, id));
    }
    if let rapport_model::Body::Person(p) = &r.body
        && let Some(referrer) = p.referred_by_id
    {
        let stage = p.stage();
        let met = stage.rank() >= rapport_model::Stage::Met.rank() && !stage.is_dead_end();
        let mut k = with_id(REFERRAL, referrer);
        k.extend_from_slice(id.as_bytes());
        k.push(u8::from(met));
        out.push(k);
    }
    if let rapport_model::Body::Meeting(m) = &r.body
        && !m.takeaways.is_empty()
    {
        let mut k = vec![LEARNED];
        k.extend_from_slice(&time(m.ended_at.or(m.start).unwrap_or(r.meta.updated_at)));
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    if let rapport_model::Body::Person(p) = &r.body
        && let Some(score) = rapport_model::workflow::ranking::base_score(p)
    {
        let mut k = vec![CANDIDATE];
        k.extend_from_slice(&(u32::MAX - score).to_be_bytes());
        k.extend_from_slice(id.as_bytes());
        out.push(k);
    }
    out.sort();
    out.dedup();
    out
}
