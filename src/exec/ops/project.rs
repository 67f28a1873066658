//! RETURN and WITH become a chain of operators: a projection (or an aggregation), then
//! DISTINCT, ORDER BY (top-k under a LIMIT), SKIP/LIMIT, the WHERE of a WITH, and last
//! the narrowing to the projected columns (ORDER BY and WHERE may read more).

use super::distinct::DistinctOp;
use super::filter::FilterOp;
use super::group::AggregationOp;
use super::limit::SkipLimitOp;
use super::sort::SortOp;
use super::{Batch, BoxOp, Op, Upstream};
use crate::error::Result;
use crate::exec::eval::{eval, Env};
use crate::exec::expr::{compile, Compiled};
use crate::exec::{Ctx, Row};
use crate::plan::ProjectSpec;
use crate::value::Value;

/// The operators of projection `spec` on top of `input`, whose rows have `in_layout`.
pub(super) fn build<'a, 's>(
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a ProjectSpec,
    in_layout: &[String],
) -> Result<BoxOp<'a>> {
    let out_len = spec.items.len() - spec.hidden;
    // The rows between the projection and the narrowing: items, then (with
    // `keep_input`) the input variables.
    let mut layout: Vec<String> = spec.items.iter().map(|(n, _)| n.clone()).collect();
    if spec.keep_input {
        layout.extend(in_layout.iter().cloned());
    }
    let mut op: BoxOp<'a> = if spec.aggregating {
        let upstream = Upstream {
            ctx,
            input,
            layout: in_layout,
        };
        Box::new(AggregationOp::new(upstream, spec)?)
    } else {
        Box::new(ProjectionOp {
            ctx,
            input,
            items: spec
                .items
                .iter()
                .map(|(_, e)| compile(ctx, e, in_layout))
                .collect::<Result<_>>()?,
            keep_input: spec.keep_input,
            width: layout.len(),
            in_batch: Batch::default(),
        })
    };
    if spec.distinct {
        op = Box::new(DistinctOp::new(op, out_len, &ctx.limits.memory));
    }
    let bounds = (spec.skip.as_ref(), spec.limit.as_ref());
    if !spec.order_by.is_empty() {
        op = Box::new(SortOp::new(ctx, op, &spec.order_by, &layout, bounds)?);
    }
    if spec.skip.is_some() || spec.limit.is_some() {
        op = Box::new(SkipLimitOp::new(ctx, op, bounds));
    }
    if let Some(w) = &spec.where_ {
        op = Box::new(FilterOp::new(ctx, op, &layout, w)?);
    }
    if layout.len() > out_len {
        op = Box::new(ColumnsOp {
            input: op,
            width: out_len,
        });
    }
    Ok(op)
}

/// The items of a projection computed per row (with the input row after them when
/// `keep_input`).
struct ProjectionOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    items: Vec<Compiled<'a>>,
    keep_input: bool,
    width: usize,
    in_batch: Batch,
}

impl ProjectionOp<'_, '_> {
    fn project(&self, row: &[Value]) -> Result<Row> {
        let env = Env::row(row);
        let mut out = Vec::with_capacity(self.width);
        for e in &self.items {
            out.push(eval(self.ctx, &env, e)?);
        }
        if self.keep_input {
            out.extend_from_slice(row);
        }
        Ok(out)
    }
}

impl Op for ProjectionOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        match self.input.next()? {
            Some(row) => self.project(&row).map(Some),
            None => Ok(None),
        }
    }

    fn next_batch(&mut self, batch: &mut Batch) -> Result<bool> {
        batch.clear();
        let mut input = std::mem::take(&mut self.in_batch);
        let more = self.input.next_batch(&mut input)?;
        if more {
            for row in input.rows() {
                batch.push(self.project(row)?);
            }
        }
        self.in_batch = input;
        Ok(more)
    }
}

/// Drops the columns after the first `width` (those only ORDER BY or WHERE read).
struct ColumnsOp<'a> {
    input: BoxOp<'a>,
    width: usize,
}

impl Op for ColumnsOp<'_> {
    fn next(&mut self) -> Result<Option<Row>> {
        Ok(self.input.next()?.map(|mut row| {
            row.truncate(self.width);
            row
        }))
    }
}
