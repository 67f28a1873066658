//! The executor: plans and runs one statement against a transaction.

pub mod aggregate;
pub mod functions;

use crate::error::Result;
use crate::storage::Txn;
use crate::{Params, QueryOptions, QueryResult};

/// Parses, plans and runs `query` in `txn`. On error the caller discards the transaction
/// (or rolls back to its savepoint).
pub fn execute(
    _txn: &mut Txn<'_>,
    _query: &str,
    _params: &Params,
    _options: &QueryOptions,
) -> Result<QueryResult> {
    todo!("engine")
}

/// Adds a table-backed procedure to the store's procedure registry.
pub fn register_procedure(
    _store: &crate::storage::Store,
    _spec: crate::ProcedureSpec,
) -> Result<()> {
    todo!("engine")
}
