//! No statement may panic the engine: random compositions of clauses and expressions,
//! and random mutations of valid statements, run against a small graph must return
//! `Ok` or an `Err` value.

use proptest::prelude::*;
use skein::{Database, Params, Value};

const SEEDS: &[&str] = &[
    "MATCH (a:A)-[r:T]->(b) WHERE a.x > 1 RETURN a, r, b ORDER BY a.x LIMIT 2",
    "MATCH p = (a)-[*0..2]-(b) RETURN length(p), nodes(p)",
    "OPTIONAL MATCH (a:Missing) RETURN a.x, count(*)",
    "UNWIND [1, 2, null] AS x WITH x WHERE x IS NOT NULL RETURN collect(x)",
    "MERGE (n:M {k: 1}) ON CREATE SET n.c = 1 ON MATCH SET n.c = n.c + 1 RETURN n",
    "MATCH (n) DETACH DELETE n RETURN count(*)",
    "MATCH (a), (b) WHERE id(a) = 0 CREATE (a)-[:R {w: 1}]->(b) RETURN count(*)",
    "MATCH (n:A) SET n += {y: [1, 2]}, n:B REMOVE n.x RETURN n",
    "RETURN [x IN range(1, 5) WHERE x % 2 = 0 | x * x] AS l, {a: 1}.a AS m",
    "MATCH (a) RETURN a.x AS x, count(*) AS c ORDER BY c DESC, x SKIP 1",
    "CALL db.labels() YIELD label RETURN label",
    "MATCH p = shortestPath((a:A)-[*]-(b:B)) RETURN p",
    "MATCH (a) WHERE EXISTS { MATCH (a)-->() } RETURN [(a)-->(b) | b.x]",
    "RETURN 1 AS a UNION RETURN 2 AS a",
    "WITH 1 AS x RETURN x, reduce(s = 0, y IN [1, 2] | s + y) AS r",
];

const FRAGMENTS: &[&str] = &[
    "MATCH (a)",
    "MATCH (a)-[r]->(b)",
    "MATCH (a:A {x: 1})",
    "OPTIONAL MATCH (a)-[:T*1..2]-(c)",
    "WHERE a.x = 1",
    "WHERE r IS NULL",
    "WITH a",
    "WITH *",
    "WITH count(*) AS c",
    "UNWIND [1, 2] AS a",
    "CREATE (a:A {x: 2})",
    "CREATE (a)-[:T]->(b)",
    "MERGE (a)",
    "SET a.x = 3",
    "SET a = {}",
    "REMOVE a:A",
    "DELETE a",
    "DETACH DELETE r",
    "RETURN a",
    "RETURN *",
    "RETURN a.x ORDER BY a.x",
    "RETURN count(a) AS n SKIP 1 LIMIT 1",
    "RETURN DISTINCT b",
    "UNION",
    "CALL db.propertyKeys() YIELD propertyKey",
];

fn graph() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    db.execute(
        "CREATE (a:A {x: 1})-[:T {w: 1}]->(b:B {x: 2}), (b)-[:T]->(c:A:B {x: 3}), (c)-[:R]->(a)",
        &Params::new(),
    )
    .expect("graph");
    db
}

fn params() -> Params {
    let mut p = Params::new();
    p.insert("p".into(), Value::Int(1));
    p
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn composed_clauses_never_panic(picks in proptest::collection::vec(0..FRAGMENTS.len(), 1..6)) {
        let db = graph();
        let query: Vec<&str> = picks.iter().filter_map(|&i| FRAGMENTS.get(i).copied()).collect();
        let _ = db.execute(&query.join(" "), &params());
    }

    #[test]
    fn mutated_statements_never_panic(
        seed in 0..SEEDS.len(),
        cuts in proptest::collection::vec((0usize..200, 0usize..4, 0usize..12), 1..4),
    ) {
        const INSERTS: &[&str] = &["(", ")", "[", "]", "*", "-", ">", ",", "$p", "null", ".", "'"];
        let db = graph();
        let mut text: Vec<char> = SEEDS.get(seed).copied().unwrap_or("RETURN 1").chars().collect();
        for (at, remove, insert) in cuts {
            let at = at % (text.len() + 1);
            let end = (at + remove).min(text.len());
            text.drain(at..end);
            let piece = INSERTS.get(insert).copied().unwrap_or("");
            for (k, ch) in piece.chars().enumerate() {
                text.insert(at + k, ch);
            }
        }
        let query: String = text.into_iter().collect();
        let _ = db.execute(&query, &params());
    }
}

#[test]
fn every_seed_statement_runs() {
    for q in SEEDS {
        let db = graph();
        if let Err(e) = db.execute(q, &params()) {
            panic!("{q}: {e}");
        }
    }
}
