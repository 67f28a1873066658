//! `FOREACH (x IN list | updating clauses)`, with Neo4j's semantics: the clauses run per
//! row and per element, see the row's variables and the element, bind nothing outside,
//! and the rows pass on unchanged; a null list runs nothing; a statement failing inside
//! leaves nothing behind.

use skein::{Database, ErrorClass, Params, Value};

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    run_with(db, query, &Params::new())
}

fn run_with(db: &Database, query: &str, params: &Params) -> Vec<Vec<Value>> {
    match db.execute(query, params) {
        Ok(r) => r.rows,
        Err(e) => panic!("{query}: {e}"),
    }
}

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

fn db() -> Database {
    Database::open_temporary().expect("temporary database")
}

#[test]
fn marks_every_node_of_a_path() {
    let db = db();
    run(
        &db,
        "CREATE (:P {name: 'A'})-[:KNOWS]->(:P {name: 'B'})-[:KNOWS]->(:P {name: 'C'})-[:KNOWS]->(:P {name: 'D'})",
    );
    let rows = run(
        &db,
        "MATCH p = (start)-[*]->(finish) WHERE start.name = 'A' AND finish.name = 'D' \
         FOREACH (n IN nodes(p) | SET n.marked = true) RETURN length(p) AS hops",
    );
    // The row passes on unchanged.
    assert_eq!(text(&rows), ["3"]);
    let rows = run(&db, "MATCH (n:P) RETURN n.name, n.marked ORDER BY n.name");
    assert_eq!(
        text(&rows),
        ["'A' | true", "'B' | true", "'C' | true", "'D' | true"]
    );
}

#[test]
fn creates_per_element_with_the_row_in_scope() {
    let db = db();
    run(&db, "CREATE (:Person {name: 'A'})");
    let result = db
        .execute(
            "MATCH (a:Person {name: 'A'}) \
             FOREACH (name IN ['Mike', 'Carl', 'Bruce'] | CREATE (a)-[:FRIEND]->(:Person {name: name}))",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.stats.nodes_created, 3);
    assert_eq!(result.stats.relationships_created, 3);
    assert!(result.columns.is_empty() && result.rows.is_empty());
    let rows = run(
        &db,
        "MATCH (:Person {name: 'A'})-[:FRIEND]->(f) RETURN f.name ORDER BY f.name",
    );
    assert_eq!(text(&rows), ["'Bruce'", "'Carl'", "'Mike'"]);
}

#[test]
fn nested_foreach_and_merge_see_earlier_elements() {
    let db = db();
    let rows = run(
        &db,
        "UNWIND [1, 2] AS r \
         FOREACH (x IN [r, r + 1] | MERGE (n:N {v: x}) ON CREATE SET n.first = r \
           FOREACH (y IN ['a', 'b'] | MERGE (n)-[:HAS]->(:Tag {y: y, v: x}))) \
         RETURN r ORDER BY r",
    );
    assert_eq!(text(&rows), ["1", "2"]);
    // 2 was merged by the first row: the second row's MERGE matched it.
    let rows = run(&db, "MATCH (n:N) RETURN n.v, n.first ORDER BY n.v");
    assert_eq!(text(&rows), ["1 | 1", "2 | 1", "3 | 2"]);
    let rows = run(&db, "MATCH (:N)-[:HAS]->(t:Tag) RETURN count(t)");
    assert_eq!(text(&rows), ["6"]);
}

#[test]
fn a_null_or_empty_list_runs_nothing_and_case_makes_it_conditional() {
    let db = db();
    run(&db, "CREATE (:K {v: 1}), (:K {v: 2})");
    run(
        &db,
        "MATCH (k:K) FOREACH (_ IN CASE WHEN k.v > 1 THEN [1] ELSE [] END | SET k.big = true) \
         FOREACH (x IN null | DELETE k)",
    );
    let rows = run(&db, "MATCH (k:K) RETURN k.v, k.big ORDER BY k.v");
    assert_eq!(text(&rows), ["1 | null", "2 | true"]);
}

#[test]
fn a_failure_inside_leaves_nothing_behind() {
    let db = db();
    let mut params = Params::new();
    params.insert("items".into(), Value::Int(5));
    let error = db
        .execute(
            "CREATE (:Before) WITH 1 AS one FOREACH (x IN $items | CREATE (:Inside))",
            &params,
        )
        .err()
        .unwrap_or_else(|| panic!("a FOREACH over an integer ran"));
    assert_eq!(error.class, ErrorClass::TypeError, "{error}");
    assert!(error.message.contains("FOREACH needs a list"), "{error}");
    let error = db
        .execute(
            "FOREACH (x IN [1, 0] | CREATE (:Inside {v: 1 / x}))",
            &Params::new(),
        )
        .err()
        .unwrap_or_else(|| panic!("division by zero passed"));
    assert_eq!(error.class, ErrorClass::ArithmeticError, "{error}");
    let rows = run_with(&db, "MATCH (n) RETURN count(n)", &params);
    assert_eq!(text(&rows), ["0"]);
}

#[test]
fn variables_inside_stay_inside_and_only_writes_are_allowed() {
    let db = db();
    for (query, class, words) in [
        (
            "FOREACH (x IN [1] | CREATE (n:N)) RETURN n",
            ErrorClass::SyntaxError,
            "variable `n` is not defined",
        ),
        (
            "FOREACH (x IN [1] | CREATE (:N)) RETURN x",
            ErrorClass::SyntaxError,
            "variable `x` is not defined",
        ),
        (
            "FOREACH (x IN [1] | MATCH (n) DELETE n)",
            ErrorClass::SyntaxError,
            "a clause that writes",
        ),
        (
            "FOREACH (x IN 'text' | CREATE ())",
            ErrorClass::SyntaxError,
            "FOREACH needs a list",
        ),
        (
            "WITH 1 AS x FOREACH (x IN [1] | CREATE ())",
            ErrorClass::SyntaxError,
            "variable `x` is already bound",
        ),
    ] {
        let error = db
            .execute(query, &Params::new())
            .err()
            .unwrap_or_else(|| panic!("{query} ran"));
        assert_eq!(error.class, class, "{query}: {error}");
        assert!(error.message.contains(words), "{query}: {error}");
        assert!(error.position.is_some(), "{query}: {error}");
    }
}

#[test]
fn explain_shows_the_clauses_inside() {
    let db = db();
    let plan = db
        .execute(
            "EXPLAIN UNWIND [1, 2] AS r FOREACH (x IN [r, r + 1] | MERGE (n:N {v: x}) SET n.seen = r)",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
        .plan
        .unwrap_or_default();
    let lines: Vec<&str> = plan
        .lines()
        .map(|l| l.split(" (estimated").next().unwrap_or(l))
        .collect();
    assert_eq!(
        lines,
        [
            "Foreach x IN [r, r + 1]",
            "  SetProperties n.seen = r",
            "  Merge (n:N {v: x})",
            "Unwind [1, 2] AS r",
        ]
    );
}
