use automerge::AutoCommit;
use proptest::prelude::*;
use rapport_model::{
    ModelError, Record, arbitrary, record_from_doc, record_to_doc, record_to_doc_with_plain_prose,
};

type Writer = fn(&Record, &mut AutoCommit) -> Result<(), ModelError>;

/// Both ways a document is built from a record: prose as text (one record written), and prose
/// as plain strings (bulk writes). Every property below holds for both.
const WRITERS: [(&str, Writer); 2] = [
    ("text prose", record_to_doc),
    ("plain prose", record_to_doc_with_plain_prose),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// record → document → save → load → record gives back the same record.
    #[test]
    fn record_survives_a_document_round_trip(record in arbitrary::record()) {
        for (how, write) in WRITERS {
            let mut doc = AutoCommit::new();
            write(&record, &mut doc).unwrap();
            let bytes = doc.save();
            let loaded = AutoCommit::load(&bytes).unwrap();
            prop_assert_eq!(&record_from_doc(&loaded).unwrap(), &record, "{}", how);
        }
    }

    /// Changing a record into another one of the same kind leaves exactly the second one.
    #[test]
    fn rewriting_a_record_leaves_the_new_one(a in arbitrary::record(), b in arbitrary::record()) {
        let mut b = b;
        b.meta.id = a.meta.id;
        for (how, write) in WRITERS {
            let mut doc = AutoCommit::new();
            write(&a, &mut doc).unwrap();
            if a.kind() != b.kind() {
                prop_assert!(record_to_doc(&b, &mut doc).is_err(), "a document never changes kind");
                continue;
            }
            // An edit is always written as one record is.
            record_to_doc(&b, &mut doc).unwrap();
            let loaded = AutoCommit::load(&doc.save()).unwrap();
            prop_assert_eq!(&record_from_doc(&loaded).unwrap(), &b, "{}", how);
        }
    }

    /// Writing the same record again adds no change to the document.
    #[test]
    fn rewriting_the_same_record_is_a_no_op(record in arbitrary::record()) {
        for (how, write) in WRITERS {
            let mut doc = AutoCommit::new();
            write(&record, &mut doc).unwrap();
            let heads = doc.get_heads();
            for (again, write_again) in WRITERS {
                write_again(&record, &mut doc).unwrap();
                prop_assert_eq!(doc.get_heads(), heads.clone(), "{} then {}", how, again);
            }
        }
    }

    /// JSON (the API's and the projections' form) round-trips too.
    #[test]
    fn record_survives_a_json_round_trip(record in arbitrary::record()) {
        let json = serde_json::to_string(&record).unwrap();
        let back: rapport_model::Record = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, record);
    }
}

#[test]
fn json_has_id_kind_and_name_at_the_top() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let record = arbitrary::record().new_tree(&mut runner).unwrap().current();
    let v: serde_json::Value = serde_json::to_value(&record).unwrap();
    assert_eq!(v["id"], record.id().to_string());
    assert_eq!(v["kind"], record.kind().as_str());
    let name_field = match record.kind() {
        rapport_model::Kind::Person
        | rapport_model::Kind::Organization
        | rapport_model::Kind::Goal => "name",
        _ => "title",
    };
    assert_eq!(v[name_field], record.body.display_name());
}

#[test]
fn a_document_without_a_kind_is_refused() {
    let doc = AutoCommit::new();
    let err = record_from_doc(&doc).unwrap_err();
    assert!(err.to_string().contains("no kind"), "{err}");
}

proptest! {
    /// A record written twice into a new document before anything commits keeps its prose
    /// once (new documents insert prose whole instead of diffing it).
    #[test]
    fn writing_twice_into_a_new_document_keeps_prose_once(record in arbitrary::record()) {
        for (how, write) in WRITERS {
            let mut doc = AutoCommit::new();
            write(&record, &mut doc).unwrap();
            record_to_doc(&record, &mut doc).unwrap();
            prop_assert_eq!(&record_from_doc(&doc).unwrap(), &record, "{}", how);
        }
    }
}
