//! The record commands (`add`, `list`, `show`, `edit`, `rm`) for every kind, and how their flags
//! become the JSON fields the API takes.

use clap::{Args, Subcommand};
use rapport_core::model::{Body, Kind, Organization, RecordId};
use rapport_core::{ApiError, ListRequest, Rapport, SortOrder};
use serde_json::{Map, Value, json};

use crate::{output, parse_id};

#[derive(Subcommand, Debug)]
pub enum RecordCommand<F: Args> {
    /// Add one and print its id.
    Add(F),
    /// List them (50 at a time; see --limit and --after).
    List(ListArgs),
    /// Show one, with every field.
    Show { id: String },
    /// Change the fields given; the others stay as they are. Lists given (emails, tags…) replace the stored ones.
    Edit {
        id: String,
        #[command(flatten)]
        fields: F,
        /// Empty a field (repeatable), e.g. --clear role --clear tags.
        #[arg(long, value_name = "FIELD")]
        clear: Vec<String>,
    },
    /// Delete one.
    Rm { id: String },
}

#[derive(Args, Debug)]
pub struct ListArgs {
    /// name (A to Z), updated (newest first), or for organizations lamp (best targets first).
    #[arg(long, default_value = "name")]
    sort: String,
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Continue after this cursor (printed at the end of the previous page).
    #[arg(long)]
    after: Option<String>,
    /// Only those of this organization (id or name).
    #[arg(long)]
    org: Option<String>,
    /// Only those linked to this goal (id or name).
    #[arg(long)]
    goal: Option<String>,
    /// Only those about this person (id or name): their meetings, messages, tasks.
    #[arg(long)]
    person: Option<String>,
}

/// Flags that turn into record fields.
pub trait ToFields {
    /// The fields the flags set. `app` resolves names given for linked records.
    fn to_fields(
        &self,
        app: &Rapport,
    ) -> impl std::future::Future<Output = Result<Map<String, Value>, ApiError>>;
    /// A name of an organization to create if none matches (only people have one).
    fn new_org_name(&self) -> Option<&str> {
        None
    }
}

pub(crate) fn set(m: &mut Map<String, Value>, k: &str, v: Option<Value>) {
    if let Some(v) = v {
        m.insert(k.into(), v);
    }
}

fn list(v: &[String]) -> Option<Value> {
    (!v.is_empty()).then(|| json!(v))
}

fn points(v: &[String]) -> Option<Value> {
    (!v.is_empty()).then(|| Value::Array(v.iter().map(|e| json!({ "value": e })).collect()))
}

fn links(v: &[String]) -> Option<Value> {
    (!v.is_empty()).then(|| Value::Array(v.iter().map(|u| json!({ "url": u })).collect()))
}

fn yes_no(field: &str, v: &Option<String>) -> Result<Option<Value>, ApiError> {
    v.as_deref()
        .map(|s| match s.to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "1" => Ok(json!(true)),
            "no" | "n" | "false" | "0" => Ok(json!(false)),
            _ => Err(ApiError::validation(
                field,
                format!("'{s}' is not yes or no"),
            )),
        })
        .transpose()
}

pub(crate) fn date(field: &str, v: &Option<String>) -> Result<Option<Value>, ApiError> {
    v.as_deref()
        .map(|s| {
            rapport_core::model::Timestamp::parse(s)
                .map(|t| json!(t))
                .map_err(|e| ApiError::validation(field, e))
        })
        .transpose()
}

/// An id, or the exact (case-insensitive) name of exactly one live record of `kind`.
pub async fn resolve(
    app: &Rapport,
    field: &str,
    kind: Kind,
    given: &str,
) -> Result<RecordId, ApiError> {
    find(app, field, kind, given).await?.ok_or_else(|| {
        ApiError::validation(
            field,
            format!("there is no {} named '{given}'", kind.label()),
        )
    })
}

/// Like [`resolve`], but none when nothing has that name (an ambiguous name is still an error).
pub async fn find(
    app: &Rapport,
    field: &str,
    kind: Kind,
    given: &str,
) -> Result<Option<RecordId>, ApiError> {
    if let Ok(id) = given.parse::<RecordId>() {
        return Ok(Some(id));
    }
    let wanted = given.trim().to_lowercase();
    let hits = app
        .search(rapport_core::SearchRequest {
            query: given.into(),
            kind: Some(kind),
            limit: Some(50),
        })
        .await?
        .hits;
    let exact: Vec<_> = hits
        .iter()
        .filter(|h| h.title.to_lowercase() == wanted)
        .collect();
    match exact.as_slice() {
        [one] => Ok(Some(one.id)),
        [] => Ok(None),
        many => Err(ApiError::validation(
            field,
            format!(
                "{} {}s are named '{given}'; give an id instead ({})",
                many.len(),
                kind.label(),
                many.iter()
                    .map(|h| h.id.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

async fn ids(
    app: &Rapport,
    field: &str,
    kind: Kind,
    given: &[String],
) -> Result<Option<Value>, ApiError> {
    if given.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::new();
    for g in given {
        out.push(json!(resolve(app, field, kind, g).await?));
    }
    Ok(Some(Value::Array(out)))
}

pub(crate) async fn id(
    app: &Rapport,
    field: &str,
    kind: Kind,
    given: &Option<String>,
) -> Result<Option<Value>, ApiError> {
    match given {
        Some(g) => Ok(Some(json!(resolve(app, field, kind, g).await?))),
        None => Ok(None),
    }
}

#[derive(Args, Debug)]
pub struct PersonFields {
    #[arg(long)]
    name: Option<String>,
    /// Their job title.
    #[arg(long)]
    role: Option<String>,
    /// Where they work: an organization's id or name (created if no organization has that name).
    #[arg(long)]
    org: Option<String>,
    #[arg(long = "email", value_name = "EMAIL")]
    emails: Vec<String>,
    #[arg(long = "phone", value_name = "PHONE")]
    phones: Vec<String>,
    /// A profile or page about them.
    #[arg(long = "link", value_name = "URL")]
    links: Vec<String>,
    #[arg(long)]
    location: Option<String>,
    /// Their IANA time zone, e.g. Europe/Paris.
    #[arg(long)]
    time_zone: Option<String>,
    /// How you found them: friend, family, alumni, association, linkedin, job_board, meetup, professor, recruiter, article, referral, event, colleague, other.
    #[arg(long)]
    source: Option<String>,
    /// The detail of how you found them (the article, the event…).
    #[arg(long)]
    source_detail: Option<String>,
    /// The person who referred you (id or name).
    #[arg(long)]
    referred_by: Option<String>,
    /// cold, acquaintance, warm or close.
    #[arg(long)]
    warmth: Option<String>,
    /// How likely they are to say yes, 1 to 5.
    #[arg(long)]
    likelihood: Option<i64>,
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// A goal this person relates to (id or name; repeatable).
    #[arg(long = "goal", value_name = "GOAL")]
    goals: Vec<String>,
    /// Research notes.
    #[arg(long)]
    notes: Option<String>,
    /// Days between check-ins (default 90).
    #[arg(long)]
    cadence: Option<i64>,
    /// Someone met as a possible future hire: yes or no.
    #[arg(long)]
    candidate: Option<String>,
}

impl ToFields for PersonFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "name", self.name.clone().map(Value::from));
        set(&mut m, "role", self.role.clone().map(Value::from));
        if let Some(org) = &self.org
            && let Some(id) = find(app, "org", Kind::Organization, org).await?
        {
            m.insert("organization_id".into(), json!(id));
        }
        set(&mut m, "emails", points(&self.emails));
        set(&mut m, "phones", points(&self.phones));
        set(&mut m, "links", links(&self.links));
        set(&mut m, "location", self.location.clone().map(Value::from));
        set(&mut m, "time_zone", self.time_zone.clone().map(Value::from));
        set(&mut m, "source", self.source.clone().map(Value::from));
        set(
            &mut m,
            "source_detail",
            self.source_detail.clone().map(Value::from),
        );
        set(
            &mut m,
            "referred_by_id",
            id(app, "referred_by", Kind::Person, &self.referred_by).await?,
        );
        set(&mut m, "warmth", self.warmth.clone().map(Value::from));
        set(&mut m, "likelihood", self.likelihood.map(Value::from));
        set(&mut m, "tags", list(&self.tags));
        set(
            &mut m,
            "goal_ids",
            ids(app, "goal", Kind::Goal, &self.goals).await?,
        );
        set(
            &mut m,
            "research_notes",
            self.notes.clone().map(Value::from),
        );
        set(&mut m, "cadence_days", self.cadence.map(Value::from));
        set(&mut m, "candidate", yes_no("candidate", &self.candidate)?);
        Ok(m)
    }

    fn new_org_name(&self) -> Option<&str> {
        self.org.as_deref()
    }
}

#[derive(Args, Debug)]
pub struct OrgFields {
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    industry: Option<String>,
    #[arg(long)]
    website: Option<String>,
    #[arg(long)]
    location: Option<String>,
    /// LAMP advocacy: do you know an insider? yes or no.
    #[arg(long)]
    advocacy: Option<String>,
    /// LAMP motivation: how much you want to work there, 1 to 5.
    #[arg(long)]
    motivation: Option<i64>,
    /// LAMP postings: unknown, none, unrelated or relevant.
    #[arg(long)]
    postings: Option<String>,
    #[arg(long = "link", value_name = "URL")]
    links: Vec<String>,
    #[arg(long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    #[arg(long = "goal", value_name = "GOAL")]
    goals: Vec<String>,
    #[arg(long)]
    notes: Option<String>,
}

impl ToFields for OrgFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "name", self.name.clone().map(Value::from));
        set(&mut m, "industry", self.industry.clone().map(Value::from));
        set(&mut m, "website", self.website.clone().map(Value::from));
        set(&mut m, "location", self.location.clone().map(Value::from));
        set(&mut m, "advocacy", yes_no("advocacy", &self.advocacy)?);
        set(&mut m, "motivation", self.motivation.map(Value::from));
        set(&mut m, "postings", self.postings.clone().map(Value::from));
        set(&mut m, "links", links(&self.links));
        set(&mut m, "tags", list(&self.tags));
        set(
            &mut m,
            "goal_ids",
            ids(app, "goal", Kind::Goal, &self.goals).await?,
        );
        set(&mut m, "notes", self.notes.clone().map(Value::from));
        Ok(m)
    }
}

#[derive(Args, Debug)]
pub struct GoalFields {
    #[arg(long)]
    name: Option<String>,
    /// The role you are exploring.
    #[arg(long)]
    role: Option<String>,
    /// The industry you are exploring.
    #[arg(long)]
    industry: Option<String>,
    /// The organization you are aiming for (id or name).
    #[arg(long)]
    org: Option<String>,
    /// active, paused, reached or dropped.
    #[arg(long)]
    status: Option<String>,
    /// 1 (most important) to 5.
    #[arg(long)]
    priority: Option<i64>,
    #[arg(long)]
    notes: Option<String>,
}

impl ToFields for GoalFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "name", self.name.clone().map(Value::from));
        set(&mut m, "target_role", self.role.clone().map(Value::from));
        set(
            &mut m,
            "target_industry",
            self.industry.clone().map(Value::from),
        );
        set(
            &mut m,
            "target_organization_id",
            id(app, "org", Kind::Organization, &self.org).await?,
        );
        set(&mut m, "status", self.status.clone().map(Value::from));
        set(&mut m, "priority", self.priority.map(Value::from));
        set(&mut m, "notes", self.notes.clone().map(Value::from));
        Ok(m)
    }
}

#[derive(Args, Debug)]
pub struct TaskFields {
    #[arg(long)]
    title: Option<String>,
    /// follow_up, loose_end, give_back, check_in, outreach, confirm, thank_you, research, other.
    #[arg(long = "type", value_name = "TYPE")]
    task_kind: Option<String>,
    /// Who it is about (id or name).
    #[arg(long)]
    person: Option<String>,
    /// The meeting it came from (id).
    #[arg(long)]
    meeting: Option<String>,
    /// When it is due: 2026-11-22 or 2026-11-22T09:30:00Z.
    #[arg(long)]
    due: Option<String>,
    /// When it was done (marks it done): a date, or "now".
    #[arg(long)]
    done: Option<String>,
    #[arg(long)]
    notes: Option<String>,
}

impl ToFields for TaskFields {
    async fn to_fields(&self, app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "title", self.title.clone().map(Value::from));
        set(&mut m, "task_kind", self.task_kind.clone().map(Value::from));
        set(
            &mut m,
            "person_id",
            id(app, "person", Kind::Person, &self.person).await?,
        );
        if let Some(meeting) = &self.meeting {
            m.insert("meeting_id".into(), json!(parse_id("meeting", meeting)?));
        }
        set(&mut m, "due_at", date("due", &self.due)?);
        if self.done.as_deref() == Some("now") {
            m.insert("done_at".into(), json!(app.clock().now()));
        } else {
            set(&mut m, "done_at", date("done", &self.done)?);
        }
        set(&mut m, "notes", self.notes.clone().map(Value::from));
        Ok(m)
    }
}

#[derive(Args, Debug)]
pub struct QuestionFields {
    /// The question as you would ask it.
    #[arg(long)]
    title: Option<String>,
    /// small_talk, day_to_day, path, skills, trends, challenges, culture, hiring, education, career_change, advice, resources, referrals.
    #[arg(long)]
    category: Option<String>,
    /// TIARA: trends, insights, advice, resources or assignments.
    #[arg(long)]
    tiara: Option<String>,
    /// The kinds of goal it suits: role, industry, organization, any (repeatable).
    #[arg(long = "suits", value_name = "FOCUS")]
    suits: Vec<String>,
    /// Hide it from the questions offered: yes or no.
    #[arg(long)]
    hidden: Option<String>,
}

#[derive(Args, Debug)]
pub struct TemplateFields {
    /// What you call it ("Short request to an alum").
    #[arg(long)]
    title: Option<String>,
    /// outreach, follow_up, thank_you, check_in or update: which drafts it is offered for.
    #[arg(long)]
    purpose: Option<String>,
    #[arg(long)]
    subject: Option<String>,
    /// The text, with {placeholders} filled from the records ({greeting}, {connection},
    /// {my_background}, {topic}, {ask}, {times}, {my_name}…) and [prompts] for you to write.
    #[arg(long)]
    body: Option<String>,
}

impl ToFields for TemplateFields {
    async fn to_fields(&self, _app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "title", self.title.clone().map(Value::from));
        set(&mut m, "purpose", self.purpose.clone().map(Value::from));
        set(&mut m, "subject", self.subject.clone().map(Value::from));
        set(&mut m, "body", self.body.clone().map(Value::from));
        Ok(m)
    }
}

impl ToFields for QuestionFields {
    async fn to_fields(&self, _app: &Rapport) -> Result<Map<String, Value>, ApiError> {
        let mut m = Map::new();
        set(&mut m, "title", self.title.clone().map(Value::from));
        set(&mut m, "category", self.category.clone().map(Value::from));
        set(&mut m, "tiara", self.tiara.clone().map(Value::from));
        set(&mut m, "suits", list(&self.suits));
        set(&mut m, "hidden", yes_no("hidden", &self.hidden)?);
        Ok(m)
    }
}

/// Creates the organization a person add/edit names, if none has that name yet. The person's
/// fields are checked first, so a bad person creates no organization.
async fn with_new_org<F: ToFields>(
    app: &Rapport,
    kind: Kind,
    flags: &F,
    mut fields: Map<String, Value>,
    existing: Option<&Body>,
) -> Result<Map<String, Value>, ApiError> {
    let Some(org_name) = flags.new_org_name() else {
        return Ok(fields);
    };
    if fields.contains_key("organization_id") {
        return Ok(fields);
    }
    app.check_fields(kind, fields.clone(), existing).await?;
    let org = app
        .create(Body::Organization(Organization {
            name: org_name.to_string(),
            ..Default::default()
        }))
        .await?;
    eprintln!(
        "created organization '{}' ({})",
        org.body.display_name(),
        org.id()
    );
    fields.insert("organization_id".into(), json!(org.id()));
    Ok(fields)
}

pub async fn run<F: Args + ToFields>(
    app: Rapport,
    kind: Kind,
    cmd: RecordCommand<F>,
    json: bool,
) -> Result<(), ApiError> {
    match cmd {
        RecordCommand::Add(flags) => {
            let fields = flags.to_fields(&app).await?;
            let fields = with_new_org(&app, kind, &flags, fields, None).await?;
            let r = app.create_from_fields(kind, Value::Object(fields)).await?;
            if json {
                output::record(&app, &r, true).await
            } else {
                say!("{}", r.id());
                Ok(())
            }
        }
        RecordCommand::List(a) => {
            if a.sort == "lamp" && kind == Kind::Organization {
                let mut orgs = app.organizations_by_lamp().await?;
                let total = orgs.len() as u64;
                orgs.truncate(a.limit);
                let page = rapport_core::ListResponse {
                    items: orgs,
                    next: None,
                    total,
                };
                if !json {
                    say!(
                        "LAMP code [A4R]: A = someone inside advocates for you (- nobody yet), \
                         4 = your motivation 1-5, R/U/N/? = relevant, unrelated, no or unknown \
                         postings. Best targets first."
                    );
                }
                return output::list(&app, kind, &page, json).await;
            }
            let order = match a.sort.as_str() {
                "name" => SortOrder::Name,
                "updated" => SortOrder::Updated,
                other => {
                    return Err(ApiError::validation(
                        "sort",
                        format!("'{other}' is not name or updated"),
                    ));
                }
            };
            let organization = match &a.org {
                Some(o) => Some(resolve(&app, "org", Kind::Organization, o).await?),
                None => None,
            };
            let goal = match &a.goal {
                Some(g) => Some(resolve(&app, "goal", Kind::Goal, g).await?),
                None => None,
            };
            let person = match &a.person {
                Some(p) => Some(resolve(&app, "person", Kind::Person, p).await?),
                None => None,
            };
            let page = app
                .list(ListRequest {
                    kind: Some(kind),
                    order,
                    person,
                    organization,
                    goal,
                    after: a.after,
                    limit: Some(a.limit),
                })
                .await?;
            output::list(&app, kind, &page, json).await
        }
        RecordCommand::Show { id } => {
            // An id, or a name only one record of the kind has.
            let r = app
                .get_kind(resolve(&app, "id", kind, &id).await?, kind)
                .await?;
            output::record(&app, &r, json).await
        }
        RecordCommand::Edit {
            id,
            fields: flags,
            clear,
        } => {
            let id = parse_id("id", &id)?;
            let current = app.get_kind(id, kind).await?;
            let mut fields = flags.to_fields(&app).await?;
            fields = with_new_org(&app, kind, &flags, fields, Some(&current.body)).await?;
            for c in clear {
                let name = match (kind, c.as_str()) {
                    (Kind::Person, "org") => "organization_id".to_string(),
                    (Kind::Person, "notes") => "research_notes".to_string(),
                    _ => c.replace('-', "_"),
                };
                fields.insert(name, Value::Null);
            }
            if fields.is_empty() {
                return Err(ApiError::validation(
                    "fields",
                    "nothing to change: give at least one field flag or --clear FIELD",
                ));
            }
            let r = app.update(id, Value::Object(fields)).await?;
            output::record(&app, &r, json).await
        }
        RecordCommand::Rm { id } => {
            let id = parse_id("id", &id)?;
            app.get_kind(id, kind).await?;
            let r = app.delete(id).await?;
            if json {
                output::record(&app, &r, true).await
            } else {
                say!("deleted {} '{}'", kind.label(), r.body.display_name());
                Ok(())
            }
        }
    }
}
