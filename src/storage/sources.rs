//! Provenance: which source (a fact file, or a writer named with `--source`) asserts each
//! node, relationship and property value, at which line, and what each source claims a
//! property's value is.
//!
//! The model:
//! - A transaction writes under one source, or under none (the unsourced writer, source
//!   0). Each load of a source gets a new load sequence number; the claims it makes carry
//!   it, so "the source loaded most recently" is "the claim with the highest sequence".
//! - An element with no `ASSERT` rows is asserted by nobody in particular: it was written
//!   without a source and stays until deleted. A source that asserts an element written
//!   before it without a source first records that unsourced writer's assertion and
//!   claims (sequence 0, older than every load), so withdrawing the source gives the
//!   element back as it was.
//! - The stored property value is always the winning claim's (highest sequence), so
//!   reading a property costs what it costs in a store without sources. An unsourced write
//!   to an asserted element is itself a claim, newer than every load before it.
//! - Withdrawing a source's assertion (an unload, or a reload that no longer makes it)
//!   removes a property value, relationship or node that no one asserts any more, and
//!   gives a property the value of the newest remaining claim.
//! - A store that never had a source records nothing at all: `Provenance::tracked` is
//!   false and no key of these keyspaces exists.
//!
//! - Only saying an element exists keeps it (`Assertion::exists`): CREATE, or a MERGE
//!   pattern that made or found it. The ends of a relationship a statement makes and
//!   what it SETs on a matched element are references: they name the source among the
//!   element's but do not keep it. When no writer says an element exists any more it is
//!   deleted (a node with its relationships, whoever asserts those), and the sources
//!   that lose facts so are marked stale: their next load runs in full. The unsourced
//!   writer is one writer throughout: once it says an element exists, a later reference
//!   of its own does not take that back.
//!
//! Removing a property (`REMOVE`, `SET … = null`) or deleting an element drops every
//! claim and assertion of it, whoever writes: it is a deletion, not a withdrawal.

use super::codec::{self, StoredValue};
use super::keys::{self, Token, TokenKind};
use super::Txn;
use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, RelId, Value};
use serde::{Deserialize, Serialize};

const ELEMENT_NODE: u8 = 0;
const ELEMENT_REL: u8 = 1;

/// A node or relationship, as provenance keys name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Element {
    Node(NodeId),
    Relationship(RelId),
}

impl Element {
    pub(super) fn kind(self) -> u8 {
        match self {
            Element::Node(_) => ELEMENT_NODE,
            Element::Relationship(_) => ELEMENT_REL,
        }
    }

    pub(super) fn id(self) -> u64 {
        match self {
            Element::Node(id) | Element::Relationship(id) => id,
        }
    }

    pub(super) fn from_parts(kind: u8, id: u64) -> Option<Element> {
        match kind {
            ELEMENT_NODE => Some(Element::Node(id)),
            ELEMENT_REL => Some(Element::Relationship(id)),
            _ => None,
        }
    }

    /// The node or relationship `value` is, if it is one.
    pub fn of_value(value: &Value) -> Option<Element> {
        match value {
            Value::Node(n) => Some(Element::Node(n.id)),
            Value::Relationship(r) => Some(Element::Relationship(r.id)),
            _ => None,
        }
    }

    /// `kind id`, as it follows a keyspace byte.
    fn push_to(self, key: &mut Vec<u8>) {
        key.push(self.kind());
        key.extend_from_slice(&self.id().to_be_bytes());
    }

    /// The element whose `kind id` starts `bytes`.
    fn parse(bytes: &[u8]) -> Option<Element> {
        Element::from_parts(*bytes.first()?, keys::be_u64(bytes.get(1..9)?)?)
    }
}

type SourceId = u32;
/// The writer of statements run under no source.
const UNSOURCED: SourceId = 0;

#[derive(Clone, Debug, Serialize, Deserialize)]
struct SourceRecord {
    name: String,
    /// The SHA-256 of the file's text (hex); `None` for a source named with `--source`.
    sha256: Option<String>,
    loaded_at_micros: i64,
    seq: u64,
    /// Another source's withdrawal took some of its facts with it (a node it linked
    /// to went): its next load runs in full, even with the same text, so that what
    /// it says is made again once what it refers to is back.
    stale: bool,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Assertion {
    line: u32,
    seq: u64,
    /// The source says the element exists (it CREATEs or MERGEs it), rather than only
    /// referring to an element it found (the ends of its relationships, what it SETs).
    /// Only such assertions keep an element in the graph.
    exists: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Claim {
    line: u32,
    seq: u64,
    value: StoredValue,
}

/// What a transaction knows about provenance.
#[derive(Default)]
pub(super) struct Provenance {
    /// Whether the store holds provenance (it had a source): only then do unsourced
    /// writes record anything.
    pub(super) tracked: bool,
    /// The source this transaction writes under.
    writer: Option<Writer>,
    /// The sequence number of this transaction's unsourced claims, taken on first use.
    unsourced_seq: Option<u64>,
    /// Set while a withdrawal rewrites the graph: those writes assert nothing.
    paused: bool,
    /// The sources whose assertions a withdrawal deleted along with what it withdrew.
    lost_facts: std::collections::BTreeSet<SourceId>,
    /// The `BY_SOURCE` keys of the assertions and claims the writer's earlier load made.
    previous: std::collections::HashSet<Vec<u8>>,
    /// Of those, how many still stand when the load withdraws what it did not repeat.
    kept: u64,
    /// The name of the source this transaction loaded or withdrew, for its commit record.
    pub(super) named: Option<String>,
    /// The source `begin_source` opened, when it existed before.
    reopened: Option<SourceId>,
}

impl Provenance {
    /// A transaction's view: `tracked` when the store holds provenance.
    pub(super) fn new(tracked: bool) -> Provenance {
        Provenance {
            tracked,
            ..Provenance::default()
        }
    }
}

#[derive(Clone, Copy)]
struct Writer {
    source: SourceId,
    seq: u64,
    line: u32,
}

/// One source as `db.sources()` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSummary {
    pub name: String,
    pub sha256: Option<String>,
    pub loaded_at_micros: i64,
    pub nodes: u64,
    pub relationships: u64,
    pub properties: u64,
    /// The load sequence number of its latest load.
    pub seq: u64,
}

/// One source's assertion of an element or claim on a property.
#[derive(Clone, Debug)]
pub struct Attribution {
    /// `None` for the unsourced writer.
    pub source: Option<String>,
    /// The line of the statement that asserted it; `None` when it was there before the
    /// source came (an unsourced write recorded when a source first asserted it).
    pub line: Option<u32>,
    pub loaded_at_micros: Option<i64>,
    /// The claimed value (property claims only).
    pub value: Option<Value>,
}

/// A property whose sources disagree.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub element: Element,
    pub key: String,
    /// Most recent first.
    pub claims: Vec<Attribution>,
}

/// One provenance row of an element as stored: an assertion of the element (`key`
/// `None`) or a claim on a property, by a source (`None`: the unsourced writer). What an
/// export writes and `restore_provenance` reads back.
#[derive(Clone, Debug)]
pub struct ProvenanceRecord {
    pub key: Option<String>,
    pub source: Option<String>,
    pub line: u32,
    pub seq: u64,
    pub value: Option<Value>,
    /// For an assertion of the element: whether the source says it exists.
    pub exists: Option<bool>,
}

/// What withdrawing a source's assertions changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Withdrawn {
    /// Assertions and claims withdrawn.
    pub assertions: u64,
    pub nodes_deleted: u64,
    pub relationships_deleted: u64,
    pub properties_removed: u64,
    /// Properties that took the value of an older claim.
    pub properties_reverted: u64,
    /// Other sources that lost facts with what was withdrawn (relationships to a node
    /// that went): their next load runs in full.
    pub stale_sources: Vec<String>,
}

/// What a load of a source finds: the source as it was loaded before, if it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousLoad {
    pub sha256: Option<String>,
}

// ---- keys

fn source_key(id: SourceId) -> Vec<u8> {
    let mut k = vec![keys::SOURCE];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn assert_prefix(el: Element) -> Vec<u8> {
    let mut k = Vec::with_capacity(14);
    k.push(keys::ASSERT);
    el.push_to(&mut k);
    k
}

fn assert_key(el: Element, source: SourceId) -> Vec<u8> {
    let mut k = assert_prefix(el);
    k.extend_from_slice(&source.to_be_bytes());
    k
}

fn claim_prefix(el: Element) -> Vec<u8> {
    let mut k = Vec::with_capacity(18);
    k.push(keys::CLAIM);
    el.push_to(&mut k);
    k
}

fn claim_key_prefix(el: Element, key: Token) -> Vec<u8> {
    let mut k = claim_prefix(el);
    k.extend_from_slice(&key.to_be_bytes());
    k
}

fn claim_key(el: Element, key: Token, source: SourceId) -> Vec<u8> {
    let mut k = claim_key_prefix(el, key);
    k.extend_from_slice(&source.to_be_bytes());
    k
}

fn by_source_prefix(source: SourceId) -> Vec<u8> {
    let mut k = Vec::with_capacity(18);
    k.push(keys::BY_SOURCE);
    k.extend_from_slice(&source.to_be_bytes());
    k
}

fn by_source_element(source: SourceId, el: Element) -> Vec<u8> {
    let mut k = by_source_prefix(source);
    el.push_to(&mut k);
    k
}

fn by_source_property(source: SourceId, el: Element, key: Token) -> Vec<u8> {
    let mut k = by_source_element(source, el);
    k.extend_from_slice(&key.to_be_bytes());
    k
}

/// The trailing source id of an `ASSERT` or `CLAIM` key.
fn trailing_source(key: &[u8]) -> Result<SourceId> {
    key.len()
        .checked_sub(4)
        .and_then(|at| key.get(at..))
        .and_then(keys::be_u32)
        .ok_or_else(|| codec::corrupt("a provenance key is malformed"))
}

/// What a `BY_SOURCE` key names: an element, or an element's property.
fn parse_by_source(key: &[u8]) -> Result<(Element, Option<Token>)> {
    let malformed = || codec::corrupt("a provenance key is malformed");
    let el = key
        .get(5..)
        .and_then(Element::parse)
        .ok_or_else(malformed)?;
    match key.len() {
        14 => Ok((el, None)),
        18 => Ok((
            el,
            Some(key.get(14..).and_then(keys::be_u32).ok_or_else(malformed)?),
        )),
        _ => Err(malformed()),
    }
}

fn now_micros() -> i64 {
    jiff::Timestamp::now().as_microsecond()
}

impl Txn<'_> {
    fn records_provenance(&self) -> bool {
        self.provenance.tracked || self.provenance.writer.is_some()
    }

    /// Who asserts what this transaction writes; `None` when nothing is recorded.
    fn writer(&self) -> Option<Writer> {
        if !self.records_provenance() || self.provenance.paused {
            return None;
        }
        Some(self.provenance.writer.unwrap_or(Writer {
            source: UNSOURCED,
            seq: 0,
            line: 0,
        }))
    }

    /// The sequence number `writer`'s assertions carry.
    fn seq_of(&mut self, writer: Writer) -> Result<u64> {
        if writer.source != UNSOURCED {
            return Ok(writer.seq);
        }
        if let Some(seq) = self.provenance.unsourced_seq {
            return Ok(seq);
        }
        let seq = self.next_load_seq()?;
        self.provenance.unsourced_seq = Some(seq);
        Ok(seq)
    }

    fn next_load_seq(&mut self) -> Result<u64> {
        let key = keys::meta(keys::META_LOAD_SEQ);
        let last = match self.get(&key)? {
            Some(bytes) => codec::decode_u64(&bytes)?,
            None => 0,
        };
        self.put(key, codec::encode_u64(last + 1));
        Ok(last + 1)
    }

    fn source_records(&self) -> Result<Vec<(SourceId, SourceRecord)>> {
        self.scan_prefix(vec![keys::SOURCE])
            .map(|entry| {
                let (key, value) = entry?;
                let id = key
                    .get(1..)
                    .and_then(keys::be_u32)
                    .ok_or_else(|| codec::corrupt("a source key is malformed"))?;
                Ok((id, codec::decode_record(&value)?))
            })
            .collect()
    }

    fn source_by_name(&self, name: &str) -> Result<Option<(SourceId, SourceRecord)>> {
        Ok(self
            .source_records()?
            .into_iter()
            .find(|(_, record)| record.name == name))
    }

    /// The source `name` as it was last loaded, if it was.
    pub fn previous_load(&self, name: &str) -> Result<Option<PreviousLoad>> {
        Ok(self.source_by_name(name)?.map(|(_, record)| PreviousLoad {
            sha256: record.sha256.filter(|_| !record.stale),
        }))
    }

    /// Makes `name` the source of everything this transaction writes from now on, as a
    /// new load of it (the most recent one): `sha256` is the text's digest, `None` for a
    /// source that is not a file.
    pub fn begin_source(&mut self, name: &str, sha256: Option<&str>) -> Result<()> {
        let records = self.source_records()?;
        let existing = records
            .iter()
            .find(|(_, r)| r.name == name)
            .map(|(id, _)| *id);
        let id = match existing {
            Some(id) => id,
            None => records.iter().map(|(id, _)| *id).max().unwrap_or(UNSOURCED) + 1,
        };
        // A file's record carries its digest, which a load must keep even when its
        // statements write nothing; a named source's record only its load time.
        self.provenance.reopened = existing.filter(|_| sha256.is_none());
        let seq = self.next_load_seq()?;
        let record = SourceRecord {
            name: name.to_string(),
            sha256: sha256.map(str::to_string),
            loaded_at_micros: now_micros(),
            seq,
            stale: false,
        };
        self.provenance.previous = self
            .scan_prefix(by_source_prefix(id))
            .map(|e| e.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        self.put(source_key(id), codec::encode_record(&record)?);
        self.provenance.writer = Some(Writer {
            source: id,
            seq,
            line: 0,
        });
        self.provenance.tracked = true;
        self.provenance.named = Some(name.to_string());
        Ok(())
    }

    /// Whether all this transaction wrote is the new load record of a named source that
    /// existed before (a statement under `--source` that wrote nothing): its commit then
    /// writes nothing, and gets no transaction number.
    pub(super) fn writes_only_load_record(&self) -> bool {
        let Some(id) = self.provenance.reopened else {
            return false;
        };
        let record = source_key(id);
        let seq = keys::meta(keys::META_LOAD_SEQ);
        self.overlay.keys().all(|k| *k == record || *k == seq)
    }

    /// How many assertions and claims of the earlier load of the source being loaded
    /// this load made again (known once it withdrew what it did not).
    pub fn reasserted(&self) -> u64 {
        self.provenance.kept
    }

    /// The name of the source this transaction writes under, if it writes under one.
    pub(super) fn writing_source(&self) -> Option<String> {
        self.provenance
            .writer
            .and_then(|_| self.provenance.named.clone())
    }

    /// Writes what follows under no source.
    pub fn end_source(&mut self) {
        self.provenance.writer = None;
    }

    /// The line (in the source's text) of the statement that writes next.
    pub fn set_source_line(&mut self, line: u32) {
        if let Some(writer) = &mut self.provenance.writer {
            writer.line = line;
        }
    }

    // ---- recording, called by the graph's writes

    /// Whether this transaction made `el` (its id is one it handed out).
    fn created_here(&self, el: Element) -> bool {
        match el {
            Element::Node(id) => id >= self.first_node,
            Element::Relationship(id) => id >= self.first_rel,
        }
    }

    /// Records that the writer asserts `el` (`created`: made by this transaction;
    /// `exists`: the writer says it exists, see `Assertion::exists`).
    fn assert_element(&mut self, el: Element, created: bool, exists: bool) -> Result<()> {
        let Some(writer) = self.writer() else {
            return Ok(());
        };
        let asserted = self.is_asserted(el)?;
        if writer.source == UNSOURCED {
            if !asserted {
                return Ok(());
            }
        } else if !asserted && !created {
            self.record_unsourced_state(el)?;
        }
        self.write_assertion(el, writer, exists)
    }

    /// Whether some writer says `el` exists: what keeps it in the graph.
    fn is_kept(&self, el: Element) -> Result<bool> {
        for entry in self.scan_prefix(assert_prefix(el)) {
            let (_, bytes) = entry?;
            if codec::decode_record::<Assertion>(&bytes)?.exists {
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn is_asserted(&self, el: Element) -> Result<bool> {
        self.scan_prefix(assert_prefix(el))
            .next()
            .transpose()
            .map(|e| e.is_some())
    }

    fn write_assertion(&mut self, el: Element, writer: Writer, exists: bool) -> Result<()> {
        let key = assert_key(el, writer.source);
        let seq = self.seq_of(writer)?;
        let mut line = writer.line;
        if let Some(bytes) = self.get(&key)? {
            let before: Assertion = codec::decode_record(&bytes)?;
            if writer.source == UNSOURCED && before.exists && !exists {
                // The unsourced writer is one writer throughout: what it said exists
                // (or what was there before any source) stays so.
                return Ok(());
            }
            if before.seq == seq {
                // Asserted before in this load: the first statement that did it keeps
                // the line, and a reference becomes an assertion of existence.
                if before.exists || !exists {
                    return Ok(());
                }
                line = before.line;
            }
        }
        let assertion = Assertion { line, seq, exists };
        self.put(key, codec::encode_record(&assertion)?);
        if writer.source != UNSOURCED {
            self.put(by_source_element(writer.source, el), Vec::new());
        }
        Ok(())
    }

    /// Before a source first asserts an element written without one, records that
    /// unsourced writer's assertion and claims, older than every load.
    fn record_unsourced_state(&mut self, el: Element) -> Result<()> {
        let props = match el {
            Element::Node(id) => self.read_node(id)?.map(|r| r.props),
            Element::Relationship(id) => self.read_rel(id)?.map(|r| r.props),
        };
        let Some(props) = props else {
            return Ok(());
        };
        let before = Assertion {
            line: 0,
            seq: 0,
            exists: true,
        };
        self.put(assert_key(el, UNSOURCED), codec::encode_record(&before)?);
        for (key, value) in props {
            let claim = Claim {
                line: 0,
                seq: 0,
                value,
            };
            self.put(claim_key(el, key, UNSOURCED), codec::encode_record(&claim)?);
        }
        Ok(())
    }

    /// Records the writer's claim that property `key` of `el` is `value` (`None`:
    /// removed, which drops every claim), before the record changes.
    fn claim_property(
        &mut self,
        el: Element,
        created: bool,
        key: Token,
        value: Option<&StoredValue>,
    ) -> Result<()> {
        let Some(writer) = self.writer() else {
            return Ok(());
        };
        let Some(value) = value else {
            return self.drop_claims(claim_key_prefix(el, key));
        };
        if writer.source == UNSOURCED && !self.is_asserted(el)? {
            return Ok(());
        }
        self.assert_element(el, created, created)?;
        self.write_claim(el, key, value.clone(), writer)
    }

    fn write_claim(
        &mut self,
        el: Element,
        key: Token,
        value: StoredValue,
        writer: Writer,
    ) -> Result<()> {
        let claim = Claim {
            line: writer.line,
            seq: self.seq_of(writer)?,
            value,
        };
        self.put(
            claim_key(el, key, writer.source),
            codec::encode_record(&claim)?,
        );
        if writer.source != UNSOURCED {
            self.put(by_source_property(writer.source, el, key), Vec::new());
        }
        Ok(())
    }

    /// Records a new element and its properties as the writer's.
    pub(super) fn assert_created(
        &mut self,
        el: Element,
        props: &[(Token, StoredValue)],
    ) -> Result<()> {
        let Some(writer) = self.writer() else {
            return Ok(());
        };
        if writer.source == UNSOURCED {
            return Ok(());
        }
        self.write_assertion(el, writer, true)?;
        for (key, value) in props {
            self.write_claim(el, *key, value.clone(), writer)?;
        }
        Ok(())
    }

    /// Records the writer's claim on property `key` of `el` that a SET is about to write
    /// (`None` or null: removes it).
    pub(super) fn note_set(&mut self, el: Element, key: &str, value: Option<&Value>) -> Result<()> {
        if self.writer().is_none() {
            return Ok(());
        }
        let created = self.created_here(el);
        let stored = value
            .filter(|v| !v.is_null())
            .map(codec::to_stored)
            .transpose()?;
        let token = match &stored {
            Some(_) => self.tokens.intern(TokenKind::PropertyKey, key),
            None => match self.token(TokenKind::PropertyKey, key) {
                Some(token) => token,
                None => return Ok(()),
            },
        };
        self.claim_property(el, created, token, stored.as_ref())
    }

    /// The provenance rows of an element a bulk import creates (none unless it writes
    /// under a source): its assertion and its claims, for the import's batches.
    pub(super) fn new_element_rows(
        &mut self,
        el: Element,
        props: &[(Token, StoredValue)],
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>> {
        let Some(writer) = self.provenance.writer else {
            return Ok(Vec::new());
        };
        let assertion = Assertion {
            line: writer.line,
            seq: writer.seq,
            exists: true,
        };
        let mut rows = vec![
            (
                assert_key(el, writer.source),
                codec::encode_record(&assertion)?,
            ),
            (by_source_element(writer.source, el), Vec::new()),
        ];
        for (key, value) in props {
            let claim = Claim {
                line: writer.line,
                seq: writer.seq,
                value: value.clone(),
            };
            rows.push((
                claim_key(el, *key, writer.source),
                codec::encode_record(&claim)?,
            ));
            rows.push((by_source_property(writer.source, el, *key), Vec::new()));
        }
        Ok(rows)
    }

    /// Records that a bulk import's source asserts node `id`, which existed before it
    /// (in the transaction's buffer: the import's final batch).
    pub(super) fn assert_existing_node(&mut self, id: NodeId) -> Result<()> {
        if self.provenance.writer.is_none() {
            return Ok(());
        }
        self.assert_element(Element::Node(id), false, false)
    }

    /// Whether the element a provenance key (`ASSERT`, `CLAIM`: `keyspace` first; or
    /// `BY_SOURCE`: the source first) names was created at or after `first_node` /
    /// `first_rel`: the rows an unfinished import wrote.
    pub(super) fn names_new_element(key: &[u8], first_node: NodeId, first_rel: RelId) -> bool {
        let at = if key.first() == Some(&keys::BY_SOURCE) {
            5
        } else {
            1
        };
        match key.get(at..).and_then(Element::parse) {
            Some(Element::Node(id)) => id >= first_node,
            Some(Element::Relationship(id)) => id >= first_rel,
            None => false,
        }
    }

    /// Records that the writer asserts an element a MERGE matched, with the properties
    /// its pattern names (those it has): that it exists when the pattern made or found
    /// it (`exists`), else (a variable bound before the MERGE) that it refers to it.
    pub fn assert_matched(
        &mut self,
        el: Element,
        pattern_keys: &[String],
        exists: bool,
    ) -> Result<()> {
        if self.writer().is_none() {
            return Ok(());
        }
        let created = self.created_here(el);
        self.assert_element(el, created, exists || created)?;
        let props = match el {
            Element::Node(id) => self.read_node(id)?.map(|r| r.props),
            Element::Relationship(id) => {
                let record = self.read_rel(id)?;
                if let Some(r) = &record {
                    for node in [r.header.start, r.header.end] {
                        let created = node >= self.first_node;
                        self.assert_element(Element::Node(node), created, created)?;
                    }
                }
                record.map(|r| r.props)
            }
        };
        for (key, value) in props.unwrap_or_default() {
            let named = pattern_keys
                .iter()
                .any(|k| self.token(TokenKind::PropertyKey, k) == Some(key));
            if named {
                self.claim_property(el, created, key, Some(&value))?;
            }
        }
        Ok(())
    }

    /// Records that a new relationship's writer asserts its endpoints too.
    pub(super) fn assert_endpoints(&mut self, start: NodeId, end: NodeId) -> Result<()> {
        if self.writer().is_none() {
            return Ok(());
        }
        for node in [start, end] {
            let created = node >= self.first_node;
            self.assert_element(Element::Node(node), created, created)?;
        }
        Ok(())
    }

    /// Drops every assertion and claim of a deleted element.
    pub(super) fn forget_element(&mut self, el: Element) -> Result<()> {
        if !self.records_provenance() {
            return Ok(());
        }
        let assertions: Vec<Vec<u8>> = self
            .scan_prefix(assert_prefix(el))
            .map(|e| e.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for key in assertions {
            let source = trailing_source(&key)?;
            if source != UNSOURCED {
                self.remove(by_source_element(source, el));
                if self.provenance.paused {
                    self.provenance.lost_facts.insert(source);
                }
            }
            self.remove(key);
        }
        self.drop_claims(claim_prefix(el))
    }

    /// Drops the claims whose keys start with `prefix` (one property's, or an element's).
    fn drop_claims(&mut self, prefix: Vec<u8>) -> Result<()> {
        let claims: Vec<Vec<u8>> = self
            .scan_prefix(prefix)
            .map(|e| e.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for key in claims {
            let source = trailing_source(&key)?;
            if source != UNSOURCED {
                let el = key.get(1..).and_then(Element::parse);
                let token = key.get(10..14).and_then(keys::be_u32);
                if let Some((el, token)) = el.zip(token) {
                    self.remove(by_source_property(source, el, token));
                }
            }
            self.remove(key);
        }
        Ok(())
    }

    // ---- withdrawal

    /// Withdraws what the source being loaded asserted before and did not assert again
    /// in this load.
    pub fn withdraw_unrepeated(&mut self) -> Result<Withdrawn> {
        let Some(writer) = self.provenance.writer else {
            return Ok(Withdrawn::default());
        };
        self.withdraw(writer.source, Some(writer.seq))
    }

    /// Withdraws everything source `name` asserts and forgets the source.
    pub fn retract_source(&mut self, name: &str) -> Result<Withdrawn> {
        self.provenance.named = Some(name.to_string());
        let Some((id, _)) = self.source_by_name(name)? else {
            let known: Vec<String> = self
                .source_records()?
                .into_iter()
                .map(|(_, r)| r.name)
                .collect();
            return Err(Error::new(
                ErrorClass::ProcedureError,
                "UnknownSource",
                if known.is_empty() {
                    format!(
                        "there is no source named '{name}': nothing has been loaded with a source"
                    )
                } else {
                    format!(
                        "there is no source named '{name}'; the sources are: {}",
                        known.join(", ")
                    )
                },
            ));
        };
        let withdrawn = self.withdraw(id, None)?;
        self.remove(source_key(id));
        Ok(withdrawn)
    }

    /// Withdraws the assertions of `source`, all of them or (`keep`) those not made in
    /// the load with that sequence number.
    fn withdraw(&mut self, source: SourceId, keep: Option<u64>) -> Result<Withdrawn> {
        let mut properties = Vec::new();
        let mut rels = Vec::new();
        let mut nodes = Vec::new();
        let mut kept_keys = Vec::new();
        // Elements this load only refers to: kept only if someone says they exist.
        let mut referred = Vec::new();
        for entry in self.scan_prefix(by_source_prefix(source)) {
            let (key, _) = entry?;
            let (el, property) = parse_by_source(&key)?;
            if let Some(seq) = keep {
                let own = match property {
                    Some(token) => self.get(&claim_key(el, token, source))?,
                    None => self.get(&assert_key(el, source))?,
                };
                let made_now = match (own, property) {
                    (Some(bytes), Some(_)) => codec::decode_record::<Claim>(&bytes)?.seq == seq,
                    (Some(bytes), None) => {
                        let a: Assertion = codec::decode_record(&bytes)?;
                        if a.seq == seq && !a.exists {
                            referred.push(el);
                        }
                        a.seq == seq
                    }
                    (None, _) => false,
                };
                if made_now {
                    if self.provenance.previous.contains(&key) {
                        kept_keys.push(key);
                    }
                    continue;
                }
            }
            match (el, property) {
                (_, Some(token)) => properties.push((el, token)),
                (Element::Relationship(_), None) => rels.push(el),
                (Element::Node(_), None) => nodes.push(el),
            }
        }
        let paused = std::mem::replace(&mut self.provenance.paused, true);
        let result = self
            .withdraw_all(source, &properties, &rels, &nodes, &referred)
            .and_then(|mut done| {
                done.stale_sources = self.mark_stale(source)?;
                Ok(done)
            });
        self.provenance.paused = paused;
        // What was made again and still stands (deletions may have taken some).
        let mut kept = 0;
        for key in kept_keys {
            kept += u64::from(self.get(&key)?.is_some());
        }
        self.provenance.kept = kept;
        result
    }

    /// Marks the sources (other than `source`) that lost facts in the withdrawal just
    /// made as needing a full load next time; returns their names.
    fn mark_stale(&mut self, source: SourceId) -> Result<Vec<String>> {
        let lost = std::mem::take(&mut self.provenance.lost_facts);
        let mut names = Vec::new();
        for (id, mut record) in self.source_records()? {
            if id != source && lost.contains(&id) {
                names.push(record.name.clone());
                record.stale = true;
                self.put(source_key(id), codec::encode_record(&record)?);
            }
        }
        Ok(names)
    }

    fn withdraw_all(
        &mut self,
        source: SourceId,
        properties: &[(Element, Token)],
        rels: &[Element],
        nodes: &[Element],
        referred: &[Element],
    ) -> Result<Withdrawn> {
        // Elements first: the properties of one that goes are not counted apart.
        let mut done = Withdrawn::default();
        for &el in rels.iter().chain(nodes) {
            done.assertions += 1;
            self.remove(assert_key(el, source));
            self.remove(by_source_element(source, el));
            if !self.is_kept(el)? {
                self.delete_unkept(el, &mut done)?;
            }
        }
        for &el in referred {
            if !self.is_kept(el)? {
                self.delete_unkept(el, &mut done)?;
            }
        }
        for &(el, token) in properties {
            done.assertions += 1;
            self.remove(claim_key(el, token, source));
            self.remove(by_source_property(source, el, token));
            self.settle_property(el, token, &mut done)?;
        }
        Ok(done)
    }

    /// Gives property `token` of `el` the value of its newest remaining claim, or
    /// removes it when none is left.
    fn settle_property(&mut self, el: Element, token: Token, done: &mut Withdrawn) -> Result<()> {
        let mut newest: Option<Claim> = None;
        for entry in self.scan_prefix(claim_key_prefix(el, token)) {
            let (_, bytes) = entry?;
            let claim: Claim = codec::decode_record(&bytes)?;
            if newest.as_ref().is_none_or(|n| claim.seq > n.seq) {
                newest = Some(claim);
            }
        }
        let key = self.token_name(TokenKind::PropertyKey, token)?.to_string();
        let value = newest.map(|c| codec::from_stored(&c.value)).transpose()?;
        let current = match el {
            Element::Node(id) => {
                if !self.node_exists(id)? {
                    return Ok(());
                }
                self.node_property(id, &key)?
            }
            Element::Relationship(id) => {
                if self.relationship(id)?.is_none() {
                    return Ok(());
                }
                self.rel_property(id, &key)?
            }
        };
        let unchanged = match (&current, &value) {
            (Some(a), Some(b)) => a.equals(b) == Some(true) && a.type_name() == b.type_name(),
            (None, None) => true,
            _ => false,
        };
        if unchanged {
            return Ok(());
        }
        if value.is_none() {
            done.properties_removed += 1;
        } else {
            done.properties_reverted += 1;
        }
        match el {
            Element::Node(id) => self.set_node_property(id, &key, value)?,
            Element::Relationship(id) => self.set_rel_property(id, &key, value)?,
        };
        Ok(())
    }

    /// Deletes an element no one says exists any more (a node with its relationships).
    fn delete_unkept(&mut self, el: Element, done: &mut Withdrawn) -> Result<()> {
        match el {
            Element::Relationship(id) => {
                if self.relationship(id)?.is_some() {
                    self.delete_relationship(id)?;
                    done.relationships_deleted += 1;
                }
            }
            Element::Node(id) => {
                if !self.node_exists(id)? {
                    return Ok(());
                }
                let rels: Vec<RelId> = self
                    .expand(id, super::Dir::Both, &[])
                    .map(|e| e.map(|edge| edge.rel))
                    .collect::<Result<_>>()?;
                for rel in rels {
                    if self.relationship(rel)?.is_some() {
                        self.delete_relationship(rel)?;
                        done.relationships_deleted += 1;
                    }
                }
                self.delete_node(id)?;
                done.nodes_deleted += 1;
            }
        }
        Ok(())
    }

    // ---- export and restore

    /// Every assertion and claim of `el`, as stored.
    pub fn provenance_records(&self, el: Element) -> Result<Vec<ProvenanceRecord>> {
        if !self.records_provenance() {
            return Ok(Vec::new());
        }
        let names = self.source_records()?;
        let name_of = |source: SourceId| {
            names
                .iter()
                .find(|(id, _)| *id == source)
                .map(|(_, r)| r.name.clone())
        };
        let mut out = Vec::new();
        for entry in self.scan_prefix(assert_prefix(el)) {
            let (key, bytes) = entry?;
            let a: Assertion = codec::decode_record(&bytes)?;
            out.push(ProvenanceRecord {
                key: None,
                source: name_of(trailing_source(&key)?),
                line: a.line,
                seq: a.seq,
                value: None,
                exists: Some(a.exists),
            });
        }
        for entry in self.scan_prefix(claim_prefix(el)) {
            let (key, bytes) = entry?;
            let c: Claim = codec::decode_record(&bytes)?;
            let token = key
                .get(10..14)
                .and_then(keys::be_u32)
                .ok_or_else(|| codec::corrupt("a claim key is malformed"))?;
            out.push(ProvenanceRecord {
                key: Some(self.token_name(TokenKind::PropertyKey, token)?.to_string()),
                source: name_of(trailing_source(&key)?),
                line: c.line,
                seq: c.seq,
                value: Some(codec::from_stored(&c.value)?),
                exists: None,
            });
        }
        Ok(out)
    }

    /// Recreates source `name` as an export recorded it.
    pub fn restore_source(
        &mut self,
        name: &str,
        sha256: Option<&str>,
        loaded_at_micros: i64,
        seq: u64,
    ) -> Result<()> {
        if let Some(writer) = self.provenance.writer.take() {
            // A script that restores sources (an export) is loaded as a file: it is not
            // a source itself, so what it asserted so far is forgotten (not withdrawn:
            // the graph stays) and it goes on unsourced.
            self.forget_source(writer.source)?;
        }
        let records = self.source_records()?;
        let id = match records.iter().find(|(_, r)| r.name == name) {
            Some((id, _)) => *id,
            None => records.iter().map(|(id, _)| *id).max().unwrap_or(UNSOURCED) + 1,
        };
        let record = SourceRecord {
            name: name.to_string(),
            sha256: sha256.map(str::to_string),
            loaded_at_micros,
            seq,
            stale: false,
        };
        self.put(source_key(id), codec::encode_record(&record)?);
        let key = keys::meta(keys::META_LOAD_SEQ);
        let last = match self.get(&key)? {
            Some(bytes) => codec::decode_u64(&bytes)?,
            None => 0,
        };
        self.put(key, codec::encode_u64(last.max(seq)));
        self.provenance.tracked = true;
        Ok(())
    }

    /// Drops every record of `source` and the source itself, leaving the graph as it is.
    fn forget_source(&mut self, source: SourceId) -> Result<()> {
        let rows: Vec<Vec<u8>> = self
            .scan_prefix(by_source_prefix(source))
            .map(|e| e.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for key in rows {
            match parse_by_source(&key)? {
                (el, Some(token)) => self.remove(claim_key(el, token, source)),
                (el, None) => self.remove(assert_key(el, source)),
            }
            self.remove(key);
        }
        self.remove(source_key(source));
        Ok(())
    }

    /// Recreates the assertions and claims of `el` as an export recorded them; every
    /// source they name must have been restored first.
    pub fn restore_provenance(&mut self, el: Element, records: &[ProvenanceRecord]) -> Result<()> {
        let names = self.source_records()?;
        for record in records {
            let source = match &record.source {
                None => UNSOURCED,
                Some(name) => names
                    .iter()
                    .find(|(_, r)| &r.name == name)
                    .map(|(id, _)| *id)
                    .ok_or_else(|| {
                        Error::new(
                            ErrorClass::ProcedureError,
                            "UnknownSource",
                            format!("there is no source named '{name}' to restore a claim of"),
                        )
                    })?,
            };
            match (&record.key, &record.value) {
                (None, _) => {
                    let a = Assertion {
                        line: record.line,
                        seq: record.seq,
                        exists: record.exists.unwrap_or(true),
                    };
                    self.put(assert_key(el, source), codec::encode_record(&a)?);
                    if source != UNSOURCED {
                        self.put(by_source_element(source, el), Vec::new());
                    }
                }
                (Some(key), Some(value)) => {
                    let token = self.tokens.intern(TokenKind::PropertyKey, key);
                    let c = Claim {
                        line: record.line,
                        seq: record.seq,
                        value: codec::to_stored(value)?,
                    };
                    self.put(claim_key(el, token, source), codec::encode_record(&c)?);
                    if source != UNSOURCED {
                        self.put(by_source_property(source, el, token), Vec::new());
                    }
                }
                (Some(key), None) => {
                    return Err(Error::argument(
                        "InvalidArgumentValue",
                        format!("a claim on '{key}' needs a value"),
                    ))
                }
            }
        }
        self.provenance.tracked = true;
        Ok(())
    }

    // ---- reading

    /// Every source, by name, with how many elements and property values it asserts.
    pub fn sources(&self) -> Result<Vec<SourceSummary>> {
        let mut all = Vec::new();
        for (id, record) in self.source_records()? {
            let mut summary = SourceSummary {
                name: record.name,
                sha256: record.sha256,
                loaded_at_micros: record.loaded_at_micros,
                nodes: 0,
                relationships: 0,
                properties: 0,
                seq: record.seq,
            };
            for entry in self.scan_prefix(by_source_prefix(id)) {
                let (key, _) = entry?;
                match parse_by_source(&key)? {
                    (_, Some(_)) => summary.properties += 1,
                    (Element::Node(_), None) => summary.nodes += 1,
                    (Element::Relationship(_), None) => summary.relationships += 1,
                }
            }
            all.push(summary);
        }
        all.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(all)
    }

    fn attribution(
        &self,
        names: &[(SourceId, SourceRecord)],
        source: SourceId,
        line: u32,
        value: Option<Value>,
    ) -> Attribution {
        let record = names.iter().find(|(id, _)| *id == source).map(|(_, r)| r);
        Attribution {
            source: record.map(|r| r.name.clone()),
            line: (line > 0).then_some(line),
            loaded_at_micros: record.map(|r| r.loaded_at_micros),
            value,
        }
    }

    /// The sources that assert `el`, by name (the unsourced writer is not a source).
    pub fn element_sources(&self, el: Element) -> Result<Vec<Attribution>> {
        if !self.records_provenance() {
            return Ok(Vec::new());
        }
        let names = self.source_records()?;
        let mut out = Vec::new();
        for entry in self.scan_prefix(assert_prefix(el)) {
            let (key, bytes) = entry?;
            let source = trailing_source(&key)?;
            if source == UNSOURCED {
                continue;
            }
            let assertion: Assertion = codec::decode_record(&bytes)?;
            out.push(self.attribution(&names, source, assertion.line, None));
        }
        out.sort_by(|a, b| a.source.cmp(&b.source));
        Ok(out)
    }

    /// Every claim on property `key` of `el`, most recent first, with the unsourced
    /// writer's (`source: None`).
    pub fn property_claims(&self, el: Element, key: &str) -> Result<Vec<Attribution>> {
        let Some(token) = self.token(TokenKind::PropertyKey, key) else {
            return Ok(Vec::new());
        };
        if !self.records_provenance() {
            return Ok(Vec::new());
        }
        let names = self.source_records()?;
        let mut claims = Vec::new();
        for entry in self.scan_prefix(claim_key_prefix(el, token)) {
            let (key, bytes) = entry?;
            let source = trailing_source(&key)?;
            let claim: Claim = codec::decode_record(&bytes)?;
            let value = codec::from_stored(&claim.value)?;
            claims.push((
                claim.seq,
                self.attribution(&names, source, claim.line, Some(value)),
            ));
        }
        claims.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.source.cmp(&b.1.source)));
        Ok(claims.into_iter().map(|(_, a)| a).collect())
    }

    /// Every property whose claims disagree on its value, in element and key order.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        if !self.records_provenance() {
            return Ok(Vec::new());
        }
        let mut out = Vec::new();
        let mut group: Option<(Element, Token)> = None;
        let mut values: Vec<StoredValue> = Vec::new();
        let mut flush = |group: Option<(Element, Token)>, values: &mut Vec<StoredValue>| {
            let disagree = values.windows(2).any(|w| w.first() != w.get(1));
            if let (Some(found), true) = (group, disagree) {
                out.push(found);
            }
            values.clear();
        };
        for entry in self.scan_prefix(vec![keys::CLAIM]) {
            let (key, bytes) = entry?;
            let el = key
                .get(1..)
                .and_then(Element::parse)
                .zip(key.get(10..14).and_then(keys::be_u32))
                .ok_or_else(|| codec::corrupt("a claim key is malformed"))?;
            if group != Some(el) {
                flush(group, &mut values);
                group = Some(el);
            }
            values.push(codec::decode_record::<Claim>(&bytes)?.value);
        }
        flush(group, &mut values);
        let found: Vec<(Element, Token)> = out;
        found
            .into_iter()
            .map(|(element, token)| {
                let key = self.token_name(TokenKind::PropertyKey, token)?.to_string();
                Ok(Conflict {
                    element,
                    claims: self.property_claims(element, &key)?,
                    key,
                })
            })
            .collect()
    }
}
