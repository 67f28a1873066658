//! Loading fact files through the public API: `.jsonl` node and relationship lines,
//! idempotent loading, one transaction per file, and errors that name file, line and
//! column.

use skein::{Database, Params, Value};
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const FACTS: &str = r#"{"node": {"label": "Country", "key": {"name": "Russia"}, "properties": {"aliases": ["Russian Federation"], "kind": "country"}}}
{"node": {"label": "Country", "key": {"name": "North Korea"}, "properties": {"aliases": ["DPRK"]}}}

{"node": {"label": "Event", "key": {"name": "Write-off"}, "properties": {"date": {"$date": "2014-05-05"}, "year_inferred": true}}}
{"relationship": {"type": "ALLIED_WITH", "from": {"label": "Country", "key": {"name": "Russia"}}, "to": {"label": "Country", "key": {"name": "North Korea"}}, "key": {"paragraph": 6}, "properties": {"share": 0.9, "term_years": 20}}}
"#;

fn load(db: &Database, path: &Path) -> Result<Vec<skein::FileReport>, skein::Error> {
    db.load(path, &mut |_, _| {})
}

fn rows(db: &Database, query: &str) -> Result<Vec<Vec<Value>>, skein::Error> {
    Ok(db.execute(query, &Params::new())?.rows)
}

fn count(db: &Database, query: &str) -> Result<i64, Box<dyn std::error::Error>> {
    match rows(db, query)?.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => Ok(*n),
        other => Err(format!("expected a count, got {other:?}").into()),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::io::Result<std::path::PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, text)?;
    Ok(path)
}

fn failure(db: &Database, path: &Path) -> Result<skein::Error, Box<dyn std::error::Error>> {
    match load(db, path) {
        Ok(_) => Err(format!("{} loaded without error", path.display()).into()),
        Err(error) => Ok(error),
    }
}

#[test]
fn jsonl_nodes_and_relationships_load_with_their_values() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = write(dir.path(), "facts.jsonl", FACTS)?;
    let db = Database::open_temporary()?;
    let reports = load(&db, &file)?;
    let [report] = reports.as_slice() else {
        return Err("expected one report".into());
    };
    assert_eq!(report.statements, 4);
    assert_eq!(report.stats.nodes_created, 3);
    assert_eq!(report.stats.relationships_created, 1);
    let found = rows(
        &db,
        "MATCH (a:Country)-[r:ALLIED_WITH]->(b:Country) \
         RETURN a.aliases, r.paragraph, r.share, r.term_years, b.name",
    )?;
    let [row] = found.as_slice() else {
        return Err(format!("expected one row: {found:?}").into());
    };
    assert!(matches!(row.first(), Some(Value::List(l)) if l.len() == 1));
    assert!(matches!(row.get(1), Some(Value::Int(6))));
    assert!(matches!(row.get(2), Some(Value::Float(f)) if *f == 0.9));
    assert!(matches!(row.get(3), Some(Value::Int(20))));
    assert!(matches!(row.get(4), Some(Value::String(s)) if s == "North Korea"));
    let date = rows(&db, "MATCH (e:Event) RETURN e.date = date('2014-05-05')")?;
    assert!(matches!(
        date.first().and_then(|r| r.first()),
        Some(Value::Bool(true))
    ));
    Ok(())
}

#[test]
fn jsonl_loads_twice_to_the_same_graph() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = write(dir.path(), "facts.jsonl", FACTS)?;
    let db = Database::open_temporary()?;
    load(&db, &file)?;
    let second = load(&db, &file)?;
    let created: u64 = second
        .iter()
        .map(|r| r.stats.nodes_created + r.stats.relationships_created)
        .sum();
    assert_eq!(created, 0);
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)")?, 3);
    assert_eq!(count(&db, "MATCH ()-[r]->() RETURN count(r)")?, 1);
    Ok(())
}

#[test]
fn jsonl_line_naming_a_missing_node_loads_nothing() -> TestResult {
    let dir = tempfile::tempdir()?;
    let text = format!(
        "{}\n{}\n",
        r#"{"node": {"label": "Country", "key": {"name": "Russia"}}}"#,
        r#"{"relationship": {"type": "ALLIED_WITH", "from": {"label": "Country", "key": {"name": "Russia"}}, "to": {"label": "Country", "key": {"name": "Rusia"}}}}"#
    );
    let file = write(dir.path(), "typo.jsonl", &text)?;
    let db = Database::open_temporary()?;
    let error = failure(&db, &file)?;
    assert_eq!(error.class, skein::ErrorClass::EntityNotFound);
    assert!(
        error.message.contains("typo.jsonl:2:1"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains(r#"{"name":"Rusia"}"#),
        "{}",
        error.message
    );
    assert!(error.message.contains("\"to\" node"), "{}", error.message);
    assert_eq!(count(&db, "MATCH (n) RETURN count(n)")?, 0);
    Ok(())
}

#[test]
fn malformed_jsonl_lines_name_line_column_and_problem() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = Database::open_temporary()?;
    let good = r#"{"node": {"label": "Country", "key": {"name": "Russia"}}}"#;
    let cases = [
        (
            r#"{"node": {"label": "Country", "key": {"name": "China"}"#,
            "EOF",
        ),
        (
            r#"{"nod": {"label": "Country", "key": {"name": "China"}}}"#,
            "unknown variant",
        ),
        (
            r#"{"node": {"label": "Country", "key": {"name": "China"}, "colour": 1}}"#,
            "unknown field",
        ),
        (
            r#"{"node": {"label": "Country", "key": {}}}"#,
            "empty \"key\"",
        ),
        (
            r#"{"node": {"label": "Country", "key": {"name": "China"}, "properties": {"m": {"a": 1}}}}"#,
            "cannot be a map",
        ),
    ];
    for (i, (bad, problem)) in cases.iter().enumerate() {
        let file = write(
            dir.path(),
            &format!("bad{i}.jsonl"),
            &format!("{good}\n\n{bad}\n"),
        )?;
        let error = failure(&db, &file)?;
        assert_eq!(error.position.map(|p| p.line), Some(3), "{}", error.message);
        assert!(
            error.message.contains(&format!("bad{i}.jsonl:3:")),
            "{}",
            error.message
        );
        assert!(error.message.contains(problem), "{}", error.message);
        assert_eq!(count(&db, "MATCH (n) RETURN count(n)")?, 0);
    }
    Ok(())
}

#[test]
fn cypher_and_jsonl_files_of_a_folder_load_in_name_order() -> TestResult {
    let dir = tempfile::tempdir()?;
    write(dir.path(), "01_nodes.jsonl", FACTS)?;
    write(
        dir.path(),
        "02_more.cypher",
        "// needs the nodes of 01\nMATCH (c:Country {name: 'Russia'})\nSET c.checked = true;\n",
    )?;
    write(dir.path(), "notes.md", "not a fact file")?;
    let db = Database::open_temporary()?;
    let reports = load(&db, dir.path())?;
    assert_eq!(reports.len(), 2);
    assert_eq!(reports.get(1).map(|r| r.statements), Some(1));
    assert_eq!(
        count(&db, "MATCH (c:Country {checked: true}) RETURN count(c)")?,
        1
    );
    Ok(())
}

#[test]
fn missing_path_is_an_io_error() -> TestResult {
    let db = Database::open_temporary()?;
    let error = failure(&db, Path::new("no/such/folder"))?;
    assert_eq!(error.class, skein::ErrorClass::IoError);
    assert!(error.message.contains("no/such/folder"));
    Ok(())
}

#[test]
fn jsonl_null_removes_a_property_and_temporal_values_load() -> TestResult {
    let dir = tempfile::tempdir()?;
    let first = write(
        dir.path(),
        "a.jsonl",
        r#"{"node": {"label": "Debt", "key": {"name": "d"}, "properties": {"note": "x", "term": {"$duration": "P20Y"}}}}"#,
    )?;
    let second = write(
        dir.path(),
        "b.jsonl",
        r#"{"node": {"label": "Debt", "key": {"name": "d"}, "properties": {"note": null}}}"#,
    )?;
    let db = Database::open_temporary()?;
    load(&db, &first)?;
    load(&db, &second)?;
    let found = rows(
        &db,
        "MATCH (d:Debt) RETURN d.note IS NULL, d.term = duration('P20Y'), size(keys(d))",
    )?;
    let row = found.first().ok_or("no row")?;
    assert!(matches!(row.first(), Some(Value::Bool(true))));
    assert!(matches!(row.get(1), Some(Value::Bool(true))));
    assert!(matches!(row.get(2), Some(Value::Int(2))));
    Ok(())
}
