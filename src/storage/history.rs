//! History: every commit's number, time, source and counts, and what it changed, so that
//! the graph can be read exactly as any kept transaction left it (`AS OF`) and one
//! element's changes can be listed (`db.changes`).
//!
//! What a commit writes, in the same atomic batch as its data:
//! - `COMMIT tx`: the commit record (time in microseconds, never earlier than the last
//!   commit's; the source written under, if any; counts of what changed; the next ids)
//!   followed by the commit's undo list when it is short (one key per commit, not per
//!   key written: the engine's cost is per key). The last commit key is the clock.
//! - `UNDO tx part`: a long undo list, in parts of about `UNDO_PART_BYTES`. Each entry
//!   says what a key held before `tx` (absent, or its bytes), for every key the commit
//!   changed, except names (interned names only grow) and a node's or relationship's
//!   record: a record chunk holds 64 records, so saving the chunk would cost 64 records
//!   per change. For a record the entry is `chunk offset` with no value, and
//!   `CHANGE element tx` holds that one record as it was before `tx`.
//!
//! An index block or adjacency chunk (many entries under one key) changed in place is
//! saved as the entries the commit added and removed, not as the whole block.
//!
//! Reading as of T (`Txn::as_of`) merges the before-images of the commits after T over
//! the current state, the earliest commit after T winning for each key and record: the
//! cost is in proportion to what changed after T, and the current state is read as it
//! always is. `AS OF TRANSACTION 0` is the empty graph. `Txn::compact` drops the undo of
//! the transactions up to a point (keeping the commit records).
//!
//! A bulk import writes most of its keys in batches before its commit, all of them
//! keys that did not exist before it. By default it keeps only its counts, so after an
//! import into a store that held data the oldest readable transaction becomes the
//! import's. An import that keeps its full history (`EarlyUndo`) notes each of those
//! keys as absent in `UNDO tx part` writes that go out with the batches, ahead of the
//! commit's own undo; a record chunk it wrote whole is then saved as a whole (absent)
//! image, which wins over later commits' record entries in it.

use super::codec::{self, NodeRecord, RelRecord};
use super::keys;
use super::kv::{Batch, Bytes, Key, KvEngine, KvScan};
use super::overlay::Overlay;
use super::sources::Element;
use super::Txn;
use crate::error::{Error, ErrorClass, Result};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What one commit changed, counted from the records it wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub properties_set: u64,
    pub properties_removed: u64,
}

/// What a bulk import created: `[first, next)` of node and of relationship ids, and the
/// property values it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkIds {
    pub nodes: (u64, u64),
    pub relationships: (u64, u64),
    pub properties: u64,
}

/// How a bulk import commits: what it created, and its early undo when it keeps its
/// full history (without, the graph before it can no longer be read).
pub(super) struct BulkCommit {
    pub ids: BulkIds,
    pub early_undo: Option<EarlyUndo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct CommitRecord {
    time_micros: i64,
    source: Option<String>,
    counts: ChangeCounts,
    bulk: Option<BulkIds>,
    /// The next node and relationship ids after the commit: ids only grow, so the commit
    /// that created an element is found by halves.
    next_ids: (u64, u64),
}

/// One commit, as `db.history()` lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    pub tx: u64,
    pub time_micros: i64,
    pub source: Option<String>,
    pub counts: ChangeCounts,
}

/// One change to one node or relationship, as `db.changes()` lists it.
#[derive(Clone, Debug)]
pub struct ElementChange {
    pub tx: u64,
    pub time_micros: i64,
    pub source: Option<String>,
    /// `created`, `deleted`, `label_added`, `label_removed`, `property_set`,
    /// `property_removed`.
    pub change: &'static str,
    pub key: Option<String>,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// Which transactions `Txn::commits` lists.
#[derive(Clone, Debug, Default)]
pub struct CommitFilter {
    pub from_tx: Option<u64>,
    pub to_tx: Option<u64>,
    pub from_micros: Option<i64>,
    pub to_micros: Option<i64>,
    pub source: Option<String>,
}

/// The history state a store keeps in memory (see `Committed`).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Clock {
    pub last_tx: u64,
    pub last_micros: i64,
    pub oldest_tx: u64,
}

// ---- keys and values

fn commit_key(tx: u64) -> Key {
    let mut k = Vec::with_capacity(9);
    k.push(keys::COMMIT);
    k.extend_from_slice(&tx.to_be_bytes());
    k
}

fn undo_prefix(tx: u64) -> Key {
    let mut k = Vec::with_capacity(32);
    k.push(keys::UNDO);
    k.extend_from_slice(&tx.to_be_bytes());
    k
}

fn undo_part_key(tx: u64, part: u32) -> Key {
    let mut k = undo_prefix(tx);
    k.extend_from_slice(&part.to_be_bytes());
    k
}

/// About how many bytes of undo entries one `UNDO tx part` value holds.
const UNDO_PART_BYTES: usize = 1 << 20;

/// One entry of a commit's undo list: a key (or a record's `chunk offset`) and what it
/// held before the commit (empty for a record).
type UndoEntry = (Vec<u8>, Vec<u8>);

/// The `UNDO tx part` writes that hold `entries`, numbered from `first_part` on.
fn undo_parts(tx: u64, first_part: u32, entries: Vec<UndoEntry>) -> Result<Batch> {
    let mut out = Batch::new();
    let mut part: Vec<UndoEntry> = Vec::new();
    let mut bytes = 0;
    let flush = |part: &mut Vec<UndoEntry>, out: &mut Batch| -> Result<()> {
        let value = postcard::to_allocvec(&*part)
            .map_err(|e| Error::storage(format!("could not encode a commit's undo: {e}")))?;
        out.push((
            undo_part_key(tx, first_part + out.len() as u32),
            Some(value),
        ));
        part.clear();
        Ok(())
    };
    for entry in entries {
        bytes += entry.0.len() + entry.1.len() + 4;
        part.push(entry);
        if bytes >= UNDO_PART_BYTES {
            flush(&mut part, &mut out)?;
            bytes = 0;
        }
    }
    if !part.is_empty() {
        flush(&mut part, &mut out)?;
    }
    Ok(out)
}

/// The undo of a bulk import's intermediate batches, for an import that keeps its full
/// history: every key those batches write was absent before the import (see
/// `bulk.rs`), so each is noted as absent, and the list goes out in `UNDO tx part`
/// writes inside the batches as it grows (the import journal undoes them with the
/// rest). The commit's own undo follows in the parts after them.
pub(super) struct EarlyUndo {
    tx: u64,
    parts: u32,
    entries: Vec<UndoEntry>,
    bytes: usize,
}

impl EarlyUndo {
    /// The early undo of the import that will commit as `tx`.
    pub(super) fn new(tx: u64) -> EarlyUndo {
        EarlyUndo {
            tx,
            parts: 0,
            entries: Vec::new(),
            bytes: 0,
        }
    }

    /// Notes the keys of `batch` (written before the import commits) as absent before
    /// it, and adds a full part of the list to the batch.
    pub(super) fn note(&mut self, batch: &mut Batch) -> Result<()> {
        for (key, _) in batch.iter() {
            if unrecorded(key) {
                continue;
            }
            self.bytes += key.len() + 5;
            self.entries.push((key.clone(), encode_image(None)));
        }
        if self.bytes >= UNDO_PART_BYTES {
            let part = self.encode_part()?;
            batch.push(part);
        }
        Ok(())
    }

    fn encode_part(&mut self) -> Result<(Key, Option<Bytes>)> {
        let value = postcard::to_allocvec(&self.entries)
            .map_err(|e| Error::storage(format!("could not encode a commit's undo: {e}")))?;
        let key = undo_part_key(self.tx, self.parts);
        self.parts += 1;
        self.entries.clear();
        self.bytes = 0;
        Ok((key, Some(value)))
    }
}

/// Where the undo of a commit that never happened may lie: every `UNDO` key after the
/// last commit's (an unfinished bulk import's early undo).
pub(super) fn uncommitted_undo_start(engine: &dyn KvEngine) -> Result<Key> {
    let last_tx = match engine.last_key(&[keys::COMMIT])? {
        Some(key) => keys::trailing_id(&key).ok_or_else(|| codec::corrupt("a commit key"))?,
        None => 0,
    };
    Ok(undo_prefix(last_tx + 1))
}

/// The undo entries of the commits `from..to` (`to` `None`: to the last), oldest commit
/// first, each with its transaction.
fn undo_entries(
    engine: &dyn KvEngine,
    from: u64,
    to: Option<u64>,
) -> impl Iterator<Item = Result<(u64, UndoEntry)>> + '_ {
    let end = match to {
        Some(to) => commit_key(to),
        None => vec![keys::COMMIT + 1],
    };
    let decode = |bytes: &[u8]| -> Result<Vec<UndoEntry>> {
        postcard::from_bytes(bytes)
            .map_err(|e| codec::corrupt(&format!("a commit's undo does not decode: {e}")))
    };
    engine.scan(commit_key(from.max(1)), Some(end)).flat_map(
        move |commit| -> Vec<Result<(u64, UndoEntry)>> {
            let entries = commit.and_then(|(key, value)| {
                let tx = keys::trailing_id(&key).ok_or_else(|| codec::corrupt("a commit key"))?;
                let (_, place, inline) = split_commit(&value)?;
                let mut entries = Vec::new();
                match place {
                    UNDO_INLINE => entries = decode(inline)?,
                    UNDO_IN_PARTS => {
                        let prefix = undo_prefix(tx);
                        for part in engine.scan(prefix.clone(), keys::prefix_end(&prefix)) {
                            entries.extend(decode(&part?.1)?);
                        }
                    }
                    _ => {}
                }
                Ok(entries.into_iter().map(|e| Ok((tx, e))).collect::<Vec<_>>())
            });
            match entries {
                Ok(entries) => entries,
                Err(e) => vec![Err(e)],
            }
        },
    )
}

/// The element a record entry (`chunk offset`) of an undo list names.
fn record_entry(inner: &[u8]) -> Option<Element> {
    if inner.len() != 10 || !is_record_chunk(inner.get(..9)?) {
        return None;
    }
    let (chunk, offset) = inner.split_at(9);
    element_of_record(chunk, *offset.first()?)
}

fn change_prefix(el: Element) -> Key {
    let mut k = Vec::with_capacity(18);
    k.push(keys::CHANGE);
    k.push(el.kind());
    k.extend_from_slice(&el.id().to_be_bytes());
    k
}

fn change_key(el: Element, tx: u64) -> Key {
    let mut k = change_prefix(el);
    k.extend_from_slice(&tx.to_be_bytes());
    k
}

fn encode_image(image: Option<&[u8]>) -> Bytes {
    match image {
        None => vec![0],
        Some(bytes) => {
            let mut out = Vec::with_capacity(bytes.len() + 1);
            out.push(1);
            out.extend_from_slice(bytes);
            out
        }
    }
}

fn decode_image(bytes: &[u8]) -> Result<Option<Bytes>> {
    match decode_undo(bytes)? {
        Undo::Image(image) => Ok(image),
        Undo::Entries(_) => Err(codec::corrupt("a record's before-image is malformed")),
    }
}

/// What an index block's commit added and removed.
#[derive(Debug, Default, Serialize, Deserialize)]
struct EntryDiff {
    added: Vec<Vec<u8>>,
    removed: Vec<Vec<u8>>,
}

/// What `UNDO tx key` says about `key` before `tx`.
enum Undo {
    /// Its whole value (`None`: absent).
    Image(Option<Bytes>),
    /// The index entries `tx` changed in it.
    Entries(EntryDiff),
}

const UNDO_ENTRIES: u8 = 2;

fn decode_undo(bytes: &[u8]) -> Result<Undo> {
    match bytes.split_first() {
        Some((0, _)) => Ok(Undo::Image(None)),
        Some((1, rest)) => Ok(Undo::Image(Some(rest.to_vec()))),
        Some((&UNDO_ENTRIES, rest)) => {
            Ok(Undo::Entries(postcard::from_bytes(rest).map_err(|e| {
                codec::corrupt(&format!("an index undo does not decode: {e}"))
            })?))
        }
        _ => Err(codec::corrupt("a history before-image is malformed")),
    }
}

/// The entries of a block of many entries under one key: an index block (entries in
/// byte order) or an adjacency chunk (fixed-size entries in relationship order).
fn block_entries(keyspace: u8, bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    if keyspace == keys::INDEX {
        return Ok(codec::decode_index_block(bytes)?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect());
    }
    let body = bytes.get(1..).unwrap_or_default();
    if body.len() % codec::ADJ_ENTRY_LEN != 0 {
        return Err(codec::corrupt("an adjacency chunk has a partial entry"));
    }
    Ok(body
        .chunks_exact(codec::ADJ_ENTRY_LEN)
        .map(<[u8]>::to_vec)
        .collect())
}

/// Where an entry goes in its block: by bytes in an index block; by relationship, then
/// direction, in an adjacency chunk (a self-loop's two entries, `OUT` first).
fn entry_order(keyspace: u8, entry: &[u8]) -> Vec<u8> {
    if keyspace == keys::INDEX {
        return entry.to_vec();
    }
    let mut order = entry.get(13..21).unwrap_or_default().to_vec();
    order.extend_from_slice(entry.get(..1).unwrap_or_default());
    order
}

/// A block of `entries` (in their order) as stored; `None` when there are none.
fn encode_block(keyspace: u8, entries: &[&[u8]]) -> Option<Bytes> {
    if entries.is_empty() {
        return None;
    }
    if keyspace == keys::INDEX {
        return Some(codec::encode_index_block(entries));
    }
    let mut out = Vec::with_capacity(1 + entries.len() * codec::ADJ_ENTRY_LEN);
    out.push(codec::RECORD_VERSION);
    for e in entries {
        out.extend_from_slice(e);
    }
    Some(out)
}

/// Whether history saves changes to keys of `keyspace` entry by entry.
fn is_block_keyspace(keyspace: Option<&u8>) -> bool {
    matches!(keyspace, Some(&(keys::INDEX | keys::ADJ)))
}

/// The undo of a block changed in place from `old` to `new`: the entries added and
/// removed, when that is smaller than the old block.
fn entry_undo(keyspace: u8, old: &[u8], new: &[u8]) -> Result<Option<Bytes>> {
    let diff = if keyspace == keys::ADJ && new.starts_with(old) {
        // The common change of an adjacency chunk: relationships appended.
        EntryDiff {
            added: block_entries(
                keyspace,
                &[
                    &[codec::RECORD_VERSION],
                    new.get(old.len()..).unwrap_or_default(),
                ]
                .concat(),
            )?,
            removed: Vec::new(),
        }
    } else if keyspace == keys::INDEX {
        sorted_diff(
            &codec::decode_index_block(old)?,
            &codec::decode_index_block(new)?,
        )
    } else {
        let before = block_entries(keyspace, old)?;
        let after = block_entries(keyspace, new)?;
        let before_set: std::collections::HashSet<&[u8]> =
            before.iter().map(Vec::as_slice).collect();
        let after_set: std::collections::HashSet<&[u8]> = after.iter().map(Vec::as_slice).collect();
        EntryDiff {
            added: after
                .iter()
                .filter(|e| !before_set.contains(e.as_slice()))
                .cloned()
                .collect(),
            removed: before
                .iter()
                .filter(|e| !after_set.contains(e.as_slice()))
                .cloned()
                .collect(),
        }
    };
    let mut out = vec![UNDO_ENTRIES];
    postcard::to_io(&diff, &mut out)
        .map_err(|e| Error::storage(format!("could not encode a block's undo: {e}")))?;
    Ok((out.len() < old.len()).then_some(out))
}

/// The difference of two sorted lists of entries, in one pass over both.
fn sorted_diff(before: &[&[u8]], after: &[&[u8]]) -> EntryDiff {
    let mut diff = EntryDiff::default();
    let (mut i, mut j) = (0, 0);
    loop {
        match (before.get(i), after.get(j)) {
            (Some(b), Some(a)) if b == a => {
                i += 1;
                j += 1;
            }
            (Some(b), Some(a)) if b < a => {
                diff.removed.push(b.to_vec());
                i += 1;
            }
            (_, Some(a)) => {
                diff.added.push(a.to_vec());
                j += 1;
            }
            (Some(b), None) => {
                diff.removed.push(b.to_vec());
                i += 1;
            }
            (None, None) => return diff,
        }
    }
}

/// Block `block` of `keyspace` (`None`: absent) with the changes of `diffs` (oldest
/// first) taken back.
fn unapply_entries(
    keyspace: u8,
    block: Option<&[u8]>,
    diffs: &[EntryDiff],
) -> Result<Option<Bytes>> {
    let mut entries: BTreeMap<Vec<u8>, Vec<u8>> = match block {
        Some(bytes) => block_entries(keyspace, bytes)?
            .into_iter()
            .map(|e| (entry_order(keyspace, &e), e))
            .collect(),
        None => BTreeMap::new(),
    };
    for diff in diffs.iter().rev() {
        for e in &diff.added {
            entries.remove(&entry_order(keyspace, e));
        }
        for e in &diff.removed {
            entries.insert(entry_order(keyspace, e), e.clone());
        }
    }
    let list: Vec<&[u8]> = entries.values().map(Vec::as_slice).collect();
    Ok(encode_block(keyspace, &list))
}

fn decode_commit(bytes: &[u8]) -> Result<CommitRecord> {
    codec::decode_record(split_commit(bytes)?.0)
}

/// Whether a commit record decodes (for `check`).
pub(super) fn check_commit(bytes: &[u8]) -> Result<()> {
    decode_commit(bytes).map(|_| ())
}

/// Whether `key` is a node or relationship record chunk.
fn is_record_chunk(key: &[u8]) -> bool {
    key.len() == 9 && matches!(key.first(), Some(&keys::NODE | &keys::REL))
}

fn element_of_record(chunk: &[u8], offset: u8) -> Option<Element> {
    let chunk_no = keys::be_u64(chunk.get(1..9)?)?;
    let id = keys::id_in_chunk(chunk_no, offset);
    match chunk.first() {
        Some(&keys::NODE) => Some(Element::Node(id)),
        Some(&keys::REL) => Some(Element::Relationship(id)),
        _ => None,
    }
}

fn chunk_key_of(el: Element) -> Key {
    match el {
        Element::Node(id) => keys::node_chunk(id),
        Element::Relationship(id) => keys::rel_chunk(id),
    }
}

fn apart_key_of(el: Element) -> Key {
    match el {
        Element::Node(id) => keys::record_apart(keys::NODE_APART, id),
        Element::Relationship(id) => keys::record_apart(keys::REL_APART, id),
    }
}

/// Keys whose changes history does not keep: names and the next ids (they only grow;
/// a commit that only handed out ids, its elements gone again, gets no number), the
/// history itself, records kept apart (part of their element's record) and the clock.
fn unrecorded(key: &[u8]) -> bool {
    match key.first() {
        Some(&(keys::TOKEN | keys::TOKEN_NAME | keys::COMMIT | keys::UNDO | keys::CHANGE)) => true,
        Some(&(keys::NODE_APART | keys::REL_APART)) => true,
        Some(&keys::META) => matches!(
            key.get(1),
            Some(
                &(keys::META_OLDEST_TX
                    | keys::META_IMPORT
                    | keys::META_NEXT_NODE
                    | keys::META_NEXT_REL)
            )
        ),
        _ => false,
    }
}

/// The whole record of `el` in a chunk's bytes, its entry resolved through the record
/// kept apart (read with `apart`).
fn resolve_record(
    chunk: Option<&[u8]>,
    el: Element,
    apart: impl FnOnce(&[u8]) -> Result<Option<Bytes>>,
) -> Result<Option<Bytes>> {
    let Some(chunk) = chunk else {
        return Ok(None);
    };
    match codec::chunk_record(chunk, keys::chunk_offset(el.id()))? {
        None => Ok(None),
        Some(entry) if !entry.is_empty() => Ok(Some(entry.to_vec())),
        Some(_) => apart(&apart_key_of(el))?
            .map(Some)
            .ok_or_else(|| codec::corrupt("a record kept apart from its chunk is missing")),
    }
}

/// A record's labels (nodes only) and properties, by token.
struct Decoded {
    labels: Vec<keys::Token>,
    props: codec::StoredProps,
}

fn decode_element(el: Element, bytes: &[u8]) -> Result<Decoded> {
    Ok(match el {
        Element::Node(_) => {
            let NodeRecord { labels, props } = codec::decode_node(bytes)?;
            Decoded { labels, props }
        }
        Element::Relationship(_) => {
            let RelRecord { props, .. } = codec::decode_rel(bytes)?;
            Decoded {
                labels: Vec::new(),
                props,
            }
        }
    })
}

/// Adds to `counts` what changing `el` from `old` to `new` did.
fn count_change(
    counts: &mut ChangeCounts,
    el: Element,
    old: Option<&[u8]>,
    new: Option<&[u8]>,
) -> Result<()> {
    let node = matches!(el, Element::Node(_));
    let (old, new) = match (old, new) {
        (None, None) => return Ok(()),
        (None, Some(new)) => {
            if node {
                counts.nodes_created += 1;
            } else {
                counts.relationships_created += 1;
            }
            counts.properties_set += property_count(el, new)?;
            return Ok(());
        }
        (Some(_), None) => {
            if node {
                counts.nodes_deleted += 1;
            } else {
                counts.relationships_deleted += 1;
            }
            return Ok(());
        }
        (Some(old), Some(new)) => (decode_element(el, old)?, decode_element(el, new)?),
    };
    for (key, value) in &new.props {
        let before = old.props.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if before != Some(value) {
            counts.properties_set += 1;
        }
    }
    for (key, _) in &old.props {
        if !new.props.iter().any(|(k, _)| k == key) {
            counts.properties_removed += 1;
        }
    }
    Ok(())
}

/// How many properties a record has, read from the length before its property list
/// (nothing else is decoded: a commit creating many elements counts them all).
fn property_count(el: Element, bytes: &[u8]) -> Result<u64> {
    let malformed = |e: postcard::Error| codec::corrupt(&format!("a record does not decode: {e}"));
    let rest = match el {
        Element::Node(_) => {
            let body = bytes.get(1..).unwrap_or_default();
            postcard::take_from_bytes::<Vec<keys::Token>>(body)
                .map_err(malformed)?
                .1
        }
        Element::Relationship(_) => {
            postcard::take_from_bytes::<codec::RelHeader>(bytes)
                .map_err(malformed)?
                .1
        }
    };
    // The list's length, as postcard writes it (LEB128).
    let mut len = 0u64;
    for (i, byte) in rest.iter().take(10).enumerate() {
        len |= u64::from(byte & 0x7F) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok(len);
        }
    }
    Err(codec::corrupt(
        "a record's property list has a malformed length",
    ))
}

/// The history writes of commit `tx` whose data writes are `batch` (read against the
/// state before it in `engine`), and what the commit changed.
pub(super) fn record(engine: &dyn KvEngine, batch: &Batch, tx: u64) -> Result<Recorded> {
    let written: HashMap<&[u8], Option<&[u8]>> = batch
        .iter()
        .map(|(k, v)| (k.as_slice(), v.as_deref()))
        .collect();
    // The apart record of an element as the commit leaves it.
    let apart_after = |key: &[u8]| -> Result<Option<Bytes>> {
        match written.get(key) {
            Some(v) => Ok(v.map(<[u8]>::to_vec)),
            None => engine.get(key),
        }
    };
    let mut out = Batch::new();
    let mut undo: Vec<UndoEntry> = Vec::new();
    let mut counts = ChangeCounts::default();
    // Each changed element's whole record before and after the commit.
    let mut changed: Vec<(Element, Option<Bytes>, Option<Bytes>)> = Vec::new();
    // Elements whose record kept apart changed (their chunk entry may not have).
    let mut apart_changed: Vec<Element> = Vec::new();
    for (key, new) in batch {
        if is_record_chunk(key) {
            let old = engine.get(key)?;
            let old_entries = match &old {
                Some(bytes) => codec::chunk_records(bytes)?,
                None => Vec::new(),
            };
            let new_entries = match new {
                Some(bytes) => codec::chunk_records(bytes)?,
                None => Vec::new(),
            };
            let mut offsets: Vec<u8> = old_entries
                .iter()
                .chain(&new_entries)
                .map(|(o, _)| *o)
                .collect();
            offsets.sort_unstable();
            offsets.dedup();
            for offset in offsets {
                let before = old_entries.iter().find(|(o, _)| *o == offset).map(|e| e.1);
                let after = new_entries.iter().find(|(o, _)| *o == offset).map(|e| e.1);
                let Some(el) = element_of_record(key, offset) else {
                    continue;
                };
                // An empty entry stands for a record kept apart, which may change while
                // the entry stays the same: that case is the apart key's.
                if before == after {
                    continue;
                }
                let whole =
                    |entry: Option<&[u8]>, apart: &dyn Fn(&[u8]) -> Result<Option<Bytes>>| {
                        match entry {
                            None => Ok(None),
                            Some(e) if !e.is_empty() => Ok(Some(e.to_vec())),
                            Some(_) => apart(&apart_key_of(el))?.map(Some).ok_or_else(|| {
                                codec::corrupt("a record kept apart from its chunk is missing")
                            }),
                        }
                    };
                let old_record = whole(before, &|k| engine.get(k))?;
                let new_record = whole(after, &apart_after)?;
                changed.push((el, old_record, new_record));
            }
        } else if let (Some(&(keys::NODE_APART | keys::REL_APART)), Some(id)) =
            (key.first(), keys::trailing_id(key))
        {
            apart_changed.push(match key.first() {
                Some(&keys::NODE_APART) => Element::Node(id),
                _ => Element::Relationship(id),
            });
        } else if !unrecorded(key) {
            let old = engine.get(key)?;
            if old.as_deref() == new.as_deref() {
                continue;
            }
            let entries = match (key.first(), &old, new) {
                (Some(&ks), Some(old), Some(new)) if is_block_keyspace(Some(&ks)) => {
                    entry_undo(ks, old, new)?
                }
                _ => None,
            };
            undo.push((
                key.clone(),
                entries.unwrap_or_else(|| encode_image(old.as_deref())),
            ));
        }
    }
    // A record kept apart whose chunk entry stayed the same (empty before and after).
    for el in apart_changed {
        if changed.iter().any(|(e, _, _)| *e == el) {
            continue;
        }
        let chunk_key = chunk_key_of(el);
        let old_chunk = engine.get(&chunk_key)?;
        let old = resolve_record(old_chunk.as_deref(), el, |k| engine.get(k))?;
        let new_chunk = match written.get(chunk_key.as_slice()) {
            Some(v) => v.map(<[u8]>::to_vec),
            None => old_chunk.clone(),
        };
        let new = resolve_record(new_chunk.as_deref(), el, apart_after)?;
        changed.push((el, old, new));
    }
    for (el, old, new) in changed {
        if old == new {
            continue;
        }
        count_change(&mut counts, el, old.as_deref(), new.as_deref())?;
        let mut marker = chunk_key_of(el);
        marker.push(keys::chunk_offset(el.id()));
        match old {
            // A new element: the marker itself says it was absent.
            None => undo.push((marker, encode_image(None))),
            Some(old) => {
                undo.push((marker, Vec::new()));
                out.push((change_key(el, tx), Some(encode_image(Some(&old)))));
            }
        }
    }
    Ok(Recorded {
        changes: out,
        undo,
        counts,
    })
}

/// What `record` found a commit changed.
pub(super) struct Recorded {
    /// The `CHANGE` writes: records as they were before the commit.
    pub changes: Batch,
    /// The commit's undo list; empty when it changed nothing history keeps.
    undo: Vec<UndoEntry>,
    pub counts: ChangeCounts,
}

impl Recorded {
    /// Whether the commit changed anything history keeps (then it gets a number).
    pub fn changed(&self) -> bool {
        !self.undo.is_empty()
    }
}

/// An undo list this long or shorter is kept in the commit's own record: one key per
/// commit.
const INLINE_UNDO_BYTES: usize = 64 << 10;

/// Where a commit's undo list is, after its record in the `COMMIT tx` value.
const UNDO_IN_PARTS: u8 = 0;
const UNDO_INLINE: u8 = 1;
const UNDO_DROPPED: u8 = 2;

/// A commit value: the record's length (u32), the record, where its undo list is, and
/// the list itself when it is inline.
fn commit_value(record: &CommitRecord, place: u8, inline: &[u8]) -> Result<Bytes> {
    let header = codec::encode_record(record)?;
    let mut out = Vec::with_capacity(4 + header.len() + 1 + inline.len());
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.push(place);
    out.extend_from_slice(inline);
    Ok(out)
}

/// A commit value's record, where its undo list is and the inline list.
fn split_commit(bytes: &[u8]) -> Result<(&[u8], u8, &[u8])> {
    let malformed = || codec::corrupt("a commit record is malformed");
    let len = bytes
        .get(..4)
        .and_then(keys::be_u32)
        .ok_or_else(malformed)? as usize;
    let header = bytes.get(4..4 + len).ok_or_else(malformed)?;
    let place = *bytes.get(4 + len).ok_or_else(malformed)?;
    Ok((header, place, bytes.get(5 + len..).unwrap_or_default()))
}

/// The commit record of `tx` with its undo list (in the record when short, else in
/// `UNDO tx part` keys), as writes.
pub(super) fn commit_writes(
    tx: u64,
    time_micros: i64,
    source: Option<String>,
    recorded: Recorded,
    bulk: Option<BulkIds>,
    early: Option<EarlyUndo>,
    next_ids: (u64, u64),
) -> Result<Batch> {
    let Recorded {
        changes,
        mut undo,
        counts,
    } = recorded;
    // An import's early undo comes first: within one commit the first entry for a key
    // wins, and the early one says what the key held before the import.
    let mut first_part = 0;
    if let Some(early) = early {
        first_part = early.parts;
        let mut entries = early.entries;
        entries.append(&mut undo);
        undo = entries;
    }
    let record = CommitRecord {
        time_micros,
        source,
        counts,
        bulk,
        next_ids,
    };
    let mut out = changes;
    let inline_len: usize = undo.iter().map(|(k, v)| k.len() + v.len() + 4).sum();
    if first_part == 0 && inline_len <= INLINE_UNDO_BYTES {
        let inline = postcard::to_allocvec(&undo)
            .map_err(|e| Error::storage(format!("could not encode a commit's undo: {e}")))?;
        out.push((
            commit_key(tx),
            Some(commit_value(&record, UNDO_INLINE, &inline)?),
        ));
    } else {
        out.extend(undo_parts(tx, first_part, undo)?);
        out.push((
            commit_key(tx),
            Some(commit_value(&record, UNDO_IN_PARTS, &[])?),
        ));
    }
    Ok(out)
}

/// The clock as the store on `engine` left it.
pub(super) fn load_clock(engine: &dyn KvEngine) -> Result<Clock> {
    let counter = |sub: u8| -> Result<u64> {
        engine
            .get(&keys::meta(sub))?
            .map_or(Ok(0), |b| codec::decode_u64(&b))
    };
    let last_tx = match engine.last_key(&[keys::COMMIT])? {
        Some(key) => keys::trailing_id(&key).ok_or_else(|| codec::corrupt("a commit key"))?,
        None => 0,
    };
    let last_micros = match engine.get(&commit_key(last_tx))? {
        Some(bytes) if last_tx > 0 => decode_commit(&bytes)?.time_micros,
        _ => 0,
    };
    Ok(Clock {
        last_tx,
        last_micros,
        oldest_tx: counter(keys::META_OLDEST_TX)?,
    })
}

/// The before-images of every commit after `tx`, merged (the earliest commit after `tx`
/// wins), as the writes that turn the current state into the state `tx` left.
fn rewind(engine: &dyn KvEngine, tx: u64) -> Result<Overlay> {
    let mut images: BTreeMap<Key, Option<Bytes>> = BTreeMap::new();
    // Index blocks changed in place after `tx` and not yet settled by a whole image: the
    // changes, oldest first.
    let mut entry_diffs: BTreeMap<Key, Vec<EntryDiff>> = BTreeMap::new();
    let mut records: BTreeMap<Key, BTreeMap<u8, Option<Bytes>>> = BTreeMap::new();
    for entry in undo_entries(engine, tx.saturating_add(1), None) {
        let (at, (inner, value)) = entry?;
        let inner = inner.as_slice();
        if let Some(el) = record_entry(inner) {
            let (chunk, offset) = inner.split_at(9);
            let offset = offset.first().copied().unwrap_or_default();
            let slot = records.entry(chunk.to_vec()).or_default();
            if slot.contains_key(&offset) {
                continue;
            }
            let image = if value.is_empty() {
                let image = engine
                    .get(&change_key(el, at))?
                    .ok_or_else(|| codec::corrupt("a record's before-image is missing"))?;
                decode_image(&image)?
            } else {
                decode_image(&value)?
            };
            slot.insert(offset, image);
        } else if !images.contains_key(inner) {
            match decode_undo(&value)? {
                Undo::Entries(diff) => entry_diffs.entry(inner.to_vec()).or_default().push(diff),
                Undo::Image(image) => {
                    // The block as it was before this commit; the in-place changes made
                    // after `tx` and before this one are taken back from it.
                    let image = match entry_diffs.remove(inner) {
                        Some(diffs) => unapply_entries(
                            inner.first().copied().unwrap_or_default(),
                            image.as_deref(),
                            &diffs,
                        )?,
                        None => image,
                    };
                    images.insert(inner.to_vec(), image);
                }
            }
        }
    }
    for (key, diffs) in entry_diffs {
        let current = engine.get(&key)?;
        let keyspace = key.first().copied().unwrap_or_default();
        images.insert(key, unapply_entries(keyspace, current.as_deref(), &diffs)?);
    }
    for (chunk, overrides) in records {
        // A whole chunk's image comes only from an import that wrote the chunk new: it
        // was absent before, whatever later commits changed in it.
        if images.contains_key(&chunk) {
            continue;
        }
        let current = engine.get(&chunk)?;
        let mut entries: BTreeMap<u8, Vec<u8>> = match &current {
            Some(bytes) => codec::chunk_records(bytes)?
                .into_iter()
                .map(|(o, e)| (o, e.to_vec()))
                .collect(),
            None => BTreeMap::new(),
        };
        for (offset, image) in overrides {
            match image {
                Some(bytes) => entries.insert(offset, bytes),
                None => entries.remove(&offset),
            };
        }
        let value = (!entries.is_empty())
            .then(|| codec::encode_chunk(entries.iter().map(|(o, e)| (*o, e.as_slice()))));
        images.insert(chunk, value);
    }
    let mut overlay = Overlay::default();
    for (key, value) in images {
        overlay.put(key, value);
    }
    Ok(overlay)
}

/// The store's engine seen as an earlier transaction left it: the current data with
/// the before-images of later commits laid over it. Read-only.
pub(super) struct PastEngine<'s> {
    base: Option<&'s dyn KvEngine>,
    rewind: Overlay,
}

impl<'s> PastEngine<'s> {
    /// The state `tx` left on `engine`; transaction 0 is the empty graph.
    pub(super) fn new(engine: &'s dyn KvEngine, tx: u64) -> Result<PastEngine<'s>> {
        if tx == 0 {
            return Ok(PastEngine {
                base: None,
                rewind: Overlay::default(),
            });
        }
        Ok(PastEngine {
            base: Some(engine),
            rewind: rewind(engine, tx)?,
        })
    }
}

fn read_only() -> Error {
    Error::new(
        ErrorClass::TransactionError,
        "",
        "a reading of the past cannot write",
    )
}

impl KvEngine for PastEngine<'_> {
    fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        match self.rewind.get(key) {
            Some(v) => Ok(v.cloned()),
            None => match self.base {
                Some(base) => base.get(key),
                None => Ok(None),
            },
        }
    }

    fn scan(&self, start: Key, end: Option<Key>) -> KvScan<'_> {
        match self.base {
            Some(base) => {
                let scan = base.scan(start.clone(), end.clone());
                Box::new(self.rewind.merge(scan, &start, end.as_deref()))
            }
            None => Box::new(std::iter::empty()),
        }
    }

    /// Where the rewind changes no key under `prefix` (history's own keys, which it never
    /// rewinds), the store's answer is the past's.
    fn last_key(&self, prefix: &[u8]) -> Result<Option<Key>> {
        match self.base {
            Some(base) if !self.rewind.has_prefix(prefix) => base.last_key(prefix),
            Some(_) => {
                let mut last = None;
                for entry in self.scan(prefix.to_vec(), keys::prefix_end(prefix)) {
                    last = Some(entry?.0);
                }
                Ok(last)
            }
            None => Ok(None),
        }
    }

    fn apply(&self, _batch: Batch) -> Result<()> {
        Err(read_only())
    }

    fn flush(&self) -> Result<()> {
        Ok(())
    }

    fn size_on_disk(&self) -> Result<Option<u64>> {
        Ok(None)
    }
}

// ---- reading history

impl Txn<'_> {
    /// The last committed transaction's number (0 before the first commit).
    pub fn last_transaction(&self) -> u64 {
        self.clock.last_tx
    }

    /// The oldest transaction the graph can still be read as.
    pub fn oldest_readable_transaction(&self) -> u64 {
        self.clock.oldest_tx
    }

    /// Checks that the graph can be read as transaction `tx` left it.
    pub fn check_readable(&self, tx: i64) -> Result<u64> {
        let last = self.clock.last_tx;
        let Ok(tx) = u64::try_from(tx) else {
            return Err(Error::new(
                ErrorClass::ArgumentError,
                "InvalidArgument",
                format!("AS OF TRANSACTION needs a transaction number from 0 to {last}, not {tx}"),
            ));
        };
        if tx > last {
            return Err(Error::new(
                ErrorClass::ArgumentError,
                "InvalidArgument",
                format!("there is no transaction {tx}: the last commit is transaction {last}"),
            ));
        }
        if tx != 0 && tx < self.clock.oldest_tx {
            return Err(Error::new(
                ErrorClass::ArgumentError,
                "InvalidArgument",
                format!(
                    "the history before transaction {oldest} was compacted away (or written by a bulk import): the oldest transaction still readable is {oldest}",
                    oldest = self.clock.oldest_tx
                ),
            ));
        }
        Ok(tx)
    }

    /// The last transaction committed at or before `micros` (microseconds since the
    /// epoch); 0 when none was.
    pub fn transaction_at(&self, micros: i64) -> Result<u64> {
        self.last_commit_where(|record| record.time_micros <= micros)
    }

    /// The last commit whose record passes `test` (0 when none does), for a test that
    /// holds up to some commit and fails after it (commit times and next ids never
    /// decrease), searched by halves.
    fn last_commit_where(&self, test: impl Fn(&CommitRecord) -> bool) -> Result<u64> {
        let (mut low, mut high) = (0u64, self.clock.last_tx);
        while low < high {
            let mid = low + (high - low).div_ceil(2);
            let record = match self.engine().get(&commit_key(mid))? {
                Some(bytes) => decode_commit(&bytes)?,
                None => return Err(codec::corrupt("a commit record is missing")),
            };
            if test(&record) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        Ok(low)
    }

    /// The commit that created `el` (its id was handed out then), if history shows it.
    fn creator(&self, el: Element) -> Result<Option<u64>> {
        let id = el.id();
        let next = |record: &CommitRecord| match el {
            Element::Node(_) => record.next_ids.0,
            Element::Relationship(_) => record.next_ids.1,
        };
        // The last commit after which the id was still not handed out; the next made it.
        let before = self.last_commit_where(|record| next(record) <= id)?;
        let tx = before + 1;
        Ok((tx <= self.clock.last_tx && tx >= self.clock.oldest_tx).then_some(tx))
    }

    /// The commits `filter` selects, oldest first.
    pub fn commits(&self, filter: &CommitFilter) -> Result<Vec<Commit>> {
        let from = filter.from_tx.unwrap_or(1).max(1);
        // A reading of the past lists the commits made by then.
        let to = filter.to_tx.unwrap_or(u64::MAX).min(self.clock.last_tx);
        let end = Some(commit_key(to.saturating_add(1)));
        let mut out = Vec::new();
        for entry in self.engine().scan(commit_key(from), end) {
            let (key, bytes) = entry?;
            let tx = keys::trailing_id(&key).ok_or_else(|| codec::corrupt("a commit key"))?;
            let record = decode_commit(&bytes)?;
            if filter.from_micros.is_some_and(|t| record.time_micros < t)
                || filter.to_micros.is_some_and(|t| record.time_micros > t)
                || filter
                    .source
                    .as_ref()
                    .is_some_and(|s| record.source.as_deref() != Some(s.as_str()))
            {
                continue;
            }
            out.push(Commit {
                tx,
                time_micros: record.time_micros,
                source: record.source,
                counts: record.counts,
            });
        }
        Ok(out)
    }

    /// Every change to `el` that history keeps, oldest first.
    pub fn element_changes(&self, el: Element) -> Result<Vec<ElementChange>> {
        let engine = self.engine();
        let mut versions: Vec<(u64, Option<Bytes>)> = Vec::new();
        let prefix = change_prefix(el);
        for entry in engine.scan(prefix.clone(), keys::prefix_end(&prefix)) {
            let (key, value) = entry?;
            let tx = keys::trailing_id(&key).ok_or_else(|| codec::corrupt("a change key"))?;
            // A reading of the past lists what had happened by then.
            if tx > self.clock.last_tx {
                break;
            }
            versions.push((tx, decode_image(&value)?));
        }
        // A creation saves no before-image (there was none): its commit is the one that
        // handed out the id.
        if let Some(tx) = self.creator(el)? {
            if versions.first().is_none_or(|(first, _)| *first > tx) {
                versions.insert(0, (tx, None));
            }
        }
        let chunk = engine.get(&chunk_key_of(el))?;
        let current = resolve_record(chunk.as_deref(), el, |k| engine.get(k))?;
        let mut out = Vec::new();
        for (i, (tx, before)) in versions.iter().enumerate() {
            let after = match versions.get(i + 1) {
                Some((_, next_before)) => next_before.clone(),
                None => current.clone(),
            };
            let (time_micros, source) = match engine.get(&commit_key(*tx))? {
                Some(bytes) => {
                    let record = decode_commit(&bytes)?;
                    (record.time_micros, record.source)
                }
                None => (0, None),
            };
            let rows = self.diff_rows(el, before.as_deref(), after.as_deref())?;
            for (change, key, old, new) in rows {
                out.push(ElementChange {
                    tx: *tx,
                    time_micros,
                    source: source.clone(),
                    change,
                    key,
                    old,
                    new,
                });
            }
        }
        Ok(out)
    }

    /// The change rows from record `old` to record `new` of `el`.
    #[allow(clippy::type_complexity)]
    fn diff_rows(
        &self,
        el: Element,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<Vec<(&'static str, Option<String>, Option<Value>, Option<Value>)>> {
        let old = old.map(|b| decode_element(el, b)).transpose()?;
        let new = new.map(|b| decode_element(el, b)).transpose()?;
        let mut rows = Vec::new();
        match (&old, &new) {
            (None, None) => return Ok(rows),
            (None, Some(_)) => rows.push(("created", None, None, None)),
            (Some(_), None) => {
                rows.push(("deleted", None, None, None));
                return Ok(rows);
            }
            _ => {}
        }
        let empty = Decoded {
            labels: Vec::new(),
            props: Vec::new(),
        };
        let old = old.as_ref().unwrap_or(&empty);
        let new = new.as_ref().unwrap_or(&empty);
        for label in &new.labels {
            if !old.labels.contains(label) {
                let name = self.token_name(keys::TokenKind::Label, *label)?;
                rows.push(("label_added", Some(name.to_string()), None, None));
            }
        }
        for label in &old.labels {
            if !new.labels.contains(label) {
                let name = self.token_name(keys::TokenKind::Label, *label)?;
                rows.push(("label_removed", Some(name.to_string()), None, None));
            }
        }
        let value = |props: &codec::StoredProps, key: keys::Token| -> Result<Option<Value>> {
            props
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| codec::from_stored(v))
                .transpose()
        };
        for (key, stored) in &new.props {
            let before = old.props.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            if before != Some(stored) {
                let name = self.token_name(keys::TokenKind::PropertyKey, *key)?;
                rows.push((
                    "property_set",
                    Some(name.to_string()),
                    value(&old.props, *key)?,
                    Some(codec::from_stored(stored)?),
                ));
            }
        }
        for (key, _) in &old.props {
            if !new.props.iter().any(|(k, _)| k == key) {
                let name = self.token_name(keys::TokenKind::PropertyKey, *key)?;
                rows.push((
                    "property_removed",
                    Some(name.to_string()),
                    value(&old.props, *key)?,
                    None,
                ));
            }
        }
        Ok(rows)
    }

    /// Drops the history of the transactions before `before`: afterwards the graph can
    /// be read as `before` or later, and `element_changes` lists the changes made by
    /// `before` and later. Returns how many history keys went (0 when `before` is not
    /// past the oldest readable transaction).
    pub fn compact_history(&mut self, before: u64) -> Result<u64> {
        let before = before.min(self.clock.last_tx);
        if before <= self.clock.oldest_tx {
            return Ok(0);
        }
        let engine = self.engine();
        let mut gone = Batch::new();
        let end = before;
        for entry in undo_entries(engine, 1, Some(end)) {
            let (tx, (inner, _)) = entry?;
            if let Some(el) = record_entry(&inner) {
                gone.push((change_key(el, tx), None));
            }
        }
        for part in engine.scan(undo_prefix(1), Some(undo_prefix(end))) {
            gone.push((part?.0, None));
        }
        // The commit records stay (db.history lists every commit), without their undo.
        for commit in engine.scan(commit_key(1), Some(commit_key(end))) {
            let (key, value) = commit?;
            let (header, place, _) = split_commit(&value)?;
            if place != UNDO_DROPPED {
                let record: CommitRecord = codec::decode_record(header)?;
                gone.push((key, Some(commit_value(&record, UNDO_DROPPED, &[])?)));
            }
        }
        let count = gone.len() as u64;
        for (key, value) in gone {
            match value {
                Some(value) => self.put(key, value),
                None => self.remove(key),
            }
        }
        self.put(keys::meta(keys::META_OLDEST_TX), codec::encode_u64(before));
        self.clock.oldest_tx = before;
        Ok(count)
    }
}
