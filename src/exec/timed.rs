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

pub(super) fn run(
    env: &StatementEnv<'_>,
    txn: &mut Txn<'_>,
    timed: &TimedQuery,
    mode: Mode,
) -> Result<QueryResult> {
    let valid = match &timed.valid_at {
        Some(e) => Some(ValidAt::of(&constant(env, txn, e)?)?),
        None => None,
    };
    let mut header = String::new();
    match &timed.as_of {
        None => {
            if let Some(at) = &valid {
                header.push_str(&format!("ValidAt {}\n", at.describe()));
            }
            // Planned on the stored counts (estimates); run with the instant set, so that
            // every read and count the run makes sees only what is valid then.
            let plan = env.plan_reading(txn, &timed.query)?;
            let previous = txn.valid_at();
            txn.set_valid_at(valid);
            let result = env.run_made(txn, &plan, mode);
            txn.set_valid_at(previous);
            with_header(result, &header)
        }
        Some(as_of) => {
            let tx = transaction_of(env, txn, as_of)?;
            header.push_str(&format!("AsOf transaction {tx}\n"));
            if let Some(at) = &valid {
                header.push_str(&format!("ValidAt {}\n", at.describe()));
            }
            let mut past = txn.as_of(tx)?;
            let plan = env.plan_reading(&past, &timed.query)?;
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
