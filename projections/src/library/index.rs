//! The library's full-text index: tantivy in memory (a RAM directory), the
//! title and the text of each document's current version analysed for
//! Russian (lower case, then the Snowball Russian stemmer), so «договора»
//! finds «договор»; kind, issuer, day and audience as filter terms.
//!
//! Derived state like every read model: rebuilt from the log at start (the
//! files' text is extracted again), never saved.

use std::ops::{Bound, Range};

use chrono::{Datelike, NaiveDate};
use domain::ids::DocumentId;
use domain::library::{Audience, DocumentKind, Readers};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term, doc};

/// The analyser of Russian text, by its registered name.
const RUSSIAN: &str = "ru_stem";

/// The writer's memory budget: tantivy's smallest is 15 MB per thread; one
/// thread, since the projection applies one batch at a time.
const WRITER_BUDGET: usize = 30_000_000;

/// Characters a highlight shows around the words found.
const SNIPPET_CHARS: usize = 240;

/// What a search asks for, checked already.
#[derive(Clone, Debug, Default)]
pub struct LibraryQuery {
    /// Words to find (any form), `None`: every document, newest first.
    pub text: Option<String>,
    /// Only this kind.
    pub kind: Option<DocumentKind>,
    /// Only this issuer (exactly as written).
    pub issuer: Option<String>,
    /// Issued on or after.
    pub from: Option<NaiveDate>,
    /// Issued on or before.
    pub to: Option<NaiveDate>,
    /// Only documents for these audiences (what the viewer may read).
    pub audiences: Vec<Audience>,
    /// Found documents to skip.
    pub offset: usize,
    /// Found documents to return.
    pub limit: usize,
}

/// One document found.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The document.
    pub document_id: DocumentId,
    /// The passage where the words were found (none without words).
    pub highlight: Option<Highlight>,
}

/// A passage of a document's text with the words found marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// The passage.
    pub fragment: String,
    /// The words found in it, as ranges of characters (not bytes).
    pub marks: Vec<Range<usize>>,
}

/// A page of search results.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Results {
    /// The page.
    pub found: Vec<Found>,
    /// Every document the query finds.
    pub total: usize,
}

/// Why the index failed (tantivy's own errors, a bug or memory).
#[derive(Debug, thiserror::Error)]
#[error("library index: {0}")]
pub struct IndexError(#[from] tantivy::TantivyError);

/// The index and its one writer.
pub struct LibraryIndex {
    index: Index,
    reader: IndexReader,
    writer: IndexWriter,
    fields: Fields,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    body: Field,
    kind: Field,
    issuer: Field,
    issued_on: Field,
    audience: Field,
}

/// What is indexed of a document's current version.
pub struct Indexed<'a> {
    /// The document.
    pub document_id: DocumentId,
    /// Its title.
    pub title: &'a str,
    /// Its current version's text.
    pub body: &'a str,
    /// Its kind.
    pub kind: DocumentKind,
    /// Its issuer.
    pub issuer: &'a str,
    /// Its day of issue.
    pub issued_on: NaiveDate,
    /// Who reads it.
    pub audience: Audience,
}

impl LibraryIndex {
    /// An empty index.
    ///
    /// # Errors
    /// Tantivy's, when it cannot make its writer (memory).
    pub fn new() -> Result<LibraryIndex, IndexError> {
        let mut schema = Schema::builder();
        let russian = TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(RUSSIAN)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            )
            .set_stored();
        let fields = Fields {
            id: schema.add_text_field("id", STRING | STORED),
            title: schema.add_text_field("title", russian.clone()),
            body: schema.add_text_field("body", russian),
            kind: schema.add_text_field("kind", STRING),
            issuer: schema.add_text_field("issuer", STRING),
            issued_on: schema.add_i64_field("issued_on", INDEXED | FAST),
            audience: schema.add_text_field("audience", STRING),
        };
        let index = Index::create_in_ram(schema.build());
        index.tokenizers().register(
            RUSSIAN,
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(60))
                .filter(LowerCaser)
                .filter(Stemmer::new(Language::Russian))
                .build(),
        );
        let writer = index.writer_with_num_threads(1, WRITER_BUDGET)?;
        // Reloaded by hand after each commit, so a search right after an
        // apply sees it (read-your-writes through `App::reach`).
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(LibraryIndex {
            index,
            reader,
            writer,
            fields,
        })
    }

    /// Indexes `document` in place of what it had (a new version).
    ///
    /// # Errors
    /// Tantivy's.
    pub fn put(&mut self, document: Indexed<'_>) -> Result<(), IndexError> {
        let f = self.fields;
        let id = document.document_id.to_string();
        self.writer.delete_term(Term::from_field_text(f.id, &id));
        self.writer.add_document(doc!(
            f.id => id,
            f.title => document.title,
            f.body => document.body,
            f.kind => document.kind.code(),
            f.issuer => document.issuer,
            f.issued_on => day_number(document.issued_on),
            f.audience => audience_term(document.audience),
        ))?;
        Ok(())
    }

    /// Takes `document_id` out of the index (withdrawn).
    pub fn remove(&mut self, document_id: DocumentId) {
        let term = Term::from_field_text(self.fields.id, &document_id.to_string());
        self.writer.delete_term(term);
    }

    /// Makes what was put and removed since the last commit searchable.
    ///
    /// # Errors
    /// Tantivy's.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        self.reader.reload()?;
        Ok(())
    }

    /// The documents `query` finds: by relevance with words, else newest
    /// first; with a highlight of each where words were asked for.
    ///
    /// # Errors
    /// Tantivy's.
    pub fn search(&self, query: &LibraryQuery) -> Result<Results, IndexError> {
        if query.audiences.is_empty() || query.limit == 0 {
            return Ok(Results::default());
        }
        let f = self.fields;
        let searcher = self.reader.searcher();
        let words = query
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|text| {
                let mut parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
                parser.set_conjunction_by_default();
                parser.set_field_boost(f.title, 2.0);
                // Lenient: whatever people type is a query, never a syntax error.
                parser.parse_query_lenient(text).0
            });
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
            Occur::Must,
            Box::new(TermSetQuery::new(
                query
                    .audiences
                    .iter()
                    .map(|a| Term::from_field_text(f.audience, &audience_term(*a))),
            )),
        )];
        if let Some(words) = &words {
            clauses.push((Occur::Must, words.box_clone()));
        } else {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        if let Some(kind) = query.kind {
            clauses.push((Occur::Must, term_query(f.kind, kind.code())));
        }
        if let Some(issuer) = &query.issuer {
            clauses.push((Occur::Must, term_query(f.issuer, issuer)));
        }
        if query.from.is_some() || query.to.is_some() {
            let bound = |day: Option<NaiveDate>| match day {
                Some(day) => Bound::Included(Term::from_field_i64(f.issued_on, day_number(day))),
                None => Bound::Unbounded,
            };
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(query.from), bound(query.to))),
            ));
        }
        let filtered = BooleanQuery::new(clauses);
        let top = TopDocs::with_limit(query.limit).and_offset(query.offset);
        let (addresses, total) = match words {
            Some(_) => {
                let (scored, total) = searcher.search(&filtered, &(top.order_by_score(), Count))?;
                (
                    scored.into_iter().map(|(_, a)| a).collect::<Vec<_>>(),
                    total,
                )
            }
            None => {
                let (dated, total) = searcher.search(
                    &filtered,
                    &(
                        top.order_by_fast_field::<i64>("issued_on", Order::Desc),
                        Count,
                    ),
                )?;
                (dated.into_iter().map(|(_, a)| a).collect::<Vec<_>>(), total)
            }
        };
        let snippets = match &words {
            Some(words) => {
                let mut body = SnippetGenerator::create(&searcher, &**words, f.body)?;
                body.set_max_num_chars(SNIPPET_CHARS);
                let mut title = SnippetGenerator::create(&searcher, &**words, f.title)?;
                title.set_max_num_chars(SNIPPET_CHARS);
                Some((body, title))
            }
            None => None,
        };
        let mut found = Vec::with_capacity(addresses.len());
        for address in addresses {
            let stored: TantivyDocument = searcher.doc(address)?;
            let Some(document_id) = stored
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse().ok())
                .map(DocumentId)
            else {
                continue;
            };
            let highlight = snippets.as_ref().and_then(|(body, title)| {
                let snippet = body.snippet_from_doc(&stored);
                let snippet = match snippet.is_empty() {
                    true => title.snippet_from_doc(&stored),
                    false => snippet,
                };
                (!snippet.is_empty()).then(|| Highlight {
                    marks: snippet
                        .highlighted()
                        .iter()
                        .map(|r| chars_of(snippet.fragment(), r))
                        .collect(),
                    fragment: snippet.fragment().to_string(),
                })
            });
            found.push(Found {
                document_id,
                highlight,
            });
        }
        Ok(Results { found, total })
    }

    /// The indexed text of `document_id`'s current version (for a preview).
    ///
    /// # Errors
    /// Tantivy's.
    pub fn text(&self, document_id: DocumentId) -> Result<Option<String>, IndexError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(f.id, &document_id.to_string()),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, address)) = top.first() else {
            return Ok(None);
        };
        let stored: TantivyDocument = searcher.doc(*address)?;
        Ok(stored
            .get_first(f.body)
            .and_then(|v| v.as_str())
            .map(str::to_string))
    }
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

/// A day as a number that sorts as days do.
fn day_number(day: NaiveDate) -> i64 {
    i64::from(day.num_days_from_ce())
}

/// An audience as one filter term, `<org>:<readers>`.
fn audience_term(audience: Audience) -> String {
    let readers = match audience.readers {
        Readers::Everyone => "EVERYONE",
        Readers::Chairs => "CHAIRS",
    };
    format!("{}:{readers}", audience.org_id)
}

/// The byte range `bytes` of `text` as a range of characters.
fn chars_of(text: &str, bytes: &Range<usize>) -> Range<usize> {
    let start = text.get(..bytes.start).map_or(0, |t| t.chars().count());
    let len = text.get(bytes.clone()).map_or(0, |t| t.chars().count());
    start..start + len
}

#[cfg(test)]
mod tests {
    use domain::ids::OrgId;
    use uuid::Uuid;

    use super::*;

    const UNION: Audience = Audience {
        org_id: OrgId(Uuid::from_u128(1)),
        readers: Readers::Everyone,
    };

    fn put(index: &mut LibraryIndex, n: u128, title: &str, body: &str, kind: DocumentKind) {
        index
            .put(Indexed {
                document_id: DocumentId(Uuid::from_u128(n)),
                title,
                body,
                kind,
                issuer: "Профсоюз",
                issued_on: NaiveDate::from_ymd_opt(2024, 1, n as u32).unwrap(),
                audience: UNION,
            })
            .unwrap();
    }

    fn search(index: &LibraryIndex, text: &str) -> Results {
        index
            .search(&LibraryQuery {
                text: Some(text.into()),
                audiences: vec![UNION],
                limit: 10,
                ..LibraryQuery::default()
            })
            .unwrap()
    }

    #[test]
    fn a_word_in_one_form_finds_its_other_forms_and_is_highlighted() {
        let mut index = LibraryIndex::new().unwrap();
        put(
            &mut index,
            1,
            "Соглашение",
            "Стороны заключили коллективный договор на три года.",
            DocumentKind::CollectiveAgreement,
        );
        put(
            &mut index,
            2,
            "Устав",
            "Устав профсоюза.",
            DocumentKind::Charter,
        );
        index.commit().unwrap();
        let found = search(&index, "договора");
        assert_eq!(found.total, 1);
        let hit = &found.found[0];
        assert_eq!(hit.document_id, DocumentId(Uuid::from_u128(1)));
        let highlight = hit.highlight.as_ref().unwrap();
        let marked: Vec<String> = highlight
            .marks
            .iter()
            .map(|r| {
                highlight
                    .fragment
                    .chars()
                    .skip(r.start)
                    .take(r.len())
                    .collect()
            })
            .collect();
        assert_eq!(marked, ["договор"]);
        assert_eq!(search(&index, "профсоюзы").total, 1);
        assert_eq!(search(&index, "премия").total, 0);
    }

    #[test]
    fn filters_and_audiences_narrow_and_a_new_version_replaces_the_old() {
        let mut index = LibraryIndex::new().unwrap();
        put(&mut index, 1, "Закон", "об образовании", DocumentKind::Law);
        put(
            &mut index,
            2,
            "Положение",
            "об образовании",
            DocumentKind::Regulation,
        );
        index.commit().unwrap();
        let all = |kind| {
            index
                .search(&LibraryQuery {
                    kind,
                    audiences: vec![UNION],
                    limit: 10,
                    ..LibraryQuery::default()
                })
                .unwrap()
        };
        // Newest first without words.
        let ids: Vec<u128> = all(None)
            .found
            .iter()
            .map(|f| f.document_id.0.as_u128())
            .collect();
        assert_eq!(ids, [2, 1]);
        assert_eq!(all(Some(DocumentKind::Law)).total, 1);
        let nobody = index
            .search(&LibraryQuery {
                audiences: vec![Audience {
                    readers: Readers::Chairs,
                    ..UNION
                }],
                limit: 10,
                ..LibraryQuery::default()
            })
            .unwrap();
        assert_eq!(nobody.total, 0);
        put(&mut index, 1, "Закон", "о профсоюзах", DocumentKind::Law);
        index.commit().unwrap();
        assert_eq!(search(&index, "образования").total, 1);
        assert_eq!(search(&index, "профсоюзов").total, 1);
        index.remove(DocumentId(Uuid::from_u128(1)));
        index.commit().unwrap();
        assert_eq!(search(&index, "профсоюзов").total, 0);
    }
}
