//! DELETE of a node that still has relationships fails when the statement ends, not at
//! the DELETE clause: a later clause of the same statement may remove them.

use skein::{Database, ErrorClass, Params, QueryResult, Value};

fn db() -> Database {
    let db = Database::open_temporary().expect("temporary database");
    run(&db, "CREATE (:A {k: 1})-[:R]->(:B {k: 2}), (:A {k: 3})");
    db
}

fn run(db: &Database, q: &str) -> QueryResult {
    match db.execute(q, &Params::new()) {
        Ok(r) => r,
        Err(e) => panic!("{q}: {e}"),
    }
}

fn count(db: &Database, q: &str) -> i64 {
    match run(db, q).rows.first().and_then(|r| r.first()) {
        Some(Value::Int(i)) => *i,
        other => panic!("{q}: expected an integer, got {other:?}"),
    }
}

#[test]
fn relationships_deleted_by_a_later_clause_allow_the_node_delete() {
    let db = db();
    let r = run(&db, "MATCH (a:A)-[r:R]->() DELETE a WITH r DELETE r");
    assert_eq!(r.stats.nodes_deleted, 1);
    assert_eq!(r.stats.relationships_deleted, 1);
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)"), 2);
    assert_eq!(count(&db, "MATCH ()-[r]->() RETURN count(r)"), 0);
}

#[test]
fn a_later_detach_delete_of_the_same_node_removes_it() {
    let db = db();
    let r = run(&db, "MATCH (a:A {k: 1}) DELETE a WITH a DETACH DELETE a");
    assert_eq!(r.stats.nodes_deleted, 1);
    assert_eq!(r.stats.relationships_deleted, 1);
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)"), 2);
}

#[test]
fn a_node_still_connected_at_the_end_fails_and_nothing_changes() {
    let db = db();
    let e = db
        .execute("MATCH (a:A) DELETE a RETURN count(*) AS n", &Params::new())
        .expect_err("connected node");
    assert_eq!(e.class, ErrorClass::ConstraintVerificationFailed);
    assert_eq!(e.detail, "DeleteConnectedNode");
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)"), 3);
    assert_eq!(count(&db, "MATCH ()-[r]->() RETURN count(r)"), 1);
}

#[test]
fn a_deleted_connected_node_is_invisible_to_later_clauses() {
    let db = db();
    let e = db
        .execute(
            "MATCH (a:A {k: 1}) DELETE a WITH 1 AS x MATCH (n:A) RETURN count(n) AS c",
            &Params::new(),
        )
        .expect_err("still connected at the end");
    assert_eq!(e.detail, "DeleteConnectedNode");
    let r = run(
        &db,
        "MATCH (a:A {k: 1})-[r]->() DELETE a WITH r, 1 AS x MATCH (n:A) DELETE r RETURN count(n) AS c",
    );
    assert!(matches!(
        r.rows.first().and_then(|row| row.first()),
        Some(Value::Int(1))
    ));
}
