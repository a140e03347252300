//! `rapport`: the headless face of the Rapport API.
//!
//! Exit codes: 0 success; 2 bad input (a one-line message naming the field); 1 anything else.

/// Prints a line on stdout. A closed stdout (`rapport person list | head -1`) ends the program
/// quietly instead of panicking: whatever the command changed is already on disk.
macro_rules! say {
    ($($t:tt)*) => { $crate::say_line(format_args!($($t)*)) };
}

pub(crate) fn say_line(args: std::fmt::Arguments) {
    use std::io::Write;
    let line = printable(&args.to_string()).into_owned();
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// `text` with every control character that could drive a terminal (anything but newline and
/// tab) shown as an escape (`\u{1b}`), not sent: a vault written before such text was refused,
/// or a file's error line, may hold one.
pub(crate) fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(rapport_core::model::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if rapport_core::model::is_control(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// See the workspace's Cargo.toml: bulk writes churn through large short-lived buffers.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod bench_imports;
mod bench_today;
mod dev;
mod devices;
mod output;
mod ping_pong;
mod relay;
mod serve;
mod transfer;
mod workflow;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use rapport_core::model::{Kind, RecordId};
use rapport_core::{ApiError, ErrorCode, LinkRequest, Rapport, SearchRequest, SystemClock};

use crate::args::{
    GoalFields, OrgFields, PersonFields, QuestionFields, RecordCommand, TaskFields, TemplateFields,
};

#[derive(Parser, Debug)]
#[command(
    name = "rapport",
    version,
    about = "Plan, hold and follow up informational interviews."
)]
struct Cli {
    /// The vault's directory [default: the platform's data directory, e.g. ~/.local/share/rapport]
    #[arg(long, global = true, env = "RAPPORT_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// People worth talking to.
    #[command(subcommand)]
    Person(RecordCommand<PersonFields>),
    /// Organizations worth learning about (LAMP-scored).
    #[command(subcommand)]
    Org(RecordCommand<OrgFields>),
    /// What you are exploring: roles, industries, organizations.
    #[command(subcommand)]
    Goal(RecordCommand<GoalFields>),
    /// Follow-ups, loose ends, give-backs, check-ins.
    #[command(subcommand)]
    Task(RecordCommand<TaskFields>),
    /// The question bank.
    #[command(subcommand)]
    Question(RecordCommand<QuestionFields>),
    /// Message templates: the built-in ones and yours (`outreach draft --template ID`).
    #[command(subcommand)]
    Template(RecordCommand<TemplateFields>),
    /// Outreach messages: drafts, the etiquette check, sent and replied.
    #[command(subcommand)]
    Outreach(workflow::OutreachCommand),
    /// Meetings: proposed, confirmed, held.
    #[command(subcommand)]
    Meeting(workflow::MeetingCommand),
    /// Your profile: name, one-line background, "my story".
    #[command(subcommand)]
    Profile(workflow::ProfileCommand),
    /// The prep brief for a meeting (id) or a person (id or name).
    Brief { id: String },
    /// Capture a referral: creates the person (referred by…) and queues the task to write to them.
    Referral(workflow::ReferralArgs),
    /// Set a person's stage by hand (or `auto` to follow the facts only).
    Stage { person: String, stage: String },
    /// Who to contact next, and why.
    Next {
        #[arg(long, default_value_t = 10)]
        limit: usize,
    },
    /// Today: meetings, thank-yous, follow-ups, tasks and check-ins due.
    Today {
        /// Your time zone [default: the profile's, else the system's].
        #[arg(long)]
        tz: Option<String>,
        /// Every item of every section, not the first five of each.
        #[arg(long)]
        all: bool,
    },
    /// Progress: the funnel, conversations per week, referral chains.
    Stats {
        #[arg(long)]
        tz: Option<String>,
    },
    /// Export: json (a backup), people-csv, orgs-csv, vcard (people, vCard 4.0), ics (upcoming
    /// meetings and due tasks), markdown (a folder, one file per person), automerge (a folder,
    /// one document per record).
    Export {
        format: String,
        /// Only this meeting (ics).
        #[arg(long)]
        meeting: Option<String>,
        /// The file (or, for markdown and automerge, the folder) to write; standard output otherwise.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Import: json (a Rapport backup), linkedin (LinkedIn's Connections.csv), vcard (a .vcf
    /// file, vCard 2.1, 3.0 or 4.0) or google-csv (Google Contacts' CSV export).
    Import {
        format: String,
        file: PathBuf,
        /// Show what would be created and updated, and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import the valid rows and list the others (otherwise any invalid row stops it all).
        #[arg(long)]
        skip_invalid: bool,
    },
    /// Search every text field of every record.
    Search {
        /// Words to look for; the last one may be the start of a word.
        query: String,
        /// Only records of this kind (person, organization, goal, meeting, outreach, task, question, template).
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
    /// Link two records (the field follows from their kinds: person → organization is where they work…).
    Link { from: String, to: String },
    /// Remove a link between two records.
    Unlink { from: String, to: String },
    /// Check the vault's projections against its documents.
    Doctor {
        /// Rebuild the projections (lists, indexes, search) from the documents.
        #[arg(long)]
        rebuild: bool,
        /// Fold every document's changes into one snapshot and rewrite the database files,
        /// giving back the space old versions hold.
        #[arg(long)]
        compact: bool,
    },
    /// Pair this vault with another device: prints a one-time code (text and QR), or joins one.
    Pair(devices::PairArgs),
    /// The vault's devices; `devices remove ID` revokes one.
    Devices {
        #[command(subcommand)]
        command: Option<devices::DevicesCommand>,
    },
    /// Sync with the vault's other devices: once, or with --watch until stopped.
    Sync(devices::SyncArgs),
    /// The app in a browser: serves the web UI and the API on 127.0.0.1 and prints the address
    /// to open (it holds a key made for this launch).
    Serve(serve::ServeArgs),
    /// A relay of your own for devices that share no network (iroh's relay server, plain
    /// HTTP): run it where both devices can reach it and give them --relay http://HOST:PORT.
    Relay(relay::RelayArgs),
    /// Tools for development: synthetic data and benchmarks.
    #[command(subcommand)]
    Dev(dev::DevCommand),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("RAPPORT_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            // One line, as every error of the contract (docs/cli.md): clap's own first line
            // names what is wrong; its usage block is one `--help` away.
            let text = e.render().to_string();
            let first = text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("error");
            eprintln!("{} (see --help)", printable(first.trim_end()));
            return ExitCode::from(2);
        }
        Err(e) => {
            // --help and --version: printed in full, to standard output.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::from(EXIT_STATUS.load(std::sync::atomic::Ordering::Relaxed)),
        Err(e) => {
            eprintln!(
                "error: {}",
                printable(e.message.lines().next().unwrap_or_default())
            );
            ExitCode::from(if e.is_bad_input() { 2 } else { 1 })
        }
    }
}

/// The exit status of `outreach check` when the message breaks the etiquette (an error-level
/// finding): not 2, which means the input itself was bad (docs/cli.md).
pub(crate) const EXIT_FINDINGS: u8 = 3;

/// The status a command that succeeded asks to exit with (0 unless it says otherwise).
static EXIT_STATUS: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

pub(crate) fn exit_with(code: u8) {
    EXIT_STATUS.store(code, std::sync::atomic::Ordering::Relaxed);
}

pub(crate) fn data_dir(cli_dir: Option<PathBuf>) -> Result<PathBuf, ApiError> {
    if let Some(d) = cli_dir {
        return Ok(d);
    }
    rapport_core::default_data_dir().ok_or_else(|| {
        ApiError::new(
            ErrorCode::Storage,
            "no home directory to keep the vault in; pass --data-dir DIR",
        )
    })
}

pub(crate) fn parse_id(field: &str, s: &str) -> Result<RecordId, ApiError> {
    s.parse::<RecordId>()
        .map_err(|e| ApiError::validation(field, e.message))
}

/// The clock: the system's, or a fixed moment from `RAPPORT_NOW` (a date or time), for
/// stories and demos that live a month in a minute (docs/cli.md).
fn clock() -> Result<Arc<dyn rapport_core::model::Clock>, ApiError> {
    match std::env::var("RAPPORT_NOW") {
        Ok(now) if !now.trim().is_empty() => {
            let at = rapport_core::model::Timestamp::parse(&now)
                .map_err(|e| ApiError::validation("RAPPORT_NOW", e))?;
            Ok(Arc::new(rapport_core::FixedClock::new(at)))
        }
        _ => Ok(Arc::new(SystemClock)),
    }
}

async fn open(dir: Option<PathBuf>) -> Result<Rapport, ApiError> {
    let app = Rapport::open(&data_dir(dir)?, clock()?).await?;
    // Said whatever the log level: a file moved out of the way is the user's to know about.
    for repair in app.store().repairs() {
        eprintln!(
            "note: {} (kept under {}; nothing acknowledged was lost)",
            printable(repair),
            rapport_core::SET_ASIDE
        );
    }
    Ok(app)
}

async fn run(cli: Cli) -> Result<(), ApiError> {
    let json = cli.json;
    match cli.command {
        Command::Person(c) => args::run(open(cli.data_dir).await?, Kind::Person, c, json).await,
        Command::Org(c) => args::run(open(cli.data_dir).await?, Kind::Organization, c, json).await,
        Command::Goal(c) => args::run(open(cli.data_dir).await?, Kind::Goal, c, json).await,
        Command::Task(c) => args::run(open(cli.data_dir).await?, Kind::Task, c, json).await,
        Command::Question(c) => args::run(open(cli.data_dir).await?, Kind::Question, c, json).await,
        Command::Template(c) => args::run(open(cli.data_dir).await?, Kind::Template, c, json).await,
        Command::Outreach(c) => workflow::outreach(open(cli.data_dir).await?, c, json).await,
        Command::Meeting(c) => workflow::meeting(open(cli.data_dir).await?, c, json).await,
        Command::Profile(c) => workflow::profile(open(cli.data_dir).await?, c, json).await,
        Command::Brief { id } => workflow::brief(open(cli.data_dir).await?, id, json).await,
        Command::Referral(a) => workflow::referral(open(cli.data_dir).await?, a, json).await,
        Command::Stage { person, stage } => {
            workflow::set_stage(open(cli.data_dir).await?, person, stage, json).await
        }
        Command::Next { limit } => workflow::next(open(cli.data_dir).await?, limit, json).await,
        Command::Today { tz, all } => {
            // Checked before the vault opens: a bad zone is bad input whatever the vault.
            workflow::user_tz(tz.as_deref())?;
            let app = open(cli.data_dir).await?;
            let tz = app.view_time_zone("tz", tz).await?;
            let limit = if all {
                usize::MAX
            } else {
                rapport_core::workflow::TODAY_LIMIT
            };
            workflow::today(app, &tz, limit, json).await
        }
        Command::Stats { tz } => {
            workflow::user_tz(tz.as_deref())?;
            let app = open(cli.data_dir).await?;
            let tz = app.view_time_zone("tz", tz).await?;
            workflow::stats(app, &tz, json).await
        }
        Command::Export {
            format,
            meeting,
            out,
        } => {
            let app = open(cli.data_dir).await?;
            transfer::export(&app, &format, meeting, out).await
        }
        Command::Import {
            format,
            file,
            dry_run,
            skip_invalid,
        } => {
            let app = open(cli.data_dir).await?;
            let opts = rapport_core::import::ImportOptions {
                dry_run,
                skip_invalid,
            };
            transfer::import(&app, &format, &file, opts, json).await
        }
        Command::Search { query, kind, limit } => {
            let kind = kind
                .map(|k| {
                    k.parse::<Kind>()
                        .map_err(|e| ApiError::validation("kind", e))
                })
                .transpose()?;
            let app = open(cli.data_dir).await?;
            let res = app
                .search(SearchRequest {
                    query,
                    kind,
                    limit: Some(limit),
                })
                .await?;
            output::hits(&app, &res.hits, json).await
        }
        Command::Link { from, to } => {
            let app = open(cli.data_dir).await?;
            let req = LinkRequest {
                from: parse_id("from", &from)?,
                to: parse_id("to", &to)?,
            };
            let r = app.link(req).await?;
            output::record(&app, &r, json).await
        }
        Command::Unlink { from, to } => {
            let app = open(cli.data_dir).await?;
            let req = LinkRequest {
                from: parse_id("from", &from)?,
                to: parse_id("to", &to)?,
            };
            let r = app.unlink(req).await?;
            output::record(&app, &r, json).await
        }
        Command::Doctor { rebuild, compact } => {
            if compact {
                let dir = data_dir(cli.data_dir.clone())?;
                let (before, after) = Rapport::compact_closed(&dir, Arc::new(SystemClock)).await?;
                if !json {
                    say!(
                        "compacted: {:.1} MB → {:.1} MB",
                        before as f64 / 1e6,
                        after as f64 / 1e6
                    );
                }
            }
            let app = open(cli.data_dir).await?;
            let report = app.doctor(rebuild).await?;
            let stats = app.stats().await?;
            output::doctor(&report, &stats, rebuild, json)?;
            if !json && let Some(dir) = app.store().dir() {
                output::set_aside(&dir.join(rapport_core::SET_ASIDE));
            }
            Ok(())
        }
        Command::Pair(a) => devices::pair(open(cli.data_dir).await?, a, json).await,
        Command::Devices { command } => {
            devices::devices(open(cli.data_dir).await?, command, json).await
        }
        Command::Sync(a) => devices::sync(open(cli.data_dir).await?, a, json).await,
        Command::Serve(a) => serve::serve(open(cli.data_dir).await?, a, json).await,
        Command::Relay(a) => relay::relay(a, json).await,
        Command::Dev(c) => dev::run(cli.data_dir, c, json).await,
    }
}
