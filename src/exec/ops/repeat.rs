//! Quantified path patterns: `(x)((a)-[r]->(b) WHERE …){m,n}(y)` walked iteration by
//! iteration. Each iteration is the group's own plan (`RepeatSpec::steps`) run on a row
//! of what it imports and the node the iteration starts from; its rows are the ways the
//! group's path goes on from there. A walk never uses a relationship twice (nor one the
//! pattern bound before it), which is what bounds `+` and `{n,}`.
//!
//! Without a selector the walk is depth first and lazy: one iteration operator per
//! level, pulled only as rows are asked for, so memory grows with the walk's depth, not
//! with the number of walks. Under `SHORTEST k [GROUPS]` the walks are grown level by
//! level of their number of iterations (so by length) from a table of partial walks,
//! pruned to the nodes that can still reach the end; both are capped so a dense graph
//! ends the statement with an error instead of taking the process's memory.

use super::shortest::MAX_PARTIAL_TRAILS;
use super::{build, next_filled, node_id, slot, source, used_relationships, BoxOp, Op, UsedRels};
use crate::error::{Error, ErrorClass, Result};
use crate::exec::eval::{self, Env};
use crate::exec::expr::{compile, Compiled};
use crate::exec::{Ctx, Row};
use crate::plan::{layout_after, RepeatSpec};
use crate::value::{Node, NodeId, Value};
// foldhash: these sets hash relationship and node ids on the hot path of the walk.
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::VecDeque;
use std::rc::Rc;

/// How many iterations one depth-first walk may hold at once (each with an operator of
/// the group's plan, about 500 bytes: some 64 MiB in all): a deeper walk stops with an
/// error.
const MAX_ITERATIONS_HELD: usize = 1 << 17;

/// What the partial walks of one selector's search may take: as much as the partial
/// trails of a search for a shortest relationship (about 80 bytes each).
const MAX_PARTIAL_WALK_BYTES: usize = MAX_PARTIAL_TRAILS * 80;

pub(super) struct RepeatOp<'a, 's> {
    input: BoxOp<'a>,
    group: Group<'a, 's>,
    walk: Option<Walk<'a>>,
    /// Rows a selector's search found, still to be handed out.
    pending: VecDeque<Row>,
}

/// The step's plan resolved against its input's layout.
struct Group<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    spec: &'a RepeatSpec,
    from: usize,
    to: Option<usize>,
    imports: Vec<usize>,
    /// The slots of the relationships the pattern bound before the group.
    unique: Vec<usize>,
    iteration: IterationSlots,
    /// The selector's conditions, on the output rows.
    filters: Vec<Compiled<'a>>,
    /// The last end a selector's search looked for, with the nodes that reach it
    /// (kept while the transaction has written nothing).
    reaching: RefCell<Option<(NodeId, Rc<HashSet<NodeId>>)>>,
}

/// Where an iteration's rows hold what the walk needs.
struct IterationSlots {
    input: Vec<String>,
    exit: usize,
    rels: Vec<usize>,
    group_vars: Vec<usize>,
}

/// What one iteration matched: its group variables' values, its relationships (in the
/// pattern's order) and the node it ended at.
#[derive(Clone)]
struct Iteration {
    values: Vec<Value>,
    rels: Vec<Value>,
    end: NodeId,
}

impl Iteration {
    /// About how many bytes the iteration takes as a partial walk's entry.
    fn size(&self) -> usize {
        std::mem::size_of::<(Iteration, Option<usize>)>()
            + (self.values.len() + self.rels.len()) * std::mem::size_of::<Value>()
    }

    fn rel_ids(&self) -> impl Iterator<Item = u64> + '_ {
        self.rels.iter().filter_map(|r| match r {
            Value::Relationship(r) => Some(r.id),
            _ => None,
        })
    }
}

/// A depth-first walk from one input row: `levels[k]` gives the iterations that can
/// follow the first `k` of `chosen` (`None` once the upper bound is reached), and
/// `trail` holds the relationships of `chosen`.
struct Walk<'a> {
    row: Row,
    start: NodeId,
    imports: Vec<Value>,
    used: UsedRels,
    levels: Vec<Option<BoxOp<'a>>>,
    chosen: Vec<Iteration>,
    trail: HashSet<u64>,
    /// The walk of no iteration is still to be tried.
    zero_pending: bool,
}

impl<'a, 's> RepeatOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a RepeatSpec,
        layout: &[String],
    ) -> Result<RepeatOp<'a, 's>> {
        let iteration_input = spec.iteration_input();
        let inner = layout_after(&spec.steps, &iteration_input);
        let iteration = IterationSlots {
            exit: slot(&inner, &spec.exit)?,
            rels: (spec.iteration_rels.iter())
                .map(|r| slot(&inner, r))
                .collect::<Result<_>>()?,
            group_vars: (spec.group_vars.iter())
                .map(|v| slot(&inner, v))
                .collect::<Result<_>>()?,
            input: iteration_input,
        };
        let mut output = layout.to_vec();
        output.extend(spec.binds().cloned());
        let filters = match &spec.selector {
            Some(selector) => (selector.filters.iter())
                .map(|f| compile(ctx, f, &output))
                .collect::<Result<_>>()?,
            None => Vec::new(),
        };
        let group = Group {
            ctx,
            from: slot(layout, &spec.from)?,
            to: if spec.to_bound {
                Some(slot(layout, &spec.to)?)
            } else {
                None
            },
            imports: (spec.imports.iter())
                .map(|v| slot(layout, v))
                .collect::<Result<_>>()?,
            unique: (spec.unique_with.iter())
                .filter_map(|r| layout.iter().rposition(|n| n == r))
                .collect(),
            iteration,
            filters,
            spec,
            reaching: RefCell::new(None),
        };
        Ok(RepeatOp {
            input,
            group,
            walk: None,
            pending: VecDeque::new(),
        })
    }

    /// The next row of the depth-first walks, input row after input row.
    fn next_walked(&mut self) -> Result<Option<Row>> {
        let group = &self.group;
        let (min, max) = (group.spec.repetitions.min, group.spec.repetitions.max);
        loop {
            let Some(walk) = &mut self.walk else {
                let Some(row) = self.input.next()? else {
                    return Ok(None);
                };
                let Some(start) = row.get(group.from).and_then(node_id) else {
                    continue;
                };
                let imports = group.imports_of(&row);
                let first = if max == Some(0) {
                    None
                } else {
                    Some(group.iterations_from(&imports, start)?)
                };
                self.walk = Some(Walk {
                    used: used_relationships(&row, &group.unique),
                    row,
                    start,
                    imports,
                    levels: vec![first],
                    chosen: Vec::new(),
                    trail: HashSet::new(),
                    zero_pending: min == 0,
                });
                continue;
            };
            if walk.zero_pending {
                walk.zero_pending = false;
                match group.output(&walk.row, &[], walk.start)? {
                    Some(out) => return Ok(Some(out)),
                    None => continue,
                }
            }
            let Some(level) = walk.levels.last_mut() else {
                self.walk = None;
                continue;
            };
            let found = match level {
                Some(op) => op.next()?,
                None => None,
            };
            let Some(found) = found else {
                walk.levels.pop();
                if let Some(done) = walk.chosen.pop() {
                    for id in done.rel_ids() {
                        walk.trail.remove(&id);
                    }
                }
                continue;
            };
            group.ctx.limits.check()?;
            let Some(iteration) = group.iteration(&found) else {
                continue;
            };
            let reused = iteration
                .rel_ids()
                .any(|id| walk.used.contains(&id) || walk.trail.contains(&id));
            if reused {
                continue;
            }
            if walk.chosen.len() >= MAX_ITERATIONS_HELD {
                return Err(group.too_large(format!(
                    "a walk of the quantified path pattern would hold more than \
                     {MAX_ITERATIONS_HELD} iterations at once: give the group an upper bound \
                     or narrow its relationship types or conditions"
                )));
            }
            walk.trail.extend(iteration.rel_ids());
            let end = iteration.end;
            walk.chosen.push(iteration);
            let depth = walk.chosen.len() as u64;
            let next = if max.is_none_or(|m| depth < m) {
                Some(group.iterations_from(&walk.imports, end)?)
            } else {
                None
            };
            walk.levels.push(next);
            if depth >= min {
                let chosen: Vec<&Iteration> = walk.chosen.iter().collect();
                if let Some(out) = group.output(&walk.row, &chosen, end)? {
                    return Ok(Some(out));
                }
            }
        }
    }
}

impl<'a> Group<'a, '_> {
    /// The values of the row the group's conditions read.
    fn imports_of(&self, row: &[Value]) -> Vec<Value> {
        (self.imports.iter())
            .map(|&s| row.get(s).cloned().unwrap_or(Value::Null))
            .collect()
    }

    /// The iterations that can start at `node`: the group's plan on a row of the
    /// imports and the node.
    fn iterations_from(&self, imports: &[Value], node: NodeId) -> Result<BoxOp<'a>> {
        let mut row = Vec::with_capacity(imports.len() + 1);
        row.extend_from_slice(imports);
        row.push(Value::Node(Node::with_id(node)));
        build(
            self.ctx,
            &self.spec.steps,
            &self.iteration.input,
            source(vec![row]),
        )
    }

    /// What an iteration's row matched.
    fn iteration(&self, row: &[Value]) -> Option<Iteration> {
        let pick = |slots: &[usize]| -> Vec<Value> {
            slots
                .iter()
                .map(|&s| row.get(s).cloned().unwrap_or(Value::Null))
                .collect()
        };
        Some(Iteration {
            end: row.get(self.iteration.exit).and_then(node_id)?,
            values: pick(&self.iteration.group_vars),
            rels: pick(&self.iteration.rels),
        })
    }

    /// `row` widened by what a walk of `iterations` (in the order walked) ending at
    /// `end` binds, or `None` when it does not end at a bound `to`.
    fn output(&self, row: &[Value], iterations: &[&Iteration], end: NodeId) -> Result<Option<Row>> {
        if let Some(to) = self.to {
            if row.get(to).and_then(node_id) != Some(end) {
                return Ok(None);
            }
        }
        let mut ordered = iterations.to_vec();
        if self.spec.reversed {
            ordered.reverse();
        }
        let mut out = Vec::with_capacity(row.len() + self.spec.group_vars.len() + 3);
        out.extend_from_slice(row);
        for var in 0..self.spec.group_vars.len() {
            let values = ordered.iter().filter_map(|i| i.values.get(var).cloned());
            out.push(Value::List(values.collect()));
        }
        let rels = Value::List(
            ordered
                .iter()
                .flat_map(|i| i.rels.iter().cloned())
                .collect(),
        );
        let path = match self.spec.selector.as_ref().and_then(|s| s.path.as_ref()) {
            Some(_) => {
                let start = row.get(self.from).cloned().unwrap_or(Value::Null);
                Some(eval::build_path(&start, &[&rels])?)
            }
            None => None,
        };
        out.push(rels);
        if self.to.is_none() {
            out.push(Value::Node(Node::with_id(end)));
        }
        out.extend(path);
        Ok(Some(out))
    }

    fn too_large(&self, what: String) -> Error {
        Error::new(ErrorClass::TransactionError, "PathSearchTooLarge", what)
            .at(self.ctx.text, self.spec.at)
    }

    /// `SHORTEST k [GROUPS]`: the walks from the row's `from` to its `to`, grown level by
    /// level of their number of iterations; each that passes the selector's conditions
    /// counts until `count` walks (or `count` levels with a walk) are kept.
    fn search(&self, row: &[Value], pending: &mut VecDeque<Row>) -> Result<()> {
        let Some(selector) = &self.spec.selector else {
            return Ok(());
        };
        let (Some(start), Some(target)) = (
            row.get(self.from).and_then(node_id),
            self.to.and_then(|t| row.get(t)).and_then(node_id),
        ) else {
            return Ok(());
        };
        let reaches = self.reaching(target)?;
        if !reaches.contains(&start) {
            return Ok(());
        }
        let (min, max) = (self.spec.repetitions.min, self.spec.repetitions.max);
        let imports = self.imports_of(row);
        let used = used_relationships(row, &self.unique);
        // Partial walks: the iteration each adds and the entry of the walk it extends.
        let mut walks: Vec<(Iteration, Option<usize>)> = Vec::new();
        let mut level: Vec<Option<usize>> = vec![None];
        let (mut taken, mut lengths) = (0u64, 0u64);
        // About how many bytes `walks` holds.
        let mut kept = 0usize;
        for depth in 0u64.. {
            let mut found = false;
            if depth >= min {
                for &at in &level {
                    let end = at
                        .and_then(|i| walks.get(i))
                        .map_or(start, |(it, _)| it.end);
                    if end != target {
                        continue;
                    }
                    let Some(out) = self.output(row, &walk_of(&walks, at), end)? else {
                        continue;
                    };
                    if !self.passes(&out)? {
                        continue;
                    }
                    pending.push_back(out);
                    found = true;
                    taken += 1;
                    if !selector.groups && taken == selector.count {
                        return Ok(());
                    }
                }
            }
            if found && selector.groups {
                lengths += 1;
                if lengths == selector.count {
                    return Ok(());
                }
            }
            if max.is_some_and(|m| depth >= m) {
                return Ok(());
            }
            // The iterations from each node the level reached, found once per node.
            let mut from_node: HashMap<NodeId, Vec<Iteration>> = HashMap::new();
            let mut next = Vec::new();
            for &at in &level {
                let node = at
                    .and_then(|i| walks.get(i))
                    .map_or(start, |(it, _)| it.end);
                let candidates = match from_node.entry(node) {
                    Entry::Occupied(known) => known.into_mut(),
                    Entry::Vacant(slot) => {
                        slot.insert(self.iterations_reaching(&imports, node, &reaches)?)
                    }
                };
                for iteration in candidates.iter() {
                    self.ctx.limits.check()?;
                    let reused = iteration
                        .rel_ids()
                        .any(|id| used.contains(&id) || holds(&walks, at, id));
                    if reused {
                        continue;
                    }
                    kept += iteration.size();
                    if kept > MAX_PARTIAL_WALK_BYTES {
                        return Err(self.too_large(format!(
                            "the search for the shortest walks of the quantified path pattern \
                             would keep more than {} MiB of partial walks: bound the group's \
                             quantifier, its relationship types or its conditions",
                            MAX_PARTIAL_WALK_BYTES >> 20
                        )));
                    }
                    walks.push((iteration.clone(), at));
                    next.push(Some(walks.len() - 1));
                }
            }
            if next.is_empty() {
                return Ok(());
            }
            level = next;
        }
        Ok(())
    }

    /// The iterations that start at `node` and end at a node of `reaches`.
    fn iterations_reaching(
        &self,
        imports: &[Value],
        node: NodeId,
        reaches: &HashSet<NodeId>,
    ) -> Result<Vec<Iteration>> {
        let mut iterations = self.iterations_from(imports, node)?;
        let mut out = Vec::new();
        while let Some(found) = iterations.next()? {
            self.ctx.limits.check()?;
            if let Some(iteration) = self.iteration(&found) {
                if reaches.contains(&iteration.end) {
                    out.push(iteration);
                }
            }
        }
        Ok(out)
    }

    /// Whether an output row passes the selector's conditions.
    fn passes(&self, out: &[Value]) -> Result<bool> {
        for filter in &self.filters {
            if !eval::is_true(&eval::eval(self.ctx, &Env::row(out), filter)?) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The nodes from which `target` can be reached over relationships of the group's
    /// types and direction (the group's other conditions aside): a walk whose end is not
    /// one of them cannot become a path to it.
    fn reaching(&self, target: NodeId) -> Result<Rc<HashSet<NodeId>>> {
        let reusable = self.ctx.txn.is_unchanged();
        if let Some((known, nodes)) = self.reaching.borrow().as_ref() {
            if *known == target && reusable {
                return Ok(Rc::clone(nodes));
            }
        }
        let Some(selector) = &self.spec.selector else {
            return Ok(Rc::default());
        };
        let (dir, types) = &selector.reach;
        let mut seen = HashSet::new();
        seen.insert(target);
        let mut frontier = vec![target];
        while let Some(node) = frontier.pop() {
            for edge in self.ctx.txn.expand(node, *dir, types) {
                let edge = edge?;
                self.ctx.limits.check()?;
                let other = if edge.start == node {
                    edge.end
                } else {
                    edge.start
                };
                if seen.insert(other) {
                    frontier.push(other);
                }
            }
        }
        let seen = Rc::new(seen);
        *self.reaching.borrow_mut() = reusable.then(|| (target, Rc::clone(&seen)));
        Ok(seen)
    }
}

/// The iterations of the partial walk ending at entry `at`, from its start.
fn walk_of(walks: &[(Iteration, Option<usize>)], mut at: Option<usize>) -> Vec<&Iteration> {
    let mut out = Vec::new();
    while let Some((iteration, before)) = at.and_then(|i| walks.get(i)) {
        out.push(iteration);
        at = *before;
    }
    out.reverse();
    out
}

/// Whether the partial walk ending at entry `at` already holds relationship `id`.
fn holds(walks: &[(Iteration, Option<usize>)], mut at: Option<usize>, id: u64) -> bool {
    while let Some((iteration, before)) = at.and_then(|i| walks.get(i)) {
        if iteration.rel_ids().any(|r| r == id) {
            return true;
        }
        at = *before;
    }
    false
}

impl Op for RepeatOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        if self.group.spec.selector.is_none() {
            return self.next_walked();
        }
        let group = &self.group;
        next_filled(&mut self.pending, &mut self.input, |row, found| {
            group.search(&row, found)
        })
    }
}
