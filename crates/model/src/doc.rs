//! How a record lives in its Automerge document:
//!
//! ```text
//! { "kind": "person",
//!   "meta": { "id": "0193…", "created_at": 1763…, "updated_at": 1763…, "deleted_at": null },
//!   "data": { "name": "Ada Lovelace", "emails": [{ "value": "ada@example.org" }], … } }
//! ```
//!
//! Writing a record into a document reconciles it with what is there (autosurgeon), so only the
//! fields that changed become operations, and concurrent edits of different fields both survive.

use automerge::{AutoCommit, ROOT, ReadDoc};
use autosurgeon::{Reconcile, Reconciler, hydrate_prop, reconcile::MapReconciler};

use crate::records::{Body, Meta, Record};
use crate::{Kind, ModelError};

/// A document holding one record.
pub type RecordDoc = AutoCommit;

/// Writes `record` into `doc`, touching only what differs from the document's current state.
pub fn record_to_doc(record: &Record, doc: &mut RecordDoc) -> Result<(), ModelError> {
    // An empty document has nothing to reconcile with: autosurgeon then builds the whole tree
    // first and Automerge inserts it in one batch, instead of one read and one operation at a
    // time (imports and restores build thousands of these; this is most of their time).
    if !autosurgeon::ReadDoc::is_empty(doc) {
        let kind = record.kind().as_str();
        let current_kind = match doc.get(ROOT, "kind")? {
            Some((automerge::Value::Scalar(s), _)) => s.as_str().map(str::to_string),
            _ => None,
        };
        if let Some(other) = current_kind.as_deref().filter(|k| *k != kind) {
            return Err(ModelError::NotARecord(format!(
                "the document holds a {other}, not a {kind}"
            )));
        }
    }
    crate::prose::forget_held();
    autosurgeon::reconcile(doc, WholeRecord(record))?;
    Ok(())
}

/// Writes `record` into `doc` like [`record_to_doc`], for bulk writes (imports, restores): prose
/// the document does not already hold as text goes in as a plain string, one operation instead
/// of one per character. The first edit that changes such a note makes it text (see [`Prose`]).
///
/// [`Prose`]: crate::Prose
pub fn record_to_doc_with_plain_prose(
    record: &Record,
    doc: &mut RecordDoc,
) -> Result<(), ModelError> {
    crate::prose::with_plain_prose(|| record_to_doc(record, doc))
}

/// The document's root: its kind, the record's meta and its data.
struct WholeRecord<'a>(&'a Record);

impl Reconcile for WholeRecord<'_> {
    type Key<'k> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        let record = self.0;
        let mut root = r.map()?;
        root.put("kind", record.kind().as_str())?;
        root.put("meta", &record.meta)?;
        match &record.body {
            Body::Person(v) => root.put("data", v),
            Body::Organization(v) => root.put("data", v),
            Body::Goal(v) => root.put("data", v),
            Body::Meeting(v) => root.put("data", v),
            Body::Outreach(v) => root.put("data", v),
            Body::Task(v) => root.put("data", v),
            Body::Question(v) => root.put("data", v),
            Body::Template(v) => root.put("data", v),
            Body::Profile(v) => root.put("data", v),
            Body::Device(v) => root.put("data", v),
        }
    }
}

/// Reads the record a document holds.
pub fn record_from_doc(doc: &RecordDoc) -> Result<Record, ModelError> {
    let kind: Kind = match doc.get(ROOT, "kind")? {
        Some((automerge::Value::Scalar(s), _)) => match s.as_str() {
            Some(k) => k.parse().map_err(ModelError::NotARecord)?,
            None => return Err(ModelError::NotARecord("its kind is not a string".into())),
        },
        _ => return Err(ModelError::NotARecord("it has no kind".into())),
    };
    let meta: Meta = hydrate_prop(doc, ROOT, "meta")?;
    let body = match kind {
        Kind::Person => Body::Person(hydrate_prop(doc, ROOT, "data")?),
        Kind::Organization => Body::Organization(hydrate_prop(doc, ROOT, "data")?),
        Kind::Goal => Body::Goal(hydrate_prop(doc, ROOT, "data")?),
        Kind::Meeting => Body::Meeting(hydrate_prop(doc, ROOT, "data")?),
        Kind::Outreach => Body::Outreach(hydrate_prop(doc, ROOT, "data")?),
        Kind::Task => Body::Task(hydrate_prop(doc, ROOT, "data")?),
        Kind::Question => Body::Question(hydrate_prop(doc, ROOT, "data")?),
        Kind::Template => Body::Template(hydrate_prop(doc, ROOT, "data")?),
        Kind::Profile => Body::Profile(hydrate_prop(doc, ROOT, "data")?),
        Kind::Device => Body::Device(hydrate_prop(doc, ROOT, "data")?),
    };
    Ok(Record { meta, body })
}
