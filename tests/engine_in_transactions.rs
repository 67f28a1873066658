//! `CALL { … } IN TRANSACTIONS`, with Neo4j 5's semantics: the input rows are cut into
//! batches (`OF n ROWS`, 1000 by default), each batch's subquery commits in a
//! transaction of its own (one `db.history()` entry per batch that wrote), a failed
//! batch leaves the earlier ones committed, `ON ERROR CONTINUE | BREAK | FAIL` and
//! `REPORT STATUS AS s` say what happens next, and the statement is refused where its
//! commits would break a promise: inside an explicit transaction, nested in a subquery,
//! under `AS OF` or `VALID AT`, after a write.

mod common;

use common::rows_text;
use skein::{Database, ErrorClass, Params, Value};

fn temporary() -> Database {
    Database::open_temporary().unwrap_or_else(|e| panic!("temporary database: {e}"))
}

fn fails(db: &Database, query: &str, params: &Params) -> skein::Error {
    match db.execute(query, params) {
        Ok(r) => panic!("{query}: expected an error, got {:?}", r.rows),
        Err(e) => e,
    }
}

/// The transactions `db.history()` lists after `after`, with the nodes each created.
fn commits_after(db: &Database, after: u64) -> Vec<String> {
    rows_text(
        db,
        &format!(
            "CALL db.history() YIELD tx, nodes_created WHERE tx > {after} \
             RETURN tx, nodes_created ORDER BY tx"
        ),
    )
}

/// What `commits_after(before)` lists when the next commits created `nodes` each.
fn numbered(before: u64, nodes: &[u64]) -> Vec<String> {
    (1..)
        .zip(nodes)
        .map(|(i, n)| format!("{} | {n}", before + i))
        .collect()
}

fn last(db: &Database) -> u64 {
    db.last_transaction()
        .unwrap_or_else(|e| panic!("last_transaction: {e}"))
}

#[test]
fn batches_of_n_rows_commit_one_by_one() {
    let db = temporary();
    let before = last(&db);
    let result = db
        .execute(
            "UNWIND range(1, 10) AS i CALL { WITH i CREATE (:N {i: i}) } IN TRANSACTIONS OF 3 ROWS",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    // The summary totals every batch.
    assert_eq!(result.stats.nodes_created, 10);
    assert_eq!(result.stats.properties_set, 10);
    assert_eq!(commits_after(&db, before), numbered(before, &[3, 3, 3, 1]));
    assert_eq!(rows_text(&db, "MATCH (n:N) RETURN count(n)"), vec!["10"]);
    // Each batch is a state of its own in the history.
    assert_eq!(
        rows_text(
            &db,
            &format!(
                "AS OF TRANSACTION {} MATCH (n:N) RETURN max(n.i)",
                before + 2
            )
        ),
        vec!["6"]
    );
}

#[test]
fn default_batch_is_a_thousand_rows() {
    let db = temporary();
    let before = last(&db);
    db.execute(
        "UNWIND range(1, 2500) AS i CALL { WITH i CREATE (:N {i: i}) } IN TRANSACTIONS",
        &Params::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        commits_after(&db, before),
        numbered(before, &[1000, 1000, 500])
    );
}

#[test]
fn batch_size_may_be_a_parameter() {
    let db = temporary();
    let before = last(&db);
    let mut params = Params::new();
    params.insert("size".to_string(), Value::Int(4));
    db.execute(
        "UNWIND range(1, 8) AS i CALL { WITH i CREATE (:N {i: i}) } IN TRANSACTIONS OF $size ROWS",
        &params,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(commits_after(&db, before).len(), 2);
}

#[test]
fn bad_batch_sizes_are_refused_before_anything_commits() {
    let db = temporary();
    let before = last(&db);
    for (size, detail) in [
        ("0", "InvalidArgumentValue"),
        ("-2", "InvalidArgumentValue"),
        ("1.5", "InvalidArgumentValue"),
        ("'ten'", "InvalidArgumentValue"),
        ("$size", "InvalidArgumentValue"),
        ("i", "UndefinedVariable"),
    ] {
        let query = format!(
            "UNWIND range(1, 5) AS i CALL {{ WITH i CREATE (:N) }} IN TRANSACTIONS OF {size} ROWS"
        );
        let mut params = Params::new();
        params.insert("size".to_string(), Value::Int(0));
        let e = fails(&db, &query, &params);
        assert_eq!(e.detail, detail, "{query}: {e}");
        let at = query.find(&format!("OF {size}")).map(|p| p + 3);
        assert_eq!(e.position.map(|p| p.offset), at, "{query}: {e}");
    }
    assert_eq!(last(&db), before);
    assert_eq!(rows_text(&db, "MATCH (n) RETURN count(n)"), vec!["0"]);
}

#[test]
fn a_failing_batch_fails_the_statement_and_keeps_the_earlier_batches() {
    let db = temporary();
    db.execute(
        "CREATE CONSTRAINT FOR (n:N) REQUIRE n.i IS UNIQUE",
        &Params::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    db.execute("CREATE (:N {i: 5})", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let before = last(&db);
    for on_error in ["", " ON ERROR FAIL"] {
        let query = format!(
            "UNWIND range(1, 9) AS i CALL {{ WITH i CREATE (:N {{i: i}}) }} IN TRANSACTIONS OF 2 ROWS{on_error}"
        );
        let e = fails(&db, &query, &Params::new());
        assert_eq!(e.class, ErrorClass::ConstraintValidationFailed, "{e}");
    }
    // Rows 1-2 and 3-4 committed the first time; the batch holding 5 failed; 6-9 never
    // ran. The second run failed at its first batch.
    assert_eq!(
        rows_text(&db, "MATCH (n:N) RETURN n.i ORDER BY n.i"),
        vec!["1", "2", "3", "4", "5"]
    );
    assert_eq!(commits_after(&db, before).len(), 2);
}

#[test]
fn on_error_continue_reports_each_batch() {
    let db = temporary();
    let before = last(&db);
    let rows = rows_text(
        &db,
        "UNWIND [1, 2, 0, 4, 5] AS i \
         CALL { WITH i CREATE (:N {v: 10 / i}) RETURN 10 / i AS v } \
         IN TRANSACTIONS OF 2 ROWS ON ERROR CONTINUE REPORT STATUS AS s \
         RETURN i, v, s.started, s.committed, s.transactionId, s.errorMessage IS NULL",
    );
    let (first, third) = (before + 1, before + 2);
    assert_eq!(
        rows,
        vec![
            format!("1 | 10 | true | true | {first} | true"),
            format!("2 | 5 | true | true | {first} | true"),
            "0 | null | true | false | null | false".to_string(),
            "4 | null | true | false | null | false".to_string(),
            format!("5 | 2 | true | true | {third} | true"),
        ]
    );
    assert_eq!(
        rows_text(&db, "MATCH (n:N) RETURN n.v ORDER BY n.v"),
        vec!["2", "5", "10"]
    );
    let message = rows_text(
        &db,
        "UNWIND [0] AS i CALL { WITH i CREATE (:N {v: 10 / i}) } \
         IN TRANSACTIONS ON ERROR CONTINUE REPORT STATUS AS s RETURN s.errorMessage",
    );
    assert!(
        message
            .first()
            .is_some_and(|m| m.contains("ArithmeticError")),
        "{message:?}"
    );
}

#[test]
fn on_error_break_stops_after_the_failed_batch() {
    let db = temporary();
    let rows = rows_text(
        &db,
        "UNWIND [1, 0, 3, 4] AS i \
         CALL { WITH i CREATE (:N {v: 10 / i}) } \
         IN TRANSACTIONS OF 1 ROW ON ERROR BREAK REPORT STATUS AS s \
         RETURN i, s.started, s.committed, s.errorMessage IS NULL",
    );
    assert_eq!(
        rows,
        vec![
            "1 | true | true | true",
            "0 | true | false | false",
            "3 | false | false | true",
            "4 | false | false | true",
        ]
    );
    assert_eq!(rows_text(&db, "MATCH (n:N) RETURN n.v"), vec!["10"]);
    // Without REPORT STATUS the rows pass on as well.
    assert_eq!(
        rows_text(
            &db,
            "UNWIND [1, 0, 3] AS i CALL { WITH i CREATE (:M {v: 10 / i}) } \
             IN TRANSACTIONS OF 1 ROW ON ERROR BREAK RETURN count(*)"
        ),
        vec!["3"]
    );
    assert_eq!(rows_text(&db, "MATCH (m:M) RETURN count(m)"), vec!["1"]);
}

#[test]
fn report_status_needs_continue_or_break() {
    let db = temporary();
    let query =
        "UNWIND [1] AS i CALL { WITH i CREATE (:N) } IN TRANSACTIONS REPORT STATUS AS s RETURN s";
    let e = fails(&db, query, &Params::new());
    assert_eq!(e.class, ErrorClass::SyntaxError, "{e}");
    assert_eq!(e.position.map(|p| p.offset), query.find("REPORT"));
    let e = fails(
        &db,
        "UNWIND [1] AS s CALL { WITH s CREATE (:N) } IN TRANSACTIONS ON ERROR CONTINUE REPORT STATUS AS s RETURN s",
        &Params::new(),
    );
    assert_eq!(e.detail, "VariableAlreadyBound", "{e}");
}

#[test]
fn refused_in_an_explicit_transaction() {
    let db = temporary();
    let mut tx = db.begin().unwrap_or_else(|e| panic!("{e}"));
    tx.execute("CREATE (:Before)", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let query = "UNWIND [1, 2] AS i CALL { WITH i CREATE (:N) } IN TRANSACTIONS";
    let e = match tx.execute(query, &Params::new()) {
        Ok(_) => panic!("IN TRANSACTIONS ran in an explicit transaction"),
        Err(e) => e,
    };
    assert_eq!(e.class, ErrorClass::TransactionError, "{e}");
    assert_eq!(e.detail, "TransactionStartFailed", "{e}");
    assert!(e.message.contains("implicit transaction"), "{e}");
    assert_eq!(e.position.map(|p| p.offset), query.find("IN TRANSACTIONS"));
    // The transaction goes on as it was.
    tx.commit().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows_text(&db, "MATCH (n) RETURN labels(n)"),
        vec!["['Before']"]
    );
}

#[test]
fn refused_nested_in_a_subquery() {
    let db = temporary();
    for query in [
        "UNWIND [1] AS i CALL { WITH i CALL { WITH i CREATE (:N) } IN TRANSACTIONS } RETURN i",
        "MATCH (n) WHERE EXISTS { CALL { MATCH (m) RETURN m } IN TRANSACTIONS RETURN 1 AS x } RETURN n",
    ] {
        let e = fails(&db, query, &Params::new());
        assert_eq!(e.class, ErrorClass::SyntaxError, "{query}: {e}");
        assert!(e.message.contains("nested"), "{query}: {e}");
        assert_eq!(
            e.position.map(|p| p.offset),
            query.find("IN TRANSACTIONS"),
            "{query}"
        );
    }
}

#[test]
fn refused_under_as_of_and_valid_at() {
    let db = temporary();
    db.execute("CREATE (:N {i: 1})", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    for query in [
        "AS OF TRANSACTION 1 MATCH (n) CALL { WITH n CREATE (:M) } IN TRANSACTIONS",
        "AS OF TRANSACTION 1 MATCH (n) CALL { WITH n RETURN n.i AS i } IN TRANSACTIONS RETURN i",
        "VALID AT datetime() MATCH (n) CALL { WITH n RETURN n.i AS i } IN TRANSACTIONS RETURN i",
    ] {
        let e = fails(&db, query, &Params::new());
        assert_eq!(e.detail, "InvalidTimeTravelWrite", "{query}: {e}");
        assert_eq!(
            e.position.map(|p| p.offset),
            query.find("IN TRANSACTIONS"),
            "{query}"
        );
    }
    let snapshot = db.snapshot().unwrap_or_else(|e| panic!("{e}"));
    let e = match snapshot.execute(
        "MATCH (n) CALL { WITH n RETURN n.i AS i } IN TRANSACTIONS RETURN i",
        &Params::new(),
    ) {
        Ok(_) => panic!("IN TRANSACTIONS ran on a snapshot"),
        Err(e) => e,
    };
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
}

#[test]
fn refused_after_a_write() {
    let db = temporary();
    let query =
        "CREATE (a:A) WITH a UNWIND [1, 2] AS i CALL { WITH i CREATE (:N) } IN TRANSACTIONS";
    let e = fails(&db, query, &Params::new());
    assert_eq!(e.class, ErrorClass::SyntaxError, "{e}");
    assert_eq!(e.position.map(|p| p.offset), query.find("IN TRANSACTIONS"));
    assert_eq!(rows_text(&db, "MATCH (n) RETURN count(n)"), vec!["0"]);
    // After it, and between two of them, the statement may write: that goes in its own
    // commit at the end.
    let before = last(&db);
    rows_text(
        &db,
        "UNWIND [1, 2] AS i CALL { WITH i CREATE (:N) } IN TRANSACTIONS OF 1 ROW \
         WITH count(*) AS done CREATE (:Done {rows: done})",
    );
    assert_eq!(commits_after(&db, before), numbered(before, &[1, 1, 1]));
}

#[test]
fn outer_rows_are_read_before_the_batches() {
    let db = temporary();
    db.execute("UNWIND range(1, 4) AS i CREATE (:N {i: i})", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    // Each batch creates more :N nodes; the MATCH feeding the CALL saw only the four.
    assert_eq!(
        rows_text(
            &db,
            "MATCH (n:N) CALL { WITH n CREATE (:N {i: n.i + 10}) } IN TRANSACTIONS OF 1 ROW \
             RETURN count(*) AS rows"
        ),
        vec!["4"]
    );
    // Deleting in batches, with relationships (DETACH) and without.
    db.execute(
        "MATCH (a:N {i: 1}), (b:N {i: 2}) CREATE (a)-[:R]->(b)",
        &Params::new(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let result = db
        .execute(
            "MATCH (n:N) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 3 ROWS",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(result.stats.nodes_deleted, 8);
    assert_eq!(result.stats.relationships_deleted, 1);
    assert_eq!(rows_text(&db, "MATCH (n) RETURN count(n)"), vec!["0"]);
}

#[test]
fn a_reopened_database_has_the_committed_batches() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("db");
    let failed_at = {
        let db = Database::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let e = fails(
            &db,
            "UNWIND [1, 2, 3, 0, 5] AS i CALL { WITH i CREATE (:N {v: 6 / i}) } IN TRANSACTIONS OF 2 ROWS",
            &Params::new(),
        );
        assert_eq!(e.class, ErrorClass::ArithmeticError, "{e}");
        last(&db)
    };
    let db = Database::open(&path).unwrap_or_else(|e| panic!("reopen: {e}"));
    assert_eq!(last(&db), failed_at);
    assert_eq!(
        rows_text(&db, "MATCH (n:N) RETURN n.v ORDER BY n.v"),
        // 6/1 and 6/2 committed; the batch of 3 and 0 failed, 6/3 with it.
        vec!["3", "6"]
    );
    assert_eq!(commits_after(&db, 0).len(), 1);
}

#[test]
fn every_batch_writes_under_the_statements_source() {
    let db = temporary();
    let options = skein::QueryOptions {
        source: Some("feed".to_string()),
        ..skein::QueryOptions::default()
    };
    db.execute_with(
        "UNWIND range(1, 4) AS i CALL { WITH i CREATE (:N {i: i}) } IN TRANSACTIONS OF 2 ROWS",
        &Params::new(),
        &options,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        rows_text(
            &db,
            "CALL db.history() YIELD source, nodes_created RETURN source, nodes_created"
        ),
        vec!["'feed' | 2", "'feed' | 2"]
    );
    // Withdrawing the source takes back what every batch asserted.
    db.unload("feed").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows_text(&db, "MATCH (n) RETURN count(n)"), vec!["0"]);
}
