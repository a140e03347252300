//! The API as data: one [`Call`] per operation, answered with JSON by [`Rapport::dispatch`].
//!
//! The HTTP server (`rapport serve`) and the Tauri shell both receive calls in this shape
//! (`{"op": "get", "args": {"id": "…"}}`), so neither decides anything: adding an operation
//! means adding a variant here and nowhere else on the Rust side.

use jiff::tz::TimeZone;
use rapport_model::{Kind, RecordId, Stage, TakeawayTopic, TemplatePurpose, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::Backup;
use crate::import::{ContactFormat, ImportOptions};
use crate::meeting::ReferralCapture;
use crate::{ApiError, LinkRequest, ListRequest, Rapport, SearchRequest};

/// The most `next_to_contact` suggestions one call returns.
const MAX_SUGGESTIONS: usize = 100;

/// One operation and its arguments.
///
/// On the wire a call is `{"op": "get", "args": {"id": "…"}}` (`args` may be left out when the
/// operation takes none); [`Call::from_json`] reads it.
#[derive(Clone, Debug, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Call {
    /// A page of records of one kind (see [`ListRequest`]).
    List(ListRequest),
    Get {
        id: RecordId,
    },
    /// Every live record of a kind (small kinds: goals, questions, templates, devices).
    ListAll {
        kind: Kind,
    },
    Search(SearchRequest),
    Create {
        kind: Kind,
        #[ts(type = "Record<string, unknown>")]
        fields: Value,
    },
    /// A JSON merge patch: fields present are set, `null` clears one.
    Update {
        id: RecordId,
        #[ts(type = "Record<string, unknown>")]
        patch: Value,
    },
    Delete {
        id: RecordId,
    },
    Link(LinkRequest),
    Unlink(LinkRequest),
    /// The day at a glance, in `time_zone` (IANA name; the profile's, else the system's).
    Today {
        #[serde(default)]
        #[ts(optional)]
        time_zone: Option<String>,
        /// The most items of each section (default 5; `totals` counts them all).
        #[serde(default)]
        #[ts(optional)]
        limit: Option<u32>,
    },
    Dashboard {
        #[serde(default)]
        #[ts(optional)]
        time_zone: Option<String>,
    },
    NextToContact {
        #[serde(default)]
        #[ts(optional)]
        limit: Option<usize>,
    },
    OrganizationsByLamp {},
    /// The etiquette check of a message, as the user types it.
    CheckOutreach {
        text: String,
    },
    DraftMessage {
        person_id: RecordId,
        #[serde(default)]
        #[ts(optional)]
        purpose: Option<TemplatePurpose>,
        #[serde(default)]
        #[ts(optional)]
        template_id: Option<RecordId>,
        #[serde(default)]
        #[ts(as = "Option<Vec<Timestamp>>", optional)]
        times: Vec<Timestamp>,
        /// Store it as a draft (otherwise it is a preview that changes nothing).
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        save: bool,
    },
    OutreachSent {
        id: RecordId,
        #[serde(default)]
        #[ts(optional)]
        at: Option<Timestamp>,
    },
    OutreachReplied {
        id: RecordId,
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        declined: bool,
        #[serde(default)]
        #[ts(optional)]
        at: Option<Timestamp>,
    },
    SetStage {
        person_id: RecordId,
        stage: Option<Stage>,
    },
    PrepBrief {
        id: RecordId,
    },
    StartMeeting {
        id: RecordId,
    },
    StopMeeting {
        id: RecordId,
    },
    MeetingTimer {
        id: RecordId,
    },
    Answer {
        meeting_id: RecordId,
        question_id: RecordId,
        text: String,
    },
    AddTakeaway {
        meeting_id: RecordId,
        text: String,
        topic: TakeawayTopic,
    },
    CaptureReferral(ReferralCapture),
    /// Records that the thank-you for a meeting was sent (now, or at `at`).
    ThankYouSent {
        meeting_id: RecordId,
        #[serde(default)]
        #[ts(optional)]
        at: Option<Timestamp>,
    },
    Profile {},
    SetProfile {
        #[ts(type = "Record<string, unknown>")]
        fields: Value,
    },
    Devices {},
    DeviceKey {},
    RemoveDevice {
        id: RecordId,
    },
    Stats {},
    /// Where background sync stands: this device, its peers, the last error.
    SyncStatus {},
    /// A one-time pairing code (text and QR) for another device.
    PairingCode {},
    /// Joins the device that showed this pairing code.
    PairWith {
        ticket: String,
    },
    /// Syncs with every paired device now.
    SyncNow {},
    /// Meetings within the hour and thank-yous due, now.
    Reminders {},
    /// Imports an address-book export given as text; `dry_run` shows what would change.
    ImportContacts {
        format: ContactFormat,
        text: String,
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        dry_run: bool,
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        skip_invalid: bool,
    },
    /// Restores a Rapport JSON backup given as text; `dry_run` shows what would change.
    ImportBackup {
        text: String,
        #[serde(default)]
        #[ts(as = "Option<bool>", optional)]
        dry_run: bool,
    },
    /// A file to save: a backup, CSV, vCard or iCalendar of the vault.
    Export {
        format: ExportFormat,
    },
}

/// What [`Call::Export`] writes (Markdown and raw Automerge documents are folders: the
/// `rapport export` command writes those).
#[derive(Clone, Copy, Debug, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    Json,
    PeopleCsv,
    OrgsCsv,
    Vcard,
    Ics,
}

/// A file for the user to save.
#[derive(Clone, Debug, Serialize, TS)]
pub struct ExportFile {
    pub filename: String,
    pub media_type: String,
    pub text: String,
}

impl Call {
    /// Reads a call from JSON; a call that cannot be read is bad input, and the message says
    /// which part of it to fix.
    pub fn from_json(json: &[u8]) -> Result<Call, ApiError> {
        let value: Value = serde_json::from_slice(json)
            .map_err(|e| ApiError::validation("call", format!("not JSON: {e}")))?;
        Call::from_value(value)
    }

    /// Reads a call from `{"op": …, "args": …}` already parsed as JSON.
    pub fn from_value(value: Value) -> Result<Call, ApiError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Envelope {
            op: String,
            #[serde(default)]
            args: Option<Value>,
        }
        let envelope: Envelope = serde_json::from_value(value).map_err(|e| {
            ApiError::validation(
                "call",
                format!("{e} (send {{\"op\": \"…\", \"args\": {{…}}}})"),
            )
        })?;
        // Read as Serde's externally tagged form, `{op: args}`, so that an error's path names
        // the argument at fault (`get.id`), which the adjacently tagged form cannot track.
        let args = envelope
            .args
            .filter(|a| !a.is_null())
            .unwrap_or_else(|| Value::Object(Default::default()));
        // Serde would also read a struct from an array of its fields in order (`[]` as a
        // search for nothing): arguments are named, always.
        if !args.is_object() {
            return Err(ApiError::validation(
                "args",
                "expected an object of named arguments, e.g. {\"id\": \"…\"}",
            ));
        }
        let tagged = Value::Object([(envelope.op, args)].into_iter().collect());
        serde_path_to_error::deserialize(tagged).map_err(|e| {
            let path = e.path().to_string();
            // The first segment is the operation; the rest names the argument.
            let field = match path.split_once('.') {
                Some((_, rest)) => rest.to_string(),
                None => "op".to_string(),
            };
            ApiError::validation(&field, e.into_inner())
        })
    }
}

/// The time zone named by `given` (an IANA name), else the system's (UTC when it has none).
pub fn time_zone(field: &str, given: Option<&str>) -> Result<TimeZone, ApiError> {
    match given {
        Some(name) => TimeZone::get(name).map_err(|_| {
            ApiError::validation(
                field,
                format!("'{name}' is not a time zone (use an IANA name such as Europe/Paris)"),
            )
        }),
        None => Ok(TimeZone::try_system().unwrap_or(TimeZone::UTC)),
    }
}

impl Rapport {
    /// The vault as one file of `format`, named with today's date.
    async fn export_file(&self, format: ExportFormat) -> Result<ExportFile, ApiError> {
        let day = self
            .clock()
            .now()
            .to_jiff()
            .strftime("%Y-%m-%d")
            .to_string();
        let internal =
            |e: serde_json::Error| ApiError::new(crate::ErrorCode::Internal, e.to_string());
        let (name, media_type, text) = match format {
            ExportFormat::Json => (
                "backup.json",
                "application/json",
                serde_json::to_string_pretty(&self.backup().await?).map_err(internal)?,
            ),
            ExportFormat::PeopleCsv => (
                "people.csv",
                "text/csv",
                self.export_csv(Kind::Person).await?,
            ),
            ExportFormat::OrgsCsv => (
                "organizations.csv",
                "text/csv",
                self.export_csv(Kind::Organization).await?,
            ),
            ExportFormat::Vcard => ("people.vcf", "text/vcard", self.export_vcard().await?),
            ExportFormat::Ics => (
                "calendar.ics",
                "text/calendar",
                self.calendar_ics(None).await?,
            ),
        };
        Ok(ExportFile {
            filename: format!("rapport-{day}-{name}"),
            media_type: media_type.into(),
            text,
        })
    }
}

fn json(value: impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(value)
        .map_err(|e| ApiError::new(crate::ErrorCode::Internal, format!("answer not JSON: {e}")))
}

impl Rapport {
    /// The time zone for day-based views: the one asked for, else the profile's, else the
    /// system's.
    pub async fn view_time_zone(
        &self,
        field: &str,
        given: Option<String>,
    ) -> Result<TimeZone, ApiError> {
        if given.is_some() {
            return time_zone(field, given.as_deref());
        }
        let profile_tz = match self.profile().await?.map(|r| r.body) {
            Some(rapport_model::Body::Profile(p)) => p.time_zone,
            _ => None,
        };
        Ok(profile_tz
            .and_then(|name| TimeZone::get(&name).ok())
            .unwrap_or_else(|| TimeZone::try_system().unwrap_or(TimeZone::UTC)))
    }

    /// Runs one call and answers with its result as JSON.
    pub async fn dispatch(&self, call: Call) -> Result<Value, ApiError> {
        match call {
            Call::List(req) => json(self.list(req).await?),
            Call::Get { id } => json(self.get(id).await?),
            Call::ListAll { kind } => json(self.list_all(kind).await?),
            Call::Search(req) => json(self.search(req).await?),
            Call::Create { kind, fields } => json(self.create_from_fields(kind, fields).await?),
            Call::Update { id, patch } => json(self.update(id, patch).await?),
            Call::Delete { id } => json(self.delete(id).await?),
            Call::Link(req) => json(self.link(req).await?),
            Call::Unlink(req) => json(self.unlink(req).await?),
            Call::Today { time_zone, limit } => {
                let tz = self.view_time_zone("time_zone", time_zone).await?;
                let limit = limit.map_or(crate::workflow::TODAY_LIMIT, |l| l as usize);
                json(self.today(&tz, limit).await?)
            }
            Call::Dashboard { time_zone } => {
                let tz = self.view_time_zone("time_zone", time_zone).await?;
                json(self.dashboard(&tz).await?)
            }
            Call::NextToContact { limit } => {
                let limit = limit.unwrap_or(10).clamp(1, MAX_SUGGESTIONS);
                json(self.next_to_contact(limit).await?)
            }
            Call::OrganizationsByLamp {} => json(self.organizations_by_lamp().await?),
            Call::CheckOutreach { text } => json(self.check_outreach(&text)),
            Call::DraftMessage {
                person_id,
                purpose,
                template_id,
                times,
                save,
            } => json(
                self.draft_message(
                    person_id,
                    purpose.unwrap_or(TemplatePurpose::Outreach),
                    template_id,
                    times,
                    save,
                )
                .await?,
            ),
            Call::OutreachSent { id, at } => json(self.outreach_sent(id, at).await?),
            Call::OutreachReplied { id, declined, at } => {
                json(self.outreach_replied(id, declined, at).await?)
            }
            Call::SetStage { person_id, stage } => json(self.set_stage(person_id, stage).await?),
            Call::PrepBrief { id } => json(self.prep_brief(id).await?),
            Call::StartMeeting { id } => json(self.start_meeting(id).await?),
            Call::StopMeeting { id } => json(self.stop_meeting(id).await?),
            Call::MeetingTimer { id } => json(self.meeting_timer(id).await?),
            Call::Answer {
                meeting_id,
                question_id,
                text,
            } => json(self.answer(meeting_id, question_id, text).await?),
            Call::AddTakeaway {
                meeting_id,
                text,
                topic,
            } => json(self.add_takeaway(meeting_id, text, topic).await?),
            Call::CaptureReferral(c) => json(self.capture_referral(c).await?),
            Call::ThankYouSent { meeting_id, at } => {
                self.get_kind(meeting_id, Kind::Meeting).await?;
                let at = at.unwrap_or_else(|| self.clock().now());
                json(
                    self.update(meeting_id, serde_json::json!({ "thanked_at": at }))
                        .await?,
                )
            }
            Call::Profile {} => json(self.profile().await?),
            Call::SetProfile { fields } => json(self.set_profile(fields).await?),
            Call::Devices {} => json(self.devices().await?),
            Call::DeviceKey {} => json(self.device_key().await?),
            Call::RemoveDevice { id } => json(self.remove_device(id).await?),
            Call::Stats {} => json(self.stats().await?),
            Call::SyncStatus {} => json(self.sync_status()),
            Call::PairingCode {} => json(self.pairing_code().await?),
            Call::PairWith { ticket } => json(self.pair_with(&ticket).await?),
            Call::SyncNow {} => json(self.sync_now().await?),
            Call::Reminders {} => json(self.reminders().await?),
            Call::ImportContacts {
                format,
                text,
                dry_run,
                skip_invalid,
            } => {
                let opts = ImportOptions {
                    dry_run,
                    skip_invalid,
                };
                json(
                    self.import_contacts(format, &text, opts, &|_, _| {})
                        .await?,
                )
            }
            Call::ImportBackup { text, dry_run } => {
                let backup: Backup =
                    crate::api::heavy(|| serde_json::from_str(&text)).map_err(|e| {
                        // serde_json's message already says where (line and column).
                        ApiError::validation("text", format!("not a Rapport backup: {e}"))
                    })?;
                json(self.restore_with(backup, dry_run).await?)
            }
            Call::Export { format } => json(self.export_file(format).await?),
        }
    }
}
