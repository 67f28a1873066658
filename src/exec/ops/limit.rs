//! SKIP and LIMIT over a stream of rows: a LIMIT stops pulling the input once it is
//! reached (LIMIT 0 pulls nothing).

use super::{BoxOp, Op};
use crate::ast::Expr;
use crate::error::{Error, Result};
use crate::exec::eval::{eval, Env};
use crate::exec::expr::compile;
use crate::exec::{Ctx, Row};
use crate::value::Value;

/// Evaluates SKIP / LIMIT: a non-negative integer (of no variable).
pub(super) fn count_arg(ctx: &Ctx<'_, '_>, e: &Expr, what: &str) -> Result<usize> {
    match eval(ctx, &Env::row(&[]), &compile(ctx, e, &[])?)? {
        Value::Int(i) if i >= 0 => Ok(usize::try_from(i).unwrap_or(usize::MAX)),
        Value::Int(_) => Err(Error::syntax(
            "NegativeIntegerArgument",
            format!("{what} must not be negative"),
        )),
        Value::Float(f) if f.fract() == 0.0 && f >= 0.0 => Err(Error::syntax(
            "InvalidArgumentType",
            format!("{what} must be an integer, got a float"),
        )),
        other => Err(Error::syntax(
            "InvalidArgumentType",
            format!("{what} must be an integer, got {}", other.type_name()),
        )),
    }
}

pub(super) struct SkipLimitOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: Option<BoxOp<'a>>,
    skip_expr: Option<&'a Expr>,
    limit_expr: Option<&'a Expr>,
    /// Rows still to skip and to give, once evaluated on the first pull.
    counts: Option<(usize, Option<usize>)>,
}

impl<'a, 's> SkipLimitOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        (skip, limit): (Option<&'a Expr>, Option<&'a Expr>),
    ) -> Self {
        SkipLimitOp {
            ctx,
            input: Some(input),
            skip_expr: skip,
            limit_expr: limit,
            counts: None,
        }
    }
}

impl Op for SkipLimitOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let (skip, limit) = match &mut self.counts {
            Some(counts) => counts,
            None => {
                let skip = match self.skip_expr {
                    Some(e) => count_arg(self.ctx, e, "SKIP")?,
                    None => 0,
                };
                let limit = match self.limit_expr {
                    Some(e) => Some(count_arg(self.ctx, e, "LIMIT")?),
                    None => None,
                };
                self.counts.insert((skip, limit))
            }
        };
        loop {
            if *limit == Some(0) {
                self.input = None;
                return Ok(None);
            }
            let Some(input) = &mut self.input else {
                return Ok(None);
            };
            let Some(row) = input.next()? else {
                return Ok(None);
            };
            if *skip > 0 {
                *skip -= 1;
                continue;
            }
            if let Some(l) = limit {
                *l -= 1;
            }
            return Ok(Some(row));
        }
    }
}
