//! Aggregation: the rows of a RETURN or WITH with aggregate calls, grouped by the values
//! of its grouping items, each group's accumulators updated in place; the group rows
//! (items, then hidden sort items) come out once the input is exhausted.

use super::{Batch, BoxOp, Op, Upstream};
use crate::ast::Expr;
use crate::error::{Error, Result};
use crate::exec::aggregate::{Accumulator, Aggregator};
use crate::exec::eval::{eval, with_value, AggValues, Env};
use crate::exec::expr::{compile, compile_all, Compiled, Kind};
use crate::exec::memory::{row_bytes, value_bytes, Held};
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

/// One aggregation call inside a projection, its arguments compiled on the input rows.
pub(super) struct AggCall<'a> {
    /// Where the call is written: the key its value is found by.
    at: crate::ast::Span,
    name: String,
    distinct: bool,
    star: bool,
    args: Vec<Compiled<'a>>,
    /// Whether its aggregator keeps the values it is fed (collect, the percentiles,
    /// and DISTINCT's seen values), which the memory budget counts.
    keeps_values: bool,
}

/// The aggregation calls in `e` (not inside one another: a call's arguments are its own).
fn collect_aggs<'a>(e: &'a Expr, out: &mut Vec<(&'a Expr, &'a [Expr])>) {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::CountStar => out.push((e, &[])),
        ExprKind::FunctionCall { args, .. } if crate::catalog::aggregates::is_aggregate_call(e) => {
            out.push((e, args))
        }
        _ => {
            for c in e.children() {
                collect_aggs(c, out);
            }
        }
    }
}

impl<'a> AggCall<'a> {
    fn new(ctx: &Ctx<'a, '_>, e: &'a Expr, args: &'a [Expr], layout: &[String]) -> Result<Self> {
        use crate::ast::ExprKind;
        let (name, distinct, star) = match &e.kind {
            ExprKind::FunctionCall { name, distinct, .. } => (
                name.first()
                    .map(|n| n.name.to_lowercase())
                    .unwrap_or_default(),
                *distinct,
                false,
            ),
            _ => ("count".to_string(), false, true),
        };
        if crate::exec::aggregate::create(&name, distinct, star).is_none() {
            return Err(Error::syntax(
                "UnknownFunction",
                format!("unknown aggregation function {name}"),
            )
            .at(ctx.text, e.span.start));
        }
        let keeps_values = distinct
            || matches!(
                name.as_str(),
                "collect" | "percentilecont" | "percentiledisc"
            );
        Ok(AggCall {
            at: e.span,
            name,
            distinct,
            star,
            args: compile_all(ctx, args, layout)?,
            keeps_values,
        })
    }

    fn fresh(&self) -> Accumulator {
        // Checked to exist when the call was compiled.
        crate::exec::aggregate::create(&self.name, self.distinct, self.star)
            .unwrap_or_else(|| unreachable!("aggregate {} checked at compile", self.name))
    }
}

pub(super) struct AggregationOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: Option<BoxOp<'a>>,
    calls: Vec<AggCall<'a>>,
    /// The grouping items' expressions, on the input rows.
    keys: Vec<Compiled<'a>>,
    /// The input slots the grouping items read: rows that agree on them are in the
    /// same group, whatever the keys compute.
    key_slots: Vec<usize>,
    /// Per output item: `None` for a grouping item (its value is kept with the group),
    /// else the item on the group's first input row and the aggregates' values.
    items: Vec<Option<Compiled<'a>>>,
    /// Whether the end reads each group's first row.
    keeps_rows: bool,
    /// Items computed for ORDER BY only, on the output columns followed by the input.
    hidden: Vec<Compiled<'a>>,
    /// Each row stands for as many rows as the integer in this slot.
    weight_slot: Option<usize>,
    /// Each row stands for one row per node id in the list in this slot.
    far_slot: Option<usize>,
    in_width: usize,
    ready: Option<std::vec::IntoIter<Row>>,
}

impl<'a, 's> AggregationOp<'a, 's> {
    pub(super) fn new(upstream: Upstream<'a, 's, '_>, spec: &'a ProjectSpec) -> Result<Self> {
        let Upstream {
            ctx,
            input,
            layout: in_layout,
        } = upstream;
        let out_len = spec.items.len() - spec.hidden;
        let mut found = Vec::new();
        let mut is_key = Vec::new();
        for (_, e) in &spec.items {
            let before = found.len();
            collect_aggs(e, &mut found);
            is_key.push(found.len() == before);
        }
        let calls = found
            .into_iter()
            .map(|(e, args)| AggCall::new(ctx, e, args, in_layout))
            .collect::<Result<Vec<_>>>()?;
        let mut keys = Vec::new();
        let mut key_vars = Vec::new();
        let mut items = Vec::new();
        for (((_, e), k), i) in spec.items.iter().zip(&is_key).zip(0..) {
            if *k {
                keys.push(compile(ctx, e, in_layout)?);
                crate::ast::mentioned_vars(e, &mut key_vars);
            }
            if i < out_len {
                items.push(if *k {
                    None
                } else {
                    Some(compile(ctx, e, in_layout)?)
                });
            }
        }
        let key_slots = key_vars
            .iter()
            .filter_map(|v| in_layout.iter().position(|n| n == v))
            .collect();
        // Each group's first row is kept unless every item is a grouping item or an
        // aggregate call alone.
        let keeps_rows = spec.hidden > 0
            || items.iter().any(|c| {
                c.as_ref()
                    .is_some_and(|c| !matches!(c.kind, Kind::Aggregate(_)))
            });
        // Sort keys may read the columns computed first, then the input variables.
        let mut wide_layout: Vec<String> = spec
            .items
            .iter()
            .take(out_len)
            .map(|(n, _)| n.clone())
            .collect();
        wide_layout.extend(in_layout.iter().cloned());
        let hidden = spec
            .items
            .iter()
            .skip(out_len)
            .map(|(_, e)| compile(ctx, e, &wide_layout))
            .collect::<Result<_>>()?;
        let slot_of = |var: &Option<String>| {
            var.as_ref()
                .and_then(|w| in_layout.iter().position(|n| n == w))
        };
        Ok(AggregationOp {
            ctx,
            input: Some(input),
            calls,
            keys,
            key_slots,
            items,
            keeps_rows,
            hidden,
            weight_slot: slot_of(&spec.weight_var),
            far_slot: slot_of(&spec.far_nodes_var),
            in_width: in_layout.len(),
            ready: None,
        })
    }

    /// Feeds one input row to a group's aggregators; what they keep of it is counted in
    /// `held`.
    fn update_group(
        &self,
        aggs: &mut [Accumulator],
        row: &[Value],
        held: &mut Held<'_>,
    ) -> Result<()> {
        if let Some(slot) = self.far_slot {
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
            for (agg, c) in aggs.iter_mut().zip(&self.calls) {
                if c.keeps_values {
                    held.grow(ids.len() * std::mem::size_of::<Value>())?;
                }
                agg.update_nodes(&ids)?;
            }
            return Ok(());
        }
        if let Some(slot) = self.weight_slot {
            // This row stands for `weight` rows of a plain count.
            let weight = match row.get(slot) {
                Some(Value::Int(w)) => u64::try_from(*w).unwrap_or(0),
                _ => 0,
            };
            let counted = [Value::Bool(true)];
            for (agg, c) in aggs.iter_mut().zip(&self.calls) {
                let args: &[Value] = if c.star { &[] } else { &counted };
                agg.update_times(args, weight)?;
            }
            return Ok(());
        }
        let env = Env::row(row);
        for (agg, c) in aggs.iter_mut().zip(&self.calls) {
            match c.args.as_slice() {
                // One argument, the common case: looked at in place.
                [one] => with_value(self.ctx, &env, one, |v| {
                    if c.keeps_values && !matches!(v, Value::Null) {
                        held.grow(value_bytes(v))?;
                    }
                    agg.update(std::slice::from_ref(v))
                })?,
                [] => agg.update(&[])?,
                args => {
                    let values = args
                        .iter()
                        .map(|a| eval(self.ctx, &env, a))
                        .collect::<Result<Vec<_>>>()?;
                    agg.update(&values)?;
                }
            }
        }
        Ok(())
    }

    fn aggregate(&mut self, input: &mut BoxOp<'a>) -> Result<Vec<Row>> {
        let calls = self.calls.len();
        let width = self.keys.len();
        // The groups, column-wise (no allocation per group beyond its values): group `g`
        // has first row `firsts[g]` (when kept), grouping values `held[g * width..]` and
        // aggregators `aggs[g * calls..]`.
        let mut firsts: Vec<Row> = Vec::new();
        let mut held: Vec<Value> = Vec::new();
        let mut aggs: Vec<Accumulator> = Vec::new();
        let mut group_count = 0usize;
        // What the groups hold: their first rows, grouping values, aggregators and the
        // values those keep.
        let mut charge = Held::new(&self.ctx.limits.memory, "aggregation");
        // The groups by the hash of their grouping values: a row's values are hashed and
        // compared where they lie, and copied only when they start a group.
        let mut index: HashTable<(u64, usize)> = HashTable::new();
        let hasher = foldhash::fast::RandomState::default();
        // Rows often come in runs with the same grouping variables (all relationships
        // of one node): the group of the previous row is reused without evaluating keys.
        // The last row whose group was looked up in this batch, and that group; across
        // batches, that row's grouping variables.
        let mut carried: Option<(Vec<Value>, usize)> = None;
        let mut batch = Batch::default();
        while input.next_batch(&mut batch)? {
            let mut last: Option<(&[Value], usize)> = None;
            for row in batch.rows() {
                self.ctx.limits.check()?;
                let same_keys = |before: &mut dyn Iterator<Item = Option<&Value>>| {
                    self.key_slots.iter().all(|&s| {
                        matches!((row.get(s), before.next()), (Some(x), Some(Some(y))) if same_identity(x, y))
                    })
                };
                let reuse = match (last, &carried) {
                    (Some((before, gi)), _) => {
                        same_keys(&mut self.key_slots.iter().map(|&s| before.get(s))).then_some(gi)
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
                            charge.grow(
                                values.iter().map(|v| value_bytes(v)).sum::<usize>()
                                    + calls * std::mem::size_of::<Accumulator>()
                                    + if self.keeps_rows { row_bytes(first) } else { 0 },
                            )?;
                            if self.keeps_rows {
                                firsts.push(first.to_vec());
                            }
                            held.extend(values.iter().map(|v| (*v).clone()));
                            aggs.extend(self.calls.iter().map(AggCall::fresh));
                            index.insert_unique(hash, (hash, group_count), |e| e.0);
                            group_count += 1;
                            Ok(group_count - 1)
                        };
                        let env = Env::row(row);
                        let gi = match self.keys.as_slice() {
                            [one] => with_value(self.ctx, &env, one, |v| group_of(&[v], row))?,
                            many => {
                                let values = many
                                    .iter()
                                    .map(|k| eval(self.ctx, &env, k))
                                    .collect::<Result<Vec<_>>>()?;
                                let refs: Vec<&Value> = values.iter().collect();
                                group_of(&refs, row)?
                            }
                        };
                        last = Some((row, gi));
                        gi
                    }
                };
                let Some(group_aggs) = aggs.get_mut(gi * calls..(gi + 1) * calls) else {
                    continue;
                };
                self.update_group(group_aggs, row, &mut charge)?;
            }
            if let Some((row, gi)) = last {
                let values = self
                    .key_slots
                    .iter()
                    .map(|&s| row.get(s).cloned().unwrap_or(Value::Null));
                carried = Some((values.collect(), gi));
            }
        }
        if group_count == 0 && width == 0 {
            // No rows and no grouping items: one group, of no rows.
            firsts.push(vec![Value::Null; self.in_width]);
            aggs.extend(self.calls.iter().map(AggCall::fresh));
            group_count = 1;
        }
        let mut out = Vec::with_capacity(group_count);
        let mut values = AggValues::default();
        let mut held = held.into_iter();
        let no_row = Vec::new();
        for g in 0..group_count {
            let rep = firsts.get(g).unwrap_or(&no_row);
            values.clear();
            for (c, a) in self
                .calls
                .iter()
                .zip(aggs.get(g * calls..).unwrap_or_default())
            {
                values.insert(c.at, a.finish()?);
            }
            let env = Env::Row {
                row: rep,
                aggs: Some(&values),
            };
            let mut row = Vec::with_capacity(self.items.len() + self.hidden.len());
            // Grouping items take the values computed when the group was found.
            let mut key_values = held.by_ref().take(width);
            for item in &self.items {
                let value = match item {
                    Some(e) => eval(self.ctx, &env, e)?,
                    None => key_values.next().unwrap_or(Value::Null),
                };
                row.push(value);
            }
            // Values of hidden grouping items are not used here; the next group's follow.
            key_values.for_each(drop);
            if !self.hidden.is_empty() {
                let mut wide_row = row.clone();
                wide_row.extend(rep.iter().cloned());
                let env = Env::Row {
                    row: &wide_row,
                    aggs: Some(&values),
                };
                for e in &self.hidden {
                    row.push(eval(self.ctx, &env, e)?);
                }
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
