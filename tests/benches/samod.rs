//! Side by side: the same documents synced to an empty device by Rapport (two iroh nodes on
//! 127.0.0.1, stores on disk) and by samod 0.16, the Rust automerge-repo (two repos over a
//! loopback TCP connection, in memory). samod only sends documents that are asked for, so the
//! receiving repo asks for every one (`find`), as an app syncing a whole collection must.
//!
//! Run: `cargo bench -p rapport-tests --bench samod [-- 1000,3000]` (document counts).

#![allow(clippy::unwrap_used, clippy::print_stdout)] // a benchmark: fail loudly, print a table

use std::sync::Arc;
use std::time::{Duration, Instant};

use automerge::Automerge;
use rapport_core::model::{Record, Timestamp, record_to_doc};
use rapport_core::seed::{SeedSpec, generate};
use rapport_core::{FixedClock, NodeConfig, Rapport, RelayChoice};

/// The first `n` records of a seeded vault (people, organizations, meetings with notes, …).
fn records(n: usize) -> Vec<Record> {
    let now = Timestamp::from_millis(1_763_769_600_000);
    let mut all = generate(&SeedSpec {
        people: n,
        seed: 1,
        now,
    });
    all.truncate(n);
    all
}

async fn rapport_seconds(records: &[Record]) -> f64 {
    let clock = Arc::new(FixedClock::new(Timestamp::from_millis(1_763_769_600_000)));
    let dir = tempfile::tempdir().unwrap();
    let laptop = Rapport::open(&dir.path().join("laptop"), clock.clone())
        .await
        .unwrap();
    let phone = Rapport::open(&dir.path().join("phone"), clock)
        .await
        .unwrap();
    laptop.write_all(records.to_vec()).await.unwrap();
    let config = |name: &str| NodeConfig {
        name: Some(name.into()),
        bind: vec![std::net::SocketAddr::from(([127, 0, 0, 1], 0))],
        relay: RelayChoice::Off,
        mdns: false,
    };
    let a = laptop.start_node(config("laptop")).await.unwrap();
    let b = phone.start_node(config("phone")).await.unwrap();
    b.join(&a.invite(Duration::from_secs(60)).await.unwrap())
        .await
        .unwrap();
    let t = Instant::now();
    b.sync_with(a.key()).await.unwrap();
    let s = t.elapsed().as_secs_f64();
    a.close().await;
    b.close().await;
    s
}

async fn samod_seconds(records: &[Record]) -> f64 {
    let server = samod::Repo::build_tokio().load().await;
    let mut ids = Vec::with_capacity(records.len());
    for r in records {
        let mut doc = automerge::AutoCommit::new();
        record_to_doc(r, &mut doc).unwrap();
        let doc: Automerge = doc.document().clone();
        ids.push(server.create(doc).await.unwrap().document_id().clone());
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let acceptor = server
        .make_acceptor(url::Url::parse("tcp://127.0.0.1").unwrap())
        .unwrap();
    tokio::spawn(async move {
        while let Ok((io, _)) = listener.accept().await {
            let _ = acceptor.accept_tokio_io(io);
        }
    });
    let client = samod::Repo::build_tokio().load().await;
    let dialer = client
        .dial_tcp(
            url::Url::parse(&format!("tcp://127.0.0.1:{port}")).unwrap(),
            samod::BackoffConfig::default(),
        )
        .unwrap();
    dialer.established().await.unwrap();
    let t = Instant::now();
    let finds = ids.iter().map(|id| client.find(id.clone()));
    let found = futures_util::future::join_all(finds).await;
    let s = t.elapsed().as_secs_f64();
    assert!(
        found.iter().all(|f| matches!(f, Ok(Some(_)))),
        "samod found every document"
    );
    client.stop().await;
    server.stop().await;
    s
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_else(|| "1000,3000".into())
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    println!("| documents | Rapport s | samod s | samod ÷ Rapport |");
    println!("|---|---|---|---|");
    for n in sizes {
        let recs = records(n);
        let ours = rt.block_on(rapport_seconds(&recs));
        let limit = Duration::from_secs(600);
        let theirs = rt.block_on(async { tokio::time::timeout(limit, samod_seconds(&recs)).await });
        match theirs {
            Ok(s) => println!("| {n} | {ours:.2} | {s:.2} | {:.1}× |", s / ours),
            Err(_) => println!("| {n} | {ours:.2} | over {} s | — |", limit.as_secs()),
        }
    }
}
