//! Keeping the rows a predicate holds for.

use super::{single_comparison, BoxOp, Op};
use crate::ast::{CompareOp, Expr};
use crate::error::Result;
use crate::exec::eval::{self, eval, is_true, Env, Operand};
use crate::exec::{Ctx, Row};
use crate::value::Value;

pub(super) struct FilterOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: Vec<String>,
    pred: &'a Expr,
    /// A predicate that is one comparison, with its operands resolved once.
    comparison: Option<(CompareOp, Operand<'a>, Operand<'a>)>,
}

impl<'a, 's> FilterOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        layout: Vec<String>,
        pred: &'a Expr,
    ) -> Self {
        let comparison = single_comparison(pred).map(|(op, first, second)| {
            (
                op,
                Operand::new(ctx, first, &layout),
                Operand::new(ctx, second, &layout),
            )
        });
        FilterOp {
            ctx,
            input,
            layout,
            pred,
            comparison,
        }
    }

    fn passes(&self, row: &[Value]) -> Result<bool> {
        let Some((op, left, right)) = &self.comparison else {
            return Ok(is_true(&eval(
                self.ctx,
                &Env::row(&self.layout, row),
                self.pred,
            )?));
        };
        let (ctx, layout) = (self.ctx, &self.layout);
        left.with_value(ctx, layout, row, |l| {
            right.with_value(ctx, layout, row, |r| {
                Ok(eval::compare(*op, l, r) == Some(true))
            })
        })
    }
}

impl Op for FilterOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        while let Some(row) = self.input.next()? {
            self.ctx.limits.check()?;
            if self.passes(&row)? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}
