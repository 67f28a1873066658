//! `shortestPath`, `allShortestPaths` and the GQL selectors `SHORTEST k [GROUPS]`
//! between two bound nodes, over the in-memory adjacency. One path of any length from
//! 1: a bidirectional breadth-first search; otherwise (all shortest paths, k paths or
//! groups, a least length above 1) a search of trails (no relationship twice) level by
//! level of the length they will at least have, so paths come out in order of length
//! and no trail that cannot end within the lengths kept is grown.

use super::{eval_props, next_filled, node_id, other_end, rel_matches, rel_value, BoxOp, Op};
use crate::error::{Error, ErrorClass, Result};
use crate::exec::eval::{self, Env};
use crate::exec::expr::Compiled;
use crate::exec::{Ctx, Row};
use crate::plan::ShortestSpec;
use crate::storage::{Dir, Edge};
use crate::value::{Map, Node, NodeId, Value};
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashMap, HashMapExt};
use std::collections::{BTreeMap, VecDeque};

pub(super) struct ShortestOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) spec: &'a ShortestSpec,
    /// The relationships' property map, on the input rows.
    pub(super) rel_props: Option<Compiled<'a>>,
    /// The WHERE conjuncts a path must pass, on the output rows.
    pub(super) filters: Vec<Compiled<'a>>,
    pub(super) pending: VecDeque<Row>,
}

/// What a search does with each path it finds: whether the path counts.
type Accept<'f> = dyn FnMut(&[Edge]) -> Result<bool> + 'f;

/// The searches of one shortest-path pattern, apart from the operator so that they can
/// run while the operator fills its queue of rows.
struct PathSearch<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    spec: &'a ShortestSpec,
}

impl PathSearch<'_, '_> {
    /// Hands `accept` the paths the selector keeps, as edge lists, and each path it
    /// would keep if `accept` took it, until enough are taken.
    fn search(
        &self,
        a: NodeId,
        b: NodeId,
        rel_props: Option<&Map>,
        accept: &mut Accept,
    ) -> Result<()> {
        let s = self.spec;
        if a == b {
            if s.min == 0 {
                accept(&[])?;
            }
            return Ok(());
        }
        if s.count == 1 && !s.groups && s.min <= 1 && s.filters.is_empty() {
            if let Some(path) = self.bidirectional(a, b, rel_props)? {
                accept(&path)?;
            }
            return Ok(());
        }
        self.trails(a, b, rel_props, accept)
    }

    /// `SHORTEST k` (the first k trails from `a` to `b` in order of length) or
    /// `SHORTEST k GROUPS` (every trail whose length is among the k smallest). Partial
    /// trails are kept in levels by a lower bound of the length of any path they can
    /// become: their length plus their end's distance to `b` (ignoring which
    /// relationships the trail already holds), and no less than the pattern's minimum.
    /// A level is finished before the next is started, so only the trails that can
    /// still end within the lengths kept are ever grown; the distances are found from
    /// `b` backwards only as deep as the level reached. Memory is one entry (a
    /// relationship and the entry before it) per partial trail grown, up to
    /// `MAX_PARTIAL_TRAILS`.
    fn trails(
        &self,
        a: NodeId,
        b: NodeId,
        rel_props: Option<&Map>,
        accept: &mut Accept,
    ) -> Result<()> {
        let s = self.spec;
        let mut to_b = DistanceTo::new(b, reverse(s.dir));
        let mut trails = vec![Trail {
            node: a,
            len: 0,
            edge: None,
            before: 0,
        }];
        let mut levels: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
        levels.insert(0, vec![0]);
        let mut taken = 0;
        let mut groups = 0;
        while let Some((level, mut stack)) = levels.pop_first() {
            if s.max.is_some_and(|m| level > m) {
                break;
            }
            to_b.grow_to(self, level, rel_props)?;
            let mut found = false;
            while let Some(i) = stack.pop() {
                let Some(&Trail { node, len, .. }) = trails.get(i) else {
                    continue;
                };
                // A bound found while the distances were shallower may have risen.
                match to_b.bound(node, len, s.min) {
                    Some(bound) if bound == level => {}
                    Some(bound) => {
                        levels.entry(bound).or_default().push(i);
                        continue;
                    }
                    None => continue,
                }
                if node == b && len >= s.min && accept(&trail_edges(&trails, i))? {
                    taken += 1;
                    found = true;
                    if !s.groups && taken == s.count {
                        return Ok(());
                    }
                }
                if s.max.is_some_and(|m| len >= m) {
                    continue;
                }
                for edge in self.ctx.txn.expand(node, s.dir, &s.types) {
                    let edge = edge?;
                    self.ctx.limits.check()?;
                    if holds(&trails, i, &edge) || !rel_matches(self.ctx, edge.rel, rel_props)? {
                        continue;
                    }
                    let next = other_end(&edge, node);
                    let Some(bound) = to_b.bound(next, len + 1, s.min) else {
                        continue;
                    };
                    if trails.len() >= MAX_PARTIAL_TRAILS {
                        return Err(Error::new(
                            ErrorClass::TransactionError,
                            "PathSearchTooLarge",
                            format!(
                                "the search for paths between two nodes would keep more than \
                                 {MAX_PARTIAL_TRAILS} partial paths: bound the pattern's length, \
                                 its relationship types or its conditions"
                            ),
                        )
                        .at(self.ctx.text, s.at));
                    }
                    trails.push(Trail {
                        node: next,
                        len: len + 1,
                        edge: Some(edge),
                        before: i,
                    });
                    let at = trails.len() - 1;
                    if bound <= level {
                        stack.push(at);
                    } else {
                        levels.entry(bound).or_default().push(at);
                    }
                }
            }
            if found && s.groups {
                groups += 1;
                if groups == s.count {
                    break;
                }
            }
        }
        Ok(())
    }

    /// One shortest path by breadth-first search from both ends, always growing the
    /// smaller frontier by a whole level: far fewer nodes are visited than from one end.
    fn bidirectional(
        &self,
        a: NodeId,
        b: NodeId,
        rel_props: Option<&Map>,
    ) -> Result<Option<Vec<Edge>>> {
        let s = self.spec;
        let backward_dir = reverse(s.dir);
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

fn reverse(dir: Dir) -> Dir {
    match dir {
        Dir::Outgoing => Dir::Incoming,
        Dir::Incoming => Dir::Outgoing,
        Dir::Both => Dir::Both,
    }
}

/// How many partial trails one search may keep (about 80 bytes each): a search that
/// needs more stops with an error rather than take the process's memory.
pub(super) const MAX_PARTIAL_TRAILS: usize = 1 << 21;

/// A partial trail of `PathSearch::trails`: its last node and relationship, and the
/// entry of the trail it extends (the first entry, the start node alone, has none).
struct Trail {
    node: NodeId,
    len: u64,
    edge: Option<Edge>,
    before: usize,
}

/// Whether the trail ending at entry `i` already holds `edge`'s relationship.
fn holds(trails: &[Trail], mut i: usize, edge: &Edge) -> bool {
    while let Some(t) = trails.get(i) {
        match &t.edge {
            Some(e) if e.rel == edge.rel => return true,
            Some(_) => i = t.before,
            None => return false,
        }
    }
    false
}

/// The relationships of the trail ending at entry `i`, from its start.
fn trail_edges(trails: &[Trail], mut i: usize) -> Vec<Edge> {
    let mut edges = Vec::new();
    while let Some(Trail {
        edge: Some(e),
        before,
        ..
    }) = trails.get(i)
    {
        edges.push(e.clone());
        i = *before;
    }
    edges.reverse();
    edges
}

/// Distances to one node, found breadth-first backwards and only as deep as asked.
struct DistanceTo {
    known: HashMap<NodeId, u64>,
    frontier: Vec<NodeId>,
    depth: u64,
    dir: Dir,
}

impl DistanceTo {
    fn new(target: NodeId, dir: Dir) -> DistanceTo {
        let mut known = HashMap::new();
        known.insert(target, 0);
        DistanceTo {
            known,
            frontier: vec![target],
            depth: 0,
            dir,
        }
    }

    /// Finds every distance up to `depth`.
    fn grow_to(&mut self, search: &PathSearch, depth: u64, rel_props: Option<&Map>) -> Result<()> {
        while self.depth < depth && !self.frontier.is_empty() {
            self.depth += 1;
            let mut next = Vec::new();
            for &n in &self.frontier {
                for edge in search.ctx.txn.expand(n, self.dir, &search.spec.types) {
                    let edge = edge?;
                    search.ctx.limits.check()?;
                    let m = other_end(&edge, n);
                    if self.known.contains_key(&m) || !rel_matches(search.ctx, edge.rel, rel_props)?
                    {
                        continue;
                    }
                    self.known.insert(m, self.depth);
                    next.push(m);
                }
            }
            self.frontier = next;
        }
        Ok(())
    }

    /// The least length a path of at least `min` relationships can have that extends
    /// a trail of `len` relationships ending at `node`; none when `node` cannot reach
    /// the target.
    fn bound(&self, node: NodeId, len: u64, min: u64) -> Option<u64> {
        let distance = match self.known.get(&node) {
            Some(&d) => d,
            None if self.frontier.is_empty() => return None,
            None => self.depth + 1,
        };
        Some((len + distance).max(min))
    }
}

impl Op for ShortestOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        let paths = PathSearch {
            ctx: self.ctx,
            spec: self.spec,
        };
        let ctx = self.ctx;
        let filters = &self.filters;
        let named = self.spec.path.is_some();
        next_filled(&mut self.pending, &mut self.input, |row, pending| {
            let (Some(a), Some(b)) = (
                row.get(self.from).and_then(node_id),
                row.get(self.to).and_then(node_id),
            ) else {
                return Ok(());
            };
            let Some(rel_props) = eval_props(ctx, &row, self.rel_props.as_ref())? else {
                return Ok(());
            };
            let start = Value::Node(Node::with_id(a));
            let mut accept = |path: &[Edge]| {
                let list = Value::List(path.iter().map(rel_value).collect());
                let mut out = row.clone();
                if named {
                    let p = eval::build_path(&start, &[&list])?;
                    out.push(list);
                    out.push(p);
                } else {
                    out.push(list);
                }
                for filter in filters {
                    if !eval::is_true(&eval::eval(ctx, &Env::row(&out), filter)?) {
                        return Ok(false);
                    }
                }
                pending.push_back(out);
                Ok(true)
            };
            paths.search(a, b, rel_props.as_ref(), &mut accept)
        })
    }
}
