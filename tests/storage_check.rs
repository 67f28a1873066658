//! `Database::check`, `CALL db.check()` and `skein check`: a database written through the
//! API checks clean; one damaged on purpose (a raw write past the graph layer, on a
//! fault-injecting disk) is reported with the element named.

use skein::testing::faults::Disk;
use skein::{Database, Params, Violation};
use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A small graph with an index, a constraint, a source and some changes.
fn seeded() -> Result<(Disk, Database), skein::Error> {
    let disk = Disk::new();
    let db = Database::over_faulty(&disk)?;
    for query in [
        "CREATE INDEX FOR (p:Person) ON (p.name)",
        "CREATE CONSTRAINT FOR (c:Country) REQUIRE c.iso IS UNIQUE",
        "CREATE (a:Person {name: 'Ann'})-[:KNOWS]->(b:Person {name: 'Bob'}), (:Country {iso: 'NOR'})",
        "MATCH (p:Person {name: 'Bob'}) SET p.age = 41, p:Employee",
        "MATCH (a:Person {name: 'Ann'}), (c:Country) CREATE (a)-[:LIVES_IN]->(c)",
        "CREATE (x:Temp) WITH x DELETE x",
    ] {
        db.execute(query, &Params::new())?;
    }
    let sourced = skein::QueryOptions {
        source: Some("session".to_string()),
        ..skein::QueryOptions::default()
    };
    db.execute_with("CREATE (:Person {name: 'Cy'})", &Params::new(), &sourced)?;
    Ok((disk, db))
}

/// The first stored key of `keyspace`.
fn first_key(disk: &Disk, keyspace: u8) -> Option<Vec<u8>> {
    disk.entries()
        .into_iter()
        .map(|(k, _)| k)
        .find(|k| k.first() == Some(&keyspace))
}

/// Damages the seeded store with `damage`, reopens it and checks it.
fn damaged(damage: impl Fn(&Disk)) -> Result<Vec<Violation>, Box<dyn std::error::Error>> {
    let (disk, db) = seeded()?;
    drop(db);
    damage(&disk);
    Ok(Database::over_faulty(&disk)?.check()?)
}

fn reported(problems: &[Violation], kind: &str, element: &str, problem: &str) -> bool {
    problems
        .iter()
        .any(|v| v.kind == kind && v.element == element && v.problem.contains(problem))
}

#[test]
fn a_database_written_through_the_api_checks_clean() -> TestResult {
    let (_, db) = seeded()?;
    assert_eq!(db.check()?, Vec::new());
    let rows = db.execute("CALL db.check()", &Params::new())?;
    assert_eq!(rows.columns, vec!["kind", "element", "problem"]);
    assert!(rows.rows.is_empty());
    Ok(())
}

#[test]
fn a_missing_adjacency_chunk_is_reported_for_its_relationships() -> TestResult {
    // The first adjacency chunk is node 0's (Ann: KNOWS out, LIVES_IN out).
    let problems = damaged(|disk| {
        if let Some(key) = first_key(disk, 0x12) {
            disk.write_raw(&key, None);
        }
    })?;
    assert!(
        reported(
            &problems,
            "adjacency",
            "relationship 0",
            "missing from the outgoing adjacency of node 0"
        ),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn a_wrong_count_is_reported_for_its_label() -> TestResult {
    let problems = damaged(|disk| {
        // COUNT, label kind, token 0 (Person).
        disk.write_raw(&[0x14, 0, 0, 0, 0, 0], Some(&99u64.to_be_bytes()));
    })?;
    assert!(
        reported(
            &problems,
            "count",
            "label :Person",
            "the count says 99, the records hold 3"
        ),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn a_lost_index_block_and_a_stale_bitmap_are_reported() -> TestResult {
    let problems = damaged(|disk| {
        if let Some(key) = first_key(disk, 0x21) {
            disk.write_raw(&key, None);
        }
        if let Some(key) = first_key(disk, 0x13) {
            disk.write_raw(&key, Some(&u64::MAX.to_be_bytes()));
        }
    })?;
    assert!(
        problems
            .iter()
            .any(|v| v.kind == "index" && v.element.starts_with("node ")),
        "{problems:?}"
    );
    assert!(
        reported(&problems, "label", "node 63", "lacks the label"),
        "{problems:?}"
    );
    Ok(())
}

#[test]
fn skein_check_exits_0_when_clean_and_2_without_a_database() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("db");
    let db = Database::open(&path)?;
    db.execute("CREATE (:A)-[:R]->(:B)", &Params::new())?;
    drop(db);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let out = Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("--db")
        .arg(&path)
        .arg("check")
        .output()?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("no problems found"));
    let missing = Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("--db")
        .arg(dir.path().join("absent"))
        .arg("check")
        .output()?;
    assert_eq!(missing.status.code(), Some(2));
    Ok(())
}
