//! Plans kept by statement text: a statement run again gives what planning it afresh
//! gives, after its schema, its parameters or the procedures it calls have changed.

use skein::{Database, ErrorClass, Params, ProcedureSpec, Value};

fn db() -> Database {
    Database::open_temporary().expect("temporary database")
}

/// The one integer `query` returns.
fn count(db: &Database, query: &str, params: &Params) -> i64 {
    match db.execute(query, params).map(|r| r.rows) {
        Ok(rows) => match rows.first().and_then(|row| row.first()) {
            Some(Value::Int(n)) => *n,
            other => panic!("{query}: expected a count, got {other:?}"),
        },
        Err(e) => panic!("{query}: {e}"),
    }
}

fn run(db: &Database, query: &str) {
    if let Err(e) = db.execute(query, &Params::new()) {
        panic!("{query}: {e}");
    }
}

/// A plan that seeks an index must not outlive the index: once it is dropped, nodes
/// created afterwards are found by a scan. (The counts stay within one power of two,
/// so only the schema tells the plans apart.)
#[test]
fn dropping_an_index_replans_the_statements_that_used_it() {
    let db = db();
    run(&db, "CREATE INDEX p_k FOR (p:P) ON (p.k)");
    run(
        &db,
        "CREATE (:P {k: 1}), (:P {k: 2}), (:P {k: 2}), (:P {k: 2})",
    );
    let query = "MATCH (p:P {k: 1}) RETURN count(p)";
    assert_eq!(count(&db, query, &Params::new()), 1);
    run(&db, "DROP INDEX p_k");
    run(&db, "CREATE (:P {k: 1})");
    assert_eq!(count(&db, query, &Params::new()), 2);
    run(&db, "CREATE INDEX p_k FOR (p:P) ON (p.k)");
    run(&db, "CREATE (:P {k: 1})");
    assert_eq!(count(&db, query, &Params::new()), 3);
}

/// The same text without a parameter it needs is refused, even after it ran with it,
/// and even where running it would never read the parameter.
#[test]
fn a_missing_parameter_is_reported_after_a_run_that_had_it() {
    let db = db();
    let query = "MATCH (p:P) WHERE p.k = $k RETURN count(p)";
    let mut params = Params::new();
    params.insert("k".into(), Value::Int(1));
    assert_eq!(count(&db, query, &params), 0);
    let error = db.execute(query, &Params::new()).expect_err("no $k");
    assert_eq!(error.class, ErrorClass::ParameterMissing);
    assert_eq!(count(&db, query, &params), 0);
}

/// A procedure registered again with other outputs is checked against its new
/// signature.
#[test]
fn registering_a_procedure_again_replans_its_calls() {
    let db = db();
    let register = |outputs: &[&str], row: Vec<Value>| {
        db.register_procedure(ProcedureSpec {
            name: "test.rows".into(),
            inputs: Vec::new(),
            outputs: outputs
                .iter()
                .map(|o| (o.to_string(), "INTEGER?".to_string()))
                .collect(),
            rows: vec![row],
        })
        .expect("register");
    };
    register(&["x"], vec![Value::Int(7)]);
    let query = "CALL test.rows() YIELD x RETURN x";
    assert_eq!(count(&db, query, &Params::new()), 7);
    register(&["y", "x"], vec![Value::Int(1), Value::Int(8)]);
    assert_eq!(count(&db, query, &Params::new()), 8);
    register(&["y"], vec![Value::Int(9)]);
    let error = db.execute(query, &Params::new()).expect_err("no output x");
    assert_eq!(error.class, ErrorClass::SyntaxError);
}

/// Statements inside an explicit transaction see its own schema changes, and a rolled
/// back index is not used afterwards.
#[test]
fn plans_follow_schema_changes_inside_transactions() {
    let db = db();
    run(&db, "CREATE (:P {k: 1})");
    let query = "MATCH (p:P {k: 1}) RETURN count(p)";
    assert_eq!(count(&db, query, &Params::new()), 1);
    let mut txn = db.begin().expect("begin");
    txn.execute("CREATE INDEX p_k FOR (p:P) ON (p.k)", &Params::new())
        .expect("index");
    txn.execute("CREATE (:P {k: 1})", &Params::new())
        .expect("create");
    let rows = txn.execute(query, &Params::new()).expect("query").rows;
    assert!(matches!(rows.as_slice(), [row] if matches!(row.as_slice(), [Value::Int(2)])));
    txn.rollback();
    run(&db, "CREATE (:P {k: 1})");
    assert_eq!(count(&db, query, &Params::new()), 2);
}
