//! The bulk-write path for imports: creates nodes and relationships without the
//! per-write bookkeeping of a transaction's buffer, and applies everything at `finish`
//! as one atomic, durable batch (adjacency packed straight into full chunks, counts
//! summed once). The end state is the one the same creates through a `Txn` would give.
//!
//! A bulk writer holds the store's writer lock like a transaction; dropping it without
//! `finish` writes nothing.

use super::codec::{self, NodeRecord, RelHeader, RelRecord, StoredValue};
use super::graph::ADJ_CHUNK_CAP;
use super::keys::{self, Token, TokenKind, DIR_IN, DIR_OUT};
use super::kv::Batch;
use super::schema::{index_entry, indexed_value};
use super::{Store, Txn};
use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, PropertyMap, RelId};
use std::collections::{BTreeMap, HashMap};

pub struct BulkWriter<'s> {
    txn: Txn<'s>,
    /// The first node id this writer hands out: ids from here on are its own.
    first_node: NodeId,
    nodes: Vec<(NodeId, NodeRecord)>,
    /// Encoded records by relationship id (ids are handed out in order).
    rels: Vec<(RelId, Vec<u8>)>,
    adjacency: HashMap<(NodeId, u8, Token), Vec<(NodeId, RelId)>>,
    label_counts: HashMap<Token, u64>,
    type_counts: HashMap<Token, u64>,
    index_entries: Vec<Vec<u8>>,
    /// Values taken under each uniqueness constraint by nodes of this writer:
    /// (definition index, equality class of the value) → node.
    unique_taken: HashMap<(usize, Vec<u8>), NodeId>,
}

impl Store {
    /// Starts a bulk write (serialized with transactions like `begin`).
    pub fn bulk_writer(&self) -> Result<BulkWriter<'_>> {
        let txn = self.begin()?;
        Ok(BulkWriter {
            first_node: txn.next_node,
            txn,
            nodes: Vec::new(),
            rels: Vec::new(),
            adjacency: HashMap::new(),
            label_counts: HashMap::new(),
            type_counts: HashMap::new(),
            index_entries: Vec::new(),
            unique_taken: HashMap::new(),
        })
    }
}

/// A key that two stored values share exactly when Cypher calls them equal (integers
/// and floats of one value meet on the float's key).
fn equality_class(value: &StoredValue) -> Vec<u8> {
    let mut out = Vec::new();
    match value {
        StoredValue::Int(i)
            if (*i as f64) < 9_223_372_036_854_775_808.0 && (*i as f64) as i64 == *i =>
        {
            super::index_key::encode(&mut out, &StoredValue::Float(*i as f64));
        }
        other => super::index_key::encode(&mut out, other),
    }
    out
}

impl BulkWriter<'_> {
    pub fn create_node(&mut self, labels: &[String], props: PropertyMap) -> Result<NodeId> {
        let mut label_tokens: Vec<Token> = labels
            .iter()
            .map(|l| self.txn.tokens.intern(TokenKind::Label, l))
            .collect();
        label_tokens.sort_unstable();
        label_tokens.dedup();
        let record = NodeRecord {
            labels: label_tokens,
            props: self.txn.store_props(props)?,
        };
        let id = self.txn.next_node;
        self.index_node(id, &record)?;
        self.txn.next_node += 1;
        for label in &record.labels {
            *self.label_counts.entry(*label).or_default() += 1;
        }
        self.nodes.push((id, record));
        Ok(id)
    }

    /// Adds the index entries of a new node, checking uniqueness constraints against the
    /// store and against this writer's earlier nodes.
    fn index_node(&mut self, id: NodeId, record: &NodeRecord) -> Result<()> {
        if self.txn.schema.is_empty() {
            return Ok(());
        }
        let defs = std::sync::Arc::clone(&self.txn.schema);
        let mut taken = Vec::new();
        for (i, def) in defs.iter().enumerate() {
            let Some(value) = indexed_value(record, def) else {
                continue;
            };
            if def.unique {
                let class = equality_class(value);
                if let Some(other) = self.unique_taken.get(&(i, class.clone())) {
                    return Err(self.txn.unique_violation(def, *other, value));
                }
                for prefix in self.txn.equal_prefixes(def.label, def.key, value) {
                    if let Some(entry) = self.txn.scan_prefix(prefix).next() {
                        let (key, _) = entry?;
                        let other = keys::trailing_id(&key).unwrap_or_default();
                        return Err(self.txn.unique_violation(def, other, value));
                    }
                }
                taken.push((i, class));
            }
            self.index_entries
                .push(index_entry(def.label, def.key, value, id));
        }
        for class in taken {
            self.unique_taken.insert(class, id);
        }
        Ok(())
    }

    fn node_exists(&self, id: NodeId) -> Result<bool> {
        if id >= self.first_node {
            return Ok(id < self.txn.next_node);
        }
        self.txn.node_exists(id)
    }

    pub fn create_relationship(
        &mut self,
        start: NodeId,
        end: NodeId,
        rel_type: &str,
        props: PropertyMap,
    ) -> Result<RelId> {
        for node in [start, end] {
            if !self.node_exists(node)? {
                return Err(Error::new(
                    ErrorClass::EntityNotFound,
                    "DeletedEntityAccess",
                    format!("node {node} does not exist"),
                ));
            }
        }
        let type_token = self.txn.tokens.intern(TokenKind::RelType, rel_type);
        let record = RelRecord {
            header: RelHeader {
                rel_type: type_token,
                start,
                end,
            },
            props: self.txn.store_props(props)?,
        };
        let id = self.txn.next_rel;
        self.txn.next_rel += 1;
        self.rels.push((id, codec::encode_rel(&record)?));
        self.adjacency
            .entry((start, DIR_OUT, type_token))
            .or_default()
            .push((end, id));
        self.adjacency
            .entry((end, DIR_IN, type_token))
            .or_default()
            .push((start, id));
        *self.type_counts.entry(type_token).or_default() += 1;
        Ok(id)
    }

    /// Applies every write at once and makes it durable.
    pub fn finish(self) -> Result<()> {
        let BulkWriter {
            txn,
            nodes,
            rels,
            adjacency,
            label_counts,
            type_counts,
            index_entries,
            ..
        } = self;
        let mut batch: Batch =
            Vec::with_capacity(nodes.len() * 2 + rels.len() / 32 + adjacency.len());
        let node_total = nodes.len() as u64;
        let mut label_bits: BTreeMap<Vec<u8>, u64> = BTreeMap::new();
        for (id, record) in &nodes {
            for label in &record.labels {
                *label_bits
                    .entry(keys::label_chunk(*label, *id))
                    .or_default() |= keys::label_bit(*id);
            }
            batch.push((keys::node(*id), Some(codec::encode_node(record)?)));
        }
        drop(nodes);
        for (key, bits) in label_bits {
            // The first bitmap of each label may already hold earlier nodes.
            let existing = match txn.get(&key)? {
                Some(bytes) => codec::decode_u64(&bytes)?,
                None => 0,
            };
            batch.push((key, Some(codec::encode_u64(existing | bits))));
        }
        batch.extend(index_entries.into_iter().map(|k| (k, Some(Vec::new()))));

        let rel_total = rels.len() as u64;
        let mut chunks: BTreeMap<Vec<u8>, Vec<(u8, Vec<u8>)>> = BTreeMap::new();
        for (id, bytes) in rels {
            let key = keys::rel_chunk(id);
            if !chunks.contains_key(&key) {
                // The first chunk may already hold earlier relationships.
                let existing = match txn.get(&key)? {
                    Some(chunk) => codec::decode_rel_chunk(&chunk)?
                        .into_iter()
                        .map(|(o, b)| (o, b.to_vec()))
                        .collect(),
                    None => Vec::new(),
                };
                chunks.insert(key.clone(), existing);
            }
            if let Some(entries) = chunks.get_mut(&key) {
                entries.push((keys::rel_offset(id), bytes));
            }
        }
        for (key, entries) in chunks {
            batch.push((key, Some(codec::encode_rel_chunk(&entries)?)));
        }

        for ((node, dir, rel_type), new_pairs) in adjacency {
            let tail_key = keys::adj_chunk(node, dir, rel_type, keys::ADJ_TAIL);
            let existing_tail = txn.get(&tail_key)?;
            let mut pairs: Vec<(NodeId, RelId)> = match &existing_tail {
                Some(bytes) => codec::adj_pairs(bytes)?.collect(),
                None => Vec::new(),
            };
            pairs.extend(new_pairs);
            let mut full = pairs.chunks_exact(ADJ_CHUNK_CAP);
            for sealed in full.by_ref() {
                let bound = sealed.last().map_or(keys::ADJ_TAIL, |(_, rel)| *rel);
                batch.push((
                    keys::adj_chunk(node, dir, rel_type, bound),
                    Some(codec::encode_adj(sealed)),
                ));
            }
            let rest = full.remainder();
            if !rest.is_empty() {
                batch.push((tail_key, Some(codec::encode_adj(rest))));
            } else if existing_tail.is_some() {
                batch.push((tail_key, None));
            }
        }

        let counts = [
            (TokenKind::Label, label_counts),
            (TokenKind::RelType, type_counts),
        ];
        for (kind, deltas) in counts {
            for (token, delta) in deltas {
                let key = keys::count(kind, token);
                let now = txn.read_count(&key)?;
                batch.push((key, Some(codec::encode_u64(now + delta))));
            }
        }
        for (sub, delta) in [
            (keys::META_NODE_COUNT, node_total),
            (keys::META_REL_COUNT, rel_total),
        ] {
            if delta > 0 {
                let key = keys::meta(sub);
                let now = txn.read_count(&key)?;
                batch.push((key, Some(codec::encode_u64(now + delta))));
            }
        }
        txn.commit_with(batch)
    }
}
