//! Subqueries in expressions (pattern predicates, `EXISTS { … }`, pattern
//! comprehensions, `shortestPath(…)`): binding finds what each one takes from its scope,
//! the planner plans it before the statement runs, on a row of exactly those variables,
//! and places it only once they are bound; EXPLAIN and PROFILE show its plan.

use skein::{Database, Params, Value};

const GRAPH: &str = "CREATE (a1:A {n: 1}), (a2:A {n: 2}), (b1:B {n: 1}), (b2:B {n: 2}), \
                     (a1)-[:R]->(b1), (a2)-[:S]->(a1)";

fn db() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(&db, GRAPH);
    db
}

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    match db.execute(query, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The rows in literal text, one string per row.
fn text(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

fn ints(rows: &[Vec<Value>]) -> Vec<Vec<i64>> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(|v| match v {
                    Value::Int(i) => *i,
                    other => panic!("expected an integer, got {other:?}"),
                })
                .collect()
        })
        .collect()
}

#[test]
fn exists_waits_for_a_variable_bound_by_a_later_pattern_part() {
    let db = db();
    // The subquery mentions `b`, bound by the second part: it must not run before it.
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(b) } RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 1]]);
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(c) WHERE c = b } \
         RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 1]]);
    let rows = run(
        &db,
        "MATCH (a:A), (b:B) WHERE NOT EXISTS { (a)-->(b) } RETURN a.n, b.n ORDER BY a.n, b.n",
    );
    assert_eq!(ints(&rows), vec![vec![1, 2], vec![2, 1], vec![2, 2]]);
}

#[test]
fn exists_function_on_a_pattern_asks_whether_it_matches() {
    let db = db();
    let rows = run(
        &db,
        "MATCH (a:A) RETURN a.n, exists((a)-[:R]->()) AS r, exists(a.n) AS n ORDER BY a.n",
    );
    assert_eq!(text(&rows), ["1 | true | true", "2 | false | true"]);
}

#[test]
fn comprehension_and_shortest_path_see_outer_and_local_variables() {
    let db = db();
    let rows = run(
        &db,
        "MATCH (a:A) WITH a, 10 AS k \
         RETURN a.n, [(a)-->(x) | x.n + k] AS near, \
                [i IN [1, 2] | size([(a)<--(y) WHERE y.n = i | y])] AS back \
         ORDER BY a.n",
    );
    // a1 reaches b1 (n 1); a2 reaches a1 (n 1); a1 is reached from a2 (n 2).
    assert_eq!(text(&rows), ["1 | [11] | [0, 1]", "2 | [11] | [0, 0]"]);
    let rows = run(
        &db,
        "MATCH (a:A {n: 2}), (b:B {n: 1}) RETURN length(shortestPath((a)-[*]->(b))) AS l",
    );
    assert_eq!(ints(&rows), vec![vec![2]]);
}

#[test]
fn explain_and_profile_show_each_subquery_plan() {
    let db = db();
    let query = "MATCH (a:A), (b:B) WHERE EXISTS { MATCH (a)-->(c) WHERE c = b } RETURN a.n";
    let explain = db
        .execute(&format!("EXPLAIN {query}"), &Params::new())
        .expect("explain")
        .plan
        .unwrap_or_default();
    let header = explain
        .lines()
        .find(|l| l.starts_with("Subquery "))
        .unwrap_or_else(|| panic!("no subquery in\n{explain}"));
    // The position is in the statement as written, `EXPLAIN ` included.
    assert_eq!(
        header,
        "Subquery EXISTS { MATCH (a)-->(c) WHERE c = b } at 1:34 on a, b"
    );
    assert!(explain.contains("  Expand (a)-"), "{explain}");
    let profile = db
        .execute(&format!("PROFILE {query}"), &Params::new())
        .expect("profile")
        .plan
        .unwrap_or_default();
    let expand = profile
        .lines()
        .find(|l| l.starts_with("  Expand (a)-"))
        .unwrap_or_else(|| panic!("no subquery expand in\n{profile}"));
    // One run of the subquery per (a, b) row: 2 × 2, of which a1 finds its one
    // relationship twice and a2 its one twice.
    assert!(expand.contains("(rows: 4,"), "{profile}");
}
