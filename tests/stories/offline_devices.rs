//! "The phone edits offline, the laptop edits, they meet, both agree" — with documents exchanged
//! by hand (the transport comes with the sync issue), through the real API and stores on disk.

use std::sync::Arc;

use rapport_core::model::{Body, Kind, Timestamp};
use rapport_core::{FixedClock, Rapport, SearchRequest};
use serde_json::json;

async fn device(dir: &std::path::Path) -> Rapport {
    Rapport::open(
        dir,
        Arc::new(FixedClock::new(Timestamp::from_millis(1_763_800_000_000))),
    )
    .await
    .unwrap()
}

/// Sends every document of `from` to `to` (what the sync engine will do over the network).
fn exchange(from: &Rapport, to: &Rapport) {
    for id in from.store().document_ids().unwrap() {
        let bytes = from.store().document_bytes(id).unwrap().unwrap();
        to.store().merge(id, &bytes).unwrap();
    }
}

#[tokio::test]
async fn phone_and_laptop_edit_offline_then_agree_field_by_field() {
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let laptop = device(dirs.0.path()).await;
    let phone = device(dirs.1.path()).await;

    // Research on the laptop, then the phone gets the vault.
    let ada = laptop
        .create_from_fields(
            Kind::Person,
            json!({ "name": "Ada Okafor", "research_notes": "Leads the grid team." }),
        )
        .await
        .unwrap();
    exchange(&laptop, &phone);
    assert_eq!(phone.get(ada.id()).await.unwrap(), ada);

    // Offline on both: different fields, and different sentences of the same notes.
    laptop.update(ada.id(), json!({ "role": "Head of grid planning", "research_notes": "Leads the grid team. Spoke at the storage summit." })).await.unwrap();
    phone.update(ada.id(), json!({ "location": "Lagos", "research_notes": "Met at the café. Leads the grid team." })).await.unwrap();
    let bob = phone
        .create_from_fields(
            Kind::Person,
            json!({ "name": "Bob Mensah", "referred_by_id": ada.id() }),
        )
        .await
        .unwrap();

    exchange(&phone, &laptop);
    exchange(&laptop, &phone);

    for device in [&laptop, &phone] {
        let r = device.get(ada.id()).await.unwrap();
        let Body::Person(p) = &r.body else { panic!() };
        assert_eq!(p.role.as_deref(), Some("Head of grid planning"));
        assert_eq!(p.location.as_deref(), Some("Lagos"));
        assert_eq!(
            p.research_notes.as_str(),
            "Met at the café. Leads the grid team. Spoke at the storage summit."
        );
        assert_eq!(
            device.get(bob.id()).await.unwrap().body.display_name(),
            "Bob Mensah"
        );
        let hits = device
            .search(SearchRequest {
                query: "storage summit".into(),
                ..Default::default()
            })
            .await
            .unwrap()
            .hits;
        assert_eq!(hits[0].id, ada.id(), "merges reach the search index");
        assert!(
            device.doctor(false).await.unwrap().is_clean(),
            "projections follow merges"
        );
    }
    assert_eq!(
        laptop.get(ada.id()).await.unwrap(),
        phone.get(ada.id()).await.unwrap()
    );

    // A deletion on one device travels too.
    phone.delete(bob.id()).await.unwrap();
    exchange(&phone, &laptop);
    assert!(laptop.get(bob.id()).await.is_err());
    assert_eq!(laptop.list_all(Kind::Person).await.unwrap().len(), 1);
    // Both vaults started with the same question bank: exchanging did not double it.
    assert_eq!(
        laptop.list_all(Kind::Question).await.unwrap().len(),
        phone.list_all(Kind::Question).await.unwrap().len()
    );
}
