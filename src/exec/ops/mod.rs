//! Pull operators for the reading steps of a plan. Each operator asks its input for a
//! row only when it is asked for one, so a LIMIT stops the scans below it early; only
//! aggregation and sorting hold rows back. Storage iterators are held across calls, so
//! a scan of a million nodes costs nothing until rows are pulled.

use super::eval::{eval, Env, NodeOperand};
use super::expr::{compile, compile_opt, Compiled};
use super::{Ctx, Row};
use crate::ast::{CompareOp, Expr, ExprKind};
use crate::error::{Error, ErrorClass, Result};
use crate::plan::{self, Access, Step};
use crate::storage::{Edge, LabelSet, TypeSet};
use crate::value::{Map, NodeId, Relationship, Value};
use std::cell::OnceCell;
use std::collections::VecDeque;
use std::time::Instant;

mod call;
mod distinct;
mod expand;
mod filter;
mod group;
mod join;
mod limit;
mod load_csv;
mod optional;
mod path;
mod project;
mod repeat;
mod scan;
mod shortest;
mod sort;
mod subquery;
mod unwind;

pub(crate) use call::yield_picks;
use call::CallOp;
use expand::ExpandOp;
use filter::FilterOp;
use join::HashJoinOp;
use load_csv::LoadCsvOp;
use optional::OptionalOp;
use path::BuildPathOp;
use repeat::RepeatOp;
use scan::{NodeFilterOp, ScanOp, Seek};
use shortest::ShortestOp;
use subquery::CallSubqueryOp;
pub(crate) use subquery::Returned;
use unwind::{UnwindOp, Unwinding};

pub(crate) trait Op {
    fn next(&mut self) -> Result<Option<Row>>;

    /// Empties `batch` and fills it with up to `BATCH_ROWS` rows; false when there are
    /// no more. Operators that find many rows at once (scans) fill it in place, without
    /// a vector per row; the others hand over what `next` gives.
    fn next_batch(&mut self, batch: &mut Batch) -> Result<bool> {
        batch_of_rows(self, batch)
    }
}

/// Fills `batch` with what `op.next()` gives, up to `BATCH_ROWS` rows.
fn batch_of_rows<O: Op + ?Sized>(op: &mut O, batch: &mut Batch) -> Result<bool> {
    batch.clear();
    while batch.len() < BATCH_ROWS {
        match op.next()? {
            Some(row) => batch.push(row),
            None => break,
        }
    }
    Ok(batch.len() > 0)
}

/// The next row of an operator that turns each input row into any number of rows:
/// what `pending` still holds, else what `fill` pushes onto it for the next input row,
/// until it pushes some or the input ends.
fn next_filled(
    pending: &mut VecDeque<Row>,
    input: &mut BoxOp<'_>,
    mut fill: impl FnMut(Row, &mut VecDeque<Row>) -> Result<()>,
) -> Result<Option<Row>> {
    loop {
        if let Some(row) = pending.pop_front() {
            return Ok(Some(row));
        }
        let Some(row) = input.next()? else {
            return Ok(None);
        };
        fill(row, pending)?;
    }
}

/// Rows a batch holds at most: enough to pay for the call, few enough to stay in cache.
pub(crate) const BATCH_ROWS: usize = 1024;

pub(crate) type BoxOp<'a> = Box<dyn Op + 'a>;

/// A batch of rows: the rows of an operator that finds many at once (a scan) stored one
/// after another in one vector (vectors of slots), with where each ends, so filling the
/// batch again reuses its memory; the rows of the others as they come.
#[derive(Default)]
pub(crate) struct Batch {
    values: Vec<Value>,
    ends: Vec<usize>,
    whole: Vec<Row>,
}

impl Batch {
    fn clear(&mut self) {
        self.values.clear();
        self.ends.clear();
        self.whole.clear();
    }

    pub fn len(&self) -> usize {
        self.ends.len() + self.whole.len()
    }

    fn push(&mut self, row: Row) {
        self.whole.push(row);
    }

    /// Appends `row` followed by the values of `more`.
    fn push_extended<const N: usize>(&mut self, row: &[Value], more: [Value; N]) {
        self.values.extend_from_slice(row);
        self.values.extend(more);
        self.ends.push(self.values.len());
    }

    /// The rows in order (a batch is filled one way or the other, never both).
    pub fn rows(&self) -> impl Iterator<Item = &[Value]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        let stored = starts
            .zip(self.ends.iter().copied())
            .map(|(start, end)| self.values.get(start..end).unwrap_or_default());
        self.whole.iter().map(Vec::as_slice).chain(stored)
    }
}

struct Source {
    rows: std::vec::IntoIter<Row>,
}

impl Op for Source {
    fn next(&mut self) -> Result<Option<Row>> {
        Ok(self.rows.next())
    }
}

/// An operator that yields `rows`.
pub(crate) fn source<'a>(rows: Vec<Row>) -> BoxOp<'a> {
    Box::new(Source {
        rows: rows.into_iter(),
    })
}

/// What an operator is built on: the statement's context, the operator it pulls its
/// rows from and the layout of those rows.
pub(super) struct Upstream<'a, 's, 'l> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: &'l [String],
}

/// Chains the operators of `steps` on top of `input`, whose rows have `layout`.
pub(crate) fn build<'a, 's>(
    ctx: &'a Ctx<'a, 's>,
    steps: &'a [Step],
    layout: &[String],
    input: BoxOp<'a>,
) -> Result<BoxOp<'a>> {
    let mut op = input;
    let mut layout = layout.to_vec();
    for step in steps {
        op = build_step(ctx, step, &layout, op)?;
        if let Some(stats) = ctx.profile {
            op = Box::new(Profiled {
                inner: op,
                key: plan::step_key(step),
                stats,
            });
        }
        layout = plan::layout_after(std::slice::from_ref(step), &layout);
    }
    Ok(op)
}

fn slot(layout: &[String], name: &str) -> Result<usize> {
    layout.iter().rposition(|n| n == name).ok_or_else(|| {
        Error::syntax(
            "UndefinedVariable",
            format!("variable `{}` is not defined", name.trim()),
        )
    })
}

/// A scan with the comparisons the planner gave it (see `plan::fuse_scan_filters`):
/// each that compares properties of the scanned node with constants is tested on the
/// node as it is read; any other is a filter on the rows the scan gives.
fn build_scan<'a, 's>(
    ctx: &'a Ctx<'a, 's>,
    (var, access, labels, props, predicates): ScanParts<'a>,
    layout: &[String],
    input: BoxOp<'a>,
) -> Result<BoxOp<'a>> {
    // The scan appends its node to the input row.
    let slot = layout.len();
    let mut scanned = layout.to_vec();
    scanned.push(var.clone());
    let mut filters = Vec::new();
    let mut on_rows = Vec::new();
    for pred in predicates {
        let on_node = |e| Ok(NodeOperand::new(compile(ctx, e, &scanned)?, slot));
        let resolved = match single_comparison(pred) {
            Some((op, left, right)) => on_node(left)?.zip(on_node(right)?).map(|(l, r)| (op, l, r)),
            None => None,
        };
        match resolved {
            Some((op, left, right)) => filters.push((op, left, right)),
            None => on_rows.push(pred),
        }
    }
    let mut op: BoxOp<'a> = Box::new(ScanOp {
        ctx,
        input,
        access: Seek::new(ctx, access, layout)?,
        labels: LabelTest::new(labels),
        props: compile_opt(ctx, props, layout)?,
        filters,
        current: None,
    });
    for pred in on_rows {
        op = Box::new(FilterOp::new(ctx, op, &scanned, pred)?);
    }
    Ok(op)
}

/// A scan step's variable, access, labels, inline properties and filters.
type ScanParts<'a> = (
    &'a String,
    &'a Access,
    &'a [String],
    Option<&'a Expr>,
    &'a [Expr],
);

/// A predicate that is one comparison of two expressions.
fn single_comparison(pred: &Expr) -> Option<(CompareOp, &Expr, &Expr)> {
    match &pred.kind {
        ExprKind::Compare(first, rest) => match rest.as_slice() {
            [(op, second)] => Some((*op, &**first, second)),
            _ => None,
        },
        _ => None,
    }
}

/// The operator of `step` on top of `input`.
fn build_step<'a, 's>(
    ctx: &'a Ctx<'a, 's>,
    step: &'a Step,
    layout: &[String],
    input: BoxOp<'a>,
) -> Result<BoxOp<'a>> {
    let op: BoxOp<'a> = match step {
        Step::Scan {
            var,
            access,
            labels,
            props,
            filters,
        } => {
            let scan = (
                var,
                access,
                labels.as_slice(),
                props.as_ref(),
                filters.as_slice(),
            );
            build_scan(ctx, scan, layout, input)?
        }
        Step::NodeFilter { var, labels, props } => Box::new(NodeFilterOp {
            ctx,
            input,
            slot: slot(layout, var)?,
            labels: LabelTest::new(labels),
            props: compile_opt(ctx, props.as_ref(), layout)?,
        }),
        Step::Expand(spec) => Box::new(ExpandOp::new(Upstream { ctx, input, layout }, spec)?),
        Step::HashJoin(spec) => Box::new(HashJoinOp::new(Upstream { ctx, input, layout }, spec)?),
        Step::ShortestPath(spec) => {
            let mut with_path = layout.to_vec();
            with_path.push(spec.rel.clone());
            with_path.extend(spec.path.iter().cloned());
            Box::new(ShortestOp {
                ctx,
                input,
                from: slot(layout, &spec.from)?,
                to: slot(layout, &spec.to)?,
                rel_props: compile_opt(ctx, spec.rel_props.as_ref(), layout)?,
                filters: (spec.filters.iter())
                    .map(|f| compile(ctx, f, &with_path))
                    .collect::<Result<_>>()?,
                spec,
                pending: VecDeque::new(),
            })
        }
        Step::Repeat(spec) => Box::new(RepeatOp::new(ctx, input, spec, layout)?),
        Step::Filter(pred) => Box::new(FilterOp::new(ctx, input, layout, pred)?),
        Step::BuildPath { start, rels, .. } => Box::new(BuildPathOp {
            input,
            start: slot(layout, start)?,
            rels: rels
                .iter()
                .map(|r| slot(layout, r))
                .collect::<Result<_>>()?,
        }),
        Step::Optional { steps, new_vars } => Box::new(OptionalOp {
            ctx,
            input,
            steps,
            layout: layout.to_vec(),
            new_count: new_vars.len(),
            inner: None,
        }),
        Step::Unwind { expr, .. } => Box::new(UnwindOp {
            ctx,
            input,
            expr: compile(ctx, expr, layout)?,
            pending: Unwinding::Nothing,
        }),
        Step::LoadCsv(spec) => Box::new(LoadCsvOp::new(ctx, input, spec, layout)?),
        Step::Project(spec) => project::build(ctx, input, spec, layout)?,
        Step::Call(spec) => Box::new(CallOp::new(Upstream { ctx, input, layout }, spec)?),
        Step::CallSubquery(spec) if !spec.writes => {
            Box::new(CallSubqueryOp::new(Upstream { ctx, input, layout }, spec)?)
        }
        Step::CallSubquery(_)
        | Step::Create { .. }
        | Step::Merge { .. }
        | Step::Set(_)
        | Step::Remove(_)
        | Step::Delete { .. }
        | Step::Foreach(_) => {
            return Err(Error::new(
                ErrorClass::SemanticError,
                "InvalidClauseComposition",
                "a write clause cannot be used here",
            ))
        }
    };
    Ok(op)
}

struct Profiled<'a> {
    inner: BoxOp<'a>,
    key: usize,
    stats: &'a std::cell::RefCell<std::collections::HashMap<usize, (u64, std::time::Duration)>>,
}

impl Profiled<'_> {
    fn record(&self, started: Instant, rows: usize) {
        let mut stats = self.stats.borrow_mut();
        let entry = stats.entry(self.key).or_default();
        entry.1 += started.elapsed();
        entry.0 += rows as u64;
    }
}

impl Op for Profiled<'_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let t = Instant::now();
        let r = self.inner.next()?;
        self.record(t, usize::from(r.is_some()));
        Ok(r)
    }

    fn next_batch(&mut self, batch: &mut Batch) -> Result<bool> {
        let t = Instant::now();
        let more = self.inner.next_batch(batch)?;
        self.record(t, batch.len());
        Ok(more)
    }
}

/// Evaluates a property map of a pattern; `None` when a value is null (never matches).
fn eval_props(
    ctx: &Ctx<'_, '_>,
    row: &[Value],
    props: Option<&Compiled<'_>>,
) -> Result<Option<Option<Map>>> {
    let Some(p) = props else {
        return Ok(Some(None));
    };
    match eval(ctx, &Env::row(row), p)? {
        Value::Map(m) => {
            if m.values().any(Value::is_null) {
                Ok(None)
            } else {
                Ok(Some(Some(m)))
            }
        }
        Value::Null => Ok(None),
        other => Err(Error::type_error(
            "InvalidArgumentType",
            format!(
                "a pattern's properties must be a map, got {}",
                other.type_name()
            ),
        )),
    }
}

/// The labels a pattern node must have, resolved to the store's tokens on first use.
struct LabelTest<'a> {
    names: &'a [String],
    resolved: OnceCell<LabelSet>,
}

impl<'a> LabelTest<'a> {
    fn new(names: &'a [String]) -> Self {
        LabelTest {
            names,
            resolved: OnceCell::new(),
        }
    }

    /// Whether node `id` has the labels; `guaranteed` is a label the caller's scan
    /// already ensures.
    fn matches(&self, ctx: &Ctx<'_, '_>, id: NodeId, guaranteed: Option<&str>) -> Result<bool> {
        match self.names {
            [] => return Ok(true),
            [only] if Some(only.as_str()) == guaranteed => return Ok(true),
            _ => {}
        }
        if let Some(set) = self.resolved.get() {
            return ctx.txn.node_has_labels(id, set);
        }
        // A label without a token is on no node yet; it is looked up again next time,
        // since a write later in the statement may create it.
        let Some(set) = ctx.txn.resolve_labels(self.names) else {
            return Ok(false);
        };
        ctx.txn
            .node_has_labels(id, self.resolved.get_or_init(|| set))
    }
}

/// The relationship types a pattern follows, resolved to the store's tokens on first
/// use; kept for the statement once every name had a token.
struct TypeTest<'a> {
    names: &'a [String],
    resolved: OnceCell<TypeSet>,
}

impl<'a> TypeTest<'a> {
    fn new(names: &'a [String]) -> Self {
        TypeTest {
            names,
            resolved: OnceCell::new(),
        }
    }

    fn with<T>(&self, ctx: &Ctx<'_, '_>, f: impl FnOnce(&TypeSet) -> T) -> T {
        if let Some(set) = self.resolved.get() {
            return f(set);
        }
        let set = ctx.txn.resolve_types(self.names);
        if set.is_complete() {
            f(self.resolved.get_or_init(|| set))
        } else {
            f(&set)
        }
    }
}

fn node_matches(
    ctx: &Ctx<'_, '_>,
    id: NodeId,
    labels: &LabelTest<'_>,
    skip_label: Option<&str>,
    props: Option<&Map>,
) -> Result<bool> {
    if !labels.matches(ctx, id, skip_label)? {
        return Ok(false);
    }
    if let Some(m) = props {
        for (k, v) in m {
            match ctx.txn.node_property(id, k)? {
                Some(stored) if stored.equals(v) == Some(true) => {}
                _ => return Ok(false),
            }
        }
    }
    Ok(true)
}

fn rel_matches(ctx: &Ctx<'_, '_>, id: u64, props: Option<&Map>) -> Result<bool> {
    if let Some(m) = props {
        for (k, v) in m {
            match ctx.txn.rel_property(id, k)? {
                Some(stored) if stored.equals(v) == Some(true) => {}
                _ => return Ok(false),
            }
        }
    }
    Ok(true)
}

fn node_id(v: &Value) -> Option<NodeId> {
    match v {
        Value::Node(n) => Some(n.id),
        _ => None,
    }
}

/// A copy of `row` with room for `more` values (pushing then never reallocates).
fn extended(row: &[Value], more: usize) -> Row {
    // Two spare slots: a counted hop downstream adds its two values in place.
    let mut out = Vec::with_capacity(row.len() + more + 2);
    out.extend_from_slice(row);
    out
}

fn edge_into_value(e: Edge) -> Value {
    Value::Relationship(Relationship {
        id: e.rel,
        rel_type: e.rel_type,
        start: e.start,
        end: e.end,
        properties: Default::default(),
    })
}

fn rel_value(e: &Edge) -> Value {
    Value::Relationship(Relationship {
        id: e.rel,
        rel_type: e.rel_type.clone(),
        start: e.start,
        end: e.end,
        properties: Default::default(),
    })
}

fn other_end(e: &Edge, from: NodeId) -> NodeId {
    if e.start == from {
        e.end
    } else {
        e.start
    }
}

/// The relationships a pattern already bound in `row` at `slots` (single ones and
/// lists of a variable-length hop): a later hop of the pattern may not use them again.
fn used_relationships(row: &[Value], slots: &[usize]) -> UsedRels {
    let mut used = Vec::new();
    for &u in slots {
        match row.get(u) {
            Some(Value::Relationship(r)) => {
                used.push(r.id);
            }
            Some(Value::List(items)) => {
                for i in items {
                    if let Value::Relationship(r) = i {
                        used.push(r.id);
                    }
                }
            }
            _ => {}
        }
    }
    used.sort_unstable();
    UsedRels(used)
}

/// Relationship ids a pattern bound before (few, so a sorted list, no hashing).
struct UsedRels(Vec<u64>);

impl UsedRels {
    fn contains(&self, rel: &u64) -> bool {
        self.0.binary_search(rel).is_ok()
    }
}
