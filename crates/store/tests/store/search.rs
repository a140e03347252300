use rapport_model::{Body, Kind, Person, Prose};
use rapport_store::{Store, StoreOptions};

use crate::common::*;

fn ada() -> Body {
    Body::Person(Person {
        name: "Zoë Okonkwo".into(),
        role: Some("Climate data analyst".into()),
        research_notes: Prose::new("Quoted in an article about heat pumps in Lagos."),
        tags: vec!["renewables".into()],
        ..Default::default()
    })
}

#[test]
fn every_text_field_is_searchable_with_folded_accents_and_prefixes() {
    each_store(|store| {
        let r = put(store, new_record(ada(), now()));
        put(store, new_record(person("Somebody Else"), now()));
        for q in [
            "zoe",
            "ZOË",
            "okonk",
            "heat pumps",
            "renewables",
            "analyst climate",
            "lag",
        ] {
            let hits = store.search(q, None, 10).unwrap();
            assert_eq!(
                hits.first().map(|h| h.id),
                Some(r.id()),
                "query {q:?}: {hits:?}"
            );
        }
        assert!(
            store
                .search("heat pumps", Some(Kind::Organization), 10)
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .search("nothing-like-this", None, 10)
                .unwrap()
                .is_empty()
        );
        assert!(
            store.search("\"(*&^ AND OR", None, 10).is_ok(),
            "no query syntax to trip over"
        );
        assert!(store.search("", None, 10).unwrap().is_empty());
    });
}

#[test]
fn edits_and_deletions_show_in_the_next_search() {
    each_store(|store| {
        let mut r = put(store, new_record(ada(), now()));
        assert_eq!(store.search("renewables", None, 5).unwrap().len(), 1);
        if let Body::Person(p) = &mut r.body {
            p.tags = vec!["hydrogen".into()];
        }
        let mut r = put(store, r);
        assert!(store.search("renewables", None, 5).unwrap().is_empty());
        assert_eq!(store.search("hydrogen", None, 5).unwrap().len(), 1);
        r.meta.deleted_at = Some(now());
        put(store, r);
        assert!(store.search("hydrogen", None, 5).unwrap().is_empty());
    });
}

#[test]
fn the_index_catches_up_after_a_restart_and_after_being_lost() {
    let dir = tempfile::tempdir().unwrap();
    let id = {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        // Written by a process that never opened the index.
        put(&store, new_record(ada(), now())).id()
    };
    {
        let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
        assert_eq!(store.search("okonkwo", None, 5).unwrap()[0].id, id);
    }
    std::fs::remove_dir_all(dir.path().join("search")).unwrap();
    let store = Store::open(dir.path(), StoreOptions::default()).unwrap();
    assert_eq!(
        store.search("okonkwo", None, 5).unwrap()[0].id,
        id,
        "a lost index is rebuilt"
    );
    assert_eq!(store.search_len().unwrap(), 1);
}
