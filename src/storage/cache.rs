//! A store's in-memory caches of committed data, read instead of the engine:
//! - adjacency: for each node and direction, every (type, other node, relationship),
//!   sorted by type then relationship id, so a traversal decodes no chunk twice (both
//!   directions are filled together: they are stored together);
//! - node records: a node's labels and properties decoded once, so a scan that reads a
//!   few properties of each node neither goes to the engine nor deserializes per read;
//! - property columns: one property's values by node id, filled as reads ask for them,
//!   so a scan that reads a property of many nodes walks one array front to back
//!   instead of following each node's property list (a cache miss per node);
//! - degree columns: per (direction, relationship type), each node's number of
//!   relationships, so counting a last hop over many nodes reads no adjacency list;
//! - label bitmaps: per label, one bit per node id, so testing a node's label reads a
//!   small array instead of the node;
//! - counts (per label, per type, in total), which the planner reads for every query;
//! - node lists: the nodes under an index key prefix (an index seek) or with a label (a
//!   label scan), shared with the scans that read them, so a repeated seek or scan opens
//!   no engine range scan. A commit that writes a label bitmap drops that label's list;
//!   one that writes an index entry drops every seek (finer bookkeeping is not worth it:
//!   writes come in batches).
//!
//! Both are dense tables indexed by node id (ids are handed out in order), so a lookup
//! is an index, not a hash. A running transaction leases a whole cache from its store
//! (`CacheLease`): while it runs no one else can look, and its reads touch the cache
//! without locks or atomic operations. Readers run beside the writer and each other (see
//! `turns`), so the store keeps a pool of caches, one per transaction running at once
//! up to `POOL_SIZE` (about the number of cores: more cannot run at once); a transaction
//! takes the most recently returned one, or starts an empty one when all are out.
//!
//! Invariant: an entry equals what the engine holds for its key. Entries are filled from
//! engine reads only (never from a transaction's buffer), and a commit drops the entries
//! of the keys it wrote, after applying them, before the lease goes back: from its own
//! lease and from every cache in the pool (a commit applies while no reader holds a
//! lease, so every other cache is then at home). A cache that outgrows its budget starts
//! over empty.

use super::codec::NodeData;
use super::keys::{self, Token};
use super::Store;
use crate::value::{NodeId, RelId, Value};
use foldhash::HashMap;
use std::cell::{Ref, RefCell};
use std::sync::Arc;

pub type AdjList = Arc<[(Token, NodeId, RelId)]>;

/// At most this many caches are kept in a store's pool: the transactions that can run at
/// once, one per core (at least two: the writer and a reader).
fn pool_size() -> usize {
    static SIZE: std::sync::LazyLock<usize> = std::sync::LazyLock::new(|| {
        std::thread::available_parallelism().map_or(2, |n| n.get().max(2))
    });
    *SIZE
}

/// At most this many (type, other, rel) adjacency entries are kept (24 bytes each).
const MAX_ADJACENCY_ENTRIES: usize = 32 << 20;
/// At most this many node records, weighed as one plus their property count.
const MAX_NODE_WEIGHT: usize = 16 << 20;
/// At most this many property values over all columns (72 bytes each).
const MAX_COLUMN_ENTRIES: usize = 8 << 20;
/// At most this many degrees over all degree columns (16 bytes each).
const MAX_DEGREE_ENTRIES: usize = 16 << 20;
/// At most this many bitmap words (64 nodes each) over all label bitmaps.
const MAX_LABEL_WORDS: usize = 16 << 20;
/// At most this many node ids over all cached index seeks.
const MAX_SEEK_IDS: usize = 4 << 20;

/// Values by node id with a total weight bound.
struct Dense<V> {
    slots: Vec<Option<V>>,
    weight: usize,
    budget: usize,
}

impl<V> Dense<V> {
    fn new(budget: usize) -> Self {
        Dense {
            slots: Vec::new(),
            weight: 0,
            budget,
        }
    }

    fn get(&self, id: usize) -> Option<&V> {
        self.slots.get(id).and_then(Option::as_ref)
    }

    fn insert(&mut self, id: usize, value: V, weight: usize, weight_of: fn(&V) -> usize) {
        if self.weight + weight > self.budget {
            self.slots = Vec::new();
            self.weight = 0;
        }
        if id >= self.slots.len() {
            self.slots.resize_with(id + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(id) {
            if let Some(old) = slot.replace(value) {
                self.weight -= weight_of(&old);
            }
            self.weight += weight;
        }
    }

    fn remove(&mut self, id: usize, weight_of: fn(&V) -> usize) {
        if let Some(old) = self.slots.get_mut(id).and_then(Option::take) {
            self.weight -= weight_of(&old);
        }
    }
}

/// Values by a small key (a token, or a token and a direction), then node id: a dense
/// column per key, found by index, with a bound on the number of values over all
/// columns: past it, every column starts over empty.
struct Columns<V> {
    by_key: Vec<Option<Dense<V>>>,
    entries: usize,
    budget: usize,
}

impl<V> Columns<V> {
    fn new(budget: usize) -> Self {
        Columns {
            by_key: Vec::new(),
            entries: 0,
            budget,
        }
    }

    fn get(&self, key: usize, id: NodeId) -> Option<&V> {
        self.by_key.get(key)?.as_ref()?.get(id as usize)
    }

    fn insert(&mut self, key: usize, id: NodeId, value: V) {
        if self.entries >= self.budget {
            self.by_key.clear();
            self.entries = 0;
        }
        if self.by_key.len() <= key {
            self.by_key.resize_with(key + 1, || None);
        }
        let Some(column) = self.by_key.get_mut(key) else {
            return;
        };
        let column = column.get_or_insert_with(|| Dense::new(usize::MAX));
        let before = column.weight;
        column.insert(id as usize, value, 1, |_| 1);
        self.entries += column.weight - before;
    }

    /// Drops node `id`'s value from every column.
    fn remove_node(&mut self, id: NodeId) {
        for column in self.by_key.iter_mut().flatten() {
            let before = column.weight;
            column.remove(id as usize, |_| 1);
            self.entries -= before - column.weight;
        }
    }
}

/// The degree column of relationship type `rel_type` in direction byte `dir`.
fn degree_key(dir: u8, rel_type: Token) -> usize {
    (rel_type as usize) * 2 + dir_index(dir)
}

fn adjacency_weight(lists: &[AdjList; 2]) -> usize {
    lists.iter().map(|l| l.len()).sum()
}

fn node_weight(record: &NodeData) -> usize {
    1 + record.props.len()
}

/// Direction byte → index into a node's pair of adjacency lists.
fn dir_index(dir: u8) -> usize {
    usize::from(dir != keys::DIR_OUT)
}

/// Whether a written key may have cached entries that a commit must drop.
pub fn is_cached_keyspace(key: &[u8]) -> bool {
    matches!(
        key.first(),
        Some(
            &keys::ADJ
                | &keys::NODE
                | &keys::NODE_APART
                | &keys::COUNT
                | &keys::META
                | &keys::INDEX
                | &keys::LABEL
        )
    )
}

pub struct CommittedCache {
    /// Outgoing and incoming lists per node.
    adjacency: Dense<[AdjList; 2]>,
    /// Count values by their key.
    counts: HashMap<Vec<u8>, u64>,
    /// Node ids by index or label key prefix, and how many ids they hold in all.
    seeks: HashMap<Vec<u8>, Arc<[NodeId]>>,
    /// Label bitmaps by label token (word `i` holds nodes `64 i .. 64 i + 63`), and how
    /// many words they hold in all.
    label_bits: HashMap<Token, Box<[u64]>>,
    label_words: usize,
    seek_ids: usize,
    /// Records inline in the table: a scan in id order walks it front to back.
    nodes: Dense<NodeData>,
    /// Property values by key token, then node id (`None`: the node lacks the property
    /// or does not exist), and how many values they hold in all.
    columns: Columns<Option<Value>>,
    /// Relationship counts by (direction, type), then node id.
    degrees: Columns<u64>,
}

impl Default for CommittedCache {
    fn default() -> Self {
        CommittedCache {
            adjacency: Dense::new(MAX_ADJACENCY_ENTRIES),
            counts: HashMap::default(),
            seeks: HashMap::default(),
            label_bits: HashMap::default(),
            label_words: 0,
            seek_ids: 0,
            nodes: Dense::new(MAX_NODE_WEIGHT),
            columns: Columns::new(MAX_COLUMN_ENTRIES),
            degrees: Columns::new(MAX_DEGREE_ENTRIES),
        }
    }
}

impl CommittedCache {
    /// Drops the entries of every node and adjacency list among `written` keys.
    pub fn invalidate<'k>(&mut self, written: impl Iterator<Item = &'k [u8]>) {
        for key in written {
            match key.first() {
                Some(&keys::ADJ) => {
                    if let Some((node, _)) = keys::parse_adj(key) {
                        self.adjacency.remove(node as usize, adjacency_weight);
                        self.degrees.remove_node(node);
                    }
                }
                Some(&keys::NODE) => {
                    // A node chunk: every node of it.
                    if let Some(chunk) = keys::trailing_id(key) {
                        for offset in 0..1u8 << keys::CHUNK_BITS {
                            let id = keys::id_in_chunk(chunk, offset);
                            self.nodes.remove(id as usize, node_weight);
                            self.columns.remove_node(id);
                        }
                    }
                }
                Some(&keys::NODE_APART) => {
                    if let Some(id) = keys::trailing_id(key) {
                        self.nodes.remove(id as usize, node_weight);
                        self.columns.remove_node(id);
                    }
                }
                Some(&keys::COUNT | &keys::META) => {
                    self.counts.remove(key);
                }
                Some(&keys::INDEX) if !self.seeks.is_empty() => {
                    self.seeks.clear();
                    self.seek_ids = 0;
                }
                Some(&keys::LABEL) => {
                    let Some(prefix) = key.get(..keys::LABEL_PREFIX_LEN) else {
                        continue;
                    };
                    if let Some(ids) = self.seeks.remove(prefix) {
                        self.seek_ids -= ids.len();
                    }
                    if let Some(bits) = keys::label_of_prefix(prefix)
                        .and_then(|label| self.label_bits.remove(&label))
                    {
                        self.label_words -= bits.len();
                    }
                }
                _ => {}
            }
        }
    }
}

/// The cache while a transaction has it; gives it back to the store when dropped
/// (an empty one instead, when `discard` was called).
pub struct CacheLease<'s> {
    store: &'s Store,
    cache: RefCell<CommittedCache>,
    keep: bool,
    /// Not the store's cache: dropped with the lease.
    private: bool,
}

impl<'s> CacheLease<'s> {
    /// A cache of the store's pool, or a new empty one when all are out.
    pub fn take(store: &'s Store) -> CacheLease<'s> {
        let cache = super::lock(&store.cache).pop().unwrap_or_default();
        CacheLease {
            store,
            cache: RefCell::new(cache),
            keep: true,
            private: false,
        }
    }

    /// An empty cache of its own, given back to nobody: for a reading of the past, whose
    /// records are not the store's committed ones.
    pub fn private(store: &'s Store) -> CacheLease<'s> {
        CacheLease {
            store,
            cache: RefCell::new(CommittedCache::default()),
            keep: false,
            private: true,
        }
    }

    /// Gives back an empty cache at the end: for writers that bypass the commit's
    /// bookkeeping of written keys (bulk imports write to the engine in batches).
    /// The caches of the pool are dropped now as well.
    pub fn discard(&mut self) {
        self.keep = false;
        *self.cache.get_mut() = CommittedCache::default();
        super::lock(&self.store.cache).clear();
    }

    /// The cached list of (node, dir), borrowed for as long as the caller looks at it.
    pub fn adjacency(&self, node: NodeId, dir: u8) -> Option<Ref<'_, [(Token, NodeId, RelId)]>> {
        Ref::filter_map(self.cache.borrow(), |c| {
            let lists = c.adjacency.get(node as usize)?;
            lists.get(dir_index(dir)).map(|list| &**list)
        })
        .ok()
    }

    /// Caches the lists of `node`, outgoing then incoming. Skipped while a caller still
    /// looks at a cached entry (the cache is an optimisation; the engine stays the truth).
    pub fn insert_adjacency(&self, node: NodeId, lists: [AdjList; 2]) {
        let Ok(mut cache) = self.cache.try_borrow_mut() else {
            return;
        };
        let weight = adjacency_weight(&lists);
        cache
            .adjacency
            .insert(node as usize, lists, weight, adjacency_weight);
    }

    /// Node `id`'s cached record, borrowed for as long as the caller looks at it.
    pub fn node(&self, id: NodeId) -> Option<Ref<'_, NodeData>> {
        Ref::filter_map(self.cache.borrow(), |c| c.nodes.get(id as usize)).ok()
    }

    /// Caches node `id`'s record (skipped, like `insert_adjacency`, while borrowed).
    pub fn insert_node(&self, id: NodeId, record: NodeData) {
        let weight = node_weight(&record);
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            cache.nodes.insert(id as usize, record, weight, node_weight);
        }
    }

    /// The cached value of property `key` of node `id`: `Some(None)` when it is known
    /// that the node lacks it.
    pub fn property(&self, id: NodeId, key: Token) -> Option<Ref<'_, Option<Value>>> {
        Ref::filter_map(self.cache.borrow(), |c| c.columns.get(key as usize, id)).ok()
    }

    /// Caches the value of property `key` of node `id` (skipped while borrowed).
    pub fn insert_property(&self, id: NodeId, key: Token, value: Option<Value>) {
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            cache.columns.insert(key as usize, id, value);
        }
    }

    /// The cached number of relationships of type `rel_type` in direction `dir` of
    /// node `id`.
    pub fn degree(&self, id: NodeId, dir: u8, rel_type: Token) -> Option<u64> {
        self.cache
            .borrow()
            .degrees
            .get(degree_key(dir, rel_type), id)
            .copied()
    }

    pub fn insert_degree(&self, id: NodeId, dir: u8, rel_type: Token, degree: u64) {
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            cache.degrees.insert(degree_key(dir, rel_type), id, degree);
        }
    }

    /// Drops the entries of the `written` keys, from this lease and from every cache of
    /// the pool.
    pub fn invalidate(&self, written: &[Vec<u8>]) {
        self.cache
            .borrow_mut()
            .invalidate(written.iter().map(Vec::as_slice));
        for cache in super::lock(&self.store.cache).iter_mut() {
            cache.invalidate(written.iter().map(Vec::as_slice));
        }
    }

    pub fn count(&self, key: &[u8]) -> Option<u64> {
        self.cache.borrow().counts.get(key).copied()
    }

    pub fn insert_count(&self, key: &[u8], value: u64) {
        if let Ok(mut cache) = self.cache.try_borrow_mut() {
            cache.counts.insert(key.to_vec(), value);
        }
    }

    /// Whether node `id` has label `label`, if the label's bitmap is cached.
    pub fn has_label(&self, id: NodeId, label: Token) -> Option<bool> {
        let cache = self.cache.borrow();
        let bits = cache.label_bits.get(&label)?;
        let word = bits
            .get((id >> keys::LABEL_CHUNK_BITS) as usize)
            .copied()
            .unwrap_or(0);
        Some(word & keys::label_bit(id) != 0)
    }

    pub fn insert_label_bits(&self, label: Token, bits: Box<[u64]>) {
        let Ok(mut cache) = self.cache.try_borrow_mut() else {
            return;
        };
        let cache = &mut *cache;
        let size = bits.len();
        let held = (&mut cache.label_bits, &mut cache.label_words);
        insert_within(held, MAX_LABEL_WORDS, label, bits, size, |old| old.len());
    }

    /// The node ids under index or label prefix `prefix`, if cached.
    pub fn seek(&self, prefix: &[u8]) -> Option<Arc<[NodeId]>> {
        self.cache.borrow().seeks.get(prefix).cloned()
    }

    pub fn insert_seek(&self, prefix: Vec<u8>, ids: Arc<[NodeId]>) {
        let Ok(mut cache) = self.cache.try_borrow_mut() else {
            return;
        };
        let cache = &mut *cache;
        let size = ids.len();
        let held = (&mut cache.seeks, &mut cache.seek_ids);
        insert_within(held, MAX_SEEK_IDS, prefix, ids, size, |old| old.len());
    }
}

/// Inserts `value` (`size` units) into a map whose values hold `used` units in all,
/// starting the map over when it would hold more than `max`; `size_of` measures a value
/// the insert replaces.
fn insert_within<K: std::hash::Hash + Eq, V>(
    (map, used): (&mut HashMap<K, V>, &mut usize),
    max: usize,
    key: K,
    value: V,
    size: usize,
    size_of: impl Fn(&V) -> usize,
) {
    if *used + size > max {
        map.clear();
        *used = 0;
    }
    *used += size;
    if let Some(old) = map.insert(key, value) {
        *used -= size_of(&old);
    }
}

/// A walk over a shared list of node ids (see [`CacheLease::seek`]).
pub struct SharedIds {
    ids: Arc<[NodeId]>,
    at: usize,
}

impl SharedIds {
    pub fn new(ids: Arc<[NodeId]>) -> SharedIds {
        SharedIds { ids, at: 0 }
    }
}

impl Iterator for SharedIds {
    type Item = crate::error::Result<NodeId>;

    fn next(&mut self) -> Option<Self::Item> {
        let id = *self.ids.get(self.at)?;
        self.at += 1;
        Some(Ok(id))
    }
}

impl Drop for CacheLease<'_> {
    fn drop(&mut self) {
        if self.private {
            return;
        }
        let cache = if self.keep {
            std::mem::take(self.cache.get_mut())
        } else {
            CommittedCache::default()
        };
        let mut pool = super::lock(&self.store.cache);
        if pool.len() < pool_size() {
            pool.push(cache);
        }
    }
}
