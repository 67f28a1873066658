//! Expanding a bound node along its relationships: one hop, a variable-length walk, counts
//! and far-node sets when the planner asked only for them.

use super::{
    edge_into_value, eval_props, extended, node_id, node_matches, other_end, rel_matches,
    rel_value, slot, used_relationships, BoxOp, LabelTest, Op, TypeTest, Upstream, UsedRels,
};
use crate::error::Result;
use crate::exec::expr::{compile_opt, Compiled};
use crate::exec::memory::Held;
use crate::exec::{Ctx, Row};
use crate::plan::ExpandSpec;
use crate::storage::{Dir, Edge, Scan};
use crate::value::{Map, Node, NodeId, Value};
use std::cell::RefCell;
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashSet, HashSetExt};

/// What one relationship left to try in a walk's stack holds.
const EDGE_BYTES: usize = std::mem::size_of::<Edge>();

/// A depth-first walk over relationship paths from one node, without reusing a
/// relationship, yielding paths of `min..=max` hops.
pub(super) struct VarWalk {
    stack: Vec<(Vec<Edge>, usize)>,
    path: Vec<Edge>,
    nodes: Vec<NodeId>,
    zero_pending: bool,
}

pub(super) struct ExpandOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    spec: &'a ExpandSpec,
    /// The relationship's and the far node's property maps, on the input rows.
    rel_props: Option<Compiled<'a>>,
    to_props: Option<Compiled<'a>>,
    from: usize,
    rel_slot: Option<usize>,
    to_slot: Option<usize>,
    hop: Hop<'a>,
    /// For a counted expansion paired with another hop from the same node
    /// (`ExpandSpec::paired`): that hop.
    pair: Option<Hop<'a>>,
    state: Option<ExpandState<'a>>,
    /// What a variable-length walk's stack holds.
    walk_held: Held<'a>,
}

/// (relationship, far node) pairs of one node's expansion.
pub(super) type FarPairs = Vec<(u64, NodeId)>;

/// A single hop's tests: its types, the far node's labels, the relationships it must
/// not reuse (slots of the row), and for counted and far-node expansions the last node
/// expanded with its neighbours that pass the far-node tests. Consecutive rows often
/// expand the same node; the neighbours are reused only while the transaction has
/// written nothing.
pub(super) struct Hop<'a> {
    dir: Dir,
    types: TypeTest<'a>,
    to_labels: LabelTest<'a>,
    unique: Vec<usize>,
    last_far: RefCell<Option<(NodeId, FarPairs)>>,
}

impl<'a> Hop<'a> {
    pub(super) fn new(spec: &'a ExpandSpec, layout: &[String]) -> Hop<'a> {
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

pub(super) struct ExpandState<'a> {
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
    pub(super) fn new(
        upstream: Upstream<'a, 's, '_>,
        spec: &'a ExpandSpec,
    ) -> Result<ExpandOp<'a, 's>> {
        let Upstream { ctx, input, layout } = upstream;
        Ok(ExpandOp {
            ctx,
            input,
            from: slot(layout, &spec.from)?,
            rel_slot: if spec.rel_bound {
                Some(slot(layout, &spec.rel)?)
            } else {
                None
            },
            to_slot: if spec.to_bound {
                Some(slot(layout, &spec.to)?)
            } else {
                None
            },
            hop: Hop::new(spec, layout),
            pair: spec.paired.as_deref().map(|p| Hop::new(p, layout)),
            rel_props: compile_opt(ctx, spec.rel_props.as_ref(), layout)?,
            to_props: compile_opt(ctx, spec.to_props.as_ref(), layout)?,
            spec,
            state: None,
            walk_held: Held::new(&ctx.limits.memory, "a variable-length expansion"),
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
                self.walk_held.shrink(edges.len() * EDGE_BYTES);
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
            self.walk_held.grow(deeper.len() * EDGE_BYTES)?;
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
            let Some(rel_props) = eval_props(self.ctx, &row, self.rel_props.as_ref())? else {
                continue;
            };
            let Some(to_props) = eval_props(self.ctx, &row, self.to_props.as_ref())? else {
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
                    self.walk_held.grow(first.len() * EDGE_BYTES)?;
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
