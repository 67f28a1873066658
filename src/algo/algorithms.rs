//! The graph algorithms, on a [`Projection`] and its [`Adjacency`] lists. Pure functions
//! of graph indices: no store access, no `Value`s. Where networkx defines the measure,
//! these follow its definition (normalisation, dangling nodes, convergence test), so
//! results agree with it; tie-breaks go by graph index, i.e. by store id.

use super::projection::{Adjacency, Projection};
use petgraph::unionfind::UnionFind;
use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, VecDeque};

/// A path in graph indices: `nodes.len() == edges.len() + 1`.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexPath {
    pub nodes: Vec<usize>,
    pub edges: Vec<u32>,
    pub cost: f64,
}

/// A heap entry ordered by smallest cost first, then smallest node.
#[derive(Clone, Copy, PartialEq)]
struct Frontier {
    cost: f64,
    node: usize,
}

impl Eq for Frontier {}

impl Ord for Frontier {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .cost
            .total_cmp(&self.cost)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Frontier {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Costs equal up to rounding: two routes summing the same weights in another order.
fn same_cost(a: f64, b: f64) -> bool {
    a.is_finite() && b.is_finite() && (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

/// Dijkstra from `source` until `target` is settled. For each reached node, every
/// (predecessor, edge) on some cheapest route; weights must not be negative.
fn dijkstra_predecessors(
    projection: &Projection,
    adjacency: &Adjacency,
    source: usize,
    target: usize,
) -> (Vec<f64>, Vec<Vec<(usize, u32)>>) {
    let n = projection.node_count();
    let mut dist = vec![f64::INFINITY; n];
    let mut preds: Vec<Vec<(usize, u32)>> = vec![Vec::new(); n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    if let Some(d) = dist.get_mut(source) {
        *d = 0.0;
        heap.push(Frontier {
            cost: 0.0,
            node: source,
        });
    }
    while let Some(Frontier { cost, node }) = heap.pop() {
        if done.get(node).copied().unwrap_or(true) {
            continue;
        }
        if let Some(d) = done.get_mut(node) {
            *d = true;
        }
        if node == target {
            break;
        }
        for &(next, edge) in adjacency.of(node) {
            let next = next as usize;
            let weight = projection
                .edge(edge)
                .map_or(f64::INFINITY, |(_, _, e)| e.weight);
            let candidate = cost + weight;
            let (Some(best), Some(p)) = (dist.get_mut(next), preds.get_mut(next)) else {
                continue;
            };
            if done.get(next).copied().unwrap_or(true) && !same_cost(candidate, *best) {
                continue;
            }
            if same_cost(candidate, *best) {
                p.push((node, edge));
            } else if candidate < *best {
                *best = candidate;
                p.clear();
                p.push((node, edge));
                heap.push(Frontier {
                    cost: candidate,
                    node: next,
                });
            }
        }
    }
    (dist, preds)
}

/// One cheapest path from `source` to `target` (the one through the smallest
/// predecessors), or `None` when `target` cannot be reached.
pub fn shortest_path(
    projection: &Projection,
    adjacency: &Adjacency,
    source: usize,
    target: usize,
) -> Option<IndexPath> {
    let (dist, preds) = dijkstra_predecessors(projection, adjacency, source, target);
    let cost = *dist.get(target)?;
    if !cost.is_finite() {
        return None;
    }
    let mut nodes = vec![target];
    let mut edges = Vec::new();
    let mut at = target;
    while at != source {
        let &(prev, edge) = preds.get(at)?.iter().min_by_key(|(p, e)| (*p, *e))?;
        nodes.push(prev);
        edges.push(edge);
        at = prev;
    }
    nodes.reverse();
    edges.reverse();
    Some(IndexPath { nodes, edges, cost })
}

/// Every cheapest path from `source` to `target` (parallel relationships give distinct
/// paths), at most `limit` of them, in order of their node sequence.
pub fn all_shortest_paths(
    projection: &Projection,
    adjacency: &Adjacency,
    source: usize,
    target: usize,
    limit: usize,
) -> Vec<IndexPath> {
    let (dist, preds) = dijkstra_predecessors(projection, adjacency, source, target);
    let Some(&cost) = dist.get(target) else {
        return Vec::new();
    };
    if !cost.is_finite() {
        return Vec::new();
    }
    // Depth-first from the target back to the source over the predecessor lists.
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<usize>, Vec<u32>)> = vec![(vec![target], Vec::new())];
    while let Some((nodes, edges)) = stack.pop() {
        if out.len() >= limit {
            break;
        }
        let Some(&last) = nodes.last() else { continue };
        if last == source {
            let mut nodes = nodes;
            let mut edges = edges;
            nodes.reverse();
            edges.reverse();
            out.push(IndexPath { nodes, edges, cost });
            continue;
        }
        let mut options: Vec<(usize, u32)> = preds.get(last).cloned().unwrap_or_default();
        options.sort_unstable_by(|a, b| b.cmp(a));
        for (prev, edge) in options {
            // Zero-weight cycles make predecessors of each other; a path never repeats a node.
            if nodes.contains(&prev) {
                continue;
            }
            let mut n = nodes.clone();
            let mut e = edges.clone();
            n.push(prev);
            e.push(edge);
            stack.push((n, e));
        }
    }
    out.sort_by(|a, b| a.nodes.cmp(&b.nodes).then_with(|| a.edges.cmp(&b.edges)));
    out
}

/// Nodes reachable from `source` in at most `max_depth` hops, in breadth-first order,
/// with their hop count (the source itself at depth 0).
pub fn bfs(adjacency: &Adjacency, n: usize, source: usize, max_depth: u64) -> Vec<(usize, u64)> {
    let mut depth = vec![u64::MAX; n];
    let mut order = Vec::new();
    let mut queue = VecDeque::new();
    if let Some(d) = depth.get_mut(source) {
        *d = 0;
        queue.push_back(source);
    }
    while let Some(v) = queue.pop_front() {
        let dv = depth.get(v).copied().unwrap_or(u64::MAX);
        order.push((v, dv));
        if dv >= max_depth {
            continue;
        }
        for &(w, _) in adjacency.of(v) {
            if let Some(dw) = depth.get_mut(w as usize) {
                if *dw == u64::MAX {
                    *dw = dv + 1;
                    queue.push_back(w as usize);
                }
            }
        }
    }
    order
}

/// PageRank by power iteration as networkx computes it: out-weights normalised per node,
/// the rank of dangling nodes spread evenly, stop when the L1 change is below
/// `n * tolerance` or after `iterations` rounds. Returns the scores and the rounds run.
pub fn page_rank(
    projection: &Projection,
    out: &Adjacency,
    damping: f64,
    iterations: u64,
    tolerance: f64,
) -> (Vec<f64>, u64) {
    let n = projection.node_count();
    if n == 0 {
        return (Vec::new(), 0);
    }
    let weight = |e: u32| projection.edge(e).map_or(0.0, |(_, _, d)| d.weight);
    let out_weight: Vec<f64> = (0..n)
        .map(|v| out.of(v).iter().map(|&(_, e)| weight(e)).sum())
        .collect();
    let uniform = 1.0 / n as f64;
    let mut rank = vec![uniform; n];
    let mut next = vec![0.0; n];
    let mut rounds = 0;
    while rounds < iterations {
        rounds += 1;
        let dangling: f64 = (0..n)
            .filter(|&v| out_weight.get(v).is_none_or(|w| *w == 0.0))
            .map(|v| rank.get(v).copied().unwrap_or(0.0))
            .sum();
        let base = damping * dangling * uniform + (1.0 - damping) * uniform;
        next.iter_mut().for_each(|x| *x = base);
        for v in 0..n {
            let total = out_weight.get(v).copied().unwrap_or(0.0);
            if total == 0.0 {
                continue;
            }
            let share = damping * rank.get(v).copied().unwrap_or(0.0) / total;
            for &(w, e) in out.of(v) {
                if let Some(x) = next.get_mut(w as usize) {
                    *x += share * weight(e);
                }
            }
        }
        let change: f64 = next.iter().zip(&rank).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if change < n as f64 * tolerance {
            break;
        }
    }
    (rank, rounds)
}

/// Brandes' betweenness (unweighted, on distinct neighbours) from the given `sources`, scaled as networkx
/// scales it: by `1/((n-1)(n-2))` when `normalized`, halved for an undirected graph
/// when not, and by `n / sources` when sampled.
pub fn betweenness(
    neighbours: &[Vec<usize>],
    n: usize,
    sources: &[usize],
    undirected: bool,
    normalized: bool,
) -> Vec<f64> {
    let mut score = vec![0.0; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![-1i64; n];
    let mut delta = vec![0.0f64; n];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut order: Vec<usize> = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for &s in sources {
        if s >= n {
            continue;
        }
        // Only the nodes the last source reached need resetting.
        for &v in &order {
            sigma[v] = 0.0;
            dist[v] = -1;
            delta[v] = 0.0;
            preds[v].clear();
        }
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            let dv = dist[v];
            for &w in &neighbours[v] {
                if dist[w] < 0 {
                    dist[w] = dv + 1;
                    queue.push_back(w);
                }
                if dist[w] == dv + 1 {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        for &w in order.iter().rev() {
            let coefficient = (1.0 + delta[w]) / sigma[w];
            for &v in &preds[w] {
                delta[v] += sigma[v] * coefficient;
            }
            if w != s {
                score[w] += delta[w];
            }
        }
    }
    let mut scale = if normalized {
        if n > 2 {
            1.0 / ((n - 1) as f64 * (n - 2) as f64)
        } else {
            1.0
        }
    } else if undirected {
        0.5
    } else {
        1.0
    };
    if !sources.is_empty() && sources.len() < n {
        scale *= n as f64 / sources.len() as f64;
    }
    score.iter_mut().for_each(|x| *x *= scale);
    score
}

/// `k` distinct nodes out of `n`, drawn with a seeded generator (splitmix64), sorted.
pub fn sample_nodes(n: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut all: Vec<usize> = (0..n).collect();
    let k = k.min(n);
    for i in 0..k {
        let j = i + (next() % (n - i) as u64) as usize;
        all.swap(i, j);
    }
    all.truncate(k);
    all.sort_unstable();
    all
}

/// Weakly connected components: for each node, the smallest index in its component.
pub fn weakly_connected(projection: &Projection) -> Vec<usize> {
    let n = projection.node_count();
    let mut sets = UnionFind::<usize>::new(n);
    for e in projection.graph.raw_edges() {
        sets.union(e.source().index(), e.target().index());
    }
    smallest_member(n, |v| sets.find_mut(v))
}

/// Strongly connected components (Tarjan): for each node, the smallest index in its
/// component.
pub fn strongly_connected(projection: &Projection) -> Vec<usize> {
    let n = projection.node_count();
    let mut component = vec![0usize; n];
    for (id, members) in petgraph::algo::tarjan_scc(&projection.graph)
        .into_iter()
        .enumerate()
    {
        for m in members {
            if let Some(c) = component.get_mut(m.index()) {
                *c = id;
            }
        }
    }
    smallest_member(n, |v| component.get(v).copied().unwrap_or(v))
}

/// Relabels a partition given by `class_of` so each class is named by its smallest member.
fn smallest_member(n: usize, mut class_of: impl FnMut(usize) -> usize) -> Vec<usize> {
    let classes: Vec<usize> = (0..n).map(&mut class_of).collect();
    let mut smallest = vec![usize::MAX; n];
    for (v, &c) in classes.iter().enumerate() {
        if let Some(s) = smallest.get_mut(c) {
            *s = (*s).min(v);
        }
    }
    classes
        .iter()
        .map(|&c| smallest.get(c).copied().unwrap_or(c))
        .collect()
}

/// Sorted, distinct neighbours of each node in the adjacency's direction, without
/// self-loops: the simple graph networkx's `Graph` / `DiGraph` would hold.
pub fn simple_neighbours(both: &Adjacency, n: usize) -> Vec<Vec<usize>> {
    (0..n)
        .map(|v| {
            let mut ns: Vec<usize> = both
                .of(v)
                .iter()
                .map(|&(w, _)| w as usize)
                .filter(|&w| w != v)
                .collect();
            ns.sort_unstable();
            ns.dedup();
            ns
        })
        .collect()
}

/// Triangles through each node and its local clustering coefficient, undirected.
pub fn triangles(neighbours: &[Vec<usize>]) -> Vec<(u64, f64)> {
    let n = neighbours.len();
    let mut count = vec![0u64; n];
    // Each triangle u < v < w is found once, from u, by intersecting sorted lists.
    for (u, nu) in neighbours.iter().enumerate() {
        for &v in nu.iter().filter(|&&v| v > u) {
            let nv = neighbours.get(v).map_or(&[][..], Vec::as_slice);
            let (mut i, mut j) = (0, 0);
            while let (Some(&a), Some(&b)) = (nu.get(i), nv.get(j)) {
                match a.cmp(&b) {
                    Ordering::Less => i += 1,
                    Ordering::Greater => j += 1,
                    Ordering::Equal => {
                        if a > v {
                            for x in [u, v, a] {
                                if let Some(c) = count.get_mut(x) {
                                    *c += 1;
                                }
                            }
                        }
                        i += 1;
                        j += 1;
                    }
                }
            }
        }
    }
    count
        .iter()
        .zip(neighbours)
        .map(|(&t, ns)| {
            let d = ns.len() as f64;
            let coefficient = if ns.len() < 2 {
                0.0
            } else {
                2.0 * t as f64 / (d * (d - 1.0))
            };
            (t, coefficient)
        })
        .collect()
}

/// Greedy colouring in index order: each node takes the smallest colour none of its
/// earlier neighbours has.
fn greedy_colours(neighbours: &[Vec<usize>]) -> Vec<usize> {
    let mut colour = vec![usize::MAX; neighbours.len()];
    let mut taken = Vec::new();
    for (v, ns) in neighbours.iter().enumerate() {
        taken.clear();
        taken.extend(ns.iter().filter_map(|&w| colour.get(w).copied()));
        taken.sort_unstable();
        let mut c = 0;
        for &t in &taken {
            if t == c {
                c += 1;
            } else if t > c {
                break;
            }
        }
        if let Some(slot) = colour.get_mut(v) {
            *slot = c;
        }
    }
    colour
}

/// Semi-synchronous label propagation on the undirected simple graph (as networkx's
/// `label_propagation_communities`): nodes are coloured so no two neighbours share a
/// colour, and one colour class at a time takes the label most of its neighbours carry
/// (ties to the smallest label, keeping its own when it is among the most common), until
/// no label changes or after `iterations` rounds. Labels are then renamed to the
/// smallest member of each community.
pub fn label_propagation(neighbours: &[Vec<usize>], iterations: u64) -> Vec<usize> {
    let n = neighbours.len();
    let mut label: Vec<usize> = (0..n).collect();
    let colour = greedy_colours(neighbours);
    // Nodes of one colour are never neighbours, so updating them one after another is
    // the same as updating them at once.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&v| (colour.get(v).copied().unwrap_or(0), v));
    let mut tally: foldhash::HashMap<usize, usize> = Default::default();
    for _ in 0..iterations {
        let mut changed = false;
        for &v in &order {
            let Some(ns) = neighbours.get(v) else {
                continue;
            };
            if ns.is_empty() {
                continue;
            }
            tally.clear();
            for &w in ns {
                *tally.entry(label.get(w).copied().unwrap_or(w)).or_default() += 1;
            }
            let most = tally.values().copied().max().unwrap_or(0);
            let current = label.get(v).copied().unwrap_or(v);
            if tally.get(&current) == Some(&most) {
                continue;
            }
            let best = tally
                .iter()
                .filter(|(_, &c)| c == most)
                .map(|(&l, _)| l)
                .min()
                .unwrap_or(current);
            if let Some(l) = label.get_mut(v) {
                *l = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    smallest_member(n, |v| label.get(v).copied().unwrap_or(v))
}

/// Kahn's topological order taking the smallest ready index first (networkx's
/// `lexicographical_topological_sort` on store ids); `Err(node)` names a node on a cycle.
pub fn topological_sort(out: &Adjacency, n: usize) -> Result<Vec<usize>, usize> {
    let mut indegree = vec![0usize; n];
    for v in 0..n {
        for &(w, _) in out.of(v) {
            if let Some(d) = indegree.get_mut(w as usize) {
                *d += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> = indegree
        .iter()
        .enumerate()
        .filter(|(_, &d)| d == 0)
        .map(|(v, _)| Reverse(v))
        .collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(v)) = ready.pop() {
        order.push(v);
        for &(w, _) in out.of(v) {
            if let Some(d) = indegree.get_mut(w as usize) {
                *d -= 1;
                if *d == 0 {
                    ready.push(Reverse(w as usize));
                }
            }
        }
    }
    if order.len() < n {
        let stuck = indegree.iter().position(|&d| d > 0).unwrap_or(0);
        return Err(stuck);
    }
    Ok(order)
}
