//! History survives kill -9: the `skein` binary commits `CREATE (:K {i: N}) RETURN N AS
//! ack` statements read from a pipe, one transaction each, and is killed with SIGKILL
//! after some hundreds of acknowledgements, six times over on the same database.
//! Reopened in this process, the database must list transactions 1..=last with no gap,
//! hold every acknowledged write, one `:K` node per commit (a kill may lose only the
//! unacknowledged tail of a round), and read `AS OF TRANSACTION t` exactly the first `t`
//! commits.

use skein::{Database, Params, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// Round `r` writes `i = r * ROUND_BASE + 0, 1, 2, …`: `i` increases with the commits.
const ROUND_BASE: i64 = 1_000_000;
/// How many acknowledgements each round waits for before the kill, and how long it
/// then lets skein go on committing (microseconds), so that the kill lands at a varying
/// point of a commit.
const KILL_AFTER: [(usize, u64); 6] = [
    (250, 300),
    (400, 1300),
    (150, 3100),
    (300, 0),
    (200, 700),
    (350, 2000),
];

/// Starts `skein --db path --format literal` with piped standard streams, retrying for
/// a while when the database is still held (by this process's last handle, whose lock
/// sled lets go of a moment after the drop).
fn spawn(path: &Path) -> TestResult<(Child, BufReader<ChildStdout>)> {
    let started = Instant::now();
    loop {
        let mut child = Command::new(env!("CARGO_BIN_EXE_skein"))
            .env_remove("SKEIN_HISTORY")
            .arg("--db")
            .arg(path)
            .args(["--format", "literal"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        // A statement to learn that the database opened.
        writeln!(stdin, "RETURN 'open' AS ready;")?;
        stdin.flush()?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut first = String::new();
        stdout.read_line(&mut first)?;
        if first == "ready\n" {
            let mut second = String::new();
            stdout.read_line(&mut second)?;
            if second != "'open'\n" {
                return Err(format!("skein answered {second:?} to RETURN 'open'").into());
            }
            child.stdin = Some(stdin);
            return Ok((child, stdout));
        }
        drop(stdin);
        let _ = child.wait();
        let mut err = String::new();
        if let Some(mut stderr) = child.stderr.take() {
            stderr.read_to_string(&mut err)?;
        }
        if !err.contains("in use") || started.elapsed() > Duration::from_secs(10) {
            return Err(format!("skein did not open the database: {first:?} {err}").into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Runs one round: statements for `i = base, base + 1, …` until `kill_after`
/// acknowledgements arrived, then SIGKILL `delay` microseconds later. Returns every
/// acknowledged `i`, those read after the kill included (they were promised before it).
fn round(path: &Path, base: i64, kill_after: usize, delay: u64) -> TestResult<Vec<i64>> {
    let (mut child, stdout) = spawn(path)?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    // Feeds statements until the pipe breaks at the kill; far more than are needed.
    let feeder = std::thread::spawn(move || {
        for n in 0..(kill_after as i64 * 20) {
            let i = base + n;
            if writeln!(stdin, "CREATE (:K {{i: {i}}}) RETURN {i} AS ack;").is_err() {
                return;
            }
        }
    });
    let mut acks = Vec::new();
    let mut lines = stdout.lines();
    for line in lines.by_ref() {
        let line = line?;
        if line == "ack" {
            continue;
        }
        acks.push(line.parse::<i64>().map_err(|e| format!("{line:?}: {e}"))?);
        if acks.len() >= kill_after {
            break;
        }
    }
    std::thread::sleep(Duration::from_micros(delay));
    child.kill()?;
    for line in lines.map_while(|l| l.ok()) {
        if let Ok(i) = line.parse::<i64>() {
            acks.push(i);
        }
    }
    let _ = child.wait();
    let _ = feeder.join();
    if acks.len() < kill_after {
        return Err(format!(
            "skein stopped after {} acknowledgements of {kill_after}",
            acks.len()
        )
        .into());
    }
    // Acknowledgements come in statement order.
    let expected: Vec<i64> = (0..acks.len() as i64).map(|n| base + n).collect();
    if acks != expected {
        return Err(format!("round from {base}: acknowledgements out of order").into());
    }
    Ok(acks)
}

fn ints(db: &Database, query: &str) -> TestResult<Vec<Vec<i64>>> {
    let result = db
        .execute(query, &Params::new())
        .map_err(|e| format!("{query}: {e}"))?;
    result
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|v| match v {
                    Value::Int(n) => Ok(*n),
                    other => Err(format!("{query}: {other:?} is not an integer").into()),
                })
                .collect()
        })
        .collect()
}

/// Checks the database against the rounds so far (`acked[r]`: round `r`'s
/// acknowledgements) and returns how many commits each round made.
fn check(db: &Database, acked: &[Vec<i64>]) -> TestResult<Vec<usize>> {
    let history = ints(
        db,
        "CALL db.history() YIELD tx, nodes_created, properties_set \
         RETURN tx, nodes_created, properties_set",
    )?;
    let last = history.len() as i64;
    for (n, row) in history.iter().enumerate() {
        assert_eq!(
            row,
            &vec![n as i64 + 1, 1, 1],
            "db.history() row {n}: (tx, nodes_created, properties_set)"
        );
    }
    assert_eq!(db.last_transaction()?, last as u64, "the last transaction");

    // One node per commit, in commit order; each round's commits are a run from its
    // base holding at least its acknowledgements.
    let found: Vec<i64> = ints(db, "MATCH (k:K) RETURN k.i ORDER BY k.i")?
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(found.len() as i64, last, "one :K node per commit");
    let mut made = Vec::new();
    for (r, acks) in acked.iter().enumerate() {
        let base = r as i64 * ROUND_BASE;
        let ours: Vec<i64> = found
            .iter()
            .copied()
            .filter(|i| (base..base + ROUND_BASE).contains(i))
            .collect();
        let run: Vec<i64> = (0..ours.len() as i64).map(|n| base + n).collect();
        assert_eq!(ours, run, "round {r}: the commits are not a gapless run");
        assert!(
            ours.len() >= acks.len(),
            "round {r}: {} commits for {} acknowledgements",
            ours.len(),
            acks.len()
        );
        made.push(ours.len());
    }
    assert_eq!(made.iter().sum::<usize>() as i64, last);

    // AS OF t: the first t commits.
    let mut points = vec![0, 1, last / 2, last - 1, last];
    let mut end = 0;
    for m in &made {
        end += *m as i64;
        points.extend([end, end + 1]);
    }
    points.retain(|t| (0..=last).contains(t));
    points.sort_unstable();
    points.dedup();
    for t in points {
        let got = ints(
            db,
            &format!("AS OF TRANSACTION {t} MATCH (k:K) RETURN count(k), coalesce(max(k.i), -1)"),
        )?;
        let max = if t == 0 { -1 } else { found[t as usize - 1] };
        assert_eq!(
            got,
            vec![vec![t, max]],
            "AS OF TRANSACTION {t}: count, max(i)"
        );
    }
    Ok(made)
}

#[test]
fn kill_9_keeps_history_gapless_and_readable() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("db");
    let mut acked: Vec<Vec<i64>> = Vec::new();
    for (r, (kill_after, delay)) in KILL_AFTER.iter().enumerate() {
        acked.push(round(&path, r as i64 * ROUND_BASE, *kill_after, *delay)?);
        let db = Database::open(&path)?;
        let made = check(&db, &acked)?;
        let acks: Vec<usize> = acked.iter().map(Vec::len).collect();
        eprintln!("after kill {r}: commits per round {made:?}, acknowledgements {acks:?}");
    }
    // The reopened store goes on numbering after the last commit.
    let db = Database::open(&path)?;
    let last = db.last_transaction()?;
    db.execute("CREATE (:K {i: 9000000})", &Params::new())?;
    assert_eq!(db.last_transaction()?, last + 1);
    let before = ints(
        &db,
        &format!("AS OF TRANSACTION {last} MATCH (k:K) RETURN count(k)"),
    )?;
    assert_eq!(before, vec![vec![last as i64]]);
    Ok(())
}
