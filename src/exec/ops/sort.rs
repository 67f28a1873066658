//! ORDER BY: the rows sorted by their sort keys (ties keep their input order), only the
//! first SKIP + LIMIT of them kept when there is a LIMIT (top-k).

use super::limit::count_arg;
use super::{BoxOp, Op};
use crate::ast::Expr;
use crate::error::Result;
use crate::exec::eval::{eval, Env};
use crate::exec::expr::{compile, Compiled};
use crate::exec::memory::{row_bytes, Held};
use crate::exec::{Ctx, Row};
use crate::value::Value;
use std::cmp::Ordering;

pub(super) struct SortOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: Option<BoxOp<'a>>,
    /// The sort keys, each descending or not.
    order_by: Vec<(Compiled<'a>, bool)>,
    skip: Option<&'a Expr>,
    limit: Option<&'a Expr>,
    ready: Option<std::vec::IntoIter<Row>>,
    /// The rows held, until the sort is dropped.
    held: Held<'a>,
}

impl<'a, 's> SortOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        order_by: &'a [(Expr, bool)],
        layout: &[String],
        (skip, limit): (Option<&'a Expr>, Option<&'a Expr>),
    ) -> Result<Self> {
        Ok(SortOp {
            ctx,
            input: Some(input),
            order_by: order_by
                .iter()
                .map(|(e, desc)| Ok((compile(ctx, e, layout)?, *desc)))
                .collect::<Result<_>>()?,
            skip,
            limit,
            ready: None,
            held: Held::new(&ctx.limits.memory, "ORDER BY"),
        })
    }

    /// All input rows, sorted; only the first SKIP + LIMIT when there is a LIMIT.
    fn sorted(&mut self, mut input: BoxOp<'a>) -> Result<Vec<Row>> {
        let skip = match self.skip {
            Some(e) => count_arg(self.ctx, e, "SKIP")?,
            None => 0,
        };
        let fetch = match self.limit {
            Some(e) => Some(skip.saturating_add(count_arg(self.ctx, e, "LIMIT")?)),
            None => None,
        };
        // With a LIMIT, what is kept is cut to the best SKIP + LIMIT whenever it reaches
        // twice that (at least 1,024 rows): a top-k holds about 2k rows, not its input.
        let cut_at = fetch.map(|k| k.saturating_mul(2).max(1024));
        // Sort keys that name a column are compared in place, without copying them out.
        let key_slots: Option<Vec<(usize, bool)>> = self
            .order_by
            .iter()
            .map(|(e, desc)| e.slot().map(|slot| (slot, *desc)))
            .collect();
        // Rows are taken one by one: they are kept whole, so a batch would only copy them.
        if let Some(slots) = key_slots {
            let cmp = |a: &(usize, Row), b: &(usize, Row)| {
                for &(slot, desc) in &slots {
                    let o = match (a.1.get(slot), b.1.get(slot)) {
                        (Some(x), Some(y)) => x.order(y),
                        _ => Ordering::Equal,
                    };
                    let o = if desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.0.cmp(&b.0)
            };
            let mut numbered: Vec<(usize, Row)> = Vec::new();
            let mut count = 0;
            while let Some(row) = input.next()? {
                self.ctx.limits.check()?;
                self.held.hold_row(&row)?;
                numbered.push((count, row));
                count += 1;
                if cut_at.is_some_and(|at| numbered.len() >= at) {
                    keep_first(&mut numbered, fetch, cmp);
                    self.held.shrink(usize::MAX);
                    for (_, row) in &numbered {
                        self.held.hold_row(row)?;
                    }
                }
            }
            keep_first(&mut numbered, fetch, cmp);
            return Ok(numbered.into_iter().map(|(_, r)| r).collect());
        }
        let order_by = &self.order_by;
        let cmp = |a: &(Vec<Value>, usize, Row), b: &(Vec<Value>, usize, Row)| {
            for ((x, y), (_, desc)) in a.0.iter().zip(&b.0).zip(order_by) {
                let o = x.order(y);
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.1.cmp(&b.1)
        };
        let held_by = |(keys, _, row): &(Vec<Value>, usize, Row)| row_bytes(keys) + row_bytes(row);
        let mut keyed: Vec<(Vec<Value>, usize, Row)> = Vec::new();
        let mut count = 0;
        while let Some(row) = input.next()? {
            self.ctx.limits.check()?;
            let env = Env::row(&row);
            let keys = order_by
                .iter()
                .map(|(e, _)| eval(self.ctx, &env, e))
                .collect::<Result<Vec<_>>>()?;
            let item = (keys, count, row);
            self.held.grow(held_by(&item))?;
            keyed.push(item);
            count += 1;
            if cut_at.is_some_and(|at| keyed.len() >= at) {
                keep_first(&mut keyed, fetch, cmp);
                self.held.shrink(usize::MAX);
                for item in &keyed {
                    self.held.grow(held_by(item))?;
                }
            }
        }
        keep_first(&mut keyed, fetch, cmp);
        Ok(keyed.into_iter().map(|(_, _, r)| r).collect())
    }
}

impl Op for SortOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        if let Some(input) = self.input.take() {
            self.ready = Some(self.sorted(input)?.into_iter());
        }
        Ok(self.ready.as_mut().and_then(Iterator::next))
    }
}

/// Sorts `items` by `cmp`, keeping only the first `k` when given (top-k: the best `k`
/// so far are kept with the worst of them as a bar that most items fail at one
/// comparison; then a sort of what is kept).
fn keep_first<T>(items: &mut Vec<T>, k: Option<usize>, cmp: impl Fn(&T, &T) -> Ordering) {
    if let Some(k) = k {
        if k == 0 {
            items.clear();
        } else if k < items.len() {
            let mut kept: Vec<T> = Vec::with_capacity(k.saturating_mul(2));
            // Whether kept[k - 1] is the bar: after a selection, until the next one.
            let mut has_bar = false;
            for item in items.drain(..) {
                if has_bar
                    && kept
                        .get(k - 1)
                        .is_some_and(|bar| cmp(&item, bar) != Ordering::Less)
                {
                    continue;
                }
                kept.push(item);
                if kept.len() >= k.saturating_mul(2) {
                    kept.select_nth_unstable_by(k - 1, &cmp);
                    kept.truncate(k);
                    has_bar = true;
                }
            }
            if k < kept.len() {
                kept.select_nth_unstable_by(k - 1, &cmp);
                kept.truncate(k);
            }
            *items = kept;
        }
    }
    items.sort_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::keep_first;

    /// The kept items are the first `k` of a full sort, ties broken by position, for
    /// many sizes, limits and spreads of equal keys.
    #[test]
    fn top_k_keeps_what_a_full_sort_keeps() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for n in [0usize, 1, 2, 5, 17, 100, 1000] {
            for spread in [1u64, 3, 50, 1_000_000] {
                let items: Vec<(u64, usize)> = (0..n).map(|i| (next() % spread, i)).collect();
                let cmp = |a: &(u64, usize), b: &(u64, usize)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
                let mut sorted = items.clone();
                sorted.sort_by(cmp);
                for k in [0usize, 1, 2, 3, 10, 99, 2000] {
                    let mut kept = items.clone();
                    keep_first(&mut kept, Some(k), cmp);
                    let want: Vec<_> = sorted.iter().take(k).copied().collect();
                    assert_eq!(kept, want, "n {n}, spread {spread}, k {k}");
                }
            }
        }
    }
}
