//! Crash safety (RELIABILITY.md §1): `rapport` writers killed with SIGKILL at random points,
//! then the vault reopened and checked; and power cuts simulated by cutting the newest bytes off
//! a copy of the database's log.
//!
//! `RAPPORT_CRASH_KILLS` sets the number of kills (default 50; the long run is 1,000) and
//! `RAPPORT_CRASH_SEED` the seed of the random kill points (default 7). Every wait is bounded.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rapport_core::model::{Body, Kind};
use rapport_core::{ErrorCode, Rapport, SearchRequest, SystemClock};

use super::running::Running;

/// How long any one wait may last before the test fails.
pub(super) const LIMIT: Duration = Duration::from_secs(30);
/// A fresh vault every this many kills, so checking a round stays cheap in the long run.
const KILLS_PER_VAULT: usize = 50;

pub(super) fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name}={v} is not a number"))
        })
        .unwrap_or(default)
}

/// The runtime the tests reopen vaults in (one worker: the killed processes need the other core).
pub(super) fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

pub(super) fn rapport(vault: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rapport"));
    c.arg("--data-dir")
        .arg(vault)
        .env_remove("RAPPORT_DATA_DIR")
        .env("RAPPORT_RELAY", "off")
        .env("RAPPORT_MDNS", "off");
    c
}

/// A writer under test: its output lines on a channel, its standard error in a file.
struct Victim {
    run: Running,
    stderr: std::path::PathBuf,
}

impl Victim {
    fn start(mut c: Command, stderr: std::path::PathBuf) -> Self {
        let err = std::fs::File::create(&stderr).unwrap();
        c.stdin(Stdio::null());
        Self {
            run: Running::start_with_stderr(c, err),
            stderr,
        }
    }

    /// The next acknowledgement line; fails the test if the writer goes quiet.
    fn next_line(&self, round: usize) -> String {
        self.run.next_line(LIMIT).unwrap_or_else(|| {
            panic!(
                "round {round}: the writer went quiet: {}",
                std::fs::read_to_string(&self.stderr).unwrap_or_default()
            )
        })
    }

    /// Fails the test if the process ended on its own (the writer never stops by itself).
    fn assert_running(&mut self, what: &str) {
        if let Some(status) = self.run.ended() {
            panic!(
                "{what} ended by itself ({status}): {}",
                std::fs::read_to_string(&self.stderr).unwrap_or_default()
            );
        }
    }

    /// SIGKILL, then every line the process wrote before dying: lines still in the pipe were
    /// printed after their write returned, so they count too.
    fn kill_9(mut self) -> Vec<String> {
        self.run.kill_and_collect(LIMIT)
    }
}

/// What the writers acknowledged, brought up to date with what each reopen found.
#[derive(Default)]
struct Model {
    /// Live people and the number of their last edit (`role N`), if any.
    live: BTreeMap<String, Option<u64>>,
    deleted: BTreeSet<String>,
    /// A batch announced (`batch K`) whose people have not all been acknowledged: (K, left).
    batch: Option<(usize, usize)>,
}

#[derive(Default, Debug)]
pub(super) struct Figures {
    kills: usize,
    writer_kills: usize,
    compact_kills: usize,
    killed_before_ready: usize,
    acknowledged: usize,
    compactions: usize,
    in_flight_found: usize,
    pub(super) records_checked: usize,
    vaults: usize,
    pub(super) doctor_runs: usize,
    checking: Duration,
}

impl Model {
    /// Takes in one acknowledged line; true if it was a write.
    fn take(&mut self, line: &str, figures: &mut Figures) -> bool {
        let parts: Vec<&str> = line.split(' ').collect();
        match parts.as_slice() {
            ["ready"] => return false,
            ["created", id] => {
                self.live.insert(id.to_string(), None);
                if let Some((k, left)) = self.batch {
                    self.batch = (left > 1).then_some((k, left - 1));
                }
            }
            ["edited", id, n] => {
                let n: u64 = n.parse().unwrap();
                let role = self
                    .live
                    .get_mut(*id)
                    .unwrap_or_else(|| panic!("the writer edited {id}, which is not live"));
                *role = Some(n);
            }
            ["deleted", id] => {
                assert!(self.live.remove(*id).is_some(), "deleted {id} twice");
                self.deleted.insert(id.to_string());
            }
            ["batch", k] => {
                let k = k.parse().unwrap();
                self.batch = Some((k, k));
                return false;
            }
            ["compacted", _] => {
                figures.compactions += 1;
                return false;
            }
            other => panic!("unexpected line from the writer: {other:?}"),
        }
        figures.acknowledged += 1;
        true
    }
}

/// Live crash-test people as the reopened vault lists them, with their edit number.
pub(super) type Observed = BTreeMap<String, Option<u64>>;

fn role_number(body: &Body) -> Option<u64> {
    match body {
        Body::Person(p) => p
            .role
            .as_deref()
            .map(|r| r.trim_start_matches("role ").parse().unwrap()),
        _ => None,
    }
}

/// Reopens the vault and checks it is consistent in itself: every listed person reads back the
/// same by id, search finds a sample of them by their unique names, and (when `full`) the
/// projections equal what the documents imply (`doctor`, which reads every document: the
/// slowest part, so not after every kill). Returns the live people.
async fn reopen_and_check(
    vault: &Path,
    full: bool,
    rng: &mut impl Rng,
    deleted_now: &[String],
    figures: &mut Figures,
) -> Observed {
    let app = open_after_kill(vault).await;
    check_open(&app, full, rng, deleted_now, figures).await
}

/// Opens a vault a killed process left; a refusal fails the test, with its message.
pub(super) async fn open_after_kill(vault: &Path) -> Rapport {
    Rapport::open(vault, Arc::new(SystemClock))
        .await
        .unwrap_or_else(|e| panic!("the vault does not reopen after kill -9: {e:?}"))
}

/// The checks of [`reopen_and_check`] on an open vault.
pub(super) async fn check_open(
    app: &Rapport,
    full: bool,
    rng: &mut impl Rng,
    deleted_now: &[String],
    figures: &mut Figures,
) -> Observed {
    if full {
        let report = app.doctor(false).await.unwrap();
        assert!(
            report.is_clean(),
            "projections disagree with documents: {report:?}"
        );
        figures.doctor_runs += 1;
    }
    let people: Vec<_> = app
        .list_all(Kind::Person)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| matches!(&r.body, Body::Person(p) if p.tags.iter().any(|t| t == "crash-test")))
        .collect();
    for r in &people {
        assert_eq!(
            &app.get(r.id()).await.unwrap(),
            r,
            "the list and the record differ"
        );
        figures.records_checked += 1;
    }
    let found = |name: String| async move {
        app.search(SearchRequest {
            query: name,
            kind: Some(Kind::Person),
            limit: Some(1000),
        })
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id.to_string())
        .collect::<BTreeSet<_>>()
    };
    for _ in 0..3.min(people.len()) {
        let r = &people[rng.gen_range(0..people.len())];
        let hits = found(r.body.display_name().to_string()).await;
        assert!(
            hits.contains(&r.id().to_string()),
            "search does not find {} ({})",
            r.id(),
            r.body.display_name()
        );
    }
    for id in deleted_now {
        let e = app.get(id.parse().unwrap()).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound, "deleted {id} reads back");
    }
    people
        .iter()
        .map(|r| (r.id().to_string(), role_number(&r.body)))
        .collect()
}

/// Compares what reopened with what was acknowledged. Every acknowledged write must be there;
/// at most one more write (the one in flight when the kill came) may show — a batch counting
/// as one, whole or not at all. Then the model takes in what was found.
fn reconcile(model: &mut Model, observed: Observed, round: usize, figures: &mut Figures) {
    let mut in_flight = Vec::new();
    for (id, acked) in &model.live {
        match observed.get(id) {
            None => in_flight.push(format!("{id} deleted")),
            Some(found) if found == acked => {}
            Some(found) => {
                assert!(
                    found.is_some() && found > acked,
                    "round {round}: acknowledged edit {acked:?} of {id} was lost (found {found:?})"
                );
                in_flight.push(format!("{id} edited to {found:?}"));
            }
        }
    }
    for id in &model.deleted {
        assert!(
            !observed.contains_key(id),
            "round {round}: acknowledged deletion of {id} was undone"
        );
    }
    let extra: Vec<&String> = observed
        .keys()
        .filter(|id| !model.live.contains_key(*id))
        .collect();
    match model.batch {
        Some((k, left)) => assert!(
            extra.len() == left || (extra.is_empty() && left == k),
            "round {round}: a batch of {k} with {left} unacknowledged left {} extra people",
            extra.len()
        ),
        None => assert!(
            extra.len() <= 1,
            "round {round}: {} people appeared that nobody acknowledged",
            extra.len()
        ),
    }
    if !extra.is_empty() {
        in_flight.push(format!("{} created", extra.len()));
    }
    assert!(
        in_flight.len() <= 1,
        "round {round}: more than the one write in flight differs: {in_flight:?}"
    );
    figures.in_flight_found += in_flight.len();
    for id in model.live.keys() {
        if !observed.contains_key(id) {
            model.deleted.insert(id.clone());
        }
    }
    model.live = observed;
    model.batch = None;
}

/// Writers doing bursts of creates, edits (with the store's automatic folding), deletes, batch
/// writes and compactions, killed with SIGKILL at random points; `doctor --compact` (the
/// rewrite of the database files) killed too. After every kill: reopen, check consistency, and
/// check that every acknowledged write is there.
#[test]
fn acknowledged_writes_survive_kill_9_at_random_points() {
    let kills = env_number("RAPPORT_CRASH_KILLS", 50) as usize;
    let seed = env_number("RAPPORT_CRASH_SEED", 7);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let rt = runtime();
    let started = Instant::now();
    let mut figures = Figures::default();
    let mut dir = tempfile::tempdir().unwrap();
    let mut model = Model::default();
    for round in 0..kills {
        if round > 0 && round % KILLS_PER_VAULT == 0 {
            dir = tempfile::tempdir().unwrap();
            model = Model::default();
        }
        if round % KILLS_PER_VAULT == 0 {
            figures.vaults += 1;
        }
        let vault = dir.path().join("vault");
        let stderr = dir.path().join("stderr.txt");
        // Every tenth round kills the rewrite of the database files instead of a writer.
        let compacting = round % 10 == 9;
        let mut deleted_now = Vec::new();
        if compacting {
            let mut c = rapport(&vault);
            c.args(["doctor", "--compact"]);
            let victim = Victim::start(c, stderr);
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..1000)));
            victim.kill_9();
            figures.compact_kills += 1;
        } else {
            let mut c = rapport(&vault);
            c.args(["dev", "churn", "--seed"])
                .arg(format!("{seed}{round}"))
                .arg("--from")
                .arg((round as u64 * 1_000_000).to_string());
            let mut victim = Victim::start(c, stderr);
            let mut lines = Vec::new();
            match rng.gen_range(0..3) {
                // Anywhere from the start: often while it opens (and recovers) the vault.
                0 => std::thread::sleep(Duration::from_millis(rng.gen_range(0..300))),
                // Right after the k-th acknowledgement, as the next write starts.
                1 => {
                    let k = rng.gen_range(1..=30);
                    while lines.len() < k {
                        lines.push(victim.next_line(round));
                    }
                }
                // At a random moment of the writing.
                _ => {
                    lines.push(victim.next_line(round));
                    std::thread::sleep(Duration::from_millis(rng.gen_range(0..500)));
                }
            }
            victim.assert_running("the writer");
            lines.extend(victim.kill_9());
            if lines.first().map(String::as_str) != Some("ready") {
                figures.killed_before_ready += 1;
            }
            for line in &lines {
                if model.take(line, &mut figures) && line.starts_with("deleted ") {
                    deleted_now.push(line["deleted ".len()..].to_string());
                }
            }
            figures.writer_kills += 1;
        }
        figures.kills += 1;
        let checking = Instant::now();
        // `doctor` after every fifth kill and the last: damage a kill did stays on disk until
        // then (a vault is verified on opening only after a power loss, not a killed process).
        let full = round % 5 == 4 || round + 1 == kills;
        let observed = rt.block_on(reopen_and_check(
            &vault,
            full,
            &mut rng,
            &deleted_now,
            &mut figures,
        ));
        figures.checking += checking.elapsed();
        reconcile(&mut model, observed, round, &mut figures);
    }
    assert_eq!(figures.kills, kills);
    assert!(
        figures.acknowledged > kills,
        "the writers acknowledged too little to test: {figures:?}"
    );
    assert!(figures.compactions > 0, "no compaction ran: {figures:?}");
    println!(
        "crash: {} kills ({} writers, {} compactions of the files, {} before the vault was open) \
         on {} vault(s); {} acknowledged writes, all found; {} records checked; {} in-flight \
         writes found landed; {} compactions by the writers; {} doctor checks; {:.1} s ({:.1} s \
         reopening and checking; seed {seed})",
        figures.kills,
        figures.writer_kills,
        figures.compact_kills,
        figures.killed_before_ready,
        figures.vaults,
        figures.acknowledged,
        figures.records_checked,
        figures.in_flight_found,
        figures.compactions,
        figures.doctor_runs,
        started.elapsed().as_secs_f64(),
        figures.checking.as_secs_f64()
    );
}

/// Power cuts through the whole application: a vault as `rapport` leaves it (question bank,
/// templates, people), its log cut at points spread over the file. Each copy must open with
/// every older person, or be refused with a storage error that says the files are damaged —
/// not a panic, not an internal error. (sled 0.34 panics on some of these cuts; the store turns
/// that into the same refusal.) The store's own tests (`power_cut.rs`) check the recovered
/// contents in detail.
#[test]
fn a_cut_log_opens_whole_or_is_refused_as_damaged() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault");
    let open = |d: &Path| rt.block_on(Rapport::open(d, Arc::new(SystemClock)));
    let names = |app: &Rapport| -> BTreeSet<String> {
        rt.block_on(app.list_all(Kind::Person))
            .unwrap()
            .into_iter()
            .map(|r| r.body.display_name().to_string())
            .collect()
    };
    let older: BTreeSet<String> = {
        let app = open(&vault).unwrap();
        for i in 0..40 {
            rt.block_on(app.create_from_fields(
                Kind::Person,
                serde_json::json!({ "name": format!("Older {i:02}") }),
            ))
            .unwrap();
        }
        names(&app)
    };
    let log = |d: &Path| d.join("db").join("db");
    let older_len = std::fs::metadata(log(&vault)).unwrap().len();
    let at_cut = dir.path().join("at-cut");
    {
        let app = open(&vault).unwrap();
        for i in 0..40 {
            rt.block_on(app.create_from_fields(
                Kind::Person,
                serde_json::json!({ "name": format!("Newer {i:02}"), "research_notes": "x".repeat(2000) }),
            ))
            .unwrap();
        }
        copy_dir(&vault, &at_cut);
    }
    let len = std::fs::metadata(log(&at_cut)).unwrap().len();
    let grown = len - older_len;
    let (mut whole, mut refused, mut from_panic) = (0, 0, 0);
    let cuts = (1..=12).map(|k| grown + (len - grown) * k / 13);
    for cut in [1, 1000, grown / 2].into_iter().chain(cuts) {
        let d = dir.path().join(format!("cut-{cut}"));
        copy_dir(&at_cut, &d);
        std::fs::OpenOptions::new()
            .write(true)
            .open(log(&d))
            .unwrap()
            .set_len(len - cut)
            .unwrap();
        // The vault was open when the power went: the mark it left names an earlier boot.
        std::fs::write(d.join("open-on-boot"), "a-boot-before-the-power-cut").unwrap();
        match open(&d) {
            Ok(app) => {
                let found = names(&app);
                let lost: Vec<_> = older.difference(&found).collect();
                assert!(lost.is_empty(), "a cut of {cut} B opened without {lost:?}");
                let report = rt.block_on(app.doctor(false)).unwrap();
                assert!(report.is_clean(), "cut of {cut} B: {report:?}");
                whole += 1;
            }
            Err(e) => {
                assert_eq!(e.code, ErrorCode::Storage, "cut of {cut} B: {e:?}");
                assert!(e.message.contains("damaged"), "cut of {cut} B: {e:?}");
                refused += 1;
                from_panic += usize::from(e.message.contains("could not be recovered"));
            }
        }
    }
    println!(
        "power cut (application): log {len} B, {grown} B from the newer writes; {whole} cuts \
         opened with every older person, {refused} refused as damaged ({from_panic} of them \
         where sled panicked)"
    );
}

pub(super) fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

pub(super) fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => dir_bytes(&e.path()),
                    _ => e.metadata().map_or(0, |m| m.len()),
                })
                .sum()
        })
        .unwrap_or(0)
}

pub(super) fn run_ok(mut c: Command, what: &str) {
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every record of a vault (deleted ones too), by id, after checking its projections.
fn records_of(rt: &tokio::runtime::Runtime, vault: &Path) -> BTreeMap<String, String> {
    rt.block_on(async {
        let app = Rapport::open(vault, Arc::new(SystemClock))
            .await
            .unwrap_or_else(|e| panic!("the vault does not reopen after kill -9: {e:?}"));
        let report = app.doctor(false).await.unwrap();
        assert!(
            report.is_clean(),
            "projections disagree with documents: {report:?}"
        );
        app.all_records()
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.id().to_string(), serde_json::to_string(&r).unwrap()))
            .collect()
    })
}

/// A restore large enough to be written in several journalled parts (RELIABILITY.md §1), killed
/// with SIGKILL once its writes have started reaching the disk, at a different point each round:
/// the reopened vault holds the whole backup or none of it, and what it held before is intact.
#[test]
fn a_restore_killed_while_writing_leaves_all_of_the_backup_or_none() {
    let rounds = env_number("RAPPORT_CRASH_RESTORES", 6);
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("source");
    let mut c = rapport(&source);
    c.args(["dev", "seed", "--people", "300", "--seed", "1"]);
    run_ok(c, "seeding the source");
    let backup = dir.path().join("backup.json");
    let mut c = rapport(&source);
    c.args(["export", "json", "--out"]).arg(&backup);
    run_ok(c, "the backup");
    // The vault restored into already holds records of its own.
    let before = dir.path().join("before");
    let mut c = rapport(&before);
    c.args(["dev", "seed", "--people", "5", "--seed", "2"]);
    run_ok(c, "seeding the target");
    let held = records_of(&rt, &before);
    // Once unkilled: what "all of it" is, and how much the files grow while it is written.
    let whole = dir.path().join("whole");
    copy_dir(&before, &whole);
    let start = dir_bytes(&whole);
    let mut c = rapport(&whole);
    c.args(["import", "json"]).arg(&backup);
    run_ok(c, "the restore");
    let growth = dir_bytes(&whole).saturating_sub(start);
    let all = records_of(&rt, &whole);
    assert!(
        all.len() > held.len() + 1000 && held.keys().all(|k| all.contains_key(k)),
        "the restore did not add the backup: {} → {}",
        held.len(),
        all.len()
    );
    let (mut none, mut whole_found, mut mid_write) = (0, 0, 0);
    for round in 0..rounds {
        let vault = dir.path().join(format!("round-{round}"));
        copy_dir(&before, &vault);
        let start = dir_bytes(&vault);
        // Killed once the files grew by a share of what the whole restore adds: the earlier
        // rounds while the parts are being written, the last ones near the end.
        let at = start + growth * (round + 1) / (rounds + 1);
        let mut c = rapport(&vault);
        c.args(["import", "json"]).arg(&backup);
        let mut victim = Victim::start(c, dir.path().join(format!("stderr-{round}.txt")));
        let deadline = Instant::now() + LIMIT;
        let mut finished = false;
        while dir_bytes(&vault) < at {
            if victim.run.ended().is_some() {
                finished = true;
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: the restore stalled"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
        let grew = dir_bytes(&vault) > start;
        victim.kill_9();
        let found = records_of(&rt, &vault);
        if found == held {
            none += 1;
            if grew && !finished {
                mid_write += 1;
            }
        } else {
            assert_eq!(
                found,
                all,
                "round {round}: the restore left part of itself ({} records; none: {}, all: {})",
                found.len(),
                held.len(),
                all.len()
            );
            whole_found += 1;
        }
        // An undone restore runs again, whole.
        if found == held && round == 0 {
            let mut c = rapport(&vault);
            c.args(["import", "json"]).arg(&backup);
            run_ok(c, "the restore after an undone one");
            assert_eq!(records_of(&rt, &vault), all);
        }
    }
    assert!(
        mid_write > 0,
        "no kill came while the restore was writing ({none} none, {whole_found} whole)"
    );
    println!(
        "restore killed {rounds} times while writing ({growth} B of growth when whole): {none} \
         left nothing ({mid_write} of them after their files had grown), {whole_found} all"
    );
}
