//! Snapshot reads (`Database::snapshot`): a reader thread keeps reading the transaction
//! its snapshot was taken at while a writer thread commits, and sees every later commit
//! only through a new snapshot.

use skein::{Database, Params, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn count(rows: &[Vec<Value>]) -> i64 {
    match rows.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => *n,
        other => panic!("expected a count, got {other:?}"),
    }
}

#[test]
fn a_snapshot_keeps_reading_its_transaction_while_a_writer_commits() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = Database::open(dir.path().join("db"))?;
    db.execute(
        "UNWIND range(1, 50) AS i CREATE (:K {i: i})",
        &Params::new(),
    )?;
    db.execute(
        "MATCH (a:K), (b:K) WHERE b.i = a.i + 1 CREATE (a)-[:NEXT]->(b)",
        &Params::new(),
    )?;
    let snapshot = db.snapshot()?;
    assert_eq!(snapshot.transaction(), 2);

    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let db = db.clone();
        let writing = Arc::clone(&writing);
        std::thread::spawn(move || -> skein::Result<()> {
            for i in 51..=250 {
                db.execute(
                    "MATCH (last:K {i: $prev}) CREATE (last)-[:NEXT]->(:K {i: $i})",
                    &[
                        ("prev".to_string(), Value::Int(i - 1)),
                        ("i".to_string(), Value::Int(i)),
                    ]
                    .into_iter()
                    .collect(),
                )?;
                db.execute("MATCH (k:K {i: 1}) SET k.touched = $i", &{
                    let mut p = Params::new();
                    p.insert("i".to_string(), Value::Int(i));
                    p
                })?;
            }
            writing.store(false, Ordering::SeqCst);
            Ok(())
        })
    };

    let mut reads = 0;
    while writing.load(Ordering::SeqCst) || reads < 20 {
        let nodes = snapshot.execute("MATCH (k:K) RETURN count(k)", &Params::new())?;
        assert_eq!(count(&nodes.rows), 50, "the snapshot saw a later commit");
        let path = snapshot.execute(
            "MATCH (:K {i: 1})-[:NEXT*]->(k) RETURN count(k)",
            &Params::new(),
        )?;
        assert_eq!(count(&path.rows), 49);
        let touched =
            snapshot.execute("MATCH (k:K {i: 1}) RETURN count(k.touched)", &Params::new())?;
        assert_eq!(count(&touched.rows), 0);
        reads += 1;
    }
    writer.join().map_err(|_| "the writer panicked")??;
    assert!(reads >= 20);

    let now = db.execute("MATCH (k:K) RETURN count(k)", &Params::new())?;
    assert_eq!(count(&now.rows), 250);
    let later = db.snapshot()?;
    assert_eq!(later.transaction(), 2 + 2 * 200);
    let seen = later.execute(
        "MATCH (:K {i: 1})-[:NEXT*]->(k) RETURN count(k)",
        &Params::new(),
    )?;
    assert_eq!(count(&seen.rows), 249);
    Ok(())
}

#[test]
fn a_snapshot_cannot_write() -> TestResult {
    let db = Database::open_temporary()?;
    db.execute("CREATE (:K)", &Params::new())?;
    let snapshot = db.snapshot()?;
    let err = snapshot
        .execute("CREATE (:K)", &Params::new())
        .err()
        .ok_or("a write through a snapshot succeeded")?;
    assert!(err.to_string().contains("cannot write"), "{err}");
    let nodes = db.execute("MATCH (k:K) RETURN count(k)", &Params::new())?;
    assert_eq!(count(&nodes.rows), 1);
    Ok(())
}
