//! Export: the Cypher script recreates the same graph in an empty database; GraphML
//! loads in networkx; JSON and DOT carry what they promise; a query's subgraph holds
//! the end nodes of its relationships.

use skein::testing::export::{text_tree, Subgraph};
use skein::{Database, ExportFormat, Params, QueryResult, Result};
use std::collections::BTreeMap;

fn source_graph() -> Database {
    let db = Database::open_temporary().expect("database");
    db.execute(
        "CREATE (a:Person:Author {name: 'Ann O\\'Neil', born: date('1970-05-04'), \
                 tags: ['x', 'y z'], score: 2.5, active: true}), \
                (b:Person {name: 'Bob \"B\" Smith', `odd key`: 1}), \
                (c:`Odd Label` {seen: datetime('2020-01-02T03:04:05Z'), wait: duration('P1DT2H')}), \
                (d), \
                (a)-[:KNOWS {since: 2001, weight: 0.5}]->(b), \
                (b)-[:KNOWS]->(a), \
                (a)-[:`WROTE ABOUT` {note: 'line1\\nline2'}]->(c), \
                (c)-[:SELF]->(c)",
        &Params::new(),
    )
    .expect("graph created");
    db
}

fn subgraph(db: &Database, query: Option<&str>) -> Subgraph {
    let mut run = |q: &str, p: &Params| -> Result<QueryResult> { db.execute(q, p) };
    Subgraph::collect(&mut run, query, &Params::new()).expect("subgraph")
}

fn export(db: &Database, format: ExportFormat, query: Option<&str>) -> String {
    let mut out = Vec::new();
    subgraph(db, query)
        .write(format, &mut out)
        .expect("written");
    String::from_utf8(out).expect("utf-8")
}

/// The graph without ids: each node as its labels and properties, each relationship
/// as (start node, type, properties, end node), all sorted.
fn canonical(db: &Database) -> (Vec<String>, Vec<String>) {
    let g = subgraph(db, None);
    let node_text = |id: &u64| -> String {
        let n = &g.nodes[id];
        let mut labels = n.labels.clone();
        labels.sort();
        format!("{labels:?} {:?}", literal_props(&n.properties))
    };
    let mut nodes: Vec<String> = g.nodes.keys().map(node_text).collect();
    nodes.sort();
    let mut rels: Vec<String> = g
        .relationships
        .values()
        .map(|r| {
            format!(
                "{} -[{} {:?}]-> {}",
                node_text(&r.start),
                r.rel_type,
                literal_props(&r.properties),
                node_text(&r.end)
            )
        })
        .collect();
    rels.sort();
    (nodes, rels)
}

fn literal_props(props: &skein::PropertyMap) -> BTreeMap<String, String> {
    props
        .iter()
        .map(|(k, v)| (k.clone(), format!("{} {v}", v.type_name())))
        .collect()
}

#[test]
fn cypher_export_recreates_the_same_graph_in_an_empty_database() {
    let db = source_graph();
    let script = export(&db, ExportFormat::Cypher, None);
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("graph.cypher");
    std::fs::write(&file, &script).expect("script written");
    let fresh = Database::open_temporary().expect("database");
    fresh.load(&file, &mut |_, _| {}).expect("script loads");
    assert_eq!(canonical(&fresh), canonical(&db), "script:\n{script}");
    let leftovers = fresh
        .execute("MATCH (n:_SkeinImport) RETURN count(n)", &Params::new())
        .expect("query");
    assert_eq!(leftovers.rows[0][0].to_string(), "0");
}

#[test]
fn query_subgraph_includes_the_end_nodes_of_returned_relationships() {
    let db = source_graph();
    let g = subgraph(&db, Some("MATCH ()-[r:KNOWS {since: 2001}]->() RETURN r"));
    assert_eq!(g.relationships.len(), 1);
    assert_eq!(g.nodes.len(), 2);
    let g = subgraph(
        &db,
        Some("MATCH p = (:Person)-[:`WROTE ABOUT`]->() RETURN [p] AS paths, 1 AS one"),
    );
    assert_eq!((g.nodes.len(), g.relationships.len()), (2, 1));
}

#[test]
fn json_export_keeps_labels_types_and_properties() {
    let db = source_graph();
    let doc: serde_json::Value =
        serde_json::from_str(&export(&db, ExportFormat::Json, None)).expect("JSON");
    let nodes = doc["nodes"].as_array().expect("nodes");
    let rels = doc["relationships"].as_array().expect("relationships");
    assert_eq!((nodes.len(), rels.len()), (4, 4));
    let ann = nodes
        .iter()
        .find(|n| n["properties"]["name"] == "Ann O'Neil")
        .expect("Ann");
    assert_eq!(ann["labels"], serde_json::json!(["Author", "Person"]));
    assert_eq!(ann["properties"]["tags"], serde_json::json!(["x", "y z"]));
    assert!(rels.iter().any(|r| r["type"] == "WROTE ABOUT"));
}

#[test]
fn dot_export_captions_nodes_by_name_and_shapes_them_by_label() {
    let db = source_graph();
    let dot = export(&db, ExportFormat::Dot, None);
    assert!(dot.starts_with("digraph skein {"));
    assert!(dot.contains("label=\"Bob \\\"B\\\" Smith\""), "{dot}");
    assert!(dot.contains("label=\"KNOWS\""));
    let person_lines: Vec<&str> = dot
        .lines()
        .filter(|l| l.contains("tooltip=\":Person"))
        .collect();
    assert_eq!(person_lines.len(), 1, "{dot}");
    assert!(dot.contains("shape="));
}

#[test]
fn graphml_loads_in_networkx() {
    let db = source_graph();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("graph.graphml");
    std::fs::write(&file, export(&db, ExportFormat::GraphMl, None)).expect("written");
    let script = "import sys, networkx as nx\n\
                  g = nx.read_graphml(sys.argv[1])\n\
                  ann = [d for _, d in g.nodes(data=True) if d.get('name') == \"Ann O'Neil\"][0]\n\
                  print(g.number_of_nodes(), g.number_of_edges(), ann['labels'], ann['score'], ann['active'])\n\
                  print(sorted(d['type'] for _, _, d in g.edges(data=True)))";
    let output = match std::process::Command::new("python3")
        .arg("-c")
        .arg("import networkx")
        .output()
    {
        Ok(o) if o.status.success() => std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&file)
            .output()
            .expect("python3 runs"),
        _ => {
            eprintln!("skipped: python3 with networkx is not installed (pip install networkx)");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "networkx failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "4 4 :Author:Person 2.5 True\n['KNOWS', 'KNOWS', 'SELF', 'WROTE ABOUT']"
    );
}

#[test]
fn export_format_names_parse() {
    for (name, format) in [
        ("dot", ExportFormat::Dot),
        ("GraphML", ExportFormat::GraphMl),
        ("json", ExportFormat::Json),
        ("cypher", ExportFormat::Cypher),
    ] {
        assert_eq!(name.parse::<ExportFormat>(), Ok(format));
    }
    assert!("xml".parse::<ExportFormat>().is_err());
}

#[test]
fn text_tree_shows_each_relationship_once_from_the_first_node() {
    let db = source_graph();
    let tree = text_tree(&subgraph(&db, None));
    let lines: Vec<&str> = tree.lines().collect();
    assert_eq!(lines[0], "(:Author:Person Ann O'Neil)", "{tree}");
    assert_eq!(
        lines.iter().filter(|l| l.contains("[:KNOWS]")).count(),
        2,
        "{tree}"
    );
    assert!(
        tree.contains("  -[:KNOWS]-> (:Person Bob \"B\" Smith)"),
        "{tree}"
    );
    assert!(tree.contains("(see above)"), "{tree}");
    assert!(tree.contains("-[:SELF]->"), "{tree}");
    assert!(
        tree.contains("-[:`WROTE ABOUT`]-> (:`Odd Label` #2)"),
        "{tree}"
    );
    assert!(lines.contains(&"(#3)"), "{tree}");
}

#[test]
fn show_draws_an_svg_or_prints_the_tree() {
    let db = source_graph();
    let message = db
        .show("MATCH p = (:Person)-[:KNOWS]->() RETURN p;")
        .expect("shown");
    if let Some(path) = message.strip_prefix("drew 2 nodes and 2 relationships to ") {
        let svg = std::fs::read_to_string(path.trim()).expect("svg written");
        assert!(svg.contains("<svg"));
    } else {
        assert!(message.contains("-[:KNOWS]->"), "{message}");
        assert!(message.contains("install graphviz"), "{message}");
    }
    assert!(db.show("  ").is_err());
}
