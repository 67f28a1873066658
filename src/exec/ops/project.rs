//! RETURN and WITH: projection, aggregation, DISTINCT, WHERE, ORDER BY (with top-k) and
//! SKIP/LIMIT over the rows of one projection.

use super::{Batch, BoxOp, Op};
use crate::ast::{Expr, ExprKind};
use crate::error::{Error, Result};
use crate::exec::aggregate::Aggregator;
use crate::exec::eval::{eval, is_true, AggValues, Env, Operand};
use crate::exec::{Ctx, Row};
use crate::plan::ProjectSpec;
use crate::value::{GroupKey, Value};
use std::cmp::Ordering;
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashSet, HashSetExt};
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};

/// Whether two values are certainly the same for grouping (cheap checks only).
pub(super) fn same_identity(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Node(x), Value::Node(y)) => x.id == y.id,
        (Value::Relationship(x), Value::Relationship(y)) => x.id == y.id,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Null, Value::Null) => true,
        _ => false,
    }
}

/// Evaluates SKIP / LIMIT: a non-negative integer.
pub(super) fn count_arg(ctx: &Ctx<'_, '_>, e: &Expr, what: &str) -> Result<usize> {
    match eval(ctx, &Env::row(&[], &[]), e)? {
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

/// One aggregation call inside a projection.
pub(super) struct AggCall<'a> {
    /// Where the call is written: the key its value is found by.
    at: crate::ast::Span,
    name: String,
    distinct: bool,
    star: bool,
    args: &'a [Expr],
    /// A single argument, resolved against the operator's layout.
    single: Option<Operand<'a>>,
}

pub(super) fn collect_aggs<'a>(e: &'a Expr, out: &mut Vec<AggCall<'a>>) {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::CountStar => out.push(AggCall {
            at: e.span,
            name: "count".to_string(),
            distinct: false,
            star: true,
            args: &[],
            single: None,
        }),
        ExprKind::FunctionCall {
            name,
            distinct,
            args,
        } if crate::catalog::aggregates::is_aggregate_call(e) => out.push(AggCall {
            at: e.span,
            name: name
                .first()
                .map(|n| n.name.to_lowercase())
                .unwrap_or_default(),
            distinct: *distinct,
            star: false,
            args,
            single: None,
        }),
        _ => {
            // Visit direct children only; `walk_expr` would also visit the calls'
            // arguments, which belong to the call.
            for c in e.children() {
                collect_aggs(c, out);
            }
        }
    }
}

pub(super) struct ProjectOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: Option<BoxOp<'a>>,
    spec: &'a ProjectSpec,
    in_layout: Vec<String>,
    /// Items, then (with `keep_input`) the input variables.
    wide_layout: Vec<String>,
    out_len: usize,
    seen: HashSet<Vec<GroupKey>>,
    ready: Option<std::vec::IntoIter<Row>>,
    skip: Option<usize>,
    limit: Option<usize>,
    started: bool,
}

impl<'a, 's> ProjectOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a ProjectSpec,
        in_layout: Vec<String>,
    ) -> ProjectOp<'a, 's> {
        let mut wide_layout: Vec<String> = spec.items.iter().map(|(n, _)| n.clone()).collect();
        if spec.keep_input {
            wide_layout.extend(in_layout.iter().cloned());
        }
        ProjectOp {
            ctx,
            input: Some(input),
            out_len: spec.items.len() - spec.hidden,
            spec,
            in_layout,
            wide_layout,
            seen: HashSet::new(),
            ready: None,
            skip: None,
            limit: None,
            started: false,
        }
    }

    fn project_row(&self, row: &[Value]) -> Result<Row> {
        let env = Env::row(&self.in_layout, row);
        let mut out = Vec::with_capacity(self.wide_layout.len());
        for (_, e) in &self.spec.items {
            out.push(eval(self.ctx, &env, e)?);
        }
        if self.spec.keep_input {
            out.extend_from_slice(row);
        }
        Ok(out)
    }

    fn passes_where(&self, wide: &Row) -> Result<bool> {
        match &self.spec.where_ {
            None => Ok(true),
            Some(w) => Ok(is_true(&eval(
                self.ctx,
                &Env::row(&self.wide_layout, wide),
                w,
            )?)),
        }
    }

    fn is_new(&mut self, wide: &Row) -> bool {
        if !self.spec.distinct {
            return true;
        }
        let key: Vec<GroupKey> = wide
            .iter()
            .take(self.out_len)
            .map(Value::group_key)
            .collect();
        self.seen.insert(key)
    }

    /// Feeds one input row to a group's aggregators.
    fn update_group(
        &self,
        aggs: &mut [crate::exec::aggregate::Accumulator],
        calls: &[AggCall<'_>],
        env: &Env<'_>,
        row: &[Value],
        weight_slot: Option<usize>,
        far_slot: Option<usize>,
    ) -> Result<()> {
        if let Some(slot) = far_slot {
            // This row stands for one row per far node in the list.
            let ids: Vec<u64> = match row.get(slot) {
                Some(Value::List(items)) => items
                    .iter()
                    .filter_map(|v| match v {
                        Value::Int(id) => u64::try_from(*id).ok(),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for agg in aggs.iter_mut() {
                agg.update_nodes(&ids)?;
            }
            return Ok(());
        }
        if let Some(slot) = weight_slot {
            // This row stands for `weight` rows of a plain count.
            let weight = match row.get(slot) {
                Some(Value::Int(w)) => u64::try_from(*w).unwrap_or(0),
                _ => 0,
            };
            let counted = [Value::Bool(true)];
            for (agg, c) in aggs.iter_mut().zip(calls) {
                let args: &[Value] = if c.star { &[] } else { &counted };
                agg.update_times(args, weight)?;
            }
            return Ok(());
        }
        for (agg, c) in aggs.iter_mut().zip(calls) {
            match (c.args, &c.single) {
                // One argument, the common case: looked at in place.
                (_, Some(one)) => one.with_value(self.ctx, &self.in_layout, row, |v| {
                    agg.update(std::slice::from_ref(v))
                })?,
                ([], None) => agg.update(&[])?,
                (args, None) => {
                    let values = args
                        .iter()
                        .map(|a| eval(self.ctx, env, a))
                        .collect::<Result<Vec<_>>>()?;
                    agg.update(&values)?;
                }
            }
        }
        Ok(())
    }

    fn aggregate(&mut self, input: &mut BoxOp<'a>) -> Result<Vec<Row>> {
        let mut calls = Vec::new();
        let mut is_key = Vec::new();
        for (_, e) in &self.spec.items {
            let before = calls.len();
            collect_aggs(e, &mut calls);
            is_key.push(calls.len() == before);
        }
        // The end evaluates each group's items on its first row, unless every item is a
        // grouping item (its value is kept) or an aggregate call alone.
        let keeps_rows =
            self.spec.hidden > 0
                || self.spec.items.iter().zip(&is_key).any(|((_, e), k)| {
                    !k && !calls.iter().any(|c| c.at == e.span)
                });
        // The groups, column-wise (no allocation per group beyond its values): group `g`
        // has first row `firsts[g]` (when kept), grouping values `held[g * width..]` and
        // aggregators `aggs[g * calls.len()..]`.
        let mut firsts: Vec<Row> = Vec::new();
        let mut held: Vec<Value> = Vec::new();
        let mut aggs: Vec<crate::exec::aggregate::Accumulator> = Vec::new();
        let mut group_count = 0usize;
        let width = is_key.iter().filter(|k| **k).count();
        // The groups by the hash of their grouping values: a row's values are hashed and
        // compared where they lie, and copied only when they start a group.
        let mut index: HashTable<(u64, usize)> = HashTable::new();
        let hasher = foldhash::fast::RandomState::default();
        let keys: Vec<Operand<'_>> = self
            .spec
            .items
            .iter()
            .zip(&is_key)
            .filter(|(_, k)| **k)
            .map(|((_, e), _)| Operand::new(self.ctx, e, &self.in_layout))
            .collect();
        for c in &mut calls {
            if let [one] = c.args {
                c.single = Some(Operand::new(self.ctx, one, &self.in_layout));
            }
        }
        // Appends a fresh aggregator per call (a new group's).
        let fresh = |aggs: &mut Vec<crate::exec::aggregate::Accumulator>| -> Result<()> {
            for c in &calls {
                aggs.push(
                    crate::exec::aggregate::create(&c.name, c.distinct, c.star).ok_or_else(
                        || {
                            Error::syntax(
                                "UnknownFunction",
                                format!("unknown aggregation function {}", c.name),
                            )
                        },
                    )?,
                );
            }
            Ok(())
        };
        // Rows often come in runs with the same grouping variables (all relationships
        // of one node): the group of the previous row is reused without evaluating keys.
        let mut key_vars = Vec::new();
        for ((_, e), k) in self.spec.items.iter().zip(&is_key) {
            if *k {
                crate::ast::mentioned_vars(e, &mut key_vars);
            }
        }
        let key_slots: Vec<usize> = key_vars
            .iter()
            .filter_map(|v| self.in_layout.iter().position(|n| n == v))
            .collect();
        let weight_slot = self
            .spec
            .weight_var
            .as_ref()
            .and_then(|w| self.in_layout.iter().position(|n| n == w));
        let far_slot = self
            .spec
            .far_nodes_var
            .as_ref()
            .and_then(|f| self.in_layout.iter().position(|n| n == f));
        // The last row whose group was looked up in this batch, and that group; across
        // batches, that row's grouping variables.
        let mut carried: Option<(Vec<Value>, usize)> = None;
        let mut batch = Batch::default();
        while input.next_batch(&mut batch)? {
            let mut last: Option<(&[Value], usize)> = None;
            for row in batch.rows() {
                self.ctx.limits.check()?;
                let env = Env::row(&self.in_layout, row);
                let same_keys = |before: &mut dyn Iterator<Item = Option<&Value>>| {
                    key_slots.iter().all(|&s| {
                        matches!((row.get(s), before.next()), (Some(x), Some(Some(y))) if same_identity(x, y))
                    })
                };
                let reuse = match (last, &carried) {
                    (Some((before, gi)), _) => {
                        same_keys(&mut key_slots.iter().map(|&s| before.get(s))).then_some(gi)
                    }
                    (None, Some((values, gi))) => {
                        same_keys(&mut values.iter().map(Some)).then_some(*gi)
                    }
                    (None, None) => None,
                };
                let gi = match reuse {
                    Some(gi) => gi,
                    None => {
                        // The group of `values`, started with `first` when there is none.
                        let mut group_of = |values: &[&Value], first: &[Value]| -> Result<usize> {
                            let mut state = hasher.build_hasher();
                            for v in values {
                                v.hash_group(&mut state);
                            }
                            let hash = state.finish();
                            let same = |&(h, g): &(u64, usize)| {
                                h == hash
                                    && held.get(g * width..(g + 1) * width).is_some_and(|kept| {
                                        kept.iter().zip(values).all(|(a, b)| a.same_group(b))
                                    })
                            };
                            if let Some(&(_, g)) = index.find(hash, same) {
                                return Ok(g);
                            }
                            if keeps_rows {
                                firsts.push(first.to_vec());
                            }
                            held.extend(values.iter().map(|v| (*v).clone()));
                            fresh(&mut aggs)?;
                            index.insert_unique(hash, (hash, group_count), |e| e.0);
                            group_count += 1;
                            Ok(group_count - 1)
                        };
                        let gi = match keys.as_slice() {
                            [one] => one.with_value(self.ctx, &self.in_layout, row, |v| {
                                group_of(&[v], row)
                            })?,
                            many => {
                                let values = many
                                    .iter()
                                    .map(|k| {
                                        k.with_value(self.ctx, &self.in_layout, row, |v| {
                                            Ok(v.clone())
                                        })
                                    })
                                    .collect::<Result<Vec<_>>>()?;
                                let refs: Vec<&Value> = values.iter().collect();
                                group_of(&refs, row)?
                            }
                        };
                        last = Some((row, gi));
                        gi
                    }
                };
                let Some(group_aggs) = aggs.get_mut(gi * calls.len()..(gi + 1) * calls.len())
                else {
                    continue;
                };
                self.update_group(group_aggs, &calls, &env, row, weight_slot, far_slot)?;
            }
            if let Some((row, gi)) = last {
                let values = key_slots
                    .iter()
                    .map(|&s| row.get(s).cloned().unwrap_or(Value::Null));
                carried = Some((values.collect(), gi));
            }
        }
        if group_count == 0 && width == 0 {
            firsts.push(vec![Value::Null; self.in_layout.len()]);
            fresh(&mut aggs)?;
            group_count = 1;
        }
        // Sort keys computed below may also use the columns computed first.
        let mut wide_layout: Vec<String> = self
            .spec
            .items
            .iter()
            .take(self.out_len)
            .map(|(n, _)| n.clone())
            .collect();
        wide_layout.extend(self.in_layout.iter().cloned());
        let hidden = self.spec.items.len() > self.out_len;
        let mut out = Vec::with_capacity(group_count);
        let mut values = AggValues::default();
        let mut held = held.into_iter();
        let no_row = Vec::new();
        for g in 0..group_count {
            let rep = firsts.get(g).unwrap_or(&no_row);
            values.clear();
            for (c, a) in calls
                .iter()
                .zip(aggs.get(g * calls.len()..).unwrap_or_default())
            {
                values.insert(c.at, a.finish()?);
            }
            let env = Env::Row {
                layout: &self.in_layout,
                row: rep,
                aggs: Some(&values),
            };
            let mut row = Vec::with_capacity(self.spec.items.len());
            // Grouping items take the values computed when the group was found.
            let mut key_values = held.by_ref().take(width);
            for ((_, e), k) in self.spec.items.iter().zip(&is_key).take(self.out_len) {
                let value = match k.then(|| key_values.next()).flatten() {
                    Some(v) => v,
                    None => eval(self.ctx, &env, e)?,
                };
                row.push(value);
            }
            // Values of hidden grouping items are not used here; the next group's follow.
            key_values.for_each(drop);
            if !hidden {
                out.push(row);
                continue;
            }
            let mut wide_row = row.clone();
            wide_row.extend(rep.iter().cloned());
            for (_, e) in self.spec.items.iter().skip(self.out_len) {
                let env = Env::Row {
                    layout: &wide_layout,
                    row: &wide_row,
                    aggs: Some(&values),
                };
                row.push(eval(self.ctx, &env, e)?);
            }
            out.push(row);
        }
        Ok(out)
    }

    /// Aggregation and sorting: everything is computed on the first pull.
    fn blocking(&mut self, mut input: BoxOp<'a>) -> Result<Vec<Row>> {
        let mut rows = if self.spec.aggregating {
            let rows = self.aggregate(&mut input)?;
            let mut kept = Vec::new();
            for r in rows {
                if self.is_new(&r) {
                    kept.push(r);
                }
            }
            kept
        } else {
            let mut rows = Vec::new();
            let mut batch = Batch::default();
            while input.next_batch(&mut batch)? {
                for row in batch.rows() {
                    self.ctx.limits.check()?;
                    let wide = self.project_row(row)?;
                    if self.is_new(&wide) {
                        rows.push(wide);
                    }
                }
            }
            rows
        };
        let skip = self.skip.unwrap_or(0);
        // Sort keys that name a column are compared in place, without copying them out.
        let key_slots: Option<Vec<(usize, bool)>> = self
            .spec
            .order_by
            .iter()
            .map(|(e, desc)| match &e.kind {
                ExprKind::Variable(name) => self
                    .wide_layout
                    .iter()
                    .position(|n| n == name)
                    .map(|slot| (slot, *desc)),
                _ => None,
            })
            .collect();
        if let (Some(slots), false) = (key_slots, self.spec.order_by.is_empty()) {
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
            let mut numbered: Vec<(usize, Row)> = rows.into_iter().enumerate().collect();
            keep_first(
                &mut numbered,
                self.limit.map(|l| skip.saturating_add(l)),
                cmp,
            );
            rows = numbered.into_iter().map(|(_, r)| r).collect();
        } else if !self.spec.order_by.is_empty() {
            let mut keyed: Vec<(Vec<Value>, usize, Row)> = Vec::with_capacity(rows.len());
            for (i, r) in rows.into_iter().enumerate() {
                let env = Env::row(&self.wide_layout, &r);
                let keys = self
                    .spec
                    .order_by
                    .iter()
                    .map(|(e, _)| eval(self.ctx, &env, e))
                    .collect::<Result<Vec<_>>>()?;
                keyed.push((keys, i, r));
            }
            let spec = self.spec;
            let cmp = |a: &(Vec<Value>, usize, Row), b: &(Vec<Value>, usize, Row)| {
                for ((x, y), (_, desc)) in a.0.iter().zip(&b.0).zip(&spec.order_by) {
                    let o = x.order(y);
                    let o = if *desc { o.reverse() } else { o };
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                a.1.cmp(&b.1)
            };
            keep_first(&mut keyed, self.limit.map(|l| skip.saturating_add(l)), cmp);
            rows = keyed.into_iter().map(|(_, _, r)| r).collect();
        }
        let rows = rows
            .into_iter()
            .skip(skip)
            .take(self.limit.unwrap_or(usize::MAX));
        let mut out = Vec::new();
        for r in rows {
            if self.passes_where(&r)? {
                out.push(r.into_iter().take(self.out_len).collect());
            }
        }
        Ok(out)
    }
}

/// Sorts `items` by `cmp`, keeping only the first `k` when given (top-k: the best `k`
/// so far are kept with the worst of them as a bar that most items fail at one
/// comparison; then a sort of what is kept).
pub(super) fn keep_first<T>(
    items: &mut Vec<T>,
    k: Option<usize>,
    cmp: impl Fn(&T, &T) -> Ordering,
) {
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

impl Op for ProjectOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        if !self.started {
            self.started = true;
            self.skip = self
                .spec
                .skip
                .as_ref()
                .map(|e| count_arg(self.ctx, e, "SKIP"))
                .transpose()?;
            self.limit = self
                .spec
                .limit
                .as_ref()
                .map(|e| count_arg(self.ctx, e, "LIMIT"))
                .transpose()?;
            if self.spec.aggregating || !self.spec.order_by.is_empty() {
                if let Some(input) = self.input.take() {
                    let rows = self.blocking(input)?;
                    self.ready = Some(rows.into_iter());
                }
            }
        }
        if let Some(ready) = &mut self.ready {
            return Ok(ready.next());
        }
        // Streaming: project, drop duplicates, skip, limit, filter.
        loop {
            if self.limit == Some(0) {
                self.input = None;
                return Ok(None);
            }
            let Some(input) = &mut self.input else {
                return Ok(None);
            };
            let Some(row) = input.next()? else {
                return Ok(None);
            };
            let wide = self.project_row(&row)?;
            if !self.is_new(&wide) {
                continue;
            }
            if let Some(s) = &mut self.skip {
                if *s > 0 {
                    *s -= 1;
                    continue;
                }
            }
            if let Some(l) = &mut self.limit {
                *l -= 1;
            }
            if self.passes_where(&wide)? {
                return Ok(Some(wide.into_iter().take(self.out_len).collect()));
            }
        }
    }
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
