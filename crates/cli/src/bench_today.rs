//! `rapport dev bench-today`: what Today, Progress and the reminders cost on seeded vaults, in
//! the process (the calls the app's first screen waits on) and as whole commands (`rapport
//! today`, `rapport stats`, a new process each), optionally beside a baseline build of `rapport`
//! run on its own copy of the same vault, pair by pair.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use rapport_core::model::Timestamp;
use rapport_core::{ApiError, FixedClock, Rapport};

use crate::dev::{internal, percentile, seed_vault, sorted, work_dir_or_temp};

/// Every vault is seeded around this moment and read at it, so runs compare.
const NOW: &str = "2026-11-25T10:00:00Z";

pub async fn bench_today(
    sizes: &[usize],
    work_dir: Option<PathBuf>,
    runs: usize,
    baseline: Option<PathBuf>,
) -> Result<(), ApiError> {
    let (work, _tmp) = work_dir_or_temp(work_dir)?;
    let now = Timestamp::parse(NOW).map_err(internal)?;
    let exe = std::env::current_exe().map_err(internal)?;
    let tz = jiff::tz::TimeZone::get("Europe/Berlin").map_err(internal)?;
    say!("| people | call | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|");
    let mut whole = Vec::new();
    for &people in sizes {
        let vault = work.join(format!("today-{people}"));
        let mark = work.join(format!("today-{people}.seeded"));
        if !mark.exists() {
            let _ = std::fs::remove_dir_all(&vault);
            let app = Rapport::open(&vault, Arc::new(FixedClock::new(now))).await?;
            seed_vault(&app, people, 1, now, false).await?;
            drop(app);
            std::fs::write(&mark, b"").map_err(internal)?;
        }
        {
            let app = Rapport::open(&vault, Arc::new(FixedClock::new(now))).await?;
            let mut times: Vec<(&str, Vec<f64>)> = vec![
                ("today (5 of each)", Vec::new()),
                ("dashboard (Progress, stats)", Vec::new()),
                ("next to contact (3)", Vec::new()),
                ("reminders", Vec::new()),
            ];
            // The first round warms the caches, as the app's would be; it is not counted.
            for round in 0..=runs * 4 {
                let mut t = Instant::now();
                let mut lap = |i: usize, times: &mut Vec<(&str, Vec<f64>)>| {
                    if round > 0 {
                        times[i].1.push(t.elapsed().as_secs_f64() * 1e3);
                    }
                    t = Instant::now();
                };
                app.today(&tz, rapport_core::workflow::TODAY_LIMIT).await?;
                lap(0, &mut times);
                app.dashboard(&tz).await?;
                lap(1, &mut times);
                app.next_to_contact(3).await?;
                lap(2, &mut times);
                app.reminders().await?;
                lap(3, &mut times);
            }
            for (name, t) in times {
                let t = sorted(t);
                say!(
                    "| {people} | {name} | {:.1} | {:.1} | {:.1} |",
                    percentile(&t, 50.0),
                    percentile(&t, 95.0),
                    t.last().copied().unwrap_or(f64::NAN)
                );
            }
        }
        // Whole commands, a new process each, as a user runs them.
        let base_vault = match &baseline {
            Some(bin) => Some(seed_with(bin, &work, people)?),
            None => None,
        };
        for cmd in ["today", "stats"] {
            let mut mine = Vec::new();
            let mut theirs = Vec::new();
            for _ in 0..runs {
                mine.push(time_command(&exe, &vault, cmd)?);
                if let (Some(bin), Some(v)) = (&baseline, &base_vault) {
                    theirs.push(time_command(bin, v, cmd)?);
                }
            }
            whole.push((people, cmd, sorted(mine), sorted(theirs)));
        }
    }
    say!(
        "\n| people | command (new process) | p50 ms | p95 ms | baseline p50 ms | baseline p95 ms |\n|---|---|---|---|---|---|"
    );
    for (people, cmd, mine, theirs) in whole {
        let base = |p| {
            if theirs.is_empty() {
                "—".to_string()
            } else {
                format!("{:.0}", percentile(&theirs, p))
            }
        };
        say!(
            "| {people} | rapport {cmd} | {:.0} | {:.0} | {} | {} |",
            percentile(&mine, 50.0),
            percentile(&mine, 95.0),
            base(50.0),
            base(95.0)
        );
    }
    say!("({runs} runs of each; in-process calls after one warm-up round; vaults seeded at {NOW})");
    Ok(())
}

/// Seeds the baseline build's own vault with the same data (once per work directory).
fn seed_with(bin: &Path, work: &Path, people: usize) -> Result<PathBuf, ApiError> {
    let vault = work.join(format!("baseline-{people}"));
    let mark = work.join(format!("baseline-{people}.seeded"));
    if !mark.exists() {
        let _ = std::fs::remove_dir_all(&vault);
        let status = Command::new(bin)
            .arg("--data-dir")
            .arg(&vault)
            .args(["dev", "seed", "--people", &people.to_string(), "--now", NOW])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(internal)?;
        if !status.success() {
            return Err(internal(format!("the baseline's seed failed: {status}")));
        }
        std::fs::write(&mark, b"").map_err(internal)?;
    }
    Ok(vault)
}

/// Runs `bin --data-dir vault cmd` at [`NOW`]; its wall time in ms.
fn time_command(bin: &Path, vault: &Path, cmd: &str) -> Result<f64, ApiError> {
    let started = Instant::now();
    let status = Command::new(bin)
        .arg("--data-dir")
        .arg(vault)
        .arg(cmd)
        .env("RAPPORT_NOW", NOW)
        .env("TZ", "Europe/Berlin")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(internal)?;
    if !status.success() {
        return Err(internal(format!(
            "{} {cmd} failed: {status}",
            bin.display()
        )));
    }
    Ok(started.elapsed().as_secs_f64() * 1e3)
}
