//! Algorithm benchmark: loads a `gen.py` CSV data set (shared/bench layout) into an
//! in-memory store through the bulk writer, then times the projection, PageRank (20
//! iterations) and weakly connected components, each through the `algo.*` procedure
//! path and on the projection alone. Prints `key=value` lines that
//! scripts/algo_bench.sh puts beside networkx's figures.
//!
//! Run: `cargo bench --bench algo -- DIR` (DIR from `gen.py --scale small --out DIR`).

use skein::testing::algo::algorithms;
use skein::testing::algo::{Projection, ProjectionSpec};
use skein::testing::catalog::procedures::Registry;
use skein::testing::storage::{Dir, Store};
use skein::{Map, PropertyMap, Value};
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

type Failure = Box<dyn std::error::Error>;

fn typed(kind: &str, text: &str) -> Value {
    match kind {
        "INT64" => text.parse().map_or_else(|_| Value::from(text), Value::Int),
        "DOUBLE" => text
            .parse()
            .map_or_else(|_| Value::from(text), Value::Float),
        "BOOL" => Value::Bool(text == "true"),
        _ => Value::from(text),
    }
}

fn columns(spec: &serde_json::Value) -> Vec<(String, String)> {
    spec["columns"]
        .as_array()
        .map(|cols| {
            cols.iter()
                .map(|c| {
                    (
                        c[0].as_str().unwrap_or_default().to_string(),
                        c[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn load(store: &Store, dir: &Path) -> Result<(usize, usize), Failure> {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json"))?)?;
    let mut writer = store.bulk_writer()?;
    let mut id_of: HashMap<i64, u64> = HashMap::new();
    let mut rel_count = 0;
    let empty = serde_json::Map::new();
    for (label, spec) in manifest["nodes"].as_object().unwrap_or(&empty) {
        let cols = columns(spec);
        let file = dir.join(spec["file"].as_str().unwrap_or_default());
        let mut reader = csv::Reader::from_path(file)?;
        for record in reader.records() {
            let record = record?;
            let mut props = PropertyMap::new();
            let mut csv_id = 0;
            for ((name, kind), field) in cols.iter().zip(record.iter()) {
                let value = typed(kind, field);
                if name == "id" {
                    if let Value::Int(i) = value {
                        csv_id = i;
                    }
                }
                props.insert(name.clone(), value);
            }
            let id = writer.create_node(std::slice::from_ref(label), props)?;
            id_of.insert(csv_id, id);
        }
    }
    for (rel_type, spec) in manifest["rels"].as_object().unwrap_or(&empty) {
        let cols = columns(spec);
        let file = dir.join(spec["file"].as_str().unwrap_or_default());
        let mut reader = csv::Reader::from_path(file)?;
        for record in reader.records() {
            let record = record?;
            let mut props = PropertyMap::new();
            let mut ends = [0u64; 2];
            for (i, ((name, kind), field)) in cols.iter().zip(record.iter()).enumerate() {
                if i < 2 {
                    let csv_id: i64 = field.parse()?;
                    ends[i] = *id_of.get(&csv_id).ok_or("unknown node id")?;
                } else {
                    props.insert(name.clone(), typed(kind, field));
                }
            }
            writer.create_relationship(ends[0], ends[1], rel_type, props)?;
            rel_count += 1;
        }
    }
    writer.finish()?;
    Ok((id_of.len(), rel_count))
}

fn seconds(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}

fn main() -> Result<(), Failure> {
    let dir = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .ok_or("usage: cargo bench --bench algo -- DIR")?;
    let store = Store::in_memory();
    let start = Instant::now();
    let (nodes, rels) = load(&store, Path::new(&dir))?;
    println!(
        "skein_load_s={:.2} nodes={nodes} rels={rels}",
        seconds(start)
    );

    let txn = store.begin()?;
    let start = Instant::now();
    let projection = Projection::build(&txn, &ProjectionSpec::default())?;
    println!(
        "skein_projection_s={:.3} projected_nodes={} projected_rels={}",
        seconds(start),
        projection.node_count(),
        projection.graph.edge_count()
    );
    let start = Instant::now();
    let out = projection.adjacency(Dir::Outgoing);
    let (_, rounds) = algorithms::page_rank(&projection, &out, 0.85, 20, 0.0);
    println!(
        "skein_pagerank_core_s={:.3} rounds={rounds}",
        seconds(start)
    );
    // Converged scores (networkx's defaults: up to 100 rounds, tolerance 1e-6) to compare
    // the top nodes with networkx's.
    let (scores, rounds) = algorithms::page_rank(&projection, &out, 0.85, 100, 1e-6);
    let mut top: Vec<(f64, u64)> = scores
        .iter()
        .enumerate()
        .map(|(i, s)| (*s, projection.node_id(i)))
        .collect();
    top.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "skein_pagerank_converged_rounds={rounds} top3 (store id = CSV id)={:?}",
        top.iter()
            .take(3)
            .map(|(s, id)| (*id, *s))
            .collect::<Vec<_>>()
    );
    let start = Instant::now();
    let components = algorithms::weakly_connected(&projection);
    let mut distinct = components.clone();
    distinct.sort_unstable();
    distinct.dedup();
    println!(
        "skein_wcc_core_s={:.3} components={}",
        seconds(start),
        distinct.len()
    );

    // The same through the procedures, as a query runs them: projection included.
    let registry = Registry::with_library(
        skein::testing::algo::procedures::lookup,
        skein::testing::algo::procedures::listing,
    );
    let mut options = Map::new();
    options.insert("iterations".into(), Value::Int(20));
    options.insert("tolerance".into(), Value::Float(0.0));
    let start = Instant::now();
    let rows = registry.call(&txn, "algo.pageRank", &[Value::Map(options)])?;
    println!(
        "skein_pagerank_procedure_s={:.3} rows={}",
        seconds(start),
        rows.len()
    );
    let start = Instant::now();
    let rows = registry.call(&txn, "algo.connectedComponents", &[])?;
    println!(
        "skein_wcc_procedure_s={:.3} rows={}",
        seconds(start),
        rows.len()
    );
    Ok(())
}
