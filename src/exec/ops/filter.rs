//! Keeping the rows a predicate holds for.

use super::{BoxOp, Op};
use crate::ast::Expr;
use crate::error::Result;
use crate::exec::eval::{eval, is_true, Env};
use crate::exec::expr::{compile, Compiled};
use crate::exec::{Ctx, Row};

pub(super) struct FilterOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    pred: Compiled<'a>,
}

impl<'a, 's> FilterOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        layout: &[String],
        pred: &'a Expr,
    ) -> Result<Self> {
        Ok(FilterOp {
            ctx,
            input,
            pred: compile(ctx, pred, layout)?,
        })
    }
}

impl Op for FilterOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        while let Some(row) = self.input.next()? {
            self.ctx.limits.check()?;
            if is_true(&eval(self.ctx, &Env::row(&row), &self.pred)?) {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}
