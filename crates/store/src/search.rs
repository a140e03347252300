//! Full-text search over every text field of every live record, with tantivy.
//!
//! The index is a projection like the others, but it is not written in the same batch as the
//! documents: each write batch leaves a `Q seq → ids` entry, and the index catches up from
//! those entries when it is opened or searched. So a write never waits on the index, a crash
//! loses nothing (the entries are replayed), and a process that never searches never opens it.

use std::path::Path;

use rapport_model::{Kind, Record, RecordId};
use serde::{Deserialize, Serialize};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};
use ts_rs::TS;

use crate::error::{Result, StoreError};

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, TS)]
pub struct SearchHit {
    pub id: RecordId,
    pub kind: Kind,
    /// The record's name or title.
    pub title: String,
    /// What tells it apart from others of the same name: a person's role and organization, an
    /// organization's industry, a meeting's day (empty when there is nothing to say).
    pub detail: String,
    pub score: f32,
}

const TOKENIZER: &str = "folded";
/// tantivy's smallest allowed indexing arena; enough for a personal vault.
const WRITER_BYTES: usize = 15_000_000;
/// The most terms of a query that are used (a pasted paragraph should not build a huge query).
const MAX_QUERY_TERMS: usize = 16;

pub(crate) struct SearchIndex {
    _index: Index,
    reader: IndexReader,
    writer: IndexWriter,
    id: Field,
    kind: Field,
    title: Field,
    body: Field,
    /// The sequence number every change up to which is in the index once committed.
    indexed_seq: u64,
    committed_seq: u64,
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    let text = || {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(TOKENIZER)
            .set_index_option(IndexRecordOption::WithFreqs);
        TextOptions::default().set_indexing_options(indexing)
    };
    // Only the id is stored: kind and title of a hit are read from the record's projection,
    // which keeps the index small.
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("kind", STRING);
    b.add_text_field("title", text());
    b.add_text_field("body", text());
    b.build()
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

impl SearchIndex {
    /// Opens the index in `dir` (created if missing), or an in-memory one.
    pub(crate) fn open(dir: Option<&Path>) -> Result<Self> {
        let index = match dir {
            Some(dir) => {
                std::fs::create_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
                let mmap = tantivy::directory::MmapDirectory::open(dir)
                    .map_err(|e| StoreError::Search(e.to_string()))?;
                match Index::open_or_create(mmap, schema()) {
                    Ok(i) => i,
                    // A schema from another version: the index is only a projection, start over.
                    Err(tantivy::TantivyError::SchemaError(_)) => {
                        std::fs::remove_dir_all(dir).map_err(|e| StoreError::io(dir, e))?;
                        return Self::open(Some(dir));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => Index::create_in_ram(schema()),
        };
        index.tokenizers().register(TOKENIZER, analyzer());
        let writer = index.writer_with_num_threads(1, WRITER_BYTES)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let s = index.schema();
        let field = |n: &str| {
            s.get_field(n)
                .map_err(|e| StoreError::Search(e.to_string()))
        };
        let committed_seq = index
            .load_metas()?
            .payload
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        Ok(Self {
            id: field("id")?,
            kind: field("kind")?,
            title: field("title")?,
            body: field("body")?,
            _index: index,
            reader,
            writer,
            indexed_seq: committed_seq,
            committed_seq,
        })
    }

    /// Everything up to this sequence number is (or will be, once committed) in the index.
    pub(crate) fn committed_seq(&self) -> u64 {
        self.committed_seq
    }

    pub(crate) fn is_dirty(&self) -> bool {
        self.indexed_seq != self.committed_seq
    }

    /// Puts the record's current text in the index (or takes it out if deleted).
    pub(crate) fn upsert(&mut self, record: &Record, seq: u64) -> Result<()> {
        let id = record.id().to_string();
        self.writer.delete_term(Term::from_field_text(self.id, &id));
        if !record.is_deleted() {
            let mut doc = TantivyDocument::default();
            doc.add_text(self.id, &id);
            doc.add_text(self.kind, record.kind().as_str());
            doc.add_text(self.title, record.body.display_name());
            for text in record.body.text_fields() {
                doc.add_text(self.body, text);
            }
            self.writer.add_document(doc)?;
        }
        self.indexed_seq = self.indexed_seq.max(seq);
        Ok(())
    }

    pub(crate) fn remove(&mut self, id: RecordId, seq: u64) {
        self.writer
            .delete_term(Term::from_field_text(self.id, &id.to_string()));
        self.indexed_seq = self.indexed_seq.max(seq);
    }

    pub(crate) fn clear(&mut self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes everything upserted so far searchable and durable, remembering `seq`.
    pub(crate) fn commit(&mut self, seq: u64) -> Result<()> {
        self.indexed_seq = self.indexed_seq.max(seq);
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&self.indexed_seq.to_string());
        prepared.commit()?;
        self.reader.reload()?;
        self.committed_seq = self.indexed_seq;
        Ok(())
    }

    /// The number of records in the index.
    pub(crate) fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Records matching every word of `query` (the last word as a prefix, for search as you
    /// type), best first. Any input is accepted: there is no query syntax to get wrong.
    pub(crate) fn search(
        &self,
        query: &str,
        kind: Option<Kind>,
        limit: usize,
    ) -> Result<Vec<(RecordId, f32)>> {
        let mut analyzer = analyzer();
        let mut words = Vec::new();
        let mut stream = analyzer.token_stream(query);
        while stream.advance() {
            words.push(stream.token().text.clone());
        }
        words.truncate(MAX_QUERY_TERMS);
        if words.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let ends_with_space = query.ends_with(char::is_whitespace);
        let last = words.len() - 1;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let per_field = [(self.title, 2.0f32), (self.body, 1.0)].map(|(field, boost)| {
                let term = Term::from_field_text(field, w);
                let q: Box<dyn Query> = if i == last && !ends_with_space {
                    Box::new(FuzzyTermQuery::new_prefix(term, 0, false))
                } else {
                    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
                };
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(q, boost)) as Box<dyn Query>,
                )
            });
            must.push((Occur::Must, Box::new(BooleanQuery::new(per_field.into()))));
        }
        if let Some(kind) = kind {
            let t = Term::from_field_text(self.kind, kind.as_str());
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(t, IndexRecordOption::Basic)),
            ));
        }
        let searcher = self.reader.searcher();
        let top = searcher.search(
            &BooleanQuery::new(must),
            &TopDocs::with_limit(limit).order_by_score(),
        )?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text = |f: Field| {
                doc.get_first(f)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            if let Ok(id) = text(self.id).parse::<RecordId>() {
                hits.push((id, score));
            }
        }
        Ok(hits)
    }
}
