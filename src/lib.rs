//! Skein: an embedded knowledge-graph store. A property graph kept in sled, queried in
//! openCypher.
//!
//! This module is the public API and the only thing the faces (CLI, REPL) and other
//! programs use: [`Database`] (statements, fact files through [`Database::load`], CSV
//! bulk import through [`Database::import_csv`], [`Database::export`]), [`Transaction`],
//! [`QueryResult`] with its [`Stats`], [`Value`] and the value types, [`Error`], and
//! [`Splitter`] for cutting scripts into statements. Every module is internal; the
//! hidden `testing` module lends a few internals to the integration tests and benches.
//!
//! ```
//! use skein::{Database, Params};
//! let db = Database::open_temporary().unwrap();
//! db.execute("CREATE (:Country {name: 'Russia'})", &Params::new()).unwrap();
//! let result = db
//!     .execute("MATCH (c:Country) RETURN c.name AS name", &Params::new())
//!     .unwrap();
//! assert_eq!(result.columns, vec!["name"]);
//! assert_eq!(result.rows[0][0].to_string(), "'Russia'");
//! ```

// The engine. Every module is internal: the public API is this file's items and
// re-exports.
mod algo;
mod ast;
mod bind;
mod bound;
mod catalog;
mod error;
mod exec;
mod export;
mod import;
mod parse;
mod plan;
mod storage;
mod value;

// The faces: command line, REPL, the Bolt server, what they share (shell) and the
// output formats. They use the public API only, and neither the CLI nor the REPL names
// the other: the CLI is handed the REPL by [`run_command_line`].
mod cli;
mod render;
mod repl;
mod server;
mod shell;

pub use error::{Error, ErrorClass, Position, Result};
pub use export::ExportFormat;
pub use import::csv::{
    ColumnDeclaration, ColumnType, ImportHistory, ImportProgress, ImportRequest, ImportSummary,
};
pub use import::{FileReport, LoadOutcome};
pub use parse::{split_statements, ScriptStatement, Splitter, StatementKind};
pub use storage::{Violation, Withdrawn};
pub use value::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, Map, Node, NodeId, Path, PropertyMap,
    RelId, Relationship, Time, Value,
};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Query parameters, `$name` → value.
pub type Params = BTreeMap<String, Value>;

/// What a statement changed, counted as Neo4j counts it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
    pub properties_set: u64,
    pub properties_removed: u64,
}

impl Stats {
    pub fn add(&mut self, other: &Stats) {
        self.nodes_created += other.nodes_created;
        self.nodes_deleted += other.nodes_deleted;
        self.relationships_created += other.relationships_created;
        self.relationships_deleted += other.relationships_deleted;
        self.labels_added += other.labels_added;
        self.labels_removed += other.labels_removed;
        self.properties_set += other.properties_set;
        self.properties_removed += other.properties_removed;
    }

    pub fn contains_updates(&self) -> bool {
        *self != Stats::default()
    }
}

/// The outcome of one statement.
#[derive(Clone, Debug, Default)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    pub stats: Stats,
    /// The plan as text, for EXPLAIN (estimates) and PROFILE (rows and time per operator).
    pub plan: Option<String>,
}

/// Cancels a running statement from another thread (the REPL's Ctrl-C uses it).
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Limits on one statement.
#[derive(Clone, Debug, Default)]
pub struct QueryOptions {
    pub cancel: Option<CancelToken>,
    pub timeout: Option<std::time::Duration>,
    /// The source the statement writes under (see [`Database::load`]); `None`: none.
    pub source: Option<String>,
    /// Reads the graph as this transaction left it, as if the statement began with
    /// `AS OF TRANSACTION n` (one that says `AS OF` itself keeps its own); such a
    /// statement cannot write.
    pub as_of: Option<u64>,
    /// How long the statement waits for its turn while another transaction holds the
    /// database (then a `TransactionError` `LockTimeout`); `None`: as long as it takes.
    pub lock_wait: Option<std::time::Duration>,
    /// Read access mode (Bolt's `READ`): a statement that writes is refused with a
    /// `TransactionError` `AccessMode` before it runs, and the statement never waits for
    /// the writer's turn.
    pub read_only: bool,
    /// The most memory the statement may hold at once, in bytes (rows kept by ORDER
    /// BY, aggregation, DISTINCT, joins, between clauses and in the result): past it the
    /// statement ends with a `TransactionError` `MemoryLimitExceeded`. `None`: no limit.
    pub memory_limit: Option<usize>,
}

/// A procedure given by a table: `CALL name(inputs…) YIELD outputs…` returns the rows
/// whose input columns equal the arguments.
#[derive(Clone, Debug)]
pub struct ProcedureSpec {
    /// Dotted name, e.g. `test.my.proc`.
    pub name: String,
    /// (name, type) of each argument, types as openCypher writes them (`INTEGER?`, `STRING?`).
    pub inputs: Vec<(String, String)>,
    /// (name, type) of each output column.
    pub outputs: Vec<(String, String)>,
    /// Each row holds the input values then the output values.
    pub rows: Vec<Vec<Value>>,
}

/// The graph as one transaction left it, for a long read (see [`Database::snapshot`]).
#[derive(Clone)]
pub struct Snapshot {
    db: Database,
    tx: u64,
}

impl Snapshot {
    /// The transaction this snapshot reads.
    pub fn transaction(&self) -> u64 {
        self.tx
    }

    /// Runs a read statement on the snapshot; a statement that writes is an error.
    pub fn execute(&self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, &QueryOptions::default())
    }

    /// [`Snapshot::execute`] with options (their `as_of` is the snapshot's).
    pub fn execute_with(
        &self,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        let options = QueryOptions {
            as_of: Some(self.tx),
            ..options.clone()
        };
        self.db.execute_with(query, params, &options)
    }
}

/// An open database. Cheap to clone; clones share the one open store.
#[derive(Clone)]
pub struct Database {
    store: Arc<storage::Store>,
    procedures: Arc<catalog::procedures::Registry>,
    plans: Arc<exec::PlanCache>,
    /// The folder `LOAD CSV` reads below (see [`Database::set_import_dir`]).
    import_dir: Arc<std::sync::RwLock<Option<std::path::PathBuf>>>,
}

/// The working directory, as the default import folder (`None` when it cannot be read).
fn working_directory() -> Option<std::path::PathBuf> {
    std::env::current_dir().and_then(std::fs::canonicalize).ok()
}

impl Database {
    /// Opens the database in folder `path`, creating it if absent. Inside one process,
    /// opening the same path twice shares the open database; another process gets a
    /// `StorageError` saying the database is in use.
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Database> {
        Ok(Database {
            store: storage::Store::open_shared(path.as_ref())?,
            procedures: Arc::new(catalog::procedures::Registry::with_library(
                algo::procedures::lookup,
                algo::procedures::listing,
            )),
            plans: Arc::default(),
            import_dir: Arc::new(std::sync::RwLock::new(working_directory())),
        })
    }

    /// A database that lives in memory and is gone when the last clone is dropped.
    pub fn open_temporary() -> Result<Database> {
        Ok(Database::over_store(storage::Store::in_memory()))
    }

    /// A database over a fault-injecting disk (`testing::faults`), for tests of what
    /// storage errors and crashes leave behind.
    #[doc(hidden)]
    pub fn over_faulty(disk: &testing::faults::Disk) -> Result<Database> {
        Ok(Database::over_store(storage::Store::over_faulty(disk)?))
    }

    fn over_store(store: storage::Store) -> Database {
        Database {
            store: Arc::new(store),
            procedures: Arc::new(catalog::procedures::Registry::with_library(
                algo::procedures::lookup,
                algo::procedures::listing,
            )),
            plans: Arc::default(),
            import_dir: Arc::new(std::sync::RwLock::new(working_directory())),
        }
    }

    /// Sets the folder `LOAD CSV` reads below: a path or `file:///` URL names a file
    /// relative to it, and nothing outside it can be read (`..`, absolute paths elsewhere
    /// and symlinks that lead out are refused). `None` turns `LOAD CSV` off. A database
    /// starts with the working directory it was opened in.
    pub fn set_import_dir(&self, dir: Option<&std::path::Path>) -> Result<()> {
        let dir = match dir {
            None => None,
            Some(dir) => {
                let canonical = std::fs::canonicalize(dir)
                    .ok()
                    .filter(|d| d.is_dir())
                    .ok_or_else(|| {
                        Error::new(
                            ErrorClass::IoError,
                            "ExternalResourceFailed",
                            format!("the import folder {} is not a folder", dir.display()),
                        )
                    })?;
                Some(canonical)
            }
        };
        *self.import_dir.write().unwrap_or_else(|e| e.into_inner()) = dir;
        Ok(())
    }

    /// The folder `LOAD CSV` reads below, `None` when it is off.
    pub fn import_dir(&self) -> Option<std::path::PathBuf> {
        self.import_dir
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Runs one statement in its own transaction: it applies completely or not at all,
    /// and is durable when this returns `Ok`. A `CALL { … } IN TRANSACTIONS` in it
    /// commits each batch as it goes: a failing statement keeps the batches before.
    pub fn execute(&self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, &QueryOptions::default())
    }

    pub fn execute_with(
        &self,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        if options.source.is_none() || options.read_only {
            let run = |txn: &mut storage::Txn<'_>| self.execute_in(txn, query, params, options);
            if let Some(done) = run_as_reader(&self.store, query, options.lock_wait, options, run) {
                return done;
            }
        }
        let mut txn = self.store.begin_waiting(options.lock_wait)?;
        if let Some(source) = &options.source {
            txn.begin_source(source, None)?;
        }
        let result = self.execute_in(&mut txn, query, params, options)?;
        txn.commit()?;
        Ok(result)
    }

    /// Runs one statement in `txn`, an implicit transaction.
    fn execute_in(
        &self,
        txn: &mut storage::Txn<'_>,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        let import_dir = self.import_dir();
        exec::execute_cached(
            txn,
            exec::TxnKind::Implicit,
            query,
            params,
            options,
            &exec::DatabaseParts {
                registry: &self.procedures,
                plans: &self.plans,
                import_dir: import_dir.as_deref(),
            },
        )
    }

    /// A read-only view of the graph as the last commit left it: its statements keep
    /// reading that transaction while later commits land (each runs as if it began with
    /// `AS OF TRANSACTION n`). Its statements run beside the writer and each other; a
    /// commit waits for those running to finish before it applies. A snapshot whose
    /// history `compact` dropped fails to read.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let tx = self.store.last_committed_transaction();
        Ok(Snapshot {
            db: self.clone(),
            tx,
        })
    }

    /// The number of the last committed transaction (0 before the first); it does not
    /// wait for a transaction that is running.
    pub fn last_transaction(&self) -> Result<u64> {
        Ok(self.store.last_committed_transaction())
    }

    /// The transactions the graph can be read `AS OF`: (oldest, last). Transaction 0,
    /// the empty graph, can always be read as well.
    pub fn history_range(&self) -> Result<(u64, u64)> {
        let txn = self.store.begin_reader(None)?;
        Ok((txn.oldest_readable_transaction(), txn.last_transaction()))
    }

    /// Drops the history of the transactions before `before`, in one transaction:
    /// afterwards the graph can be read `AS OF` `before` or later (and as transaction 0,
    /// the empty graph), and `db.changes` lists the changes made by `before` and later;
    /// `db.history` still lists every commit. Returns how many history records went (0
    /// when `before` is not past the oldest readable transaction: nothing to drop).
    /// `before` beyond the last commit is an error.
    pub fn compact(&self, before: u64) -> Result<u64> {
        let mut txn = self.store.begin()?;
        let last = txn.last_transaction();
        if before > last {
            return Err(Error::argument(
                "InvalidArgument",
                format!("there is no transaction {before}: the last commit is transaction {last}"),
            ));
        }
        let gone = txn.compact_history(before)?;
        txn.commit()?;
        Ok(gone)
    }

    /// The store behind this database, for the bulk import path.
    pub(crate) fn store(&self) -> &storage::Store {
        &self.store
    }

    /// Registers a procedure whose outputs are a fixed table (used by tests and by
    /// programs that expose lookup tables to queries).
    pub fn register_procedure(&self, spec: ProcedureSpec) -> Result<()> {
        self.procedures.register(spec)
    }

    /// Starts an explicit transaction: its statements see each other's writes and are
    /// applied together at `commit`, or not at all. It takes the writer's turn (waiting
    /// for another writer to finish) at its first statement that may write, and holds
    /// it until it ends; the statements before that read, beside the writer, the last
    /// commit before each of them (as Neo4j's read-committed transactions do).
    pub fn begin(&self) -> Result<Transaction<'_>> {
        self.begin_waiting(None)
    }

    /// [`Database::begin`], whose first writing statement waits at most `wait` (when
    /// given) while another transaction holds the writer's turn; then a
    /// `TransactionError` `LockTimeout` (the transaction goes on without that statement).
    pub fn begin_waiting(&self, wait: Option<std::time::Duration>) -> Result<Transaction<'_>> {
        Ok(Transaction {
            store: &self.store,
            txn: None,
            wait,
            procedures: self.procedures.clone(),
            plans: self.plans.clone(),
            import_dir: self.import_dir(),
            source: None,
        })
    }

    /// Verifies the store's invariants (both directions of adjacency, counts per label
    /// and type, label bitmaps, index entries both ways, uniqueness, history and
    /// provenance records): one [`Violation`] per problem found, none when sound. Reads
    /// the last commit beside the writer; `Err` when the store cannot be read.
    pub fn check(&self) -> Result<Vec<Violation>> {
        self.store.begin_reader(None)?.check()
    }

    /// Withdraws everything a source (a fact file as it was loaded, or a name given
    /// with `QueryOptions::source`) asserts, in one transaction: a node, relationship or
    /// property value no other source (or unsourced write) asserts is removed, and a
    /// property another source also claims takes that claim's value.
    /// `source` is a source's name, or a path that names one (`./seed/a.cypher`).
    pub fn unload(&self, source: &str) -> Result<Withdrawn> {
        let mut txn = self.store.begin()?;
        let name = if txn.previous_load(source)?.is_some() {
            source.to_string()
        } else {
            import::source_name(std::path::Path::new(source))
        };
        let withdrawn = txn.retract_source(&name)?;
        txn.commit()?;
        Ok(withdrawn)
    }

    /// Loads a fact file (`.cypher`, `.jsonl`), or every fact file of a folder in name
    /// order. Each file loads in one transaction: a file with an error loads nothing (the
    /// files before it stay loaded) and the error names the file, line, column and
    /// statement, its `position` a place in the file's text. `progress` is called with
    /// (bytes done, bytes total).
    pub fn load(
        &self,
        path: impl AsRef<std::path::Path>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<Vec<FileReport>> {
        import::load_path(self, path.as_ref(), progress)
    }

    /// Bulk-imports CSV node and relationship files in one atomic write: a failing import
    /// leaves the database as it was. `progress` is called after each batch of rows and
    /// once before the final write.
    pub fn import_csv(
        &self,
        request: &ImportRequest,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportSummary> {
        import::csv::import(self, request, progress)
    }

    /// Writes the whole graph, or the subgraph a query returns, to a file (`-` for
    /// standard output); returns a one-line summary of what was written.
    pub fn export(&self, request: &ExportRequest) -> Result<String> {
        export::export_to_file(
            self,
            request.format,
            request.query.as_deref(),
            &request.params,
            &request.file,
        )
    }

    /// A picture of the subgraph `query` returns: an SVG file drawn by Graphviz when its
    /// `dot` runs, else a text tree; returns what to tell the user.
    pub fn show(&self, query: &str) -> Result<String> {
        export::show::show_query(&mut |q, p| self.execute(q, p), query)
    }
}

/// What [`Database::export`] writes.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// The query whose nodes, relationships and paths are exported (with the end nodes
    /// of each relationship); `None` exports the whole graph.
    pub query: Option<String>,
    pub params: Params,
    /// The file to write, `-` for standard output.
    pub file: std::path::PathBuf,
}

/// An explicit transaction. Dropping it without `commit` rolls it back.
pub struct Transaction<'db> {
    store: &'db storage::Store,
    /// The writer's transaction, from the first statement that may write on.
    txn: Option<storage::Txn<'db>>,
    /// How long that statement waits for the writer's turn.
    wait: Option<std::time::Duration>,
    procedures: Arc<catalog::procedures::Registry>,
    plans: Arc<exec::PlanCache>,
    /// The database's import folder when the transaction began.
    import_dir: Option<std::path::PathBuf>,
    /// The source its statements write under, once one was named.
    source: Option<String>,
}

impl<'db> Transaction<'db> {
    /// Runs one statement inside the transaction. A failing statement leaves the
    /// transaction as it was before the statement.
    pub fn execute(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, &QueryOptions::default())
    }

    pub fn execute_with(
        &mut self,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        if options.read_only {
            if let Some((what, at)) = exec::writing_clause(query) {
                return Err(exec::access_mode_error(query, what, at));
            }
        }
        if self.txn.is_none() && (options.source.is_none() || options.read_only) {
            let run = |txn: &mut storage::Txn<'_>| self.execute_in(txn, query, params, options);
            if let Some(done) = run_as_reader(self.store, query, self.wait, options, run) {
                return done;
            }
        }
        let mut txn = match self.txn.take() {
            Some(txn) => txn,
            None => self.store.begin_waiting(self.wait)?,
        };
        let result = self.execute_writing(&mut txn, query, params, options);
        self.txn = Some(txn);
        result
    }

    /// Runs one statement in the writer's transaction `txn`, as the statement's source
    /// says; a failing statement leaves `txn` as it was before.
    fn execute_writing(
        &mut self,
        txn: &mut storage::Txn<'db>,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        if self.source != options.source {
            match &options.source {
                Some(source) => txn.begin_source(source, None)?,
                None => txn.end_source(),
            }
            self.source = options.source.clone();
        }
        let savepoint = txn.savepoint();
        let result = self.execute_in(txn, query, params, options);
        if result.is_err() {
            txn.rollback_to(savepoint);
        }
        result
    }

    /// Whether the transaction holds the writer's turn (it ran a statement that may
    /// write), so that other writers wait for it to end.
    pub fn holds_writer(&self) -> bool {
        self.txn.is_some()
    }

    /// The writer's transaction, taking the writer's turn if the transaction does not
    /// hold it yet: for what writes without a statement (loading a fact file).
    pub(crate) fn writer(&mut self) -> Result<&mut storage::Txn<'db>> {
        let txn = match self.txn.take() {
            Some(txn) => txn,
            None => self.store.begin_waiting(self.wait)?,
        };
        Ok(self.txn.insert(txn))
    }

    /// Runs one statement of the transaction in `txn`.
    fn execute_in(
        &self,
        txn: &mut storage::Txn<'_>,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        exec::execute_cached(
            txn,
            exec::TxnKind::Explicit,
            query,
            params,
            options,
            &exec::DatabaseParts {
                registry: &self.procedures,
                plans: &self.plans,
                import_dir: self.import_dir.as_deref(),
            },
        )
    }

    /// [`Database::show`], reading inside the transaction.
    pub fn show(&mut self, query: &str) -> Result<String> {
        export::show::show_query(&mut |q, p| self.execute(q, p), query)
    }

    pub fn commit(self) -> Result<()> {
        match self.txn {
            Some(txn) => txn.commit(),
            None => Ok(()),
        }
    }

    pub fn rollback(self) {}
}

/// Runs `query` with `run` in a reader's transaction (beside the writer, on the last
/// commit before it) when it only reads: `None` when it may write and so needs the
/// writer's turn, which in read access mode (`options.read_only`) is an `AccessMode`
/// error instead. A write procedure shows only when the reader's commit finds writes:
/// what it wrote went nowhere, and it runs again as a writer.
fn run_as_reader(
    store: &storage::Store,
    query: &str,
    wait: Option<std::time::Duration>,
    options: &QueryOptions,
    run: impl FnOnce(&mut storage::Txn<'_>) -> Result<QueryResult>,
) -> Option<Result<QueryResult>> {
    let refused = |what, at| Some(Err(exec::access_mode_error(query, what, at)));
    if let Some((what, at)) = exec::writing_clause(query) {
        return if options.read_only {
            refused(what, at)
        } else {
            None
        };
    }
    let mut reader = match store.begin_reader(wait) {
        Ok(reader) => reader,
        Err(e) => return Some(Err(e)),
    };
    match run(&mut reader).and_then(|result| reader.commit().map(|()| result)) {
        Err(e) if e.detail == storage::READER_WROTE => {
            if options.read_only {
                refused("a write procedure", None)
            } else {
                None
            }
        }
        done => Some(done),
    }
}

/// Runs the `skein` command line on `args` (program name first) and returns its exit
/// code: what the `skein` binary does. The REPL is handed to the CLI here, so neither
/// face depends on the other.
#[doc(hidden)]
pub fn run_command_line<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    cli::run(args, repl::run)
}

/// Internals that the integration tests, benches, fuzz targets and `skein-bench` test or
/// measure directly, and nothing else: not part of the API, may change at any time. Its
/// modules mirror the internal paths.
#[doc(hidden)]
pub mod testing {
    pub mod algo {
        pub use crate::algo::{Projection, ProjectionSpec};
        pub mod algorithms {
            pub use crate::algo::algorithms::{page_rank, weakly_connected};
        }
        pub mod procedures {
            pub use crate::algo::procedures::{listing, lookup};
        }
    }
    pub mod ast {
        pub use crate::ast::*;
    }
    pub mod catalog {
        pub mod aggregates {
            pub use crate::catalog::aggregates::is_aggregate;
        }
        pub mod functions {
            pub use crate::catalog::functions::{arity, is_known};
        }
        pub mod procedures {
            pub use crate::catalog::procedures::Registry;
        }
    }
    pub mod exec {
        pub mod aggregate {
            pub use crate::exec::aggregate::{create, Aggregator};
        }
        pub mod functions {
            pub use crate::exec::functions::{call, range_len};
        }
    }
    pub mod export {
        pub use crate::export::show::text_tree;
        pub use crate::export::Subgraph;
    }
    pub mod import {
        pub use crate::import::csv::import_with_budget;
    }
    pub mod parse {
        pub use crate::parse::{parse_expression, parse_statement};
    }
    pub mod server {
        pub use crate::server::convert::parameter_value;
        pub use crate::server::handshake::negotiate;
        pub use crate::server::message::{decode_request, FrameReader, Request};
    }
    pub mod storage {
        pub use crate::storage::{
            BulkWriter, Dir, Edge, Scan, SchemaKind, Store, Txn, DEFAULT_MEMORY_BUDGET,
        };
    }
    pub mod faults {
        pub use crate::storage::faulty::{Counts, Disk, Fault};
    }
    pub mod value {
        pub use crate::value::{
            add, divide, modulo, multiply, negate, power, subtract, ComparisonOp,
        };
    }
}

/// README.md's Rust examples, compiled and run as doc tests so that README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
