//! Aggregation: the rows of a RETURN or WITH with aggregate calls, grouped by the values
//! of its grouping items, each group's accumulators updated in place; the group rows
//! (items, then hidden sort items) come out once the input is exhausted.

use super::{Batch, BoxOp, Op};
use crate::ast::Expr;
use crate::error::{Error, Result};
use crate::exec::aggregate::Aggregator;
use crate::exec::eval::{eval, AggValues, Env, Operand};
use crate::exec::{Ctx, Row};
use crate::plan::ProjectSpec;
use crate::value::Value;
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

pub(super) struct AggregationOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: Option<BoxOp<'a>>,
    spec: &'a ProjectSpec,
    in_layout: Vec<String>,
    out_len: usize,
    ready: Option<std::vec::IntoIter<Row>>,
}

impl<'a, 's> AggregationOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a ProjectSpec,
        in_layout: Vec<String>,
    ) -> Self {
        AggregationOp {
            ctx,
            input: Some(input),
            spec,
            in_layout,
            out_len: spec.items.len() - spec.hidden,
            ready: None,
        }
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
        let keeps_rows = self.spec.hidden > 0
            || self
                .spec
                .items
                .iter()
                .zip(&is_key)
                .any(|((_, e), k)| !k && !calls.iter().any(|c| c.at == e.span));
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
}

impl Op for AggregationOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        if let Some(mut input) = self.input.take() {
            let rows = self.aggregate(&mut input)?;
            self.ready = Some(rows.into_iter());
        }
        Ok(self.ready.as_mut().and_then(Iterator::next))
    }
}
