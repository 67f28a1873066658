//! Export: the Cypher script recreates the same graph in an empty database (a small one
//! in process; a generated one of thousands of nodes through the binary, loaded back
//! with `skein load` and `skein run`); GraphML loads in networkx; JSON and DOT carry
//! what they promise; a query's subgraph holds the end nodes of its relationships.

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

/// Each property as its exact value (`Debug` tells `-0.0` from `0.0`, an integer from a
/// float, and shows every field of a temporal value).
fn literal_props(props: &skein::PropertyMap) -> BTreeMap<String, String> {
    props
        .iter()
        .map(|(k, v)| (k.clone(), format!("{v:?}")))
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

/// A script making a graph with gaps in its node ids (most of 12,000 nodes deleted, so
/// the export reads several pages), nodes with several labels and with none, properties
/// of every storable type (temporal ones, lists, strings that need escapes, the extreme
/// and non-finite floats and integers), and relationships of several types with and
/// without properties, self-loops and parallel edges.
const GENERATED_GRAPH: &str = r#"
UNWIND range(0, 11999) AS i
CREATE ({uid: i});
MATCH (n) WHERE n.uid % 4 <> 0 AND n.uid > 40 DELETE n;

MATCH (n) WITH n, n.uid AS i
FOREACH (_ IN CASE WHEN i % 3 = 0 THEN [1] ELSE [] END | SET n:Person)
FOREACH (_ IN CASE WHEN i % 5 < 2 THEN [1] ELSE [] END | SET n:Author:`Odd Label`)
FOREACH (_ IN CASE WHEN i % 7 = 0 THEN [1] ELSE [] END | SET n:`ünïcode`:`back``tick`)
SET n.name = 'name ' + toString(i) + CASE i % 4
      WHEN 0 THEN ' it\'s "quoted"'
      WHEN 1 THEN ' back\\slash; // not a comment /* nor this */'
      WHEN 2 THEN ' line\nbreak\ttab\rreturn'
      ELSE ' control\u0001\u001f\u007f and ✓ and 😀' END,
    n.int = i * 1000003 - 6000000,
    n.float = toFloat(i) / 7.0,
    n.flag = i % 2 = 0,
    n.date = CASE WHEN i % 8 < 6 THEN date({year: 1900 + i % 200, month: 1 + i % 12, day: 1 + i % 28}) END,
    n.at = CASE WHEN i % 8 < 4 THEN datetime({year: 2000 + i % 30, month: 1 + i % 12, day: 1 + i % 28, hour: i % 24, minute: i % 60, second: i % 60, nanosecond: i * 7919, timezone: CASE i % 3 WHEN 0 THEN 'Z' WHEN 1 THEN '+05:30' ELSE 'Europe/Berlin' END}) END,
    n.local = CASE WHEN i % 8 = 1 THEN localdatetime({year: 1970, month: 1, day: 1 + i % 28, hour: 3, minute: 4, second: 5, millisecond: i % 1000}) END,
    n.clock = CASE WHEN i % 8 = 2 THEN localtime({hour: i % 24, minute: 59, second: 58, microsecond: i}) END,
    n.wall = CASE WHEN i % 8 = 3 THEN time({hour: i % 24, minute: 1, second: 2, nanosecond: i, timezone: '-02:00'}) END,
    n.wait = CASE WHEN i % 8 = 4 THEN duration({months: i % 25, days: i % 40 - 20, seconds: i * 37, nanoseconds: i}) END,
    n.ints = CASE WHEN i % 6 = 0 THEN range(0, i % 5) END,
    n.floats = CASE WHEN i % 6 = 1 THEN [0.5, toFloat(i), -1.25e-10] END,
    n.strings = CASE WHEN i % 6 = 2 THEN ['a', 'b\'c', '', toString(i)] END,
    n.dates = CASE WHEN i % 6 = 3 THEN [date('2020-02-29'), date('1999-12-31')] END,
    n.bools = CASE WHEN i % 6 = 4 THEN [true, false] END,
    n.`odd key` = CASE WHEN i % 9 = 0 THEN 'spaced' END,
    n.`back``tick key` = CASE WHEN i % 9 = 1 THEN 1 END,
    n.`end` = CASE WHEN i % 9 = 2 THEN true END, n.`` = CASE WHEN i % 9 = 3 THEN 'empty key' END;

MATCH (n {uid: 0})
SET n.nan = 0.0 / 0.0, n.inf = 1.0 / 0.0, n.ninf = -1.0 / 0.0, n.negzero = -0.0,
    n.min = -9223372036854775807 - 1, n.max = 9223372036854775807,
    n.tiny = 5e-324, n.huge = 1.7976931348623157e308, n.third = 1.0 / 3.0,
    n.nanlist = [0.0 / 0.0, 1.0 / 0.0, -0.0], n.empty = '', n.nothing = [];

MATCH (n) WHERE n.uid % 20 = 8 REMOVE n.uid;
MATCH (n) WHERE id(n) % 40 = 12 SET n = {};

UNWIND range(0, 2999) AS i
MATCH (a) WHERE id(a) = 4 * i
MATCH (b) WHERE id(b) = 4 * ((i * 7919 + 13) % 3000)
CREATE (a)-[:KNOWS {since: 1990 + i % 30, weight: toFloat(i) / 3.0, on: date({year: 2000, month: 1 + i % 12, day: 1}), tags: ['x', toString(i)], f: 'f', p: 'p'}]->(b)
CREATE (a)-[:`RELATED TO`]->(b)
FOREACH (_ IN CASE WHEN i % 10 = 0 THEN [1] ELSE [] END |
  CREATE (a)-[:KNOWS {since: 0}]->(b), (a)-[:LIKES]->(b), (a)-[:LIKES]->(b))
FOREACH (_ IN CASE WHEN i % 11 = 0 THEN [1] ELSE [] END |
  CREATE (a)-[:SELF {n: i, at: localtime('12:00:00.000000001')}]->(a), (a)-[:SELF]->(a));
"#;

fn run_skein(args: &[&std::ffi::OsStr]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(args)
        .output()
        .expect("skein runs");
    assert!(
        output.status.success(),
        "skein {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn count(db: &Database, query: &str) -> i64 {
    match db
        .execute(query, &Params::new())
        .expect("query")
        .rows
        .first()
    {
        Some(row) => match row.first() {
            Some(skein::Value::Int(n)) => *n,
            other => panic!("{query}: {other:?}"),
        },
        None => panic!("{query}: no row"),
    }
}

#[test]
fn cli_cypher_export_of_a_generated_graph_loads_back_exactly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = |name: &str| dir.path().join(name);
    std::fs::write(path("gen.cypher"), GENERATED_GRAPH).expect("generator written");
    let os = |p: &std::path::Path| p.as_os_str().to_owned();
    let flag = |f: &str| std::ffi::OsString::from(f);
    run_skein(&[
        &flag("--db"),
        &os(&path("source.db")),
        &flag("-q"),
        &flag("load"),
        &os(&path("gen.cypher")),
    ]);
    run_skein(&[
        &flag("--db"),
        &os(&path("source.db")),
        &flag("-q"),
        &flag("export"),
        &flag("--format"),
        &flag("cypher"),
        &os(&path("export.cypher")),
    ]);
    run_skein(&[
        &flag("--db"),
        &os(&path("loaded.db")),
        &flag("-q"),
        &flag("load"),
        &os(&path("export.cypher")),
    ]);
    run_skein(&[
        &flag("--db"),
        &os(&path("run.db")),
        &flag("-q"),
        &flag("run"),
        &os(&path("export.cypher")),
    ]);

    let source = Database::open(path("source.db")).expect("source opens");
    let nodes = count(&source, "MATCH (n) RETURN count(n)");
    let rels = count(&source, "MATCH ()-[r]->() RETURN count(r)");
    assert!((2_500..4_000).contains(&nodes), "{nodes} nodes");
    assert!(rels > 6_000, "{rels} relationships");
    assert!(
        count(&source, "MATCH (n) RETURN max(id(n))") > 10_000,
        "the ids span more than one page"
    );
    let want = canonical(&source);
    let negative_zero = want
        .0
        .iter()
        .any(|n| n.contains("\"negzero\": \"Float(-0.0)\""));
    assert!(negative_zero, "the source keeps -0.0");
    assert!(want.0.iter().any(|n| n.starts_with("[] {}")), "a bare node");

    let script = std::fs::read_to_string(path("export.cypher")).expect("export read");
    let statements = script.lines().filter(|l| l.ends_with(';')).count();
    // Batches are per label set (or type); the property keys this graph varies on
    // purpose are shapes inside a batch, so batches stay full.
    assert!(
        statements * 200 < usize::try_from(nodes + rels).unwrap_or(0),
        "{statements} statements for {nodes} nodes and {rels} relationships: not batched"
    );

    for name in ["loaded.db", "run.db"] {
        let db = Database::open(path(name)).expect("copy opens");
        let got = canonical(&db);
        assert_eq!(got.0.len(), want.0.len(), "{name}: node count");
        assert_eq!(got.1.len(), want.1.len(), "{name}: relationship count");
        for (g, w) in got.0.iter().zip(&want.0) {
            assert_eq!(g, w, "{name}: first differing node");
        }
        for (g, w) in got.1.iter().zip(&want.1) {
            assert_eq!(g, w, "{name}: first differing relationship");
        }
        assert_eq!(
            count(
                &db,
                "MATCH (n) WHERE n._skein_export_id IS NOT NULL RETURN count(n)"
            ),
            0,
            "{name}: the export key is removed"
        );
        assert_eq!(count(&db, "MATCH (n:_SkeinImport) RETURN count(n)"), 0);
        let indexes = db.execute("SHOW INDEXES", &Params::new()).expect("indexes");
        assert!(indexes.rows.is_empty(), "{name}: {:?}", indexes.rows);
    }
}
