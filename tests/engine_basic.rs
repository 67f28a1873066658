//! Engine behaviour through the public API: reading, writing, aggregation, ordering,
//! errors, procedures, EXPLAIN and PROFILE.

use skein::{Database, ErrorClass, Params, ProcedureSpec, QueryResult, Value};

fn db() -> Database {
    Database::open_temporary().expect("temporary database")
}

fn run(db: &Database, q: &str) -> QueryResult {
    match db.execute(q, &Params::new()) {
        Ok(r) => r,
        Err(e) => panic!("{q}: {e}"),
    }
}

fn ints(r: &QueryResult) -> Vec<i64> {
    r.rows
        .iter()
        .map(|row| match row.first() {
            Some(Value::Int(i)) => *i,
            other => panic!("expected an integer, got {other:?}"),
        })
        .collect()
}

fn strings(r: &QueryResult) -> Vec<String> {
    r.rows
        .iter()
        .map(|row| match row.first() {
            Some(Value::String(s)) => s.clone(),
            other => panic!("expected a string, got {other:?}"),
        })
        .collect()
}

fn social(db: &Database) {
    run(
        db,
        "CREATE (a:Person {name: 'Ann', age: 30}), (b:Person {name: 'Bob', age: 40}), \
         (c:Person {name: 'Cid', age: 50}), (d:City {name: 'Oslo'}), \
         (a)-[:KNOWS {since: 1}]->(b), (b)-[:KNOWS {since: 2}]->(c), (a)-[:LIVES_IN]->(d)",
    );
}

#[test]
fn match_where_return_with_column_names() {
    let db = db();
    social(&db);
    let r = run(
        &db,
        "MATCH (p:Person) WHERE p.age > 35 RETURN p.name ORDER BY p.name",
    );
    assert_eq!(r.columns, vec!["p.name"]);
    assert_eq!(strings(&r), vec!["Bob", "Cid"]);
}

#[test]
fn expands_in_both_directions_and_var_length() {
    let db = db();
    social(&db);
    let r = run(
        &db,
        "MATCH (:Person {name: 'Ann'})-[:KNOWS*1..2]->(f) RETURN f.name AS n ORDER BY n",
    );
    assert_eq!(strings(&r), vec!["Bob", "Cid"]);
    let r = run(
        &db,
        "MATCH (c:Person {name: 'Cid'})<-[:KNOWS]-(b)<-[:KNOWS]-(a) RETURN a.name",
    );
    assert_eq!(strings(&r), vec!["Ann"]);
    let r = run(
        &db,
        "MATCH (a {name: 'Bob'})--(x) RETURN x.name AS n ORDER BY n",
    );
    assert_eq!(strings(&r), vec!["Ann", "Cid"]);
}

#[test]
fn relationship_is_used_once_per_pattern() {
    let db = db();
    run(&db, "CREATE (a:A)-[:T]->(b:B)");
    let r = run(&db, "MATCH (a)-[r1]-(b)-[r2]-(c) RETURN count(*)");
    assert_eq!(ints(&r), vec![0]);
}

#[test]
fn optional_match_gives_nulls() {
    let db = db();
    social(&db);
    let r = run(
        &db,
        "MATCH (p:Person) OPTIONAL MATCH (p)-[:LIVES_IN]->(c) \
         RETURN p.name AS p, c.name AS c ORDER BY p",
    );
    assert_eq!(r.rows.len(), 3);
    assert!(matches!(r.rows[0][1], Value::String(ref s) if s == "Oslo"));
    assert!(r.rows[1][1].is_null());
}

#[test]
fn aggregation_groups_and_sorts() {
    let db = db();
    run(&db, "UNWIND range(1, 10) AS i CREATE (:N {g: i % 3, v: i})");
    let r = run(
        &db,
        "MATCH (n:N) RETURN n.g AS g, count(*) AS c, sum(n.v) AS s ORDER BY g",
    );
    assert_eq!(r.columns, vec!["g", "c", "s"]);
    assert_eq!(ints(&r), vec![0, 1, 2]);
    let counts: Vec<&Value> = r.rows.iter().map(|row| &row[1]).collect();
    assert!(matches!(counts[0], Value::Int(3)));
    assert!(matches!(counts[1], Value::Int(4)));
    let r = run(&db, "MATCH (n:N) RETURN count(*)");
    assert_eq!(ints(&r), vec![10]);
    let r = run(&db, "MATCH (n:Missing) RETURN count(*)");
    assert_eq!(ints(&r), vec![0]);
}

#[test]
fn limit_and_skip_and_top_k() {
    let db = db();
    run(&db, "UNWIND range(1, 100) AS i CREATE (:N {v: i})");
    let r = run(
        &db,
        "MATCH (n:N) RETURN n.v AS v ORDER BY v DESC SKIP 2 LIMIT 3",
    );
    assert_eq!(ints(&r), vec![98, 97, 96]);
    let r = run(&db, "MATCH (n:N) RETURN n LIMIT 1");
    assert_eq!(r.rows.len(), 1);
    let mut params = Params::new();
    params.insert("l".into(), Value::Int(4));
    let r = db
        .execute("MATCH (n:N) RETURN n.v LIMIT $l", &params)
        .expect("limit parameter");
    assert_eq!(r.rows.len(), 4);
}

#[test]
fn union_removes_duplicates_and_union_all_keeps_them() {
    let db = db();
    let r = run(&db, "RETURN 1 AS x UNION RETURN 1 AS x");
    assert_eq!(ints(&r), vec![1]);
    let r = run(&db, "RETURN 1 AS x UNION ALL RETURN 1 AS x");
    assert_eq!(ints(&r), vec![1, 1]);
    let e = db
        .execute("RETURN 1 AS x UNION RETURN 2 AS y", &Params::new())
        .expect_err("different columns");
    assert_eq!(e.detail, "DifferentColumnsInUnion");
}

#[test]
fn merge_matches_or_creates_and_sees_own_writes() {
    let db = db();
    let r = run(
        &db,
        "UNWIND [1, 1, 2] AS k MERGE (n:K {k: k}) ON CREATE SET n.c = 1 ON MATCH SET n.c = n.c + 1 RETURN n.k",
    );
    assert_eq!(r.rows.len(), 3);
    let r = run(&db, "MATCH (n:K) RETURN n.c ORDER BY n.k");
    assert_eq!(ints(&r), vec![2, 1]);
    run(&db, "MATCH (a:K {k: 1}), (b:K {k: 2}) MERGE (a)-[:R]->(b)");
    run(&db, "MATCH (a:K {k: 1}), (b:K {k: 2}) MERGE (a)-[:R]->(b)");
    let r = run(&db, "MATCH ()-[r:R]->() RETURN count(r)");
    assert_eq!(ints(&r), vec![1]);
}

#[test]
fn set_remove_and_stats() {
    let db = db();
    let r = run(
        &db,
        "CREATE (n:A {x: 1}) SET n:B, n.y = 2, n += {z: 3} RETURN n.z",
    );
    assert_eq!(ints(&r), vec![3]);
    assert_eq!(r.stats.nodes_created, 1);
    assert_eq!(r.stats.labels_added, 2);
    let r = run(&db, "MATCH (n:A) SET n = {w: 9} RETURN n.x, n.w");
    assert!(r.rows[0][0].is_null());
    let r = run(&db, "MATCH (n:A) REMOVE n:B, n.w RETURN n.w, labels(n)");
    assert!(r.rows[0][0].is_null());
    let r = run(&db, "MATCH (n:B) RETURN count(n)");
    assert_eq!(ints(&r), vec![0]);
}

#[test]
fn delete_connected_node_fails_detach_delete_works() {
    let db = db();
    social(&db);
    let e = db
        .execute("MATCH (n:Person {name: 'Ann'}) DELETE n", &Params::new())
        .expect_err("connected node");
    assert_eq!(e.class, ErrorClass::ConstraintVerificationFailed);
    assert_eq!(e.detail, "DeleteConnectedNode");
    let r = run(&db, "MATCH (n:Person {name: 'Ann'}) DETACH DELETE n");
    assert_eq!(r.stats.nodes_deleted, 1);
    assert_eq!(r.stats.relationships_deleted, 2);
    let r = run(&db, "MATCH (a)-[r]->(b) DELETE r, a, b");
    assert_eq!(r.stats.relationships_deleted, 1);
    let e = db
        .execute("MATCH (n:City) DELETE n RETURN n.name", &Params::new())
        .expect_err("deleted entity");
    assert_eq!(e.detail, "DeletedEntityAccess");
}

#[test]
fn compile_time_errors_carry_tck_codes() {
    let db = db();
    for (q, detail) in [
        ("RETURN x", "UndefinedVariable"),
        ("MATCH (a) CREATE (a)", "VariableAlreadyBound"),
        ("MATCH (r)-[r]->() RETURN r", "VariableTypeConflict"),
        (
            "MATCH (n) WHERE count(n) > 1 RETURN n",
            "InvalidAggregation",
        ),
        ("RETURN *", "NoVariablesInScope"),
        ("RETURN 1 AS a, 2 AS a", "ColumnNameConflict"),
        ("CREATE ()-[:A|B]->()", "NoSingleRelationshipType"),
        ("CREATE ()-[:A]-()", "RequiresDirectedRelationship"),
        ("MATCH (n) RETURN n LIMIT -1", "NegativeIntegerArgument"),
    ] {
        let e = db.execute(q, &Params::new()).expect_err(q);
        assert_eq!(e.class, ErrorClass::SyntaxError, "{q}");
        assert_eq!(e.detail, detail, "{q}");
    }
}

#[test]
fn procedures_builtin_and_registered() {
    let db = db();
    social(&db);
    let r = run(
        &db,
        "CALL db.labels() YIELD label RETURN label ORDER BY label",
    );
    assert_eq!(strings(&r), vec!["City", "Person"]);
    db.register_procedure(ProcedureSpec {
        name: "test.double".into(),
        inputs: vec![("x".into(), "INTEGER?".into())],
        outputs: vec![("y".into(), "INTEGER?".into())],
        rows: vec![
            vec![Value::Int(1), Value::Int(2)],
            vec![Value::Int(2), Value::Int(4)],
        ],
    })
    .expect("register");
    let r = run(&db, "CALL test.double(2)");
    assert_eq!(r.columns, vec!["y"]);
    assert_eq!(ints(&r), vec![4]);
    let e = db
        .execute("CALL test.double('a')", &Params::new())
        .expect_err("type check");
    assert_eq!(e.detail, "InvalidArgumentType");
}

#[test]
fn shortest_path_finds_fewest_hops() {
    let db = db();
    run(
        &db,
        "CREATE (a:S {n: 1})-[:R]->(b:S {n: 2})-[:R]->(c:S {n: 3})-[:R]->(d:S {n: 4}), (a)-[:R]->(d)",
    );
    let r = run(
        &db,
        "MATCH p = shortestPath((a:S {n: 1})-[:R*]-(d:S {n: 4})) RETURN length(p)",
    );
    assert_eq!(ints(&r), vec![1]);
}

#[test]
fn explain_and_profile_describe_the_plan() {
    let db = db();
    social(&db);
    let r = run(&db, "EXPLAIN MATCH (p:Person)-[:KNOWS]->(f) RETURN f");
    assert!(r.rows.is_empty());
    let plan = r.plan.expect("plan");
    assert!(plan.contains("NodeByLabelScan"), "{plan}");
    assert!(plan.contains("Expand"), "{plan}");
    let r = run(&db, "PROFILE MATCH (p:Person)-[:KNOWS]->(f) RETURN f");
    assert_eq!(r.rows.len(), 2);
    assert!(r.plan.expect("plan").contains("rows: 2"));
}

#[test]
fn pattern_predicates_and_comprehensions() {
    let db = db();
    social(&db);
    let r = run(
        &db,
        "MATCH (p:Person) WHERE (p)-[:KNOWS]->() RETURN p.name AS n ORDER BY n",
    );
    assert_eq!(strings(&r), vec!["Ann", "Bob"]);
    let r = run(
        &db,
        "MATCH (p:Person {name: 'Ann'}) RETURN size([(p)-->(x) | x.name]) AS c",
    );
    assert_eq!(ints(&r), vec![2]);
    let r = run(
        &db,
        "MATCH (p:Person) WHERE EXISTS { MATCH (p)-[:LIVES_IN]->(:City) } RETURN p.name",
    );
    assert_eq!(strings(&r), vec!["Ann"]);
}

#[test]
fn cancelled_statement_is_a_transaction_error() {
    let db = db();
    run(&db, "UNWIND range(1, 3000) AS i CREATE (:N {v: i})");
    let cancel = skein::CancelToken::new();
    cancel.cancel();
    let options = skein::QueryOptions {
        cancel: Some(cancel),
        timeout: None,
        ..Default::default()
    };
    let e = db
        .execute_with(
            "MATCH (a:N), (b:N) RETURN count(*)",
            &Params::new(),
            &options,
        )
        .expect_err("cancelled");
    assert_eq!(e.class, ErrorClass::TransactionError);
}

#[test]
fn index_and_id_seeks_are_planned_and_correct() {
    let db = db();
    run(&db, "UNWIND range(1, 50) AS i CREATE (:P {k: i})");
    run(&db, "CREATE INDEX FOR (n:P) ON (n.k)");
    let r = run(&db, "EXPLAIN MATCH (n:P {k: 7}) RETURN n");
    let plan = r.plan.expect("plan");
    assert!(plan.contains("NodeIndexSeek"), "{plan}");
    let r = run(&db, "MATCH (n:P {k: 7}) RETURN n.k");
    assert_eq!(ints(&r), vec![7]);
    let r = run(&db, "MATCH (n:P) WHERE n.k >= 48 RETURN n.k ORDER BY n.k");
    assert_eq!(ints(&r), vec![48, 49, 50]);
    let id = ints(&run(&db, "MATCH (n:P {k: 3}) RETURN id(n)"))[0];
    let mut params = Params::new();
    params.insert("id".into(), Value::Int(id));
    let r = db
        .execute("EXPLAIN MATCH (n) WHERE id(n) = $id RETURN n", &params)
        .expect("explain");
    assert!(r.plan.expect("plan").contains("NodeByIdSeek"));
    let r = db
        .execute("MATCH (n) WHERE id(n) = $id RETURN n.k", &params)
        .expect("id seek");
    assert_eq!(ints(&r), vec![3]);
}

#[test]
fn limit_stops_the_scan_early() {
    let db = db();
    run(&db, "UNWIND range(1, 500) AS i CREATE (:N {v: i})");
    let r = run(&db, "PROFILE MATCH (n:N) RETURN n LIMIT 1");
    assert_eq!(r.rows.len(), 1);
    let plan = r.plan.expect("plan");
    let scan = plan
        .lines()
        .find(|l| l.contains("NodeByLabelScan"))
        .expect("scan line");
    assert!(scan.contains("rows: 1,"), "{plan}");
}

#[test]
fn distinct_reachability_matches_path_enumeration() {
    let db = db();
    run(
        &db,
        "UNWIND range(0, 30) AS i CREATE (:V {i: i}) \
         WITH 1 AS one MATCH (a:V), (b:V) WHERE b.i = (a.i * 7 + 3) % 31 OR b.i = (a.i + 1) % 31 \
         CREATE (a)-[:E]->(b)",
    );
    let distinct = run(
        &db,
        "MATCH (s:V {i: 0})-[:E*1..3]->(f) RETURN count(DISTINCT f)",
    );
    let by_paths = run(
        &db,
        "MATCH (s:V {i: 0})-[rs:E*1..3]->(f) WITH DISTINCT f RETURN count(*)",
    );
    assert_eq!(ints(&distinct), ints(&by_paths));
}

#[test]
fn counting_relationships_by_degree_matches_counting_rows() {
    let db = db();
    run(
        &db,
        "CREATE (a:K {k: 1}), (b:K {k: 2}), (c:K {k: 3}), \
         (a)-[:T]->(b), (a)-[:T]->(c), (b)-[:T]->(c), (c)-[:T]->(c), (a)-[:U]->(a)",
    );
    for pattern in [
        "(a:K)-[:T]->()",
        "(a:K)<-[:T]-()",
        "(a:K)--()",
        "(a:K)-[:T|U]-()",
    ] {
        let fast = run(
            &db,
            &format!("MATCH {pattern} RETURN a.k AS k, count(*) AS c ORDER BY k"),
        );
        let slow = run(
            &db,
            &format!("MATCH {pattern} WITH a RETURN a.k AS k, count(*) AS c ORDER BY k"),
        );
        assert_eq!(fast.rows.len(), slow.rows.len(), "{pattern}");
        for (x, y) in fast.rows.iter().zip(&slow.rows) {
            assert_eq!(x[0].equals(&y[0]), Some(true), "{pattern}");
            assert_eq!(x[1].equals(&y[1]), Some(true), "{pattern}");
        }
    }
    let plan = run(&db, "EXPLAIN MATCH (a:K)-[:T]->(f) RETURN count(f)")
        .plan
        .expect("plan");
    assert!(plan.contains("CountRelationships"), "{plan}");
}

/// Two hops from one node that nothing later reads are counted as pairs of
/// relationships (product less the relationships both hops match); the answers must be
/// those of building every row.
#[test]
fn paired_hops_count_like_enumeration() {
    let db = db();
    run(
        &db,
        "CREATE (a:A:B)-[:R]->(d:D {k: 1}), (b:B)-[:R]->(d), (c:C)-[:R]->(d), (d)-[:R]->(d), \
         (a)-[:R]->(e:D {k: 2}), (b)-[:R]->(e), (b)-[:S]->(e), (x:X)-[:T]->(d)",
    );
    let cases = [
        // a is both A and B: its relationship must not pair with itself.
        "MATCH (x:A)-[:R]->(d:D)<-[:R]-(y:B)",
        "MATCH (x:B)-[:R]->(d:D)<-[:R]-(y:B)",
        // Same type and direction: every relationship is on both hops.
        "MATCH (x)-[:R]->(d:D)<-[:R]-(y)",
        // Different types: no relationship is on both hops.
        "MATCH (x)-[:R]->(d:D)<-[:S]-(y)",
        // Both directions and a self-loop.
        "MATCH (x)-[:R]-(d:D)-[:R]-(y)",
        // A relationship bound by an earlier part of the pattern is not reused.
        "MATCH (w)-[:T]->(d:D), (d)<-[:R]-(x), (d)<-[:R]-(y)",
    ];
    for pattern in cases {
        for (counted, enumerated) in [
            ("RETURN count(*)", "RETURN sum(1)"),
            (
                "RETURN d.k AS k, count(*) AS n ORDER BY k",
                "RETURN d.k AS k, sum(1) AS n ORDER BY k",
            ),
        ] {
            let fast = run(&db, &format!("{pattern} {counted}"));
            let slow = run(&db, &format!("{pattern} {enumerated}"));
            assert_eq!(
                format!("{:?}", fast.rows),
                format!("{:?}", slow.rows),
                "{pattern} {counted}"
            );
        }
    }
    let plan = |q: &str| run(&db, &format!("EXPLAIN {q}")).plan.unwrap_or_default();
    let paired = plan("MATCH (x)-[:R]->(d:D)<-[:R]-(y) RETURN count(*)");
    assert!(paired.contains("CountRelationshipPairs"), "{paired}");
    // A far node that is returned needs its rows.
    let unpaired = plan("MATCH (x)-[:R]->(d:D)<-[:R]-(y) RETURN x, count(*)");
    assert!(!unpaired.contains("CountRelationshipPairs"), "{unpaired}");
}

/// A count over the last hop of a pattern is taken without building its rows; it must
/// still check the far node's labels and never reuse a relationship of the pattern.
#[test]
fn counted_last_hops_check_labels_and_uniqueness() {
    let db = db();
    run(
        &db,
        "CREATE (a:A:B)-[:R]->(d:D), (b:B)-[:R]->(d), (c:C)-[:R]->(d), (d)-[:R]->(d)",
    );
    let cases = [
        // x = a through r1; y may be b, not a again through r1.
        "MATCH (x:A)-[:R]->(d:D)<-[:R]-(y:B)",
        // Labels on the far node: only a and b are B.
        "MATCH (d:D)<-[:R]-(y:B)",
        // Without labels, uniqueness alone: every pair of distinct relationships.
        "MATCH (x)-[:R]->(d:D)<-[:R]-(y)",
        // Both directions, with the self-loop counted once per hop.
        "MATCH (d:D)-[:R]-(y)",
    ];
    for pattern in cases {
        let counted = ints(&run(&db, &format!("{pattern} RETURN count(*)")));
        let rows = run(&db, &format!("{pattern} RETURN 1")).rows.len() as i64;
        assert_eq!(counted, vec![rows], "{pattern}");
        // count(DISTINCT far node) takes the far nodes' ids without building rows.
        let distinct = ints(&run(&db, &format!("{pattern} RETURN count(DISTINCT y)")));
        let rows = run(&db, &format!("{pattern} RETURN DISTINCT y")).rows.len() as i64;
        assert_eq!(distinct, vec![rows], "{pattern}");
    }
    let plan = run(
        &db,
        "EXPLAIN MATCH (d:D)<-[:R]-(y:B) RETURN count(DISTINCT y)",
    )
    .plan
    .unwrap_or_default();
    assert!(plan.contains("ExpandDistinctNodes"), "{plan}");
    assert_eq!(
        ints(&run(
            &db,
            "MATCH (x:A)-[:R]->(d:D)<-[:R]-(y:B) RETURN count(*)"
        )),
        vec![1]
    );
    let plan = run(
        &db,
        "EXPLAIN MATCH (x:A)-[:R]->(d:D)<-[:R]-(y:B) RETURN count(*)",
    )
    .plan
    .unwrap_or_default();
    assert!(plan.contains("CountRelationships"), "{plan}");
}

/// Pattern labels are resolved to the store's tokens once per operator; a label that a
/// write earlier in the same statement brings into being must still be found.
#[test]
fn labels_created_earlier_in_a_statement_are_matched() {
    let db = db();
    run(&db, "CREATE (:X)");
    assert_eq!(
        ints(&run(
            &db,
            "MATCH (x:X) CREATE (:Fresh) WITH x MATCH (f:Fresh) RETURN count(f)"
        )),
        vec![1]
    );
    assert_eq!(
        ints(&run(
            &db,
            "MATCH (x:X) CREATE (x)-[:R]->(:Later) WITH x MATCH (x)-[:R]->(y:Later) RETURN count(y)"
        )),
        vec![1]
    );
}

/// Comparisons of a scanned node's properties are tested inside the scan (before the
/// row exists); they must keep exactly the nodes a general filter keeps: nulls,
/// missing properties, mixed types, constants on either side, parameters, several
/// filters in a row, and nodes written by the running transaction.
#[test]
fn filters_taken_into_a_scan_keep_what_a_general_filter_keeps() {
    let db = db();
    run(
        &db,
        "UNWIND range(0, 59) AS i \
         CREATE (:T {id: i, \
                     v: CASE i % 6 WHEN 0 THEN i WHEN 1 THEN toFloat(i) / 2 WHEN 2 THEN toString(i) \
                               WHEN 3 THEN null WHEN 4 THEN i > 30 ELSE [i] END, \
                     w: i % 7})",
    );
    let predicates = [
        "p.v > 20",
        "20 > p.v",
        "p.v = 12",
        "p.v <> 12",
        "p.v >= '3'",
        "p.v = true",
        "p.missing = 1",
        "p.v <= $bound",
        "p.w = 3",
    ];
    let mut params = Params::new();
    params.insert("bound".into(), Value::Int(17));
    let ids = |query: &str| -> Vec<i64> {
        match db.execute(query, &params) {
            Ok(r) => ints(&r),
            Err(e) => panic!("{query}: {e}"),
        }
    };
    for p in predicates {
        let taken = ids(&format!("MATCH (p:T) WHERE {p} RETURN p.id ORDER BY p.id"));
        let general = ids(&format!(
            "MATCH (p:T) WHERE ({p}) OR false RETURN p.id ORDER BY p.id"
        ));
        assert_eq!(taken, general, "{p}");
        assert!(taken.len() < 60, "{p} keeps every node");
    }
    let two = ids("MATCH (p:T) WHERE p.w > 2 AND p.v < 40 RETURN p.id ORDER BY p.id");
    let two_general =
        ids("MATCH (p:T) WHERE (p.w > 2 AND p.v < 40) OR false RETURN p.id ORDER BY p.id");
    assert_eq!(two, two_general);
    assert!(!two.is_empty());

    let mut txn = db.begin().expect("begin");
    txn.execute("MATCH (p:T) WHERE p.id < 10 SET p.w = 100", &Params::new())
        .expect("set");
    txn.execute("CREATE (:T {id: 100, w: 100})", &Params::new())
        .expect("create");
    let rows = txn
        .execute(
            "MATCH (p:T) WHERE p.w = 100 RETURN count(*)",
            &Params::new(),
        )
        .expect("count")
        .rows;
    assert!(matches!(rows.as_slice(), [row] if matches!(row.as_slice(), [Value::Int(11)])));
}
