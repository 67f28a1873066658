//! The `algo.*` procedures: their signatures, argument checking and the translation
//! between `Value`s and the projection. The engine's registry finds them through
//! [`lookup`]; `CALL algo.list()` lists them from [`CATALOGUE`].
//!
//! Conventions shared by all: the last argument is an optional options map; `labels`,
//! `types`, `direction`, `weight` select the projection; an unknown option, an option of
//! the wrong type or a node outside the projection is an `ArgumentError`. Outputs that
//! are nodes or paths are identities (the engine fills labels and properties).

use super::algorithms::{self, IndexPath};
use super::projection::{Projection, ProjectionSpec};
use crate::catalog::procedures::{NativeProcedure, Signature};
use crate::error::{Error, Result};
use crate::storage::{Dir, Txn};
use crate::value::{Map, Node, Path, Value};
use std::sync::Arc;

/// One procedure as documented by `algo.list()`.
pub struct Entry {
    pub name: &'static str,
    /// (name, type); the trailing `options` input may be left out.
    pub inputs: &'static [(&'static str, &'static str)],
    pub outputs: &'static [(&'static str, &'static str)],
    /// The options it accepts beyond none, as `name: TYPE = default`.
    pub options: &'static str,
    pub description: &'static str,
}

const SELECTION: &str = "labels: LIST<STRING> = all, types: LIST<STRING> = all";
const NODE_OUT: (&str, &str) = ("node", "NODE?");

/// Every algorithm procedure.
pub const CATALOGUE: &[Entry] = &[
    Entry {
        name: "algo.shortestPath",
        inputs: &[("source", "NODE?"), ("target", "NODE?"), ("options", "MAP?")],
        outputs: &[("path", "PATH?"), ("cost", "FLOAT?")],
        options: "weight: STRING = none (every hop costs 1), defaultWeight: FLOAT = 1.0, direction: STRING = 'OUTGOING', labels, types",
        description: "One cheapest path from source to target (Dijkstra); no row when none exists.",
    },
    Entry {
        name: "algo.allShortestPaths",
        inputs: &[("source", "NODE?"), ("target", "NODE?"), ("options", "MAP?")],
        outputs: &[("path", "PATH?"), ("cost", "FLOAT?")],
        options: "weight, defaultWeight, direction = 'OUTGOING', labels, types, limit: INTEGER = 1000",
        description: "Every cheapest path from source to target (Dijkstra), up to limit.",
    },
    Entry {
        name: "algo.bfs",
        inputs: &[("source", "NODE?"), ("options", "MAP?")],
        outputs: &[NODE_OUT, ("depth", "INTEGER?")],
        options: "maxDepth: INTEGER = unlimited, direction = 'OUTGOING', labels, types",
        description: "Nodes reachable from source within maxDepth hops, breadth first, with their hop count.",
    },
    Entry {
        name: "algo.pageRank",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("score", "FLOAT?")],
        options: "iterations: INTEGER = 100, damping: FLOAT = 0.85, tolerance: FLOAT = 1e-6, weight, direction = 'OUTGOING', labels, types",
        description: "PageRank by power iteration (as networkx: dangling rank spread evenly; stops when the L1 change < n * tolerance).",
    },
    Entry {
        name: "algo.degree",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("degree", "INTEGER?")],
        options: "direction = 'BOTH', labels, types",
        description: "Number of relationships at each node in the given direction (a self-loop counts twice with BOTH).",
    },
    Entry {
        name: "algo.betweenness",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("score", "FLOAT?")],
        options: "direction = 'OUTGOING', normalized: BOOLEAN = true, samples: INTEGER = all nodes up to 10000, else 100, seed: INTEGER = 42, labels, types",
        description: "Betweenness centrality (Brandes, unweighted), from sampled sources on large graphs.",
    },
    Entry {
        name: "algo.connectedComponents",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("componentId", "INTEGER?")],
        options: SELECTION,
        description: "Weakly connected components; componentId is the smallest node id in the component.",
    },
    Entry {
        name: "algo.stronglyConnectedComponents",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("componentId", "INTEGER?")],
        options: SELECTION,
        description: "Strongly connected components (Tarjan); componentId is the smallest node id in the component.",
    },
    Entry {
        name: "algo.triangleCount",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("triangles", "INTEGER?"), ("coefficient", "FLOAT?")],
        options: SELECTION,
        description: "Triangles through each node and its local clustering coefficient, ignoring direction.",
    },
    Entry {
        name: "algo.labelPropagation",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("communityId", "INTEGER?")],
        options: "iterations: INTEGER = 10, labels, types",
        description: "Communities by label propagation, ignoring direction; communityId is the smallest node id in the community.",
    },
    Entry {
        name: "algo.topologicalSort",
        inputs: &[("options", "MAP?")],
        outputs: &[NODE_OUT, ("position", "INTEGER?")],
        options: SELECTION,
        description: "Nodes in an order where every relationship points forward (smallest id first among the ready); ArgumentError on a cycle.",
    },
    Entry {
        name: "algo.list",
        inputs: &[],
        outputs: &[
            ("name", "STRING?"),
            ("signature", "STRING?"),
            ("options", "STRING?"),
            ("description", "STRING?"),
        ],
        options: "",
        description: "This list.",
    },
];

/// The signature and body of algorithm procedure `name`, if there is one.
pub fn lookup(name: &str) -> Option<(Signature, NativeProcedure)> {
    let entry = CATALOGUE.iter().find(|e| e.name == name)?;
    let owned = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(n, t)| (n.to_string(), t.to_string()))
            .collect()
    };
    let optional = usize::from(entry.inputs.last().is_some_and(|(n, _)| *n == "options"));
    let signature = Signature {
        name: entry.name.to_string(),
        inputs: owned(entry.inputs),
        outputs: owned(entry.outputs),
        optional_inputs: optional,
    };
    let name = entry.name;
    let body: NativeProcedure = Arc::new(move |txn: &Txn<'_>, args: &[Value]| run(name, txn, args));
    Some((signature, body))
}

/// Every algorithm procedure with its description, for `SHOW PROCEDURES`.
pub fn listing() -> Vec<(Signature, String)> {
    CATALOGUE
        .iter()
        .filter_map(|e| lookup(e.name).map(|(s, _)| (s, e.description.to_string())))
        .collect()
}

/// The signature line `algo.list()` shows.
pub fn signature_text(entry: &Entry) -> String {
    let inputs: Vec<String> = entry
        .inputs
        .iter()
        .map(|(n, t)| {
            if *n == "options" {
                format!("{n} = {{}} :: {t}")
            } else {
                format!("{n} :: {t}")
            }
        })
        .collect();
    let outputs: Vec<String> = entry
        .outputs
        .iter()
        .map(|(n, t)| format!("{n} :: {t}"))
        .collect();
    format!(
        "{}({}) :: ({})",
        entry.name,
        inputs.join(", "),
        outputs.join(", ")
    )
}

fn run(name: &str, txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    match name {
        "algo.list" => Ok(CATALOGUE
            .iter()
            .map(|e| {
                vec![
                    Value::from(e.name),
                    Value::from(signature_text(e)),
                    Value::from(e.options),
                    Value::from(e.description),
                ]
            })
            .collect()),
        "algo.shortestPath" | "algo.allShortestPaths" => shortest_paths(name, txn, args),
        "algo.bfs" => bfs(txn, args),
        "algo.pageRank" => page_rank(txn, args),
        "algo.degree" => degree(txn, args),
        "algo.betweenness" => betweenness(txn, args),
        "algo.connectedComponents" | "algo.stronglyConnectedComponents" => {
            components(name, txn, args)
        }
        "algo.triangleCount" => triangle_count(txn, args),
        "algo.labelPropagation" => label_propagation(txn, args),
        "algo.topologicalSort" => topological_sort(txn, args),
        _ => Err(Error::argument(
            "ProcedureNotFound",
            format!("there is no algorithm named '{name}'"),
        )),
    }
}

fn invalid(message: String) -> Error {
    Error::argument("InvalidArgumentValue", message)
}

/// The options map of a call, checked against the keys `allowed`.
struct Options<'a> {
    procedure: &'a str,
    map: Map,
}

impl<'a> Options<'a> {
    fn new(procedure: &'a str, value: Option<&Value>, allowed: &[&str]) -> Result<Options<'a>> {
        let map = match value {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Map(m)) => m.clone(),
            Some(other) => {
                return Err(invalid(format!(
                    "{procedure}: options must be a map, got {}",
                    other.type_name()
                )))
            }
        };
        if let Some(unknown) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(invalid(format!(
                "{procedure}: unknown option `{unknown}`; the options are {}",
                allowed.join(", ")
            )));
        }
        Ok(Options { procedure, map })
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn wrong(&self, key: &str, expected: &str, got: &Value) -> Error {
        invalid(format!(
            "{}: option `{key}` must be {expected}, got {}",
            self.procedure,
            got.type_name()
        ))
    }

    fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(v) => Err(self.wrong(key, "a STRING", v)),
        }
    }

    fn strings(&self, key: &str) -> Result<Vec<String>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::List(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong(key, "a LIST<STRING>", other)),
                })
                .collect(),
            Some(v) => Err(self.wrong(key, "a LIST<STRING>", v)),
        }
    }

    fn float(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => Ok(*i as f64),
            Some(Value::Float(f)) if f.is_finite() => Ok(*f),
            Some(v) => Err(self.wrong(key, "a finite number", v)),
        }
    }

    fn integer(&self, key: &str, default: u64) -> Result<u64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) if *i >= 0 => Ok(*i as u64),
            Some(v @ Value::Int(_)) => Err(invalid(format!(
                "{}: option `{key}` must not be negative, got {v}",
                self.procedure
            ))),
            Some(v) => Err(self.wrong(key, "an INTEGER", v)),
        }
    }

    fn boolean(&self, key: &str, default: bool) -> Result<bool> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(v) => Err(self.wrong(key, "a BOOLEAN", v)),
        }
    }

    fn direction(&self, default: Dir) -> Result<Dir> {
        match self.string("direction")? {
            None => Ok(default),
            Some(s) => match s.to_ascii_uppercase().as_str() {
                "OUTGOING" | "OUT" => Ok(Dir::Outgoing),
                "INCOMING" | "IN" => Ok(Dir::Incoming),
                "BOTH" | "UNDIRECTED" => Ok(Dir::Both),
                _ => Err(invalid(format!(
                    "{}: option `direction` must be 'OUTGOING', 'INCOMING' or 'BOTH', got '{s}'",
                    self.procedure
                ))),
            },
        }
    }

    fn projection(&self, txn: &Txn<'_>, weighted: bool) -> Result<Projection> {
        let weight = if weighted {
            self.string("weight")?
        } else {
            None
        };
        let spec = ProjectionSpec {
            labels: self.strings("labels")?,
            types: self.strings("types")?,
            default_weight: if weighted {
                self.float("defaultWeight", 1.0)?
            } else {
                1.0
            },
            weight,
        };
        Projection::build(txn, &spec)
    }
}

/// The graph index of node argument `name`, which must be a node in the projection.
fn node_argument(
    procedure: &str,
    name: &str,
    value: Option<&Value>,
    projection: &Projection,
) -> Result<usize> {
    let id = match value {
        Some(Value::Node(n)) => n.id,
        Some(Value::Null) | None => {
            return Err(invalid(format!(
                "{procedure}: argument `{name}` is null; expected a node"
            )))
        }
        Some(other) => {
            return Err(invalid(format!(
                "{procedure}: argument `{name}` must be a NODE, got {}",
                other.type_name()
            )))
        }
    };
    projection.index(id).ok_or_else(|| {
        invalid(format!(
            "{procedure}: node {id} (argument `{name}`) does not exist or is not in the projection (check the labels option)"
        ))
    })
}

fn node_value(projection: &Projection, index: usize) -> Value {
    Value::Node(Node::with_id(projection.node_id(index)))
}

fn path_value(projection: &Projection, path: &IndexPath) -> Value {
    Value::Path(Path {
        nodes: path
            .nodes
            .iter()
            .map(|&i| Node::with_id(projection.node_id(i)))
            .collect(),
        relationships: path
            .edges
            .iter()
            .filter_map(|&e| projection.relationship_value(e))
            .collect(),
    })
}

fn as_int(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

const PATH_OPTIONS: &[&str] = &[
    "weight",
    "defaultWeight",
    "direction",
    "labels",
    "types",
    "limit",
];

fn shortest_paths(name: &str, txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let all = name == "algo.allShortestPaths";
    let allowed = if all {
        PATH_OPTIONS
    } else {
        &PATH_OPTIONS[..PATH_OPTIONS.len() - 1]
    };
    let options = Options::new(name, args.get(2), allowed)?;
    let dir = options.direction(Dir::Outgoing)?;
    let limit = options.integer("limit", 1000)?;
    let projection = options.projection(txn, true)?;
    let source = node_argument(name, "source", args.first(), &projection)?;
    let target = node_argument(name, "target", args.get(1), &projection)?;
    if let Some(edge) = projection
        .graph
        .raw_edges()
        .iter()
        .find(|e| e.weight.weight < 0.0)
    {
        return Err(invalid(format!(
            "{name}: relationship {} has a negative weight; Dijkstra needs weights >= 0",
            edge.weight.rel
        )));
    }
    let adjacency = projection.adjacency(dir);
    let paths = if all {
        algorithms::all_shortest_paths(
            &projection,
            &adjacency,
            source,
            target,
            usize::try_from(limit).unwrap_or(usize::MAX),
        )
    } else {
        algorithms::shortest_path(&projection, &adjacency, source, target)
            .into_iter()
            .collect()
    };
    Ok(paths
        .iter()
        .map(|p| vec![path_value(&projection, p), Value::Float(p.cost)])
        .collect())
}

fn bfs(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let name = "algo.bfs";
    let options = Options::new(
        name,
        args.get(1),
        &["maxDepth", "direction", "labels", "types"],
    )?;
    let dir = options.direction(Dir::Outgoing)?;
    let max_depth = options.integer("maxDepth", u64::MAX)?;
    let projection = options.projection(txn, false)?;
    let source = node_argument(name, "source", args.first(), &projection)?;
    let adjacency = projection.adjacency(dir);
    Ok(
        algorithms::bfs(&adjacency, projection.node_count(), source, max_depth)
            .into_iter()
            .map(|(v, d)| {
                vec![
                    node_value(&projection, v),
                    Value::Int(i64::try_from(d).unwrap_or(i64::MAX)),
                ]
            })
            .collect(),
    )
}

fn page_rank(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let name = "algo.pageRank";
    let options = Options::new(
        name,
        args.first(),
        &[
            "iterations",
            "damping",
            "tolerance",
            "weight",
            "defaultWeight",
            "direction",
            "labels",
            "types",
        ],
    )?;
    let iterations = options.integer("iterations", 100)?;
    let damping = options.float("damping", 0.85)?;
    if !(0.0..=1.0).contains(&damping) {
        return Err(invalid(format!(
            "{name}: option `damping` must be between 0 and 1, got {damping}"
        )));
    }
    let tolerance = options.float("tolerance", 1e-6)?;
    if tolerance < 0.0 {
        return Err(invalid(format!(
            "{name}: option `tolerance` must not be negative, got {tolerance}"
        )));
    }
    let dir = options.direction(Dir::Outgoing)?;
    let projection = options.projection(txn, true)?;
    if let Some(edge) = projection
        .graph
        .raw_edges()
        .iter()
        .find(|e| e.weight.weight < 0.0)
    {
        return Err(invalid(format!(
            "{name}: relationship {} has a negative weight",
            edge.weight.rel
        )));
    }
    let adjacency = projection.adjacency(dir);
    let (scores, _) =
        algorithms::page_rank(&projection, &adjacency, damping, iterations, tolerance);
    Ok(scores
        .into_iter()
        .enumerate()
        .map(|(v, s)| vec![node_value(&projection, v), Value::Float(s)])
        .collect())
}

fn degree(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let name = "algo.degree";
    let options = Options::new(name, args.first(), &["direction", "labels", "types"])?;
    let dir = options.direction(Dir::Both)?;
    let projection = options.projection(txn, false)?;
    let out = projection.adjacency(Dir::Outgoing);
    let incoming = projection.adjacency(Dir::Incoming);
    Ok((0..projection.node_count())
        .map(|v| {
            let d = match dir {
                Dir::Outgoing => out.degree(v),
                Dir::Incoming => incoming.degree(v),
                Dir::Both => out.degree(v) + incoming.degree(v),
            };
            vec![node_value(&projection, v), as_int(d)]
        })
        .collect())
}

fn betweenness(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let name = "algo.betweenness";
    let options = Options::new(
        name,
        args.first(),
        &[
            "direction",
            "normalized",
            "samples",
            "seed",
            "labels",
            "types",
        ],
    )?;
    let dir = options.direction(Dir::Outgoing)?;
    let normalized = options.boolean("normalized", true)?;
    let seed = options.integer("seed", 42)?;
    let projection = options.projection(txn, false)?;
    let n = projection.node_count();
    let default_samples = if n <= 10_000 { n as u64 } else { 100 };
    let samples = options.integer("samples", default_samples)?;
    if samples == 0 && n > 0 {
        return Err(invalid(format!(
            "{name}: option `samples` must be at least 1"
        )));
    }
    let samples = usize::try_from(samples).unwrap_or(usize::MAX).min(n);
    let sources: Vec<usize> = if samples >= n {
        (0..n).collect()
    } else {
        algorithms::sample_nodes(n, samples, seed)
    };
    let neighbours = algorithms::simple_neighbours(&projection.adjacency(dir), n);
    let scores = algorithms::betweenness(&neighbours, n, &sources, dir == Dir::Both, normalized);
    Ok(scores
        .into_iter()
        .enumerate()
        .map(|(v, s)| vec![node_value(&projection, v), Value::Float(s)])
        .collect())
}

fn components(name: &str, txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let options = Options::new(name, args.first(), &["labels", "types"])?;
    let projection = options.projection(txn, false)?;
    let component = if name == "algo.connectedComponents" {
        algorithms::weakly_connected(&projection)
    } else {
        algorithms::strongly_connected(&projection)
    };
    Ok(component
        .into_iter()
        .enumerate()
        .map(|(v, c)| id_row(&projection, v, c))
        .collect())
}

/// A row of a node and the store id of the node naming its group.
fn id_row(projection: &Projection, v: usize, group: usize) -> Vec<Value> {
    vec![
        node_value(projection, v),
        Value::Int(i64::try_from(projection.node_id(group)).unwrap_or(i64::MAX)),
    ]
}

fn triangle_count(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let options = Options::new("algo.triangleCount", args.first(), &["labels", "types"])?;
    let projection = options.projection(txn, false)?;
    let neighbours =
        algorithms::simple_neighbours(&projection.adjacency(Dir::Both), projection.node_count());
    Ok(algorithms::triangles(&neighbours)
        .into_iter()
        .enumerate()
        .map(|(v, (t, c))| {
            vec![
                node_value(&projection, v),
                Value::Int(i64::try_from(t).unwrap_or(i64::MAX)),
                Value::Float(c),
            ]
        })
        .collect())
}

fn label_propagation(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let options = Options::new(
        "algo.labelPropagation",
        args.first(),
        &["iterations", "labels", "types"],
    )?;
    let iterations = options.integer("iterations", 10)?;
    let projection = options.projection(txn, false)?;
    let neighbours =
        algorithms::simple_neighbours(&projection.adjacency(Dir::Both), projection.node_count());
    Ok(algorithms::label_propagation(&neighbours, iterations)
        .into_iter()
        .enumerate()
        .map(|(v, c)| id_row(&projection, v, c))
        .collect())
}

fn topological_sort(txn: &Txn<'_>, args: &[Value]) -> Result<Vec<Vec<Value>>> {
    let name = "algo.topologicalSort";
    let options = Options::new(name, args.first(), &["labels", "types"])?;
    let projection = options.projection(txn, false)?;
    let out = projection.adjacency(Dir::Outgoing);
    match algorithms::topological_sort(&out, projection.node_count()) {
        Ok(order) => Ok(order
            .into_iter()
            .enumerate()
            .map(|(position, v)| vec![node_value(&projection, v), as_int(position)])
            .collect()),
        Err(stuck) => Err(invalid(format!(
            "{name}: the graph has a cycle (through node {}), so it has no topological order",
            projection.node_id(stuck)
        ))),
    }
}
