use std::fmt;
use std::str::FromStr;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::NoKey};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

use crate::ValidationError;

/// The stable id of a record: a UUID v7, so ids sort by creation time.
///
/// In a document it is stored as its hyphenated string, so that any Automerge implementation
/// reading an exported document sees a readable id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(Uuid);

impl RecordId {
    /// A fresh id for a record created at `at`.
    pub fn new_at(at: Timestamp) -> Self {
        let millis = u64::try_from(at.as_millis()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(
            uuid::NoContext,
            millis / 1000,
            (millis % 1000) as u32 * 1_000_000,
        );
        Self(Uuid::new_v7(ts))
    }

    /// An id from raw bytes (for example read back from an index key).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(Uuid::from_bytes(bytes))
    }

    pub fn as_bytes(&self) -> &[u8; 16] {
        self.0.as_bytes()
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({})", self.0.hyphenated())
    }
}

impl FromStr for RecordId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s.trim()).map(Self).map_err(|_| {
            ValidationError::new("id", format!("'{s}' is not a record id (expected a UUID such as 01938f2e-7c1a-7b3e-9a51-3c2f1d0e4b6a)"))
        })
    }
}

impl Serialize for RecordId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0.hyphenated())
    }
}

impl<'de> Deserialize<'de> for RecordId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e: ValidationError| serde::de::Error::custom(e.message))
    }
}

impl Reconcile for RecordId {
    type Key<'a> = Uuid;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.str(self.0.hyphenated().to_string())
    }
    fn key(&self) -> autosurgeon::reconcile::LoadKey<Self::Key<'_>> {
        autosurgeon::reconcile::LoadKey::Found(self.0)
    }
    fn hydrate_key<'a, D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: autosurgeon::Prop<'_>,
    ) -> Result<autosurgeon::reconcile::LoadKey<Self::Key<'a>>, autosurgeon::ReconcileError> {
        use autosurgeon::reconcile::LoadKey;
        Ok(match doc.get(obj, &prop)? {
            Some((automerge::Value::Scalar(s), _)) => match s.as_ref() {
                automerge::ScalarValue::Str(s) => Uuid::parse_str(s)
                    .map(LoadKey::Found)
                    .unwrap_or(LoadKey::KeyNotFound),
                _ => LoadKey::KeyNotFound,
            },
            _ => LoadKey::KeyNotFound,
        })
    }
}

impl Hydrate for RecordId {
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Uuid::parse_str(s)
            .map(Self)
            .map_err(|_| HydrateError::unexpected("a record id", format!("the string {s:?}")))
    }
}

/// A point in time, in milliseconds since the Unix epoch (UTC). In JSON it is an RFC 3339 string
/// (`2026-11-22T09:30:00Z`); in a document, an integer.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    pub const fn from_millis(ms: i64) -> Self {
        Self(ms)
    }
    pub const fn as_millis(&self) -> i64 {
        self.0
    }
    pub fn to_jiff(self) -> jiff::Timestamp {
        jiff::Timestamp::from_millisecond(self.0).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
    }
    pub fn from_jiff(t: jiff::Timestamp) -> Self {
        Self(t.as_millisecond())
    }
    /// Reads `2026-11-22T09:30:00Z`, `2026-11-22T09:30:00+01:00` or a plain date `2026-11-22`
    /// (midnight UTC).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Ok(t) = s.parse::<jiff::Timestamp>() {
            return Ok(Self::from_jiff(t));
        }
        if let Ok(d) = s.parse::<jiff::civil::Date>()
            && let Ok(z) = d.to_zoned(jiff::tz::TimeZone::UTC)
        {
            return Ok(Self::from_jiff(z.timestamp()));
        }
        Err(format!(
            "'{s}' is not a date or time (use 2026-11-22 or 2026-11-22T09:30:00Z)"
        ))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.to_jiff())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_jiff())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.to_jiff())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl Reconcile for Timestamp {
    type Key<'a> = NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        r.i64(self.0)
    }
}

// An RFC 3339 instant in JSON; a UUID v7 in JSON.
crate::named_ts!(Timestamp, "Timestamp", "string".to_string());
crate::named_ts!(RecordId, "Id", "string".to_string());

impl Hydrate for Timestamp {
    fn hydrate_int(i: i64) -> Result<Self, HydrateError> {
        Ok(Self(i))
    }
    fn hydrate_uint(u: u64) -> Result<Self, HydrateError> {
        i64::try_from(u).map(Self).map_err(|_| {
            HydrateError::unexpected("a timestamp", "an integer that is too large".into())
        })
    }
}

macro_rules! kinds {
    ($($variant:ident => $name:literal, $label:literal;)*) => {
        /// What a record is. The string form is the record's `kind` in JSON and in its document.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind { $($variant,)* }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant,)*];
            pub fn as_str(&self) -> &'static str {
                match self { $(Kind::$variant => $name,)* }
            }
            /// How the kind reads in a sentence ("organization", "outreach message").
            pub fn label(&self) -> &'static str {
                match self { $(Kind::$variant => $label,)* }
            }
            /// The label with "a" or "an" ("an organization").
            pub fn a(&self) -> String {
                let l = self.label();
                let article = if l.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                format!("{article} {l}")
            }
            /// One byte per kind, used as an index prefix. Never reorder: it is stored.
            pub fn tag(&self) -> u8 {
                match self { $(Kind::$variant => Kind::$variant as u8,)* }
            }
            pub fn from_tag(tag: u8) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.tag() == tag)
            }
        }

                $crate::named_ts!(Kind, "Kind", [$(concat!("'", $name, "'")),*].join(" | "));

        impl FromStr for Kind {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($name => Ok(Kind::$variant),)*
                    "org" => Ok(Kind::Organization),
                    _ => Err(format!("'{s}' is not a record kind (one of: {})",
                        [$($name),*].join(", "))),
                }
            }
        }
    };
}

kinds! {
    Person => "person", "person";
    Organization => "organization", "organization";
    Goal => "goal", "goal";
    Meeting => "meeting", "meeting";
    Outreach => "outreach", "outreach message";
    Task => "task", "task";
    Question => "question", "question";
    Template => "template", "template";
    Profile => "profile", "profile";
    Device => "device", "device";
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
