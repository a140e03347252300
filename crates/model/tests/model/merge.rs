//! "Both devices win": concurrent edits merge field by field.

use automerge::{ActorId, AutoCommit};
use rapport_model::*;

fn person(name: &str) -> Record {
    Record {
        meta: Meta {
            id: RecordId::new_at(Timestamp::from_millis(1_763_800_000_000)),
            created_at: Timestamp::from_millis(1_763_800_000_000),
            updated_at: Timestamp::from_millis(1_763_800_000_000),
            deleted_at: None,
        },
        body: Body::Person(Person {
            name: name.into(),
            ..Default::default()
        }),
    }
}

fn edit(doc: &mut AutoCommit, f: impl FnOnce(&mut Person)) {
    let mut r = record_from_doc(doc).unwrap();
    let Body::Person(p) = &mut r.body else {
        panic!("not a person")
    };
    f(p);
    record_to_doc(&r, doc).unwrap();
}

fn get(doc: &AutoCommit) -> Person {
    match record_from_doc(doc).unwrap().body {
        Body::Person(p) => p,
        _ => panic!("not a person"),
    }
}

/// Writes a new research note on `doc`, as the notes field of the app does.
fn write_notes(doc: &mut AutoCommit, notes: &str) {
    edit(doc, |p| p.research_notes = Prose::new(notes));
}

fn person_with_notes(notes: &str) -> Record {
    let mut r = person("Ada");
    if let Body::Person(p) = &mut r.body {
        p.research_notes = Prose::new(notes);
    }
    r
}

fn forked(r: &Record) -> (AutoCommit, AutoCommit) {
    let mut laptop = AutoCommit::new();
    record_to_doc(r, &mut laptop).unwrap();
    let phone = laptop.fork().with_actor(ActorId::random());
    (laptop, phone)
}

#[test]
fn different_fields_edited_on_two_devices_both_survive() {
    let (mut laptop, mut phone) = forked(&person("Ada"));
    edit(&mut laptop, |p| p.role = Some("Engineer".into()));
    edit(&mut phone, |p| p.location = Some("London".into()));
    laptop.merge(&mut phone).unwrap();
    let p = get(&laptop);
    assert_eq!(p.role.as_deref(), Some("Engineer"));
    assert_eq!(p.location.as_deref(), Some("London"));
}

#[test]
fn notes_edited_on_two_devices_keep_both_sentences() {
    let (mut laptop, mut phone) = forked(&person_with_notes("Works on compilers."));
    write_notes(&mut laptop, "Met at PyCon. Works on compilers.");
    write_notes(&mut phone, "Works on compilers. Likes tea.");
    laptop.merge(&mut phone).unwrap();
    assert_eq!(
        get(&laptop).research_notes.as_str(),
        "Met at PyCon. Works on compilers. Likes tea."
    );
}

#[test]
fn tags_and_emails_added_on_two_devices_are_all_kept() {
    let (mut laptop, mut phone) = forked(&person("Ada"));
    edit(&mut laptop, |p| {
        p.tags.push("alumni".into());
        p.emails.push(ContactPoint::new("ada@work.org"));
    });
    edit(&mut phone, |p| {
        p.tags.push("climate".into());
        p.emails.push(ContactPoint::new("ada@home.org"));
    });
    laptop.merge(&mut phone).unwrap();
    let p = get(&laptop);
    let mut tags = p.tags.clone();
    tags.sort();
    assert_eq!(tags, vec!["alumni", "climate"]);
    assert_eq!(p.emails.len(), 2);
}

#[test]
fn the_same_field_edited_twice_keeps_one_value_and_the_other_in_history() {
    let (mut laptop, mut phone) = forked(&person("Ada"));
    edit(&mut laptop, |p| p.role = Some("Engineer".into()));
    edit(&mut phone, |p| p.role = Some("Architect".into()));
    laptop.merge(&mut phone).unwrap();
    phone.merge(&mut laptop).unwrap();
    let a = get(&laptop).role;
    assert_eq!(a, get(&phone).role, "both devices agree");
    assert!(matches!(a.as_deref(), Some("Engineer") | Some("Architect")));
    // The losing value is still in the document as a conflict, not silently gone.
    use automerge::ReadDoc;
    let data = laptop.get(automerge::ROOT, "data").unwrap().unwrap().1;
    let values = laptop.get_all(&data, "role").unwrap();
    assert_eq!(values.len(), 2, "both concurrent values are kept");
}

#[test]
fn a_deletion_merges_with_a_concurrent_edit() {
    let (mut laptop, mut phone) = forked(&person("Ada"));
    let mut r = record_from_doc(&laptop).unwrap();
    r.meta.deleted_at = Some(Timestamp::from_millis(1_763_900_000_000));
    record_to_doc(&r, &mut laptop).unwrap();
    edit(&mut phone, |p| p.role = Some("Engineer".into()));
    laptop.merge(&mut phone).unwrap();
    let merged = record_from_doc(&laptop).unwrap();
    assert!(merged.is_deleted(), "the deletion wins");
    assert!(
        matches!(merged.body, Body::Person(Person { role: Some(_), .. })),
        "the edit is kept in the tombstone"
    );
}

/// A person as a bulk write (an import, a restore) stores them: notes as a plain string.
fn restored(notes: &str) -> (AutoCommit, AutoCommit) {
    let mut laptop = AutoCommit::new();
    record_to_doc_with_plain_prose(&person_with_notes(notes), &mut laptop).unwrap();
    let phone = laptop.fork().with_actor(ActorId::random());
    (laptop, phone)
}

/// What the document holds at `data.research_notes`.
fn notes_value(doc: &AutoCommit) -> automerge::Value<'_> {
    use automerge::ReadDoc;
    let data = doc.get(automerge::ROOT, "data").unwrap().unwrap().1;
    doc.get(&data, "research_notes").unwrap().unwrap().0
}

fn is_text(doc: &AutoCommit) -> bool {
    matches!(
        notes_value(doc),
        automerge::Value::Object(automerge::ObjType::Text)
    )
}

#[test]
fn a_bulk_written_note_stays_a_plain_string_until_the_note_itself_changes() {
    let (mut laptop, _) = restored("Works on compilers.");
    assert!(
        !is_text(&laptop),
        "bulk writes store prose as a plain string"
    );
    edit(&mut laptop, |p| p.role = Some("Engineer".into()));
    assert!(
        !is_text(&laptop),
        "an edit of another field leaves the note alone"
    );
    write_notes(&mut laptop, "Works on compilers. Likes tea.");
    assert!(
        is_text(&laptop),
        "the edit that changes the note makes it text"
    );
    assert_eq!(
        get(&laptop).research_notes.as_str(),
        "Works on compilers. Likes tea."
    );
}

#[test]
fn an_edit_of_another_field_never_hides_a_concurrent_edit_of_a_bulk_written_note() {
    let (mut laptop, mut phone) = restored("Works on compilers.");
    edit(&mut laptop, |p| p.role = Some("Engineer".into()));
    write_notes(&mut phone, "Works on compilers. Likes tea.");
    laptop.merge(&mut phone).unwrap();
    phone.merge(&mut laptop).unwrap();
    for merged in [&laptop, &phone] {
        let p = get(merged);
        assert_eq!(p.role.as_deref(), Some("Engineer"));
        assert_eq!(p.research_notes.as_str(), "Works on compilers. Likes tea.");
    }
}

#[test]
fn a_bulk_written_note_edited_on_two_devices_keeps_one_value_and_the_other_in_history() {
    let (mut laptop, mut phone) = restored("Works on compilers.");
    write_notes(&mut laptop, "Met at PyCon. Works on compilers.");
    write_notes(&mut phone, "Works on compilers. Likes tea.");
    laptop.merge(&mut phone).unwrap();
    phone.merge(&mut laptop).unwrap();
    let kept = get(&laptop).research_notes;
    assert_eq!(kept, get(&phone).research_notes, "both devices agree");
    assert!(
        matches!(
            kept.as_str(),
            "Met at PyCon. Works on compilers." | "Works on compilers. Likes tea."
        ),
        "{kept:?}"
    );
    use automerge::ReadDoc;
    let data = laptop.get(automerge::ROOT, "data").unwrap().unwrap().1;
    let values = laptop.get_all(&data, "research_notes").unwrap();
    assert_eq!(values.len(), 2, "both concurrent values are kept");
}

#[test]
fn once_edited_a_bulk_written_note_merges_sentence_by_sentence() {
    let (mut laptop, mut phone) = restored("Works on compilers.");
    write_notes(&mut laptop, "Works on compilers!");
    phone.merge(&mut laptop).unwrap();
    write_notes(&mut laptop, "Met at PyCon. Works on compilers!");
    write_notes(&mut phone, "Works on compilers! Likes tea.");
    laptop.merge(&mut phone).unwrap();
    assert_eq!(
        get(&laptop).research_notes.as_str(),
        "Met at PyCon. Works on compilers! Likes tea."
    );
}
