use std::fmt;

use autosurgeon::{Hydrate, HydrateError, Reconcile, Reconciler, reconcile::TextReconciler};
use serde::{Deserialize, Serialize};

/// Text written as prose (research notes, meeting notes). In the record it is a plain string; in
/// the document it is an Automerge text object, and writing a new value applies a character diff
/// against what the document holds, so two devices editing different sentences both keep theirs.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Prose(pub String);

crate::named_ts!(Prose, "string", "string".to_string());

impl Prose {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Prose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Note text is private: debug output (and so logs) shows only its size.
        write!(f, "Prose({} bytes)", self.0.len())
    }
}

impl From<&str> for Prose {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl Reconcile for Prose {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        let mut text = r.text()?;
        if text.heads().is_empty() {
            // A document with no history yet (one being built from a record; `record_to_doc`
            // commits first if it wrote to this one already): the text was created empty just
            // now, so insert it whole instead of diffing it against nothing (the diff walks every
            // grapheme; imports and restores build thousands of these).
            text.splice(0, 0, &self.0)
        } else {
            text.update(&self.0)
        }
    }
}

impl Hydrate for Prose {
    fn hydrate_text<D: autosurgeon::ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
    ) -> Result<Self, HydrateError> {
        Ok(Self(doc.text(obj)?))
    }
    // A peer (or an older version) may have written a plain string.
    fn hydrate_string(s: &'_ str) -> Result<Self, HydrateError> {
        Ok(Self(s.to_string()))
    }
    fn hydrate_none() -> Result<Self, HydrateError> {
        Ok(Self::default())
    }
}
