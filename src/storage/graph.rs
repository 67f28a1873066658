//! The property graph over the key-value engine: node and relationship records, the
//! adjacency entries (two per relationship, one under each end), the label index and the
//! exact counts per label and per relationship type. Every write goes to the transaction's
//! buffer; every read merges the buffer over the engine.
//!
//! Invariants kept by every write: a node record exists iff its id is a node; for each
//! label of a node there is one label entry and the label's count includes it; for each
//! relationship there is one record (in its id's chunk), one `OUT` pair under its start
//! and one `IN` entry under its end (a self-loop has both under the same node); a node's
//! adjacency entries, of both directions and every type, live in its chunks ordered by
//! relationship id, and no chunk is empty; a node with adjacency chunks is never deleted.

use super::cache::SharedIds;
use super::codec::{self, AdjEntry, NodeData, NodeRecord, RelHeader, RelRecord, StoredProps};
use super::keys::{self, Token, TokenKind, DIR_IN, DIR_OUT};
use super::kv::{Bytes, Key};
use super::sources::Element;
use super::{Dir, Edge, RelInfo, Scan, Txn};
use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, PropertyMap, RelId, Value};
use std::sync::Arc;

fn deleted(what: &str, id: u64) -> Error {
    Error::new(
        ErrorClass::EntityNotFound,
        "DeletedEntityAccess",
        format!("{what} {id} does not exist (it was deleted or never created)"),
    )
}

/// Entries per adjacency chunk: big enough that a hub's list is few keys, small enough
/// that appending to the open chunk rewrites little.
pub(super) const ADJ_CHUNK_CAP: usize = 128;

/// Records whose encoding is longer than this are kept under a key of their own
/// (`keys::record_apart`), with an empty entry in their chunk: writing a record copies
/// its chunk, which must not carry a neighbour's megabytes.
pub(super) const APART_BYTES: usize = 4096;

/// The two kinds of records kept in chunks.
#[derive(Clone, Copy)]
enum Records {
    Nodes,
    Relationships,
}

impl Records {
    fn chunk_key(self, id: u64) -> Key {
        match self {
            Records::Nodes => keys::node_chunk(id),
            Records::Relationships => keys::rel_chunk(id),
        }
    }

    fn apart_key(self, id: u64) -> Key {
        match self {
            Records::Nodes => keys::record_apart(keys::NODE_APART, id),
            Records::Relationships => keys::record_apart(keys::REL_APART, id),
        }
    }

    /// The bytes of record `id`, whose entry in its chunk is `entry`: the entry itself,
    /// or (an empty entry) the record kept apart, read with `get`.
    fn resolve<'e>(
        self,
        id: u64,
        entry: &'e [u8],
        get: impl FnOnce(&[u8]) -> Result<Option<Bytes>>,
    ) -> Result<std::borrow::Cow<'e, [u8]>> {
        if !entry.is_empty() {
            return Ok(std::borrow::Cow::Borrowed(entry));
        }
        let apart = get(&self.apart_key(id))?
            .ok_or_else(|| codec::corrupt("a record kept apart from its chunk is missing"))?;
        Ok(std::borrow::Cow::Owned(apart))
    }
}

/// Labels resolved to tokens once (`Txn::resolve_labels`); a token keeps its meaning
/// for the life of the store.
#[derive(Clone, Debug)]
pub struct LabelSet(Vec<Token>);

/// The relationship types an expansion follows, resolved to tokens once
/// (`Txn::resolve_types`): `None` for every type; names never used match nothing.
#[derive(Clone, Debug)]
pub struct TypeSet {
    tokens: Option<Vec<Token>>,
    /// Whether every name had a token (else a later write may create one).
    complete: bool,
}

impl TypeSet {
    /// Whether the set can be kept for a whole statement: every name had a token.
    pub fn is_complete(&self) -> bool {
        self.complete
    }
}

/// The value of property `key` in a stored property list (sorted by key token).
fn prop_of(props: &StoredProps, key: Token) -> Result<Option<Value>> {
    match props.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) => props.get(i).map(|(_, v)| codec::from_stored(v)).transpose(),
        Err(_) => Ok(None),
    }
}

/// The entries of type `token` in an adjacency list sorted by type.
fn type_run(list: &[(Token, NodeId, RelId)], token: Token) -> &[(Token, NodeId, RelId)] {
    let from = list.partition_point(|(t, _, _)| *t < token);
    let to = list.partition_point(|(t, _, _)| *t <= token);
    list.get(from..to).unwrap_or_default()
}

fn unknown_token(kind: TokenKind, token: Token) -> Error {
    codec::corrupt(&format!("{kind:?} token {token} has no name"))
}

impl<'s> Txn<'s> {
    // ---- raw access through the buffer

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Bytes>> {
        match self.overlay.get(key) {
            Some(v) => Ok(v.cloned()),
            None => self.engine().get(key),
        }
    }

    pub(super) fn put(&mut self, key: Key, value: Bytes) {
        self.overlay.put(key, Some(value));
    }

    pub(super) fn remove(&mut self, key: Key) {
        self.overlay.put(key, None);
    }

    /// Every `(key, value)` whose key starts with `prefix`, in key order.
    pub(super) fn scan_prefix(
        &self,
        prefix: Key,
    ) -> impl Iterator<Item = Result<(Key, Bytes)>> + '_ {
        let end = keys::prefix_end(&prefix);
        let base = self.engine().scan(prefix.clone(), end.clone());
        self.overlay.merge(base, &prefix, end.as_deref())
    }

    /// Every `(key, value)` with `start <= key < end` in key order: as committed, or as
    /// this transaction sees them.
    pub(super) fn scan_range(
        &self,
        start: Key,
        end: Option<Key>,
        committed: bool,
    ) -> Box<dyn Iterator<Item = Result<(Key, Bytes)>> + '_> {
        let base = self.engine().scan(start.clone(), end.clone());
        if committed {
            return base;
        }
        Box::new(self.overlay.merge(base, &start, end.as_deref()))
    }

    fn has_any_with_prefix(&self, prefix: Key) -> Result<bool> {
        self.scan_prefix(prefix)
            .next()
            .transpose()
            .map(|e| e.is_some())
    }

    /// A count as this transaction sees it (committed counts come from the cache).
    pub(super) fn read_count(&self, key: &[u8]) -> Result<u64> {
        if let Some(buffered) = self.overlay.get(key) {
            return buffered.map_or(Ok(0), |bytes| codec::decode_u64(bytes));
        }
        if let Some(n) = self.cache.count(key) {
            return Ok(n);
        }
        let n = match self.engine().get(key)? {
            Some(bytes) => codec::decode_u64(&bytes)?,
            None => 0,
        };
        self.cache.insert_count(key, n);
        Ok(n)
    }

    fn add_to_count(&mut self, key: Key, delta: i64) -> Result<()> {
        let now = self.read_count(&key)?;
        let next = now
            .checked_add_signed(delta)
            .ok_or_else(|| codec::corrupt("a count would become negative"))?;
        if next == 0 {
            self.remove(key);
        } else {
            self.put(key, codec::encode_u64(next));
        }
        Ok(())
    }

    pub(super) fn token(&self, kind: TokenKind, name: &str) -> Option<Token> {
        self.tokens.get(kind, name)
    }

    pub(super) fn token_name(&self, kind: TokenKind, token: Token) -> Result<&str> {
        self.tokens
            .name(kind, token)
            .ok_or_else(|| unknown_token(kind, token))
    }

    /// The shared name of relationship type `token`.
    fn rel_type_name(&self, token: Token) -> Result<Arc<str>> {
        self.tokens
            .shared_name(TokenKind::RelType, token)
            .ok_or_else(|| unknown_token(TokenKind::RelType, token))
    }

    /// Looks at node `id` as this transaction sees it: from its own buffer when it wrote
    /// the node, otherwise from the store's cache of committed nodes (filled from the
    /// engine on a miss). `None` when there is no such node.
    fn view_node<T>(
        &self,
        id: NodeId,
        look: impl FnOnce(Option<&NodeData>) -> Result<T>,
    ) -> Result<T> {
        if self.wrote_node(id) {
            return match self.record(Records::Nodes, id)? {
                Some(bytes) => look(Some(&NodeData::decode(&bytes)?)),
                None => look(None),
            };
        }
        if let Some(node) = self.cache.node(id) {
            return look(Some(&node));
        }
        let offset = keys::chunk_offset(id);
        let Some(chunk) = self.engine().get(&keys::node_chunk_array(id))? else {
            return look(None);
        };
        // The whole chunk is decoded into the cache: reads of one node are mostly
        // followed by reads of its neighbours in id order (scans).
        let chunk_no = id >> keys::CHUNK_BITS;
        let nodes = codec::chunk_records(&chunk)?
            .into_iter()
            .map(|(o, entry)| {
                let id = keys::id_in_chunk(chunk_no, o);
                let bytes = Records::Nodes.resolve(id, entry, |k| self.engine().get(k))?;
                Ok((o, NodeData::decode(&bytes)?))
            })
            .collect::<Result<Vec<_>>>()?;
        let seen = look(nodes.iter().find(|(o, _)| *o == offset).map(|(_, n)| n))?;
        for (o, node) in nodes {
            self.cache.insert_node(keys::id_in_chunk(chunk_no, o), node);
        }
        Ok(seen)
    }

    /// [`Txn::view_node`] for an existing node; `None` when there is none.
    fn with_node<T>(
        &self,
        id: NodeId,
        look: impl FnOnce(&NodeData) -> Result<T>,
    ) -> Result<Option<T>> {
        self.view_node(id, |node| node.map(look).transpose())
    }

    /// Node `id`'s record, to change it.
    pub(super) fn read_node(&self, id: NodeId) -> Result<Option<NodeRecord>> {
        self.with_node(id, NodeData::to_record)
    }

    /// Writes (`Some`) or removes (`None`) node `id`'s record in its chunk.
    fn write_node(&mut self, id: NodeId, record: Option<&NodeRecord>) -> Result<()> {
        let bytes = record.map(codec::encode_node).transpose()?;
        self.write_record(Records::Nodes, id, bytes)
    }

    /// Record `id` of `kind` as this transaction sees it, from its chunk or from its
    /// own key.
    fn record(&self, kind: Records, id: u64) -> Result<Option<Bytes>> {
        let Some(chunk) = self.get(&kind.chunk_key(id))? else {
            return Ok(None);
        };
        codec::chunk_record(&chunk, keys::chunk_offset(id))?
            .map(|entry| Ok(kind.resolve(id, entry, |k| self.get(k))?.into_owned()))
            .transpose()
    }

    /// Sets (`Some`) or removes (`None`) record `id` of `kind`: in its chunk, or under
    /// its own key when it is larger than `APART_BYTES` (an empty entry in the chunk
    /// says so).
    fn write_record(&mut self, kind: Records, id: u64, record: Option<Vec<u8>>) -> Result<()> {
        let key = kind.chunk_key(id);
        let offset = keys::chunk_offset(id);
        let chunk = self.get(&key)?;
        let was_apart = match &chunk {
            Some(chunk) => codec::chunk_record(chunk, offset)?.is_some_and(<[u8]>::is_empty),
            None => false,
        };
        let entry = match record {
            Some(bytes) if bytes.len() > APART_BYTES => {
                self.put(kind.apart_key(id), bytes);
                if was_apart {
                    return Ok(());
                }
                Some(Vec::new())
            }
            other => {
                if was_apart {
                    self.remove(kind.apart_key(id));
                }
                other
            }
        };
        match codec::chunk_with(chunk.as_deref(), offset, entry.as_deref())? {
            Some(chunk) => self.put(key, chunk),
            None => self.remove(key),
        }
        Ok(())
    }

    /// Decodes relationship `id`'s record bytes with `decode`, if it exists.
    fn with_rel<T>(&self, id: RelId, decode: impl FnOnce(&[u8]) -> Result<T>) -> Result<Option<T>> {
        self.record(Records::Relationships, id)?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    pub(super) fn read_rel(&self, id: RelId) -> Result<Option<RelRecord>> {
        self.with_rel(id, codec::decode_rel)
    }

    fn read_rel_header(&self, id: RelId) -> Result<Option<RelHeader>> {
        self.with_rel(id, codec::decode_rel_header)
    }

    /// Writes (`Some`) or removes (`None`) relationship `id`'s record in its chunk.
    fn write_rel(&mut self, id: RelId, record: Option<&RelRecord>) -> Result<()> {
        let bytes = record.map(codec::encode_rel).transpose()?;
        self.write_record(Records::Relationships, id, bytes)
    }

    /// Appends `entry` to `node`'s open adjacency chunk, sealing the chunk when it is
    /// full.
    fn add_adjacency(&mut self, node: NodeId, entry: AdjEntry) -> Result<()> {
        let tail_key = keys::adj_chunk(node, keys::ADJ_TAIL);
        let mut entries: Vec<AdjEntry> = match self.get(&tail_key)? {
            Some(bytes) => codec::adj_entries(&bytes)?.collect(),
            None => Vec::new(),
        };
        entries.push(entry);
        if entries.len() >= ADJ_CHUNK_CAP {
            self.remove(tail_key);
            let (_, _, _, rel) = entry;
            self.put(keys::adj_chunk(node, rel), codec::encode_adj(&entries));
        } else {
            self.put(tail_key, codec::encode_adj(&entries));
        }
        Ok(())
    }

    /// Removes the entry of relationship `rel` in direction `dir` from the chunk of
    /// `node` that holds it: the first chunk from `rel`'s bound on that has it.
    fn remove_adjacency(&mut self, node: NodeId, dir: u8, rel: RelId) -> Result<()> {
        let from = keys::adj_chunk(node, rel);
        let end = keys::prefix_end(&keys::adj_prefix_node(node));
        let base = self.engine().scan(from.clone(), end.clone());
        let mut found = None;
        for chunk in self.overlay.merge(base, &from, end.as_deref()) {
            let (key, bytes) = chunk?;
            let mut entries: Vec<AdjEntry> = codec::adj_entries(&bytes)?.collect();
            if let Some(at) = entries
                .iter()
                .position(|&(d, _, _, r)| d == dir && r == rel)
            {
                entries.remove(at);
                found = Some((key, entries));
                break;
            }
        }
        let Some((key, rest)) = found else {
            return Err(codec::corrupt(&format!(
                "relationship {rel} is missing from its node's adjacency"
            )));
        };
        if rest.is_empty() {
            self.remove(key);
        } else {
            self.put(key, codec::encode_adj(&rest));
        }
        Ok(())
    }

    fn props_to_map(&self, props: &StoredProps) -> Result<PropertyMap> {
        props
            .iter()
            .map(|(k, v)| {
                Ok((
                    self.token_name(TokenKind::PropertyKey, *k)?.to_string(),
                    codec::from_stored(v)?,
                ))
            })
            .collect()
    }

    /// Stored form of a property map: nulls are absent properties.
    pub(super) fn store_props(&mut self, props: PropertyMap) -> Result<StoredProps> {
        // A null is no property: its key is not even interned.
        let props = props
            .into_iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| (self.tokens.intern(TokenKind::PropertyKey, &key), value))
            .collect();
        stored_props(props)
    }

    /// Sets (`Some`) or removes (`None` or null) `key` in `props`; returns the old value.
    fn update_props(
        &mut self,
        props: &mut StoredProps,
        key: &str,
        value: Option<Value>,
    ) -> Result<Option<Value>> {
        let value = value.filter(|v| !v.is_null());
        let stored = value.as_ref().map(codec::to_stored).transpose()?;
        let token = match (&stored, self.token(TokenKind::PropertyKey, key)) {
            (_, Some(t)) => t,
            (None, None) => return Ok(None),
            (Some(_), None) => self.tokens.intern(TokenKind::PropertyKey, key),
        };
        let old = match (props.binary_search_by_key(&token, |(k, _)| *k), stored) {
            (Ok(i), Some(v)) => props
                .get_mut(i)
                .map(|slot| std::mem::replace(&mut slot.1, v)),
            (Ok(i), None) => Some(props.remove(i).1),
            (Err(i), Some(v)) => {
                props.insert(i, (token, v));
                None
            }
            (Err(_), None) => None,
        };
        old.as_ref().map(codec::from_stored).transpose()
    }

    /// Runs a write that makes several buffer writes so that, if it fails, none of
    /// them stays.
    fn atomically<T>(&mut self, write: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let savepoint = self.savepoint();
        let result = write(self);
        if result.is_err() {
            self.rollback_to(savepoint);
        }
        result
    }

    // ---- nodes

    pub fn create_node(&mut self, labels: &[String], props: PropertyMap) -> Result<NodeId> {
        self.atomically(|txn| txn.create_node_unguarded(labels, props))
    }

    fn create_node_unguarded(&mut self, labels: &[String], props: PropertyMap) -> Result<NodeId> {
        let id = self.next_node;
        self.next_node += 1;
        let mut label_tokens: Vec<Token> = labels
            .iter()
            .map(|l| self.tokens.intern(TokenKind::Label, l))
            .collect();
        label_tokens.sort_unstable();
        label_tokens.dedup();
        let record = NodeRecord {
            labels: label_tokens,
            props: self.store_props(props)?,
        };
        for &label in &record.labels {
            self.set_label_bit(label, id, true)?;
            self.add_to_count(keys::count(TokenKind::Label, label), 1)?;
        }
        self.add_to_count(keys::meta(keys::META_NODE_COUNT), 1)?;
        self.update_node_indexes(id, None, Some(&record))?;
        self.assert_created(Element::Node(id), &record.props)?;
        self.write_node(id, Some(&record))?;
        Ok(id)
    }

    pub fn node_exists(&self, id: NodeId) -> Result<bool> {
        Ok(self.with_node(id, |_| Ok(()))?.is_some() && self.shows_node(id)?)
    }

    pub fn node_labels(&self, id: NodeId) -> Result<Vec<String>> {
        let labels = self.with_node(id, |record| {
            record
                .labels
                .iter()
                .map(|t| Ok(self.token_name(TokenKind::Label, *t)?.to_string()))
                .collect()
        })?;
        Ok(labels.unwrap_or_default())
    }

    /// `labels` as the store's tokens, to test many nodes against (`node_has_labels`);
    /// `None` when one of them was never used, so that no node has it.
    pub fn resolve_labels(&self, labels: &[String]) -> Option<LabelSet> {
        let mut tokens = labels
            .iter()
            .map(|l| self.token(TokenKind::Label, l))
            .collect::<Option<Vec<Token>>>()?;
        tokens.sort_unstable();
        tokens.dedup();
        Some(LabelSet(tokens))
    }

    /// Whether node `id` has every label of `set`. Unless this transaction wrote the
    /// node, the labels' committed bitmaps answer (cached whole on first use).
    pub fn node_has_labels(&self, id: NodeId, set: &LabelSet) -> Result<bool> {
        if !self.wrote_node(id) && !set.0.is_empty() {
            for &label in &set.0 {
                if !self.committed_label(id, label)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        Ok(self
            .with_node(id, |record| {
                Ok(set.0.iter().all(|t| record.labels.binary_search(t).is_ok()))
            })?
            .unwrap_or(false))
    }

    /// Whether node `id` has `label` as committed, from the label's cached bitmap.
    fn committed_label(&self, id: NodeId, label: Token) -> Result<bool> {
        if let Some(has) = self.cache.has_label(id, label) {
            return Ok(has);
        }
        let prefix = keys::label_prefix(label);
        let end = keys::prefix_end(&prefix);
        let mut bits: Vec<u64> = Vec::new();
        for entry in self.engine().scan(prefix, end) {
            let (key, value) = entry?;
            let chunk = keys::trailing_id(&key)
                .and_then(|c| usize::try_from(c).ok())
                .ok_or_else(|| codec::corrupt("a label key is malformed"))?;
            if bits.len() <= chunk {
                bits.resize(chunk + 1, 0);
            }
            if let Some(word) = bits.get_mut(chunk) {
                *word = codec::decode_u64(&value)?;
            }
        }
        let word = bits
            .get((id >> keys::LABEL_CHUNK_BITS) as usize)
            .copied()
            .unwrap_or(0);
        self.cache.insert_label_bits(label, bits.into_boxed_slice());
        Ok(word & keys::label_bit(id) != 0)
    }

    pub fn node_has_label(&self, id: NodeId, label: &str) -> Result<bool> {
        let Some(token) = self.token(TokenKind::Label, label) else {
            return Ok(false);
        };
        Ok(self
            .with_node(id, |record| Ok(record.labels.binary_search(&token).is_ok()))?
            .unwrap_or(false))
    }

    pub fn node_property(&self, id: NodeId, key: &str) -> Result<Option<Value>> {
        let Some(token) = self.token(TokenKind::PropertyKey, key) else {
            return Ok(None);
        };
        self.with_node_property(id, token, |v| Ok(v.cloned()))
    }

    /// The token of property key `key`; `None` when no property ever had that key.
    pub fn property_key(&self, key: &str) -> Option<Token> {
        self.token(TokenKind::PropertyKey, key)
    }

    /// Hands `look` the value of property `key` of node `id` where it lies (`None` when
    /// the node lacks it or does not exist), copying nothing: committed values come from
    /// the cache's column of `key`, filled here on a miss.
    pub fn with_node_property<T>(
        &self,
        id: NodeId,
        key: Token,
        look: impl FnOnce(Option<&Value>) -> Result<T>,
    ) -> Result<T> {
        if self.wrote_node(id) {
            return self.view_node(id, |node| look(node.and_then(|n| n.property(key))));
        }
        if let Some(value) = self.cache.property(id, key) {
            return look(value.as_ref());
        }
        let value = self.view_node(id, |node| Ok(node.and_then(|n| n.property(key)).cloned()))?;
        self.cache.insert_property(id, key, value.clone());
        look(value.as_ref())
    }

    pub fn node_properties(&self, id: NodeId) -> Result<PropertyMap> {
        Ok(self
            .with_node(id, |node| {
                node.props
                    .iter()
                    .map(|(k, v)| {
                        Ok((
                            self.token_name(TokenKind::PropertyKey, *k)?.to_string(),
                            v.clone(),
                        ))
                    })
                    .collect()
            })?
            .unwrap_or_default())
    }

    /// `None` removes the property. Returns the previous value.
    pub fn set_node_property(
        &mut self,
        id: NodeId,
        key: &str,
        value: Option<Value>,
    ) -> Result<Option<Value>> {
        self.atomically(|txn| {
            let mut record = txn.read_node(id)?.ok_or_else(|| deleted("node", id))?;
            txn.note_set(Element::Node(id), key, value.as_ref())?;
            let before = (!txn.schema.is_empty()).then(|| record.clone());
            let old = txn.update_props(&mut record.props, key, value)?;
            txn.update_node_indexes(id, before.as_ref(), Some(&record))?;
            txn.write_node(id, Some(&record))?;
            Ok(old)
        })
    }

    /// Returns whether the label was newly added.
    pub fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool> {
        self.atomically(|txn| txn.add_label_unguarded(id, label))
    }

    fn add_label_unguarded(&mut self, id: NodeId, label: &str) -> Result<bool> {
        let mut record = self.read_node(id)?.ok_or_else(|| deleted("node", id))?;
        let token = self.tokens.intern(TokenKind::Label, label);
        let Err(at) = record.labels.binary_search(&token) else {
            return Ok(false);
        };
        let before = (!self.schema.is_empty()).then(|| record.clone());
        record.labels.insert(at, token);
        self.set_label_bit(token, id, true)?;
        self.add_to_count(keys::count(TokenKind::Label, token), 1)?;
        self.update_node_indexes(id, before.as_ref(), Some(&record))?;
        self.write_node(id, Some(&record))?;
        Ok(true)
    }

    /// Returns whether the label was there.
    pub fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool> {
        let Some(record) = self.read_node(id)? else {
            return Err(deleted("node", id));
        };
        let mut record = record;
        let Some(token) = self.token(TokenKind::Label, label) else {
            return Ok(false);
        };
        let Ok(at) = record.labels.binary_search(&token) else {
            return Ok(false);
        };
        let before = (!self.schema.is_empty()).then(|| record.clone());
        record.labels.remove(at);
        self.set_label_bit(token, id, false)?;
        self.add_to_count(keys::count(TokenKind::Label, token), -1)?;
        self.update_node_indexes(id, before.as_ref(), Some(&record))?;
        self.write_node(id, Some(&record))?;
        Ok(true)
    }

    /// Fails if the node still has relationships. Deleting a deleted node does nothing.
    pub fn delete_node(&mut self, id: NodeId) -> Result<()> {
        let Some(record) = self.read_node(id)? else {
            return Ok(());
        };
        if self.has_any_with_prefix(keys::adj_prefix_node(id))? {
            return Err(Error::new(
                ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                format!(
                    "cannot delete node {id} because it still has relationships; delete them first or use DETACH DELETE"
                ),
            ));
        }
        for &label in &record.labels {
            self.set_label_bit(label, id, false)?;
            self.add_to_count(keys::count(TokenKind::Label, label), -1)?;
        }
        self.add_to_count(keys::meta(keys::META_NODE_COUNT), -1)?;
        self.update_node_indexes(id, Some(&record), None)?;
        self.forget_element(Element::Node(id))?;
        self.write_node(id, None)
    }

    pub fn all_nodes(&self) -> Scan<'_, NodeId> {
        self.shown_nodes(self.stored_nodes())
    }

    /// Every node, whatever an instant hides.
    fn stored_nodes(&self) -> Scan<'_, NodeId> {
        Box::new(
            self.scan_prefix(vec![keys::NODE])
                .flat_map(|entry| -> Vec<Result<NodeId>> {
                    let ids = entry.and_then(|(key, chunk)| {
                        let chunk_no = keys::trailing_id(&key)
                            .ok_or_else(|| codec::corrupt("a node key is malformed"))?;
                        Ok(codec::chunk_records(&chunk)?
                            .into_iter()
                            .map(|(offset, _)| keys::id_in_chunk(chunk_no, offset))
                            .collect::<Vec<_>>())
                    });
                    match ids {
                        Ok(ids) => ids.into_iter().map(Ok).collect(),
                        Err(e) => vec![Err(e)],
                    }
                }),
        )
    }

    pub fn nodes_with_label(&self, label: &str) -> Scan<'_, NodeId> {
        match self.token(TokenKind::Label, label) {
            Some(token) => self.shown_nodes(self.label_nodes(token)),
            None => Box::new(std::iter::empty()),
        }
    }

    /// The nodes with label `token`, in id order.
    pub(super) fn label_nodes(&self, token: Token) -> Scan<'_, NodeId> {
        let prefix = keys::label_prefix(token);
        let collect = |committed: bool| {
            let mut ids = Vec::new();
            let end = keys::prefix_end(&prefix);
            for chunk in self.scan_range(prefix.clone(), end, committed) {
                let (key, bits) = chunk?;
                let chunk = keys::trailing_id(&key)
                    .ok_or_else(|| codec::corrupt("a label key is malformed"))?;
                ids.extend(keys::label_chunk_nodes(chunk, codec::decode_u64(&bits)?));
            }
            Ok(ids)
        };
        self.node_list(prefix.clone(), &prefix, collect)
    }

    /// A list of node ids that the cache keeps under `cache_key`: `collect(true)` reads
    /// it as committed (shared from the cache, and kept there), `collect(false)` through
    /// this transaction's writes, which it does when it wrote under `written`.
    pub(super) fn node_list(
        &self,
        cache_key: Vec<u8>,
        written: &[u8],
        collect: impl Fn(bool) -> Result<Vec<NodeId>>,
    ) -> Scan<'_, NodeId> {
        let shared = |ids: Arc<[NodeId]>| -> Scan<'_, NodeId> { Box::new(SharedIds::new(ids)) };
        if !self.overlay.is_empty() && self.overlay.has_prefix(written) {
            return match collect(false) {
                Ok(ids) => Box::new(ids.into_iter().map(Ok)),
                Err(e) => Box::new(std::iter::once(Err(e))),
            };
        }
        if let Some(ids) = self.cache.seek(&cache_key) {
            return shared(ids);
        }
        match collect(true) {
            Ok(ids) => {
                let ids: Arc<[NodeId]> = ids.into();
                self.cache.insert_seek(cache_key, ids.clone());
                shared(ids)
            }
            Err(e) => Box::new(std::iter::once(Err(e))),
        }
    }

    fn label_bits(&self, key: &[u8]) -> Result<u64> {
        match self.get(key)? {
            Some(bytes) => codec::decode_u64(&bytes),
            None => Ok(0),
        }
    }

    /// Sets or clears `node`'s bit in the label index of `label`.
    fn set_label_bit(&mut self, label: Token, node: NodeId, on: bool) -> Result<()> {
        let key = keys::label_chunk(label, node);
        let bits = self.label_bits(&key)?;
        let bits = if on {
            bits | keys::label_bit(node)
        } else {
            bits & !keys::label_bit(node)
        };
        if bits == 0 {
            self.remove(key);
        } else {
            self.put(key, codec::encode_u64(bits));
        }
        Ok(())
    }

    pub fn node_count(&self) -> Result<u64> {
        if self.filters_valid_time() {
            return Self::count_of(self.all_nodes());
        }
        self.read_count(&keys::meta(keys::META_NODE_COUNT))
    }

    pub fn label_count(&self, label: &str) -> Result<u64> {
        if self.filters_valid_time() {
            return Self::count_of(self.nodes_with_label(label));
        }
        self.token_count(TokenKind::Label, label)
    }

    /// How many nodes have the label, or relationships the type, named `name` (none
    /// when the name has no token yet).
    fn token_count(&self, kind: TokenKind, name: &str) -> Result<u64> {
        match self.token(kind, name) {
            Some(t) => self.read_count(&keys::count(kind, t)),
            None => Ok(0),
        }
    }

    // ---- relationships

    pub fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: &str,
        props: PropertyMap,
    ) -> Result<RelId> {
        for node in [start, end] {
            if !self.node_exists(node)? {
                return Err(deleted("node", node));
            }
        }
        let id = self.next_rel;
        self.next_rel += 1;
        let type_token = self.tokens.intern(TokenKind::RelType, rel_type);
        let record = RelRecord {
            header: RelHeader {
                rel_type: type_token,
                start,
                end,
            },
            props: self.store_props(props)?,
        };
        self.assert_created(Element::Relationship(id), &record.props)?;
        self.assert_endpoints(start, end)?;
        self.write_rel(id, Some(&record))?;
        self.add_adjacency(start, (DIR_OUT, type_token, end, id))?;
        self.add_adjacency(end, (DIR_IN, type_token, start, id))?;
        self.add_to_count(keys::count(TokenKind::RelType, type_token), 1)?;
        self.add_to_count(keys::meta(keys::META_REL_COUNT), 1)?;
        Ok(id)
    }

    fn rel_info(&self, id: RelId, header: RelHeader) -> Result<RelInfo> {
        Ok(RelInfo {
            id,
            rel_type: self.rel_type_name(header.rel_type)?,
            start: header.start,
            end: header.end,
        })
    }

    pub fn relationship(&self, id: RelId) -> Result<Option<RelInfo>> {
        let Some(header) = self.read_rel_header(id)? else {
            return Ok(None);
        };
        if !self.shows_rel(id, header.start, header.end)? {
            return Ok(None);
        }
        self.rel_info(id, header).map(Some)
    }

    pub fn rel_property(&self, id: RelId, key: &str) -> Result<Option<Value>> {
        let Some(token) = self.token(TokenKind::PropertyKey, key) else {
            return Ok(None);
        };
        match self.read_rel(id)? {
            Some(record) => prop_of(&record.props, token),
            None => Ok(None),
        }
    }

    pub fn rel_properties(&self, id: RelId) -> Result<PropertyMap> {
        match self.read_rel(id)? {
            Some(record) => self.props_to_map(&record.props),
            None => Ok(PropertyMap::new()),
        }
    }

    /// `None` removes the property. Returns the previous value.
    pub fn set_rel_property(
        &mut self,
        id: RelId,
        key: &str,
        value: Option<Value>,
    ) -> Result<Option<Value>> {
        let mut record = self
            .read_rel(id)?
            .ok_or_else(|| deleted("relationship", id))?;
        self.note_set(Element::Relationship(id), key, value.as_ref())?;
        let old = self.update_props(&mut record.props, key, value)?;
        self.write_rel(id, Some(&record))?;
        Ok(old)
    }

    /// Deleting a deleted relationship does nothing.
    pub fn delete_relationship(&mut self, id: RelId) -> Result<()> {
        let Some(h) = self.read_rel_header(id)? else {
            return Ok(());
        };
        self.forget_element(Element::Relationship(id))?;
        self.write_rel(id, None)?;
        self.remove_adjacency(h.start, DIR_OUT, id)?;
        self.remove_adjacency(h.end, DIR_IN, id)?;
        self.add_to_count(keys::count(TokenKind::RelType, h.rel_type), -1)?;
        self.add_to_count(keys::meta(keys::META_REL_COUNT), -1)
    }

    /// `types` (every type when empty) as tokens.
    pub fn resolve_types(&self, types: &[String]) -> TypeSet {
        if types.is_empty() {
            return TypeSet {
                tokens: None,
                complete: true,
            };
        }
        let mut tokens: Vec<Token> = types
            .iter()
            .filter_map(|t| self.token(TokenKind::RelType, t))
            .collect();
        let complete = tokens.len() == types.len();
        tokens.sort_unstable();
        tokens.dedup();
        TypeSet {
            tokens: Some(tokens),
            complete,
        }
    }

    /// Looks at every (type, other, rel) of (node, dir) as committed, sorted by type,
    /// in the store's adjacency cache (filled from the engine on a miss, both directions
    /// at once).
    fn with_committed_adjacency<T>(
        &self,
        node: NodeId,
        dir: u8,
        look: impl FnOnce(&[(Token, NodeId, RelId)]) -> T,
    ) -> Result<T> {
        if let Some(list) = self.cache.adjacency(node, dir) {
            return Ok(look(&list));
        }
        let prefix = keys::adj_prefix_node(node);
        let end = keys::prefix_end(&prefix);
        let mut lists: [Vec<(Token, NodeId, RelId)>; 2] = Default::default();
        for chunk in self.engine().scan(prefix, end) {
            let (_, bytes) = chunk?;
            for (d, t, other, rel) in codec::adj_entries(&bytes)? {
                if let Some(list) = lists.get_mut(usize::from(d != DIR_OUT)) {
                    list.push((t, other, rel));
                }
            }
        }
        // Stable: the entries of one type stay in relationship order.
        for list in &mut lists {
            list.sort_by_key(|(t, _, _)| *t);
        }
        let [out, inc] = lists;
        let seen = look(if dir == DIR_OUT { &out } else { &inc });
        self.cache.insert_adjacency(node, [out.into(), inc.into()]);
        Ok(seen)
    }

    /// Visits the adjacency entries of an expansion as (dir, type, other, rel); ids only,
    /// no record is read. With `Dir::Both` a self-loop's `IN` entry is skipped (its `OUT`
    /// entry already reported it).
    fn visit_adjacent(
        &self,
        node: NodeId,
        dir: Dir,
        types: &TypeSet,
        mut visit: impl FnMut(u8, Token, NodeId, RelId),
    ) -> Result<()> {
        if self.filters_valid_time() {
            let mut entries = Vec::new();
            self.visit_adjacent_unfiltered(node, dir, types, |d, t, other, rel| {
                entries.push((d, t, other, rel))
            })?;
            for (d, t, other, rel) in entries {
                if self.shows_edge(rel, other)? {
                    visit(d, t, other, rel);
                }
            }
            return Ok(());
        }
        self.visit_adjacent_unfiltered(node, dir, types, visit)
    }

    /// [`Txn::visit_adjacent`] whatever an instant hides.
    fn visit_adjacent_unfiltered(
        &self,
        node: NodeId,
        dir: Dir,
        types: &TypeSet,
        mut visit: impl FnMut(u8, Token, NodeId, RelId),
    ) -> Result<()> {
        self.visit_adjacent_runs(node, dir, types, |d, run| {
            let skip_loops = dir == Dir::Both && d == DIR_IN;
            for &(t, other, rel) in run {
                if !(skip_loops && other == node) {
                    visit(d, t, other, rel);
                }
            }
        })
    }

    /// Hands `visit` the adjacency entries of an expansion in runs of one direction
    /// (self-loops included). Groups this transaction wrote are read through its buffer;
    /// the others come from the adjacency cache, where the entries of one type are a
    /// contiguous run, handed over where they lie.
    fn visit_adjacent_runs(
        &self,
        node: NodeId,
        dir: Dir,
        types: &TypeSet,
        mut visit: impl FnMut(u8, &[(Token, NodeId, RelId)]),
    ) -> Result<()> {
        let filter = &types.tokens;
        if filter.as_ref().is_some_and(Vec::is_empty) {
            return Ok(());
        }
        for &d in keys::dir_bytes(dir) {
            if !self.wrote_adjacency(node) {
                self.with_committed_adjacency(node, d, |list| match filter {
                    None => visit(d, list),
                    Some(tokens) => {
                        for &token in tokens {
                            visit(d, type_run(list, token));
                        }
                    }
                })?;
                continue;
            }
            let mut run = Vec::new();
            for chunk in self.scan_prefix(keys::adj_prefix_node(node)) {
                let (_, bytes) = chunk?;
                run.clear();
                run.extend(
                    codec::adj_entries(&bytes)?
                        .filter(|(entry_dir, t, _, _)| {
                            *entry_dir == d && filter.as_ref().is_none_or(|f| f.contains(t))
                        })
                        .map(|(_, t, other, rel)| (t, other, rel)),
                );
                visit(d, &run);
            }
        }
        Ok(())
    }

    /// Whether this transaction wrote (or deleted) node `id`'s record (or a neighbour's
    /// in its chunk).
    #[inline]
    fn wrote_node(&self, id: NodeId) -> bool {
        !self.overlay.is_empty()
            && (self.overlay.get(&keys::node_chunk_array(id)).is_some()
                || self.overlay.get(&Records::Nodes.apart_key(id)).is_some())
    }

    /// Whether this transaction wrote adjacency of `node`.
    fn wrote_adjacency(&self, node: NodeId) -> bool {
        !self.overlay.is_empty() && self.overlay.has_prefix(&keys::adj_prefix_node(node))
    }

    /// The adjacency entries of an expansion as (dir, type, other, rel).
    fn expand_ids(
        &self,
        node: NodeId,
        dir: Dir,
        types: &TypeSet,
    ) -> Result<Vec<(u8, Token, NodeId, RelId)>> {
        let mut out = Vec::new();
        self.visit_adjacent(node, dir, types, |d, t, other, rel| {
            out.push((d, t, other, rel))
        })?;
        Ok(out)
    }

    /// Relationships of `node` in direction `dir` whose type is one of `types` (all when
    /// empty). A self-loop appears once, also for `Dir::Both`.
    pub fn expand(&self, node: NodeId, dir: Dir, types: &[String]) -> Scan<'_, Edge> {
        self.expand_of(node, dir, &self.resolve_types(types))
    }

    /// [`Txn::expand`] with resolved types.
    pub fn expand_of(&self, node: NodeId, dir: Dir, types: &TypeSet) -> Scan<'_, Edge> {
        let ids = match self.expand_ids(node, dir, types) {
            Ok(ids) => ids,
            Err(e) => return Box::new(std::iter::once(Err(e))),
        };
        Box::new(ids.into_iter().map(move |(d, t, other, rel)| {
            let (start, end) = if d == DIR_OUT {
                (node, other)
            } else {
                (other, node)
            };
            Ok(Edge {
                rel,
                rel_type: self.rel_type_name(t)?,
                start,
                end,
            })
        }))
    }

    /// Calls `visit(relationship, other node)` for each relationship an expansion of
    /// `node` would give (a self-loop once), without building relationship values.
    pub fn for_each_neighbour(
        &self,
        node: NodeId,
        dir: Dir,
        types: &[String],
        visit: impl FnMut(RelId, NodeId),
    ) -> Result<()> {
        self.for_each_neighbour_of(node, dir, &self.resolve_types(types), visit)
    }

    /// [`Txn::for_each_neighbour`] with resolved types.
    pub fn for_each_neighbour_of(
        &self,
        node: NodeId,
        dir: Dir,
        types: &TypeSet,
        mut visit: impl FnMut(RelId, NodeId),
    ) -> Result<()> {
        self.visit_adjacent(node, dir, types, |_, _, other, rel| visit(rel, other))
    }

    /// How many relationships an expansion of `node` would give.
    pub fn degree(&self, node: NodeId, dir: Dir, types: &[String]) -> Result<u64> {
        self.degree_of(node, dir, &self.resolve_types(types))
    }

    /// [`Txn::degree`] with resolved types.
    pub fn degree_of(&self, node: NodeId, dir: Dir, types: &TypeSet) -> Result<u64> {
        if self.filters_valid_time() {
            let mut n = 0;
            self.visit_adjacent(node, dir, types, |_, _, _, _| n += 1)?;
            return Ok(n);
        }
        if let (Some([token]), [d]) = (types.tokens.as_deref(), keys::dir_bytes(dir)) {
            // One type, one direction: committed degrees are a column of the cache.
            if !self.wrote_adjacency(node) {
                if let Some(n) = self.cache.degree(node, *d, *token) {
                    return Ok(n);
                }
                let n = self
                    .with_committed_adjacency(node, *d, |list| type_run(list, *token).len())?
                    as u64;
                self.cache.insert_degree(node, *d, *token, n);
                return Ok(n);
            }
        }
        let mut n = 0;
        self.visit_adjacent_runs(node, dir, types, |d, run| {
            n += run.len();
            if dir == Dir::Both && d == DIR_IN {
                // A self-loop counts once: its `OUT` entry was counted.
                n -= run.iter().filter(|(_, other, _)| *other == node).count();
            }
        })?;
        Ok(n as u64)
    }

    pub fn all_relationships(&self) -> Scan<'_, RelInfo> {
        if !self.filters_valid_time() {
            return self.stored_relationships();
        }
        Box::new(self.stored_relationships().filter_map(|entry| match entry {
            Ok(info) => match self.shows_rel(info.id, info.start, info.end) {
                Ok(true) => Some(Ok(info)),
                Ok(false) => None,
                Err(e) => Some(Err(e)),
            },
            Err(e) => Some(Err(e)),
        }))
    }

    /// Every relationship, whatever an instant hides.
    fn stored_relationships(&self) -> Scan<'_, RelInfo> {
        Box::new(
            self.scan_prefix(vec![keys::REL])
                .flat_map(move |entry| -> Vec<Result<RelInfo>> {
                    let decoded = entry.and_then(|(key, chunk)| {
                        let chunk_no = keys::trailing_id(&key)
                            .ok_or_else(|| codec::corrupt("a relationship key is malformed"))?;
                        codec::chunk_records(&chunk)?
                            .into_iter()
                            .map(|(offset, entry)| {
                                let id = keys::id_in_chunk(chunk_no, offset);
                                let bytes =
                                    Records::Relationships.resolve(id, entry, |k| self.get(k))?;
                                self.rel_info(id, codec::decode_rel_header(&bytes)?)
                            })
                            .collect::<Result<Vec<_>>>()
                    });
                    match decoded {
                        Ok(infos) => infos.into_iter().map(Ok).collect(),
                        Err(e) => vec![Err(e)],
                    }
                }),
        )
    }

    pub fn relationship_count(&self) -> Result<u64> {
        if self.filters_valid_time() {
            return Self::count_of(self.all_relationships());
        }
        self.read_count(&keys::meta(keys::META_REL_COUNT))
    }

    pub fn rel_type_count(&self, rel_type: &str) -> Result<u64> {
        if self.filters_valid_time() {
            let scan = self
                .all_relationships()
                .filter(|r| r.as_ref().map_or(true, |info| &*info.rel_type == rel_type));
            return Self::count_of(Box::new(scan));
        }
        self.token_count(TokenKind::RelType, rel_type)
    }

    // ---- catalogue

    /// Names of `kind` that some entity uses now.
    fn names_in_use(&self, kind: TokenKind) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for (token, name) in self.tokens.all(kind) {
            if self.read_count(&keys::count(kind, token))? > 0 {
                names.push(name.to_string());
            }
        }
        names.sort();
        Ok(names)
    }

    /// Labels some node has, sorted.
    pub fn labels(&self) -> Result<Vec<String>> {
        self.names_in_use(TokenKind::Label)
    }

    /// Relationship types some relationship has, sorted.
    pub fn relationship_types(&self) -> Result<Vec<String>> {
        self.names_in_use(TokenKind::RelType)
    }

    /// Every property key ever used, sorted.
    pub fn property_keys(&self) -> Result<Vec<String>> {
        let mut names: Vec<String> = self
            .tokens
            .all(TokenKind::PropertyKey)
            .map(|(_, n)| n.to_string())
            .collect();
        names.sort();
        Ok(names)
    }
}

/// Properties as stored: nulls left out, sorted by key, the later of two values for one
/// key kept.
pub(super) fn stored_props(mut props: Vec<(Token, Value)>) -> Result<StoredProps> {
    props.sort_by_key(|(key, _)| *key);
    let mut stored: StoredProps = Vec::with_capacity(props.len());
    for (key, value) in props {
        if stored.last().is_some_and(|(last, _)| *last == key) {
            stored.pop();
        }
        if !value.is_null() {
            stored.push((key, codec::to_stored(&value)?));
        }
    }
    Ok(stored)
}
