//! `CALL { … }` subqueries, with Neo4j's semantics: the subquery runs once per row on
//! the variables it imports (an importing `WITH`, `CALL (a, b)` or `CALL (*)`), each row
//! it returns extends the row (none drops it), UNION parts combine, a subquery without
//! RETURN passes each row on once, writes inside see the writes made for earlier rows,
//! and what the subquery binds stays inside it.

use skein::{Database, ErrorClass, Params, Value};

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    match db.execute(query, &Params::new()) {
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

/// Three people, A knowing B and C, B knowing C.
fn people() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(
        &db,
        "CREATE (a:Person {name: 'A', age: 30}), (b:Person {name: 'B', age: 20}), \
         (c:Person {name: 'C', age: 40}), (a)-[:KNOWS]->(b), (a)-[:KNOWS]->(c), (b)-[:KNOWS]->(c)",
    );
    db
}

#[test]
fn aggregates_per_outer_row_including_zero() {
    let db = people();
    for query in [
        "MATCH (p:Person) CALL { WITH p MATCH (p)-[:KNOWS]->(f) RETURN count(f) AS friends } \
         RETURN p.name, friends ORDER BY p.name",
        "MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN count(f) AS friends } \
         RETURN p.name, friends ORDER BY p.name",
        "MATCH (p:Person) CALL (*) { MATCH (p)-[:KNOWS]->(f) RETURN count(f) AS friends } \
         RETURN p.name, friends ORDER BY p.name",
    ] {
        assert_eq!(
            text(&run(&db, query)),
            ["'A' | 2", "'B' | 1", "'C' | 0"],
            "{query}"
        );
    }
}

#[test]
fn each_returned_row_extends_the_row_and_none_drops_it() {
    let db = people();
    let rows = run(
        &db,
        "MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN f.name AS friend } \
         RETURN p.name, friend ORDER BY p.name, friend",
    );
    assert_eq!(text(&rows), ["'A' | 'B'", "'A' | 'C'", "'B' | 'C'"]);
}

#[test]
fn sorting_and_limiting_inside_apply_per_row() {
    let db = people();
    // The oldest friend of each person: ORDER BY ... LIMIT 1 inside runs per row.
    let rows = run(
        &db,
        "MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN f.name AS oldest \
         ORDER BY f.age DESC LIMIT 1 } RETURN p.name, oldest ORDER BY p.name",
    );
    assert_eq!(text(&rows), ["'A' | 'C'", "'B' | 'C'"]);
}

#[test]
fn union_parts_combine_and_union_removes_duplicates() {
    let db = people();
    let rows = run(
        &db,
        "CALL { MATCH (p:Person) RETURN p ORDER BY p.age LIMIT 1 \
         UNION MATCH (p:Person) RETURN p ORDER BY p.age DESC LIMIT 1 } \
         RETURN p.name AS name ORDER BY name",
    );
    assert_eq!(text(&rows), ["'B'", "'C'"]);
    let distinct = run(
        &db,
        "UNWIND [1, 2] AS x CALL { RETURN 1 AS one UNION RETURN 1 AS one } RETURN count(*) AS c",
    );
    assert_eq!(text(&distinct), ["2"]);
    let all = run(
        &db,
        "UNWIND [1, 2] AS x CALL { RETURN 1 AS one UNION ALL RETURN 1 AS one } RETURN count(*) AS c",
    );
    assert_eq!(text(&all), ["4"]);
}

#[test]
fn a_unit_subquery_writes_and_passes_each_row_on_once() {
    let db = people();
    let result = db
        .execute(
            "UNWIND [1, 2, 3] AS x CALL { WITH x CREATE (:Tick {x: x}) CREATE (:Tick {x: -x}) } \
             RETURN count(*) AS rows",
            &Params::new(),
        )
        .expect("unit subquery");
    assert_eq!(text(&result.rows), ["3"]);
    assert_eq!(result.stats.nodes_created, 6);
    assert_eq!(
        text(&run(&db, "MATCH (t:Tick) RETURN sum(t.x), count(t)")),
        ["0 | 6"]
    );
    // A query may end with a unit subquery.
    let result = db
        .execute(
            "MATCH (p:Person) CALL { WITH p SET p.seen = true }",
            &Params::new(),
        )
        .expect("ending in a unit subquery");
    assert!(result.columns.is_empty());
    assert_eq!(result.stats.properties_set, 3);
}

#[test]
fn writes_inside_see_the_writes_for_earlier_rows() {
    let db = people();
    // MERGE per row: the second 'Z' finds the node the first one created.
    let rows = run(
        &db,
        "UNWIND ['Z', 'A', 'Z'] AS name CALL { WITH name MERGE (p:Person {name: name}) \
         ON CREATE SET p.new = true RETURN p.new AS new } RETURN name, new",
    );
    assert_eq!(text(&rows), ["'Z' | true", "'A' | null", "'Z' | true"]);
    assert_eq!(
        text(&run(&db, "MATCH (p:Person {name: 'Z'}) RETURN count(p)")),
        ["1"]
    );
}

#[test]
fn subqueries_nest_and_sit_inside_expression_subqueries() {
    let db = people();
    let rows = run(
        &db,
        "UNWIND [1, 2] AS x CALL { WITH x CALL { WITH x RETURN x + 1 AS y } RETURN y * 10 AS z } \
         RETURN x, z",
    );
    assert_eq!(text(&rows), ["1 | 20", "2 | 30"]);
    let rows = run(
        &db,
        "RETURN COUNT { CALL { RETURN 1 AS a UNION ALL RETURN 2 AS a } RETURN a } AS c",
    );
    assert_eq!(text(&rows), ["2"]);
}

#[test]
fn variables_bound_inside_stay_inside() {
    let db = people();
    let error = db
        .execute(
            "MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN count(f) AS n } RETURN f",
            &Params::new(),
        )
        .expect_err("f is bound only inside");
    assert_eq!(error.class, ErrorClass::SyntaxError, "{error}");
    assert!(error.message.contains("`f` is not defined"), "{error}");
}

#[test]
fn explain_shows_the_subquery_and_its_parts() {
    let db = people();
    let result = db
        .execute(
            "EXPLAIN MATCH (p:Person) CALL (p) { MATCH (p)-[:KNOWS]->(f) RETURN f.name AS n \
             UNION RETURN 'x' AS n } RETURN p.name, n",
            &Params::new(),
        )
        .expect("explain");
    let plan = result.plan.expect("a plan");
    assert!(
        plan.contains("CallSubquery on (p) returning n (2 parts, UNION)"),
        "{plan}"
    );
    assert!(
        plan.contains("  Part 1\n    Projection f.name AS n"),
        "{plan}"
    );
    assert!(plan.contains("  Part 2\n    Projection 'x' AS n"), "{plan}");
}

#[test]
fn a_failing_subquery_leaves_nothing_behind() {
    let db = people();
    let error = db
        .execute(
            "UNWIND [1, 0] AS x CALL { WITH x CREATE (:Tick {v: 10 / x}) }",
            &Params::new(),
        )
        .expect_err("division by zero");
    assert_eq!(error.class, ErrorClass::ArithmeticError, "{error}");
    assert_eq!(text(&run(&db, "MATCH (t:Tick) RETURN count(t)")), ["0"]);
}

#[test]
fn mistakes_are_named_with_their_place() {
    let db = people();
    for (query, words) in [
        (
            "MATCH (p:Person) CALL { RETURN p.name AS n } RETURN n",
            "`p` is not defined",
        ),
        (
            "MATCH (p:Person) CALL { WITH p AS q RETURN q.name AS n } RETURN n",
            "importing WITH may only name outer variables",
        ),
        (
            "MATCH (p:Person) CALL { WITH p RETURN p.name } RETURN 1",
            "needs a name: write `p.name AS name`",
        ),
        (
            "MATCH (p:Person) CALL { WITH p RETURN p } RETURN 1",
            "`p` is already bound outside the CALL subquery",
        ),
        (
            "MATCH (p:Person) CALL { WITH p RETURN p.name AS n }",
            "cannot end with a CALL { … } that returns rows",
        ),
        (
            "MATCH (p:Person) CALL (q) { RETURN 1 AS one } RETURN one",
            "`q` is not defined",
        ),
        (
            "CALL { RETURN 1 AS a UNION RETURN 2 AS b } RETURN 1",
            "same column names",
        ),
        (
            "RETURN EXISTS { CALL { CREATE (n) } RETURN 1 } AS e",
            "only reads",
        ),
    ] {
        let error = db
            .execute(query, &Params::new())
            .err()
            .unwrap_or_else(|| panic!("{query} should fail"));
        assert_eq!(error.class, ErrorClass::SyntaxError, "{query}: {error}");
        assert!(error.message.contains(words), "{query}: {error}");
        assert!(error.position.is_some(), "{query}: {error}");
    }
}
