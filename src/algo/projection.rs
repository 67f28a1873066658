//! The projection: (part of) the store copied into a petgraph graph in one pass, with the
//! mapping back to store ids. Algorithms run on the projection, never on the store.
//!
//! Invariants: graph node `i` is store node `node_ids[i]`, and `node_ids` is sorted, so
//! graph order is store-id order (results and tie-breaks are deterministic). Every edge
//! joins two projected nodes; its weight is finite (1.0 when unweighted).

use crate::error::{Error, Result};
use crate::storage::{Dir, Txn};
use crate::value::{NodeId, RelId, Value};
use foldhash::HashMap;
use petgraph::graph::{DiGraph, NodeIndex};

/// One projected relationship.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EdgeData {
    pub rel: RelId,
    /// Index into [`Projection::rel_types`].
    pub rel_type: u32,
    pub weight: f64,
}

/// What part of the store to project.
#[derive(Clone, Debug, Default)]
pub struct ProjectionSpec {
    /// Only nodes with one of these labels (all nodes when empty).
    pub labels: Vec<String>,
    /// Only relationships of these types (all when empty).
    pub types: Vec<String>,
    /// The relationship property read as the edge weight (1.0 for every edge when `None`).
    pub weight: Option<String>,
    /// The weight of a relationship that lacks the weight property.
    pub default_weight: f64,
}

/// A directed multigraph of store nodes and relationships. How algorithms traverse it
/// (outgoing, incoming or both ways) is their choice, see [`Projection::neighbours`].
pub struct Projection {
    pub graph: DiGraph<NodeId, EdgeData, u32>,
    pub node_ids: Vec<NodeId>,
    index_of: HashMap<NodeId, NodeIndex<u32>>,
    pub rel_types: Vec<std::sync::Arc<str>>,
}

impl Projection {
    /// Builds the projection of `spec` from `txn`: one scan of the nodes (or of each
    /// label's index), one scan of the relationships.
    pub fn build(txn: &Txn<'_>, spec: &ProjectionSpec) -> Result<Projection> {
        let mut node_ids: Vec<NodeId> = Vec::new();
        if spec.labels.is_empty() {
            for id in txn.all_nodes() {
                node_ids.push(id?);
            }
        } else {
            for label in &spec.labels {
                for id in txn.nodes_with_label(label) {
                    node_ids.push(id?);
                }
            }
        }
        node_ids.sort_unstable();
        node_ids.dedup();
        let rel_estimate = txn.relationship_count().unwrap_or(0) as usize;
        let mut graph = DiGraph::with_capacity(node_ids.len(), rel_estimate);
        let mut index_of = HashMap::default();
        index_of.reserve(node_ids.len());
        for &id in &node_ids {
            index_of.insert(id, graph.add_node(id));
        }
        let mut rel_types: Vec<std::sync::Arc<str>> = Vec::new();
        for rel in txn.all_relationships() {
            let rel = rel?;
            if !spec.types.is_empty() && !spec.types.iter().any(|t| **t == *rel.rel_type) {
                continue;
            }
            let (Some(&a), Some(&b)) = (index_of.get(&rel.start), index_of.get(&rel.end)) else {
                continue;
            };
            let weight = match &spec.weight {
                None => 1.0,
                Some(key) => weight_of(txn, rel.id, key, spec.default_weight)?,
            };
            let rel_type = match rel_types.iter().position(|t| *t == rel.rel_type) {
                Some(i) => i as u32,
                None => {
                    rel_types.push(rel.rel_type);
                    (rel_types.len() - 1) as u32
                }
            };
            graph.add_edge(
                a,
                b,
                EdgeData {
                    rel: rel.id,
                    rel_type,
                    weight,
                },
            );
        }
        Ok(Projection {
            graph,
            node_ids,
            index_of,
            rel_types,
        })
    }

    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    /// The graph index of store node `id`, if it was projected.
    pub fn index(&self, id: NodeId) -> Option<usize> {
        self.index_of.get(&id).map(|i| i.index())
    }

    pub fn node_id(&self, index: usize) -> NodeId {
        self.node_ids.get(index).copied().unwrap_or_default()
    }

    /// Adjacency lists in compressed form: for each node, its neighbours in direction
    /// `dir` as (neighbour, edge index), self-loops once. Built once per algorithm run so
    /// the inner loops touch flat arrays only.
    pub fn adjacency(&self, dir: Dir) -> Adjacency {
        let n = self.node_count();
        let mut counts = vec![0usize; n + 1];
        let edges = self.graph.raw_edges();
        let add = |counts: &mut Vec<usize>, from: usize| {
            if let Some(c) = counts.get_mut(from + 1) {
                *c += 1;
            }
        };
        for e in edges {
            let (s, t) = (e.source().index(), e.target().index());
            match dir {
                Dir::Outgoing => add(&mut counts, s),
                Dir::Incoming => add(&mut counts, t),
                Dir::Both => {
                    add(&mut counts, s);
                    if s != t {
                        add(&mut counts, t);
                    }
                }
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut fill = counts.clone();
        let mut targets = vec![(0u32, 0u32); counts.last().copied().unwrap_or(0)];
        let mut put = |from: usize, to: usize, edge: usize| {
            if let Some(slot) = fill.get_mut(from) {
                if let Some(t) = targets.get_mut(*slot) {
                    *t = (to as u32, edge as u32);
                }
                *slot += 1;
            }
        };
        for (i, e) in edges.iter().enumerate() {
            let (s, t) = (e.source().index(), e.target().index());
            match dir {
                Dir::Outgoing => put(s, t, i),
                Dir::Incoming => put(t, s, i),
                Dir::Both => {
                    put(s, t, i);
                    if s != t {
                        put(t, s, i);
                    }
                }
            }
        }
        Adjacency {
            offsets: counts,
            targets,
        }
    }

    /// The data of edge `index` (the index an [`Adjacency`] reports).
    pub fn edge(&self, index: u32) -> Option<(usize, usize, EdgeData)> {
        self.graph
            .raw_edges()
            .get(index as usize)
            .map(|e| (e.source().index(), e.target().index(), e.weight))
    }

    /// A relationship value for edge `index`, as the executor carries it (identity only).
    pub fn relationship_value(&self, index: u32) -> Option<crate::value::Relationship> {
        let (s, t, data) = self.edge(index)?;
        Some(crate::value::Relationship {
            id: data.rel,
            rel_type: self
                .rel_types
                .get(data.rel_type as usize)
                .cloned()
                .unwrap_or_else(|| "".into()),
            start: self.node_id(s),
            end: self.node_id(t),
            properties: Default::default(),
        })
    }
}

/// Neighbour lists in one flat array (CSR): node `v`'s entries are
/// `targets[offsets[v]..offsets[v + 1]]`, each (neighbour, edge index).
pub struct Adjacency {
    offsets: Vec<usize>,
    targets: Vec<(u32, u32)>,
}

impl Adjacency {
    pub fn of(&self, v: usize) -> &[(u32, u32)] {
        match (self.offsets.get(v), self.offsets.get(v + 1)) {
            (Some(&a), Some(&b)) => self.targets.get(a..b).unwrap_or(&[]),
            _ => &[],
        }
    }

    pub fn degree(&self, v: usize) -> usize {
        self.of(v).len()
    }
}

fn weight_of(txn: &Txn<'_>, rel: RelId, key: &str, default: f64) -> Result<f64> {
    let weight = match txn.rel_property(rel, key)? {
        None | Some(Value::Null) => default,
        Some(Value::Int(i)) => i as f64,
        Some(Value::Float(f)) => f,
        Some(other) => {
            return Err(Error::argument(
                "InvalidArgumentValue",
                format!(
                    "weight property `{key}` of relationship {rel} must be a number, got {}",
                    other.type_name()
                ),
            ))
        }
    };
    if !weight.is_finite() {
        return Err(Error::argument(
            "InvalidArgumentValue",
            format!("weight property `{key}` of relationship {rel} is not a finite number"),
        ));
    }
    Ok(weight)
}
