//! Criterion micro-benchmarks of the paths the workload leans on: expanding a node with
//! 1,000 neighbours, a point lookup through an index, a bulk write through
//! `skein import`'s path, one relationship written per statement (durable when the
//! statement returns), and parsing a statement that holds 1,000 rows as a constant list
//! of maps (how scripts and FalkorDB's client inline rows). Run with
//! `cargo bench --bench micro`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use skein::{Database, ImportRequest, Params, Value};
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;

const NEIGHBOURS: i64 = 1_000;
const PERSONS: i64 = 10_000;

fn params(pairs: &[(&str, Value)]) -> Params {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// A database with a hub of 1,000 outgoing `LINK`s and `PERSONS` indexed persons.
fn populated(path: &Path) -> skein::Result<Database> {
    let db = Database::open(path)?;
    db.execute("CREATE INDEX FOR (p:Person) ON (p.name)", &Params::new())?;
    db.execute("CREATE INDEX FOR (p:Person) ON (p.id)", &Params::new())?;
    db.execute(
        "CREATE (h:Hub) WITH h UNWIND range(1, $n) AS i CREATE (h)-[:LINK]->(:Leaf {i: i})",
        &params(&[("n", Value::Int(NEIGHBOURS))]),
    )?;
    db.execute(
        "UNWIND range(0, $n - 1) AS i CREATE (:Person {id: i, name: 'person ' + toString(i), age: i % 80})",
        &params(&[("n", Value::Int(PERSONS))]),
    )?;
    Ok(db)
}

/// CSV files of `nodes` persons and `rels` KNOWS relationships among them.
fn write_csv(dir: &Path, nodes: i64, rels: i64) -> std::io::Result<ImportRequest> {
    let mut people = String::from("id,name,age:INT\n");
    for i in 0..nodes {
        let _ = writeln!(people, "{i},person {i},{}", i % 80);
    }
    let mut knows = String::from("src,dst,since:INT\n");
    for i in 0..rels {
        let _ = writeln!(
            knows,
            "{},{},{}",
            i % nodes,
            (i * 7 + 1) % nodes,
            1990 + i % 30
        );
    }
    let node_file = dir.join("nodes_Person.csv");
    let rel_file = dir.join("rels_KNOWS.csv");
    std::fs::write(&node_file, people)?;
    std::fs::write(&rel_file, knows)?;
    Ok(ImportRequest {
        nodes: vec![node_file],
        relationships: vec![rel_file],
        declarations: Vec::new(),
        source: None,
        ..ImportRequest::default()
    })
}

/// `UNWIND [{id: 0, name: 'person 0', score: 0.5}, …] AS row CREATE (:P {…})` with
/// `rows` rows.
fn inlined_rows(rows: usize) -> String {
    let mut text = String::from("UNWIND [");
    for i in 0..rows {
        if i > 0 {
            text.push_str(", ");
        }
        let _ = write!(text, "{{id: {i}, name: 'person {i}', score: {}.5}}", i * 7);
    }
    text.push_str("] AS row CREATE (:P {id: row.id, name: row.name, score: row.score})");
    text
}

fn benches(c: &mut Criterion) {
    let statement = inlined_rows(1_000);
    c.bench_function("parse 1,000 inlined rows of three keys", |b| {
        b.iter(|| black_box(skein::testing::parse::parse_statement(&statement)))
    });

    let Ok(dir) = tempfile::tempdir() else {
        eprintln!("cannot make a temporary folder");
        return;
    };
    let db = match populated(&dir.path().join("db")) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("cannot build the benchmark database: {e}");
            return;
        }
    };

    c.bench_function("expand 1000 neighbours", |b| {
        b.iter(|| {
            black_box(db.execute("MATCH (:Hub)-[:LINK]->(n) RETURN count(n)", &Params::new()))
        })
    });

    let lookup = params(&[("name", Value::String("person 4242".into()))]);
    c.bench_function("point lookup by indexed name", |b| {
        b.iter(|| black_box(db.execute("MATCH (p:Person {name: $name}) RETURN p.age", &lookup)))
    });

    let mut next = 0i64;
    c.bench_function("one relationship per statement (durable)", |b| {
        b.iter(|| {
            next += 1;
            let pair = params(&[
                ("a", Value::Int(next % PERSONS)),
                ("b", Value::Int((next * 13 + 1) % PERSONS)),
            ]);
            black_box(db.execute(
                "MATCH (a:Person {id: $a}), (b:Person {id: $b}) CREATE (a)-[:KNOWS]->(b)",
                &pair,
            ))
        })
    });

    let csv_dir = dir.path().join("csv");
    let request =
        std::fs::create_dir_all(&csv_dir).and_then(|_| write_csv(&csv_dir, 2_000, 10_000));
    match request {
        Ok(request) => {
            let mut group = c.benchmark_group("bulk import");
            group.sample_size(10);
            group.bench_function("2k nodes + 10k relationships", |b| {
                b.iter_batched(
                    Database::open_temporary,
                    |fresh| fresh.map(|db| black_box(db.import_csv(&request, &mut |_| {}))),
                    BatchSize::PerIteration,
                )
            });
            group.finish();
        }
        Err(e) => eprintln!("cannot write the CSV files: {e}"),
    }
}

criterion_group!(micro, benches);
criterion_main!(micro);
