use rapport_model::{Body, Kind, Organization, Person, Task, Timestamp};
use rapport_store::{ListOrder, ListQuery};

use crate::common::*;

#[test]
fn lists_sort_by_name_and_page_with_a_cursor() {
    each_store(|store| {
        let names = ["delta", "Alpha", "charlie", "bravo", "Echo"];
        for (i, n) in names.iter().enumerate() {
            put(
                store,
                new_record(
                    person(n),
                    Timestamp::from_millis(now().as_millis() + i as i64),
                ),
            );
        }
        let mut q = ListQuery::new(Kind::Person);
        q.limit = 2;
        let mut seen = Vec::new();
        loop {
            let page = store.list(&q).unwrap();
            seen.extend(page.items.iter().map(|r| r.body.display_name().to_string()));
            match page.next {
                Some(c) => q.after = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, ["Alpha", "bravo", "charlie", "delta", "Echo"]);
        q.after = None;
        q.order = ListOrder::Updated;
        q.limit = 10;
        let newest: Vec<_> = store
            .list(&q)
            .unwrap()
            .items
            .iter()
            .map(|r| r.body.display_name().to_string())
            .collect();
        assert_eq!(newest, ["Echo", "bravo", "charlie", "Alpha", "delta"]);
        assert_eq!(store.count(Kind::Person).unwrap(), 5);
        assert_eq!(store.count(Kind::Organization).unwrap(), 0);
        assert!(
            store
                .list(&ListQuery {
                    after: Some("zz".into()),
                    ..ListQuery::new(Kind::Person)
                })
                .is_err()
        );
    });
}

#[test]
fn deleted_records_leave_lists_but_stay_readable_as_tombstones() {
    each_store(|store| {
        let r = put(store, new_record(person("Ada"), now()));
        let mut gone = r.clone();
        gone.meta.deleted_at = Some(now());
        put(store, gone);
        assert!(
            store
                .list(&ListQuery::new(Kind::Person))
                .unwrap()
                .items
                .is_empty()
        );
        assert!(store.get(r.id()).unwrap().unwrap().is_deleted());
        assert_eq!(store.kind_of(r.id()).unwrap(), None);
        assert_eq!(store.count(Kind::Person).unwrap(), 0);
    });
}

#[test]
fn records_are_indexed_by_organization_goal_and_due_date() {
    each_store(|store| {
        let org = put(
            store,
            new_record(
                Body::Organization(Organization {
                    name: "Acme".into(),
                    ..Default::default()
                }),
                now(),
            ),
        );
        let goal = put(
            store,
            new_record(
                Body::Goal(rapport_model::Goal {
                    name: "Data roles".into(),
                    ..Default::default()
                }),
                now(),
            ),
        );
        let at_acme = put(
            store,
            new_record(
                Body::Person(Person {
                    name: "Zed".into(),
                    organization_id: Some(org.id()),
                    goal_ids: vec![goal.id()],
                    ..Default::default()
                }),
                now(),
            ),
        );
        put(store, new_record(person("Elsewhere"), now()));
        let mut q = ListQuery::new(Kind::Person);
        q.organization = Some(org.id());
        assert_eq!(store.list(&q).unwrap().items, vec![at_acme.clone()]);
        q.organization = None;
        q.goal = Some(goal.id());
        assert_eq!(store.list(&q).unwrap().items, vec![at_acme]);

        let due = |title: &str, at: i64, done: bool| {
            Body::Task(Task {
                title: title.into(),
                due_at: Some(Timestamp::from_millis(at)),
                done_at: done.then(now),
                ..Default::default()
            })
        };
        put(store, new_record(due("later", 3_000, false), now()));
        put(store, new_record(due("sooner", 1_000, false), now()));
        put(store, new_record(due("done", 500, true), now()));
        let titles: Vec<_> = store
            .due_before(Timestamp::from_millis(2_000), 10)
            .unwrap()
            .iter()
            .map(|r| r.body.display_name().to_string())
            .collect();
        assert_eq!(titles, ["sooner"]);
    });
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(128))]

    /// What is read back is exactly what was written, whatever the record.
    #[test]
    fn any_record_reads_back_as_written(record in rapport_model::arbitrary::record()) {
        let store = rapport_store::Store::in_memory();
        put(&store, record.clone());
        proptest::prop_assert_eq!(store.get(record.id()).unwrap(), Some(record));
    }
}
