//! `LOAD CSV [WITH HEADERS] FROM source AS row [FIELDTERMINATOR 'c']`, as Neo4j reads
//! CSV: each record a list of strings, or with headers a map from the first record's
//! names; an empty field is null; quoted fields keep separators and newlines; the source
//! is a local file (`file:///path` or a path), evaluated per input row.

use skein::{Database, ErrorClass, Params};
use std::path::Path;

mod common;
use common::rows_text as run;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write csv");
    path.display().to_string()
}

#[test]
fn rows_are_lists_or_maps_with_headers() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(
        dir.path(),
        "people.csv",
        "name,age,city\nAnna,30,Moscow\n\"Kim, Jong\",,\"Pyong\nyang\"\nShort\n",
    );
    let db = Database::open_temporary().expect("database");
    assert_eq!(
        run(&db, &format!("LOAD CSV FROM 'file://{path}' AS r RETURN r")),
        [
            "['name', 'age', 'city']",
            "['Anna', '30', 'Moscow']",
            "['Kim, Jong', null, 'Pyong\\nyang']",
            "['Short']",
        ]
    );
    assert_eq!(
        run(
            &db,
            &format!(
                "LOAD CSV WITH HEADERS FROM '{path}' AS row RETURN row.name, row.age, row.city"
            )
        ),
        [
            "'Anna' | '30' | 'Moscow'",
            "'Kim, Jong' | null | 'Pyong\\nyang'",
            "'Short' | null | null",
        ]
    );
}

#[test]
fn loads_and_reshapes_into_the_graph() {
    let dir = tempfile::tempdir().expect("dir");
    let people = write(dir.path(), "people.csv", "id;name\n1;Anna\n2;Boris\n");
    let knows = write(dir.path(), "knows.csv", "1,2\n2,1\n");
    let db = Database::open_temporary().expect("database");
    let result = db
        .execute(
            &format!(
                "LOAD CSV WITH HEADERS FROM '{people}' AS row FIELDTERMINATOR ';' \
                 CREATE (:Person {{id: toInteger(row.id), name: row.name}})"
            ),
            &Params::new(),
        )
        .expect("load people");
    assert_eq!(result.stats.nodes_created, 2);
    run(
        &db,
        &format!(
            "LOAD CSV FROM '{knows}' AS r MATCH (a:Person {{id: toInteger(r[0])}}), \
             (b:Person {{id: toInteger(r[1])}}) CREATE (a)-[:KNOWS]->(b)"
        ),
    );
    assert_eq!(
        run(
            &db,
            "MATCH (a)-[:KNOWS]->(b) RETURN a.name, b.name ORDER BY a.name"
        ),
        ["'Anna' | 'Boris'", "'Boris' | 'Anna'"]
    );
}

#[test]
fn the_source_is_evaluated_per_row_and_read_lazily() {
    let dir = tempfile::tempdir().expect("dir");
    let a = write(dir.path(), "a.csv", "1\n2\n");
    let b = write(dir.path(), "b.csv", "3\n");
    let big: String = (0..100_000).map(|i| format!("{i},x\n")).collect();
    let big = write(dir.path(), "big.csv", &big);
    let db = Database::open_temporary().expect("database");
    assert_eq!(
        run(
            &db,
            &format!("UNWIND ['{a}', '{b}'] AS f LOAD CSV FROM f AS r RETURN r[0] AS v")
        ),
        ["'1'", "'2'", "'3'"]
    );
    assert_eq!(
        run(
            &db,
            &format!("LOAD CSV FROM '{big}' AS r RETURN r[0] AS v LIMIT 2")
        ),
        ["'0'", "'1'"]
    );
    assert_eq!(
        run(
            &db,
            &format!("LOAD CSV FROM '{big}' AS r RETURN count(*) AS n")
        ),
        ["100000"]
    );
}

#[test]
fn bad_sources_are_clear_errors_that_write_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.csv").display().to_string();
    let db = Database::open_temporary().expect("database");
    for (query, class, words) in [
        (
            format!("CREATE (:Before) WITH 1 AS x LOAD CSV FROM '{missing}' AS r RETURN r"),
            ErrorClass::IoError,
            "LOAD CSV cannot read",
        ),
        (
            "LOAD CSV FROM 'https://example.org/a.csv' AS r RETURN r".to_string(),
            ErrorClass::IoError,
            "local files only",
        ),
        (
            "LOAD CSV FROM 42 AS r RETURN r".to_string(),
            ErrorClass::TypeError,
            "needs a string",
        ),
        (
            format!("LOAD CSV FROM '{missing}' AS r FIELDTERMINATOR ';;' RETURN r"),
            ErrorClass::SyntaxError,
            "one ASCII character",
        ),
    ] {
        let error = db.execute(&query, &Params::new()).expect_err("refused");
        assert_eq!(error.class, class, "{query}: {error}");
        assert!(error.message.contains(words), "{query}: {error}");
        assert!(error.position.is_some(), "{query}: {error}");
    }
    assert_eq!(run(&db, "MATCH (n:Before) RETURN count(n)"), ["0"]);
}
