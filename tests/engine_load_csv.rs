//! `LOAD CSV [WITH HEADERS] FROM source AS row [FIELDTERMINATOR 'c']`, as Neo4j reads
//! CSV: each record a list of strings, or with headers a map from the first record's
//! names; an empty field is null; quoted fields keep separators and newlines; the source
//! is a local file below the database's import folder (`file:///name`, a path relative to
//! it, or an absolute path inside it), evaluated per input row; nothing outside the
//! folder can be read.

use skein::{Database, ErrorClass, Params};
use std::path::Path;

mod common;
use common::rows_text as run;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write csv");
    path.display().to_string()
}

/// A database whose import folder is `dir`.
fn database_reading(dir: &Path) -> Database {
    let db = Database::open_temporary().expect("database");
    db.set_import_dir(Some(dir)).expect("import folder");
    db
}

#[test]
fn rows_are_lists_or_maps_with_headers() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(
        dir.path(),
        "people.csv",
        "name,age,city\nAnna,30,Moscow\n\"Kim, Jong\",,\"Pyong\nyang\"\nShort\n",
    );
    let db = database_reading(dir.path());
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
    let db = database_reading(dir.path());
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
    let db = database_reading(dir.path());
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
    let db = database_reading(dir.path());
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

#[test]
fn only_files_inside_the_import_folder_are_read() {
    let outside = tempfile::tempdir().expect("dir");
    let secret = write(outside.path(), "secret.csv", "s\n");
    let dir = tempfile::tempdir().expect("dir");
    std::fs::create_dir(dir.path().join("sub")).expect("sub folder");
    write(&dir.path().join("sub"), "in.csv", "a\n");
    let db = database_reading(dir.path());
    // Relative paths and file:/// URLs name files inside the folder, as in Neo4j.
    for source in ["sub/in.csv", "file:///sub/in.csv", "./sub/../sub/in.csv"] {
        let query = format!("LOAD CSV FROM '{source}' AS r RETURN r[0] AS a");
        assert_eq!(run(&db, &query), ["'a'"], "{query}");
    }
    let escape = format!(
        "../{}/secret.csv",
        outside
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .expect("name")
    );
    #[cfg(unix)]
    std::os::unix::fs::symlink(&secret, dir.path().join("link.csv")).expect("symlink");
    let mut refused = vec![secret.clone(), escape, format!("file://{secret}")];
    if cfg!(unix) {
        refused.push("link.csv".to_string());
    }
    for source in refused {
        let query = format!("LOAD CSV FROM '{source}' AS r RETURN r");
        let error = db.execute(&query, &Params::new()).expect_err(&query);
        assert_eq!(error.class, ErrorClass::IoError, "{query}: {error}");
        assert!(
            error.message.contains("outside") || error.message.contains("cannot read"),
            "{query}: {error}"
        );
        assert!(!error.message.contains("\ns\n"), "{query}: {error}");
    }
    // An absolute path outside is refused as outside, not as missing.
    let error = db
        .execute(
            &format!("LOAD CSV FROM '{secret}' AS r RETURN r"),
            &Params::new(),
        )
        .expect_err("outside");
    assert!(
        error.message.contains("inside the import folder"),
        "{error}"
    );
    // With no folder, LOAD CSV is off.
    db.set_import_dir(None).expect("off");
    let error = db
        .execute("LOAD CSV FROM 'sub/in.csv' AS r RETURN r", &Params::new())
        .expect_err("off");
    assert!(error.message.contains("LOAD CSV is off"), "{error}");
    // A folder that does not exist is refused when set.
    let error = db
        .set_import_dir(Some(&dir.path().join("nowhere")))
        .expect_err("no such folder");
    assert!(error.message.contains("is not a folder"), "{error}");
}
