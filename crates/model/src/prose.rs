use std::cell::{Cell, RefCell};
use std::fmt;

use autosurgeon::reconcile::{LoadKey, NoKey, TextReconciler};
use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, ReconcileError, Reconciler};
use serde::{Deserialize, Serialize};

/// Text written as prose (research notes, meeting notes). In the record it is a plain string.
/// In the document it is an Automerge text object, and writing a new value applies a character
/// diff against what the document holds, so two devices editing different sentences both keep
/// theirs.
///
/// Bulk writes (imports, restores) store it as a plain string instead: text costs one operation
/// per character, and building those was most of a restore. Such a note merges as one value
/// until it is first edited; the edit that changes it makes it text. Writing the record again
/// with the note unchanged leaves the string as it is, so an edit of another field never turns
/// it into a new text object that would hide a concurrent edit of the note.
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

/// What the document holds where a prose field is about to be written.
enum Held {
    /// Nothing, or something that is neither text nor a string: the field is written afresh.
    Nothing,
    Text,
    Plain(String),
    /// A list item: autosurgeon may ask about several items before it reconciles one, so the
    /// answer may not be about this one.
    Unknown,
}

thread_local! {
    /// autosurgeon asks [`Prose::hydrate_key`] about the value a map field holds right before it
    /// reconciles the same field, and gives `reconcile` no way to look: the answer waits here.
    static HELD: RefCell<Option<Held>> = const { RefCell::new(None) };
    /// Set while a bulk write builds documents: prose not held as text goes in as a plain string.
    static WRITE_PLAIN: Cell<bool> = const { Cell::new(false) };
}

/// Runs `write` with prose that is not already text written as plain strings (see [`Prose`]).
pub(crate) fn with_plain_prose<T>(write: impl FnOnce() -> T) -> T {
    /// Puts the mode back even if `write` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            WRITE_PLAIN.with(|w| w.set(self.0));
        }
    }
    let _restore = Restore(WRITE_PLAIN.with(|w| w.replace(true)));
    write()
}

/// Forgets an answer no `reconcile` took (a write that failed between the two).
pub(crate) fn forget_held() {
    HELD.with(|h| h.borrow_mut().take());
}

impl Reconcile for Prose {
    type Key<'a> = NoKey;

    fn hydrate_key<'a, D: ReadDoc>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<LoadKey<Self::Key<'a>>, ReconcileError> {
        let held = match prop {
            Prop::Key(key) => match doc.get(obj, key.as_ref())? {
                Some((automerge::Value::Object(automerge::ObjType::Text), _)) => Held::Text,
                Some((automerge::Value::Scalar(s), _)) => match s.as_str() {
                    Some(plain) => Held::Plain(plain.to_string()),
                    None => Held::Nothing,
                },
                _ => Held::Nothing,
            },
            // Prose is a field of a record, never an item of a list so far; should it become one,
            // it is diffed as text (right whatever is there, only slower).
            Prop::Index(_) => Held::Unknown,
        };
        HELD.with(|h| *h.borrow_mut() = Some(held));
        Ok(LoadKey::NoKey)
    }

    fn reconcile<R: Reconciler>(&self, mut r: R) -> Result<(), R::Error> {
        // No answer: the field is part of an object being built whole, so nothing is held.
        let held = HELD
            .with(|h| h.borrow_mut().take())
            .unwrap_or(Held::Nothing);
        match held {
            // Unchanged: leave it be (an edit of another field must not touch it).
            Held::Plain(plain) if plain == self.0 => Ok(()),
            // Merge character by character with what is there.
            Held::Text | Held::Unknown => r.text()?.update(&self.0),
            _ if WRITE_PLAIN.with(Cell::get) => r.str(&self.0),
            // Written afresh, or a plain string edited: a new, empty text object. Insert the
            // value whole instead of diffing it against nothing (the diff walks every grapheme).
            Held::Nothing | Held::Plain(_) => r.text()?.splice(0, 0, &self.0),
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

#[cfg(test)]
mod tests {
    use super::*;
    use automerge::{AutoCommit, ROOT};

    /// Prose is a record field today; as a list item it must still read back as written, edits
    /// included (autosurgeon asks about list items in an order `reconcile` cannot follow).
    #[test]
    fn prose_in_a_list_reads_back_as_written() -> Result<(), Box<dyn std::error::Error>> {
        let mut doc = AutoCommit::new();
        for notes in [
            vec![Prose::new("Works on compilers.")],
            vec![
                Prose::new("Works on compilers. Likes tea."),
                Prose::new("Met at PyCon."),
            ],
            vec![Prose::new("Met at PyCon.")],
        ] {
            autosurgeon::reconcile_prop(&mut doc, ROOT, "notes", &notes)?;
            let back: Vec<Prose> = autosurgeon::hydrate_prop(&doc, ROOT, "notes")?;
            assert_eq!(back, notes);
        }
        Ok(())
    }
}
