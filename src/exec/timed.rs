//! Statements that read another graph than the current one: `AS OF TRANSACTION n` and
//! `AS OF TIMESTAMP t` (the graph as an earlier commit left it, see `storage::history`)
//! and `VALID AT t` (only the elements valid at an instant, see `storage::valid`).
//!
//! The `AS OF` and `VALID AT` expressions are evaluated once, before the query is
//! planned, against the current transaction (parameters and functions allowed, no
//! variables). The query is then planned and run on a view of the past and/or with the
//! instant set on the transaction; a plan that would write (a write procedure) is
//! refused before anything runs. EXPLAIN and PROFILE name the transaction and instant
//! above the plan.

use super::{Mode, StatementEnv};
use crate::ast::{self, AsOf, TimedQuery};
use crate::error::{Error, Result};
use crate::storage::{Txn, ValidAt};
use crate::value::Value;
use crate::QueryResult;

/// Which graph a statement reads.
pub(super) struct Timing<'a> {
    as_of: Option<Past<'a>>,
    valid_at: Option<&'a ast::Expr>,
}

enum Past<'a> {
    /// As the statement says.
    Written(&'a AsOf),
    /// As the caller says (`QueryOptions::as_of`, the REPL's `:asof`).
    Transaction(u64),
}

impl<'a> Timing<'a> {
    /// The graph as transaction `tx` left it.
    pub(super) fn transaction(tx: u64) -> Timing<'a> {
        Timing {
            as_of: Some(Past::Transaction(tx)),
            valid_at: None,
        }
    }

    /// What `timed` says, reading as of `default_tx` when it says no `AS OF`.
    pub(super) fn of(timed: &'a TimedQuery, default_tx: Option<u64>) -> Timing<'a> {
        Timing {
            as_of: match (&timed.as_of, default_tx) {
                (Some(as_of), _) => Some(Past::Written(as_of)),
                (None, Some(tx)) => Some(Past::Transaction(tx)),
                (None, None) => None,
            },
            valid_at: timed.valid_at.as_ref(),
        }
    }
}

pub(super) fn run(
    env: &StatementEnv<'_>,
    txn: &mut Txn<'_>,
    timing: Timing<'_>,
    query: &ast::Query,
    mode: Mode,
) -> Result<QueryResult> {
    let valid = match timing.valid_at {
        Some(e) => Some(ValidAt::of(&constant(env, txn, e)?)?),
        None => None,
    };
    let mut header = String::new();
    let tx = match &timing.as_of {
        None => None,
        Some(Past::Written(as_of)) => Some(transaction_of(env, txn, as_of)?),
        Some(Past::Transaction(tx)) => {
            Some(txn.check_readable(i64::try_from(*tx).unwrap_or(i64::MAX))?)
        }
    };
    if let Some(tx) = tx {
        header.push_str(&format!("AsOf transaction {tx}\n"));
    }
    if let Some(at) = &valid {
        header.push_str(&format!("ValidAt {}\n", at.describe()));
    }
    match tx {
        None => {
            // Planned on the stored counts (estimates); run with the instant set, so that
            // every read and count the run makes sees only what is valid then.
            let plan = env.plan_reading(txn, query)?;
            let previous = txn.valid_at();
            txn.set_valid_at(valid);
            let result = env.run_made(txn, &plan, mode);
            txn.set_valid_at(previous);
            with_header(result, &header)
        }
        Some(tx) => {
            let mut past = txn.as_of(tx)?;
            let plan = env.plan_reading(&past, query)?;
            past.set_valid_at(valid);
            with_header(env.run_made(&mut past, &plan, mode), &header)
        }
    }
}

/// Puts `header` above the plan text of an EXPLAIN or PROFILE.
fn with_header(result: Result<QueryResult>, header: &str) -> Result<QueryResult> {
    let mut result = result?;
    if let Some(plan) = &mut result.plan {
        plan.insert_str(0, header);
    }
    Ok(result)
}

/// The transaction an `AS OF` names, checked to be readable.
fn transaction_of(env: &StatementEnv<'_>, txn: &mut Txn<'_>, as_of: &AsOf) -> Result<u64> {
    match as_of {
        AsOf::Transaction(e) => match constant(env, txn, e)? {
            Value::Int(n) => txn.check_readable(n),
            other => Err(Error::type_error(
                "InvalidArgumentType",
                format!(
                    "AS OF TRANSACTION needs a transaction number (an integer), not {}",
                    other.type_name()
                ),
            )),
        },
        AsOf::Timestamp(e) => {
            let value = constant(env, txn, e)?;
            if !matches!(
                value,
                Value::DateTime(_) | Value::LocalDateTime(_) | Value::Date(_)
            ) {
                return Err(Error::type_error(
                    "InvalidArgumentType",
                    format!(
                        "AS OF TIMESTAMP needs a datetime, not {}",
                        value.type_name()
                    ),
                ));
            }
            let tx = txn.transaction_at(ValidAt::of(&value)?.micros())?;
            txn.check_readable(i64::try_from(tx).unwrap_or(i64::MAX))
        }
    }
}

/// The value of `expr` on its own (`RETURN expr`), in `txn`.
fn constant(env: &StatementEnv<'_>, txn: &mut Txn<'_>, expr: &ast::Expr) -> Result<Value> {
    let query = ast::Query {
        first: ast::SingleQuery {
            clauses: vec![ast::Clause::Return(ast::Projection {
                distinct: false,
                star: false,
                items: vec![ast::ProjectionItem {
                    expr: expr.clone(),
                    alias: None,
                    text: "value".to_string(),
                }],
                order_by: Vec::new(),
                skip: None,
                limit: None,
                where_: None,
                span: ast::Span::default(),
            })],
            span: ast::Span::default(),
        },
        unions: Vec::new(),
        span: ast::Span::default(),
    };
    let result = env.query(txn, &query, Mode::Run, None)?;
    Ok(result
        .rows
        .into_iter()
        .next()
        .and_then(|row| row.into_iter().next())
        .unwrap_or(Value::Null))
}
