//! Pull operators for the reading steps of a plan. Each operator asks its input for a
//! row only when it is asked for one, so a LIMIT stops the scans below it early; only
//! aggregation and sorting hold rows back. Storage iterators are held across calls, so
//! a scan of a million nodes costs nothing until rows are pulled.

use super::aggregate::Aggregator;
use super::eval::{self, eval, is_true, AggValues, Env, NodeOperand, Operand};
use super::{Ctx, Row};
use crate::ast::{CompareOp, Expr, ExprKind};
use crate::error::{Error, ErrorClass, Result};
use crate::plan::{
    self, Access, CallSpec, ExpandSpec, HashJoinSpec, ProjectSpec, ShortestSpec, Step,
};
use crate::storage::{Dir, Edge, LabelSet, Scan, TypeSet};
use crate::value::{GroupKey, Map, Node, NodeId, Relationship, Value};
use std::cell::{OnceCell, RefCell};
use std::cmp::Ordering;
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use hashbrown::HashTable;
use std::collections::VecDeque;
use std::hash::{BuildHasher, Hasher};
use std::time::Instant;

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

/// A scan with the comparisons the planner gave it (see `plan::fuse_scan_filters`),
/// each resolved to operands on the scanned node.
fn build_scan<'a, 's>(
    ctx: &'a Ctx<'a, 's>,
    (var, access, labels, props, predicates): ScanParts<'a>,
    layout: &[String],
    input: BoxOp<'a>,
) -> BoxOp<'a> {
    // The scan appends its node to the input row.
    let slot = layout.len();
    let mut scanned = layout.to_vec();
    scanned.push(var.clone());
    let mut filters = Vec::new();
    // A comparison whose parameter is absent cannot be tested on the node alone: it is
    // evaluated on the row after the scan instead.
    let mut on_rows = Vec::new();
    for pred in predicates {
        let resolved = single_comparison(pred).and_then(|(op, left, right)| {
            let on_node = |e| Operand::new(ctx, e, &scanned).on_node(slot);
            Some((op, on_node(left)?, on_node(right)?))
        });
        match resolved {
            Some(filter) => filters.push(filter),
            None => on_rows.push(pred),
        }
    }
    let mut op: BoxOp<'a> = Box::new(ScanOp {
        ctx,
        input,
        layout: layout.to_vec(),
        access,
        labels: LabelTest::new(labels),
        props,
        filters,
        current: None,
    });
    for pred in on_rows {
        op = Box::new(FilterOp::new(ctx, op, scanned.clone(), pred));
    }
    op
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
    let layout_vec = layout.to_vec();
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
            build_scan(ctx, scan, layout, input)
        }
        Step::NodeFilter { var, labels, props } => Box::new(NodeFilterOp {
            ctx,
            input,
            slot: slot(layout, var)?,
            layout: layout_vec,
            labels: LabelTest::new(labels),
            props: props.as_ref(),
        }),
        Step::Expand(spec) => Box::new(ExpandOp::new(ctx, input, spec, layout_vec)?),
        Step::HashJoin(spec) => Box::new(HashJoinOp::new(ctx, input, spec, layout_vec)),
        Step::ShortestPath(spec) => Box::new(ShortestOp {
            ctx,
            input,
            from: slot(layout, &spec.from)?,
            to: slot(layout, &spec.to)?,
            spec,
            layout: layout_vec,
            pending: VecDeque::new(),
        }),
        Step::Filter(pred) => Box::new(FilterOp::new(ctx, input, layout_vec, pred)),
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
            layout: layout_vec,
            new_count: new_vars.len(),
            inner: None,
        }),
        Step::Unwind { expr, .. } => Box::new(UnwindOp {
            ctx,
            input,
            layout: layout_vec,
            expr,
            pending: Unwinding::Nothing,
        }),
        Step::Project(spec) => Box::new(ProjectOp::new(ctx, input, spec, layout_vec)),
        Step::Call(spec) => Box::new(CallOp {
            ctx,
            input,
            layout: layout_vec,
            spec,
            pending: VecDeque::new(),
        }),
        Step::Create { .. }
        | Step::Merge { .. }
        | Step::Set(_)
        | Step::Remove(_)
        | Step::Delete { .. } => {
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
    layout: &[String],
    row: &[Value],
    props: Option<&Expr>,
) -> Result<Option<Option<Map>>> {
    let Some(p) = props else {
        return Ok(Some(None));
    };
    match eval(ctx, &Env::row(layout, row), p)? {
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

/// A scan in progress: the input row, the node iterator, the evaluated property map and
/// the label the iterator already guarantees.
/// `None` for the label when the scan ensures every node matches (the pattern's one
/// label, no properties): nothing is tested per node.
type OpenScan<'a> = (Row, Scan<'a, NodeId>, Option<Map>, Option<Option<&'a str>>);

struct ScanOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: Vec<String>,
    access: &'a Access,
    labels: LabelTest<'a>,
    props: Option<&'a Expr>,
    /// Comparisons of the scanned node's properties the planner gave the scan.
    filters: Vec<(CompareOp, NodeOperand<'a>, NodeOperand<'a>)>,
    current: Option<OpenScan<'a>>,
}

impl<'a> ScanOp<'a, '_> {
    fn open(&self, row: &[Value]) -> Result<Option<(Scan<'a, NodeId>, Option<&'a str>)>> {
        let ctx = self.ctx;
        let txn = ctx.txn;
        let env = Env::row(&self.layout, row);
        Ok(match self.access {
            Access::All => Some((txn.all_nodes(), None)),
            Access::ById(e) => {
                let found = match eval(ctx, &env, e)? {
                    Value::Int(i) => match u64::try_from(i) {
                        Ok(id) if txn.node_exists(id)? => Some(id),
                        _ => None,
                    },
                    _ => None,
                };
                let scan: Scan<'a, NodeId> = Box::new(found.into_iter().map(Ok));
                Some((scan, None))
            }
            Access::Label(l) => Some((txn.nodes_with_label(l), Some(l.as_str()))),
            Access::IndexEq { label, key, value } => {
                let v = eval(ctx, &env, value)?;
                if v.is_null() {
                    return Ok(None);
                }
                match txn.index_seek(label, key, &v) {
                    Some(scan) => Some((scan, None)),
                    None => Some((txn.nodes_with_label(label), Some(label.as_str()))),
                }
            }
            Access::IndexRange {
                label,
                key,
                lower,
                upper,
            } => {
                let lo = lower
                    .as_ref()
                    .map(|(e, inc)| eval(ctx, &env, e).map(|v| (v, *inc)))
                    .transpose()?;
                let hi = upper
                    .as_ref()
                    .map(|(e, inc)| eval(ctx, &env, e).map(|v| (v, *inc)))
                    .transpose()?;
                if lo.as_ref().is_some_and(|(v, _)| v.is_null())
                    || hi.as_ref().is_some_and(|(v, _)| v.is_null())
                {
                    return Ok(None);
                }
                match txn.index_range(
                    label,
                    key,
                    lo.as_ref().map(|(v, i)| (v, *i)),
                    hi.as_ref().map(|(v, i)| (v, *i)),
                ) {
                    Some(scan) => Some((scan, None)),
                    None => Some((txn.nodes_with_label(label), Some(label.as_str()))),
                }
            }
        })
    }
}

impl ScanOp<'_, '_> {
    /// Finds the next matching nodes, handing each to `emit` with its input row until
    /// `emit` says it wants no more; false when the scan is done.
    fn fill(&mut self, mut emit: impl FnMut(&Row, NodeId) -> Result<bool>) -> Result<bool> {
        loop {
            if let Some((row, scan, props, test)) = &mut self.current {
                for id in scan.by_ref() {
                    let id = id?;
                    self.ctx.limits.check()?;
                    if self.ctx.deleted_nodes.contains(&id) {
                        continue;
                    }
                    let matches = match test {
                        None => true,
                        Some(skip) => {
                            node_matches(self.ctx, id, &self.labels, *skip, props.as_ref())?
                        }
                    };
                    if matches && passes(self.ctx, &self.filters, id)? && !emit(row, id)? {
                        return Ok(true);
                    }
                }
                self.current = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(false);
            };
            let Some(props) = eval_props(self.ctx, &self.layout, &row, self.props)? else {
                continue;
            };
            if let Some((scan, skip)) = self.open(&row)? {
                let ensured = props.is_none()
                    && match self.labels.names {
                        [] => true,
                        [only] => Some(only.as_str()) == skip,
                        _ => false,
                    };
                let test = (!ensured).then_some(skip);
                self.current = Some((row, scan, props, test));
            }
        }
    }
}

impl Op for ScanOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let mut found = None;
        self.fill(|row, id| {
            let mut out = extended(row, 1);
            out.push(Value::Node(Node::with_id(id)));
            found = Some(out);
            Ok(false)
        })?;
        Ok(found)
    }

    fn next_batch(&mut self, batch: &mut Batch) -> Result<bool> {
        batch.clear();
        self.fill(|row, id| {
            batch.push_extended(row, [Value::Node(Node::with_id(id))]);
            Ok(batch.len() < BATCH_ROWS)
        })?;
        Ok(batch.len() > 0)
    }
}

/// Whether node `id` passes every comparison of `filters`.
fn passes(
    ctx: &Ctx<'_, '_>,
    filters: &[(CompareOp, NodeOperand<'_>, NodeOperand<'_>)],
    id: NodeId,
) -> Result<bool> {
    for (op, left, right) in filters {
        let kept = left.with_value(ctx, id, |l| {
            right.with_value(ctx, id, |r| Ok(eval::compare(*op, l, r) == Some(true)))
        })?;
        if !kept {
            return Ok(false);
        }
    }
    Ok(true)
}

struct NodeFilterOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    slot: usize,
    layout: Vec<String>,
    labels: LabelTest<'a>,
    props: Option<&'a Expr>,
}

impl Op for NodeFilterOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        while let Some(row) = self.input.next()? {
            let Some(id) = row.get(self.slot).and_then(node_id) else {
                continue;
            };
            let Some(props) = eval_props(self.ctx, &self.layout, &row, self.props)? else {
                continue;
            };
            if node_matches(self.ctx, id, &self.labels, None, props.as_ref())? {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }
}

/// A depth-first walk over relationship paths from one node, without reusing a
/// relationship, yielding paths of `min..=max` hops.
struct VarWalk {
    stack: Vec<(Vec<Edge>, usize)>,
    path: Vec<Edge>,
    nodes: Vec<NodeId>,
    zero_pending: bool,
}

struct ExpandOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a ExpandSpec,
    layout: Vec<String>,
    from: usize,
    rel_slot: Option<usize>,
    to_slot: Option<usize>,
    hop: Hop<'a>,
    /// For a counted expansion paired with another hop from the same node
    /// (`ExpandSpec::paired`): that hop.
    pair: Option<Hop<'a>>,
    state: Option<ExpandState<'a>>,
}

/// (relationship, far node) pairs of one node's expansion.
type FarPairs = Vec<(u64, NodeId)>;

/// A single hop's tests: its types, the far node's labels, the relationships it must
/// not reuse (slots of the row), and for counted and far-node expansions the last node
/// expanded with its neighbours that pass the far-node tests. Consecutive rows often
/// expand the same node; the neighbours are reused only while the transaction has
/// written nothing.
struct Hop<'a> {
    dir: Dir,
    types: TypeTest<'a>,
    to_labels: LabelTest<'a>,
    unique: Vec<usize>,
    last_far: RefCell<Option<(NodeId, FarPairs)>>,
}

impl<'a> Hop<'a> {
    fn new(spec: &'a ExpandSpec, layout: &[String]) -> Hop<'a> {
        Hop {
            dir: spec.dir,
            types: TypeTest::new(&spec.types),
            to_labels: LabelTest::new(&spec.to_labels),
            unique: spec
                .unique_with
                .iter()
                .filter_map(|r| layout.iter().rposition(|n| n == r))
                .collect(),
            last_far: RefCell::new(None),
        }
    }

    /// Hands `look` the (relationship, far node) pairs of `from` that pass the far-node
    /// tests, before relationship uniqueness (which depends on the row).
    fn with_far<T>(
        &self,
        ctx: &Ctx<'_, '_>,
        from: NodeId,
        look: impl FnOnce(&[(u64, NodeId)]) -> T,
    ) -> Result<T> {
        let mut last = self.last_far.borrow_mut();
        let reusable = ctx.txn.is_unchanged();
        if let Some((node, far)) = last.as_ref() {
            if *node == from && reusable {
                return Ok(look(far));
            }
        }
        let mut candidates = Vec::new();
        self.types.with(ctx, |types| {
            ctx.txn
                .for_each_neighbour_of(from, self.dir, types, |rel, other| {
                    if !ctx.deleted_rels.contains(&rel) {
                        candidates.push((rel, other));
                    }
                })
        })?;
        if !self.to_labels.names.is_empty() || !ctx.deleted_nodes.is_empty() {
            let mut far = Vec::with_capacity(candidates.len());
            for (rel, other) in candidates {
                if !ctx.deleted_nodes.contains(&other)
                    && node_matches(ctx, other, &self.to_labels, None, None)?
                {
                    far.push((rel, other));
                }
            }
            candidates = far;
        }
        let seen = look(&candidates);
        *last = reusable.then_some((from, candidates));
        Ok(seen)
    }

    /// The relationships a single-hop expansion of `from` in `row` would match.
    fn matching_rels(&self, ctx: &Ctx<'_, '_>, row: &[Value], from: NodeId) -> Result<Vec<u64>> {
        let used = used_relationships(row, &self.unique);
        self.with_far(ctx, from, |far| {
            far.iter()
                .map(|(rel, _)| *rel)
                .filter(|rel| !used.contains(rel))
                .collect()
        })
    }
}

struct ExpandState<'a> {
    row: Row,
    from: NodeId,
    used: UsedRels,
    rel_props: Option<Map>,
    to_props: Option<Map>,
    single: Option<Scan<'a, Edge>>,
    walk: Option<VarWalk>,
    reached: Option<std::vec::IntoIter<NodeId>>,
    /// The relationship value emitted with each reached node.
    reached_rel: Value,
}

impl<'a, 's> ExpandOp<'a, 's> {
    fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a ExpandSpec,
        layout: Vec<String>,
    ) -> Result<ExpandOp<'a, 's>> {
        Ok(ExpandOp {
            ctx,
            input,
            from: slot(&layout, &spec.from)?,
            rel_slot: if spec.rel_bound {
                Some(slot(&layout, &spec.rel)?)
            } else {
                None
            },
            to_slot: if spec.to_bound {
                Some(slot(&layout, &spec.to)?)
            } else {
                None
            },
            hop: Hop::new(spec, &layout),
            pair: spec.paired.as_deref().map(|p| Hop::new(p, &layout)),
            spec,
            layout,
            state: None,
        })
    }

    /// The values a counted or far-node expansion appends to the row of node `from`
    /// (relationship slot, far node slot), `None` when it matches nothing.
    fn counted(&self, row: &[Value], from: NodeId) -> Result<Option<[Value; 2]>> {
        if self.spec.degree_only {
            let degree = self.count_matches(row, from)?;
            if degree == 0 {
                return Ok(None);
            }
            let degree = Value::Int(i64::try_from(degree).unwrap_or(i64::MAX));
            return Ok(Some([degree, Value::Null]));
        }
        let far = self.far_nodes(row, from)?;
        if far.is_empty() {
            return Ok(None);
        }
        let ids = far
            .into_iter()
            .map(|id| Value::Int(i64::try_from(id).unwrap_or(i64::MAX)))
            .collect();
        Ok(Some([Value::Null, Value::List(ids)]))
    }

    /// How many rows a single-hop expansion of `from` would give, without building them;
    /// with a paired hop, how many (this hop's, the paired hop's) relationship pairs,
    /// never one relationship twice.
    fn count_matches(&self, row: &[Value], from: NodeId) -> Result<u64> {
        let ctx = self.ctx;
        if let Some(pair) = &self.pair {
            let mut own = self.hop.matching_rels(ctx, row, from)?;
            own.sort_unstable();
            let other = pair.matching_rels(ctx, row, from)?;
            let shared = other
                .iter()
                .filter(|r| own.binary_search(r).is_ok())
                .count() as u64;
            return Ok((own.len() as u64)
                .saturating_mul(other.len() as u64)
                .saturating_sub(shared));
        }
        if self.spec.to_labels.is_empty() && self.hop.unique.is_empty() {
            return self
                .hop
                .types
                .with(ctx, |types| ctx.txn.degree_of(from, self.spec.dir, types));
        }
        let used = used_relationships(row, &self.hop.unique);
        self.hop.with_far(ctx, from, |far| {
            far.iter().filter(|(rel, _)| !used.contains(rel)).count() as u64
        })
    }

    /// The far node of each row a single-hop expansion of `from` would give (a node
    /// once per relationship), without building the rows.
    fn far_nodes(&self, row: &[Value], from: NodeId) -> Result<Vec<NodeId>> {
        let used = used_relationships(row, &self.hop.unique);
        self.hop.with_far(self.ctx, from, |far| {
            far.iter()
                .filter(|(rel, _)| !used.contains(rel))
                .map(|(_, other)| *other)
                .collect()
        })
    }

    fn edges(&self, node: NodeId) -> Result<Vec<Edge>> {
        self.hop.types.with(self.ctx, |types| {
            self.ctx.txn.expand_of(node, self.spec.dir, types).collect()
        })
    }

    /// Checks the far node and builds the output row.
    fn emit(&self, st: &ExpandState<'a>, rel: Value, to: NodeId) -> Result<Option<Row>> {
        if self.ctx.deleted_nodes.contains(&to) {
            return Ok(None);
        }
        if let Some(ts) = self.to_slot {
            if st.row.get(ts).and_then(node_id) != Some(to) {
                return Ok(None);
            }
        }
        if !node_matches(
            self.ctx,
            to,
            &self.hop.to_labels,
            None,
            st.to_props.as_ref(),
        )? {
            return Ok(None);
        }
        let mut out = extended(&st.row, 2);
        if let Some(rs) = self.rel_slot {
            if st.row.get(rs).map(|v| v.equals(&rel)) != Some(Some(true)) {
                return Ok(None);
            }
        } else {
            out.push(rel);
        }
        if self.to_slot.is_none() {
            out.push(Value::Node(Node::with_id(to)));
        }
        Ok(Some(out))
    }

    fn next_single(&mut self) -> Result<Option<Row>> {
        loop {
            let Some(st) = &mut self.state else {
                return Ok(None);
            };
            let Some(scan) = &mut st.single else {
                return Ok(None);
            };
            let Some(edge) = scan.next() else {
                self.state = None;
                return Ok(None);
            };
            let edge = edge?;
            self.ctx.limits.check()?;
            if st.used.contains(&edge.rel) || self.ctx.deleted_rels.contains(&edge.rel) {
                continue;
            }
            if !rel_matches(self.ctx, edge.rel, st.rel_props.as_ref())? {
                continue;
            }
            let to = other_end(&edge, st.from);
            let Some(st) = &self.state else {
                return Ok(None);
            };
            if let Some(row) = self.emit(st, edge_into_value(edge), to)? {
                return Ok(Some(row));
            }
        }
    }

    fn next_var(&mut self) -> Result<Option<Row>> {
        let (min, max) = self.spec.length.unwrap_or((1, Some(1)));
        loop {
            let Some(st) = &mut self.state else {
                return Ok(None);
            };
            let Some(walk) = &mut st.walk else {
                return Ok(None);
            };
            self.ctx.limits.check()?;
            if walk.zero_pending {
                walk.zero_pending = false;
                let from = st.from;
                let Some(st) = &self.state else {
                    return Ok(None);
                };
                if let Some(row) = self.emit(st, Value::List(Vec::new()), from)? {
                    return Ok(Some(row));
                }
                continue;
            }
            let Some((edges, idx)) = walk.stack.last_mut() else {
                self.state = None;
                return Ok(None);
            };
            let Some(edge) = edges.get(*idx).cloned() else {
                walk.stack.pop();
                walk.path.pop();
                walk.nodes.pop();
                continue;
            };
            *idx += 1;
            if walk.path.iter().any(|e| e.rel == edge.rel)
                || st.used.contains(&edge.rel)
                || self.ctx.deleted_rels.contains(&edge.rel)
                || !rel_matches(self.ctx, edge.rel, st.rel_props.as_ref())?
            {
                continue;
            }
            let here = walk.nodes.last().copied().unwrap_or(st.from);
            let next = other_end(&edge, here);
            walk.path.push(edge);
            walk.nodes.push(next);
            let depth = walk.path.len() as u64;
            let deeper = if max.is_none_or(|m| depth < m) {
                self.edges(next)?
            } else {
                Vec::new()
            };
            let Some(st) = &mut self.state else {
                return Ok(None);
            };
            let Some(walk) = &mut st.walk else {
                return Ok(None);
            };
            walk.stack.push((deeper, 0));
            if depth >= min {
                let mut rels: Vec<Value> = walk.path.iter().map(rel_value).collect();
                if self.spec.reversed {
                    rels.reverse();
                }
                let Some(st) = &self.state else {
                    return Ok(None);
                };
                if let Some(row) = self.emit(st, Value::List(rels), next)? {
                    return Ok(Some(row));
                }
            }
        }
    }
}

impl ExpandOp<'_, '_> {
    /// Every node reachable in `min..=max` hops (`min` ≤ 1), each once.
    fn reachable(
        &self,
        from: NodeId,
        used: &UsedRels,
        rel_props: Option<&Map>,
    ) -> Result<Vec<NodeId>> {
        let (min, max) = self.spec.length.unwrap_or((1, Some(1)));
        let mut seen: HashSet<NodeId> = HashSet::new();
        let mut out = Vec::new();
        if min == 0 {
            out.push(from);
        }
        seen.insert(from);
        let mut frontier = vec![from];
        let mut depth = 0u64;
        let mut start_reached = min == 0;
        while !frontier.is_empty() && max.is_none_or(|m| depth < m) {
            depth += 1;
            let mut next = Vec::new();
            let mut hops = Vec::new();
            for &n in &frontier {
                hops.clear();
                self.hop.types.with(self.ctx, |types| {
                    self.ctx
                        .txn
                        .for_each_neighbour_of(n, self.spec.dir, types, |rel, other| {
                            hops.push((rel, other))
                        })
                })?;
                for &(rel, m) in &hops {
                    self.ctx.limits.check()?;
                    if used.contains(&rel)
                        || self.ctx.deleted_rels.contains(&rel)
                        || !rel_matches(self.ctx, rel, rel_props)?
                    {
                        continue;
                    }
                    if m == from && !start_reached {
                        // The start node counts when a cycle leads back to it.
                        start_reached = true;
                        out.push(m);
                    }
                    if seen.insert(m) {
                        out.push(m);
                        next.push(m);
                    }
                }
            }
            frontier = next;
        }
        Ok(out)
    }

    /// Walks a bound list of relationships from `from`; the far node when the list is a
    /// path of this expansion's direction, types and length.
    fn follow(&self, from: NodeId, list: &Value) -> Result<Option<NodeId>> {
        let Value::List(items) = list else {
            return Ok(None);
        };
        let (min, max) = self.spec.length.unwrap_or((1, Some(1)));
        let n = items.len() as u64;
        if n < min || max.is_some_and(|m| n > m) {
            return Ok(None);
        }
        let mut ordered: Vec<&Value> = items.iter().collect();
        if self.spec.reversed {
            ordered.reverse();
        }
        let mut cur = from;
        for item in ordered {
            let Value::Relationship(r) = item else {
                return Ok(None);
            };
            let Some(info) = self.ctx.txn.relationship(r.id)? else {
                return Ok(None);
            };
            if !self.spec.types.is_empty() && !self.spec.types.iter().any(|t| **t == *info.rel_type)
            {
                return Ok(None);
            }
            cur = match self.spec.dir {
                Dir::Outgoing if info.start == cur => info.end,
                Dir::Incoming if info.end == cur => info.start,
                Dir::Both if info.start == cur => info.end,
                Dir::Both if info.end == cur => info.start,
                _ => return Ok(None),
            };
        }
        Ok(Some(cur))
    }

    fn next_reached(&mut self) -> Result<Option<Row>> {
        loop {
            let Some(st) = &mut self.state else {
                return Ok(None);
            };
            let Some(it) = &mut st.reached else {
                return Ok(None);
            };
            let Some(to) = it.next() else {
                return Ok(None);
            };
            let Some(st) = &self.state else {
                return Ok(None);
            };
            if let Some(row) = self.emit(st, st.reached_rel.clone(), to)? {
                return Ok(Some(row));
            }
        }
    }
}

impl Op for ExpandOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if self.state.is_some() {
                let r = if self.state.as_ref().is_some_and(|s| s.reached.is_some()) {
                    self.next_reached()?
                } else if self.spec.length.is_some() {
                    self.next_var()?
                } else {
                    self.next_single()?
                };
                if r.is_some() {
                    return Ok(r);
                }
                self.state = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let Some(from) = row.get(self.from).and_then(node_id) else {
                continue;
            };
            if self.spec.degree_only || self.spec.far_nodes_only {
                let Some(more) = self.counted(&row, from)? else {
                    continue;
                };
                // The input row is ours: it grows in place.
                let mut out = row;
                out.extend(more);
                return Ok(Some(out));
            }
            let Some(rel_props) =
                eval_props(self.ctx, &self.layout, &row, self.spec.rel_props.as_ref())?
            else {
                continue;
            };
            let Some(to_props) =
                eval_props(self.ctx, &self.layout, &row, self.spec.to_props.as_ref())?
            else {
                continue;
            };
            let used = used_relationships(&row, &self.hop.unique);
            let mut reached_rel = Value::Null;
            let reached = if let (Some(rs), Some(_)) = (self.rel_slot, self.spec.length) {
                // A relationship list bound earlier: the match must follow it exactly.
                let list = row.get(rs).cloned().unwrap_or(Value::Null);
                let end = self.follow(from, &list)?;
                reached_rel = list;
                Some(end.into_iter().collect::<Vec<_>>().into_iter())
            } else if self.spec.distinct_nodes {
                Some(self.reachable(from, &used, rel_props.as_ref())?.into_iter())
            } else {
                None
            };
            let (single, walk) = match self.spec.length {
                _ if reached.is_some() => (None, None),
                None => (
                    Some(self.hop.types.with(self.ctx, |types| {
                        self.ctx.txn.expand_of(from, self.spec.dir, types)
                    })),
                    None,
                ),
                Some((min, max)) => {
                    let first = if max == Some(0) {
                        Vec::new()
                    } else {
                        self.edges(from)?
                    };
                    (
                        None,
                        Some(VarWalk {
                            stack: vec![(first, 0)],
                            path: Vec::new(),
                            nodes: vec![from],
                            zero_pending: min == 0,
                        }),
                    )
                }
            };
            self.state = Some(ExpandState {
                row,
                from,
                used,
                rel_props,
                to_props,
                single,
                walk,
                reached,
                reached_rel,
            });
        }
    }
}

struct ShortestOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    from: usize,
    to: usize,
    spec: &'a ShortestSpec,
    layout: Vec<String>,
    pending: VecDeque<Row>,
}

impl ShortestOp<'_, '_> {
    /// Breadth-first search; returns the shortest paths (all of them for
    /// allShortestPaths) as edge lists.
    fn search(&self, a: NodeId, b: NodeId, rel_props: Option<&Map>) -> Result<Vec<Vec<Edge>>> {
        let s = self.spec;
        if a == b {
            return Ok(if s.min == 0 {
                vec![Vec::new()]
            } else {
                Vec::new()
            });
        }
        if !s.all && s.min <= 1 {
            return Ok(self.bidirectional(a, b, rel_props)?.into_iter().collect());
        }
        let mut depth_of: HashMap<NodeId, u64> = HashMap::new();
        let mut parents: HashMap<NodeId, Vec<(NodeId, Edge)>> = HashMap::new();
        depth_of.insert(a, 0);
        let mut frontier = vec![a];
        let mut depth = 0u64;
        let mut found = false;
        while !frontier.is_empty() && !found && s.max.is_none_or(|m| depth < m) {
            depth += 1;
            let mut next = Vec::new();
            for &n in &frontier {
                for edge in self.ctx.txn.expand(n, s.dir, &s.types) {
                    let edge = edge?;
                    self.ctx.limits.check()?;
                    if !rel_matches(self.ctx, edge.rel, rel_props)? {
                        continue;
                    }
                    let m = other_end(&edge, n);
                    match depth_of.get(&m) {
                        Some(&d) if d < depth => continue,
                        Some(_) => {}
                        None => {
                            depth_of.insert(m, depth);
                            next.push(m);
                        }
                    }
                    parents.entry(m).or_default().push((n, edge));
                    if m == b {
                        found = true;
                    }
                }
            }
            frontier = next;
        }
        if !found || depth < s.min {
            return Ok(Vec::new());
        }
        // Walk back from b to a along parents.
        let mut out = Vec::new();
        let mut stack: Vec<(NodeId, Vec<Edge>)> = vec![(b, Vec::new())];
        while let Some((n, suffix)) = stack.pop() {
            if n == a {
                let mut p = suffix;
                p.reverse();
                out.push(p);
                if !s.all {
                    break;
                }
                continue;
            }
            for (prev, edge) in parents.get(&n).into_iter().flatten() {
                if depth_of.get(prev).copied().unwrap_or(u64::MAX) + 1
                    != depth_of.get(&n).copied().unwrap_or(0)
                {
                    continue;
                }
                let mut p = suffix.clone();
                p.push(edge.clone());
                stack.push((*prev, p));
            }
        }
        Ok(out)
    }
}

impl ShortestOp<'_, '_> {
    /// One shortest path by breadth-first search from both ends, always growing the
    /// smaller frontier by a whole level: far fewer nodes are visited than from one end.
    fn bidirectional(
        &self,
        a: NodeId,
        b: NodeId,
        rel_props: Option<&Map>,
    ) -> Result<Option<Vec<Edge>>> {
        let s = self.spec;
        let backward_dir = match s.dir {
            Dir::Outgoing => Dir::Incoming,
            Dir::Incoming => Dir::Outgoing,
            Dir::Both => Dir::Both,
        };
        // node -> (depth, edge to the parent), per side.
        let mut seen: [HashMap<NodeId, (u64, Option<Edge>)>; 2] = [HashMap::new(), HashMap::new()];
        seen[0].insert(a, (0, None));
        seen[1].insert(b, (0, None));
        let mut frontiers = [vec![a], vec![b]];
        let mut depths = [0u64, 0u64];
        loop {
            if s.max.is_some_and(|m| depths[0] + depths[1] >= m) {
                return Ok(None);
            }
            let side = usize::from(frontiers[1].len() < frontiers[0].len());
            if frontiers[side].is_empty() {
                return Ok(None);
            }
            let other = 1 - side;
            let dir = if side == 0 { s.dir } else { backward_dir };
            depths[side] += 1;
            let depth = depths[side];
            let mut next = Vec::new();
            let mut best: Option<(u64, NodeId)> = None;
            for &n in &frontiers[side] {
                for edge in self.ctx.txn.expand(n, dir, &s.types) {
                    let edge = edge?;
                    self.ctx.limits.check()?;
                    let m = other_end(&edge, n);
                    if seen[side].contains_key(&m) {
                        continue;
                    }
                    if !rel_matches(self.ctx, edge.rel, rel_props)? {
                        continue;
                    }
                    seen[side].insert(m, (depth, Some(edge)));
                    next.push(m);
                    if let Some((d, _)) = seen[other].get(&m) {
                        let total = depth + d;
                        if best.is_none_or(|(t, _)| total < t) {
                            best = Some((total, m));
                        }
                    }
                }
            }
            if let Some((total, meet)) = best {
                if s.max.is_some_and(|m| total > m) {
                    return Ok(None);
                }
                let mut path = Vec::new();
                let mut cur = meet;
                while let Some((_, Some(e))) = seen[0].get(&cur) {
                    path.push(e.clone());
                    cur = other_end(e, cur);
                }
                path.reverse();
                let mut cur = meet;
                while let Some((_, Some(e))) = seen[1].get(&cur) {
                    path.push(e.clone());
                    cur = other_end(e, cur);
                }
                return Ok(Some(path));
            }
            frontiers[side] = next;
        }
    }
}

impl Op for ShortestOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(Some(r));
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let (Some(a), Some(b)) = (
                row.get(self.from).and_then(node_id),
                row.get(self.to).and_then(node_id),
            ) else {
                continue;
            };
            let Some(rel_props) =
                eval_props(self.ctx, &self.layout, &row, self.spec.rel_props.as_ref())?
            else {
                continue;
            };
            for path in self.search(a, b, rel_props.as_ref())? {
                let rels: Vec<Value> = path.iter().map(rel_value).collect();
                let mut out = row.clone();
                let start = Value::Node(Node::with_id(a));
                let list = Value::List(rels);
                let p = eval::build_path(&start, &[&list])?;
                out.push(list);
                if self.spec.path.is_some() {
                    out.push(p);
                }
                self.pending.push_back(out);
            }
        }
    }
}

struct FilterOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: Vec<String>,
    pred: &'a Expr,
    /// A predicate that is one comparison, with its operands resolved once.
    comparison: Option<(CompareOp, Operand<'a>, Operand<'a>)>,
}

impl<'a, 's> FilterOp<'a, 's> {
    fn new(ctx: &'a Ctx<'a, 's>, input: BoxOp<'a>, layout: Vec<String>, pred: &'a Expr) -> Self {
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

/// The hash of a join key: equal values (as `=` compares them) hash alike. Numbers
/// hash as floats, so `1` meets `1.0`; lists, maps, entities and temporal values share
/// one bucket, where `=` decides. `None` for keys that equal nothing (null, NaN).
fn join_hash(v: &Value, hasher: &foldhash::fast::RandomState) -> Option<u64> {
    let mut state = hasher.build_hasher();
    match v {
        Value::Null => return None,
        Value::Float(f) if f.is_nan() => return None,
        Value::Int(i) => number_bits(*i as f64, &mut state),
        Value::Float(f) => number_bits(*f, &mut state),
        Value::String(s) => {
            state.write_u8(1);
            state.write(s.as_bytes());
        }
        Value::Bool(b) => {
            state.write_u8(2);
            state.write_u8(u8::from(*b));
        }
        _ => state.write_u8(3),
    }
    Some(state.finish())
}

fn number_bits(f: f64, state: &mut impl Hasher) {
    state.write_u8(0);
    // -0.0 = 0.0
    state.write_u64(if f == 0.0 { 0 } else { f.to_bits() });
}

/// The build side of a hash join: its rows, their keys, and the rows by key hash.
struct JoinTable {
    rows: Vec<Row>,
    keys: Vec<Value>,
    by_hash: HashMap<u64, Vec<usize>>,
}

struct HashJoinOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a HashJoinSpec,
    probe: Operand<'a>,
    layout: Vec<String>,
    hasher: foldhash::fast::RandomState,
    table: Option<JoinTable>,
    /// The input row being joined, its key and the build rows left to try.
    current: Option<(Row, Value, std::vec::IntoIter<usize>)>,
}

impl<'a, 's> HashJoinOp<'a, 's> {
    fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a HashJoinSpec,
        layout: Vec<String>,
    ) -> Self {
        HashJoinOp {
            ctx,
            input,
            spec,
            probe: Operand::new(ctx, &spec.probe_key, &layout),
            layout,
            hasher: foldhash::fast::RandomState::default(),
            table: None,
            current: None,
        }
    }

    /// Runs the build side once, when the first input row arrives (with no input row,
    /// the build side is not evaluated, as a nested loop would not).
    fn build_table(&mut self) -> Result<()> {
        if self.table.is_none() {
            let mut table = JoinTable {
                rows: Vec::new(),
                keys: Vec::new(),
                by_hash: HashMap::new(),
            };
            let mut build = build(self.ctx, &self.spec.build, &[], source(vec![Vec::new()]))?;
            while let Some(row) = build.next()? {
                self.ctx.limits.check()?;
                let key = eval(
                    self.ctx,
                    &Env::row(&self.spec.build_vars, &row),
                    &self.spec.build_key,
                )?;
                if let Some(hash) = join_hash(&key, &self.hasher) {
                    table
                        .by_hash
                        .entry(hash)
                        .or_default()
                        .push(table.rows.len());
                    table.rows.push(row);
                    table.keys.push(key);
                }
            }
            self.table = Some(table);
        }
        Ok(())
    }
}

impl Op for HashJoinOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            let Some(table) = &self.table else {
                let Some(row) = self.input.next()? else {
                    return Ok(None);
                };
                self.build_table()?;
                self.start_probe(row)?;
                continue;
            };
            if let Some((row, key, candidates)) = &mut self.current {
                for i in candidates.by_ref() {
                    let (Some(keyed), Some(built)) = (table.keys.get(i), table.rows.get(i)) else {
                        continue;
                    };
                    if eval::compare(CompareOp::Eq, key, keyed) == Some(true) {
                        let mut out = Vec::with_capacity(row.len() + built.len());
                        out.extend(row.iter().cloned());
                        out.extend(built.iter().cloned());
                        return Ok(Some(out));
                    }
                }
                self.current = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            self.start_probe(row)?;
        }
    }
}

impl HashJoinOp<'_, '_> {
    /// Makes `row` the input row being joined.
    fn start_probe(&mut self, row: Row) -> Result<()> {
        self.ctx.limits.check()?;
        let key = self
            .probe
            .with_value(self.ctx, &self.layout, &row, |v| Ok(v.clone()))?;
        let candidates = join_hash(&key, &self.hasher)
            .and_then(|h| self.table.as_ref()?.by_hash.get(&h))
            .cloned()
            .unwrap_or_default();
        self.current = Some((row, key, candidates.into_iter()));
        Ok(())
    }
}

struct BuildPathOp<'a> {
    input: BoxOp<'a>,
    start: usize,
    rels: Vec<usize>,
}

impl Op for BuildPathOp<'_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next()? else {
            return Ok(None);
        };
        let start = row.get(self.start).cloned().unwrap_or(Value::Null);
        let segs: Vec<&Value> = self.rels.iter().filter_map(|&i| row.get(i)).collect();
        let p = eval::build_path(&start, &segs)?;
        row.push(p);
        Ok(Some(row))
    }
}

struct OptionalOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    steps: &'a [Step],
    layout: Vec<String>,
    new_count: usize,
    inner: Option<(BoxOp<'a>, Row, bool)>,
}

impl Op for OptionalOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some((inner, row, produced)) = &mut self.inner {
                if let Some(r) = inner.next()? {
                    *produced = true;
                    return Ok(Some(r));
                }
                let fallback = if *produced {
                    None
                } else {
                    let mut out = row.clone();
                    out.extend(std::iter::repeat_n(Value::Null, self.new_count));
                    Some(out)
                };
                self.inner = None;
                if fallback.is_some() {
                    return Ok(fallback);
                }
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let inner = build(
                self.ctx,
                self.steps,
                &self.layout,
                source(vec![row.clone()]),
            )?;
            self.inner = Some((inner, row, false));
        }
    }
}

struct UnwindOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: Vec<String>,
    expr: &'a Expr,
    pending: Unwinding,
}

/// The elements of the current input row still to be emitted.
enum Unwinding {
    Nothing,
    List(Row, std::vec::IntoIter<Value>),
    /// `range(…)` streamed without building its list: the next value, how many values
    /// remain, and the step between them.
    Range(Row, i64, u64, i64),
}

/// The arguments of `expr` if it is a call of `range()`, which UNWIND streams.
fn range_call_args(expr: &Expr) -> Option<&[Expr]> {
    match &expr.kind {
        crate::ast::ExprKind::FunctionCall {
            name,
            distinct: false,
            args,
        } if matches!(name.as_slice(), [n] if n.name.eq_ignore_ascii_case("range"))
            && (2..=3).contains(&args.len()) =>
        {
            Some(args)
        }
        _ => None,
    }
}

impl UnwindOp<'_, '_> {
    fn start(&mut self, row: Row) -> Result<()> {
        let env = Env::row(&self.layout, &row);
        if let Some(args) = range_call_args(self.expr) {
            let values = args
                .iter()
                .map(|a| eval(self.ctx, &env, a))
                .collect::<Result<Vec<_>>>()?;
            if let [start, end, step @ ..] = values.as_slice() {
                let (start, end, step) =
                    super::functions::range_spec(start, end, &step.first().cloned())?;
                let len = super::functions::range_len(start, end, step);
                self.pending = Unwinding::Range(row, start, len, step);
                return Ok(());
            }
        }
        self.pending = match eval(self.ctx, &env, self.expr)? {
            Value::Null => Unwinding::Nothing,
            Value::List(items) => Unwinding::List(row, items.into_iter()),
            other => Unwinding::List(row, vec![other].into_iter()),
        };
        Ok(())
    }
}

impl Op for UnwindOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            self.ctx.limits.check()?;
            match &mut self.pending {
                Unwinding::Nothing => {}
                Unwinding::List(row, items) => {
                    if let Some(item) = items.next() {
                        return Ok(Some(extended_with(row, item)));
                    }
                }
                Unwinding::Range(row, next, remaining, step) => {
                    if *remaining > 0 {
                        let value = *next;
                        *remaining -= 1;
                        // Within the range while values remain, so this never saturates
                        // before the last value.
                        *next = next.saturating_add(*step);
                        return Ok(Some(extended_with(row, Value::Int(value))));
                    }
                }
            }
            self.pending = Unwinding::Nothing;
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            self.start(row)?;
        }
    }
}

/// `row` followed by `item`.
fn extended_with(row: &[Value], item: Value) -> Row {
    let mut out = Vec::with_capacity(row.len() + 1);
    out.extend_from_slice(row);
    out.push(item);
    out
}

struct CallOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    layout: Vec<String>,
    spec: &'a CallSpec,
    pending: VecDeque<Row>,
}

impl Op for CallOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some(r) = self.pending.pop_front() {
                return Ok(Some(r));
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            let signature = self
                .ctx
                .registry
                .signature(&self.spec.name)
                .ok_or_else(|| {
                    Error::new(
                        ErrorClass::ProcedureError,
                        "ProcedureNotFound",
                        format!("there is no procedure named '{}'", self.spec.name),
                    )
                })?;
            let env = Env::row(&self.layout, &row);
            let args: Vec<Value> = match &self.spec.args {
                Some(args) => args
                    .iter()
                    .map(|a| eval(self.ctx, &env, a))
                    .collect::<Result<_>>()?,
                None => signature
                    .inputs
                    .iter()
                    .map(|(n, _)| {
                        self.ctx.params.get(n).cloned().ok_or_else(|| {
                            Error::new(
                                ErrorClass::ParameterMissing,
                                "MissingParameter",
                                format!("expected a value for parameter ${n}"),
                            )
                        })
                    })
                    .collect::<Result<_>>()?,
            };
            let results = self
                .ctx
                .registry
                .call(self.ctx.txn, &self.spec.name, &args)?;
            let picks: Vec<usize> = self
                .spec
                .yields
                .iter()
                .map(|(field, _)| {
                    signature
                        .outputs
                        .iter()
                        .position(|(n, _)| n == field)
                        .ok_or_else(|| {
                            Error::syntax(
                                "UndefinedVariable",
                                format!("procedure {} has no output `{field}`", self.spec.name),
                            )
                        })
                })
                .collect::<Result<_>>()?;
            if signature.outputs.is_empty() {
                // A procedure without outputs passes its input row through inside a
                // query, and returns nothing as a statement of its own.
                if self.spec.standalone {
                    continue;
                }
                return Ok(Some(row));
            }
            let mut out_layout = self.layout.clone();
            out_layout.extend(self.spec.yields.iter().map(|(_, v)| v.clone()));
            for result in results {
                let mut out = row.clone();
                out.extend(
                    picks
                        .iter()
                        .map(|&i| result.get(i).cloned().unwrap_or(Value::Null)),
                );
                if let Some(w) = &self.spec.where_ {
                    if !is_true(&eval(self.ctx, &Env::row(&out_layout, &out), w)?) {
                        continue;
                    }
                }
                self.pending.push_back(out);
            }
        }
    }
}

/// Whether two values are certainly the same for grouping (cheap checks only).
fn same_identity(a: &Value, b: &Value) -> bool {
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
fn count_arg(ctx: &Ctx<'_, '_>, e: &Expr, what: &str) -> Result<usize> {
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
struct AggCall<'a> {
    key: usize,
    name: String,
    distinct: bool,
    star: bool,
    args: &'a [Expr],
    /// A single argument, resolved against the operator's layout.
    single: Option<Operand<'a>>,
}

fn collect_aggs<'a>(e: &'a Expr, out: &mut Vec<AggCall<'a>>) {
    use crate::ast::ExprKind;
    match &e.kind {
        ExprKind::CountStar => out.push(AggCall {
            key: e as *const Expr as usize,
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
            key: e as *const Expr as usize,
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

struct ProjectOp<'a, 's> {
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
    fn new(
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
        aggs: &mut [super::aggregate::Accumulator],
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
                    !k && !calls.iter().any(|c| c.key == e as *const Expr as usize)
                });
        // The groups, column-wise (no allocation per group beyond its values): group `g`
        // has first row `firsts[g]` (when kept), grouping values `held[g * width..]` and
        // aggregators `aggs[g * calls.len()..]`.
        let mut firsts: Vec<Row> = Vec::new();
        let mut held: Vec<Value> = Vec::new();
        let mut aggs: Vec<super::aggregate::Accumulator> = Vec::new();
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
        let fresh = |aggs: &mut Vec<super::aggregate::Accumulator>| -> Result<()> {
            for c in &calls {
                aggs.push(
                    super::aggregate::create(&c.name, c.distinct, c.star).ok_or_else(|| {
                        Error::syntax(
                            "UnknownFunction",
                            format!("unknown aggregation function {}", c.name),
                        )
                    })?,
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
                values.insert(c.key, a.finish()?);
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
