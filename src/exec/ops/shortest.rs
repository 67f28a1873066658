//! `shortestPath` and `allShortestPaths` between two bound nodes: a bidirectional
//! breadth-first search over the in-memory adjacency.

use super::{eval_props, next_filled, node_id, other_end, rel_matches, rel_value, BoxOp, Op};
use crate::error::Result;
use crate::exec::eval::{self};
use crate::exec::expr::Compiled;
use crate::exec::{Ctx, Row};
use crate::plan::ShortestSpec;
use crate::storage::{Dir, Edge};
use crate::value::{Map, Node, NodeId, Value};
// foldhash: these sets and maps hash node ids and group keys on the hot paths (DISTINCT,
// grouping, reachability); SipHash's flooding resistance buys nothing there.
use foldhash::{HashMap, HashMapExt};
use std::collections::VecDeque;

pub(super) struct ShortestOp<'a, 's> {
    pub(super) ctx: &'a Ctx<'a, 's>,
    pub(super) input: BoxOp<'a>,
    pub(super) from: usize,
    pub(super) to: usize,
    pub(super) spec: &'a ShortestSpec,
    /// The relationships' property map, on the input rows.
    pub(super) rel_props: Option<Compiled<'a>>,
    pub(super) pending: VecDeque<Row>,
}

/// The searches of one shortest-path pattern, apart from the operator so that they can
/// run while the operator fills its queue of rows.
struct PathSearch<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    spec: &'a ShortestSpec,
}

impl PathSearch<'_, '_> {
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
        let paths = PathSearch {
            ctx: self.ctx,
            spec: self.spec,
        };
        next_filled(&mut self.pending, &mut self.input, |row, pending| {
            let (Some(a), Some(b)) = (
                row.get(self.from).and_then(node_id),
                row.get(self.to).and_then(node_id),
            ) else {
                return Ok(());
            };
            let Some(rel_props) = eval_props(self.ctx, &row, self.rel_props.as_ref())? else {
                return Ok(());
            };
            for path in paths.search(a, b, rel_props.as_ref())? {
                let rels: Vec<Value> = path.iter().map(rel_value).collect();
                let mut out = row.clone();
                let start = Value::Node(Node::with_id(a));
                let list = Value::List(rels);
                let p = eval::build_path(&start, &[&list])?;
                out.push(list);
                if self.spec.path.is_some() {
                    out.push(p);
                }
                pending.push_back(out);
            }
            Ok(())
        })
    }
}
