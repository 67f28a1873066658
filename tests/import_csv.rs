//! Bulk CSV import through the API and the binary: a good import and its counts and
//! values, and the error cases, each of which must leave the database as it was.

use skein::{ColumnDeclaration, Database, Error, ImportRequest, ImportSummary, Params, Value};
use std::path::{Path, PathBuf};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A tiny data set in the benchmark layout, with a manifest giving the column types.
fn write_data_set(dir: &Path) -> std::io::Result<()> {
    std::fs::write(
        dir.join("nodes_Person.csv"),
        "id,name,age,born,score,active\n\
         1,Ann,34,1990-04-01,0.5,true\n\
         2,Bob,41,1983-12-24,0.25,false\n\
         3,\"Cy, Jr.\",29,1995-07-15,1.0,true\n",
    )?;
    std::fs::write(
        dir.join("nodes_Country.csv"),
        "id,name,iso\n10,Freedonia,FRE\n11,Sylvania,SYL\n",
    )?;
    std::fs::write(
        dir.join("rels_KNOWS.csv"),
        "src,dst,since\n1,2,2001\n2,3,2010\n1,3,1999\n",
    )?;
    std::fs::write(
        dir.join("rels_LOCATED_IN.csv"),
        "src,dst\n1,10\n2,10\n3,11\n",
    )?;
    std::fs::write(
        dir.join("manifest.json"),
        r#"{"nodes": {
              "Person": {"columns": [["id","INT64"],["name","STRING"],["age","INT64"],
                                     ["born","DATE"],["score","DOUBLE"],["active","BOOL"]]},
              "Country": {"columns": [["id","INT64"],["name","STRING"],["iso","STRING"]]}},
            "rels": {
              "KNOWS": {"columns": [["src","INT64"],["dst","INT64"],["since","INT64"]]},
              "LOCATED_IN": {"columns": [["src","INT64"],["dst","INT64"]]}}}"#,
    )
}

fn request(dir: &Path) -> ImportRequest {
    ImportRequest {
        nodes: vec![dir.join("nodes_Person.csv"), dir.join("nodes_Country.csv")],
        relationships: vec![dir.join("rels_KNOWS.csv"), dir.join("rels_LOCATED_IN.csv")],
        declarations: Vec::new(),
        source: None,
        ..ImportRequest::default()
    }
}

fn run_import(db: &Database, request: &ImportRequest) -> Result<ImportSummary, Error> {
    db.import_csv(request, &mut |_| {})
}

/// The first value of the first row, as a Cypher literal.
fn single(db: &Database, query: &str) -> Result<String, Error> {
    let result = db.execute(query, &Params::new())?;
    Ok(result
        .rows
        .first()
        .and_then(|row| row.first())
        .map_or_else(|| Value::Null.to_string(), Value::to_string))
}

/// Everything in the database, in a fixed order, to compare before and after.
fn snapshot(db: &Database) -> Result<Vec<String>, Error> {
    let nodes = db.execute(
        "MATCH (n) RETURN labels(n) AS l, properties(n) AS p ORDER BY n.id",
        &Params::new(),
    )?;
    let rels = db.execute(
        "MATCH (a)-[r]->(b) RETURN a.id, type(r), properties(r), b.id ORDER BY a.id, b.id, type(r)",
        &Params::new(),
    )?;
    Ok(nodes
        .rows
        .iter()
        .chain(rels.rows.iter())
        .map(|row| format!("{row:?}"))
        .collect())
}

#[test]
fn imports_nodes_relationships_and_typed_values() -> TestResult {
    let dir = tempfile::tempdir()?;
    write_data_set(dir.path())?;
    let db = Database::open_temporary()?;
    let summary = run_import(&db, &request(dir.path()))?;
    assert_eq!(
        (summary.nodes, summary.relationships, summary.files),
        (5, 6, 4)
    );

    assert_eq!(single(&db, "MATCH (p:Person) RETURN count(p)")?, "3");
    assert_eq!(single(&db, "MATCH (c:Country) RETURN count(c)")?, "2");
    assert_eq!(single(&db, "MATCH ()-[r:KNOWS]->() RETURN count(r)")?, "3");
    assert_eq!(
        single(
            &db,
            "MATCH (:Person)-[r:LOCATED_IN]->(:Country) RETURN count(r)"
        )?,
        "3"
    );
    // Typed values: integer, float, boolean, date; the id stays as a property; a quoted
    // field keeps its comma.
    assert_eq!(
        single(&db, "MATCH (p:Person {name: 'Bob'}) RETURN p.age")?,
        "41"
    );
    assert_eq!(
        single(&db, "MATCH (p:Person {name: 'Bob'}) RETURN p.score")?,
        "0.25"
    );
    assert_eq!(
        single(&db, "MATCH (p:Person {name: 'Bob'}) RETURN p.active")?,
        "false"
    );
    assert_eq!(
        single(
            &db,
            "MATCH (p:Person {name: 'Bob'}) RETURN p.born = date('1983-12-24')"
        )?,
        "true"
    );
    assert_eq!(
        single(&db, "MATCH (p:Person {id: 3}) RETURN p.name")?,
        "'Cy, Jr.'"
    );
    // Relationships join the right nodes and carry their properties, not src/dst.
    assert_eq!(
        single(
            &db,
            "MATCH (:Person {name: 'Ann'})-[k:KNOWS]->(:Person {name: 'Cy, Jr.'}) RETURN k.since"
        )?,
        "1999"
    );
    assert_eq!(
        single(&db, "MATCH ()-[k:KNOWS]->() RETURN count(k.src)")?,
        "0"
    );
    assert_eq!(
        single(
            &db,
            "MATCH (p:Person)-[:LOCATED_IN]->(c:Country {iso: 'SYL'}) RETURN p.name"
        )?,
        "'Cy, Jr.'"
    );
    Ok(())
}

#[test]
fn header_types_and_declarations_replace_a_manifest() -> TestResult {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("people.csv"),
        "id,name,age:INT,born:DATE,height\n7,Dee,52,1972-01-02,1.80\n",
    )?;
    let db = Database::open_temporary()?;
    let request = ImportRequest {
        nodes: vec![PathBuf::from(format!(
            "Human={}",
            dir.path().join("people.csv").display()
        ))],
        relationships: Vec::new(),
        declarations: vec![ColumnDeclaration::parse("Human.height=FLOAT")?],
        source: None,
        ..ImportRequest::default()
    };
    run_import(&db, &request)?;
    assert_eq!(
        single(&db, "MATCH (h:Human {id: 7}) RETURN h.age + 1")?,
        "53"
    );
    assert_eq!(single(&db, "MATCH (h:Human) RETURN h.height")?, "1.8");
    assert_eq!(single(&db, "MATCH (h:Human) RETURN h.born.year")?, "1972");
    Ok(())
}

/// Imports the good data set, then a broken variant of it, and checks that the second
/// import fails with a message naming `expected` pieces and changes nothing.
fn assert_failed_import_changes_nothing(
    break_data: impl Fn(&Path) -> std::io::Result<()>,
    expected: &[&str],
) -> TestResult {
    let good = tempfile::tempdir()?;
    write_data_set(good.path())?;
    let broken = tempfile::tempdir()?;
    write_data_set(broken.path())?;
    break_data(broken.path())?;

    let db_dir = tempfile::tempdir()?;
    let db = Database::open(db_dir.path().join("db"))?;
    run_import(&db, &request(good.path()))?;
    let before = snapshot(&db)?;
    let error = match run_import(&db, &request(broken.path())) {
        Ok(summary) => return Err(format!("the broken import succeeded: {summary}").into()),
        Err(error) => error,
    };
    for piece in expected {
        assert!(
            error.message.contains(piece),
            "'{}' should mention '{piece}'",
            error.message
        );
    }
    assert_eq!(snapshot(&db)?, before);
    // Ids of the failed import are free again: the database goes on working.
    db.execute("CREATE (:Person {name: 'after'})", &Params::new())?;
    assert_eq!(single(&db, "MATCH (p:Person) RETURN count(p)")?, "4");
    Ok(())
}

#[test]
fn a_bad_value_names_file_line_column_and_value() -> TestResult {
    assert_failed_import_changes_nothing(
        |dir| {
            std::fs::write(
                dir.join("nodes_Person.csv"),
                "id,name,age,born,score,active\n21,Eve,30,1990-01-01,0.1,true\n22,Fay,old,1990-01-01,0.1,true\n",
            )
        },
        &[
            "nodes_Person.csv",
            "line 3",
            "column 3 (age)",
            "'old'",
            "integer",
        ],
    )
}

#[test]
fn a_bad_date_is_refused() -> TestResult {
    assert_failed_import_changes_nothing(
        |dir| {
            std::fs::write(
                dir.join("nodes_Person.csv"),
                "id,name,age,born,score,active\n21,Eve,30,1990-02-30,0.1,true\n",
            )
        },
        &[
            "nodes_Person.csv",
            "line 2",
            "column 4 (born)",
            "'1990-02-30'",
        ],
    )
}

#[test]
fn a_missing_endpoint_names_the_id() -> TestResult {
    assert_failed_import_changes_nothing(
        |dir| {
            std::fs::write(
                dir.join("rels_KNOWS.csv"),
                "src,dst,since\n1,2,2001\n1,99,2002\n",
            )
        },
        &["rels_KNOWS.csv", "line 3", "column 2 (dst)", "'99'"],
    )
}

#[test]
fn a_duplicate_id_names_both_places() -> TestResult {
    assert_failed_import_changes_nothing(
        |dir| {
            std::fs::write(
                dir.join("nodes_Country.csv"),
                "id,name,iso\n10,Freedonia,FRE\n2,Dup,DUP\n",
            )
        },
        &[
            "nodes_Country.csv",
            "line 3",
            "column 1 (id)",
            "'2'",
            "nodes_Person.csv line 3",
        ],
    )
}

#[test]
fn a_short_row_is_refused() -> TestResult {
    assert_failed_import_changes_nothing(
        |dir| std::fs::write(dir.join("rels_LOCATED_IN.csv"), "src,dst\n1,10\n2\n"),
        &["rels_LOCATED_IN.csv", "line 3", "expected 2 fields"],
    )
}

#[test]
fn the_binary_imports_and_reports() -> TestResult {
    let dir = tempfile::tempdir()?;
    write_data_set(dir.path())?;
    let db_path = dir.path().join("db");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("--db")
        .arg(&db_path)
        .arg("import")
        .arg("--nodes")
        .arg(dir.path().join("nodes_Person.csv"))
        .arg(dir.path().join("nodes_Country.csv"))
        .arg("--relationships")
        .arg(dir.path().join("rels_KNOWS.csv"))
        .arg(dir.path().join("rels_LOCATED_IN.csv"))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("imported 5 nodes and 6 relationships"),
        "{stderr}"
    );

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("--db")
        .arg(&db_path)
        .arg("import")
        .arg("--relationships")
        .arg(dir.path().join("rels_KNOWS.csv"))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no node with id '1'"), "{stderr}");
    Ok(())
}
