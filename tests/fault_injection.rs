//! Storage faults: a workload runs over a fault-injecting disk (`testing::faults`) once
//! per fault point and kind — an I/O error on the n-th write, flush or read, or a crash
//! at the n-th write or flush that keeps what was flushed or every write — and then:
//! every failed step returned an `Err` (none panicked), and the database reopened over
//! what survived passes `Database::check` and holds exactly the acknowledged steps.
//!
//! The rule checked: a step that returned `Err` because of an I/O error is absent. A
//! crash gives no answer at all (the world stops), so the step it cut short may be
//! present or absent, and nothing after it is there. After an I/O error the database is
//! still usable: the next write (a probe) must succeed, with the ids and transaction
//! numbers it would have had if the failed step had never run.

use skein::testing::faults::{Disk, Fault};
use skein::{Database, ImportRequest, Params, QueryOptions, Value};
use std::fmt::Write as _;
use std::path::Path;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// One acknowledged-or-not unit of work: one commit.
type Step = fn(&Database, &Path) -> Result<(), skein::Error>;

fn run(db: &Database, query: &str) -> Result<(), skein::Error> {
    db.execute(query, &Params::new()).map(|_| ())
}

fn step_create(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(
        db,
        "CREATE (:Person {name: 'Ann', age: 34}), (:Person {name: 'Bob', age: 40})",
    )
}

fn step_index(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(db, "CREATE INDEX FOR (p:Person) ON (p.name)")
}

fn step_constraint(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(
        db,
        "CREATE CONSTRAINT FOR (c:Country) REQUIRE c.iso IS UNIQUE",
    )
}

fn step_relate(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(
        db,
        "MATCH (a:Person {name: 'Ann'}), (b:Person {name: 'Bob'}) \
         CREATE (a)-[:KNOWS {since: 2001}]->(b), (b)-[:KNOWS]->(a)",
    )
}

fn step_set(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(
        db,
        "MATCH (p:Person {name: 'Bob'}) SET p.age = 41, p:Employee REMOVE p.nothing",
    )
}

fn step_transaction(db: &Database, _: &Path) -> Result<(), skein::Error> {
    let mut txn = db.begin()?;
    txn.execute("CREATE (:City {name: 'Oslo'})", &Params::new())?;
    txn.execute(
        "MATCH (p:Person {name: 'Ann'}), (c:City) SET p.city = c.name CREATE (p)-[:LIVES_IN]->(c)",
        &Params::new(),
    )?;
    txn.execute("CREATE (:Country {iso: 'NOR'})", &Params::new())?;
    txn.commit()
}

fn step_load(db: &Database, dir: &Path) -> Result<(), skein::Error> {
    db.load(dir.join("facts.cypher"), &mut |_, _| {})
        .map(|_| ())
}

fn step_sourced(db: &Database, _: &Path) -> Result<(), skein::Error> {
    let options = QueryOptions {
        source: Some("session-a".to_string()),
        ..QueryOptions::default()
    };
    db.execute_with(
        "MATCH (p:Person {name: 'Ann'}) SET p.age = 35 CREATE (:Note {text: 'aged'})",
        &Params::new(),
        &options,
    )
    .map(|_| ())
}

fn step_import(db: &Database, dir: &Path) -> Result<(), skein::Error> {
    db.import_csv(&small_import(dir), &mut |_| {}).map(|_| ())
}

fn step_import_in_batches(db: &Database, dir: &Path) -> Result<(), skein::Error> {
    skein::testing::import::import_with_budget(db, &batched_import(dir), 16 << 10, &mut |_| {})
        .map(|_| ())
}

fn step_delete(db: &Database, _: &Path) -> Result<(), skein::Error> {
    run(
        db,
        "MATCH (:Person {name: 'Bob'})-[r:KNOWS]->() DELETE r \
         WITH 1 AS one MATCH (c:City) DETACH DELETE c",
    )
}

fn step_unload(db: &Database, dir: &Path) -> Result<(), skein::Error> {
    db.unload(&dir.join("facts.cypher").display().to_string())
        .map(|_| ())
}

const STEPS: &[(&str, Step)] = &[
    ("create", step_create),
    ("index", step_index),
    ("constraint", step_constraint),
    ("relate", step_relate),
    ("set", step_set),
    ("transaction", step_transaction),
    ("load", step_load),
    ("sourced", step_sourced),
    ("import", step_import),
    ("import in batches", step_import_in_batches),
    ("delete", step_delete),
    ("unload", step_unload),
];

/// The write after a failure, which must succeed and find the state the model has.
fn probe(db: &Database) -> Result<(), skein::Error> {
    run(
        db,
        "CREATE (:Probe {n: 1})-[:AFTER]->(:Probe {n: 2}) \
         WITH 1 AS one MATCH (p:Person {name: 'Ann'}) SET p.probed = true",
    )
}

fn small_import(dir: &Path) -> ImportRequest {
    ImportRequest {
        nodes: vec![dir.join("small/nodes_Item.csv")],
        relationships: vec![dir.join("small/rels_NEXT.csv")],
        ..ImportRequest::default()
    }
}

fn batched_import(dir: &Path) -> ImportRequest {
    ImportRequest {
        nodes: vec![dir.join("batched/nodes_Member.csv")],
        relationships: vec![dir.join("batched/rels_LINKS.csv")],
        source: Some("batched".to_string()),
        ..ImportRequest::default()
    }
}

fn write_inputs(dir: &Path) -> std::io::Result<()> {
    std::fs::write(
        dir.join("facts.cypher"),
        "CREATE (:Fact {name: 'sky', colour: 'blue'});\n\
         MATCH (f:Fact {name: 'sky'}) MERGE (f)-[:SEEN_BY]->(:Person {name: 'Cy'});\n",
    )?;
    std::fs::create_dir_all(dir.join("small"))?;
    std::fs::write(
        dir.join("small/nodes_Item.csv"),
        "id:INT,name\n1,one\n2,two\n3,three\n",
    )?;
    std::fs::write(
        dir.join("small/rels_NEXT.csv"),
        "src:INT,dst:INT\n1,2\n2,3\n",
    )?;
    std::fs::create_dir_all(dir.join("batched"))?;
    let mut members = String::from("id:INT,name\n");
    for i in 0..120 {
        let _ = writeln!(members, "{},m{i}", 100 + i);
    }
    std::fs::write(dir.join("batched/nodes_Member.csv"), members)?;
    let mut links = String::from("src:INT,dst:INT,w:INT\n");
    for i in 1..120 {
        let _ = writeln!(links, "100,{},{i}", 100 + i);
        let _ = writeln!(links, "{},{},{i}", 100 + i, 100 + (i * 7) % 120);
    }
    std::fs::write(dir.join("batched/rels_LINKS.csv"), links)
}

/// Everything a reader can tell apart, in a fixed order: nodes and relationships with
/// their ids, counts (served from the count records), an index seek, the sources and
/// the last transaction's number.
fn dump(db: &Database) -> Result<Vec<String>, skein::Error> {
    let mut out = Vec::new();
    for query in [
        "MATCH (n) RETURN id(n), labels(n), properties(n) ORDER BY id(n)",
        "MATCH (a)-[r]->(b) RETURN id(r), id(a), type(r), properties(r), id(b) ORDER BY id(r)",
        "MATCH (n) RETURN count(n)",
        "MATCH ()-[r]->() RETURN count(r)",
        "MATCH (n:Person) RETURN count(n)",
        "MATCH (n:Member) RETURN count(n)",
        "MATCH ()-[r:LINKS]->() RETURN count(r)",
        "MATCH (p:Person {name: 'Bob'}) RETURN p.age",
        "MATCH (m:Member {name: 'm7'})-[:LINKS]-(o) RETURN o.name ORDER BY o.name",
        "CALL db.sources() YIELD source, nodes, relationships, properties \
         RETURN source, nodes, relationships, properties ORDER BY source",
        "SHOW INDEXES",
        "SHOW CONSTRAINTS",
    ] {
        let result = db.execute(query, &Params::new())?;
        for row in result.rows {
            let cells: Vec<String> = row.iter().map(Value::to_string).collect();
            out.push(format!("{query} → {}", cells.join(" | ")));
        }
    }
    out.push(format!("last transaction {}", db.last_transaction()?));
    Ok(out)
}

/// What a run of the first `done` steps (then the probe, when asked) leaves.
fn expected(dir: &Path, done: usize, then_probe: bool) -> Result<Vec<String>, skein::Error> {
    let disk = Disk::new();
    let db = Database::over_faulty(&disk)?;
    for (_, step) in STEPS.iter().take(done) {
        step(&db, dir)?;
    }
    if then_probe {
        probe(&db)?;
    }
    dump(&db)
}

/// What one faulty run found wrong, if anything.
fn faulty_run(
    dir: &Path,
    fault: Fault,
    at: u64,
    models: &Models,
) -> Result<Option<String>, skein::Error> {
    let disk = Disk::new();
    let db = Database::over_faulty(&disk)?;
    disk.arm(fault, at);
    let mut failed = None;
    for (i, (name, step)) in STEPS.iter().enumerate() {
        if let Err(e) = step(&db, dir) {
            let text = e.to_string();
            if !text.contains("injected") && !text.contains("could not be read or written") {
                return Ok(Some(format!(
                    "step {name} failed with an unclear error: {text}"
                )));
            }
            failed = Some(i);
            break;
        }
    }
    if !disk.fired() {
        return Ok(Some("the planned fault never happened".to_string()));
    }
    let Some(failed) = failed else {
        // A fault the storage layer absorbed (e.g. a read it retried) is fine as long as
        // the end state is the clean one.
        drop(db);
        let reopened = Database::over_faulty(&disk.survivor())?;
        let problems = reopened.check()?;
        if !problems.is_empty() {
            return Ok(Some(format!(
                "the survivor does not check clean: {problems:?}"
            )));
        }
        return Ok(compare(
            &dump(&reopened)?,
            &[&models.without_probe[STEPS.len()]],
            "all steps acknowledged",
        ));
    };
    let crash = matches!(
        fault,
        Fault::CrashKeepingFlushed | Fault::CrashKeepingWrites
    );
    if !crash {
        // The database goes on after an I/O error.
        if let Err(e) = probe(&db) {
            return Ok(Some(format!(
                "after step {} failed, the next write failed too: {e}",
                STEPS[failed].0
            )));
        }
    }
    drop(db);
    let reopened = match Database::over_faulty(&disk.survivor()) {
        Ok(db) => db,
        Err(e) => return Ok(Some(format!("the survivor does not open: {e}"))),
    };
    if crash {
        probe(&reopened)?;
    }
    let problems = reopened.check()?;
    if !problems.is_empty() {
        return Ok(Some(format!(
            "the survivor does not check clean: {problems:?}"
        )));
    }
    let got = dump(&reopened)?;
    let absent = &models.with_probe[failed];
    let present = &models.with_probe[failed + 1];
    Ok(if crash {
        compare(&got, &[absent, present], "a crash")
    } else {
        compare(&got, &[absent], "an I/O error")
    })
}

struct Models {
    /// After the first k steps.
    without_probe: Vec<Vec<String>>,
    /// After the first k steps and the probe.
    with_probe: Vec<Vec<String>>,
}

fn compare(got: &[String], allowed: &[&Vec<String>], after: &str) -> Option<String> {
    if allowed.iter().any(|a| a.as_slice() == got) {
        return None;
    }
    let first = allowed.first().map(|a| a.as_slice()).unwrap_or_default();
    let missing: Vec<&String> = first.iter().filter(|l| !got.contains(l)).collect();
    let extra: Vec<&String> = got.iter().filter(|l| !first.contains(l)).collect();
    Some(format!(
        "after {after} the state is not the model's: missing {missing:#?}, extra {extra:#?}"
    ))
}

#[test]
fn every_fault_point_leaves_the_acknowledged_commits() -> TestResult {
    let dir = tempfile::tempdir()?;
    write_inputs(dir.path())?;
    let mut models = Models {
        without_probe: Vec::new(),
        with_probe: Vec::new(),
    };
    for done in 0..=STEPS.len() {
        models
            .without_probe
            .push(expected(dir.path(), done, false)?);
        models.with_probe.push(expected(dir.path(), done, true)?);
    }

    // The clean run counts the fault points.
    let disk = Disk::new();
    let db = Database::over_faulty(&disk)?;
    disk.count();
    for (_, step) in STEPS {
        step(&db, dir.path())?;
    }
    let counts = disk.counts();
    assert_eq!(db.check()?, Vec::new(), "the clean run checks clean");
    drop(db);

    let mut runs = 0;
    let mut problems = Vec::new();
    let mut per_kind = String::new();
    for fault in Fault::ALL {
        let points = fault.points(counts);
        for at in 1..=points {
            runs += 1;
            if let Some(problem) = faulty_run(dir.path(), fault, at, &models)? {
                problems.push(format!("{fault:?} at {at}: {problem}"));
            }
        }
        let _ = write!(per_kind, "{fault:?} {points}, ");
    }
    eprintln!("fault points: {counts:?}; runs per kind: {per_kind}{runs} runs in all");
    assert!(
        problems.is_empty(),
        "{} of {runs} runs went wrong:\n{}",
        problems.len(),
        problems.join("\n")
    );
    Ok(())
}
