//! The bulk-write path for imports: creates nodes and relationships without the
//! per-write bookkeeping of a transaction's buffer, writing them to the engine in
//! batches of bounded size (adjacency packed straight into full chunks, counts summed
//! once). The end state is the one the same creates through a `Txn` would give.
//!
//! Atomicity, also across a crash, rests on an import journal and on one rule: a batch
//! written before `finish` holds only keys that did not exist before the import. The
//! import's nodes and relationships take the contiguous id ranges from `first_node` and
//! `first_rel` on, so their adjacency chunks, their index entries (whose blocks are
//! written only for indexes that had none), their records kept apart from their chunks,
//! and the label bitmaps and node and relationship chunks past the first ones are new
//! keys. Everything that may already
//! hold data is kept in memory and written by the final batch, through the
//! transaction's commit: the label bitmap and the node and relationship chunks that
//! `first_node` and `first_rel` fall in, the adjacency of
//! nodes that existed before, the entries of indexes that had blocks before (and of any
//! index this writer already wrote blocks for), counts, next ids and interned names.
//!
//! - Before the first intermediate batch, the journal record (`META_IMPORT`: the first
//!   node and relationship id) is written and flushed. Intermediate batches need not be
//!   atomic (the journal is), so they go through `KvEngine::apply_each`.
//! - The final batch removes the journal record together with its other writes, after
//!   the intermediate batches were flushed. An import that fits in one batch writes no
//!   journal at all.
//! - A writer dropped without `finish` (a failed import) undoes its batches at once;
//!   opening a store that still has a journal record (a crash) does the same first. The
//!   undo is range deletes of the new keys, so no pre-image is needed (the early undo
//!   of an import that keeps its full history is among them: every `UNDO` key after
//!   the last commit's).
//!
//! Speed: `Store::bulk_write` applies the batches on a second thread while the calling
//! one builds the next; when the queue to that thread is full, or the caller waits for
//! it to empty, the caller takes queued work itself, so that both cores write. Each
//! batch goes to the engine in key order, and index entries (ordered by value, not by
//! node) are buffered apart and written sorted, as whole blocks. Adjacency is kept until the
//! end, so that each node's entries of every type become one chunk, one key.
//! Memory: buffered writes, index entries and adjacency entries each have a share of the
//! memory budget; adjacency beyond its share is written early as chunks (open chunks
//! are read back and extended by the next write of the same node).
//!
//! A bulk writer holds the store's writer lock like a transaction, and the apply turn
//! (see `turns`) from its start: readers wait while its batches reach the engine.

use super::codec::{self, AdjEntry, NodeRecord, RelHeader, RelRecord, StoredValue};
use super::graph::stored_props;
use super::graph::{ADJ_CHUNK_CAP, APART_BYTES};
use super::index_blocks::{self, index_prefix, INDEX_PREFIX_LEN};
use super::keys::{self, Token, TokenKind, DIR_IN, DIR_OUT};
use super::kv::{Batch, KvEngine};
use super::schema::{index_entry, indexed_value};
use super::sources::Element;
use super::{Store, Txn};
use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, PropertyMap, RelId, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{mpsc, Arc, Condvar, Mutex};

/// Adjacency entries of one node, by relationship id.
type Entries = Vec<AdjEntry>;

type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Records of one chunk: (offset in the chunk, encoded record).
type ChunkRecords = Vec<(u8, Vec<u8>)>;

/// Records a bulk writer creates in id order (nodes or relationships), gathered chunk
/// by chunk. The chunk of the first id may hold earlier records: it is kept for the
/// final batch. A record larger than `APART_BYTES` goes under its own key (a new key,
/// written at once) and leaves an empty entry in its chunk, as `Txn` writes it.
struct ChunkFill {
    key_of: fn(u64) -> Vec<u8>,
    /// The keyspace of records kept apart.
    apart: u8,
    first_chunk: u64,
    /// The chunk being filled: its number and its records.
    open: Option<(u64, ChunkRecords)>,
    /// The records of the first chunk.
    first: ChunkRecords,
}

impl ChunkFill {
    fn new(key_of: fn(u64) -> Vec<u8>, apart: u8, first_id: u64) -> ChunkFill {
        ChunkFill {
            key_of,
            apart,
            first_chunk: first_id >> keys::CHUNK_BITS,
            open: None,
            first: Vec::new(),
        }
    }

    /// Adds record `id`; returns the writes of the chunk it completed and of the
    /// record itself when it is kept apart.
    fn add(&mut self, id: u64, record: Vec<u8>) -> Vec<(Vec<u8>, Vec<u8>)> {
        let chunk = id >> keys::CHUNK_BITS;
        let mut writes: Vec<_> = match &self.open {
            Some((open, _)) if *open != chunk => self.seal().into_iter().collect(),
            _ => Vec::new(),
        };
        let record = if record.len() > APART_BYTES {
            writes.push((keys::record_apart(self.apart, id), record));
            Vec::new()
        } else {
            record
        };
        self.open
            .get_or_insert_with(|| (chunk, Vec::with_capacity(1 << keys::CHUNK_BITS)))
            .1
            .push((keys::chunk_offset(id), record));
        writes
    }

    /// The write of the chunk being filled (none for the first chunk, which is kept).
    fn seal(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        let (chunk, records) = self.open.take()?;
        if chunk == self.first_chunk {
            self.first = records;
            return None;
        }
        let bytes = codec::encode_chunk(records.iter().map(|(o, r)| (*o, r.as_slice())));
        Some(((self.key_of)(chunk << keys::CHUNK_BITS), bytes))
    }

    /// The write of the first chunk, merged with the records it held before.
    fn first_write(&self, txn: &Txn<'_>) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        if self.first.is_empty() {
            return Ok(None);
        }
        let key = (self.key_of)(self.first_chunk << keys::CHUNK_BITS);
        let existing = txn.get(&key)?;
        let mut records = match &existing {
            Some(chunk) => codec::chunk_records(chunk)?,
            None => Vec::new(),
        };
        records.extend(self.first.iter().map(|(o, r)| (*o, r.as_slice())));
        Ok(Some((key, codec::encode_chunk(records))))
    }
}

/// Memory a bulk writer uses for what it has not written yet, unless told otherwise.
pub const DEFAULT_MEMORY_BUDGET: usize = 512 << 20;

/// The most buffered writes (other than adjacency) kept before they are written.
const MAX_BATCH_BYTES: usize = 4 << 20;

/// Estimated bytes an adjacency entry takes while buffered (the entry and the spare
/// room of its node's vector).
const BUFFERED_ENTRY_BYTES: usize = 40;
/// Estimated bytes of bookkeeping per buffered key-value write.
const BUFFERED_WRITE_BYTES: usize = 64;

pub struct BulkWriter<'s> {
    /// The thread that applies batches while this one builds the next, if any. Declared
    /// first, so that dropping the writer waits for the batches in flight before the
    /// journal undoes them.
    background: Option<Background>,
    /// Undoes the written batches if the writer is dropped unfinished. Declared before
    /// `txn`, so that it runs while the transaction still holds the writer lock.
    journal: Journal<'s>,
    txn: Txn<'s>,
    /// The first node and relationship ids this writer hands out: ids from here on are
    /// its own.
    first_node: NodeId,
    first_rel: RelId,
    /// Property values written, for the commit record.
    properties: u64,
    /// Bytes of buffered writes after which they are written as one batch.
    batch_bytes: usize,
    /// Buffered adjacency entries after which their chunks are written.
    max_entries: usize,
    /// Bytes of buffered index entries after which they are written.
    max_index_bytes: usize,
    /// Writes of new keys not yet applied, and their estimated size.
    pending: Batch,
    pending_bytes: usize,
    /// Label bitmaps not yet written, by (label, chunk).
    label_bits: BTreeMap<(Token, u64), u64>,
    /// Node and relationship records, chunk by chunk.
    node_chunks: ChunkFill,
    rel_chunks: ChunkFill,
    /// Index entries not yet written (each after its index's prefix), and their
    /// estimated size. They are written sorted, as whole blocks: their order (by value)
    /// has nothing to do with node ids.
    index_entries: Vec<Vec<u8>>,
    index_bytes: usize,
    /// Prefixes of the indexes that had no blocks when this writer began and that it
    /// has not written blocks for yet: only these take new blocks before the end.
    fresh_indexes: HashSet<Vec<u8>>,
    /// Index entries (after their prefixes) that go into existing blocks, by the final
    /// batch.
    late_index_entries: Vec<Vec<u8>>,
    /// Adjacency entries of this writer's nodes not yet written.
    adjacency: NewAdjacency,
    /// Nodes whose open chunk an earlier spill wrote to the engine.
    tails_written: HashSet<NodeId, foldhash::fast::RandomState>,
    /// Adjacency entries of nodes that existed before, written by the final batch.
    old_adjacency: BTreeMap<NodeId, Entries>,
    label_counts: FastMap<Token, u64>,
    type_counts: FastMap<Token, u64>,
    /// Values taken under each uniqueness constraint by nodes of this writer:
    /// (definition index, equality class of the value) → node.
    unique_taken: HashMap<(usize, Vec<u8>), NodeId>,
    /// The undo of the intermediate batches, when the import keeps its full history.
    early_undo: Option<super::history::EarlyUndo>,
}

impl Store {
    /// Starts a bulk write (serialized with transactions like `begin`).
    pub fn bulk_writer(&self) -> Result<BulkWriter<'_>> {
        let mut txn = self.begin()?;
        // Batches reach the engine from the start: no reader may read while they do.
        txn.applying = Some(self.gate.apply());
        // Batches reach the engine without the commit's list of written keys (index
        // entries among them), and an undo may remove them again: the store starts over
        // with an empty cache after a bulk write, whatever its outcome.
        txn.cache.discard();
        let (first_node, first_rel) = (txn.next_node, txn.next_rel);
        let mut writer = BulkWriter {
            background: None,
            journal: Journal {
                engine: &*self.engine,
                written: false,
            },
            txn,
            first_node,
            first_rel,
            properties: 0,
            batch_bytes: 0,
            max_entries: 0,
            max_index_bytes: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            label_bits: BTreeMap::new(),
            node_chunks: ChunkFill::new(keys::node_chunk, keys::NODE_APART, first_node),
            rel_chunks: ChunkFill::new(keys::rel_chunk, keys::REL_APART, first_rel),
            index_entries: Vec::new(),
            index_bytes: 0,
            fresh_indexes: HashSet::new(),
            late_index_entries: Vec::new(),
            adjacency: NewAdjacency {
                first_node,
                ..NewAdjacency::default()
            },
            tails_written: HashSet::default(),
            old_adjacency: BTreeMap::new(),
            label_counts: FastMap::default(),
            type_counts: FastMap::default(),
            unique_taken: HashMap::new(),
            early_undo: None,
        };
        writer.set_memory_budget(DEFAULT_MEMORY_BUDGET);
        for def in writer.txn.schema.iter() {
            let prefix = index_prefix(def.label, def.key);
            let end = keys::prefix_end(&prefix);
            if self.engine.scan(prefix.clone(), end).next().is_none() {
                writer.fresh_indexes.insert(prefix);
            }
        }
        Ok(writer)
    }

    /// Runs `write` on a bulk writer, then finishes it, with the batches applied by a
    /// second thread while the calling one builds the next. When `write` or the finish
    /// fails, nothing stays written.
    pub fn bulk_write<R>(
        &self,
        memory_budget: usize,
        write: impl FnOnce(&mut BulkWriter<'_>) -> Result<R>,
    ) -> Result<R> {
        let mut writer = self.bulk_writer()?;
        writer.set_memory_budget(memory_budget);
        let engine = &*self.engine;
        std::thread::scope(move |scope| {
            let (sender, queue) = mpsc::sync_channel(QUEUED_WORK);
            let shared = Arc::new(Shared {
                queue: Mutex::new(queue),
                state: Mutex::new(WorkState::default()),
                settled: Condvar::new(),
            });
            let worker = Arc::clone(&shared);
            let applier = scope.spawn(move || apply_in_background(engine, &worker));
            writer.background = Some(Background {
                sender: Some(sender),
                shared,
            });
            // On an error the writer is dropped here: it waits for the applying thread,
            // then undoes what was written. Finished or dropped, it hangs up and the
            // thread ends; that is joined, not left to the scope, which returns before
            // the thread has exited (a leak checker looking then finds the thread's own
            // allocations held by nothing).
            let result = match write(&mut writer) {
                Ok(result) => writer.finish().map(|()| result),
                Err(error) => {
                    drop(writer);
                    Err(error)
                }
            };
            if let Err(panic) = applier.join() {
                std::panic::resume_unwind(panic);
            }
            result
        })
    }
}

/// Batches that may wait for the applying thread (each about `MAX_BATCH_BYTES` of
/// writes).
const QUEUED_WORK: usize = 2;

/// What the writer and the applying thread share: the queue of work, and how much of
/// it is not done yet.
struct Shared {
    queue: Mutex<mpsc::Receiver<Batch>>,
    state: Mutex<WorkState>,
    /// Signalled when work is done, fails, or the applying thread ends.
    settled: Condvar,
}

#[derive(Default)]
struct WorkState {
    /// Items sent and not yet done.
    outstanding: usize,
    /// The first failure; no more work is done after it.
    error: Option<Error>,
    /// Whether the applying thread has ended.
    stopped: bool,
}

impl Shared {
    fn state(&self) -> std::sync::MutexGuard<'_, WorkState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies `batch` and records the outcome; whoever took it from the queue.
    fn run(&self, engine: &dyn KvEngine, batch: Batch) {
        let failed = self.state().error.is_some();
        let outcome = if failed {
            Ok(())
        } else {
            engine.apply_each(batch)
        };
        let mut state = self.state();
        state.outstanding -= 1;
        if let Err(error) = outcome {
            state.error.get_or_insert(error);
        }
        self.settled.notify_all();
    }

    /// The first failure, if any.
    fn failure(&self) -> Result<()> {
        match &self.state().error {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }
}

/// The writer's side of the applying thread. The writer does queued work itself
/// rather than wait for room in the queue or for the queue to empty, so that both
/// cores write when the writer has nothing else to do.
struct Background {
    sender: Option<mpsc::SyncSender<Batch>>,
    shared: Arc<Shared>,
}

impl Background {
    fn send(&self, engine: &dyn KvEngine, work: Batch) -> Result<()> {
        self.shared.failure()?;
        let Some(sender) = &self.sender else {
            return Err(Error::storage("the import's writes were stopped"));
        };
        self.shared.state().outstanding += 1;
        let mut work = work;
        loop {
            match sender.try_send(work) {
                Ok(()) => return Ok(()),
                Err(mpsc::TrySendError::Full(back)) => {
                    work = back;
                    if !self.help(engine) {
                        std::thread::yield_now();
                    }
                }
                Err(mpsc::TrySendError::Disconnected(back)) => {
                    // `shared` holds the receiver, so this does not happen; were it
                    // to, the work is done here.
                    self.shared.run(engine, back);
                    return self.shared.failure();
                }
            }
        }
    }

    /// Does one queued item on this thread; false when none could be taken.
    fn help(&self, engine: &dyn KvEngine) -> bool {
        let work = match self.shared.queue.try_lock() {
            Ok(queue) => queue.try_recv().ok(),
            Err(_) => None,
        };
        match work {
            Some(work) => {
                self.shared.run(engine, work);
                true
            }
            None => false,
        }
    }

    /// Returns once everything sent so far is written, doing queued work meanwhile.
    fn drain(&self, engine: &dyn KvEngine) -> Result<()> {
        while self.help(engine) {}
        let mut state = self.shared.state();
        while state.outstanding > 0 && state.error.is_none() && !state.stopped {
            state = self
                .shared
                .settled
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        drop(state);
        self.shared.failure()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // Hang up, then wait until the thread has done what it holds and ended.
        self.sender = None;
        let mut state = self.shared.state();
        while !state.stopped {
            state = self
                .shared
                .settled
                .wait(state)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
}

/// The applying thread: does queued work until the writer hangs up.
fn apply_in_background(engine: &dyn KvEngine, shared: &Shared) {
    loop {
        let next = shared
            .queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        match next {
            Ok(work) => shared.run(engine, work),
            Err(_) => break,
        }
    }
    shared.state().stopped = true;
    shared.settled.notify_all();
}

/// Adjacency entries of a bulk writer's own nodes, not yet written: per node, by id
/// from `first_node` on (so no hashing).
#[derive(Default)]
struct NewAdjacency {
    first_node: NodeId,
    nodes: Vec<Entries>,
    /// Entries held, over all nodes.
    entries: usize,
}

impl NewAdjacency {
    fn add(&mut self, node: NodeId, entry: AdjEntry) {
        let index = usize::try_from(node - self.first_node).unwrap_or(usize::MAX);
        if index >= self.nodes.len() {
            self.nodes.resize_with(index.saturating_add(1), Vec::new);
        }
        if let Some(entries) = self.nodes.get_mut(index) {
            entries.push(entry);
            self.entries += 1;
        }
    }

    /// Takes out every node's entries, in node order.
    fn take(&mut self) -> Vec<(NodeId, Entries)> {
        self.entries = 0;
        (self.first_node..)
            .zip(&mut self.nodes)
            .filter(|(_, entries)| !entries.is_empty())
            .map(|(node, entries)| (node, std::mem::take(entries)))
            .collect()
    }
}

/// A key that two stored values share exactly when Cypher calls them equal (integers
/// and floats of one value meet on the float's key).
pub(super) fn equality_class(value: &StoredValue) -> Vec<u8> {
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
    /// Bounds the memory this writer uses for writes it has not applied yet (roughly:
    /// half for adjacency, a quarter for index entries, a sixteenth, at most
    /// `MAX_BATCH_BYTES`, for other writes). A smaller budget means more,
    /// smaller batches; the result is the same.
    pub fn set_memory_budget(&mut self, bytes: usize) {
        self.batch_bytes = (bytes / 16).clamp(1, MAX_BATCH_BYTES);
        self.max_entries = (bytes / 2 / BUFFERED_ENTRY_BYTES).max(1);
        self.max_index_bytes = (bytes / 4).max(1);
    }

    /// The token of the label, relationship type or property key `name`, interned if
    /// new: a caller creating many entities with the same names looks them up once and
    /// uses the `_with` creates.
    pub fn token(&mut self, kind: TokenKind, name: &str) -> Token {
        self.txn.tokens.intern(kind, name)
    }

    /// Keeps the import's full history, so that the graph stays readable as of the
    /// transactions before it: the undo of every key the import writes (each new key
    /// noted as absent, about its length in bytes), not only its counts. Call before
    /// the first create.
    pub fn keep_full_history(&mut self) {
        self.early_undo = Some(super::history::EarlyUndo::new(self.txn.clock.last_tx + 1));
    }

    /// Writes everything from now on under source `name` (see `sources`): each node and
    /// relationship with its properties, and the nodes relationships connect.
    pub fn write_under_source(&mut self, name: &str) -> Result<()> {
        self.txn.begin_source(name, None)
    }

    pub fn create_node(&mut self, labels: &[String], props: PropertyMap) -> Result<NodeId> {
        let labels = labels
            .iter()
            .map(|l| self.token(TokenKind::Label, l))
            .collect();
        let props = self.property_tokens(props);
        self.create_node_with(labels, props)
    }

    /// The properties keyed by token; a null is no property, and its key is not interned.
    fn property_tokens(&mut self, props: PropertyMap) -> Vec<(Token, Value)> {
        props
            .into_iter()
            .filter(|(_, value)| !value.is_null())
            .map(|(key, value)| (self.token(TokenKind::PropertyKey, &key), value))
            .collect()
    }

    /// [`BulkWriter::create_node`] with labels and property keys as tokens
    /// ([`BulkWriter::token`]); of two values for one key the later one is kept.
    pub fn create_node_with(
        &mut self,
        mut labels: Vec<Token>,
        props: Vec<(Token, Value)>,
    ) -> Result<NodeId> {
        labels.sort_unstable();
        labels.dedup();
        let record = NodeRecord {
            labels,
            props: stored_props(props)?,
        };
        let id = self.txn.next_node;
        let entries = self.index_node(id, &record)?;
        self.txn.next_node += 1;
        self.properties += record.props.len() as u64;
        for label in &record.labels {
            *self.label_counts.entry(*label).or_default() += 1;
            *self
                .label_bits
                .entry((*label, id >> keys::LABEL_CHUNK_BITS))
                .or_default() |= keys::label_bit(id);
        }
        for entry in entries {
            self.index_bytes += entry.len() + BUFFERED_WRITE_BYTES;
            self.index_entries.push(entry);
        }
        if self.index_bytes >= self.max_index_bytes {
            self.spill_index_entries()?;
        }
        for (key, value) in self
            .txn
            .new_element_rows(Element::Node(id), &record.props)?
        {
            self.push(key, value);
        }
        for (key, value) in self.node_chunks.add(id, codec::encode_node(&record)?) {
            self.push(key, value);
        }
        self.apply_if_full()?;
        Ok(id)
    }

    /// The index entries of a new node, checking uniqueness constraints against the
    /// store and against this writer's earlier nodes.
    fn index_node(&mut self, id: NodeId, record: &NodeRecord) -> Result<Vec<Vec<u8>>> {
        let mut entries = Vec::new();
        if self.txn.schema.is_empty() {
            return Ok(entries);
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
                // A value no node of this writer took can only be found in the store
                // under a node that existed before.
                let prefix = index_prefix(def.label, def.key);
                if let Some(other) = self.txn.equal_entry(&prefix, value, None)? {
                    return Err(self.txn.unique_violation(def, other, value));
                }
                taken.push((i, class));
            }
            let mut entry = index_prefix(def.label, def.key);
            entry.extend_from_slice(&index_entry(value, id));
            entries.push(entry);
        }
        for class in taken {
            self.unique_taken.insert(class, id);
        }
        Ok(entries)
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
        let rel_type = self.token(TokenKind::RelType, rel_type);
        let props = self.property_tokens(props);
        self.create_relationship_with(start, end, rel_type, props)
    }

    /// [`BulkWriter::create_relationship`] with the type and property keys as tokens
    /// ([`BulkWriter::token`]).
    pub fn create_relationship_with(
        &mut self,
        start: NodeId,
        end: NodeId,
        type_token: Token,
        props: Vec<(Token, Value)>,
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
        let record = RelRecord {
            header: RelHeader {
                rel_type: type_token,
                start,
                end,
            },
            props: stored_props(props)?,
        };
        self.properties += record.props.len() as u64;
        let id = self.txn.next_rel;
        let bytes = codec::encode_rel(&record)?;
        for (key, value) in self
            .txn
            .new_element_rows(Element::Relationship(id), &record.props)?
        {
            self.push(key, value);
        }
        // New nodes were asserted when they were made; those from before, here.
        for node in [start, end] {
            if node < self.first_node {
                self.txn.assert_existing_node(node)?;
            }
        }
        self.txn.next_rel += 1;
        for (key, value) in self.rel_chunks.add(id, bytes) {
            self.push(key, value);
        }
        self.add_entry(start, (DIR_OUT, type_token, end, id));
        self.add_entry(end, (DIR_IN, type_token, start, id));
        *self.type_counts.entry(type_token).or_default() += 1;
        if self.adjacency.entries >= self.max_entries {
            self.spill_adjacency(true)?;
        }
        self.apply_if_full()?;
        Ok(id)
    }

    fn add_entry(&mut self, node: NodeId, entry: AdjEntry) {
        if node < self.first_node {
            self.old_adjacency.entry(node).or_default().push(entry);
        } else {
            self.adjacency.add(node, entry);
        }
    }

    fn push(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.pending_bytes += key.len() + value.len() + BUFFERED_WRITE_BYTES;
        self.pending.push((key, Some(value)));
    }

    /// Moves the node and relationship chunks being filled to the pending writes.
    fn seal_chunks(&mut self) {
        for (key, chunk) in [self.node_chunks.seal(), self.rel_chunks.seal()]
            .into_iter()
            .flatten()
        {
            self.push(key, chunk);
        }
    }

    /// Moves the label bitmaps no later node can change (all of them when `all`) to the
    /// pending writes, except those of `first_node`'s chunk.
    fn seal_label_bits(&mut self, all: bool) {
        let first_chunk = self.first_node >> keys::LABEL_CHUNK_BITS;
        let open_chunk = self.txn.next_node >> keys::LABEL_CHUNK_BITS;
        let bits = std::mem::take(&mut self.label_bits);
        for ((label, chunk), bits) in bits {
            if chunk == first_chunk || (!all && chunk >= open_chunk) {
                self.label_bits.insert((label, chunk), bits);
            } else {
                let key = keys::label_chunk(label, chunk << keys::LABEL_CHUNK_BITS);
                self.push(key, codec::encode_u64(bits));
            }
        }
    }

    /// Writes the index entries gathered so far, when the caller expects to create no
    /// more nodes for a while (the importer, when the relationship files begin): the
    /// applying thread writes them while relationships are built.
    pub fn finish_nodes(&mut self) -> Result<()> {
        self.spill_index_entries()?;
        self.apply_pending()
    }

    /// Writes the gathered entries of each index that had no blocks as its blocks, and
    /// keeps the others for the final batch.
    fn spill_index_entries(&mut self) -> Result<()> {
        let mut entries = std::mem::take(&mut self.index_entries);
        self.index_bytes = 0;
        entries.sort_unstable();
        let mut rest = entries.as_slice();
        while let Some(first) = rest.first() {
            let prefix = first.get(..INDEX_PREFIX_LEN).unwrap_or_default().to_vec();
            let len = rest.partition_point(|e| e.starts_with(&prefix));
            let (run, after) = rest.split_at(len);
            rest = after;
            if !self.fresh_indexes.remove(&prefix) {
                self.late_index_entries.extend_from_slice(run);
                continue;
            }
            let run: Vec<Vec<u8>> = run
                .iter()
                .map(|e| e.get(INDEX_PREFIX_LEN..).unwrap_or_default().to_vec())
                .collect();
            let written_before = self.pending.len();
            index_blocks::new_blocks(&prefix, &run, &mut self.pending);
            for (key, value) in self.pending.get(written_before..).unwrap_or_default() {
                self.pending_bytes +=
                    key.len() + value.as_ref().map_or(0, Vec::len) + BUFFERED_WRITE_BYTES;
            }
            self.apply_if_full()?;
        }
        Ok(())
    }

    /// Writes the buffered adjacency of this writer's nodes as chunks: full ones sealed,
    /// the rest as each node's open chunk (merged with the one an earlier spill wrote).
    /// `more` says whether more entries may follow, so that open chunks are remembered.
    fn spill_adjacency(&mut self, more: bool) -> Result<()> {
        let nodes = self.adjacency.take();
        if nodes
            .iter()
            .any(|(node, _)| self.tails_written.contains(node))
        {
            // Open chunks are read back from the engine: everything sent must be in.
            self.apply_all()?;
        }
        for (node, new_entries) in nodes {
            let had_tail = self.tails_written.contains(&node);
            let mut entries = Vec::new();
            if had_tail {
                let tail_key = keys::adj_chunk(node, keys::ADJ_TAIL);
                if let Some(bytes) = self.txn.store.engine.get(&tail_key)? {
                    entries.extend(codec::adj_entries(&bytes)?);
                }
            }
            let entries = if entries.is_empty() {
                new_entries
            } else {
                entries.extend(new_entries);
                entries
            };
            let written_before = self.pending.len();
            let open = write_chunks(&mut self.pending, node, &entries, had_tail);
            self.pending_bytes += entries.len() * codec::ADJ_ENTRY_LEN
                + (self.pending.len() - written_before)
                    * (keys::ADJ_KEY_LEN + BUFFERED_WRITE_BYTES);
            if open && more {
                self.tails_written.insert(node);
            } else if had_tail {
                self.tails_written.remove(&node);
            }
            self.apply_if_full()?;
        }
        Ok(())
    }

    fn apply_if_full(&mut self) -> Result<()> {
        if self.pending_bytes >= self.batch_bytes {
            self.apply_pending()?;
        }
        Ok(())
    }

    /// Writes the pending writes as one batch, after the journal record.
    fn apply_pending(&mut self) -> Result<()> {
        self.seal_label_bits(false);
        if self.pending.is_empty() {
            return Ok(());
        }
        self.begin_journal()?;
        self.pending_bytes = 0;
        let mut batch = std::mem::take(&mut self.pending);
        if let Some(undo) = &mut self.early_undo {
            undo.note(&mut batch)?;
        }
        match &self.background {
            Some(background) => background.send(&*self.txn.store.engine, batch),
            None => self.txn.store.engine.apply_each(batch),
        }
    }

    /// Writes the journal record unless written: before the first write that is not
    /// part of the final batch.
    fn begin_journal(&mut self) -> Result<()> {
        if self.journal.written {
            return Ok(());
        }
        self.journal.begin(self.first_node, self.first_rel)
    }

    /// Writes the pending writes and waits until every batch is in the engine.
    fn apply_all(&mut self) -> Result<()> {
        self.apply_pending()?;
        match &self.background {
            Some(background) => background.drain(&*self.txn.store.engine),
            None => Ok(()),
        }
    }

    /// Writes what is left: the last batches, then in one atomic, durable batch the
    /// writes to keys that may hold earlier data, the counts, and the end of the
    /// journal.
    pub fn finish(mut self) -> Result<()> {
        self.seal_chunks();
        self.spill_index_entries()?;
        self.spill_adjacency(false)?;
        self.seal_label_bits(true);
        // Late index entries go into blocks read back from the engine: everything
        // else must be in first.
        let mut batch: Batch = if self.journal.written || !self.late_index_entries.is_empty() {
            self.apply_all()?;
            self.txn.store.engine.flush()?;
            vec![(keys::meta(keys::META_IMPORT), None)]
        } else {
            std::mem::take(&mut self.pending)
        };
        let BulkWriter {
            journal,
            mut txn,
            label_bits,
            node_chunks,
            rel_chunks,
            old_adjacency,
            late_index_entries,
            label_counts,
            type_counts,
            properties,
            early_undo,
            ..
        } = self;

        for entry in late_index_entries {
            let (prefix, entry) = entry.split_at(INDEX_PREFIX_LEN.min(entry.len()));
            txn.insert_index_entry(prefix, entry)?;
        }

        for ((label, chunk), bits) in label_bits {
            // The first bitmap of each label may already hold earlier nodes.
            let key = keys::label_chunk(label, chunk << keys::LABEL_CHUNK_BITS);
            let existing = match txn.get(&key)? {
                Some(bytes) => codec::decode_u64(&bytes)?,
                None => 0,
            };
            batch.push((key, Some(codec::encode_u64(existing | bits))));
        }

        for chunks in [&node_chunks, &rel_chunks] {
            if let Some((key, chunk)) = chunks.first_write(&txn)? {
                batch.push((key, Some(chunk)));
            }
        }

        for (node, new_entries) in old_adjacency {
            let tail_key = keys::adj_chunk(node, keys::ADJ_TAIL);
            let existing_tail = txn.get(&tail_key)?;
            let mut entries: Entries = match &existing_tail {
                Some(bytes) => codec::adj_entries(bytes)?.collect(),
                None => Vec::new(),
            };
            entries.extend(new_entries);
            write_chunks(&mut batch, node, &entries, existing_tail.is_some());
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
            (keys::META_NODE_COUNT, txn.next_node - txn.first_node),
            (keys::META_REL_COUNT, txn.next_rel - txn.first_rel),
        ] {
            if delta > 0 {
                let key = keys::meta(sub);
                let now = txn.read_count(&key)?;
                batch.push((key, Some(codec::encode_u64(now + delta))));
            }
        }
        let ids = super::history::BulkIds {
            nodes: (txn.first_node, txn.next_node),
            relationships: (txn.first_rel, txn.next_rel),
            properties,
        };
        txn.commit_with(batch, Some(super::history::BulkCommit { ids, early_undo }))?;
        journal.done();
        Ok(())
    }
}

/// Adds the writes that store `entries` as the whole open end of `node`'s adjacency:
/// full chunks sealed (each keyed by its last relationship id), the rest as the open
/// chunk, which is removed when nothing is left for it and `had_tail` says it existed.
/// Returns whether an open chunk was written.
fn write_chunks(batch: &mut Batch, node: NodeId, entries: &[AdjEntry], had_tail: bool) -> bool {
    let mut full = entries.chunks_exact(ADJ_CHUNK_CAP);
    for sealed in full.by_ref() {
        let bound = sealed.last().map_or(keys::ADJ_TAIL, |(_, _, _, rel)| *rel);
        batch.push((
            keys::adj_chunk(node, bound),
            Some(codec::encode_adj(sealed)),
        ));
    }
    let rest = full.remainder();
    let tail_key = keys::adj_chunk(node, keys::ADJ_TAIL);
    if !rest.is_empty() {
        batch.push((tail_key, Some(codec::encode_adj(rest))));
    } else if had_tail {
        batch.push((tail_key, None));
    }
    !rest.is_empty()
}

/// The import journal of one bulk writer: whether it wrote the record, and the undo of
/// its batches when it ends without `finish`.
struct Journal<'s> {
    engine: &'s dyn KvEngine,
    written: bool,
}

impl Journal<'_> {
    /// Writes the journal record durably, before any batch.
    fn begin(&mut self, first_node: NodeId, first_rel: RelId) -> Result<()> {
        let mut record = first_node.to_be_bytes().to_vec();
        record.extend_from_slice(&first_rel.to_be_bytes());
        self.engine
            .apply(vec![(keys::meta(keys::META_IMPORT), Some(record))])?;
        // Written, if not yet durable: should the flush fail, the undo removes it, or
        // the record would undo the writes of whatever takes these ids next.
        self.written = true;
        self.engine.flush()
    }

    /// The final batch removed the record: nothing is left to undo.
    fn done(mut self) {
        self.written = false;
    }
}

impl Drop for Journal<'_> {
    fn drop(&mut self) {
        if self.written {
            // Should the undo fail, the record stays and the next open undoes.
            let _ = recover(self.engine);
        }
    }
}

/// Deletes at most this many keys per batch while undoing an import.
const UNDO_BATCH: usize = 65_536;

/// Undoes an unfinished import if the store holds a journal record: deletes every key
/// the import's batches may have written, then the record. Run when a store is opened
/// and when a bulk writer is dropped unfinished.
pub(super) fn recover(engine: &dyn KvEngine) -> Result<()> {
    let journal_key = keys::meta(keys::META_IMPORT);
    let Some(record) = engine.get(&journal_key)? else {
        return Ok(());
    };
    let (Some(first_node), Some(first_rel)) = (
        record.get(..8).and_then(keys::be_u64),
        record.get(8..).and_then(keys::be_u64),
    ) else {
        return Err(codec::corrupt("the import journal record is malformed"));
    };
    let first_label_chunk = first_node >> keys::LABEL_CHUNK_BITS;
    let after_first_chunk = |id: u64| ((id >> keys::CHUNK_BITS) + 1) << keys::CHUNK_BITS;
    let label_is_new = |key: &[u8], _: &[u8]| {
        key.get(5..)
            .and_then(keys::be_u64)
            .is_some_and(|chunk| chunk > first_label_chunk)
    };
    // Blocks were written early only for indexes that had none: a block all of whose
    // entries are new is the import's.
    let index_is_new = |_: &[u8], block: &[u8]| {
        codec::decode_index_block(block).is_ok_and(|entries| {
            entries
                .iter()
                .all(|e| index_blocks::entry_node(e).is_ok_and(|id| id >= first_node))
        })
    };
    let everything = |_: &[u8], _: &[u8]| true;
    let provenance_is_new =
        |key: &[u8], _: &[u8]| Txn::names_new_element(key, first_node, first_rel);
    type IsNew<'f> = &'f dyn Fn(&[u8], &[u8]) -> bool;
    let ranges: [(Vec<u8>, u8, IsNew); 11] = [
        (
            keys::node_chunk(after_first_chunk(first_node)),
            keys::NODE,
            &everything,
        ),
        (
            keys::rel_chunk(after_first_chunk(first_rel)),
            keys::REL,
            &everything,
        ),
        (
            keys::record_apart(keys::NODE_APART, first_node),
            keys::NODE_APART,
            &everything,
        ),
        (
            keys::record_apart(keys::REL_APART, first_rel),
            keys::REL_APART,
            &everything,
        ),
        (keys::adj_prefix_node(first_node), keys::ADJ, &everything),
        (vec![keys::LABEL], keys::LABEL, &label_is_new),
        (vec![keys::INDEX], keys::INDEX, &index_is_new),
        (vec![keys::ASSERT], keys::ASSERT, &provenance_is_new),
        (vec![keys::CLAIM], keys::CLAIM, &provenance_is_new),
        (vec![keys::BY_SOURCE], keys::BY_SOURCE, &provenance_is_new),
        (
            super::history::uncommitted_undo_start(engine)?,
            keys::UNDO,
            &everything,
        ),
    ];
    for (start, keyspace, is_new) in ranges {
        let end = keys::prefix_end(&[keyspace]);
        let mut batch: Batch = Vec::new();
        for entry in engine.scan(start, end) {
            let (key, value) = entry?;
            if is_new(&key, &value) {
                batch.push((key, None));
            }
            if batch.len() >= UNDO_BATCH {
                engine.apply_each(std::mem::take(&mut batch))?;
            }
        }
        engine.apply_each(batch)?;
    }
    engine.apply(vec![(journal_key, None)])?;
    engine.flush()
}
