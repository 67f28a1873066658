//! An import written in many batches (a tiny memory budget) stays atomic: one that
//! fails in a late file, after earlier batches were written, leaves the database as it
//! was, also its indexes and constraints; one killed with kill -9 half-way is undone
//! when the database is opened again; one that succeeds gives the same database as a
//! single-batch import.
//!
//! The crash test re-runs this test binary as a child (selected by
//! `SKEIN_IMPORT_CHILD`), so the child is a real separate process.

use skein::testing::import::import_with_budget;
use skein::{Database, ImportProgress, ImportRequest, Params};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

const CHILD_ENV: &str = "SKEIN_IMPORT_CHILD";
const DB_ENV: &str = "SKEIN_IMPORT_CHILD_DB";
const DATA_ENV: &str = "SKEIN_IMPORT_CHILD_DATA";

/// Small enough that every file of the data set spans several batches and spills.
const TINY_BUDGET: usize = 4096;

const PEOPLE: u64 = 1500;

/// People (ids 100..), cities (ids 1..=20), KNOWS and LIVES_IN; `bad_last` puts a
/// missing endpoint on the last line of the last file.
fn write_data_set(dir: &Path, bad_last: bool) -> std::io::Result<()> {
    let mut people = String::from("id:INT,name,age:INT\n");
    for i in 0..PEOPLE {
        let _ = writeln!(people, "{},p{i},{}", 100 + i, i % 90);
    }
    std::fs::write(dir.join("nodes_Person.csv"), people)?;
    let mut cities = String::from("id:INT,name\n");
    for i in 1..=20 {
        let _ = writeln!(cities, "{i},c{i}");
    }
    std::fs::write(dir.join("nodes_City.csv"), cities)?;
    // Person 100 knows everybody (several adjacency chunks), others a few.
    let mut knows = String::from("src:INT,dst:INT,since:INT\n");
    for i in 1..PEOPLE {
        let _ = writeln!(knows, "100,{},{}", 100 + i, 2000 + i % 20);
        let _ = writeln!(knows, "{},{},1999", 100 + i, 100 + (i * 7) % PEOPLE);
    }
    std::fs::write(dir.join("rels_KNOWS.csv"), knows)?;
    let mut lives = String::from("src:INT,dst:INT\n");
    for i in 0..PEOPLE {
        let _ = writeln!(lives, "{},{}", 100 + i, 1 + i % 20);
    }
    if bad_last {
        lives.push_str("100,99999\n");
    }
    std::fs::write(dir.join("rels_LIVES_IN.csv"), lives)
}

fn request(dir: &Path) -> ImportRequest {
    ImportRequest {
        nodes: vec![dir.join("nodes_Person.csv"), dir.join("nodes_City.csv")],
        relationships: vec![dir.join("rels_KNOWS.csv"), dir.join("rels_LIVES_IN.csv")],
        declarations: Vec::new(),
        source: None,
        ..ImportRequest::default()
    }
}

/// Data before the import: a person (a guest when `indexed_before` is false, so that
/// the import's are the first entries of the indexes) and a city the import's nodes
/// share chunks with, a relationship, an index and a uniqueness constraint.
fn seed(db: &Database, indexed_before: bool) -> TestResult {
    let old = if indexed_before { "Person" } else { "Guest" };
    for statement in [
        "CREATE INDEX FOR (p:Person) ON (p.age)".to_string(),
        "CREATE CONSTRAINT FOR (p:Person) REQUIRE p.name IS UNIQUE".to_string(),
        format!("CREATE (:{old} {{id: 1, name: 'old', age: 7}})-[:KNOWS {{since: 1}}]->(:City {{id: 0, name: 'Oldtown'}})"),
    ] {
        db.execute(&statement, &Params::new())?;
    }
    Ok(())
}

/// Persons after the import.
fn people(indexed_before: bool) -> u64 {
    PEOPLE + u64::from(indexed_before)
}

/// What a query of each kind says: counts per label and type, index seeks, degrees,
/// every node and relationship.
fn snapshot(db: &Database) -> Result<Vec<String>, skein::Error> {
    let mut out = Vec::new();
    for query in [
        "MATCH (n) RETURN count(n)",
        "MATCH ()-[r]->() RETURN count(r)",
        "MATCH (p:Person) RETURN count(p)",
        "MATCH (c:City) RETURN count(c)",
        "MATCH ()-[r:KNOWS]->() RETURN count(r)",
        "MATCH ()-[r:LIVES_IN]->() RETURN count(r)",
        "MATCH (p:Person) WHERE p.age = 7 RETURN p.name ORDER BY p.name",
        "MATCH (p:Person {name: 'p0'})-[r]-() RETURN count(r)",
        "MATCH (n) RETURN labels(n), properties(n) ORDER BY n.id, n.name",
        "MATCH (a)-[r]->(b) RETURN a.name, type(r), properties(r), b.name ORDER BY a.name, b.name, r.since",
    ] {
        let result = db.execute(query, &Params::new())?;
        out.push(format!("{query}: {:?}", result.rows));
    }
    Ok(out)
}

#[test]
fn a_late_failure_after_written_batches_changes_nothing() -> TestResult {
    for indexed_before in [true, false] {
        late_failure_changes_nothing(indexed_before)?;
    }
    Ok(())
}

fn late_failure_changes_nothing(indexed_before: bool) -> TestResult {
    let data = tempfile::tempdir()?;
    write_data_set(data.path(), true)?;
    let db_dir = tempfile::tempdir()?;
    let db = Database::open(db_dir.path().join("db"))?;
    seed(&db, indexed_before)?;
    let before = snapshot(&db)?;
    let error = match import_with_budget(&db, &request(data.path()), TINY_BUDGET, &mut |_| {}) {
        Ok(summary) => return Err(format!("the broken import succeeded: {summary}").into()),
        Err(error) => error,
    };
    assert!(
        error.message.contains("rels_LIVES_IN.csv line 1502"),
        "{error}"
    );
    assert!(error.message.contains("99999"), "{error}");
    assert_eq!(snapshot(&db)?, before);
    // Also after reopening (nothing was left for recovery to find or to break).
    drop(db);
    let db = Database::open(db_dir.path().join("db"))?;
    assert_eq!(snapshot(&db)?, before);
    // The constraint still holds and the ids are free again.
    assert_eq!(
        db.execute("CREATE (:Person {name: 'old'})", &Params::new())
            .is_err(),
        indexed_before
    );
    db.execute("CREATE (:Person {name: 'after'})", &Params::new())?;
    Ok(())
}

#[test]
fn many_batches_give_the_database_one_batch_gives() -> TestResult {
    for indexed_before in [true, false] {
        many_batches_as_one(indexed_before)?;
    }
    Ok(())
}

fn many_batches_as_one(indexed_before: bool) -> TestResult {
    let data = tempfile::tempdir()?;
    write_data_set(data.path(), false)?;
    let mut snapshots = Vec::new();
    for budget in [TINY_BUDGET, 1 << 30] {
        let db_dir = tempfile::tempdir()?;
        let db = Database::open(db_dir.path().join("db"))?;
        seed(&db, indexed_before)?;
        import_with_budget(&db, &request(data.path()), budget, &mut |_| {})?;
        let after = snapshot(&db)?;
        drop(db);
        let db = Database::open(db_dir.path().join("db"))?;
        assert_eq!(snapshot(&db)?, after, "after reopening");
        snapshots.push(after);
    }
    assert_eq!(snapshots.first(), snapshots.get(1));
    let counts = snapshots
        .first()
        .map(|s| s[..6].join("\n"))
        .unwrap_or_default();
    let people = people(indexed_before);
    assert!(
        counts.contains(&format!("(p:Person) RETURN count(p): [[Int({people})]]")),
        "{counts}"
    );
    // A name the import brought is taken under the constraint.
    let db_dir = tempfile::tempdir()?;
    let db = Database::open(db_dir.path().join("db"))?;
    seed(&db, indexed_before)?;
    import_with_budget(&db, &request(data.path()), TINY_BUDGET, &mut |_| {})?;
    assert!(db
        .execute("CREATE (:Person {name: 'p3'})", &Params::new())
        .is_err());
    Ok(())
}

/// Child side of the crash test; does nothing unless started by the parent test.
#[test]
fn child_process_entry() -> TestResult {
    let (Ok(_), Ok(db_path), Ok(data)) = (
        std::env::var(CHILD_ENV),
        std::env::var(DB_ENV),
        std::env::var(DATA_ENV),
    ) else {
        return Ok(());
    };
    // The parent's store lets go of the folder a moment after it closed it.
    let mut tries = 0;
    let db = loop {
        match Database::open(&db_path) {
            Ok(db) => break db,
            Err(_) if tries < 100 => tries += 1,
            Err(error) => return Err(error.into()),
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut out = std::io::stdout();
    // libtest has printed `test child_process_entry ... ` without a line end.
    let _ = writeln!(out);
    let mut chunks = 0;
    import_with_budget(&db, &request(Path::new(&data)), TINY_BUDGET, &mut |step| {
        if let ImportProgress::Reading { .. } = step {
            chunks += 1;
            if chunks == 3 {
                // Batches are written; give sled's background flush time to make some
                // of them durable, say so, and wait to be killed.
                std::thread::sleep(std::time::Duration::from_millis(700));
                let _ = writeln!(out, "midway");
                let _ = out.flush();
                let mut line = String::new();
                let _ = std::io::stdin().read_line(&mut line);
            }
        }
    })?;
    Ok(())
}

#[test]
fn an_import_killed_half_way_is_undone_on_reopen() -> TestResult {
    for indexed_before in [true, false] {
        killed_import_is_undone(indexed_before)?;
    }
    Ok(())
}

fn killed_import_is_undone(indexed_before: bool) -> TestResult {
    let data = tempfile::tempdir()?;
    write_data_set(data.path(), false)?;
    let db_dir = tempfile::tempdir()?;
    let db_path = db_dir.path().join("db");
    let before = {
        let db = Database::open(&db_path)?;
        seed(&db, indexed_before)?;
        snapshot(&db)?
    };
    let mut child = Command::new(std::env::current_exe()?)
        .args([
            "--exact",
            "child_process_entry",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "import")
        .env(DB_ENV, &db_path)
        .env(DATA_ENV, data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no child stdout")?;
    let midway = BufReader::new(stdout)
        .lines()
        .map_while(|line| line.ok())
        .any(|line| line == "midway");
    child.kill()?; // SIGKILL
    child.wait()?;
    assert!(midway, "the child did not reach the middle of the import");
    let db = Database::open(&db_path)?;
    assert_eq!(snapshot(&db)?, before);
    // The undone import can be run again, whole.
    import_with_budget(&db, &request(data.path()), TINY_BUDGET, &mut |_| {})?;
    let people = people(indexed_before);
    let count = db.execute("MATCH (p:Person) RETURN count(p)", &Params::new())?;
    assert_eq!(format!("{:?}", count.rows), format!("[[Int({people})]]"));
    Ok(())
}

/// The store caches what queries read (records, adjacency, counts, index seeks); an
/// import writes around the transaction's bookkeeping, so what a query saw before it
/// must not be what it sees after it.
#[test]
fn queries_before_an_import_do_not_hide_its_data() -> TestResult {
    let data = tempfile::tempdir()?;
    write_data_set(data.path(), false)?;
    let db_dir = tempfile::tempdir()?;
    let db = Database::open(db_dir.path().join("db"))?;
    seed(&db, true)?;
    let before = snapshot(&db)?;
    import_with_budget(&db, &request(data.path()), TINY_BUDGET, &mut |_| {})?;
    let after = snapshot(&db)?;
    assert_ne!(after, before);
    drop(db);
    let reopened = Database::open(db_dir.path().join("db"))?;
    assert_eq!(snapshot(&reopened)?, after);
    Ok(())
}

/// What provenance says: the sources with their counts, and each node's sources.
fn provenance(db: &Database) -> Result<Vec<String>, skein::Error> {
    let mut out = Vec::new();
    for query in [
        "CALL db.sources() YIELD source, nodes, relationships, properties RETURN *",
        "MATCH (n) RETURN n.name, [s IN sources(n) | s.source], [s IN sources(n, 'name') | s.source] ORDER BY n.name",
        "MATCH ()-[r]->() RETURN [s IN sources(r) | s.source] AS s, count(*) ORDER BY s",
    ] {
        let result = db.execute(query, &Params::new())?;
        out.push(format!("{query}: {:?}", result.rows));
    }
    Ok(out)
}

#[test]
fn an_import_under_a_source_is_recorded_in_batches_and_undone_whole() -> TestResult {
    let data = tempfile::tempdir()?;
    let sourced = |dir: &Path| ImportRequest {
        source: Some("census".into()),
        ..request(dir)
    };
    // A late failure leaves no provenance behind, in the batches or in the store.
    write_data_set(data.path(), true)?;
    let db_dir = tempfile::tempdir()?;
    let db = Database::open(db_dir.path().join("db"))?;
    seed(&db, true)?;
    let before = (snapshot(&db)?, provenance(&db)?);
    assert!(import_with_budget(&db, &sourced(data.path()), TINY_BUDGET, &mut |_| {}).is_err());
    assert_eq!((snapshot(&db)?, provenance(&db)?), before);
    // A successful one asserts every node and relationship it made, and the old nodes
    // it connected, for its source; unloading it gives the database before it back.
    write_data_set(data.path(), false)?;
    import_with_budget(&db, &sourced(data.path()), TINY_BUDGET, &mut |_| {})?;
    let counts = db.execute(
        "CALL db.sources() YIELD source, nodes, relationships RETURN source, nodes, relationships",
        &Params::new(),
    )?;
    let row: Vec<String> = counts
        .rows
        .first()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .unwrap_or_default();
    // 1,500 people and 20 cities; 2,998 KNOWS and 1,500 LIVES_IN.
    assert_eq!(row, ["'census'", "1520", "4498"]);
    drop(db);
    let db = Database::open(db_dir.path().join("db"))?;
    db.unload("census")?;
    assert_eq!((snapshot(&db)?, provenance(&db)?), before);
    Ok(())
}
