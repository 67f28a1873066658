//! `SHOW PROCEDURES` and `SHOW FUNCTIONS`, as Neo4j 5 has them: one row per procedure
//! or function, filtered by `WHERE` or narrowed by `YIELD … [WHERE …]` and a following
//! `RETURN`; they read `db.procedures()` and `db.functions()`, which list the registry
//! (built-ins, the algorithm library and procedures a program registers) and the
//! function catalogue the binder checks calls against.

use skein::{Database, Params, ProcedureSpec, Value};

fn run(db: &Database, query: &str) -> (Vec<String>, Vec<Vec<Value>>) {
    match db.execute(query, &Params::new()) {
        Ok(r) => (r.columns, r.rows),
        Err(e) => panic!("{query}: {e}"),
    }
}

fn strings(rows: &[Vec<Value>]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            r.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

#[test]
fn show_procedures_lists_every_callable_procedure() {
    let db = Database::open_temporary().expect("database");
    let (columns, rows) = run(&db, "SHOW PROCEDURES");
    assert_eq!(columns, ["name", "signature", "description", "mode"]);
    let names: Vec<String> = rows.iter().map(|r| r[0].to_string()).collect();
    for expected in [
        "'db.labels'",
        "'db.procedures'",
        "'algo.pageRank'",
        "'algo.list'",
    ] {
        assert!(names.contains(&expected.to_string()), "{names:?}");
    }
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "ordered by name");
    // Every procedure listed can be called (its signature is the registry's).
    let (_, rows) = run(
        &db,
        "SHOW PROCEDURES YIELD name, signature WHERE name = 'db.labels' RETURN signature",
    );
    assert_eq!(strings(&rows), ["'db.labels() :: (label :: STRING?)'"]);
}

#[test]
fn registered_procedures_are_listed_too() {
    let db = Database::open_temporary().expect("database");
    db.register_procedure(ProcedureSpec {
        name: "my.lookup".to_string(),
        inputs: vec![("key".to_string(), "STRING?".to_string())],
        outputs: vec![("value".to_string(), "INTEGER?".to_string())],
        rows: vec![vec![Value::from("a"), Value::Int(1)]],
    })
    .expect("registered");
    let (_, rows) = run(
        &db,
        "SHOW PROCEDURES WHERE name STARTS WITH 'my.' RETURN name, signature",
    );
    assert_eq!(
        strings(&rows),
        ["'my.lookup' | 'my.lookup(key :: STRING?) :: (value :: INTEGER?)'"]
    );
}

#[test]
fn show_functions_lists_the_catalogue_with_arities() {
    let db = Database::open_temporary().expect("database");
    let (columns, _) = run(&db, "SHOW FUNCTIONS");
    assert_eq!(
        columns,
        [
            "name",
            "category",
            "aggregating",
            "minArguments",
            "maxArguments"
        ]
    );
    let (_, rows) = run(
        &db,
        "SHOW FUNCTIONS WHERE name IN ['coalesce', 'substring', 'count', 'date.truncate'] \
         RETURN name, category, aggregating, minArguments, maxArguments",
    );
    assert_eq!(
        strings(&rows),
        [
            "'coalesce' | 'Scalar' | false | 1 | null",
            "'count' | 'Aggregating' | true | 1 | 1",
            "'date.truncate' | 'Temporal' | false | 0 | null",
            "'substring' | 'Scalar' | false | 2 | 3",
        ]
    );
    // Every scalar function listed is one the binder accepts.
    let (_, rows) = run(
        &db,
        "SHOW FUNCTIONS YIELD name, category WHERE category = 'Scalar' RETURN name",
    );
    assert!(rows.len() > 50, "{}", rows.len());
    let (_, rows) = run(
        &db,
        "SHOW FUNCTION YIELD name WHERE name IN ['toUpper', 'percentileCont', \
         'duration.inMonths', 'elementId'] RETURN count(*) AS n",
    );
    assert_eq!(strings(&rows), ["4"], "listed as Neo4j spells them");
}
