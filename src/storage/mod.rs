//! The storage boundary: a property graph over an ordered, transactional key-value engine.
//! Only this module names sled (in `sled_engine`).
//!
//! Layers, bottom up:
//! - `kv`: the engine trait (get, ordered scan, atomic batch, flush) and the in-memory
//!   engine; `sled_engine` is the durable one.
//! - `keys` / `codec`: key layout (keyspace byte first, big-endian ids) and the record
//!   and value encoding (postcard behind a format-version byte).
//! - `overlay`: a transaction's write buffer with an undo log for savepoints.
//! - `graph`: nodes, relationships, chunked adjacency, the label index and counts,
//!   written once over the engine trait so that every backend shares it; `schema` and
//!   `index_key`: property indexes and uniqueness constraints; `bulk`: the import path
//!   (bounded batches under a journal record, undone after a failure or a crash);
//!   `cache`: committed node records, adjacency, counts, index seeks, label lists and
//!   bitmaps, property and degree columns kept decoded in memory and lent to the running
//!   transaction; `disk`: opening a folder (format
//!   checks, recovery of an unfinished import, loading ids and names); `faulty`: a
//!   fault-injecting engine for tests.
//!
//! Guarantees:
//! - `Store` is one open database (sled-backed or in memory). Inside a process one
//!   folder is one `Store` (`open_shared`); another process gets `database at PATH is in
//!   use by another process` at once.
//! - `Txn` is a consistent read view plus a write buffer; reads see the buffer's own
//!   writes; `commit` applies the buffer as one atomic batch and flushes it before
//!   returning, so a committed transaction survives a crash (kill -9, power loss as far
//!   as the disk honours fsync) and a half-applied one is never seen. `drop` without
//!   commit discards it. One writing `Txn` at a time per `Store`: `begin` waits for the
//!   previous one to end (an error, not a wait, when the same thread still holds one).
//!   Any number of readers (`begin_reader`) run beside it, each on the last commit
//!   before it began; a commit applies between readers (`turns`).
//! - `Txn::savepoint` / `rollback_to` give statement-level atomicity inside an explicit
//!   transaction.
//! - Reading a deleted or unknown entity gives `Ok(None)` or an empty answer; writing to
//!   one is an `EntityNotFound` error.

mod bulk;
mod cache;
mod check;
mod codec;
mod disk;
pub mod faulty;
mod graph;
mod history;
mod index_blocks;
mod index_key;
mod keys;
mod kv;
mod overlay;
mod schema;
mod sled_engine;
mod sources;
mod tokens;
mod turns;
mod valid;

use crate::error::{Error, ErrorClass, Result};
use crate::value::{NodeId, RelId};
pub use keys::{Token, TokenKind};
use kv::{KvEngine, MemoryEngine};
use overlay::Overlay;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};
use tokens::Tokens;

pub use bulk::{BulkWriter, DEFAULT_MEMORY_BUDGET};
pub use check::Violation;
pub use graph::{LabelSet, TypeSet};
pub use history::CommitFilter;
pub use schema::SchemaVersion;
pub use sources::{Attribution, Element, ProvenanceRecord, Withdrawn};
pub use valid::ValidAt;

/// Direction of an expansion, seen from the node being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Outgoing,
    Incoming,
    Both,
}

/// One relationship seen from a node during expansion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub rel: RelId,
    pub rel_type: Arc<str>,
    /// The relationship's own start and end (not relative to the expanded node).
    pub start: NodeId,
    pub end: NodeId,
}

/// A relationship's identity and endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelInfo {
    pub id: RelId,
    pub rel_type: Arc<str>,
    pub start: NodeId,
    pub end: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    Index,
    UniqueConstraint,
}

/// An index or a uniqueness constraint on (label, key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaEntry {
    pub name: String,
    pub kind: SchemaKind,
    pub label: String,
    pub key: String,
}

/// What the store knows as committed, beyond the engine's keys: the next ids to hand
/// out and the interned names. Changed only by a commit.
#[derive(Clone, Default)]
struct Committed {
    next_node: NodeId,
    next_rel: RelId,
    tokens: Arc<Tokens>,
    schema: Arc<Vec<schema::SchemaDef>>,
    /// Whether the store holds provenance (see `sources`).
    provenance: bool,
    /// The last transaction and the oldest still readable (see `history`).
    clock: history::Clock,
}

/// Locks a mutex, ignoring poisoning: every value behind our mutexes is replaced whole,
/// never left half-updated by a panic.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stores open in this process, by canonical folder path: sled locks a folder for
/// one opener, so a second `open_shared` of the same folder must share the first.
static OPEN_STORES: LazyLock<Mutex<HashMap<PathBuf, Weak<Store>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// When each store of this process was closed: sled's background threads let go of the
/// folder's lock a moment after the store is dropped, so a reopen soon after waits for it.
static CLOSED_AT: LazyLock<Mutex<HashMap<PathBuf, Instant>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// How long after closing a store of this process its lock may still be held.
const RELOCK_WINDOW: Duration = Duration::from_secs(2);
const RELOCK_STEP: Duration = Duration::from_millis(5);

pub struct Store {
    /// The canonical folder of an on-disk store.
    folder: Option<PathBuf>,
    engine: Box<dyn KvEngine>,
    /// The caches not lent to a running transaction (see `cache::CacheLease`).
    cache: Mutex<Vec<cache::CommittedCache>>,
    writer: turns::WriterLock,
    /// Keeps commits from applying while readers read (see `turns`).
    gate: turns::CommitGate,
    committed: Mutex<Committed>,
    /// Why the store refuses every transaction: a commit that failed to become durable
    /// could not be taken back either, so what the engine holds is not what was
    /// committed. Reopening the database reads what is on disk.
    broken: Mutex<Option<String>>,
}

impl Store {
    /// Opens (creating if absent) the database in folder `path`; a path already open in
    /// this process returns the same store.
    pub fn open_shared(path: &Path) -> Result<Arc<Store>> {
        // Held while opening, so two threads opening one path cannot both reach sled.
        let mut open = lock(&OPEN_STORES);
        disk::prepare_folder(path)?;
        let canonical = path.canonicalize().map_err(|e| {
            Error::storage(format!(
                "cannot open the database at {}: {e}",
                path.display()
            ))
        })?;
        if let Some(store) = open.get(&canonical).and_then(Weak::upgrade) {
            return Ok(store);
        }
        // A store of this process that was just closed may still hold sled's lock for a
        // moment (its background threads let go of the file last); only then is waiting
        // worth it. Another process's lock is reported at once.
        let closed_record = disk::read_closed(path)?;
        let closed_at = lock(&CLOSED_AT).get(&canonical).copied();
        let engine = loop {
            if let Some(engine) = sled_engine::SledEngine::open(&canonical, path)? {
                break engine;
            }
            if closed_at.is_none_or(|at| at.elapsed() >= RELOCK_WINDOW) {
                return Err(Error::storage(format!(
                    "database at {} is in use by another process",
                    path.display()
                )));
            }
            std::thread::sleep(RELOCK_STEP);
        };
        let committed = disk::load(&engine, path)?;
        if let Some(closed) = closed_record {
            disk::verify_closed(path, closed, disk::ClosedAt::of(&committed))?;
        }
        let mut store = Store::with_engine(Box::new(engine), committed);
        store.folder = Some(canonical.clone());
        let store = Arc::new(store);
        open.retain(|_, s| s.strong_count() > 0);
        open.insert(canonical, Arc::downgrade(&store));
        Ok(store)
    }

    /// A database that lives in memory only.
    pub fn in_memory() -> Store {
        Store::with_engine(Box::new(MemoryEngine::new()), Committed::default())
    }

    /// A database over a fault-injecting disk (see `faulty`), opened as a folder is:
    /// format record, recovery of an unfinished import, ids and names.
    #[doc(hidden)]
    pub fn over_faulty(disk: &faulty::Disk) -> Result<Store> {
        let engine = disk.engine();
        let committed = disk::load(&engine, Path::new("(fault-injecting disk)"))?;
        Ok(Store::with_engine(Box::new(engine), committed))
    }

    fn with_engine(engine: Box<dyn KvEngine>, committed: Committed) -> Store {
        Store {
            folder: None,
            engine,
            cache: Mutex::default(),
            writer: turns::WriterLock::default(),
            gate: turns::CommitGate::default(),
            committed: Mutex::new(committed),
            broken: Mutex::new(None),
        }
    }

    /// Refuses every transaction from now on, for `why`.
    fn break_down(&self, why: &Error) {
        *lock(&self.broken) = Some(format!(
            "a commit failed and could not be taken back ({why}); reopen the database"
        ));
    }

    /// An error when the store refuses transactions (see `broken`).
    fn check_usable(&self) -> Result<()> {
        match &*lock(&self.broken) {
            Some(why) => Err(Error::storage(why.clone())),
            None => Ok(()),
        }
    }

    /// Bytes the database occupies on disk; `None` for an in-memory store.
    pub fn size_on_disk(&self) -> Result<Option<u64>> {
        self.engine.size_on_disk()
    }

    /// Starts a transaction (serialized with other writers of this store).
    pub fn begin(&self) -> Result<Txn<'_>> {
        self.begin_waiting(None)
    }

    /// [`Store::begin`], waiting at most `wait` (when given) for the writer's turn.
    pub fn begin_waiting(&self, wait: Option<Duration>) -> Result<Txn<'_>> {
        self.check_usable()?;
        Ok(self.begin_holding(self.writer.acquire(wait)?))
    }

    /// The number of the last committed transaction, read without waiting for a turn.
    pub fn last_committed_transaction(&self) -> u64 {
        lock(&self.committed).clock.last_tx
    }

    /// A transaction over the committed state, for the writer whose turn `writer` is.
    /// A read-only transaction over the committed state, which runs beside the writer
    /// (and other readers) instead of taking turns with it: it reads what the last
    /// commit before it left, and no commit applies until it is dropped (see `turns`).
    /// Waits at most `wait` (when given) for a commit that is applying. Its writes are
    /// refused at commit; a statement that may write takes [`Store::begin`] instead.
    pub fn begin_reader(&self, wait: Option<Duration>) -> Result<Txn<'_>> {
        self.check_usable()?;
        let reading = self.gate.read(wait)?;
        let committed = lock(&self.committed).clone();
        Ok(Txn::over(
            self,
            cache::CacheLease::take(self),
            Turn::Reader { _turn: reading },
            None,
            committed.clock,
            committed,
        ))
    }

    fn begin_holding<'s>(&'s self, writer: turns::WriterGuard<'s>) -> Txn<'s> {
        let committed = lock(&self.committed).clone();
        Txn::over(
            self,
            cache::CacheLease::take(self),
            Turn::Writer(writer),
            None,
            committed.clock,
            committed,
        )
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some(folder) = self.folder.take() {
            // A clean close is recorded for the next open to hold the store to (see
            // `disk`); a store that refused writes, or whose flush fails, records nothing.
            if lock(&self.broken).is_none() && self.engine.flush().is_ok() {
                let closed = disk::ClosedAt::of(&lock(&self.committed));
                let _ = disk::write_closed(&folder, closed);
            }
            lock(&CLOSED_AT).insert(folder, Instant::now());
        }
    }
}

/// The names a transaction sees: the committed ones plus those it interned itself.
/// Interned names are not undone by `rollback_to` (an unused token is harmless) but are
/// dropped with the transaction.
struct TxnTokens {
    base: Arc<Tokens>,
    added: [Vec<Arc<str>>; 3],
    added_by_name: [foldhash::HashMap<String, Token>; 3],
}

impl TxnTokens {
    fn get(&self, kind: TokenKind, name: &str) -> Option<Token> {
        self.base.get(kind, name).or_else(|| {
            if self.added[kind as usize].is_empty() {
                None
            } else {
                self.added_by_name[kind as usize].get(name).copied()
            }
        })
    }

    fn name(&self, kind: TokenKind, token: Token) -> Option<&str> {
        let base_len = self.base.len(kind);
        match (token as usize).checked_sub(base_len) {
            None => self.base.name(kind, token),
            Some(i) => self.added[kind as usize].get(i).map(|n| &**n),
        }
    }

    fn shared_name(&self, kind: TokenKind, token: Token) -> Option<Arc<str>> {
        let base_len = self.base.len(kind);
        match (token as usize).checked_sub(base_len) {
            None => self.base.shared_name(kind, token),
            Some(i) => self.added[kind as usize].get(i).cloned(),
        }
    }

    fn intern(&mut self, kind: TokenKind, name: &str) -> Token {
        if let Some(t) = self.get(kind, name) {
            return t;
        }
        let token = (self.base.len(kind) + self.added[kind as usize].len()) as Token;
        self.added[kind as usize].push(Arc::from(name));
        self.added_by_name[kind as usize].insert(name.to_string(), token);
        token
    }

    /// Every name of `kind` with its token.
    fn all(&self, kind: TokenKind) -> impl Iterator<Item = (Token, &str)> {
        self.base
            .names(kind)
            .iter()
            .chain(self.added[kind as usize].iter())
            .enumerate()
            .map(|(i, n)| (i as Token, &**n))
    }
}

/// The error detail of a reader's commit that finds writes (a write procedure, which
/// only its plan shows): the statement is to run again as a writer.
pub const READER_WROTE: &str = "ReaderWrote";

/// What lets a transaction use its store (see `turns`).
enum Turn<'s> {
    /// The writer's turn: the transaction may write and commit.
    Writer(turns::WriterGuard<'s>),
    /// A read turn: the transaction reads beside the writer and cannot commit writes.
    Reader { _turn: turns::ReadTurn<'s> },
    /// Neither: a reading of the past, which runs inside a transaction that has a turn.
    Inside,
}

pub struct Txn<'s> {
    store: &'s Store,
    /// Declared before `turn`: the cache goes back to the store before the next
    /// transaction may start (or, for a reader, before a commit may apply).
    cache: cache::CacheLease<'s>,
    turn: Turn<'s>,
    /// The apply turn, held from the start by a bulk writer, whose batches reach the
    /// engine before it commits.
    applying: Option<turns::ApplyTurn<'s>>,
    /// What a reading of the past reads instead of the store's engine (`Txn::as_of`).
    past: Option<Box<history::PastEngine<'s>>>,
    /// The history clock as this transaction sees it.
    clock: history::Clock,
    overlay: Overlay,
    tokens: TxnTokens,
    /// Index and constraint definitions as this transaction sees them.
    schema: Arc<Vec<schema::SchemaDef>>,
    /// Definitions before each schema change, with the undo position it was made at.
    schema_undo: Vec<(usize, Arc<Vec<schema::SchemaDef>>)>,
    next_node: NodeId,
    next_rel: RelId,
    first_node: NodeId,
    first_rel: RelId,
    /// What the engine answered to the last seek for a block of each index
    /// (`index_blocks`).
    last_block_seeks: Vec<index_blocks::EngineSeek>,
    provenance: sources::Provenance,
    /// The instant reads are restricted to (`VALID AT`), see `valid`.
    valid: Option<valid::ValidFilter>,
}

pub type Scan<'t, T> = Box<dyn Iterator<Item = Result<T>> + 't>;

impl<'s> Txn<'s> {
    /// Whether the transaction has written nothing yet, so that what it read stays true.
    pub fn is_unchanged(&self) -> bool {
        self.overlay.is_empty()
    }

    /// Applies every write of the transaction at once and makes it durable. A
    /// transaction that wrote nothing touches nothing.
    pub fn commit(self) -> Result<()> {
        self.commit_with(Vec::new(), None)
    }

    /// Commits what the transaction wrote so far, as [`Txn::commit`] does, and goes on
    /// as a new transaction over the committed state: the writer's turn is kept (no other
    /// transaction starts in between) and so is the source it writes under. Returns the
    /// number the commit got (`None`: it changed nothing, so it got none). For a
    /// statement whose batches commit one by one (`CALL { … } IN TRANSACTIONS`); after
    /// an error the transaction holds nothing and must be dropped.
    pub fn commit_and_continue(&mut self) -> Result<Option<u64>> {
        let writer = match std::mem::replace(&mut self.turn, Turn::Inside) {
            Turn::Writer(writer) => writer,
            other => {
                self.turn = other;
                return Err(Error::new(
                    ErrorClass::TransactionError,
                    "",
                    "a read-only transaction cannot commit",
                ));
            }
        };
        let store = self.store;
        let source = self.writing_source();
        let before = self.clock.last_tx;
        let placeholder = Txn::over(
            store,
            cache::CacheLease::private(store),
            Turn::Inside,
            None,
            self.clock,
            Committed::default(),
        );
        std::mem::replace(self, placeholder).commit()?;
        *self = store.begin_holding(writer);
        if let Some(name) = source {
            self.begin_source(&name, None)?;
        }
        let after = self.clock.last_tx;
        Ok((after > before).then_some(after))
    }

    /// Commits the buffer together with `extra` writes (the bulk writer's, which also
    /// gives the ids it created), in one batch.
    fn commit_with(self, extra: kv::Batch, bulk: Option<history::BulkCommit>) -> Result<()> {
        let idle = extra.is_empty() && self.writes_only_load_record();
        let Txn {
            store,
            cache,
            turn,
            applying,
            past,
            mut clock,
            overlay,
            tokens,
            schema,
            schema_undo: _,
            next_node,
            next_rel,
            first_node,
            first_rel,
            last_block_seeks: _,
            provenance,
            valid: _,
        } = self;
        if past.is_some() {
            return Ok(());
        }
        if matches!(turn, Turn::Reader { .. }) && !overlay.is_empty() {
            return Err(Error::new(
                ErrorClass::TransactionError,
                READER_WROTE,
                "a read-only transaction cannot write",
            ));
        }
        let overlay = if idle { Overlay::default() } else { overlay };
        let new_tokens = tokens.added.iter().any(|a| !a.is_empty());
        let schema_changed = !Arc::ptr_eq(&schema, &lock(&store.committed).schema);
        if overlay.is_empty()
            && extra.is_empty()
            && !new_tokens
            && next_node == first_node
            && next_rel == first_rel
        {
            drop(cache);
            return Ok(());
        }
        let mut batch = overlay.into_batch();
        batch.extend(extra);
        let mut merged = (*tokens.base).clone();
        for kind in TokenKind::ALL {
            let base_len = tokens.base.len(kind);
            for (i, name) in tokens.added[kind as usize].iter().enumerate() {
                let token = (base_len + i) as Token;
                batch.push((keys::token(kind, name), Some(token.to_be_bytes().to_vec())));
                batch.push((
                    keys::token_name(kind, token),
                    Some(name.as_bytes().to_vec()),
                ));
                merged.insert(kind, name.to_string(), token);
            }
        }
        if next_node != first_node {
            batch.push((
                keys::meta(keys::META_NEXT_NODE),
                Some(codec::encode_u64(next_node)),
            ));
        }
        if next_rel != first_rel {
            batch.push((
                keys::meta(keys::META_NEXT_REL),
                Some(codec::encode_u64(next_rel)),
            ));
        }
        // The commit's history goes into the same batch: a crash keeps both or neither.
        let mut recorded = history::record(&*store.engine, &batch, clock.last_tx + 1)?;
        if recorded.changed() || bulk.is_some() {
            clock.last_tx += 1;
            clock.last_micros = clock
                .last_micros
                .max(jiff::Timestamp::now().as_microsecond());
            let (bulk, early_undo) = match bulk {
                Some(history::BulkCommit { ids, early_undo }) => (Some(ids), early_undo),
                None => (None, None),
            };
            if let Some(ids) = bulk {
                // Most of the import's batches are already in the engine, out of this
                // batch's sight: its own counts are the commit's.
                recorded.counts = history::ChangeCounts {
                    nodes_created: ids.nodes.1 - ids.nodes.0,
                    relationships_created: ids.relationships.1 - ids.relationships.0,
                    properties_set: ids.properties,
                    ..history::ChangeCounts::default()
                };
                let before_was_empty = ids.nodes.0 == 0 && ids.relationships.0 == 0;
                if !before_was_empty && early_undo.is_none() {
                    clock.oldest_tx = clock.last_tx;
                    batch.push((
                        keys::meta(keys::META_OLDEST_TX),
                        Some(codec::encode_u64(clock.oldest_tx)),
                    ));
                }
            }
            batch.extend(history::commit_writes(
                clock.last_tx,
                clock.last_micros,
                provenance.named.clone(),
                recorded,
                bulk,
                early_undo,
                (next_node, next_rel),
            )?);
        }
        let written: Vec<kv::Key> = batch
            .iter()
            .filter(|(k, _)| cache::is_cached_keyspace(k))
            .map(|(k, _)| k.clone())
            .collect();
        // What the batch's keys held, to take the batch back should it not become
        // durable: a commit that returns an error is not there.
        let mut undo = kv::Batch::with_capacity(batch.len());
        for (key, _) in &batch {
            undo.push((key.clone(), store.engine.get(key)?));
        }
        // Readers see no commit half-applied: the batch, the caches and the committed
        // state change while none reads.
        let _applying = applying.unwrap_or_else(|| store.gate.apply());
        let applied = store.engine.apply(batch);
        cache.invalidate(&written);
        drop(cache);
        applied?;
        if let Err(e) = store.engine.flush() {
            // Every image was read before the batch applied, so a key the batch wrote
            // twice has the same one twice.
            if let Err(undo_failed) = store.engine.apply(undo).and_then(|()| store.engine.flush()) {
                store.break_down(&undo_failed);
            }
            return Err(e);
        }
        let mut committed = lock(&store.committed);
        committed.next_node = next_node;
        committed.next_rel = next_rel;
        if new_tokens {
            committed.tokens = Arc::new(merged);
        }
        if schema_changed {
            committed.schema = schema;
        }
        committed.provenance |= provenance.tracked;
        committed.clock = clock;
        Ok(())
    }

    /// The engine this transaction reads: the store's, or the past it was opened on.
    pub(super) fn engine(&self) -> &dyn kv::KvEngine {
        match &self.past {
            Some(past) => &**past,
            None => &*self.store.engine,
        }
    }

    /// A read-only view of the graph exactly as transaction `tx` left it (0: the empty
    /// graph), for one statement inside this transaction (which keeps commits out while
    /// it runs). `tx` must be readable (`check_readable`).
    pub fn as_of(&self, tx: u64) -> Result<Txn<'s>> {
        let tx = self.check_readable(i64::try_from(tx).unwrap_or(i64::MAX))?;
        let past = history::PastEngine::new(&*self.store.engine, tx)?;
        let committed = disk::read_committed(&past, self.tokens.base.clone())?;
        let clock = history::Clock {
            last_tx: tx,
            ..self.clock
        };
        Ok(Txn::over(
            self.store,
            cache::CacheLease::private(self.store),
            Turn::Inside,
            Some(Box::new(past)),
            clock,
            committed,
        ))
    }

    /// A transaction over `store` that sees `committed` (read from the engine it reads:
    /// the store's, or `past`).
    fn over(
        store: &'s Store,
        cache: cache::CacheLease<'s>,
        turn: Turn<'s>,
        past: Option<Box<history::PastEngine<'s>>>,
        clock: history::Clock,
        committed: Committed,
    ) -> Txn<'s> {
        Txn {
            store,
            cache,
            turn,
            applying: None,
            past,
            clock,
            overlay: Overlay::default(),
            tokens: TxnTokens {
                base: committed.tokens,
                added: Default::default(),
                added_by_name: Default::default(),
            },
            schema: committed.schema,
            schema_undo: Vec::new(),
            next_node: committed.next_node,
            next_rel: committed.next_rel,
            first_node: committed.next_node,
            first_rel: committed.next_rel,
            last_block_seeks: Vec::new(),
            provenance: sources::Provenance::new(committed.provenance),
            valid: None,
        }
    }

    /// A point to roll back to: statement-level atomicity inside a transaction.
    pub fn savepoint(&self) -> usize {
        self.overlay.savepoint()
    }

    /// Undoes every write made since `savepoint` was taken.
    pub fn rollback_to(&mut self, savepoint: usize) {
        self.overlay.rollback_to(savepoint);
        while let Some((at, _)) = self.schema_undo.last() {
            if *at < savepoint {
                break;
            }
            if let Some((_, before)) = self.schema_undo.pop() {
                self.schema = before;
            }
        }
    }
}
