//! Side effects as the TCK's reference harness measures them: a snapshot of the graph
//! before and after a query, read through the public API, and their difference.
//!
//! Nodes and relationships count by identity; labels are the distinct label names
//! present in the graph (so `CREATE (:L), (:L)` adds one label); properties are
//! (entity, key, value) triples counted as a multiset, so overwriting a value is one
//! property added and one removed.

use skein::{Database, Params, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What a graph holds, for diffing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    nodes: BTreeSet<u64>,
    relationships: BTreeSet<u64>,
    labels: BTreeSet<String>,
    /// (entity kind and id, key, value rendered canonically) → how many times present.
    properties: BTreeMap<(Entity, String, String), usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Entity {
    Node(u64),
    Relationship(u64),
}

/// The eight side-effect counters the TCK names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideEffects {
    pub nodes_added: usize,
    pub nodes_removed: usize,
    pub relationships_added: usize,
    pub relationships_removed: usize,
    pub labels_added: usize,
    pub labels_removed: usize,
    pub properties_added: usize,
    pub properties_removed: usize,
}

/// The TCK's names for the counters, in the order they are reported.
pub const SIDE_EFFECT_NAMES: [&str; 8] = [
    "+nodes",
    "-nodes",
    "+relationships",
    "-relationships",
    "+labels",
    "-labels",
    "+properties",
    "-properties",
];

impl SideEffects {
    /// The counter named as in the TCK (`+nodes`, `-properties`, …).
    pub fn get_mut(&mut self, name: &str) -> Option<&mut usize> {
        Some(match name {
            "+nodes" => &mut self.nodes_added,
            "-nodes" => &mut self.nodes_removed,
            "+relationships" => &mut self.relationships_added,
            "-relationships" => &mut self.relationships_removed,
            "+labels" => &mut self.labels_added,
            "-labels" => &mut self.labels_removed,
            "+properties" => &mut self.properties_added,
            "-properties" => &mut self.properties_removed,
            _ => return None,
        })
    }

    fn values(&self) -> [usize; 8] {
        [
            self.nodes_added,
            self.nodes_removed,
            self.relationships_added,
            self.relationships_removed,
            self.labels_added,
            self.labels_removed,
            self.properties_added,
            self.properties_removed,
        ]
    }
}

/// Lists the non-zero counters, or `none`.
impl std::fmt::Display for SideEffects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = SIDE_EFFECT_NAMES
            .iter()
            .zip(self.values())
            .filter(|(_, count)| *count != 0)
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        if parts.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

const NODES_QUERY: &str = "MATCH (n) RETURN n";
const RELATIONSHIPS_QUERY: &str = "MATCH ()-[r]->() RETURN r";

/// Reads the whole graph through two queries. `Err` says which query failed and how.
pub fn snapshot(db: &Database) -> Result<Snapshot, String> {
    let mut state = Snapshot::default();
    let params = Params::new();
    let nodes = db
        .execute(NODES_QUERY, &params)
        .map_err(|e| format!("`{NODES_QUERY}` failed: {e}"))?;
    for row in &nodes.rows {
        match row.first() {
            Some(Value::Node(node)) => {
                state.nodes.insert(node.id);
                state.labels.extend(node.labels.iter().cloned());
                for (key, value) in &node.properties {
                    state.add_property(Entity::Node(node.id), key, value);
                }
            }
            other => return Err(format!("`{NODES_QUERY}` returned {other:?}, not a node")),
        }
    }
    let relationships = db
        .execute(RELATIONSHIPS_QUERY, &params)
        .map_err(|e| format!("`{RELATIONSHIPS_QUERY}` failed: {e}"))?;
    for row in &relationships.rows {
        match row.first() {
            Some(Value::Relationship(rel)) => {
                state.relationships.insert(rel.id);
                for (key, value) in &rel.properties {
                    state.add_property(Entity::Relationship(rel.id), key, value);
                }
            }
            other => {
                return Err(format!(
                    "`{RELATIONSHIPS_QUERY}` returned {other:?}, not a relationship"
                ))
            }
        }
    }
    Ok(state)
}

impl Snapshot {
    fn add_property(&mut self, entity: Entity, key: &str, value: &Value) {
        // Debug output is a faithful, deterministic key for stored property values
        // (scalars, temporals and lists of them).
        *self
            .properties
            .entry((entity, key.to_string(), format!("{value:?}")))
            .or_insert(0) += 1;
    }

    /// What changed from `self` to `later`.
    pub fn diff(&self, later: &Snapshot) -> SideEffects {
        SideEffects {
            nodes_added: later.nodes.difference(&self.nodes).count(),
            nodes_removed: self.nodes.difference(&later.nodes).count(),
            relationships_added: later.relationships.difference(&self.relationships).count(),
            relationships_removed: self.relationships.difference(&later.relationships).count(),
            labels_added: later.labels.difference(&self.labels).count(),
            labels_removed: self.labels.difference(&later.labels).count(),
            properties_added: multiset_excess(&later.properties, &self.properties),
            properties_removed: multiset_excess(&self.properties, &later.properties),
        }
    }
}

/// How many items `a` holds beyond those in `b`, counting multiplicity.
fn multiset_excess<K: Ord>(a: &BTreeMap<K, usize>, b: &BTreeMap<K, usize>) -> usize {
    a.iter()
        .map(|(key, count)| count.saturating_sub(b.get(key).copied().unwrap_or(0)))
        .sum()
}

/// Checks of this module, run by the TCK runner before the scenarios.
pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        (
            "graph_state::labels_count_distinct_names",
            labels_count_distinct_names,
        ),
        (
            "graph_state::overwriting_a_property_adds_one_and_removes_one",
            overwriting_a_property_adds_one_and_removes_one,
        ),
        (
            "graph_state::deleting_reports_removals",
            deleting_reports_removals,
        ),
        ("graph_state::counters_by_tck_name", counters_by_tck_name),
    ];

    /// A node for a test graph: id, labels, integer properties.
    type TestNode<'a> = (u64, &'a [&'a str], &'a [(&'a str, i64)]);

    fn state(nodes: &[TestNode]) -> Snapshot {
        let mut s = Snapshot::default();
        for (id, labels, props) in nodes {
            s.nodes.insert(*id);
            s.labels.extend(labels.iter().map(|l| l.to_string()));
            for (k, v) in *props {
                s.add_property(Entity::Node(*id), k, &Value::Int(*v));
            }
        }
        s
    }

    fn labels_count_distinct_names() {
        let before = state(&[]);
        let after = state(&[(1, &["L"], &[]), (2, &["L"], &[])]);
        let effects = before.diff(&after);
        assert_eq!(effects.nodes_added, 2);
        assert_eq!(effects.labels_added, 1);
        assert_eq!(effects.to_string(), "+nodes 2, +labels 1");
    }

    fn overwriting_a_property_adds_one_and_removes_one() {
        let before = state(&[(1, &[], &[("k", 1), ("j", 5)])]);
        let after = state(&[(1, &[], &[("k", 2), ("j", 5)])]);
        let effects = before.diff(&after);
        assert_eq!(effects.properties_added, 1);
        assert_eq!(effects.properties_removed, 1);
        assert_eq!(effects.nodes_added + effects.nodes_removed, 0);
    }

    fn deleting_reports_removals() {
        let before = state(&[(1, &["A"], &[("k", 1)]), (2, &["B"], &[])]);
        let after = state(&[(2, &["B"], &[])]);
        let effects = before.diff(&after);
        assert_eq!(
            effects,
            SideEffects {
                nodes_removed: 1,
                labels_removed: 1,
                properties_removed: 1,
                ..SideEffects::default()
            }
        );
        assert_eq!(after.diff(&after).to_string(), "none");
    }

    fn counters_by_tck_name() {
        let mut effects = SideEffects::default();
        for name in SIDE_EFFECT_NAMES {
            *effects.get_mut(name).expect("a known counter") += 1;
        }
        assert_eq!(effects.values(), [1; 8]);
        assert!(effects.get_mut("+things").is_none());
    }
}
