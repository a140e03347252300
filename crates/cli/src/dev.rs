//! Development tools: a synthetic vault, the foundation's benchmarks, and helpers for tests.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use clap::Subcommand;
use rapport_core::import::ContactFormat;
use rapport_core::model::{Kind, Record, Timestamp};
use rapport_core::seed::{SeedSpec, generate};
use rapport_core::{
    ApiError, ErrorCode, FixedClock, ListRequest, Rapport, SearchRequest, SortOrder, SystemClock,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::data_dir;

#[derive(Subcommand, Debug)]
pub enum DevCommand {
    /// Fill the vault with a deterministic synthetic network: N people, N/5 organizations,
    /// N/2 meetings, N outreach messages, 2N tasks, 10 goals and the question bank.
    Seed {
        #[arg(long)]
        people: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The moment the data is spread around [default: today, 00:00 UTC].
        #[arg(long)]
        now: Option<String>,
    },
    /// Measure open time, memory, search, durable edits and disk use on seeded vaults.
    Bench {
        /// Vault sizes, in people.
        #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
        people: Vec<usize>,
        /// Where the vaults are built [default: a temporary directory].
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// New processes started per open measurement.
        #[arg(long, default_value_t = 15)]
        runs: usize,
    },
    /// Measure import and export: a 10,000-row LinkedIn file, and a JSON backup and restore of
    /// the seeded vault.
    BenchTransfer {
        #[arg(long, default_value_t = 10_000)]
        people: usize,
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// Measure sync over loopback: the seeded vault to an empty device, a reconnect with
    /// nothing changed, and how soon an edit shows on the other device.
    BenchSync {
        #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
        people: Vec<usize>,
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// Measure the first open after a process died with the vault open (killed while writing,
    /// and killed again while the next open wrote sled's summary) beside a normal open.
    BenchReopen {
        #[arg(long, default_value_t = 10_000)]
        people: usize,
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Measurements of each kind, taken in turn.
        #[arg(long, default_value_t = 9)]
        runs: usize,
    },
    /// Measure imports of hostile and large files (previews: time and peak memory) and how the
    /// API answers while two large imports run through `rapport serve`.
    BenchImports {
        #[arg(long)]
        work_dir: Option<PathBuf>,
    },
    /// Measure Today, Progress, who to contact next and the reminders on seeded vaults (in the
    /// process), and `rapport today` / `rapport stats` as new processes, beside a baseline
    /// build if one is given.
    BenchToday {
        #[arg(long, value_delimiter = ',', default_value = "1000,10000")]
        people: Vec<usize>,
        #[arg(long)]
        work_dir: Option<PathBuf>,
        /// Measurements of each kind.
        #[arg(long, default_value_t = 15)]
        runs: usize,
        /// Another build of `rapport` to time on its own copy of each vault, pair by pair.
        #[arg(long)]
        baseline: Option<PathBuf>,
    },
    /// (benchmark helper) Preview an import of FILE into the vault; report time and memory.
    #[command(hide = true)]
    ImportPeak { format: String, file: PathBuf },
    /// (benchmark helper) Open the vault, read the first page of 50 people by name, report.
    #[command(hide = true)]
    FirstPage,
    /// (benchmark helper) Read every record from a JSON file, then the first 50 people by name.
    #[command(hide = true)]
    JsonBaseline { file: PathBuf },
    /// (test helper) Keep the vault open until standard input closes.
    #[command(hide = true)]
    Hold,
    /// (test helper) Create, edit and delete people without end, in bursts, with compaction,
    /// printing each write once it is acknowledged — for crash tests that kill the process.
    /// Lines: `ready`, `created ID`, `edited ID N` (its role is now `role N`), `deleted ID`,
    /// `batch K` (K people are about to be written in one batch; their `created` lines follow
    /// once it is durable) and `compacted N`.
    #[command(hide = true)]
    Churn {
        /// Seeds the choice of writes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The first edit number; a restarted writer is given one above every earlier one.
        #[arg(long, default_value_t = 0)]
        from: u64,
        /// Stop (closing the vault cleanly) after this many steps [default: never].
        #[arg(long)]
        writes: Option<u64>,
    },
    /// (test helper) While syncing as `sync --watch` does, measure how soon an edit shows on the
    /// other device: with `--pings N`, write `ping K` into the probe person's role and wait for
    /// the other device's `pong K` in its location, N+1 times (ping 0 waits for the connection);
    /// without it, answer each ping. Lines (JSON): the `listening` event, then
    /// `{"ping":K,"sent_us":…,"pong_seen_us":…}` or `{"answered":K,"ping_seen_us":…}`, in
    /// microseconds of the system clock.
    #[command(hide = true)]
    PingPong {
        /// The person whose fields carry the pings and pongs (on both devices already).
        #[arg(long)]
        probe: String,
        #[arg(long)]
        pings: Option<u64>,
        #[command(flatten)]
        net: crate::devices::NetArgs,
    },
}

pub(crate) fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

fn today() -> Timestamp {
    let now = jiff::Timestamp::now();
    Timestamp::from_millis(now.as_millisecond() - now.as_millisecond().rem_euclid(86_400_000))
}

pub async fn run(dir: Option<PathBuf>, cmd: DevCommand, json: bool) -> Result<(), ApiError> {
    match cmd {
        DevCommand::Seed { people, seed, now } => {
            let now = match now {
                Some(s) => Timestamp::parse(&s).map_err(|e| ApiError::validation("now", e))?,
                None => today(),
            };
            let app = Rapport::open(&data_dir(dir)?, Arc::new(FixedClock::new(now))).await?;
            let report = seed_vault(&app, people, seed, now, true).await?;
            if json {
                say!("{}", json!(report));
            } else {
                say!(
                    "seeded {} records ({} people) in {:.1} s",
                    report.records,
                    people,
                    report.seconds
                );
            }
            Ok(())
        }
        DevCommand::Bench {
            people,
            work_dir,
            runs,
        } => bench(people, work_dir, runs).await,
        DevCommand::BenchTransfer { people, work_dir } => bench_transfer(people, work_dir).await,
        DevCommand::BenchSync { people, work_dir } => bench_sync(&people, work_dir).await,
        DevCommand::PingPong { probe, pings, net } => {
            let probe = crate::parse_id("probe", &probe)?;
            let app = Rapport::open(&data_dir(dir)?, Arc::new(SystemClock)).await?;
            crate::ping_pong::ping_pong(app, probe, pings, &net).await
        }
        DevCommand::BenchImports { work_dir } => {
            tokio::task::block_in_place(|| crate::bench_imports::bench_imports(work_dir))
        }
        DevCommand::ImportPeak { format, file } => {
            let app = Rapport::open(&data_dir(dir)?, Arc::new(SystemClock)).await?;
            crate::bench_imports::import_peak(&app, &format, &file).await
        }
        DevCommand::BenchReopen {
            people,
            work_dir,
            runs,
        } => bench_reopen(people, work_dir, runs).await,
        DevCommand::BenchToday {
            people,
            work_dir,
            runs,
            baseline,
        } => crate::bench_today::bench_today(&people, work_dir, runs, baseline).await,
        DevCommand::FirstPage => {
            let started = Instant::now();
            let app = Rapport::open(&data_dir(dir)?, Arc::new(SystemClock)).await?;
            let opened = started.elapsed();
            let page = app
                .list(ListRequest {
                    kind: Some(Kind::Person),
                    order: SortOrder::Name,
                    limit: Some(50),
                    ..Default::default()
                })
                .await?;
            let first_page = started.elapsed();
            let report = FirstPageReport {
                open_ms: opened.as_secs_f64() * 1e3,
                first_page_ms: first_page.as_secs_f64() * 1e3,
                items: page.items.len(),
                first: page
                    .items
                    .first()
                    .map(|r| r.body.display_name().to_string()),
                peak_rss_kb: peak_rss_kb(),
            };
            say!("{}", serde_json::to_string(&report).map_err(internal)?);
            Ok(())
        }
        DevCommand::JsonBaseline { file } => {
            let started = Instant::now();
            let bytes = std::fs::read(&file).map_err(internal)?;
            let records: Vec<Record> = serde_json::from_slice(&bytes).map_err(internal)?;
            let mut people: Vec<&Record> = records
                .iter()
                .filter(|r| r.kind() == Kind::Person)
                .collect();
            people.sort_by_cached_key(|r| r.body.display_name().to_lowercase());
            people.truncate(50);
            let report = FirstPageReport {
                open_ms: 0.0,
                first_page_ms: started.elapsed().as_secs_f64() * 1e3,
                items: people.len(),
                first: people.first().map(|r| r.body.display_name().to_string()),
                peak_rss_kb: peak_rss_kb(),
            };
            say!("{}", serde_json::to_string(&report).map_err(internal)?);
            Ok(())
        }
        DevCommand::Churn { seed, from, writes } => {
            let app = Rapport::open(&data_dir(dir)?, Arc::new(SystemClock)).await?;
            churn(&app, seed, from, writes).await
        }
        DevCommand::Hold => {
            let _app = Rapport::open(&data_dir(dir)?, Arc::new(SystemClock)).await?;
            say!("ready {}", std::process::id());
            let _ = std::io::stdout().flush();
            let _ = tokio::task::spawn_blocking(|| {
                std::io::copy(&mut std::io::stdin(), &mut std::io::sink())
            })
            .await;
            Ok(())
        }
    }
}

/// The writer the crash tests kill (see [`DevCommand::Churn`]). Edits favour a few people so
/// their documents pass the store's fold threshold (automatic compaction); every ~30 writes it
/// compacts the whole vault; deletions keep the number of live people near 150.
async fn churn(app: &Rapport, seed: u64, from: u64, writes: Option<u64>) -> Result<(), ApiError> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut live: Vec<rapport_core::model::RecordId> = app
        .list_all(Kind::Person)
        .await?
        .into_iter()
        .filter(|r| matches!(&r.body, rapport_core::model::Body::Person(p) if p.tags.iter().any(|t| t == "crash-test")))
        .map(|r| r.id())
        .collect();
    say!("ready");
    for n in from.. {
        if writes.is_some_and(|w| n - from >= w) {
            return Ok(());
        }
        let roll = rng.gen_range(0..100);
        if live.is_empty() || roll < 30 {
            let r = app
                .create_from_fields(
                    Kind::Person,
                    json!({ "name": format!("Churn s{seed} n{n}"), "tags": ["crash-test"] }),
                )
                .await?;
            live.push(r.id());
            say!("created {}", r.id());
        } else if roll < 75 {
            // Half the edits go to the first three people: their documents fold often.
            let i = if rng.gen_bool(0.5) {
                rng.gen_range(0..live.len().min(3))
            } else {
                rng.gen_range(0..live.len())
            };
            let id = live[i];
            app.update(
                id,
                json!({ "role": format!("role {n}"), "research_notes": format!("edit {n} ").repeat(rng.gen_range(1..200)) }),
            )
            .await?;
            say!("edited {id} {n}");
        } else if roll < 88 {
            if live.len() > 3 && (live.len() > 150 || rng.gen_bool(0.5)) {
                let id = live.swap_remove(rng.gen_range(3..live.len()));
                app.delete(id).await?;
                say!("deleted {id}");
            }
        } else if roll < 96 {
            let k = rng.gen_range(2..=20);
            let at = rapport_core::model::Clock::now(app.clock().as_ref());
            let records: Vec<Record> = (0..k)
                .map(|i| Record {
                    meta: rapport_core::model::Meta::new_at(at),
                    body: rapport_core::model::Body::Person(rapport_core::model::Person {
                        name: format!("Churn s{seed} n{n} b{i}"),
                        tags: vec!["crash-test".into()],
                        ..Default::default()
                    }),
                })
                .collect();
            say!("batch {k}");
            let ids: Vec<_> = records.iter().map(Record::id).collect();
            app.write_all(records).await?;
            for id in ids {
                live.push(id);
                say!("created {id}");
            }
        } else {
            let folded = app.compact().await?;
            say!("compacted {folded}");
        }
    }
    Ok(())
}

/// How a vault was left before the open that [`bench_reopen`] measures.
#[derive(Clone, Copy, Debug, PartialEq)]
enum LeftBy {
    /// A writer that closed it cleanly.
    CleanClose,
    /// A writer killed with SIGKILL (the same writes, cut off).
    Kill,
    /// The same, then the next open killed while it wrote sled's summary of the log (a
    /// summary cut short, which that open sets aside).
    KillDuringSummary,
}

async fn bench_reopen(
    people: usize,
    work_dir: Option<PathBuf>,
    runs: usize,
) -> Result<(), ApiError> {
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    let vault = work.join(format!("reopen-{people}"));
    let seeded_mark = work.join(format!("reopen-{people}.seeded"));
    let clock: Arc<dyn rapport_core::model::Clock> = Arc::new(SystemClock);
    if !seeded_mark.exists() {
        let _ = std::fs::remove_dir_all(&vault);
        let app = Rapport::open(&vault, clock.clone()).await?;
        seed_vault(&app, people, 1, today(), false).await?;
        drop(app);
        std::fs::write(&seeded_mark, b"").map_err(internal)?;
    }
    let exe = std::env::current_exe().map_err(internal)?;
    let data_dir = vault.as_os_str();
    // The writes before each open: a writer's 20 writes (creates, edits, deletes, a batch now
    // and then), closed cleanly or killed once they are acknowledged.
    let write = |round: usize, kill: bool| -> Result<(), ApiError> {
        let mut c = Command::new(&exe);
        c.arg("--data-dir").arg(data_dir);
        c.args(["dev", "churn", "--seed", &round.to_string()]);
        c.args(["--from", &(round * 1000).to_string()]);
        if !kill {
            c.args(["--writes", "20"]);
        }
        let mut child = c
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(internal)?;
        let out = child.stdout.take().ok_or_else(|| internal("no output"))?;
        let acked = std::io::BufRead::lines(std::io::BufReader::new(out))
            .map_while(Result::ok)
            .filter(|l| !l.starts_with("ready") && !l.starts_with("batch"))
            .take(20)
            .count();
        if kill {
            child.kill().map_err(internal)?;
        }
        let status = child.wait().map_err(internal)?;
        if (kill && acked < 20) || (!kill && !status.success()) {
            return Err(internal(format!("the writer stopped early: {status}")));
        }
        Ok(())
    };
    let summary_cut_short = || -> Result<(), ApiError> {
        let db = vault.join("db");
        let newest = std::fs::read_dir(&db)
            .map_err(internal)?
            .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
            .filter(|n| n.starts_with("snap.") && !n.ends_with(".generating"))
            .max()
            .ok_or_else(|| internal("no summary"))?;
        let lsn = u64::from_str_radix(newest.trim_start_matches("snap."), 16).map_err(internal)?;
        let bytes = std::fs::read(db.join(&newest)).map_err(internal)?;
        let name = format!("snap.{:016X}.generating", lsn + 1);
        std::fs::write(db.join(name), &bytes[..bytes.len() / 2]).map_err(internal)
    };
    let kinds = [LeftBy::CleanClose, LeftBy::Kill, LeftBy::KillDuringSummary];
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    let mut open: Vec<Vec<f64>> = vec![Vec::new(); kinds.len()];
    for round in 0..runs {
        for (k, kind) in kinds.iter().enumerate() {
            write(round * kinds.len() + k, *kind != LeftBy::CleanClose)?;
            if *kind == LeftBy::KillDuringSummary {
                summary_cut_short()?;
            }
            let m = spawn_measured(&[
                "--data-dir".as_ref(),
                data_dir,
                "dev".as_ref(),
                "first-page".as_ref(),
            ])?;
            wall[k].push(m.wall_ms);
            open[k].push(m.report.open_ms);
        }
    }
    let _ = std::fs::remove_dir_all(vault.join(rapport_core::SET_ASIDE));
    say!("| vault left by | open + first page ms (p50 / p95) | open ms in-process (p50) |");
    say!("|---|---|---|");
    for (k, kind) in kinds.iter().enumerate() {
        let w = sorted(wall[k].clone());
        let o = sorted(open[k].clone());
        say!(
            "| {kind:?} | {:.0} / {:.0} | {:.0} |",
            percentile(&w, 50.0),
            percentile(&w, 95.0),
            percentile(&o, 50.0)
        );
    }
    say!("({people} people, {runs} runs of each, taken in turn)");
    Ok(())
}

#[derive(Serialize)]
pub(crate) struct SeedReport {
    records: usize,
    seconds: f64,
}

pub(crate) async fn seed_vault(
    app: &Rapport,
    people: usize,
    seed: u64,
    now: Timestamp,
    progress: bool,
) -> Result<SeedReport, ApiError> {
    let started = Instant::now();
    let records = generate(&SeedSpec { people, seed, now });
    let total = records.len();
    let mut done = 0;
    let mut rest = records;
    while !rest.is_empty() {
        let tail = rest.split_off(rest.len().min(2000));
        let chunk = std::mem::replace(&mut rest, tail);
        done += chunk.len();
        app.write_all(chunk).await?;
        if progress {
            eprint!("\rseeding: {done}/{total} records");
        }
    }
    if progress {
        eprintln!("\rseeding: {total}/{total} records, indexing for search…");
    }
    app.refresh_search().await?;
    app.compact().await?;
    Ok(SeedReport {
        records: total,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// CPU time this process has used so far (user and system, every thread), from /proc
/// (Linux); 0 elsewhere.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start at state (field 3);
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let ticks: Vec<f64> = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|v| v.parse().ok())
        .collect();
    ticks.iter().sum::<f64>() / 100.0
}

/// The process's peak resident memory, from /proc (Linux); 0 elsewhere.
pub(crate) fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

#[derive(Serialize, Deserialize, Debug)]
struct FirstPageReport {
    open_ms: f64,
    first_page_ms: f64,
    items: usize,
    first: Option<String>,
    peak_rss_kb: u64,
}

struct Measured {
    wall_ms: f64,
    report: FirstPageReport,
}

fn spawn_measured(args: &[&std::ffi::OsStr]) -> Result<Measured, ApiError> {
    let exe = std::env::current_exe().map_err(internal)?;
    let started = Instant::now();
    let out = Command::new(exe)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(internal)?;
    let wall_ms = started.elapsed().as_secs_f64() * 1e3;
    if !out.status.success() {
        return Err(internal(format!("benchmark helper failed: {}", out.status)));
    }
    let report = serde_json::from_slice(&out.stdout).map_err(internal)?;
    Ok(Measured { wall_ms, report })
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

pub(crate) fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn dir_bytes(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += dir_bytes(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

/// A varied set of 100 queries: full names, first names, prefixes, topics, two-word queries.
fn queries(records: &[Record]) -> Vec<String> {
    let people: Vec<&str> = records
        .iter()
        .filter(|r| r.kind() == Kind::Person)
        .map(|r| r.body.display_name())
        .collect();
    let mut q = Vec::new();
    for (i, name) in people
        .iter()
        .step_by((people.len() / 30).max(1))
        .take(30)
        .enumerate()
    {
        let mut words = name.split(' ');
        let first = words.next().unwrap_or(name);
        let last = words.next().unwrap_or(name);
        q.push(if i % 2 == 0 {
            last.to_string()
        } else {
            name.to_string()
        });
        q.push(first.chars().take(3 + i % 3).collect());
    }
    for t in [
        "battery",
        "heat pumps",
        "clinical trials",
        "soil",
        "open banking",
        "audiobooks",
        "referrals",
        "culture",
        "portfolio",
        "newsletter",
    ] {
        q.push(t.to_string());
    }
    for t in [
        "data analyst london",
        "nurse educator",
        "product manager berlin",
        "coffee",
        "grant writer",
        "hiring",
        "remote work",
        "automation",
        "meet-up",
        "certifications",
    ] {
        q.push(t.to_string());
    }
    for t in [
        "trends", "advice", "who else", "school", "career", "energy", "health", "lab", "studio",
        "partners",
    ] {
        q.push(t.to_string());
    }
    q.truncate(100);
    while q.len() < 100 {
        q.push(format!("query {}", q.len()));
    }
    q
}

/// The directory to build benchmark vaults in: the one given, or a temporary one removed when
/// the returned guard drops.
pub(crate) fn work_dir_or_temp(
    given: Option<PathBuf>,
) -> Result<(PathBuf, Option<tempfile::TempDir>), ApiError> {
    match given {
        Some(d) => Ok((d, None)),
        None => {
            let tmp = tempfile::tempdir().map_err(internal)?;
            Ok((tmp.path().to_path_buf(), Some(tmp)))
        }
    }
}

async fn bench(sizes: Vec<usize>, work_dir: Option<PathBuf>, runs: usize) -> Result<(), ApiError> {
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    std::fs::create_dir_all(&work).map_err(internal)?;
    let now = Timestamp::from_millis(1_763_769_600_000); // 2025-11-22, fixed so runs compare
    say!(
        "| people | documents | seed s | open+first page (ms, p50 / p95) | in-process open+page ms | JSON baseline ms (p50) | ratio | peak RSS MB (vault / JSON) | search p50 / p95 / max ms | durable edit p50 / p99 / max ms | disk MB (vault / JSON export) | disk ratio |"
    );
    say!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    for people in sizes {
        let vault = work.join(format!("vault-{people}"));
        let _ = std::fs::remove_dir_all(&vault);
        let clock = Arc::new(FixedClock::new(now));
        let app = Rapport::open(&vault, clock.clone()).await?;
        let seeded = seed_vault(&app, people, 1, now, false).await?;
        let mut all = Vec::new();
        for kind in Kind::ALL {
            all.extend(app.list_all(*kind).await?);
        }
        let json_file = work.join(format!("vault-{people}.json"));
        let json_bytes = serde_json::to_vec(&all).map_err(internal)?;
        std::fs::write(&json_file, &json_bytes).map_err(internal)?;

        // Search: warm index, 100 varied queries.
        app.refresh_search().await?;
        let mut search_ms = Vec::new();
        for q in queries(&all) {
            let t = Instant::now();
            app.search(SearchRequest {
                query: q,
                kind: None,
                limit: Some(20),
            })
            .await?;
            search_ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        // Durable edits: change one field of 200 people, each flushed before it returns.
        let people_ids: Vec<_> = all
            .iter()
            .filter(|r| r.kind() == Kind::Person)
            .map(Record::id)
            .take(200)
            .collect();
        let mut edit_ms = Vec::new();
        for (i, id) in people_ids.iter().enumerate() {
            let t = Instant::now();
            app.update(*id, json!({ "role": format!("Edited role {i}") }))
                .await?;
            edit_ms.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let documents = app.stats().await?.documents;
        drop(app);
        // Compaction as `rapport doctor --compact` does it: documents folded, files rewritten.
        Rapport::compact_closed(&vault, clock.clone()).await?;
        let disk = dir_bytes(&vault);

        let mut open_wall = Vec::new();
        let mut open_inproc = Vec::new();
        let mut open_rss = 0;
        for _ in 0..runs {
            let m = spawn_measured(&[
                "--data-dir".as_ref(),
                vault.as_os_str(),
                "dev".as_ref(),
                "first-page".as_ref(),
            ])?;
            if m.report.items != 50.min(people) {
                return Err(internal(format!(
                    "first page had {} people",
                    m.report.items
                )));
            }
            open_wall.push(m.wall_ms);
            open_inproc.push(m.report.first_page_ms);
            open_rss = open_rss.max(m.report.peak_rss_kb);
        }
        let mut base_wall = Vec::new();
        let mut base_rss = 0;
        for _ in 0..runs {
            let m = spawn_measured(&[
                "dev".as_ref(),
                "json-baseline".as_ref(),
                json_file.as_os_str(),
            ])?;
            base_wall.push(m.wall_ms);
            base_rss = base_rss.max(m.report.peak_rss_kb);
        }
        let (ow, oi, bw, s, e) = (
            sorted(open_wall),
            sorted(open_inproc),
            sorted(base_wall),
            sorted(search_ms),
            sorted(edit_ms),
        );
        say!(
            "| {people} | {documents} | {:.1} | {:.0} / {:.0} | {:.0} | {:.0} | {:.2}× | {:.0} / {:.0} | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} | {:.1} / {:.1} | {:.2}× |",
            seeded.seconds,
            percentile(&ow, 50.0),
            percentile(&ow, 95.0),
            percentile(&oi, 50.0),
            percentile(&bw, 50.0),
            percentile(&ow, 50.0) / percentile(&bw, 50.0),
            open_rss as f64 / 1024.0,
            base_rss as f64 / 1024.0,
            percentile(&s, 50.0),
            percentile(&s, 95.0),
            s.last().copied().unwrap_or(f64::NAN),
            percentile(&e, 50.0),
            percentile(&e, 99.0),
            e.last().copied().unwrap_or(f64::NAN),
            disk as f64 / 1e6,
            json_bytes.len() as f64 / 1e6,
            disk as f64 / json_bytes.len() as f64,
        );
        let _ = std::fs::remove_dir_all(&vault);
        let _ = std::fs::remove_file(&json_file);
    }
    Ok(())
}

async fn bench_transfer(people: usize, work_dir: Option<PathBuf>) -> Result<(), ApiError> {
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    let now = Timestamp::from_millis(1_763_769_600_000);
    let clock = Arc::new(FixedClock::new(now));
    // LinkedIn: a file shaped like the real export, into an empty vault.
    let mut file = String::from(
        "Notes:\n\"Some emails may be missing.\"\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\n",
    );
    for i in 0..people {
        let email = if i % 3 == 0 {
            format!("person{i}@example.org")
        } else {
            String::new()
        };
        file.push_str(&format!("Person,Number {i},https://www.linkedin.com/in/person-{i},{email},\"Company {}, Ltd\",Role {},0{} Mar 2024\n", i % 800, i % 17, 1 + i % 9));
    }
    let app = Rapport::open(&work.join("linkedin"), clock.clone()).await?;
    let t = Instant::now();
    let cpu = cpu_seconds();
    let r = app
        .import_contacts(
            ContactFormat::Linkedin,
            &file,
            Default::default(),
            &|_, _| {},
        )
        .await?;
    let import_s = t.elapsed().as_secs_f64();
    let import_cpu = cpu_seconds() - cpu;
    let t = Instant::now();
    let again = app
        .import_contacts(
            ContactFormat::Linkedin,
            &file,
            Default::default(),
            &|_, _| {},
        )
        .await?;
    let reimport_s = t.elapsed().as_secs_f64();
    if r.created as usize != people || again.created != 0 {
        return Err(internal(format!(
            "unexpected import counts: {r:?} / {again:?}"
        )));
    }
    drop(app);
    // JSON backup of the seeded vault, then a restore into an empty one.
    let source = Rapport::open(&work.join("source"), clock.clone()).await?;
    seed_vault(&source, people, 1, now, false).await?;
    let t = Instant::now();
    let backup = source.backup().await?;
    let bytes = serde_json::to_vec(&backup).map_err(internal)?;
    std::fs::write(work.join("backup.json"), &bytes).map_err(internal)?;
    let backup_s = t.elapsed().as_secs_f64();
    let records = backup.records.len();
    drop(backup);
    let target = Rapport::open(&work.join("target"), clock.clone()).await?;
    let t = Instant::now();
    let cpu = cpu_seconds();
    let text = std::fs::read(work.join("backup.json")).map_err(internal)?;
    let parsed: rapport_core::Backup = serde_json::from_slice(&text).map_err(internal)?;
    target.restore(parsed).await?;
    let restore_s = t.elapsed().as_secs_f64();
    let restore_cpu = cpu_seconds() - cpu;
    // CPU seconds (every thread) beside each time: a busy machine stretches the time, not these.
    say!(
        "| rows / people | import s (CPU s) | re-import s | records | backup s | backup MB | restore s (CPU s) |"
    );
    say!("|---|---|---|---|---|---|---|");
    say!(
        "| {people} | {import_s:.2} ({import_cpu:.2}) | {reimport_s:.2} | {records} | {backup_s:.2} | {:.1} | {restore_s:.2} ({restore_cpu:.2}) |",
        bytes.len() as f64 / 1e6
    );
    Ok(())
}

/// The seeded vault synced to an empty device over loopback (two iroh nodes, discovery off,
/// both vaults on disk), a reconnect with nothing changed, and the time an edit takes to show
/// on the other device while both watch; each size twice: directly (both on 127.0.0.1), and
/// through a relay server in this process (the laptop on [::1] only and the phone on
/// 127.0.0.1 only, so the relay is their one way). Prints a Markdown table.
async fn bench_sync(sizes: &[usize], work_dir: Option<PathBuf>) -> Result<(), ApiError> {
    use iroh_relay::server::{RelayConfig, Server, ServerConfig};
    use rapport_core::{NodeConfig, RelayChoice};
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    let now = Timestamp::from_millis(1_763_769_600_000);
    let clock = Arc::new(FixedClock::new(now));
    let mut relay_config = ServerConfig::default();
    relay_config.relay = Some(RelayConfig::new(std::net::SocketAddr::from((
        [127, 0, 0, 1],
        0,
    ))));
    let relay_server = Server::spawn(relay_config).await.map_err(internal)?;
    let relay_addr = relay_server
        .http_addr()
        .ok_or_else(|| internal("the relay has no address"))?;
    let relay: RelayChoice = format!("http://{relay_addr}").parse().map_err(internal)?;
    let node = |name: &str, bind: std::net::SocketAddr, via_relay: bool| NodeConfig {
        name: Some(name.into()),
        bind: vec![bind],
        relay: if via_relay {
            relay.clone()
        } else {
            RelayChoice::Off
        },
        mdns: false,
    };
    let v4 = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let v6 = std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, 0));
    say!(
        "| people | link | documents | compacted vault MB | first sync s | ms per document | wire MB | wire / vault | reconnect ms (p50 of 5) | reconnect bytes | edit visible ms p50 / p99 / max (200 edits) |"
    );
    say!("|---|---|---|---|---|---|---|---|---|---|---|");
    for &people in sizes {
        for via_relay in [false, true] {
            let dir = work.join(format!("sync-{people}"));
            let source_dir = dir.join("laptop");
            // With --work-dir, a laptop vault seeded by an earlier run is used again (seeding 10k
            // people takes over a minute); the phone always starts empty.
            let seeded_mark = dir.join("laptop.seeded");
            if !seeded_mark.exists() {
                let _ = std::fs::remove_dir_all(&source_dir);
                let t = Instant::now();
                {
                    let source = Rapport::open(&source_dir, clock.clone()).await?;
                    seed_vault(&source, people, 1, now, false).await?;
                }
                Rapport::compact_closed(&source_dir, clock.clone()).await?;
                std::fs::write(&seeded_mark, b"").map_err(internal)?;
                eprintln!(
                    "bench-sync {people}: seeded in {:.1} s",
                    t.elapsed().as_secs_f64()
                );
            }
            let _ = std::fs::remove_dir_all(dir.join("phone"));
            let vault_bytes = dir_bytes(&source_dir.join("db"));
            let laptop = Rapport::open(&source_dir, clock.clone()).await?;
            let phone = Rapport::open(&dir.join("phone"), clock.clone()).await?;
            let docs = laptop.store().document_ids().map_err(ApiError::from)?.len();
            // Through the relay the laptop listens on [::1] only: no direct path to the phone.
            let a = laptop
                .start_node(node("laptop", if via_relay { v6 } else { v4 }, via_relay))
                .await?;
            let b = phone.start_node(node("phone", v4, via_relay)).await?;
            let link = if via_relay { "relay" } else { "direct" };
            b.join(&a.invite(std::time::Duration::from_secs(60)).await?)
                .await?;

            eprintln!("bench-sync {people}: first sync starts");
            let cpu = cpu_seconds();
            let t = Instant::now();
            let first = b.sync_with(a.key()).await?;
            let first_s = t.elapsed().as_secs_f64();
            // CPU time (both devices: they share this process) tells a slow run on a busy machine
            // from a slow build.
            eprintln!(
                "bench-sync {people}: first sync done in {first_s:.2} s, {:.2} s of CPU",
                cpu_seconds() - cpu
            );
            let wire = first.stats.bytes_sent + first.stats.bytes_received;

            let mut again = Vec::new();
            let mut again_bytes = 0;
            for _ in 0..5 {
                let t = Instant::now();
                let s = b.sync_with(a.key()).await?;
                again.push(t.elapsed().as_secs_f64() * 1000.0);
                again_bytes = s.stats.bytes_sent + s.stats.bytes_received;
            }
            again.sort_by(f64::total_cmp);

            let edits = edit_latencies(&laptop, &phone, &a, &b, 200).await?;
            say!(
                "| {people} | {link} | {docs} | {:.1} | {first_s:.2} | {:.3} | {:.1} | {:.2}× | {:.1} | {again_bytes} | {:.1} / {:.1} / {:.1} |",
                vault_bytes as f64 / 1e6,
                first_s * 1000.0 / docs as f64,
                wire as f64 / 1e6,
                wire as f64 / vault_bytes as f64,
                again[again.len() / 2],
                percentile(&edits, 50.0),
                percentile(&edits, 99.0),
                edits.last().copied().unwrap_or(0.0),
            );
            a.close().await;
            b.close().await;
        }
    }
    let _ = relay_server.shutdown().await;
    Ok(())
}

/// While both devices watch, edits a person on `from` `n` times; for each, the milliseconds
/// until the new value can be read on `to` (sorted).
async fn edit_latencies(
    from: &Rapport,
    to: &Rapport,
    a: &rapport_core::Node,
    b: &rapport_core::Node,
    n: usize,
) -> Result<Vec<f64>, ApiError> {
    let person = from
        .list(ListRequest {
            kind: Some(Kind::Person),
            limit: Some(1),
            ..Default::default()
        })
        .await?
        .items
        .into_iter()
        .next()
        .ok_or_else(|| internal("the seeded vault has no people"))?;
    let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
    to.store()
        .on_write(move |_| arrived.send(()).is_ok())
        .map_err(ApiError::from)?;
    let (stop_a, stopped_a) = tokio::sync::oneshot::channel::<()>();
    let (stop_b, stopped_b) = tokio::sync::oneshot::channel::<()>();
    let watching = async {
        let _ = tokio::join!(
            a.watch(async {
                let _ = stopped_a.await;
            }),
            b.watch(async {
                let _ = stopped_b.await;
            })
        );
    };
    let measure = async {
        let mut out = Vec::with_capacity(n);
        // Edit 0 waits for the devices to connect; it is not counted.
        for i in 0..=n {
            let role = format!("Benchmark role {i}");
            let t = Instant::now();
            from.update(person.id(), json!({ "role": role })).await?;
            let seen = |r: Option<Record>| {
                r.and_then(|r| match r.body {
                    rapport_core::model::Body::Person(p) => p.role,
                    _ => None,
                }) == Some(role.clone())
            };
            let wait = async {
                while !seen(to.store().get(person.id()).map_err(ApiError::from)?) {
                    if arrivals.recv().await.is_none() {
                        return Err(internal("the other device stopped"));
                    }
                }
                Ok::<(), ApiError>(())
            };
            tokio::time::timeout(std::time::Duration::from_secs(10), wait)
                .await
                .map_err(|_| internal(format!("edit {i} did not arrive within 10 s")))??;
            if i > 0 {
                out.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        let _ = stop_a.send(());
        let _ = stop_b.send(());
        Ok::<Vec<f64>, ApiError>(out)
    };
    let (mut out, ()) = tokio::join!(measure, watching);
    if let Ok(v) = out.as_mut() {
        v.sort_by(f64::total_cmp);
    }
    out
}
