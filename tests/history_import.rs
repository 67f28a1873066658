//! A bulk import and history: by default one transaction with its counts (the graph
//! before an import into a store with data can no longer be read), and with
//! `--history full` / `ImportHistory::Full` the undo of everything it wrote, so that
//! `AS OF` a transaction before the import reads exactly what that transaction left,
//! also when the import went out in many batches, after later commits changed what it
//! imported, after reopening, and after a failed import.

mod common;

use skein::testing::import::import_with_budget;
use skein::{Database, ErrorClass, ImportHistory, ImportRequest, Params};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Small enough that the import writes many batches and its early undo many parts.
const TINY_BUDGET: usize = 64 << 10;

/// People 1000.. (a name each, indexed), KNOWS between them (person 1000 knows
/// everybody: several adjacency chunks); `bad_last` ends the relationships with an
/// unknown endpoint.
fn write_data(dir: &Path, people: u64, bad_last: bool) -> std::io::Result<()> {
    let mut nodes = String::from("id:INT,name,age:INT\n");
    for i in 0..people {
        let _ = writeln!(nodes, "{},p{i},{}", 1000 + i, i % 80);
    }
    std::fs::write(dir.join("nodes_Person.csv"), nodes)?;
    let mut knows = String::from("src:INT,dst:INT,since:INT\n");
    for i in 1..people {
        let _ = writeln!(knows, "1000,{},{}", 1000 + i, 2000 + i % 20);
        let _ = writeln!(knows, "{},{},1999", 1000 + i, 1000 + (i * 7) % people);
    }
    if bad_last {
        knows.push_str("1000,99999999,1\n");
    }
    std::fs::write(dir.join("rels_KNOWS.csv"), knows)
}

fn request(dir: &Path, history: ImportHistory) -> ImportRequest {
    ImportRequest {
        nodes: vec![dir.join("nodes_Person.csv")],
        relationships: vec![dir.join("rels_KNOWS.csv")],
        history,
        ..ImportRequest::default()
    }
}

/// The rows of `query` as `common::rows_text` gives them.
fn run(db: &Database, query: &str) -> Result<Vec<String>, skein::Error> {
    Ok(common::rows_text(db, query))
}

/// Imports the data set in `dir` in many small batches.
fn import_in_batches(
    db: &Database,
    dir: &Path,
    history: ImportHistory,
) -> Result<skein::ImportSummary, skein::Error> {
    import_with_budget(db, &request(dir, history), TINY_BUDGET, &mut |_| {})
}

/// The whole graph as `prefix` reads it (e.g. `AS OF TRANSACTION 3`), in a canonical
/// order: nodes with labels and properties, relationships with ends, type and
/// properties, the counts, and an index seek.
fn dump(db: &Database, prefix: &str) -> Result<Vec<String>, skein::Error> {
    let mut out = Vec::new();
    for query in [
        "MATCH (n) RETURN labels(n), properties(n) ORDER BY n.name, n.id",
        "MATCH (a)-[r]->(b) RETURN a.name, type(r), properties(r), b.name \
         ORDER BY a.name, b.name, r.since",
        "MATCH (n) RETURN count(n)",
        "MATCH ()-[r]->() RETURN count(r)",
        "MATCH (p:Person) RETURN count(p)",
        "MATCH (p:Person {name: 'p7'}) RETURN p.age",
        "MATCH (p:Person {name: 'early'})-[:KNOWS]->(q) RETURN q.name ORDER BY q.name",
    ] {
        out.extend(run(db, &format!("{prefix} {query}"))?);
        out.push("--".into());
    }
    Ok(out)
}

fn last_tx(db: &Database) -> Result<i64, Box<dyn std::error::Error>> {
    let rows = run(db, "CALL db.history() YIELD tx RETURN max(tx)")?;
    Ok(rows
        .first()
        .ok_or("db.history() returned no row")?
        .parse()?)
}

/// An on-disk store with data, before an import: the last transaction and the whole
/// graph as it left it.
struct Seeded {
    folder: tempfile::TempDir,
    db: Database,
    before_tx: i64,
    before: Vec<String>,
}

impl Seeded {
    fn new() -> Result<Seeded, Box<dyn std::error::Error>> {
        let folder = tempfile::tempdir()?;
        let db = Database::open(folder.path().join("db"))?;
        seed(&db)?;
        Ok(Seeded {
            before_tx: last_tx(&db)?,
            before: dump(&db, "")?,
            folder,
            db,
        })
    }

    /// Closes the store and opens it again (the folder opens only once the store
    /// holding it is dropped, so a temporary one stands in meanwhile).
    fn reopen(&mut self) -> TestResult {
        self.db = Database::open_temporary()?;
        self.db = Database::open(self.folder.path().join("db"))?;
        Ok(())
    }
}

/// A store with data before the import: two people (one the import's p7's namesake),
/// an index on the name (so the import adds to blocks that exist), and a relationship.
fn seed(db: &Database) -> TestResult {
    run(db, "CREATE INDEX FOR (p:Person) ON (p.name)")?;
    run(
        db,
        "CREATE (:Person {name: 'early', age: 1})-[:KNOWS {since: 1}]->(:Person {name: 'p7', age: 99})",
    )?;
    run(db, "MATCH (p:Person {name: 'early'}) SET p.age = 2")?;
    Ok(())
}

#[test]
fn a_full_history_import_keeps_the_graph_before_it_readable() -> TestResult {
    let data = tempfile::tempdir()?;
    write_data(data.path(), 30_000, false)?;
    let mut store = Seeded::new()?;
    let (before_tx, before) = (store.before_tx, store.before.clone());

    import_in_batches(&store.db, data.path(), ImportHistory::Full)?;
    let import_tx = last_tx(&store.db)?;
    assert_eq!(import_tx, before_tx + 1);
    let after_import = dump(&store.db, "")?;
    assert_ne!(after_import, before);

    // Later commits change what the import wrote: a record in a chunk the import wrote
    // whole, an adjacency chunk it wrote, and an index block it added to.
    run(
        &store.db,
        "MATCH (p:Person {name: 'p20000'}) SET p.age = -1",
    )?;
    run(
        &store.db,
        "MATCH (a:Person {name: 'p5'})-[r:KNOWS]->() DELETE r",
    )?;
    run(
        &store.db,
        "MATCH (a:Person {name: 'early'}), (b:Person {name: 'p29999'}) CREATE (a)-[:KNOWS {since: 3}]->(b)",
    )?;

    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {before_tx}"))?,
        before
    );
    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {import_tx}"))?,
        after_import
    );
    // The same reads after reopening.
    store.reopen()?;
    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {before_tx}"))?,
        before
    );
    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {import_tx}"))?,
        after_import
    );
    // The import's commit counts what it wrote; every transaction is still readable.
    let rows = run(
        &store.db,
        &format!(
            "CALL db.history({{from: {import_tx}, to: {import_tx}}}) \
             YIELD nodes_created, relationships_created, properties_set \
             RETURN nodes_created, relationships_created, properties_set"
        ),
    )?;
    assert_eq!(
        rows,
        // Each person's id, name and age; each relationship's since.
        vec![format!(
            "30000 | {} | {}",
            2 * 29_999,
            3 * 30_000 + 2 * 29_999
        )]
    );
    assert_eq!(
        dump(&store.db, "AS OF TRANSACTION 1")?,
        dump(&Database::open_temporary()?, "")?,
        "transaction 1 only made the index"
    );
    // An imported node's changes: created by the import (with its label and properties),
    // then set.
    let changes = run(
        &store.db,
        "MATCH (p:Person {name: 'p20000'}) CALL db.changes(p) YIELD tx, change, key \
         RETURN tx, change, key",
    )?;
    assert_eq!(
        changes,
        vec![
            format!("{import_tx} | 'created' | null"),
            format!("{import_tx} | 'label_added' | 'Person'"),
            format!("{import_tx} | 'property_set' | 'name'"),
            format!("{import_tx} | 'property_set' | 'age'"),
            format!("{import_tx} | 'property_set' | 'id'"),
            format!("{} | 'property_set' | 'age'", import_tx + 1),
        ]
    );
    Ok(())
}

#[test]
fn a_counts_only_import_into_a_store_with_data_moves_the_oldest_readable_transaction() -> TestResult
{
    let data = tempfile::tempdir()?;
    write_data(data.path(), 2_000, false)?;
    let store = Seeded::new()?;
    let before_tx = store.before_tx;
    import_in_batches(&store.db, data.path(), ImportHistory::Counts)?;
    let import_tx = last_tx(&store.db)?;
    let query = format!("AS OF TRANSACTION {before_tx} MATCH (n) RETURN n");
    let error = match store.db.execute(&query, &Params::new()) {
        Ok(r) => return Err(format!("read before a counts-only import: {:?}", r.rows).into()),
        Err(e) => e,
    };
    assert_eq!(error.class, ErrorClass::ArgumentError, "{error}");
    assert!(
        error.message.contains(&format!(
            "the oldest transaction still readable is {import_tx}"
        )),
        "{error}"
    );
    Ok(())
}

#[test]
fn a_small_full_import_in_one_batch_is_readable_before_too() -> TestResult {
    let data = tempfile::tempdir()?;
    write_data(data.path(), 50, false)?;
    let store = Seeded::new()?;
    let (before_tx, before) = (store.before_tx, store.before.clone());
    store
        .db
        .import_csv(&request(data.path(), ImportHistory::Full), &mut |_| {})?;
    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {before_tx}"))?,
        before
    );
    Ok(())
}

#[test]
fn a_failed_full_import_leaves_history_as_it_was() -> TestResult {
    let data = tempfile::tempdir()?;
    write_data(data.path(), 20_000, true)?;
    let mut store = Seeded::new()?;
    let (before_tx, before) = (store.before_tx, store.before.clone());
    let history = run(
        &store.db,
        "CALL db.history() YIELD tx, nodes_created RETURN tx, nodes_created",
    )?;
    if import_in_batches(&store.db, data.path(), ImportHistory::Full).is_ok() {
        return Err("the broken import succeeded".into());
    }
    assert_eq!(dump(&store.db, "")?, before);
    assert_eq!(last_tx(&store.db)?, before_tx);
    // The next import takes the failed one's transaction number; what the failed one
    // noted must not mix into it.
    write_data(data.path(), 20_000, false)?;
    import_in_batches(&store.db, data.path(), ImportHistory::Full)?;
    store.reopen()?;
    assert_eq!(
        dump(&store.db, &format!("AS OF TRANSACTION {before_tx}"))?,
        before
    );
    assert_eq!(
        run(
            &store.db,
            &format!(
                "CALL db.history({{to: {before_tx}}}) YIELD tx, nodes_created RETURN tx, nodes_created"
            )
        )?,
        history
    );
    Ok(())
}

#[test]
fn skein_import_takes_history_full_and_refuses_other_values() -> TestResult {
    let data = tempfile::tempdir()?;
    write_data(data.path(), 100, false)?;
    let folder = tempfile::tempdir()?;
    let db_path = folder.path().join("db");
    let skein = env!("CARGO_BIN_EXE_skein");
    let status = Command::new(skein)
        .args(["--db"])
        .arg(&db_path)
        .args(["-c", "CREATE (:Person {name: 'early'})"])
        .status()?;
    assert!(status.success());
    let import = |value: &str| {
        Command::new(skein)
            .arg("--db")
            .arg(&db_path)
            .args(["import", "--history", value, "--nodes"])
            .arg(data.path().join("nodes_Person.csv"))
            .arg("--relationships")
            .arg(data.path().join("rels_KNOWS.csv"))
            .output()
    };
    let refused = import("everything")?;
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("unknown import history 'everything': expected counts or full"),
        "{stderr}"
    );
    let done = import("full")?;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let out = Command::new(skein)
        .arg("--db")
        .arg(&db_path)
        .args([
            "--format",
            "csv",
            "-c",
            "AS OF TRANSACTION 1 MATCH (n) RETURN n.name",
        ])
        .output()?;
    assert_eq!(String::from_utf8_lossy(&out.stdout), "n.name\r\nearly\r\n");
    Ok(())
}
