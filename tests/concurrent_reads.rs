//! Read-only statements run beside the writer: a reader is not held up by an open
//! write transaction, it reads the state of the last commit before it began (never a
//! commit half-applied), and a statement that turns out to write (a write procedure)
//! still writes.

mod common;

use common::rows_text;
use skein::{Database, Params, QueryOptions};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Long enough that only a reader stuck behind the writer misses it.
const STUCK: Duration = Duration::from_secs(60);

#[test]
fn a_read_runs_while_a_write_transaction_is_open_and_sees_the_last_commit() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Database::open(dir.path().join("db")).expect("the database opens");
    db.execute("CREATE (:N {i: 1})", &Params::new())
        .expect("the statement runs");
    let mut tx = db.begin().expect("a transaction begins");
    tx.execute("CREATE (:N {i: 2})", &Params::new())
        .expect("the statement runs");
    let (sender, answer) = mpsc::channel();
    let reader_db = db.clone();
    let reader = std::thread::spawn(move || {
        let rows = rows_text(&reader_db, "MATCH (n:N) RETURN n.i ORDER BY n.i");
        sender.send(rows).expect("the test waits for the answer");
    });
    // The reader answers while the transaction still holds the writer's turn.
    let rows = answer
        .recv_timeout(STUCK)
        .expect("the read waited for the open write transaction");
    assert_eq!(rows, ["1"]);
    reader.join().expect("the reader thread ends");
    tx.commit().expect("the transaction commits");
    assert_eq!(
        rows_text(&db, "MATCH (n:N) RETURN n.i ORDER BY n.i"),
        ["1", "2"]
    );
}

#[test]
fn readers_never_see_a_commit_in_part() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = Database::open(dir.path().join("db")).expect("the database opens");
    db.execute(
        "CREATE (:Account {name: 'a', v: 100}), (:Account {name: 'b', v: 0})",
        &Params::new(),
    )
    .expect("the statement runs");
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let mut reads = 0;
                    while !done.load(Ordering::Relaxed) || reads == 0 {
                        // Each commit moves 1 from a to b and adds two :Pair nodes.
                        let total = rows_text(&db, "MATCH (x:Account) RETURN sum(x.v)");
                        assert_eq!(total, ["100"], "a transfer was seen half-applied");
                        let pairs = rows_text(&db, "MATCH (p:Pair) RETURN count(p)");
                        let pairs: i64 = pairs[0].parse().expect("a count");
                        assert_eq!(pairs % 2, 0, "one node of a pair was seen alone");
                        let moved = rows_text(&db, "MATCH (b:Account {name: 'b'}) RETURN b.v");
                        let moved: i64 = moved[0].parse().expect("an integer");
                        assert!(moved <= 100);
                        reads += 1;
                    }
                    reads
                })
            })
            .collect();
        for _ in 0..100 {
            db.execute(
                "MATCH (a:Account {name: 'a'}), (b:Account {name: 'b'})
                 SET a.v = a.v - 1, b.v = b.v + 1
                 CREATE (:Pair), (:Pair)",
                &Params::new(),
            )
            .expect("the statement runs");
        }
        done.store(true, Ordering::Relaxed);
        for reader in readers {
            assert!(reader.join().expect("the reader thread ends") > 0);
        }
    });
    assert_eq!(
        rows_text(&db, "MATCH (x:Account) RETURN x.name, x.v ORDER BY x.name"),
        ["'a' | 0", "'b' | 100"]
    );
    assert_eq!(rows_text(&db, "MATCH (p:Pair) RETURN count(p)"), ["200"]);
}

#[test]
fn a_read_looking_statement_that_calls_a_write_procedure_writes() {
    let db = Database::open_temporary().expect("the database opens");
    let options = QueryOptions {
        source: Some("report".to_string()),
        ..QueryOptions::default()
    };
    db.execute_with("CREATE (:Claim {n: 1})", &Params::new(), &options)
        .expect("the statement runs");
    assert_eq!(rows_text(&db, "MATCH (c:Claim) RETURN count(c)"), ["1"]);
    rows_text(&db, "CALL db.retract('report')");
    assert_eq!(rows_text(&db, "MATCH (c:Claim) RETURN count(c)"), ["0"]);
}

#[test]
fn snapshot_statements_run_while_a_write_transaction_is_open() {
    let db = Database::open_temporary().expect("the database opens");
    db.execute("CREATE (:N {i: 1})", &Params::new())
        .expect("the statement runs");
    let snapshot = db.snapshot().expect("a snapshot");
    db.execute("CREATE (:N {i: 2})", &Params::new())
        .expect("the statement runs");
    let mut tx = db.begin().expect("a transaction begins");
    tx.execute("MATCH (n:N) SET n.i = n.i * 10", &Params::new())
        .expect("the statement runs");
    let (sender, answer) = mpsc::channel();
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let rows = snapshot
                .execute("MATCH (n:N) RETURN n.i", &Params::new())
                .map(|r| common::texts(&r));
            sender.send(rows).expect("the test waits for the answer");
        });
        let rows = answer
            .recv_timeout(STUCK)
            .expect("the snapshot's read waited for the open write transaction")
            .expect("the statement runs");
        assert_eq!(rows, ["1"]);
    });
    tx.commit().expect("the transaction commits");
    assert_eq!(
        rows_text(&db, "MATCH (n:N) RETURN n.i ORDER BY n.i"),
        ["10", "20"]
    );
}

#[test]
fn an_explicit_transaction_takes_the_writers_turn_at_its_first_write() {
    let db = Database::open_temporary().expect("the database opens");
    db.execute("CREATE (:N {i: 1})", &Params::new())
        .expect("the statement runs");
    let count = |tx: &mut skein::Transaction<'_>| {
        let result = tx
            .execute("MATCH (n:N) RETURN count(n)", &Params::new())
            .expect("the read runs");
        common::texts(&result)
    };
    let mut tx = db.begin().expect("a transaction begins");
    assert_eq!(count(&mut tx), ["1"]);
    assert!(!tx.holds_writer());
    // Another writer commits while the transaction has only read (a thread of its
    // own, not scoped: a writer stuck behind the transaction must not hang the test).
    let (sender, answer) = mpsc::channel();
    let writer_db = db.clone();
    std::thread::spawn(move || {
        let done = writer_db.execute("CREATE (:N {i: 2})", &Params::new());
        sender.send(done.map(|_| ())).expect("the test waits");
    });
    answer
        .recv_timeout(STUCK)
        .expect("the write waited for a transaction that had only read")
        .expect("the write commits");
    // Each statement reads the last commit before it (read committed).
    assert_eq!(count(&mut tx), ["2"]);
    tx.execute("CREATE (:N {i: 3})", &Params::new())
        .expect("the write runs");
    assert!(tx.holds_writer());
    assert_eq!(count(&mut tx), ["3"]);
    std::thread::scope(|scope| {
        let refused = scope
            .spawn(|| {
                let mut other = db
                    .begin_waiting(Some(Duration::from_millis(50)))
                    .expect("a transaction begins");
                other
                    .execute("CREATE (:N {i: 4})", &Params::new())
                    .map(|_| ())
            })
            .join()
            .expect("the other writer's thread ends");
        let error = refused.expect_err("a second writer got in while the first held its turn");
        assert_eq!(error.detail, "LockTimeout");
    });
    tx.commit().expect("the transaction commits");
    assert_eq!(rows_text(&db, "MATCH (n:N) RETURN count(n)"), ["3"]);
}

#[test]
fn read_access_mode_refuses_writes_before_they_run() {
    let db = Database::open_temporary().expect("the database opens");
    let write = QueryOptions {
        source: Some("report".to_string()),
        ..QueryOptions::default()
    };
    db.execute_with("CREATE (:Claim {n: 1})", &Params::new(), &write)
        .expect("the statement runs");
    let read = QueryOptions {
        read_only: true,
        ..QueryOptions::default()
    };
    let refused = |query: &str| {
        db.execute_with(query, &Params::new(), &read)
            .expect_err("a write ran in read access mode")
    };
    let error = refused("MATCH (c:Claim)\nSET c.n = 2");
    assert_eq!(error.detail, "AccessMode");
    let at = error.position.expect("the error names where the write is");
    assert_eq!((at.line, at.column), (2, 1));
    assert_eq!(refused("CALL db.retract('report')").detail, "AccessMode");
    assert_eq!(
        refused("CREATE INDEX FOR (c:Claim) ON (c.n)").detail,
        "AccessMode"
    );
    let mut tx = db.begin().expect("a transaction begins");
    let error = tx
        .execute_with("CREATE (:Claim)", &Params::new(), &read)
        .expect_err("a write ran in read access mode");
    assert_eq!(error.detail, "AccessMode");
    assert!(!tx.holds_writer());
    let rows = tx
        .execute_with("MATCH (c:Claim) RETURN c.n", &Params::new(), &read)
        .expect("a read runs in read access mode");
    assert_eq!(common::texts(&rows), ["1"]);
    tx.commit().expect("the transaction commits");
    assert_eq!(rows_text(&db, "MATCH (c:Claim) RETURN c.n"), ["1"]);
}
