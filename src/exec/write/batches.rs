//! `CALL { … } IN TRANSACTIONS`: the subquery's input rows are cut into batches, and each
//! batch's subquery runs and commits in a transaction of its own.
//!
//! The rows feeding the subquery are all read before the first batch runs (the step
//! runner materializes the rows before every write step), so the outer query reads the
//! graph as the statement found it, never a state halfway through the batches; the
//! clauses after the CALL see every committed batch. A batch runs the subquery on its
//! rows in order, as a CALL subquery that writes runs (`call_rows`), deletes the nodes
//! its DELETEs left pending, and commits (`Txn::commit_and_continue`): a real commit,
//! with its own transaction number in the history when it changed something.
//!
//! A failed batch's writes are rolled back, then ON ERROR decides: FAIL ends the
//! statement with the batch's error (the earlier batches stay committed), CONTINUE goes
//! on with the next batch, BREAK runs no more. Under CONTINUE and BREAK the rows of a
//! failed or skipped batch pass on once, with null for the subquery's columns.
//! Cancellation, a timeout or an error of the store ends the statement under every ON
//! ERROR.
//!
//! The statement's own transaction holds nothing when the first batch starts (the
//! planner refuses writes before the CALL), and what the statement writes after the
//! CALL commits when it ends.

use super::{call_rows, WriteEnv};
use crate::ast::OnError;
use crate::error::{Error, ErrorClass, Result};
use crate::exec::{delete_connected_nodes, ops, Row, WriteState};
use crate::plan::{Batching, CallSubquerySpec, DEFAULT_BATCH_ROWS};
use crate::storage::Txn;
use crate::value::{Map, Value};
use std::collections::VecDeque;

/// Runs `spec` on `rows` (whose variables are `layout`) batch by batch.
pub(super) fn apply(
    txn: &mut Txn<'_>,
    spec: &CallSubquerySpec,
    batching: &Batching,
    layout: &[String],
    rows: Vec<Row>,
    state: &mut WriteState,
    env: &WriteEnv<'_>,
) -> Result<Vec<Row>> {
    let size = batch_size(txn, batching, state, env)?;
    let returned = ops::Returned::new(spec, layout)?;
    let pass_on = |batch: &[Row], status: Status, out: &mut VecDeque<Row>| {
        for row in batch {
            let mut row = row.clone();
            row.extend(spec.columns.iter().map(|_| Value::Null));
            status.append_to(batching, &mut row);
            out.push_back(row);
        }
    };
    let mut out = VecDeque::new();
    let mut stopped = false;
    for batch in rows.chunks(size) {
        if stopped {
            pass_on(batch, Status::NOT_STARTED, &mut out);
            continue;
        }
        let savepoint = txn.savepoint();
        // Each batch keeps its own account: a failed one's counts and deletions go.
        let mut done = WriteState::default();
        let mut batch_out = VecDeque::new();
        let ran = call_rows(txn, &returned, batch, &mut done, env, &mut batch_out)
            .and_then(|()| delete_connected_nodes(txn, &mut done));
        match ran {
            Ok(()) => {
                let status = Status {
                    started: true,
                    committed: true,
                    transaction: txn.commit_and_continue()?,
                    error: None,
                };
                state.stats.add(&done.stats);
                state.deleted_nodes.extend(done.deleted_nodes);
                state.deleted_rels.extend(done.deleted_rels);
                for mut row in batch_out {
                    status.append_to(batching, &mut row);
                    out.push_back(row);
                }
            }
            Err(e) if batching.on_error == OnError::Fail || ends_statement(&e) => return Err(e),
            Err(e) => {
                txn.rollback_to(savepoint);
                let status = Status {
                    started: true,
                    committed: false,
                    transaction: None,
                    error: Some(e.to_string()),
                };
                pass_on(batch, status, &mut out);
                stopped = batching.on_error == OnError::Break;
            }
        }
    }
    Ok(out.into())
}

/// Rows per batch: `OF n ROWS` evaluated once (no variables: parameters and functions).
fn batch_size(
    txn: &Txn<'_>,
    batching: &Batching,
    state: &WriteState,
    env: &WriteEnv<'_>,
) -> Result<usize> {
    let Some(expr) = &batching.size else {
        return Ok(DEFAULT_BATCH_ROWS);
    };
    let compiled = env.scope().compile(expr, &[])?;
    match env.eval(txn, state, &[], &compiled)? {
        Value::Int(n) if n > 0 => Ok(usize::try_from(n).unwrap_or(usize::MAX)),
        other => Err(Error::argument(
            "InvalidArgumentValue",
            format!(
                "the batch size of IN TRANSACTIONS (OF … ROWS) must be a positive integer, not {other} ({})",
                other.type_name()
            ),
        )
        .at(env.statement.text, expr.span.start)),
    }
}

/// Errors no ON ERROR absorbs: the statement was cancelled or timed out, or the store
/// failed.
fn ends_statement(e: &Error) -> bool {
    matches!(
        e.class,
        ErrorClass::TransactionError | ErrorClass::StorageError
    )
}

/// What `REPORT STATUS` tells of a row's batch.
struct Status {
    started: bool,
    committed: bool,
    /// The number of its commit (none when it changed nothing, or failed).
    transaction: Option<u64>,
    error: Option<String>,
}

impl Status {
    /// A batch after BREAK.
    const NOT_STARTED: Status = Status {
        started: false,
        committed: false,
        transaction: None,
        error: None,
    };

    /// Adds the status column to `row` when the CALL reports one.
    fn append_to(&self, batching: &Batching, row: &mut Row) {
        if batching.status.is_none() {
            return;
        }
        let mut map = Map::new();
        map.insert("started".to_string(), Value::Bool(self.started));
        map.insert("committed".to_string(), Value::Bool(self.committed));
        map.insert(
            "transactionId".to_string(),
            self.transaction.map_or(Value::Null, |tx| {
                Value::Int(i64::try_from(tx).unwrap_or(i64::MAX))
            }),
        );
        map.insert(
            "errorMessage".to_string(),
            self.error.clone().map_or(Value::Null, Value::String),
        );
        row.push(Value::Map(map));
    }
}
