//! `Rapport`: the one surface every face of the app calls.

use std::path::Path;
use std::sync::Arc;

use rapport_model::{Body, Kind, LinkCheck, Meta, Record, RecordId, validate};
use rapport_store::{
    CheckReport, ListOrder, ListQuery, SearchHit, Store, StoreOptions, StoreStats,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::{ApiError, Clock, ErrorCode, patch};

/// Where a vault lives unless told otherwise: `RAPPORT_DATA_DIR`, else the platform's data
/// directory (`~/.local/share/rapport` on Linux). The CLI and the desktop app share it, so both
/// open the same vault. `None` when the platform has no home directory (a phone: the app then
/// uses the directory its shell provides).
pub fn default_data_dir() -> Option<std::path::PathBuf> {
    if let Some(dir) = std::env::var_os("RAPPORT_DATA_DIR").filter(|d| !d.is_empty()) {
        return Some(dir.into());
    }
    directories::ProjectDirs::from("org", "Rapport", "rapport").map(|p| p.data_dir().to_path_buf())
}

/// The largest page `list` returns, and the most search hits.
pub const MAX_LIMIT: usize = 1000;

/// How a list is sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    #[default]
    Name,
    Updated,
}

/// A page of records of one kind.
#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct ListRequest {
    pub kind: Option<Kind>,
    #[ts(as = "Option<SortOrder>", optional)]
    pub order: SortOrder,
    /// Only records about this person (meetings, outreach, tasks).
    pub person: Option<RecordId>,
    /// Only records of this organization.
    pub organization: Option<RecordId>,
    /// Only records linked to this goal.
    pub goal: Option<RecordId>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// At most this many (default 50, at most 1000).
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct ListResponse {
    pub items: Vec<Record>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<String>,
    /// How many records the whole list holds (all live records of the kind, or those of the
    /// person, organization or goal asked for).
    pub total: u64,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(optional_fields)]
pub struct SearchRequest {
    pub query: String,
    pub kind: Option<Kind>,
    pub limit: Option<usize>,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
}

/// Link `from` to `to` (the field is implied by the two kinds: a person to an organization is
/// their employer, a person to a person is who referred them…).
#[derive(Clone, Debug, Serialize, Deserialize, TS)]
pub struct LinkRequest {
    pub from: RecordId,
    pub to: RecordId,
}

/// The application. Cheap to clone; every method may be called from any task.
#[derive(Clone)]
pub struct Rapport {
    store: Arc<Store>,
    clock: Arc<dyn Clock>,
    background: Arc<crate::background::Background>,
}

impl std::fmt::Debug for Rapport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rapport")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Runs blocking store work off the async runtime's threads.
/// Runs long CPU work (parsing an import, merging thousands of contacts) where it cannot hold
/// up other calls: on a multi-threaded runtime (the app, `rapport serve`) tokio first moves
/// this worker's other tasks to another thread. A single-threaded runtime (tests) just runs it.
pub(crate) fn heavy<T>(work: impl FnOnce() -> T) -> T {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(work),
        _ => work(),
    }
}

pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await?
}

impl Rapport {
    /// Opens (or creates) the vault in `dir`.
    pub async fn open(dir: &Path, clock: Arc<dyn Clock>) -> Result<Self, ApiError> {
        Self::open_with(dir, clock, StoreOptions::default()).await
    }

    pub async fn open_with(
        dir: &Path,
        clock: Arc<dyn Clock>,
        opts: StoreOptions,
    ) -> Result<Self, ApiError> {
        let dir = dir.to_path_buf();
        let store = blocking(move || Ok(Store::open(&dir, opts)?)).await?;
        let app = Self {
            store: Arc::new(store),
            clock,
            background: Arc::default(),
        };
        app.start_new_vault().await?;
        Ok(app)
    }

    /// Compacts a closed vault: folds every document's changes into its snapshot, then rewrites
    /// the database files so the space old versions held goes back to the disk. Returns the
    /// database's bytes before and after.
    pub async fn compact_closed(dir: &Path, clock: Arc<dyn Clock>) -> Result<(u64, u64), ApiError> {
        {
            let app = Self::open(dir, clock).await?;
            app.compact().await?;
        }
        let dir = dir.to_path_buf();
        blocking(move || {
            let (_store, before, after) = Store::open_rewritten(&dir, StoreOptions::default())?;
            Ok((before, after))
        })
        .await
    }

    /// A vault in memory only.
    pub async fn in_memory(clock: Arc<dyn Clock>) -> Result<Self, ApiError> {
        let app = Self {
            store: Arc::new(Store::in_memory()),
            clock,
            background: Arc::default(),
        };
        app.start_new_vault().await?;
        Ok(app)
    }

    /// A new vault starts with the built-in question bank and templates; a vault made before
    /// the templates existed gets them once (a template the user deleted stays deleted).
    async fn start_new_vault(&self) -> Result<(), ApiError> {
        let mut starters = Vec::new();
        if self.store.is_new()? {
            starters.extend(crate::questions::bank_records());
        }
        if self
            .store_get(crate::drafts::builtin_template_id(0))
            .await?
            .is_none()
        {
            starters.extend(crate::drafts::template_records());
        }
        if !starters.is_empty() {
            self.write_all(starters).await?;
        }
        Ok(())
    }

    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The store underneath, for the crates that extend the API (sync, import/export).
    pub(crate) fn background(&self) -> &crate::background::Background {
        &self.background
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    // ---- records ----

    /// Creates a record from its fields. Returns it with its new id and times.
    pub async fn create(&self, body: Body) -> Result<Record, ApiError> {
        let r = self.create_raw(body).await?;
        self.after_write(None, r).await
    }

    /// Changes a record with a function of its current fields. The result is normalized and
    /// validated; links that were already there are not re-checked (their target may have been
    /// deleted since, which must not block editing the rest).
    pub async fn change(
        &self,
        id: RecordId,
        f: impl FnOnce(&Body) -> Result<Body, ApiError> + Send + 'static,
    ) -> Result<Record, ApiError> {
        let before = self.store_get(id).await?;
        let r = self.change_raw(id, f).await?;
        self.after_write(before.as_ref(), r).await
    }

    /// Deletes a record. The deletion is a tombstone that syncs; the record leaves every list.
    pub async fn delete(&self, id: RecordId) -> Result<Record, ApiError> {
        let r = self.delete_raw(id).await?;
        self.after_write(None, r).await
    }

    async fn store_get(&self, id: RecordId) -> Result<Option<Record>, ApiError> {
        let store = self.store.clone();
        blocking(move || Ok(store.get(id)?)).await
    }

    /// A meeting, message or task changed: the people it is (and was) about move along. A
    /// person's own edit counts only where it can move them (new, research added or removed,
    /// stage set by hand), which keeps ordinary edits to one durable write.
    /// Returns the record as it now stands.
    async fn after_write(&self, before: Option<&Record>, r: Record) -> Result<Record, ApiError> {
        let was_about = before.and_then(|b| b.body.person_id());
        let is_about = r.body.person_id();
        let itself = match (&r.body, before.map(|b| &b.body)) {
            (Body::Person(_), _) if r.is_deleted() => None,
            (Body::Person(p), Some(Body::Person(old))) => {
                let researched =
                    |p: &rapport_model::Person| !p.research_notes.is_empty() || !p.links.is_empty();
                (p.stage_log.is_empty() || p.stage != old.stage || researched(p) != researched(old))
                    .then(|| r.id())
            }
            (Body::Person(_), _) => Some(r.id()),
            _ => None,
        };
        for p in [was_about, is_about, itself]
            .into_iter()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
        {
            match self.refresh_person(p).await {
                Ok(_) => {}
                // The person was deleted (or never was one): nothing to move along.
                Err(e) if e.code == ErrorCode::NotFound || e.code == ErrorCode::Validation => {}
                Err(e) => return Err(e),
            }
        }
        if let Body::Meeting(m) = &r.body
            && !r.is_deleted()
        {
            self.ensure_confirmation_task(r.id(), m).await?;
        }
        match itself {
            Some(id) => Ok(self.store_get(id).await?.unwrap_or(r)),
            None => Ok(r),
        }
    }

    /// Creates a record (internal: without moving its person along).
    pub(crate) async fn create_raw(&self, body: Body) -> Result<Record, ApiError> {
        self.create_with_id(None, body).await
    }

    /// Creates a record under a given id (singletons such as the profile), or a fresh one.
    /// Refuses to overwrite a live record.
    pub(crate) async fn create_with_id(
        &self,
        id: Option<RecordId>,
        body: Body,
    ) -> Result<Record, ApiError> {
        let now = self.clock.now();
        let store = self.store.clone();
        blocking(move || {
            let mut body = body;
            body.normalize();
            let mut meta = Meta::new_at(now);
            if let Some(id) = id {
                meta.id = id;
            }
            let record = Record { meta, body };
            not_a_device(record.kind())?;
            validate(&record, &StoreLinks(&store, None))?;
            let id = record.id();
            store.write(id, |current| match current {
                Some(c) if !c.is_deleted() => {
                    Err(ApiError::validation("id", format!("{id} already exists")))
                }
                _ => Ok(record),
            })?
        })
        .await
    }

    /// Creates a record from JSON fields (`{"name": "Ada", "emails": [{"value": "ada@…"}]}`).
    pub async fn create_from_fields(&self, kind: Kind, fields: Value) -> Result<Record, ApiError> {
        patch::check_fields(kind, &fields)?;
        let Value::Object(map) = fields else {
            unreachable!("checked above")
        };
        self.create(patch::body_from_fields(kind, map)?).await
    }

    /// Checks JSON fields as `create_from_fields` (no `existing`) or `update` would, writing
    /// nothing. Used to refuse bad input before any side effect.
    pub async fn check_fields(
        &self,
        kind: Kind,
        fields: serde_json::Map<String, Value>,
        existing: Option<&Body>,
    ) -> Result<(), ApiError> {
        let fields = Value::Object(fields);
        patch::check_fields(kind, &fields)?;
        let Value::Object(map) = (match existing {
            Some(b) => Value::Object(patch::apply(b, &fields)?),
            None => fields,
        }) else {
            unreachable!("built as an object")
        };
        let mut body = patch::body_from_fields(kind, map)?;
        body.normalize();
        let now = self.clock.now();
        let record = Record {
            meta: Meta::new_at(now),
            body,
        };
        let store = self.store.clone();
        blocking(move || Ok(validate(&record, &StoreLinks(&store, None))?)).await
    }

    /// Changes the fields given in `patch` (a JSON merge patch: `null` clears a field).
    pub async fn update(&self, id: RecordId, patch: Value) -> Result<Record, ApiError> {
        self.change(id, move |current| {
            let fields = patch::apply(current, &patch)?;
            patch::body_from_fields(current.kind(), fields)
        })
        .await
    }

    /// Changes a record (internal: without moving its person along).
    pub(crate) async fn change_raw(
        &self,
        id: RecordId,
        f: impl FnOnce(&Body) -> Result<Body, ApiError> + Send + 'static,
    ) -> Result<Record, ApiError> {
        let now = self.clock.now();
        let store = self.store.clone();
        blocking(move || {
            let links_store = store.clone();
            store.write(id, move |current| {
                let current = live(id, current)?;
                not_a_device(current.kind())?;
                let mut body = f(&current.body)?;
                body.normalize();
                if body == current.body {
                    return Ok(current);
                }
                let record = Record {
                    meta: Meta {
                        updated_at: now.max(current.meta.updated_at),
                        ..current.meta.clone()
                    },
                    body,
                };
                validate(&record, &StoreLinks(&links_store, Some(&current)))?;
                Ok(record)
            })?
        })
        .await
    }

    /// Deletes a record (internal: without moving its person along).
    async fn delete_raw(&self, id: RecordId) -> Result<Record, ApiError> {
        let now = self.clock.now();
        let store = self.store.clone();
        blocking(move || {
            store.write(id, move |current| {
                let mut r = live(id, current)?;
                not_a_device(r.kind())?;
                r.meta.deleted_at = Some(now);
                r.meta.updated_at = now.max(r.meta.updated_at);
                Ok(r)
            })?
        })
        .await
    }

    /// One live record.
    pub async fn get(&self, id: RecordId) -> Result<Record, ApiError> {
        let store = self.store.clone();
        blocking(move || live(id, store.get(id)?)).await
    }

    /// One live record that must be of `kind`.
    pub async fn get_kind(&self, id: RecordId, kind: Kind) -> Result<Record, ApiError> {
        let r = self.get(id).await?;
        if r.kind() != kind {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                format!("{id} is {}, not {}", r.kind().a(), kind.a()),
            ));
        }
        Ok(r)
    }

    /// A page of live records of one kind.
    pub async fn list(&self, req: ListRequest) -> Result<ListResponse, ApiError> {
        let kind = req
            .kind
            .ok_or_else(|| ApiError::validation("kind", "say which kind of record to list"))?;
        let store = self.store.clone();
        blocking(move || {
            let q = ListQuery {
                kind,
                order: match req.order {
                    SortOrder::Name => ListOrder::Name,
                    SortOrder::Updated => ListOrder::Updated,
                },
                person: req.person,
                organization: req.organization,
                goal: req.goal,
                after: req.after,
                limit: req.limit.unwrap_or(50).clamp(1, MAX_LIMIT),
            };
            let page = store.list(&q)?;
            Ok(ListResponse {
                items: page.items,
                next: page.next,
                total: store.count_matching(&q)?,
            })
        })
        .await
    }

    /// Every live record of one kind (for small kinds: goals, templates, the question bank).
    pub async fn list_all(&self, kind: Kind) -> Result<Vec<Record>, ApiError> {
        let mut out = Vec::new();
        let mut req = ListRequest {
            kind: Some(kind),
            limit: Some(MAX_LIMIT),
            ..Default::default()
        };
        loop {
            let page = self.list(req.clone()).await?;
            out.extend(page.items);
            match page.next {
                Some(n) => req.after = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// Full-text search over every text field, best match first. The last word matches as a
    /// prefix, so it works as you type.
    pub async fn search(&self, req: SearchRequest) -> Result<SearchResponse, ApiError> {
        if req.query.len() > 1000 {
            return Err(ApiError::validation(
                "query",
                "is longer than 1000 characters",
            ));
        }
        let store = self.store.clone();
        let limit = req.limit.unwrap_or(20).clamp(1, MAX_LIMIT);
        blocking(move || {
            Ok(SearchResponse {
                hits: store.search(&req.query, req.kind, limit)?,
            })
        })
        .await
    }

    /// Links two records; the field follows from their kinds.
    pub async fn link(&self, req: LinkRequest) -> Result<Record, ApiError> {
        let target = self.get(req.to).await?;
        let to_kind = target.kind();
        let to = req.to;
        self.change(req.from, move |b| {
            let mut b = b.clone();
            b.link(to, to_kind)?;
            Ok(b)
        })
        .await
    }

    /// Removes every link from `from` to `to`.
    pub async fn unlink(&self, req: LinkRequest) -> Result<Record, ApiError> {
        let to = req.to;
        self.change(req.from, move |b| {
            let mut b = b.clone();
            if !b.unlink(to) {
                return Err(ApiError::validation(
                    "to",
                    format!("the record is not linked to {to}"),
                ));
            }
            Ok(b)
        })
        .await
    }

    // ---- maintenance ----

    /// Compares the projections with the documents; with `rebuild`, derives them again.
    pub async fn doctor(&self, rebuild: bool) -> Result<CheckReport, ApiError> {
        let store = self.store.clone();
        blocking(move || {
            Ok(if rebuild {
                store.rebuild_projections()?
            } else {
                store.check()?
            })
        })
        .await
    }

    pub async fn stats(&self) -> Result<StoreStats, ApiError> {
        let store = self.store.clone();
        blocking(move || Ok(store.stats()?)).await
    }

    /// Brings the search index up to date now rather than at the next search.
    pub async fn refresh_search(&self) -> Result<(), ApiError> {
        let store = self.store.clone();
        blocking(move || Ok(store.refresh_search()?)).await
    }

    /// Folds every document's incremental changes into its snapshot.
    pub async fn compact(&self) -> Result<u64, ApiError> {
        let store = self.store.clone();
        blocking(move || Ok(store.compact()?)).await
    }

    /// Writes many new or changed records at once, validated, with one flush (imports, seeds).
    pub async fn write_all(&self, records: Vec<Record>) -> Result<(), ApiError> {
        let store = self.store.clone();
        blocking(move || {
            check_batch(&store, &records)?;
            store.write_all(records)?;
            Ok(())
        })
        .await
    }

    /// Validates records as [`Rapport::write_all`] would, writing nothing.
    pub async fn check_all(&self, records: &[Record]) -> Result<(), ApiError> {
        let store = self.store.clone();
        let records = records.to_vec();
        blocking(move || check_batch(&store, &records)).await
    }
}

/// Every record valid, links resolved within the batch or against the vault.
fn check_batch(store: &Store, records: &[Record]) -> Result<(), ApiError> {
    let ids: std::collections::HashMap<RecordId, Kind> =
        records.iter().map(|r| (r.id(), r.kind())).collect();
    let links = |id: RecordId| {
        ids.get(&id)
            .copied()
            .or_else(|| store.kind_of(id).ok().flatten())
    };
    for r in records {
        not_a_device(r.kind())?;
        validate(r, &links).map_err(|e| {
            ApiError::validation(
                &e.field,
                format!(
                    "{} (in {} '{}')",
                    e.message,
                    r.kind().label(),
                    r.body.display_name()
                ),
            )
        })?;
    }
    Ok(())
}

/// Which devices may sync changes only by pairing and removal (`rapport pair`, `rapport devices
/// remove`), never by writing records: refused for every other door (the API's create, edit,
/// delete and bulk writes, so imports and restores too). docs/threat-model.md.
fn not_a_device(kind: Kind) -> Result<(), ApiError> {
    if kind == Kind::Device {
        return Err(ApiError::validation(
            "kind",
            "devices join a vault only by pairing (`rapport pair`) and leave it by removal \
             (`rapport devices remove`)",
        ));
    }
    Ok(())
}

fn live(id: RecordId, r: Option<Record>) -> Result<Record, ApiError> {
    match r {
        Some(r) if !r.is_deleted() => Ok(r),
        Some(r) => Err(ApiError::new(
            ErrorCode::NotFound,
            format!("the {} {id} was deleted", r.kind().label()),
        )),
        None => Err(ApiError::not_found(format!("record with id {id}"))),
    }
}

/// Link checks against the vault; links the record already had pass as they are.
struct StoreLinks<'a>(&'a Store, Option<&'a Record>);

impl LinkCheck for StoreLinks<'_> {
    fn kind_of(&self, id: RecordId) -> Option<Kind> {
        if let Some(cur) = self.1
            && let Some((_, _, kind)) = cur.body.links().into_iter().find(|(_, l, _)| *l == id)
        {
            return Some(kind);
        }
        self.0.kind_of(id).ok().flatten()
    }
}
