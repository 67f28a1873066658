//! Skein: an embedded knowledge-graph store. A property graph kept in sled, queried in
//! openCypher.
//!
//! This module is the public API and the only thing the faces (CLI, REPL) and other
//! programs need: [`Database`], [`Transaction`], [`QueryResult`] and [`Value`].
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

pub mod algo;
pub mod ast;
pub mod bind;
pub mod bound;
pub mod catalog;
pub mod error;
pub mod exec;
pub mod export;
pub mod import;
pub mod parse;
pub mod plan;
pub mod storage;
pub mod value;

// The faces: command line, REPL, what they share (shell) and the output formats.
pub mod cli;
pub mod render;
pub mod repl;
pub mod shell;

pub use error::{Error, ErrorClass, Position, Result};
pub use value::{Map, Node, NodeId, Path, PropertyMap, RelId, Relationship, Value};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    pub timeout: Option<Duration>,
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

/// An open database. Cheap to clone; clones share the one open store.
#[derive(Clone)]
pub struct Database {
    store: Arc<storage::Store>,
    procedures: Arc<catalog::procedures::Registry>,
    plans: Arc<exec::PlanCache>,
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
        })
    }

    /// A database that lives in memory and is gone when the last clone is dropped.
    pub fn open_temporary() -> Result<Database> {
        Ok(Database {
            store: Arc::new(storage::Store::in_memory()),
            procedures: Arc::new(catalog::procedures::Registry::with_library(
                algo::procedures::lookup,
                algo::procedures::listing,
            )),
            plans: Arc::default(),
        })
    }

    /// Runs one statement in its own transaction: it applies completely or not at all,
    /// and is durable when this returns `Ok`.
    pub fn execute(&self, query: &str, params: &Params) -> Result<QueryResult> {
        self.execute_with(query, params, &QueryOptions::default())
    }

    pub fn execute_with(
        &self,
        query: &str,
        params: &Params,
        options: &QueryOptions,
    ) -> Result<QueryResult> {
        let mut txn = self.store.begin()?;
        let result = exec::execute_cached(
            &mut txn,
            query,
            params,
            options,
            &self.procedures,
            &self.plans,
        )?;
        txn.commit()?;
        Ok(result)
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

    /// The procedures callable from this database's queries (built-ins, registered
    /// tables and native procedures such as the graph algorithms).
    pub fn procedures(&self) -> &catalog::procedures::Registry {
        &self.procedures
    }

    /// Starts an explicit transaction: its statements see each other's writes and are
    /// applied together at `commit`, or not at all.
    pub fn begin(&self) -> Result<Transaction<'_>> {
        Ok(Transaction {
            txn: self.store.begin()?,
            procedures: self.procedures.clone(),
            plans: self.plans.clone(),
        })
    }
}

/// An explicit transaction. Dropping it without `commit` rolls it back.
pub struct Transaction<'db> {
    txn: storage::Txn<'db>,
    procedures: Arc<catalog::procedures::Registry>,
    plans: Arc<exec::PlanCache>,
}

impl Transaction<'_> {
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
        let savepoint = self.txn.savepoint();
        let result = exec::execute_cached(
            &mut self.txn,
            query,
            params,
            options,
            &self.procedures,
            &self.plans,
        );
        if result.is_err() {
            self.txn.rollback_to(savepoint);
        }
        result
    }

    pub fn commit(self) -> Result<()> {
        self.txn.commit()
    }

    pub fn rollback(self) {}
}

/// README.md's Rust examples, compiled and run as doc tests so that README stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
