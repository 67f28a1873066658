//! Hash joins: a pattern part that shares no variable with the rows before it, joined
//! to them by an equality in WHERE, is scanned once and probed by hash when the counts
//! make that cheaper than scanning it again per row. The answers must be those of the
//! nested loop, for every kind of key: the same query with the equality hidden from the
//! planner (`OR false`) is the reference.

use skein::{Database, Params, Value};

fn db() -> Database {
    Database::open_temporary().expect("temporary database")
}

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    match db.execute(query, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{query}: {e}"),
    }
}

fn plan(db: &Database, query: &str) -> String {
    match db.execute(&format!("EXPLAIN {query}"), &Params::new()) {
        Ok(r) => r.plan.unwrap_or_default(),
        Err(e) => panic!("{query}: {e}"),
    }
}

/// The rows as sorted text, so two answers compare as multisets.
fn sorted(rows: Vec<Vec<Value>>) -> Vec<String> {
    let mut text: Vec<String> = rows
        .into_iter()
        .map(|r| {
            r.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect();
    text.sort();
    text
}

/// Keys of every kind, each on a few nodes of both labels.
fn keyed_graph(db: &Database) {
    let keys = [
        "1",
        "1.0",
        "2",
        "-0.0",
        "0.0",
        "0",
        "0.0 / 0.0",
        "'1'",
        "'a'",
        "'a'",
        "true",
        "false",
        "[1]",
        "[1.0]",
        "[2, 3]",
        "date('2014-05-05')",
        "null",
        "9007199254740993",
        "9007199254740992.0",
    ];
    for (i, key) in keys.iter().enumerate() {
        run(
            db,
            &format!("CREATE (:A {{k: {key}, i: {i}}}), (:B {{k: {key}, j: {i}}}), (:B {{k: {key}, j: {}}})", i + 100),
        );
    }
    // More rows on each side, so that the counts favour the hash join.
    run(
        db,
        "UNWIND range(1, 300) AS i CREATE (:A {k: i % 7, i: 1000 + i})",
    );
    run(
        db,
        "UNWIND range(1, 300) AS i CREATE (:B {k: i % 5, j: 1000 + i})",
    );
}

fn same_answer_as_nested_loop(db: &Database, pattern: &str, equality: &str, returns: &str) {
    let hashed = format!("MATCH {pattern} WHERE {equality} RETURN {returns}");
    let nested = format!("MATCH {pattern} WHERE ({equality}) OR false RETURN {returns}");
    assert!(
        plan(db, &hashed).contains("HashJoin"),
        "{}",
        plan(db, &hashed)
    );
    assert!(
        !plan(db, &nested).contains("HashJoin"),
        "{}",
        plan(db, &nested)
    );
    let expected = sorted(run(db, &nested));
    assert!(!expected.is_empty(), "{nested}: the test needs matches");
    assert_eq!(sorted(run(db, &hashed)), expected, "{hashed}");
}

#[test]
fn a_hash_join_answers_as_the_nested_loop_for_every_kind_of_key() {
    let db = db();
    keyed_graph(&db);
    same_answer_as_nested_loop(&db, "(a:A), (b:B)", "a.k = b.k", "a.i, b.j");
    same_answer_as_nested_loop(&db, "(a:A), (b:B)", "b.k = a.k", "a.i, b.j");
    // Keys computed on either side, and predicates that stay on each side.
    same_answer_as_nested_loop(
        &db,
        "(a:A), (b:B)",
        "a.i % 7 = b.j % 5 + 1 AND b.j < 200 AND a.i <> 3",
        "a.i, b.j",
    );
    same_answer_as_nested_loop(
        &db,
        "(a:A), (b:B)",
        "coalesce(a.k, 0) = coalesce(b.k, 0)",
        "a.i, b.j",
    );
}

#[test]
fn a_hash_join_builds_a_part_with_relationships() {
    let db = db();
    run(
        &db,
        "UNWIND range(1, 200) AS i CREATE (:P {k: i % 9})-[:R]->(:Q {v: i % 13})",
    );
    run(&db, "UNWIND range(1, 150) AS i CREATE (:S {k: i % 11})");
    same_answer_as_nested_loop(
        &db,
        "(s:S), (p:P)-[:R]->(q:Q)",
        "s.k = q.v",
        "s.k, p.k, q.v",
    );
    let rows = run(
        &db,
        "MATCH (s:S), (p:P)-[:R]->(q:Q) WHERE s.k = q.v RETURN count(*)",
    );
    let nested = run(
        &db,
        "MATCH (s:S), (p:P)-[:R]->(q:Q) WHERE s.k = q.v OR false RETURN count(*)",
    );
    assert_eq!(sorted(rows), sorted(nested));
}

#[test]
fn a_seek_on_the_join_key_keeps_the_nested_loop() {
    let db = db();
    run(&db, "CREATE INDEX FOR (b:B) ON (b.k)");
    run(
        &db,
        "UNWIND range(1, 300) AS i CREATE (:A {k: i}), (:B {k: i})",
    );
    let plan = plan(&db, "MATCH (a:A), (b:B) WHERE a.k = b.k RETURN count(*)");
    assert!(
        plan.contains("NodeIndexSeek") && !plan.contains("HashJoin"),
        "{plan}"
    );
    let rows = run(&db, "MATCH (a:A), (b:B) WHERE a.k = b.k RETURN count(*)");
    assert_eq!(sorted(rows), vec!["300"]);
}

#[test]
fn one_row_on_the_probe_side_keeps_the_nested_loop() {
    let db = db();
    run(&db, "CREATE INDEX FOR (a:A) ON (a.id)");
    run(
        &db,
        "UNWIND range(1, 300) AS i CREATE (:A {id: i, k: i % 10}), (:B {k: i % 10})",
    );
    let query = "MATCH (a:A {id: 7}), (b:B) WHERE a.k = b.k RETURN count(*)";
    assert!(
        !plan(&db, query).contains("HashJoin"),
        "{}",
        plan(&db, query)
    );
    assert_eq!(sorted(run(&db, query)), vec!["30"]);
}
