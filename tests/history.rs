//! History: transaction numbers, `db.history()` and its filters, `db.changes()` through
//! an element's life, `AS OF TRANSACTION` / `AS OF TIMESTAMP` reads, their errors,
//! EXPLAIN / PROFILE headers, `QueryOptions::as_of`, compaction, reopening an on-disk
//! store, and the CLI's `:asof` and `compact --before`.

mod common;
mod engine_calls;

use common::texts;
use engine_calls::{db, error, rows, rows_with, run};
use skein::{Database, ErrorClass, Params, QueryOptions, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn int(db: &Database, query: &str) -> i64 {
    int_with(db, query, &Params::new())
}

fn int_with(db: &Database, query: &str, params: &Params) -> i64 {
    let result = db
        .execute(query, params)
        .unwrap_or_else(|e| panic!("{query}: {e}"));
    match result.rows.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => *n,
        other => panic!("{query}: expected an integer, got {other:?}"),
    }
}

fn param(name: &str, value: Value) -> Params {
    let mut p = Params::new();
    p.insert(name.to_string(), value);
    p
}

fn last(db: &Database) -> u64 {
    db.last_transaction()
        .unwrap_or_else(|e| panic!("last_transaction: {e}"))
}

const HISTORY: &str = "CALL db.history() YIELD tx, source, nodes_created, nodes_deleted, \
     relationships_created, relationships_deleted, properties_set, properties_removed \
     RETURN tx, source, nodes_created, nodes_deleted, relationships_created, \
            relationships_deleted, properties_set, properties_removed";

/// `db.history(filter)` as `tx | source | the six counts` rows.
fn history(db: &Database, filter: &str) -> Vec<String> {
    rows(
        db,
        &HISTORY.replace("db.history()", &format!("db.history({filter})")),
    )
}

/// The transactions `db.history(filter)` lists.
fn history_txs(db: &Database, filter: &str, params: &Params) -> Vec<i64> {
    let query = format!("CALL db.history({filter}) YIELD tx RETURN tx");
    db.execute(&query, params)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .rows
        .iter()
        .map(|r| match r.first() {
            Some(Value::Int(n)) => *n,
            other => panic!("a tx: {other:?}"),
        })
        .collect()
}

/// The commit times `db.history()` lists, by transaction (index 0 is transaction 1).
fn times(db: &Database) -> Vec<Value> {
    run(
        db,
        "CALL db.history() YIELD tx, time RETURN time ORDER BY tx",
    )
    .rows
    .into_iter()
    .map(|mut r| r.remove(0))
    .collect()
}

/// `db.changes(arg)` as `tx | change | key | old | new` rows.
fn changes(db: &Database, arg: &str) -> Vec<String> {
    rows(
        db,
        &format!(
            "CALL db.changes({arg}) YIELD tx, change, key, old, new RETURN tx, change, key, old, new"
        ),
    )
}

fn sleep() {
    // Commit times are in microseconds: a pause keeps consecutive commits apart.
    std::thread::sleep(Duration::from_millis(3));
}

/// Seven commits: the life of node `a` and relationship `r` (see each comment).
fn lifecycle(db: &Database) {
    // 1: a created with two properties.
    run(db, "CREATE (:P {name: 'a', age: 1})");
    // 2: a property set, a label added.
    run(db, "MATCH (n:P {name: 'a'}) SET n.age = 2, n:Q");
    // 3: the label and a property removed.
    run(db, "MATCH (n:P {name: 'a'}) REMOVE n:Q, n.age");
    // 4: b created.
    run(db, "CREATE (:P {name: 'b'})");
    // 5: r created with a property.
    run(
        db,
        "MATCH (a:P {name: 'a'}), (b:P {name: 'b'}) CREATE (a)-[:R {w: 1}]->(b)",
    );
    // 6: r's property set.
    run(db, "MATCH ()-[r:R]->() SET r.w = 2");
    // 7: a deleted with r.
    run(db, "MATCH (n:P {name: 'a'}) DETACH DELETE n");
}

// ---- numbering and db.history()

#[test]
fn history_lists_every_commit_with_what_it_changed() {
    let db = db();
    assert_eq!(last(&db), 0);
    assert!(history(&db, "").is_empty());
    lifecycle(&db);
    assert_eq!(last(&db), 7);
    assert_eq!(
        history(&db, ""),
        [
            // tx | source | nodes c/d | rels c/d | props set/removed
            "1 | null | 1 | 0 | 0 | 0 | 2 | 0",
            "2 | null | 0 | 0 | 0 | 0 | 1 | 0",
            "3 | null | 0 | 0 | 0 | 0 | 0 | 1",
            "4 | null | 1 | 0 | 0 | 0 | 1 | 0",
            "5 | null | 0 | 0 | 1 | 0 | 1 | 0",
            "6 | null | 0 | 0 | 0 | 0 | 1 | 0",
            "7 | null | 0 | 1 | 0 | 1 | 0 | 0",
        ]
    );
    assert_eq!(db.history_range().unwrap_or_default(), (0, 7));
}

#[test]
fn commit_times_are_datetimes_that_never_decrease_and_fall_within_the_run() {
    let db = db();
    let start = run(
        &db,
        "RETURN datetime.truncate('millisecond', datetime.realtime())",
    )
    .rows[0][0]
        .clone();
    for i in 0..5 {
        run(&db, &format!("CREATE (:N {{i: {i}}})"));
    }
    let end = run(&db, "RETURN datetime.realtime()").rows[0][0].clone();
    let mut p = param("start", start);
    p.insert("end".to_string(), end);
    assert_eq!(
        rows_with(
            &db,
            "CALL db.history() YIELD tx, time WITH collect(time) AS ts \
             RETURN size(ts), all(t IN ts WHERE t >= $start AND t <= $end), \
                    all(i IN range(1, size(ts) - 1) WHERE ts[i - 1] <= ts[i]), \
                    all(t IN ts WHERE t = datetime({datetime: t, timezone: 'Z'}))",
            &p
        ),
        ["5 | true | true | true"]
    );
    assert!(
        matches!(times(&db).first(), Some(Value::DateTime(_))),
        "{:?}",
        times(&db)
    );
}

#[test]
fn a_statement_that_writes_nothing_gets_no_transaction_number() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})");
    assert_eq!(last(&db), 1);
    for query in [
        "MATCH (n) RETURN n",
        "RETURN 1",
        "MATCH (n:Missing) SET n.k = 2",
        "MATCH (n:P) WHERE n.k = 99 DELETE n",
        "MERGE (n:P {k: 1})",
        "CALL db.history() YIELD tx RETURN tx",
        "AS OF TRANSACTION 1 MATCH (n) RETURN n",
        "VALID AT date('2020-01-01') MATCH (n) RETURN n",
        "EXPLAIN CREATE (:P {k: 3})",
    ] {
        run(&db, query);
        assert_eq!(last(&db), 1, "{query} got a transaction number");
    }
    // A failing statement writes nothing either.
    let e = error(&db, "CREATE (:P {k: 2}) WITH 1 AS x RETURN 1 / 0");
    assert_eq!(e.class, ErrorClass::ArithmeticError, "{e}");
    assert_eq!(last(&db), 1);
    assert_eq!(history(&db, "").len(), 1);
    // The next commit is 2.
    run(&db, "CREATE (:P {k: 2})");
    assert_eq!(last(&db), 2);
    assert_eq!(history_txs(&db, "", &Params::new()), [1, 2]);
}

#[test]
fn a_rolled_back_transaction_gets_no_number_and_a_committed_one_gets_one() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})");
    {
        let mut txn = db.begin().unwrap_or_else(|e| panic!("{e}"));
        txn.execute("CREATE (:P {k: 2})", &Params::new())
            .unwrap_or_else(|e| panic!("{e}"));
        txn.rollback();
    }
    {
        let mut txn = db.begin().unwrap_or_else(|e| panic!("{e}"));
        txn.execute("CREATE (:P {k: 3})", &Params::new())
            .unwrap_or_else(|e| panic!("{e}"));
        // Dropped without commit.
    }
    assert_eq!(last(&db), 1);
    assert_eq!(history_txs(&db, "", &Params::new()), [1]);
    // Three statements in one explicit transaction are one commit.
    let mut txn = db.begin().unwrap_or_else(|e| panic!("{e}"));
    for q in [
        "CREATE (:P {k: 4})",
        "MATCH (n:P {k: 4}) SET n.x = 1",
        "MATCH (a:P {k: 1}), (b:P {k: 4}) CREATE (a)-[:R]->(b)",
    ] {
        txn.execute(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    txn.commit().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(last(&db), 2);
    assert_eq!(
        history(&db, "{from: 2}"),
        ["2 | null | 1 | 0 | 1 | 0 | 2 | 0"]
    );
    assert_eq!(int(&db, "AS OF TRANSACTION 1 MATCH (n) RETURN count(n)"), 1);
    assert_eq!(int(&db, "AS OF TRANSACTION 2 MATCH (n) RETURN count(n)"), 2);
}

#[test]
fn an_explicit_transaction_reads_as_of_the_committed_past_not_its_own_writes() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})");
    let mut txn = db.begin().unwrap_or_else(|e| panic!("{e}"));
    txn.execute("CREATE (:P {k: 2})", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    let past = txn
        .execute(
            "AS OF TRANSACTION 1 MATCH (n:P) RETURN count(n)",
            &Params::new(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&past), ["1"]);
    let now = txn
        .execute("MATCH (n:P) RETURN count(n)", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&now), ["2"]);
    let beyond = txn
        .execute("AS OF TRANSACTION 2 MATCH (n) RETURN n", &Params::new())
        .err();
    assert!(beyond.is_some(), "transaction 2 is not committed yet");
    txn.commit().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(last(&db), 2);
    assert_eq!(
        int(&db, "AS OF TRANSACTION 2 MATCH (n:P) RETURN count(n)"),
        2
    );
}

// ---- db.history() filters

#[test]
fn history_filters_by_transaction_numbers() {
    let db = db();
    lifecycle(&db);
    let none = Params::new();
    assert_eq!(history_txs(&db, "{from: 2, to: 4}", &none), [2, 3, 4]);
    assert_eq!(history_txs(&db, "{from: 5}", &none), [5, 6, 7]);
    assert_eq!(history_txs(&db, "{to: 2}", &none), [1, 2]);
    assert_eq!(history_txs(&db, "{from: 3, to: 3}", &none), [3]);
    assert_eq!(
        history_txs(&db, "{from: 4, to: 2}", &none),
        Vec::<i64>::new()
    );
    assert_eq!(history_txs(&db, "{from: 8}", &none), Vec::<i64>::new());
    assert_eq!(
        history_txs(&db, "{from: 0, to: 99}", &none),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(history_txs(&db, "{}", &none), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(history_txs(&db, "null", &none), [1, 2, 3, 4, 5, 6, 7]);
    assert_eq!(history_txs(&db, "{from: null, to: 1}", &none), [1]);
    assert_eq!(
        history_txs(&db, "{from: $f, to: $t}", &{
            let mut p = param("f", Value::Int(6));
            p.insert("t".to_string(), Value::Int(7));
            p
        }),
        [6, 7]
    );
    // A WHERE on the yielded columns works as well.
    assert_eq!(
        rows(
            &db,
            "CALL db.history() YIELD tx, nodes_deleted WHERE nodes_deleted > 0 RETURN tx"
        ),
        ["7"]
    );
}

#[test]
fn history_filters_by_datetimes() {
    let db = db();
    for i in 1..=5 {
        run(&db, &format!("CREATE (:N {{i: {i}}})"));
        sleep();
    }
    let t = times(&db);
    assert_eq!(t.len(), 5);
    let between = |from: &Value, to: &Value| {
        let mut p = param("from", from.clone());
        p.insert("to".to_string(), to.clone());
        history_txs(&db, "{from: $from, to: $to}", &p)
    };
    // Inclusive bounds: the commits at exactly `from` and `to` are in.
    assert_eq!(between(&t[1], &t[3]), [2, 3, 4]);
    assert_eq!(between(&t[0], &t[0]), [1]);
    assert_eq!(
        history_txs(&db, "{from: $from}", &param("from", t[3].clone())),
        [4, 5]
    );
    assert_eq!(
        history_txs(&db, "{to: $to}", &param("to", t[1].clone())),
        [1, 2]
    );
    // A microsecond off excludes the commit at the bound.
    assert_eq!(
        history_txs(
            &db,
            "{from: $from + duration('PT0.000001S')}",
            &param("from", t[3].clone())
        ),
        [5]
    );
    assert_eq!(
        history_txs(
            &db,
            "{to: $to - duration('PT0.000001S')}",
            &param("to", t[1].clone())
        ),
        [1]
    );
    // The same instants in another zone.
    assert_eq!(
        history_txs(
            &db,
            "{from: datetime({datetime: $from, timezone: '+05:00'})}",
            &param("from", t[4].clone())
        ),
        [5]
    );
    // Before everything, after everything; a datetime mixed with a number.
    assert_eq!(
        history_txs(
            &db,
            "{to: datetime('2000-01-01T00:00:00Z')}",
            &Params::new()
        ),
        Vec::<i64>::new()
    );
    assert_eq!(
        history_txs(
            &db,
            "{from: datetime('2999-01-01T00:00:00Z')}",
            &Params::new()
        ),
        Vec::<i64>::new()
    );
    assert_eq!(
        history_txs(&db, "{from: 2, to: $to}", &param("to", t[2].clone())),
        [2, 3]
    );
}

#[test]
fn history_from_a_sub_microsecond_datetime_excludes_an_earlier_commit() {
    let db = db();
    run(&db, "CREATE ()");
    let t = times(&db).remove(0);
    // The commit is at t, 500 ns before `from`.
    assert_eq!(
        history_txs(&db, "{from: $t + duration('PT0.0000005S')}", &param("t", t)),
        Vec::<i64>::new()
    );
}

#[test]
fn history_filter_errors_say_what_is_wrong() {
    let db = db();
    run(&db, "CREATE ()");
    for (filter, says) in [
        ("{from: 'yesterday'}", "from"),
        ("{to: 1.5}", "to"),
        ("{source: 3}", "source"),
        ("{bogus: 1}", "bogus"),
    ] {
        let e = error(
            &db,
            &format!("CALL db.history({filter}) YIELD tx RETURN tx"),
        );
        assert_eq!(e.class, ErrorClass::ArgumentError, "{filter}: {e}");
        assert!(e.message.contains(says), "{filter}: {e}");
    }
    let e = error(&db, "CALL db.history(3) YIELD tx RETURN tx");
    assert!(
        matches!(e.class, ErrorClass::SyntaxError | ErrorClass::ArgumentError),
        "{e}"
    );
}

// ---- sources

#[test]
fn history_records_and_filters_by_source() {
    let db = db();
    let under = |source: Option<&str>, query: &str| {
        let options = QueryOptions {
            source: source.map(str::to_string),
            ..Default::default()
        };
        db.execute_with(query, &Params::new(), &options)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
    };
    under(Some("alice"), "CREATE (:N {by: 'alice'})"); // 1
    under(None, "CREATE (:N {by: 'nobody'})"); // 2
    under(Some("bob"), "CREATE (:N {by: 'bob'})"); // 3
    under(
        Some("alice"),
        "MATCH (n:N {by: 'alice'}) SET n.again = true",
    ); // 4
    assert_eq!(last(&db), 4);
    assert_eq!(
        rows(&db, "CALL db.history() YIELD tx, source RETURN tx, source"),
        ["1 | 'alice'", "2 | null", "3 | 'bob'", "4 | 'alice'"]
    );
    assert_eq!(
        history_txs(&db, "{source: 'alice'}", &Params::new()),
        [1, 4]
    );
    assert_eq!(history_txs(&db, "{source: 'bob'}", &Params::new()), [3]);
    assert_eq!(
        history_txs(&db, "{source: 'alice', from: 2}", &Params::new()),
        [4]
    );
    assert_eq!(
        history_txs(&db, "{source: 'nobody at all'}", &Params::new()),
        Vec::<i64>::new()
    );
    // db.changes carries the source too.
    assert_eq!(
        rows(
            &db,
            "MATCH (n:N {by: 'alice'}) CALL db.changes(n) YIELD tx, source, change, key \
             RETURN tx, source, change, key ORDER BY tx, change, key"
        ),
        [
            "1 | 'alice' | 'created' | null",
            "1 | 'alice' | 'label_added' | 'N'",
            "1 | 'alice' | 'property_set' | 'by'",
            "4 | 'alice' | 'property_set' | 'again'"
        ]
    );
}

#[test]
fn a_loaded_fact_file_is_one_commit_under_its_source_name() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("people.cypher");
    std::fs::write(
        &file,
        "CREATE (:Person {name: 'Ann'});\nCREATE (:Person {name: 'Bob'});\n\
         MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) CREATE (a)-[:KNOWS]->(b);\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let db = Database::open(dir.path().join("db")).unwrap_or_else(|e| panic!("{e}"));
    run(&db, "CREATE (:Other)"); // 1
    let reports = db
        .load(&file, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("load: {e}"));
    let source = reports[0].source.clone();
    assert!(source.ends_with("people.cypher"), "{source}");
    assert_eq!(last(&db), 2, "a file loads in one transaction");
    let filter = param("s", Value::from(source.as_str()));
    assert_eq!(history_txs(&db, "{source: $s}", &filter), [2]);
    assert_eq!(
        rows_with(
            &db,
            "CALL db.history({source: $s}) YIELD source, nodes_created, relationships_created \
             RETURN source = $s, nodes_created, relationships_created",
            &filter
        ),
        ["true | 2 | 1"]
    );
    assert_eq!(
        rows(&db, "CALL db.history({to: 1}) YIELD source RETURN source"),
        ["null"]
    );
    // An unchanged reload writes nothing: no commit.
    db.load(&file, &mut |_, _| {})
        .unwrap_or_else(|e| panic!("reload: {e}"));
    assert_eq!(last(&db), 2);
    // Unloading is one more commit; before it the file's facts can still be read.
    db.unload(&source).unwrap_or_else(|e| panic!("unload: {e}"));
    assert_eq!(last(&db), 3);
    assert_eq!(int(&db, "MATCH (p:Person) RETURN count(p)"), 0);
    assert_eq!(
        int(&db, "AS OF TRANSACTION 2 MATCH (p:Person) RETURN count(p)"),
        2
    );
    assert_eq!(
        rows(&db, "CALL db.history({from: 3}) YIELD nodes_deleted, relationships_deleted RETURN nodes_deleted, relationships_deleted"),
        ["2 | 1"]
    );
}

#[test]
fn a_read_under_a_source_gets_no_transaction_number() {
    let db = db();
    let options = QueryOptions {
        source: Some("alice".to_string()),
        ..Default::default()
    };
    db.execute_with("CREATE (:N)", &Params::new(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(last(&db), 1);
    db.execute_with("MATCH (n) RETURN count(n)", &Params::new(), &options)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(last(&db), 1, "{:?}", history(&db, ""));
}

// ---- db.changes()

#[test]
fn changes_follow_a_node_through_its_life_and_after_its_deletion() {
    let db = db();
    lifecycle(&db);
    let a = 0; // the first node created
    let expected = [
        "1 | 'created' | null | null | null",
        "1 | 'label_added' | 'P' | null | null",
        "1 | 'property_set' | 'age' | null | 1",
        "1 | 'property_set' | 'name' | null | 'a'",
        "2 | 'label_added' | 'Q' | null | null",
        "2 | 'property_set' | 'age' | 1 | 2",
        "3 | 'label_removed' | 'Q' | null | null",
        "3 | 'property_removed' | 'age' | 2 | null",
        "7 | 'deleted' | null | null | null",
    ];
    let sorted = |arg: &str| {
        rows(
            &db,
            &format!(
                "CALL db.changes({arg}) YIELD tx, change, key, old, new \
                 RETURN tx, change, key, old, new ORDER BY tx, change, key"
            ),
        )
    };
    assert_eq!(sorted(&a.to_string()), expected);
    assert_eq!(sorted(&format!("{a}, 'node'")), expected);
    // Listed oldest first.
    let txs: Vec<String> = changes(&db, &a.to_string())
        .iter()
        .map(|r| r.split(" | ").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(txs, ["1", "1", "1", "1", "2", "2", "3", "3", "7"]);
    // b (a living node, passed as a node): created at 4, untouched by r's creation and deletion.
    assert_eq!(
        rows(
            &db,
            "MATCH (b:P {name: 'b'}) CALL db.changes(b) YIELD tx, change, key \
             RETURN tx, change, key ORDER BY change, key"
        ),
        [
            "4 | 'created' | null",
            "4 | 'label_added' | 'P'",
            "4 | 'property_set' | 'name'"
        ]
    );
    // Times and sources are those of the commits.
    assert_eq!(
        rows(
            &db,
            &format!(
                "CALL db.changes({a}) YIELD tx, time, source \
                 CALL db.history({{from: tx, to: tx}}) YIELD time AS commit_time \
                 RETURN count(*), all(x IN collect(time = commit_time) WHERE x), count(source)"
            )
        ),
        ["9 | true | 0"]
    );
}

#[test]
fn changes_follow_a_relationship_through_its_life_and_after_its_deletion() {
    let db = db();
    lifecycle(&db);
    let r = 0; // the first relationship created
    let expected = [
        "5 | 'created' | null | null | null",
        "5 | 'property_set' | 'w' | null | 1",
        "6 | 'property_set' | 'w' | 1 | 2",
        "7 | 'deleted' | null | null | null",
    ];
    assert_eq!(changes(&db, &format!("{r}, 'relationship'")), expected);
    assert_eq!(changes(&db, &format!("{r}, 'RELATIONSHIP'")), expected);
    // Node 0 is not relationship 0.
    assert_ne!(changes(&db, &r.to_string()), expected);
    // A living relationship, passed as a relationship (a self-loop on b).
    run(&db, "MATCH (b:P {name: 'b'}) CREATE (b)-[:S {x: 1}]->(b)"); // 8
    assert_eq!(
        rows(
            &db,
            "MATCH ()-[s:S]->() CALL db.changes(s) YIELD tx, change, key, new \
             RETURN tx, change, key, new"
        ),
        [
            "8 | 'created' | null | null",
            "8 | 'property_set' | 'x' | 1"
        ]
    );
    assert_eq!(changes(&db, "1, 'relationship'").len(), 2);
    // b's own changes do not list the relationship.
    assert_eq!(changes(&db, "1").len(), 3);
}

#[test]
fn changes_of_nothing_are_empty_and_bad_arguments_are_errors() {
    let db = db();
    lifecycle(&db);
    assert!(changes(&db, "null").is_empty());
    assert!(changes(&db, "999").is_empty());
    assert!(changes(&db, "999, 'relationship'").is_empty());
    for (arg, says) in [
        ("'x'", "STRING"),
        ("-1", "negative"),
        ("0, 'bogus'", "bogus"),
        ("[0]", "LIST"),
    ] {
        let e = error(&db, &format!("CALL db.changes({arg}) YIELD tx RETURN tx"));
        assert_eq!(e.class, ErrorClass::ArgumentError, "{arg}: {e}");
        assert!(e.message.contains(says), "{arg}: {e}");
    }
}

#[test]
fn changes_list_a_recreated_property_and_a_set_to_the_same_value_is_no_change() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})"); // 1
    run(&db, "MATCH (n:P) SET n.k = 1"); // same value: no commit
    assert_eq!(last(&db), 1);
    run(&db, "MATCH (n:P) REMOVE n.k"); // 2
    run(&db, "MATCH (n:P) SET n.k = 'one'"); // 3
    run(&db, "MATCH (n:P) SET n += {j: [1, 2], k: 'one'}"); // 4: j only
    assert_eq!(
        changes(&db, "0"),
        [
            "1 | 'created' | null | null | null",
            "1 | 'label_added' | 'P' | null | null",
            "1 | 'property_set' | 'k' | null | 1",
            "2 | 'property_removed' | 'k' | 1 | null",
            "3 | 'property_set' | 'k' | null | 'one'",
            "4 | 'property_set' | 'j' | null | [1, 2]",
        ]
    );
    assert_eq!(
        history(&db, "{from: 4}"),
        ["4 | null | 0 | 0 | 0 | 0 | 1 | 0"]
    );
}

// ---- AS OF TRANSACTION

#[test]
fn as_of_transaction_reads_each_state_of_the_lifecycle() {
    let db = db();
    lifecycle(&db);
    let nodes = |tx: u64| {
        rows(
            &db,
            &format!(
                "AS OF TRANSACTION {tx} MATCH (n) \
                 RETURN n.name, n.age, labels(n) ORDER BY n.name"
            ),
        )
    };
    assert_eq!(nodes(0), Vec::<String>::new());
    assert_eq!(nodes(1), ["'a' | 1 | ['P']"]);
    let two = nodes(2);
    assert!(
        two == ["'a' | 2 | ['P', 'Q']"] || two == ["'a' | 2 | ['Q', 'P']"],
        "{two:?}"
    );
    assert_eq!(nodes(3), ["'a' | null | ['P']"]);
    assert_eq!(nodes(4), ["'a' | null | ['P']", "'b' | null | ['P']"]);
    assert_eq!(nodes(7), ["'b' | null | ['P']"]);
    assert_eq!(
        nodes(7),
        rows(
            &db,
            "MATCH (n) RETURN n.name, n.age, labels(n) ORDER BY n.name"
        )
    );
    let rels = |tx: u64| {
        rows(
            &db,
            &format!(
                "AS OF TRANSACTION {tx} MATCH (a)-[r]->(b) RETURN a.name, type(r), r.w, b.name"
            ),
        )
    };
    assert_eq!(rels(4), Vec::<String>::new());
    assert_eq!(rels(5), ["'a' | 'R' | 1 | 'b'"]);
    assert_eq!(rels(6), ["'a' | 'R' | 2 | 'b'"]);
    assert_eq!(rels(7), Vec::<String>::new());
    // Label scans, stored counts, label-less and label counts.
    for (tx, p, q, all_rels) in [
        (1, 1, 0, 0),
        (2, 1, 1, 0),
        (3, 1, 0, 0),
        (5, 2, 0, 1),
        (7, 1, 0, 0),
    ] {
        let as_of = format!("AS OF TRANSACTION {tx}");
        assert_eq!(
            int(&db, &format!("{as_of} MATCH (n:P) RETURN count(*)")),
            p,
            "{as_of}"
        );
        assert_eq!(
            int(&db, &format!("{as_of} MATCH (n:Q) RETURN count(n)")),
            q,
            "{as_of}"
        );
        assert_eq!(
            int(&db, &format!("{as_of} MATCH ()-[r:R]->() RETURN count(r)")),
            all_rels,
            "{as_of}"
        );
        assert_eq!(
            int(&db, &format!("{as_of} MATCH ()-[r]->() RETURN count(*)")),
            all_rels,
            "{as_of}"
        );
    }
    // An id lookup of the deleted node.
    assert_eq!(
        rows(
            &db,
            "AS OF TRANSACTION 6 MATCH (n) WHERE id(n) = 0 RETURN n.name"
        ),
        ["'a'"]
    );
    assert!(rows(&db, "MATCH (n) WHERE id(n) = 0 RETURN n.name").is_empty());
}

#[test]
fn as_of_reads_past_paths_degrees_and_properties_after_the_present_was_read() {
    let db = db();
    run(
        &db,
        "CREATE (a:A {name: 'a', k: 1})-[:R]->(:B {name: 'b1'})",
    ); // 1
    run(
        &db,
        "MATCH (a:A) CREATE (a)-[:R]->(:B {name: 'b2'})-[:R]->(:B {name: 'b3'})",
    ); // 2
    run(&db, "MATCH (a:A) SET a.k = 2"); // 3
    run(&db, "MATCH (:A)-[r:R]->(b:B {name: 'b1'}) DELETE r"); // 4
                                                               // Read the present first, so that whatever is cached is the present.
    let now = [
        ("MATCH (a:A)-[r:R]->() RETURN count(r)", "1"),
        ("MATCH (a:A) RETURN COUNT { (a)-->() }", "1"),
        ("MATCH (a:A) RETURN a.k", "2"),
        ("MATCH (a:A) WHERE a.k = 1 RETURN count(*)", "0"),
        ("MATCH (:A)-[:R*]->(b) RETURN count(b)", "2"),
        ("MATCH (b:B {name: 'b1'}) RETURN COUNT { (b)--() }", "0"),
    ];
    for (query, expected) in now {
        assert_eq!(rows(&db, query), [expected], "{query}");
    }
    for (tx, expected) in [
        (1, ["1", "1", "1", "1", "1", "1"]),
        (3, ["2", "2", "2", "0", "3", "1"]),
    ] {
        for ((query, _), expected) in now.iter().zip(expected) {
            let past = format!("AS OF TRANSACTION {tx} {query}");
            assert_eq!(rows(&db, &past), [expected], "{past}");
        }
    }
    // And the present is still the present.
    for (query, expected) in now {
        assert_eq!(rows(&db, query), [expected], "{query}");
    }
    assert_eq!(
        rows(
            &db,
            "AS OF TRANSACTION 3 MATCH p = shortestPath((:A)-[:R*]->(:B {name: 'b1'})) RETURN length(p)"
        ),
        ["1"]
    );
    assert!(rows(
        &db,
        "MATCH p = shortestPath((:A)-[:R*]->(:B {name: 'b1'})) RETURN length(p)"
    )
    .is_empty());
}

#[test]
fn as_of_transaction_uses_the_indexes_of_that_time() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})"); // 1
    run(&db, "CREATE (:P {k: 2})"); // 2
    run(&db, "CREATE INDEX p_k FOR (n:P) ON (n.k)"); // 3
    run(&db, "MATCH (n:P {k: 2}) SET n.k = 3"); // 4
    run(&db, "CREATE (:P {k: 2})"); // 5
    run(&db, "DROP INDEX p_k"); // 6
    run(&db, "MATCH (n:P {k: 1}) SET n.k = 2"); // 7
    assert_eq!(last(&db), 7);
    let seek = "MATCH (n:P {k: 2}) RETURN count(n)";
    for (tx, expected) in [(1, 0), (2, 1), (3, 1), (4, 0), (5, 1), (6, 1), (7, 2)] {
        assert_eq!(
            int(&db, &format!("AS OF TRANSACTION {tx} {seek}")),
            expected,
            "as of {tx}"
        );
    }
    let plan = |tx: u64| {
        run(&db, &format!("EXPLAIN AS OF TRANSACTION {tx} {seek}"))
            .plan
            .unwrap_or_default()
    };
    assert!(plan(4).contains("NodeIndexSeek"), "{}", plan(4));
    assert!(!plan(2).contains("NodeIndexSeek"), "{}", plan(2));
    assert!(!plan(7).contains("NodeIndexSeek"), "{}", plan(7));
    let range = "MATCH (n:P) WHERE n.k >= 2 RETURN count(n)";
    assert_eq!(int(&db, &format!("AS OF TRANSACTION 4 {range}")), 1);
    assert_eq!(int(&db, &format!("AS OF TRANSACTION 5 {range}")), 2);
}

#[test]
fn as_of_transaction_zero_is_the_empty_graph() {
    let db = db();
    lifecycle(&db);
    assert!(rows(&db, "AS OF TRANSACTION 0 MATCH (n) RETURN n").is_empty());
    assert_eq!(int(&db, "AS OF TRANSACTION 0 MATCH (n) RETURN count(n)"), 0);
    assert_eq!(
        int(&db, "AS OF TRANSACTION 0 MATCH (n:P) RETURN count(*)"),
        0
    );
    assert_eq!(
        int(&db, "AS OF TRANSACTION 0 MATCH ()-[r]->() RETURN count(r)"),
        0
    );
    // Also on a database with no commit at all.
    let empty = self::db();
    assert_eq!(
        int(&empty, "AS OF TRANSACTION 0 MATCH (n) RETURN count(n)"),
        0
    );
}

#[test]
fn as_of_expressions_are_evaluated_once_with_parameters() {
    let db = db();
    lifecycle(&db);
    assert_eq!(
        int_with(
            &db,
            "AS OF TRANSACTION $tx MATCH (n) RETURN count(n)",
            &param("tx", Value::Int(4))
        ),
        2
    );
    assert_eq!(
        int(&db, "AS OF TRANSACTION 2 + 2 MATCH (n) RETURN count(n)"),
        2
    );
    assert_eq!(
        int(
            &db,
            "AS OF TRANSACTION size([1, 2, 3]) MATCH (n) RETURN count(n)"
        ),
        1
    );
}

// ---- AS OF TIMESTAMP

#[test]
fn as_of_timestamp_reads_the_last_commit_at_or_before_it() {
    let db = db();
    for i in 1..=4 {
        run(&db, &format!("CREATE (:N {{i: {i}}})"));
        sleep();
    }
    let t = times(&db);
    assert_eq!(t.len(), 4);
    let count = "AS OF TIMESTAMP $t MATCH (n:N) RETURN count(n)";
    for (k, time) in t.iter().enumerate() {
        let k = k as i64 + 1;
        assert_eq!(
            int_with(&db, count, &param("t", time.clone())),
            k,
            "at {time}"
        );
        assert_eq!(
            int_with(
                &db,
                "AS OF TIMESTAMP $t + duration('PT0.000001S') MATCH (n:N) RETURN count(n)",
                &param("t", time.clone())
            ),
            k,
            "just after {time}"
        );
        assert_eq!(
            int_with(
                &db,
                "AS OF TIMESTAMP $t - duration('PT0.000001S') MATCH (n:N) RETURN count(n)",
                &param("t", time.clone())
            ),
            k - 1,
            "just before {time}"
        );
        // The same instant written in another zone, and as a UTC local datetime.
        assert_eq!(
            int_with(
                &db,
                "AS OF TIMESTAMP datetime({datetime: $t, timezone: '-03:30'}) MATCH (n:N) RETURN count(n)",
                &param("t", time.clone())
            ),
            k
        );
        assert_eq!(
            int_with(
                &db,
                "AS OF TIMESTAMP localdatetime({datetime: $t}) MATCH (n:N) RETURN count(n)",
                &param("t", time.clone())
            ),
            k
        );
        let plan = db
            .execute(
                "EXPLAIN AS OF TIMESTAMP $t MATCH (n:N) RETURN n",
                &param("t", time.clone()),
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .plan
            .unwrap_or_default();
        assert!(
            plan.starts_with(&format!("AsOf transaction {k}\n")),
            "{plan}"
        );
    }
    assert_eq!(
        int(
            &db,
            "AS OF TIMESTAMP datetime('2000-01-01T00:00:00Z') MATCH (n) RETURN count(n)"
        ),
        0
    );
    assert_eq!(
        int(
            &db,
            "AS OF TIMESTAMP date('2000-01-01') MATCH (n) RETURN count(n)"
        ),
        0
    );
    assert_eq!(
        int(
            &db,
            "AS OF TIMESTAMP datetime('2999-01-01T00:00:00Z') MATCH (n) RETURN count(n)"
        ),
        4
    );
    assert_eq!(
        int(
            &db,
            "AS OF TIMESTAMP datetime.realtime() MATCH (n) RETURN count(n)"
        ),
        4
    );
}

// ---- errors

#[test]
fn as_of_errors_name_the_limits() {
    let db = db();
    lifecycle(&db);
    let e = error(&db, "AS OF TRANSACTION 8 MATCH (n) RETURN n");
    assert_eq!(e.class, ErrorClass::ArgumentError, "{e}");
    assert!(e.message.contains("transaction 7"), "names the last: {e}");
    assert!(e.message.contains('8'), "{e}");
    let e = error(&db, "AS OF TRANSACTION 1000000 MATCH (n) RETURN n");
    assert!(e.message.contains("transaction 7"), "{e}");
    let e = error(&db, "AS OF TRANSACTION -1 MATCH (n) RETURN n");
    assert_eq!(e.class, ErrorClass::ArgumentError, "{e}");
    assert!(e.message.contains("-1"), "{e}");
    for bad in ["1.5", "'1'", "true", "null", "[1]"] {
        let e = error(&db, &format!("AS OF TRANSACTION {bad} MATCH (n) RETURN n"));
        assert_eq!(e.class, ErrorClass::TypeError, "{bad}: {e}");
        assert!(e.message.contains("integer"), "{bad}: {e}");
    }
    for bad in ["'2020-01-01T00:00:00Z'", "5", "localtime('10:00')"] {
        let e = error(&db, &format!("AS OF TIMESTAMP {bad} MATCH (n) RETURN n"));
        assert_eq!(e.class, ErrorClass::TypeError, "{bad}: {e}");
        assert!(e.message.contains("AS OF TIMESTAMP"), "{bad}: {e}");
    }
    let e = error(&db, "AS OF TRANSACTION n.x MATCH (n) RETURN n");
    assert!(
        matches!(e.class, ErrorClass::SyntaxError | ErrorClass::SemanticError),
        "{e}"
    );
    // Before anything was committed only transaction 0 exists.
    let empty = self::db();
    let e = error(&empty, "AS OF TRANSACTION 1 MATCH (n) RETURN n");
    assert!(e.message.contains("transaction 0"), "{e}");
}

#[test]
fn writes_under_as_of_are_syntax_errors_with_a_position() {
    let db = db();
    lifecycle(&db);
    for (query, clause, at) in [
        ("AS OF TRANSACTION 1 CREATE (:X)", "CREATE", "CREATE"),
        ("AS OF TRANSACTION 1 MATCH (n) SET n.x = 1", "SET", "SET"),
        (
            "AS OF TRANSACTION 1 MATCH (n) DETACH DELETE n",
            "DELETE",
            "DETACH",
        ),
        ("AS OF TRANSACTION 1 MERGE (:X)", "MERGE", "MERGE"),
        (
            "AS OF TRANSACTION 1 MATCH (n) REMOVE n:P",
            "REMOVE",
            "REMOVE",
        ),
        ("AS OF TIMESTAMP datetime() CREATE (:X)", "CREATE", "CREATE"),
        (
            "AS OF TRANSACTION 1 VALID AT date('2020-01-01') CREATE (:X)",
            "CREATE",
            "CREATE",
        ),
        (
            "AS OF TRANSACTION 1 MATCH (n) CALL { WITH n SET n.x = 1 } RETURN n",
            "SET",
            "SET",
        ),
    ] {
        let e = error(&db, query);
        assert_eq!(e.class, ErrorClass::SyntaxError, "{query}: {e}");
        assert_eq!(e.detail, "InvalidTimeTravelWrite", "{query}: {e}");
        assert!(e.message.contains("AS OF"), "{query}: {e}");
        assert!(e.message.contains(clause), "{query}: {e}");
        let pos = e.position.unwrap_or_else(|| panic!("{query}: no position"));
        assert_eq!(
            (pos.line, pos.offset),
            (1, query.find(at).unwrap_or(usize::MAX)),
            "{query}: {e}"
        );
    }
    let e = error(&db, "AS OF TRANSACTION 1\nMATCH (n)\n  SET n.x = 1");
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
    let pos = e.position.unwrap_or_else(|| panic!("no position: {e}"));
    assert_eq!((pos.line, pos.column), (3, 3), "{e}");
    // A write procedure is refused as well.
    let e = error(&db, "AS OF TRANSACTION 1 CALL db.retract('nothing')");
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
    assert_eq!(last(&db), 7, "nothing was written");
    assert_eq!(int(&db, "MATCH (n:X) RETURN count(n)"), 0);
}

// ---- EXPLAIN, PROFILE

#[test]
fn explain_and_profile_name_the_transaction() {
    let db = db();
    lifecycle(&db);
    let plan = run(&db, "EXPLAIN AS OF TRANSACTION 4 MATCH (n:P) RETURN n.name")
        .plan
        .unwrap_or_default();
    assert_eq!(plan.lines().next(), Some("AsOf transaction 4"), "{plan}");
    assert!(plan.contains("NodeByLabelScan"), "{plan}");
    let plain = run(&db, "EXPLAIN MATCH (n:P) RETURN n.name")
        .plan
        .unwrap_or_default();
    assert!(!plain.contains("AsOf"), "{plain}");
    let zero = run(&db, "EXPLAIN AS OF TRANSACTION 0 MATCH (n) RETURN n")
        .plan
        .unwrap_or_default();
    assert_eq!(zero.lines().next(), Some("AsOf transaction 0"), "{zero}");
    let profiled = run(
        &db,
        "PROFILE AS OF TRANSACTION 4 MATCH (n:P) RETURN n.name ORDER BY n.name",
    );
    assert_eq!(texts(&profiled), ["'a'", "'b'"]);
    let plan = profiled.plan.unwrap_or_default();
    assert_eq!(plan.lines().next(), Some("AsOf transaction 4"), "{plan}");
    assert!(plan.lines().count() > 1, "{plan}");
    let e = error(&db, "PROFILE AS OF TRANSACTION 99 MATCH (n) RETURN n");
    assert!(e.message.contains("transaction 7"), "{e}");
}

// ---- QueryOptions::as_of

#[test]
fn query_options_as_of_reads_the_past() {
    let db = db();
    lifecycle(&db);
    let as_of = |tx: u64, query: &str| {
        let options = QueryOptions {
            as_of: Some(tx),
            ..Default::default()
        };
        db.execute_with(query, &Params::new(), &options)
    };
    let names = |tx: u64| {
        texts(
            &as_of(tx, "MATCH (n) RETURN n.name ORDER BY n.name").unwrap_or_else(|e| panic!("{e}")),
        )
    };
    assert_eq!(names(0), Vec::<String>::new());
    assert_eq!(names(1), ["'a'"]);
    assert_eq!(names(4), ["'a'", "'b'"]);
    assert_eq!(names(7), ["'b'"]);
    // A statement's own AS OF wins.
    let own =
        as_of(1, "AS OF TRANSACTION 4 MATCH (n) RETURN count(n)").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&own), ["2"]);
    // EXPLAIN says which.
    let plan = as_of(3, "EXPLAIN MATCH (n) RETURN n")
        .unwrap_or_else(|e| panic!("{e}"))
        .plan
        .unwrap_or_default();
    assert_eq!(plan.lines().next(), Some("AsOf transaction 3"), "{plan}");
    // Beyond the last, and writes, are refused.
    let e = as_of(8, "MATCH (n) RETURN n")
        .err()
        .unwrap_or_else(|| panic!("as_of 8 read"));
    assert!(e.message.contains("transaction 7"), "{e}");
    let e = as_of(7, "CREATE (:X)")
        .err()
        .unwrap_or_else(|| panic!("as_of wrote"));
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
    let e = as_of(7, "CREATE INDEX FOR (n:X) ON (n.k)")
        .err()
        .unwrap_or_else(|| panic!("a schema command ran as of"));
    assert_eq!(e.detail, "InvalidTimeTravelWrite", "{e}");
    assert_eq!(last(&db), 7);
    assert_eq!(int(&db, "MATCH (n:X) RETURN count(n)"), 0);
}

// ---- compaction

#[test]
fn compaction_drops_the_history_before_a_transaction() {
    let db = db();
    run(&db, "CREATE (:N {i: 1})"); // 1
    run(&db, "CREATE (:N {i: 2})"); // 2
    run(&db, "MATCH (n:N {i: 2}) SET n.i = 20"); // 3
    run(&db, "MATCH (n:N {i: 20}) SET n.i = 200"); // 4
    run(&db, "CREATE (:N {i: 5})"); // 5
    run(&db, "MATCH (n:N {i: 200}) SET n.i = 2000"); // 6
    assert_eq!(db.history_range().unwrap_or_default(), (0, 6));
    let gone = db.compact(4).unwrap_or_else(|e| panic!("compact: {e}"));
    assert!(gone > 0, "compaction dropped nothing");
    assert_eq!(last(&db), 6, "compaction gets no transaction number");
    assert_eq!(db.history_range().unwrap_or_default(), (4, 6));
    for tx in 1..4 {
        let e = error(&db, &format!("AS OF TRANSACTION {tx} MATCH (n) RETURN n"));
        assert_eq!(e.class, ErrorClass::ArgumentError, "{e}");
        assert!(e.message.contains('4'), "names 4: {e}");
        assert!(e.message.contains("compacted"), "{e}");
    }
    let state = |tx: u64| {
        rows(
            &db,
            &format!("AS OF TRANSACTION {tx} MATCH (n:N) RETURN n.i ORDER BY n.i"),
        )
    };
    assert_eq!(state(4), ["1", "200"]);
    assert_eq!(state(5), ["1", "5", "200"]);
    assert_eq!(state(6), ["1", "5", "2000"]);
    assert!(state(0).is_empty(), "transaction 0 stays readable");
    // Commit records stay: db.history still lists every commit.
    assert_eq!(history_txs(&db, "", &Params::new()), [1, 2, 3, 4, 5, 6]);
    // AS OF TIMESTAMP of a compacted commit fails too.
    let t = times(&db);
    let e = db
        .execute(
            "AS OF TIMESTAMP $t MATCH (n) RETURN n",
            &param("t", t[1].clone()),
        )
        .err()
        .unwrap_or_else(|| panic!("read a compacted commit by time"));
    assert!(e.message.contains('4'), "{e}");
    // db.changes lists no change made before 4.
    let node = int(&db, "MATCH (n:N {i: 2000}) RETURN id(n)");
    let listed = changes(&db, &node.to_string());
    assert!(
        listed
            .iter()
            .all(|r| !r.starts_with("2 |") && !r.starts_with("3 |")),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"6 | 'property_set' | 'i' | 200 | 2000".to_string()),
        "{listed:?}"
    );
    // A node whose whole history is before 4 lists nothing.
    assert!(changes(&db, "0").is_empty(), "{:?}", changes(&db, "0"));
    // Node 5, created after, keeps all of its changes.
    assert_eq!(
        changes(
            &db,
            &int(&db, "MATCH (n:N {i: 5}) RETURN id(n)").to_string()
        )
        .iter()
        .map(|r| r.split(" | ").take(2).collect::<Vec<_>>().join(" | "))
        .collect::<Vec<_>>(),
        ["5 | 'created'", "5 | 'label_added'", "5 | 'property_set'"]
    );
    // Compacting to where it already is does nothing; to before it, nothing or an error
    // naming 4; beyond the last is an error.
    assert_eq!(db.compact(4).unwrap_or(u64::MAX), 0);
    match db.compact(2) {
        Ok(gone) => assert_eq!(gone, 0),
        Err(e) => assert!(e.message.contains('4'), "{e}"),
    }
    assert_eq!(db.history_range().unwrap_or_default(), (4, 6));
    let e = db
        .compact(7)
        .err()
        .unwrap_or_else(|| panic!("compacted beyond the last commit"));
    assert!(e.message.contains("transaction 6"), "{e}");
    // New commits are readable as usual.
    run(&db, "CREATE (:N {i: 7})");
    assert_eq!(last(&db), 7);
    assert_eq!(state(6), ["1", "5", "2000"]);
}

#[test]
fn compaction_keeps_the_changes_made_at_the_transaction_it_compacts_to() {
    let db = db();
    run(&db, "CREATE (:N {i: 1})"); // 1
    run(&db, "MATCH (n:N) SET n.i = 2"); // 2
    run(&db, "MATCH (n:N) SET n.i = 3"); // 3
    db.compact(2).unwrap_or_else(|e| panic!("{e}"));
    // Database::compact: "db.changes lists no change made before it" (before 2): the
    // change of transaction 2 stays.
    assert_eq!(
        changes(&db, "0"),
        [
            "2 | 'property_set' | 'i' | 1 | 2",
            "3 | 'property_set' | 'i' | 2 | 3"
        ]
    );
}

#[test]
fn changes_read_as_of_an_earlier_transaction_report_only_what_happened() {
    let db = db();
    run(&db, "CREATE (:N {k: 1})"); // 1
    run(&db, "MATCH (n:N) SET n.k = 2"); // 2
    run(&db, "MATCH (n:N) SET n.k = 3"); // 3
    let now = changes(&db, "0");
    assert_eq!(
        now.last().map(String::as_str),
        Some("3 | 'property_set' | 'k' | 2 | 3")
    );
    let past = rows(
        &db,
        "AS OF TRANSACTION 1 CALL db.changes(0) YIELD tx, change, key, old, new \
         RETURN tx, change, key, old, new",
    );
    // Either the whole history, or the history up to transaction 1; not
    // "3 | 'property_set' | 'k' | 2 | 1", which no transaction did.
    let up_to_1: Vec<String> = now
        .iter()
        .filter(|r| r.starts_with("1 |"))
        .cloned()
        .collect();
    assert!(
        past == now || past == up_to_1,
        "as of 1: {past:?}\nnow: {now:?}"
    );
}

#[test]
fn a_snapshot_of_a_compacted_transaction_fails_to_read() {
    let db = db();
    run(&db, "CREATE (:N)"); // 1
    let snapshot = db.snapshot().unwrap_or_else(|e| panic!("{e}"));
    run(&db, "CREATE (:N)"); // 2
    run(&db, "CREATE (:N)"); // 3
    let read = snapshot
        .execute("MATCH (n) RETURN count(n)", &Params::new())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(texts(&read), ["1"]);
    db.compact(2).unwrap_or_else(|e| panic!("{e}"));
    let e = snapshot
        .execute("MATCH (n) RETURN count(n)", &Params::new())
        .err()
        .unwrap_or_else(|| panic!("a compacted snapshot read"));
    assert!(e.message.contains('2'), "{e}");
}

// ---- reopening

#[test]
fn history_survives_reopening_and_numbering_continues() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("db");
    let (before_rows, before_times) = {
        let db = Database::open(&path).unwrap_or_else(|e| panic!("{e}"));
        lifecycle(&db);
        db.compact(2).unwrap_or_else(|e| panic!("{e}"));
        (history(&db, ""), times(&db))
    };
    let db = Database::open(&path).unwrap_or_else(|e| panic!("reopen: {e}"));
    assert_eq!(last(&db), 7);
    assert_eq!(db.history_range().unwrap_or_default(), (2, 7));
    assert_eq!(history(&db, ""), before_rows);
    let after_times: Vec<String> = times(&db).iter().map(Value::to_string).collect();
    let before_times: Vec<String> = before_times.iter().map(Value::to_string).collect();
    assert_eq!(after_times, before_times);
    assert_eq!(
        rows(
            &db,
            "AS OF TRANSACTION 5 MATCH (a)-[r]->(b) RETURN a.name, r.w, b.name"
        ),
        ["'a' | 1 | 'b'"]
    );
    assert_eq!(
        changes(&db, "0, 'relationship'"),
        [
            "5 | 'created' | null | null | null",
            "5 | 'property_set' | 'w' | null | 1",
            "6 | 'property_set' | 'w' | 1 | 2",
            "7 | 'deleted' | null | null | null",
        ]
    );
    let e = error(&db, "AS OF TRANSACTION 1 MATCH (n) RETURN n");
    assert!(e.message.contains('2'), "{e}");
    run(&db, "CREATE (:P {name: 'c'})");
    assert_eq!(last(&db), 8);
    assert_eq!(
        rows(
            &db,
            "CALL db.history({from: 7}) YIELD tx, time WITH collect(time) AS ts, collect(tx) AS txs \
             RETURN txs, ts[0] <= ts[1]"
        ),
        ["[7, 8] | true"]
    );
    assert_eq!(int(&db, "AS OF TRANSACTION 7 MATCH (n) RETURN count(n)"), 1);
    assert_eq!(int(&db, "AS OF TRANSACTION 8 MATCH (n) RETURN count(n)"), 2);
}

// ---- the CLI

fn skein() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skein"));
    command.env_remove("SKEIN_HISTORY");
    command
}

fn cli(args: &[&str], input: &str) -> Output {
    let mut child = skein()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run skein: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("skein did not finish: {e}"))
}

fn out(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn err(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path_text(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

#[test]
fn the_cli_reads_as_of_a_transaction_and_back_and_compacts() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = path_text(&dir.path().join("db"));
    let script = "CREATE (:N {i: 1});\n\
                  CREATE (:N {i: 2});\n\
                  CREATE (:N {i: 3});\n\
                  :asof 1\n\
                  MATCH (n:N) RETURN collect(n.i) AS seen;\n\
                  :asof 2\n\
                  MATCH (n:N) RETURN collect(n.i) AS seen;\n\
                  :asof\n\
                  MATCH (n:N) RETURN collect(n.i) AS seen;\n";
    let output = cli(&["--db", &db], script);
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert_eq!(
        out(&output),
        "seen\n[1]\nseen\n[1, 2]\nseen\n[1, 2, 3]\n",
        "{}",
        err(&output)
    );

    // A write under :asof is refused, and the script stops there.
    let output = cli(
        &["--db", &db],
        ":asof 1\nCREATE (:N {i: 4});\n:asof\nRETURN 1 AS after;\n",
    );
    assert_ne!(output.status.code(), Some(0));
    assert!(
        err(&output).contains("InvalidTimeTravelWrite"),
        "{}",
        err(&output)
    );
    // A transaction beyond the last is said at once.
    let output = cli(&["--db", &db], ":asof 9\nRETURN 1 AS one;\n");
    assert_ne!(output.status.code(), Some(0));
    assert!(err(&output).contains("transaction 3"), "{}", err(&output));
    assert!(!out(&output).contains("one"), "{}", out(&output));

    // `skein run FILE` knows :asof as well.
    let file = dir.path().join("old.cypher");
    std::fs::write(&file, ":asof 2\nMATCH (n:N) RETURN count(n) AS n;\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let output = cli(&["--db", &db, "run", &path_text(&file)], "");
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert_eq!(out(&output), "n\n2\n");

    // compact --before 2.
    let output = cli(&["--db", &db, "compact", "--before", "2"], "");
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let output = cli(
        &[
            "--db",
            &db,
            "-c",
            "AS OF TRANSACTION 1 MATCH (n) RETURN count(n) AS n",
        ],
        "",
    );
    assert_ne!(output.status.code(), Some(0), "{}", out(&output));
    assert!(err(&output).contains('2'), "{}", err(&output));
    assert!(err(&output).contains("compacted"), "{}", err(&output));
    let output = cli(
        &[
            "--db",
            &db,
            "-c",
            "AS OF TRANSACTION 2 MATCH (n) RETURN count(n) AS n",
        ],
        "",
    );
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert_eq!(out(&output), "n\n2\n");
    let output = cli(&["--db", &db], ":asof 1\nRETURN 1 AS one;\n");
    assert_ne!(output.status.code(), Some(0));
    assert!(err(&output).contains('2'), "{}", err(&output));
    // Beyond the last commit is an error naming it.
    let output = cli(&["--db", &db, "compact", "--before", "9"], "");
    assert_ne!(output.status.code(), Some(0));
    assert!(err(&output).contains("transaction 3"), "{}", err(&output));
}

#[test]
fn the_cli_compact_message_says_the_real_oldest_transaction() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = path_text(&dir.path().join("db"));
    let output = cli(&["--db", &db, "-c", "CREATE (); CREATE (); CREATE ();"], "");
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let output = cli(&["--db", &db, "compact", "--before", "3"], "");
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    assert!(err(&output).contains("AS OF 3 to 3"), "{}", err(&output));
    let output = cli(&["--db", &db, "compact", "--before", "0"], "");
    let said = err(&output);
    // The store still reads from 3 on.
    let check = cli(
        &["--db", &db, "-c", "AS OF TRANSACTION 1 RETURN 1 AS one"],
        "",
    );
    assert_ne!(check.status.code(), Some(0));
    assert!(
        output.status.code() != Some(0) || !said.contains("AS OF 0 to"),
        "{said}"
    );
}

#[test]
fn the_cli_compact_before_the_last_commit_plus_one_fails() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = path_text(&dir.path().join("db"));
    let output = cli(&["--db", &db, "-c", "CREATE (); CREATE (); CREATE ();"], "");
    assert_eq!(output.status.code(), Some(0), "{}", err(&output));
    let output = cli(&["--db", &db, "compact", "--before", "4"], "");
    assert_ne!(output.status.code(), Some(0));
    assert!(err(&output).contains("transaction 3"), "{}", err(&output));
}
