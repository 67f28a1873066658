//! Calls on a database that fail the test on an outcome it did not expect, shared by the
//! history and valid-time tests (which both declare `mod common;`).

use crate::common::{rows_text, texts};
use skein::{Database, Error, Params, QueryResult};

/// A new in-memory database.
pub fn db() -> Database {
    Database::open_temporary().unwrap_or_else(|e| panic!("cannot open a database: {e}"))
}

/// The result of `query`, which must succeed.
pub fn run(db: &Database, query: &str) -> QueryResult {
    db.execute(query, &Params::new())
        .unwrap_or_else(|e| panic!("{query}: {e}"))
}

/// The rows of `query` as text (`common::texts`).
pub fn rows(db: &Database, query: &str) -> Vec<String> {
    rows_text(db, query)
}

/// The rows of `query` with `params` as text.
pub fn rows_with(db: &Database, query: &str, params: &Params) -> Vec<String> {
    match db.execute(query, params) {
        Ok(r) => texts(&r),
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The error of `query`, which must fail.
pub fn error(db: &Database, query: &str) -> Error {
    match db.execute(query, &Params::new()) {
        Ok(r) => panic!("{query}: expected an error, got rows {:?}", texts(&r)),
        Err(e) => e,
    }
}
