//! The benchmark workload harness (bench/README.md): imports a data set written by
//! `bench/gen.py` into a fresh database, runs Q1–Q8 and W1 with the parameters of the
//! data set's `manifest.json`, and reports the median time of each case after warm-up,
//! with the value each query returned so that `bench/peers.py` can check every system
//! answers the same.
//!
//! `skein-bench --data DIR --db NEW_FOLDER [--runs N] [--warmup N] [--json]`
//! `[--reuse] [--only CASE,...]`: `--reuse` runs on a folder an earlier run imported
//! (no import, and W1, which adds to the data, only when named); `--only` runs the named
//! cases.

use serde_json::{json, Value as Json};
use skein::{Database, ImportRequest, Params, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// The read queries of the workload, by case name, with the manifest parameter each
/// `$name` takes (`hub`, `median`) or `None` for queries without parameters.
const QUERIES: [(&str, &str, Option<&str>); 11] = [
    ("Q1", "MATCH (p:Person {name: $name}) RETURN p.age", Some("median")),
    ("Q2-hub", "MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN count(f)", Some("hub")),
    ("Q2-med", "MATCH (p:Person {name: $name})-[:KNOWS]->(f) RETURN count(f)", Some("median")),
    ("Q3-hub", "MATCH (p:Person {name: $name})-[:KNOWS]->()-[:KNOWS]->(f) RETURN count(DISTINCT f)", Some("hub")),
    ("Q3-med", "MATCH (p:Person {name: $name})-[:KNOWS]->()-[:KNOWS]->(f) RETURN count(DISTINCT f)", Some("median")),
    ("Q4", "MATCH (p:Person) WHERE p.age > 30 RETURN p.country AS c, count(*) AS n, avg(p.age) AS a ORDER BY n DESC, c LIMIT 10", None),
    ("Q5-hub", "MATCH (p:Person {name: $name})-[:KNOWS*1..3]->(f) RETURN count(DISTINCT f)", Some("hub")),
    ("Q5-med", "MATCH (p:Person {name: $name})-[:KNOWS*1..3]->(f) RETURN count(DISTINCT f)", Some("median")),
    ("Q6", "MATCH path = shortestPath((a:Person {name: $a})-[:KNOWS*]-(b:Person {name: $b})) RETURN length(path)", None),
    ("Q7", "MATCH (p:Person)-[:KNOWS]->() RETURN p.name, count(*) AS d ORDER BY d DESC, p.name LIMIT 10", None),
    ("Q8", "MATCH (c:Company)-[:SIGNED]->(d:Deal)<-[:SIGNED]-(o:Organization) RETURN count(*)", None),
];

const W1_NODES: &str =
    "UNWIND $rows AS r CREATE (:Person {id: r.id, name: r.name, age: r.age, country: r.country})";
const W1_RELS: &str = "UNWIND $rows AS r MATCH (a:Person {id: r.src}), (b:Person {id: r.dst}) \
                       CREATE (a)-[:KNOWS {since: r.since, weight: r.weight}]->(b)";
/// W1 runs this many statements of each kind, each of `W1_ROWS` rows.
const W1_STATEMENTS: usize = 10;
const W1_ROWS: usize = 1000;
/// Single-relationship statements timed for the statement-at-a-time write rate.
const SINGLE_WRITES: usize = 200;

struct Options {
    data: PathBuf,
    db: PathBuf,
    runs: usize,
    warmup: usize,
    json: bool,
    reuse: bool,
    only: Option<Vec<String>>,
}

fn parse_args() -> Result<Options, String> {
    let mut data = None;
    let mut db = None;
    let mut runs = 5;
    let mut warmup = 1;
    let mut json = false;
    let mut reuse = false;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--data" => data = Some(PathBuf::from(value("--data")?)),
            "--db" => db = Some(PathBuf::from(value("--db")?)),
            "--runs" => {
                runs = value("--runs")?
                    .parse()
                    .map_err(|e| format!("--runs: {e}"))?
            }
            "--warmup" => {
                warmup = value("--warmup")?
                    .parse()
                    .map_err(|e| format!("--warmup: {e}"))?
            }
            "--json" => json = true,
            "--reuse" => reuse = true,
            "--only" => {
                only = Some(
                    value("--only")?
                        .split(',')
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                )
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    let usage = "usage: skein-bench --data DIR --db NEW_FOLDER [--runs N] [--warmup N] [--json] [--reuse] [--only CASE,...]";
    let (Some(data), Some(db)) = (data, db) else {
        return Err(usage.to_string());
    };
    if db.exists() && !reuse {
        return Err(format!(
            "{} exists: the harness imports into a new database folder",
            db.display()
        ));
    }
    Ok(Options {
        data,
        db,
        runs: runs.max(1),
        warmup,
        json,
        reuse,
        only,
    })
}

/// mimalloc: the executor allocates many small, short-lived values (rows, strings,
/// group keys), where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    match parse_args().and_then(|options| run(&options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("skein-bench: {message}");
            ExitCode::from(2)
        }
    }
}

fn manifest(data: &Path) -> Result<Json, String> {
    let path = data.join("manifest.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The data set's files of one section (`nodes` or `rels`), in manifest order.
fn files(manifest: &Json, data: &Path, section: &str) -> Vec<PathBuf> {
    manifest
        .get(section)
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(_, entry)| entry.get("file").and_then(Json::as_str))
        .map(|file| data.join(file))
        .collect()
}

fn param_name(manifest: &Json, key: &str) -> Result<String, String> {
    manifest
        .pointer(&format!("/params/{key}/name"))
        .and_then(Json::as_str)
        .map(str::to_string)
        .ok_or(format!("manifest.json has no params.{key}.name"))
}

fn folder_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|entry| match entry.metadata() {
            Ok(m) if m.is_dir() => folder_size(&entry.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// A result value as JSON, for comparing systems (floats rounded to 6 decimals).
fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => json!(b),
        Value::Int(i) => json!(i),
        Value::Float(f) => json!((f * 1e6).round() / 1e6),
        Value::String(s) => json!(s),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        other => json!(other.to_string()),
    }
}

/// The answer of a query: its single value, or its rows when there are several.
fn answer(rows: &[Vec<Value>]) -> Json {
    match rows {
        [row] if row.len() == 1 => row.first().map_or(Json::Null, to_json),
        _ => Json::Array(
            rows.iter()
                .map(|row| Json::Array(row.iter().map(to_json).collect()))
                .collect(),
        ),
    }
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    let n = samples.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => samples[n / 2],
        _ => (samples[n / 2 - 1] + samples[n / 2]) / 2.0,
    }
}

fn timed<T>(work: impl FnOnce() -> Result<T, String>) -> Result<(T, f64), String> {
    let started = Instant::now();
    let value = work()?;
    Ok((value, started.elapsed().as_secs_f64() * 1000.0))
}

fn run(options: &Options) -> Result<(), String> {
    let manifest = manifest(&options.data)?;
    let db = Database::open(&options.db).map_err(|e| e.to_string())?;
    let exec = |query: &str, params: &Params| -> Result<Vec<Vec<Value>>, String> {
        db.execute(query, params)
            .map(|r| r.rows)
            .map_err(|e| format!("{query}: {e}"))
    };
    let (summary, load_ms, disk_bytes) = if options.reuse {
        (None, 0.0, folder_size(&options.db))
    } else {
        // Q1 is a lookup by indexed name; W1 matches persons by id.
        exec("CREATE INDEX FOR (p:Person) ON (p.name)", &Params::new())?;
        exec("CREATE INDEX FOR (p:Person) ON (p.id)", &Params::new())?;
        let request = ImportRequest {
            nodes: files(&manifest, &options.data, "nodes"),
            relationships: files(&manifest, &options.data, "rels"),
            declarations: Vec::new(),
            source: None,
            ..ImportRequest::default()
        };
        let (summary, load_ms) = timed(|| {
            db.import_csv(&request, &mut |_| {})
                .map_err(|e| e.to_string())
        })?;
        if !options.json {
            eprintln!("{summary}");
        }
        (Some(summary), load_ms, folder_size(&options.db))
    };
    let wanted = |case: &str| {
        options
            .only
            .as_ref()
            .is_none_or(|only| only.iter().any(|c| c == case))
    };

    let mut cases = serde_json::Map::new();
    for (case, query, param) in QUERIES {
        if !wanted(case) {
            continue;
        }
        let mut params = Params::new();
        match (param, case) {
            (Some(key), _) => {
                params.insert("name".into(), Value::String(param_name(&manifest, key)?));
            }
            (None, "Q6") => {
                params.insert("a".into(), Value::String(param_name(&manifest, "sp_a")?));
                params.insert("b".into(), Value::String(param_name(&manifest, "sp_b")?));
            }
            (None, _) => {}
        }
        for _ in 0..options.warmup {
            exec(query, &params)?;
        }
        let mut samples = Vec::with_capacity(options.runs);
        let mut value = Json::Null;
        for _ in 0..options.runs {
            let (rows, ms) = timed(|| exec(query, &params))?;
            value = answer(&rows);
            samples.push(ms);
        }
        let median_ms = median(samples);
        if !options.json {
            eprintln!("{case:8} {median_ms:>10.3} ms  {value}");
        }
        cases.insert(case.into(), json!({"median_ms": median_ms, "value": value}));
    }

    let first_id = manifest
        .get("total_nodes")
        .and_then(Json::as_i64)
        .ok_or("manifest.json has no total_nodes")?;
    let mut single_rels_per_s = None;
    // On a reused folder W1 runs only when asked by name (it adds to the data).
    let w1_named = options
        .only
        .as_ref()
        .is_some_and(|o| o.iter().any(|c| c == "W1"));
    if (!options.reuse && wanted("W1")) || w1_named {
        let (w1_nodes, w1_rels) = write_workload(&exec, first_id)?;
        let per_s = single_writes(&exec, first_id)?;
        if !options.json {
            eprintln!("W1 nodes {w1_nodes:>10.3} ms per 1k rows");
            eprintln!("W1 rels  {w1_rels:>10.3} ms per 1k rows");
            eprintln!("single-relationship statements: {per_s:.0} rel/s");
        }
        cases.insert("W1-nodes".into(), json!({"median_ms": w1_nodes}));
        cases.insert("W1-rels".into(), json!({"median_ms": w1_rels}));
        single_rels_per_s = Some(per_s);
    }
    let report = json!({
        "system": "skein",
        "version": env!("CARGO_PKG_VERSION"),
        "load_s": load_ms / 1000.0,
        "nodes": summary.as_ref().map(|s| s.nodes),
        "relationships": summary.as_ref().map(|s| s.relationships),
        "disk_bytes": disk_bytes,
        "single_write_rels_per_s": single_rels_per_s,
        "cases": cases,
    });
    if options.json {
        println!("{report}");
    }
    Ok(())
}

/// The rows of W1: persons with ids from `first_id` on, then KNOWS among them.
fn w1_rows(statement: usize, first_id: i64, relationships: bool) -> Value {
    let rows = (0..W1_ROWS)
        .map(|row| {
            let i = (statement * W1_ROWS + row) as i64;
            let mut map = skein::Map::new();
            if relationships {
                let n = (W1_STATEMENTS * W1_ROWS) as i64;
                let src = (i * 7919) % n;
                let dst = (src + 1 + (i * 104_729) % (n - 1)) % n;
                map.insert("src".into(), Value::Int(first_id + src));
                map.insert("dst".into(), Value::Int(first_id + dst));
                map.insert("since".into(), Value::Int(1980 + i % 47));
                map.insert("weight".into(), Value::Float((i % 1000) as f64 / 1000.0));
            } else {
                map.insert("id".into(), Value::Int(first_id + i));
                map.insert("name".into(), Value::String(format!("W1 Person {i}")));
                map.insert("age".into(), Value::Int(18 + i % 70));
                map.insert("country".into(), Value::String("Nowhere".into()));
            }
            Value::Map(map)
        })
        .collect();
    Value::List(rows)
}

type Exec<'a> = dyn Fn(&str, &Params) -> Result<Vec<Vec<Value>>, String> + 'a;

/// W1: the median milliseconds of a 1k-row node statement and of a 1k-row
/// relationship statement (each statement durable when it returns).
fn write_workload(exec: &Exec<'_>, first_id: i64) -> Result<(f64, f64), String> {
    let mut medians = [0.0; 2];
    for (slot, (query, relationships)) in
        medians.iter_mut().zip([(W1_NODES, false), (W1_RELS, true)])
    {
        let mut samples = Vec::new();
        for statement in 0..W1_STATEMENTS {
            let mut params = Params::new();
            params.insert("rows".into(), w1_rows(statement, first_id, relationships));
            let (_, ms) = timed(|| exec(query, &params))?;
            samples.push(ms);
        }
        *slot = median(samples);
    }
    Ok((medians[0], medians[1]))
}

/// Relationships per second when each statement creates one relationship between two
/// persons found by id.
fn single_writes(exec: &Exec<'_>, first_id: i64) -> Result<f64, String> {
    let query =
        "MATCH (a:Person {id: $src}), (b:Person {id: $dst}) CREATE (a)-[:KNOWS {since: 2026}]->(b)";
    let started = Instant::now();
    for i in 0..SINGLE_WRITES as i64 {
        let mut params = Params::new();
        params.insert("src".into(), Value::Int(first_id + i));
        params.insert("dst".into(), Value::Int(first_id + i + 1));
        exec(query, &params)?;
    }
    Ok(SINGLE_WRITES as f64 / started.elapsed().as_secs_f64())
}
