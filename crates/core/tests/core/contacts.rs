//! Address books: vCard files from phones (2.1, 3.0, 4.0), Google Contacts CSV in both layouts,
//! vCard 4.0 export read back by an independent parser (`ical`).

use std::io::BufReader;
use std::sync::Arc;

use rapport_core::import::{ContactFormat, ImportOptions, ImportReport};
use rapport_core::model::{Body, Kind, Person, Record, Timestamp};
use rapport_core::{FixedClock, Rapport};

async fn app() -> Rapport {
    Rapport::in_memory(Arc::new(FixedClock::new(Timestamp::from_millis(
        1_763_800_000_000,
    ))))
    .await
    .unwrap()
}

async fn import(app: &Rapport, format: ContactFormat, text: &str) -> ImportReport {
    app.import_contacts(format, text, ImportOptions::default(), &|_, _| {})
        .await
        .unwrap()
}

async fn people(app: &Rapport) -> Vec<(Record, Person)> {
    let mut v: Vec<_> = app
        .list_all(Kind::Person)
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let Body::Person(p) = r.body.clone() else {
                panic!("not a person")
            };
            (r, p)
        })
        .collect();
    v.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    v
}

async fn person(app: &Rapport, name: &str) -> Person {
    people(app)
        .await
        .into_iter()
        .map(|(_, p)| p)
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

async fn org_name(app: &Rapport, p: &Person) -> String {
    app.get(p.organization_id.expect("an organization"))
        .await
        .unwrap()
        .body
        .display_name()
        .to_string()
}

const IPHONE: &str = include_str!("../fixtures/contacts-iphone.vcf");
const ANDROID: &str = include_str!("../fixtures/contacts-android.vcf");
const V4: &str = include_str!("../fixtures/contacts-v4.vcf");
const CUT: &str = include_str!("../fixtures/contacts-cut.vcf");
const GOOGLE: &str = include_str!("../fixtures/google-contacts.csv");
const GOOGLE_BAD: &str = include_str!("../fixtures/google-contacts-bad.csv");
const GOOGLE_LEGACY: &str = include_str!("../fixtures/google-contacts-legacy.csv");

#[tokio::test]
async fn an_iphone_vcard_3_file_imports_with_labels_groups_and_no_photo() {
    let app = app().await;
    let r = import(&app, ContactFormat::Vcard, IPHONE).await;
    assert_eq!((r.created, r.updated, r.invalid.len()), (3, 0, 0), "{r:?}");
    assert!(r.applied);

    let ada = person(&app, "Adaeze Okafor").await;
    assert_eq!(ada.role.as_deref(), Some("Head of Forecasting"));
    assert_eq!(org_name(&app, &ada).await, "Nordlys Energi");
    let emails: Vec<_> = ada
        .emails
        .iter()
        .map(|e| (e.value.as_str(), e.label.as_deref()))
        .collect();
    assert_eq!(
        emails,
        [
            ("ada.okafor@nordlys.example", Some("work")),
            ("adaeze@home.example", Some("home"))
        ]
    );
    let phones: Vec<_> = ada
        .phones
        .iter()
        .map(|e| (e.value.as_str(), e.label.as_deref()))
        .collect();
    assert_eq!(
        phones,
        [
            ("+45 20 11 22 33", Some("cell")),
            ("+45 33 44 55 66", Some("desk"))
        ]
    );
    assert_eq!(
        ada.links[0].url,
        "https://www.linkedin.com/in/adaeze-okafor"
    );
    assert_eq!(ada.location.as_deref(), Some("Copenhagen, Denmark"));
    let notes = ada.research_notes.as_str();
    assert!(
        notes.contains("Energy Transition meetup, asked about demand forecasting for the grid.\nFollow up in spring."),
        "folded and escaped note: {notes:?}"
    );
    assert_eq!(ada.tags, ["energy", "meetup"]);
    let everything = serde_json::to_string(
        &people(&app)
            .await
            .iter()
            .map(|(r, _)| r)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(!everything.contains("/9j/"), "the photo is skipped");

    let jurgen = person(&app, "Jürgen Müller").await;
    assert_eq!(org_name(&app, &jurgen).await, "Stadtwerke Süd");
    // A card with only an email is named after it.
    person(&app, "only.email@example.org").await;

    // Importing the same file again changes nothing.
    let again = import(&app, ContactFormat::Vcard, IPHONE).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(app.list_all(Kind::Organization).await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_vcard_2_1_file_decodes_quoted_printable_and_names_from_n() {
    let app = app().await;
    let r = import(&app, ContactFormat::Vcard, ANDROID).await;
    assert_eq!((r.created, r.invalid.len()), (2, 0), "{r:?}");
    let ana = person(&app, "Ana Šimić").await;
    assert_eq!(ana.phones.len(), 2);
    assert_eq!(ana.phones[0].label.as_deref(), Some("cell"));
    assert_eq!(ana.emails[0].value, "ana.simic@mail.example");
    assert_eq!(
        ana.research_notes.as_str(),
        "Knows everyone in offshore wind, says hi to Marko."
    );
    // No FN: the name comes from N (given name first).
    let yui = person(&app, "Yui Tanaka").await;
    assert_eq!(yui.phones[0].value, "090-1234-5678");
}

#[tokio::test]
async fn a_vcard_4_file_reads_uri_phones_and_social_profiles() {
    let app = app().await;
    import(&app, ContactFormat::Vcard, V4).await;
    let priya = person(&app, "Priya Raman").await;
    assert_eq!(priya.phones[0].value, "+1-555-010-2000");
    assert_eq!(priya.emails[0].label.as_deref(), Some("work"));
    let urls: Vec<_> = priya.links.iter().map(|l| l.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            "https://helios.example/team/priya",
            "https://www.linkedin.com/in/priya-raman"
        ]
    );
}

#[tokio::test]
async fn a_cut_off_vcard_file_imports_nothing_and_says_where() {
    let app = app().await;
    let r = import(&app, ContactFormat::Vcard, CUT).await;
    assert!(!r.applied);
    assert_eq!(r.invalid.len(), 1);
    assert_eq!(r.invalid[0].line, 13, "{:?}", r.invalid);
    assert!(r.invalid[0].reason.contains("END:VCARD"));
    assert!(app.list_all(Kind::Person).await.unwrap().is_empty());

    let not_vcard = app
        .import_contacts(
            ContactFormat::Vcard,
            "name,email\n",
            ImportOptions::default(),
            &|_, _| {},
        )
        .await
        .unwrap_err();
    assert!(not_vcard.message.contains("BEGIN:VCARD"), "{not_vcard:?}");
}

#[tokio::test]
async fn google_contacts_csv_in_both_layouts() {
    let app = app().await;
    let r = import(&app, ContactFormat::GoogleCsv, GOOGLE).await;
    assert_eq!((r.created, r.skipped, r.invalid.len()), (2, 1, 0), "{r:?}");
    let grace = person(&app, "Grace Hopper").await;
    assert_eq!(org_name(&app, &grace).await, "Navy Labs, Inc.");
    assert_eq!(grace.role.as_deref(), Some("Rear Admiral"));
    let emails: Vec<_> = grace
        .emails
        .iter()
        .map(|e| (e.value.as_str(), e.label.as_deref()))
        .collect();
    assert_eq!(
        emails,
        [
            ("grace@navy.example", Some("work")),
            ("grace@home.example", Some("home")),
            ("g.hopper@old.example", Some("home"))
        ]
    );
    assert_eq!(grace.phones[0].label.as_deref(), Some("mobile"));
    assert_eq!(grace.location.as_deref(), Some("Arlington, VA, USA"));
    assert_eq!(
        grace.tags,
        ["Mentors"],
        "Google's system labels are dropped"
    );
    assert_eq!(
        grace.research_notes.as_str(),
        "Compilers pioneer.\nAsk about COBOL."
    );
    person(&app, "Zoë Çelik").await;
    let again = import(&app, ContactFormat::GoogleCsv, GOOGLE).await;
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 2));

    let legacy = import(&app, ContactFormat::GoogleCsv, GOOGLE_LEGACY).await;
    assert_eq!(legacy.created, 1);
    let linus = person(&app, "Linus Berg").await;
    assert_eq!(org_name(&app, &linus).await, "Vattenfall");
    assert_eq!(linus.role.as_deref(), Some("Analyst"));
    assert_eq!(linus.emails[0].value, "linus@berg.example");
    assert_eq!(linus.location.as_deref(), Some("Stockholm"));
    assert_eq!(linus.tags, ["Alumni"]);
}

#[tokio::test]
async fn a_bad_google_row_stops_the_import_unless_skipped() {
    let app = app().await;
    let r = import(&app, ContactFormat::GoogleCsv, GOOGLE_BAD).await;
    assert!(!r.applied);
    // The header is line 1 and Grace's notes span lines 2–3, so the bad row is line 4.
    assert_eq!(r.invalid.len(), 1, "{:?}", r.invalid);
    assert_eq!(r.invalid[0].line, 4);
    assert!(r.invalid[0].reason.contains("email"), "{:?}", r.invalid);
    assert!(app.list_all(Kind::Person).await.unwrap().is_empty());
    assert!(app.list_all(Kind::Organization).await.unwrap().is_empty());

    let dry = app
        .import_contacts(
            ContactFormat::GoogleCsv,
            GOOGLE_BAD,
            ImportOptions {
                dry_run: true,
                skip_invalid: true,
            },
            &|_, _| {},
        )
        .await
        .unwrap();
    assert_eq!((dry.created, dry.applied), (2, false));
    assert!(app.list_all(Kind::Person).await.unwrap().is_empty());

    let skipped = app
        .import_contacts(
            ContactFormat::GoogleCsv,
            GOOGLE_BAD,
            ImportOptions {
                dry_run: false,
                skip_invalid: true,
            },
            &|_, _| {},
        )
        .await
        .unwrap();
    assert!(skipped.applied);
    assert_eq!(app.list_all(Kind::Person).await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_same_person_from_linkedin_and_the_phone_is_one_person() {
    let app = app().await;
    import(&app, ContactFormat::Vcard, IPHONE).await;
    let linkedin = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n\
        Adaeze,Okafor,https://www.linkedin.com/in/adaeze-okafor/,,Nordlys Energi,Director of Forecasting,05 Mar 2024\n";
    let r = import(&app, ContactFormat::Linkedin, linkedin).await;
    assert_eq!((r.created, r.updated), (0, 1), "matched by profile URL");
    let ada = person(&app, "Adaeze Okafor").await;
    assert_eq!(ada.role.as_deref(), Some("Director of Forecasting"));
    assert_eq!(ada.emails.len(), 2, "nothing wiped");
    assert_eq!(ada.phones.len(), 2);
}

#[tokio::test]
async fn vcard_export_reads_back_with_an_independent_parser_and_round_trips() {
    let first = app().await;
    import(&first, ContactFormat::Vcard, IPHONE).await;
    import(&first, ContactFormat::Vcard, ANDROID).await;
    let out = first.export_vcard().await.unwrap();

    let cards: Vec<_> = ical::VcardParser::new(BufReader::new(out.as_bytes()))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(cards.len(), 5);
    let prop = |c: &ical::parser::vcard::component::VcardContact, name: &str| -> Vec<String> {
        c.properties
            .iter()
            .filter(|p| p.name == name)
            .filter_map(|p| p.value.clone())
            .collect()
    };
    for c in &cards {
        assert_eq!(prop(c, "VERSION"), ["4.0"]);
        assert_eq!(prop(c, "FN").len(), 1);
    }
    let ada = cards
        .iter()
        .find(|c| prop(c, "FN") == ["Adaeze Okafor"])
        .unwrap();
    assert_eq!(prop(ada, "ORG"), ["Nordlys Energi"]);
    assert_eq!(prop(ada, "EMAIL").len(), 2);
    assert!(prop(ada, "UID")[0].starts_with("urn:uuid:"));
    assert!(cards.iter().any(|c| prop(c, "FN") == ["Ana Šimić"]));

    // Into an empty vault: the same people with the same details.
    let other = app().await;
    let r = import(&other, ContactFormat::Vcard, &out).await;
    assert_eq!((r.created, r.invalid.len()), (5, 0));
    let (a, b) = (people(&first).await, people(&other).await);
    for ((_, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x.name, y.name);
        assert_eq!(x.emails, y.emails);
        assert_eq!(x.phones, y.phones);
        assert_eq!(x.role, y.role);
        assert_eq!(x.tags, y.tags);
        assert_eq!(x.research_notes, y.research_notes);
        assert_eq!(x.links.len(), y.links.len());
    }
}
