//! The `algo.*` procedures agree with networkx: each fixture under tests/fixtures/algo
//! holds a graph and the values networkx computed on it (scripts/algo_fixtures.py).

use serde_json::Value as Json;
use skein::{Database, Params, Value};
use std::collections::{BTreeMap, BTreeSet};

const FIXTURES: &[&str] = &["diamond", "two_triangles", "random60", "random_dag30"];
const TOLERANCE: f64 = 1e-9;

struct Fixture {
    name: String,
    db: Database,
    expected: Json,
}

fn load(name: &str) -> Fixture {
    let path = format!(
        "{}/tests/fixtures/algo/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture readable");
    let doc: Json = serde_json::from_str(&text).expect("fixture is JSON");
    let db = Database::open_temporary().expect("database");
    let keys: Vec<Value> = doc["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|k| Value::from(k.as_str().expect("key")))
        .collect();
    let edges: Vec<Value> = doc["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| {
            Value::List(vec![
                Value::from(e[0].as_str().expect("from")),
                Value::from(e[1].as_str().expect("to")),
                Value::Float(e[2].as_f64().expect("weight")),
            ])
        })
        .collect();
    let mut params = Params::new();
    params.insert("keys".into(), Value::List(keys));
    params.insert("edges".into(), Value::List(edges));
    db.execute("UNWIND $keys AS k CREATE (:N {key: k})", &params)
        .expect("nodes created");
    db.execute(
        "UNWIND $edges AS e MATCH (a:N {key: e[0]}), (b:N {key: e[1]}) \
         CREATE (a)-[:E {weight: e[2]}]->(b)",
        &params,
    )
    .expect("edges created");
    Fixture {
        name: name.to_string(),
        db,
        expected: doc["expected"].clone(),
    }
}

impl Fixture {
    fn rows(&self, query: &str) -> Vec<Vec<Value>> {
        self.db
            .execute(query, &Params::new())
            .unwrap_or_else(|e| panic!("{}: {query}: {e}", self.name))
            .rows
    }

    /// `key → value` from a query returning (key, number).
    fn numbers(&self, query: &str) -> BTreeMap<String, f64> {
        self.rows(query)
            .into_iter()
            .map(|r| {
                let key = match &r[0] {
                    Value::String(s) => s.clone(),
                    other => panic!("key expected, got {other}"),
                };
                let v = match &r[1] {
                    Value::Int(i) => *i as f64,
                    Value::Float(f) => *f,
                    other => panic!("number expected, got {other}"),
                };
                (key, v)
            })
            .collect()
    }

    fn expected_numbers(&self, field: &str) -> BTreeMap<String, f64> {
        self.expected[field]
            .as_object()
            .unwrap_or_else(|| panic!("{}: no field {field}", self.name))
            .iter()
            .map(|(k, v)| (k.clone(), v.as_f64().expect("number")))
            .collect()
    }

    fn check_numbers(&self, field: &str, query: &str) {
        let got = self.numbers(query);
        let want = self.expected_numbers(field);
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "{}: {field}: nodes differ",
            self.name
        );
        for (k, w) in &want {
            let g = got[k];
            assert!(
                (g - w).abs() <= TOLERANCE * w.abs().max(1.0),
                "{}: {field} of {k}: skein {g}, networkx {w}",
                self.name
            );
        }
    }

    /// The partition a (key, group) query gives, as a set of sorted key sets.
    fn partition(&self, query: &str) -> BTreeSet<Vec<String>> {
        let mut groups: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for r in self.rows(query) {
            let (Value::String(k), Value::Int(g)) = (&r[0], &r[1]) else {
                panic!("(key, id) expected");
            };
            groups.entry(*g).or_default().push(k.clone());
        }
        groups
            .into_values()
            .map(|mut v| {
                v.sort();
                v
            })
            .collect()
    }

    fn expected_partition(&self, field: &str) -> BTreeSet<Vec<String>> {
        serde_json::from_value::<Vec<Vec<String>>>(self.expected[field].clone())
            .expect("partition")
            .into_iter()
            .collect()
    }

    fn source(&self) -> String {
        self.expected["source"]
            .as_str()
            .expect("source")
            .to_string()
    }

    fn target(&self) -> String {
        self.expected["target"]
            .as_str()
            .expect("target")
            .to_string()
    }
}

fn each_fixture(check: impl Fn(&Fixture)) {
    for name in FIXTURES {
        check(&load(name));
    }
}

#[test]
fn page_rank_matches_networkx() {
    each_fixture(|f| {
        f.check_numbers(
            "pagerank",
            "CALL algo.pageRank({weight: 'weight', tolerance: 1e-13, iterations: 1000}) \
             YIELD node, score RETURN node.key, score",
        );
        f.check_numbers(
            "pagerank_unweighted",
            "CALL algo.pageRank({tolerance: 1e-13, iterations: 1000}) \
             YIELD node, score RETURN node.key, score",
        );
    });
}

#[test]
fn degree_matches_networkx() {
    each_fixture(|f| {
        f.check_numbers(
            "degree",
            "CALL algo.degree() YIELD node, degree RETURN node.key, degree",
        );
        f.check_numbers(
            "in_degree",
            "CALL algo.degree({direction: 'INCOMING'}) YIELD node, degree RETURN node.key, degree",
        );
        f.check_numbers(
            "out_degree",
            "CALL algo.degree({direction: 'OUTGOING'}) YIELD node, degree RETURN node.key, degree",
        );
    });
}

#[test]
fn betweenness_matches_networkx() {
    each_fixture(|f| {
        f.check_numbers(
            "betweenness",
            "CALL algo.betweenness() YIELD node, score RETURN node.key, score",
        );
        f.check_numbers(
            "betweenness_undirected",
            "CALL algo.betweenness({direction: 'BOTH'}) YIELD node, score RETURN node.key, score",
        );
    });
}

#[test]
fn sampled_betweenness_with_every_node_as_a_sample_is_exact() {
    let f = load("random60");
    f.check_numbers(
        "betweenness",
        "CALL algo.betweenness({samples: 60}) YIELD node, score RETURN node.key, score",
    );
    let sampled = f.numbers(
        "CALL algo.betweenness({samples: 20, seed: 1}) YIELD node, score RETURN node.key, score",
    );
    assert_eq!(sampled.len(), 60);
    assert!(sampled.values().all(|s| s.is_finite() && *s >= 0.0));
}

#[test]
fn components_match_networkx() {
    each_fixture(|f| {
        assert_eq!(
            f.partition("CALL algo.connectedComponents() YIELD node, componentId RETURN node.key, componentId"),
            f.expected_partition("wcc"),
            "{}: weakly connected components",
            f.name
        );
        assert_eq!(
            f.partition("CALL algo.stronglyConnectedComponents() YIELD node, componentId RETURN node.key, componentId"),
            f.expected_partition("scc"),
            "{}: strongly connected components",
            f.name
        );
    });
}

#[test]
fn component_id_is_the_smallest_node_id_of_the_component() {
    let f = load("random60");
    for procedure in ["connectedComponents", "stronglyConnectedComponents"] {
        let rows = f.rows(&format!(
            "CALL algo.{procedure}() YIELD node, componentId \
             WITH componentId, min(id(node)) AS smallest \
             RETURN componentId = smallest"
        ));
        assert!(!rows.is_empty());
        assert!(
            rows.iter().all(|r| matches!(r[0], Value::Bool(true))),
            "{procedure}"
        );
    }
}

#[test]
fn triangles_and_clustering_match_networkx() {
    each_fixture(|f| {
        f.check_numbers(
            "triangles",
            "CALL algo.triangleCount() YIELD node, triangles RETURN node.key, triangles",
        );
        f.check_numbers(
            "clustering",
            "CALL algo.triangleCount() YIELD node, coefficient RETURN node.key, coefficient",
        );
    });
}

#[test]
fn dijkstra_costs_match_networkx() {
    each_fixture(|f| {
        let source = f.source();
        let query = format!(
            "MATCH (s:N {{key: '{source}'}}), (t:N) \
             CALL algo.shortestPath(s, t, {{weight: 'weight'}}) YIELD cost \
             RETURN t.key, cost"
        );
        f.check_numbers("dijkstra_cost", &query);
    });
}

#[test]
fn shortest_path_is_a_real_path_of_the_cost() {
    each_fixture(|f| {
        let (source, target) = (f.source(), f.target());
        let rows = f.rows(&format!(
            "MATCH (s:N {{key: '{source}'}}), (t:N {{key: '{target}'}}) \
             CALL algo.shortestPath(s, t, {{weight: 'weight'}}) YIELD path, cost \
             RETURN [n IN nodes(path) | n.key], reduce(c = 0.0, r IN relationships(path) | c + r.weight), cost"
        ));
        match f.expected.get("shortest_cost") {
            None => assert!(rows.is_empty(), "{}: no path expected", f.name),
            Some(want) => {
                assert_eq!(rows.len(), 1, "{}", f.name);
                let Value::List(keys) = &rows[0][0] else {
                    panic!("list of keys")
                };
                assert_eq!(
                    keys.first().map(ToString::to_string),
                    Some(format!("'{source}'"))
                );
                assert_eq!(
                    keys.last().map(ToString::to_string),
                    Some(format!("'{target}'"))
                );
                let (Value::Float(sum), Value::Float(cost)) = (&rows[0][1], &rows[0][2]) else {
                    panic!("costs")
                };
                let want = want.as_f64().expect("number");
                assert!((sum - want).abs() < 1e-9 && (cost - want).abs() < 1e-9);
            }
        }
    });
}

#[test]
fn all_shortest_paths_match_networkx() {
    each_fixture(|f| {
        let Some(want) = f.expected.get("all_shortest") else {
            return;
        };
        let want: BTreeSet<Vec<String>> = serde_json::from_value(want.clone()).expect("paths");
        let (source, target) = (f.source(), f.target());
        let got: BTreeSet<Vec<String>> = f
            .rows(&format!(
                "MATCH (s:N {{key: '{source}'}}), (t:N {{key: '{target}'}}) \
                 CALL algo.allShortestPaths(s, t, {{weight: 'weight'}}) YIELD path \
                 RETURN [n IN nodes(path) | n.key]"
            ))
            .into_iter()
            .map(|r| match &r[0] {
                Value::List(items) => items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => panic!("key expected, got {other}"),
                    })
                    .collect(),
                other => panic!("list expected, got {other}"),
            })
            .collect();
        assert_eq!(got, want, "{}", f.name);
    });
}

#[test]
fn bfs_depths_match_networkx() {
    each_fixture(|f| {
        let source = f.source();
        f.check_numbers(
            "hops",
            &format!(
                "MATCH (s:N {{key: '{source}'}}) CALL algo.bfs(s) YIELD node, depth \
                 RETURN node.key, depth"
            ),
        );
        f.check_numbers(
            "hops_2",
            &format!(
                "MATCH (s:N {{key: '{source}'}}) CALL algo.bfs(s, {{maxDepth: 2}}) \
                 YIELD node, depth RETURN node.key, depth"
            ),
        );
    });
}

#[test]
fn topological_sort_matches_networkx_or_reports_the_cycle() {
    each_fixture(|f| {
        let query = "CALL algo.topologicalSort() YIELD node, position \
                     RETURN node.key ORDER BY position";
        if f.expected["is_dag"].as_bool() == Some(true) {
            let want: Vec<String> =
                serde_json::from_value(f.expected["topological"].clone()).expect("order");
            let got: Vec<String> = f
                .rows(query)
                .into_iter()
                .map(|r| match &r[0] {
                    Value::String(s) => s.clone(),
                    other => panic!("key expected, got {other}"),
                })
                .collect();
            assert_eq!(got, want, "{}", f.name);
        } else {
            let err =
                f.db.execute(query, &Params::new())
                    .expect_err("a cycle is an error");
            assert_eq!(err.class.name(), "ArgumentError", "{}: {err}", f.name);
            assert!(err.to_string().contains("cycle"), "{err}");
        }
    });
}

#[test]
fn label_propagation_finds_the_two_triangles() {
    let f = load("two_triangles");
    let groups = f.partition(
        "CALL algo.labelPropagation() YIELD node, communityId RETURN node.key, communityId",
    );
    let want: BTreeSet<Vec<String>> = [vec!["a", "b", "c"], vec!["d", "e", "f"], vec!["g"]]
        .into_iter()
        .map(|g| g.into_iter().map(String::from).collect())
        .collect();
    assert_eq!(groups, want);
}
