//! Provenance through the public API and the `skein` binary: fact files as sources,
//! reloads that withdraw what a file no longer says, conflicting claims, unload, and a
//! reload killed half-way.

mod common;

use common::rows_text;
use skein::{Database, LoadOutcome, Params, QueryOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn load(db: &Database, path: &Path) -> Result<skein::FileReport, skein::Error> {
    let mut reports = db.load(path, &mut |_, _| {})?;
    Ok(reports.remove(0))
}

/// A folder with fact files `name` → text, and a database opened in it.
fn setup(files: &[(&str, &str)]) -> Result<(tempfile::TempDir, Database), skein::Error> {
    let dir = tempfile::tempdir().map_err(|e| skein::Error::io(e.to_string()))?;
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).map_err(|e| skein::Error::io(e.to_string()))?;
    }
    let db = Database::open(dir.path().join("db"))?;
    Ok((dir, db))
}

const PEOPLE: &str = "MERGE (a:P {name: 'Ann'}) SET a.age = 30;\n\
                      MERGE (b:P {name: 'Bob'}) SET b.age = 40;\n\
                      MATCH (a:P {name: 'Ann'}), (b:P {name: 'Bob'}) MERGE (a)-[:KNOWS]->(b);\n";

#[test]
fn a_loaded_file_is_the_source_of_what_it_writes() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let file = dir.path().join("people.cypher");
    let report = load(&db, &file)?;
    assert_eq!(report.outcome, LoadOutcome::New);
    let name = report.source.clone();
    assert!(name.ends_with("people.cypher"), "{name}");
    assert_eq!(
        rows_text(
            &db,
            "MATCH (p:P) RETURN p.name, [s IN sources(p) | s.line], [s IN sources(p, 'age') | s.line] ORDER BY p.name"
        ),
        ["'Ann' | [1] | [1]", "'Bob' | [2] | [2]"]
    );
    assert_eq!(
        rows_text(
            &db,
            "MATCH ()-[r:KNOWS]->() RETURN [s IN sources(r) | s.line]"
        ),
        ["[3]"]
    );
    assert_eq!(
        rows_text(
            &db,
            "CALL db.sources() YIELD source, nodes, relationships, properties RETURN source = $x, nodes, relationships, properties"
                .replace("$x", &format!("'{name}'"))
                .as_str()
        ),
        ["true | 2 | 1 | 4"]
    );
    Ok(())
}

#[test]
fn an_unchanged_reload_writes_nothing() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let file = dir.path().join("people.cypher");
    load(&db, &file)?;
    let before = rows_text(&db, "CALL db.sources() YIELD loaded_at RETURN loaded_at");
    let report = load(&db, &file)?;
    assert_eq!(report.outcome, LoadOutcome::Unchanged);
    assert_eq!(report.statements, 0);
    assert_eq!(report.stats, skein::Stats::default());
    assert_eq!(
        rows_text(&db, "CALL db.sources() YIELD loaded_at RETURN loaded_at"),
        before
    );
    Ok(())
}

#[test]
fn a_changed_reload_withdraws_exactly_what_the_file_no_longer_says() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let file = dir.path().join("people.cypher");
    load(&db, &file)?;
    // Bob's age and the KNOWS relationship are gone from the file; Cy is new.
    std::fs::write(
        &file,
        "MERGE (a:P {name: 'Ann'}) SET a.age = 30;\nMERGE (b:P {name: 'Bob'});\nMERGE (c:P {name: 'Cy'});\n",
    )?;
    let report = load(&db, &file)?;
    let LoadOutcome::Changed { kept, withdrawn } = report.outcome else {
        panic!("expected a changed reload, got {:?}", report.outcome);
    };
    assert_eq!(withdrawn.relationships_deleted, 1);
    assert_eq!(withdrawn.properties_removed, 1);
    assert_eq!(withdrawn.nodes_deleted, 0);
    // Ann, Ann.name, Ann.age, Bob, Bob.name stay asserted.
    assert_eq!(kept, 5);
    assert_eq!(
        rows_text(&db, "MATCH (p:P) RETURN p.name, p.age ORDER BY p.name"),
        ["'Ann' | 30", "'Bob' | null", "'Cy' | null"]
    );
    assert_eq!(rows_text(&db, "MATCH ()-[r]->() RETURN count(r)"), ["0"]);
    // The first version again restores the graph it made.
    std::fs::write(&file, PEOPLE)?;
    let report = load(&db, &file)?;
    assert!(matches!(report.outcome, LoadOutcome::Changed { .. }));
    assert_eq!(
        rows_text(&db, "MATCH (p:P) RETURN p.name, p.age ORDER BY p.name"),
        ["'Ann' | 30", "'Bob' | 40"]
    );
    assert_eq!(
        rows_text(&db, "MATCH ()-[r:KNOWS]->() RETURN count(r)"),
        ["1"]
    );
    Ok(())
}

#[test]
fn a_changed_reload_that_fails_leaves_the_previous_version() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let file = dir.path().join("people.cypher");
    load(&db, &file)?;
    let graph = "MATCH (p:P) OPTIONAL MATCH (p)-[r]->(q) RETURN p.name, p.age, type(r), q.name ORDER BY p.name";
    let before = rows_text(&db, graph);
    let sources =
        "CALL db.sources() YIELD source, sha256, nodes, relationships, properties RETURN *";
    let sources_before = rows_text(&db, sources);
    std::fs::write(
        &file,
        "MERGE (a:P {name: 'Ann'}) SET a.age = 31;\nMERGE (z:P {name: 'Zed'});\nRETURN 1/0;\n",
    )?;
    let error = load(&db, &file).err().ok_or("the broken file loaded")?;
    assert!(
        error.message.contains("people.cypher:3:8"),
        "{}",
        error.message
    );
    assert_eq!(rows_text(&db, graph), before);
    assert_eq!(rows_text(&db, sources), sources_before);
    Ok(())
}

#[test]
fn unloading_withdraws_a_source_and_an_unknown_one_is_an_error() -> TestResult {
    let (dir, db) = setup(&[
        ("people.cypher", PEOPLE),
        (
            "more.cypher",
            "MERGE (a:P {name: 'Ann'}) SET a.city = 'Oslo';\n",
        ),
    ])?;
    load(&db, &dir.path().join("people.cypher"))?;
    let more = load(&db, &dir.path().join("more.cypher"))?;
    let withdrawn = db.unload(&load(&db, &dir.path().join("people.cypher"))?.source)?;
    // Bob and the relationship go; Ann stays (more.cypher asserts her) with her name
    // (its MERGE names it) and city, not her age.
    assert_eq!(withdrawn.nodes_deleted, 1);
    assert_eq!(withdrawn.relationships_deleted, 1);
    assert_eq!(
        rows_text(&db, "MATCH (p:P) RETURN p.name, p.age, p.city"),
        ["'Ann' | null | 'Oslo'"]
    );
    assert_eq!(
        rows_text(&db, "CALL db.sources() YIELD source RETURN source"),
        [format!("'{}'", more.source)]
    );
    let error = db
        .unload("nowhere.cypher")
        .err()
        .ok_or("an unknown source unloaded")?;
    assert!(
        error.message.contains("no source named") && error.message.contains(&more.source),
        "{}",
        error.message
    );
    Ok(())
}

/// Two sources that disagree on the 2013 trade figure.
const TRADE_REPORTS: [(&str, &str); 2] = [
    (
        "report.cypher",
        "MERGE (t:Trade {year: 2013}) SET t.usd = 113;\n",
    ),
    (
        "customs.cypher",
        "MERGE (t:Trade {year: 2013}) SET t.usd = 112;\n",
    ),
];

#[test]
fn conflicting_claims_are_kept_and_the_latest_load_wins() -> TestResult {
    let (dir, db) = setup(&TRADE_REPORTS)?;
    let report = load(&db, &dir.path().join("report.cypher"))?.source;
    let customs = load(&db, &dir.path().join("customs.cypher"))?.source;
    let claims = "MATCH (t:Trade) RETURN t.usd, [c IN claims(t, 'usd') | [c.value, c.source]]";
    assert_eq!(
        rows_text(&db, claims),
        [format!("112 | [[112, '{customs}'], [113, '{report}']]")]
    );
    assert_eq!(
        rows_text(
            &db,
            "CALL db.conflicts() YIELD element, key, claims RETURN element.year, key, size(claims)"
        ),
        ["2013 | 'usd' | 2"]
    );
    // The user's own correction is a claim too, and the newest.
    db.execute("MATCH (t:Trade) SET t.usd = 114", &Params::new())?;
    assert_eq!(
        rows_text(&db, claims),
        [format!(
            "114 | [[114, null], [112, '{customs}'], [113, '{report}']]"
        )]
    );
    // Removing the property is a deletion: every claim goes with it.
    db.execute("MATCH (t:Trade) SET t.usd = null", &Params::new())?;
    assert_eq!(rows_text(&db, claims), ["null | []"]);
    Ok(())
}

#[test]
fn unloading_the_latest_source_makes_the_previous_claim_current() -> TestResult {
    let (dir, db) = setup(&TRADE_REPORTS)?;
    load(&db, &dir.path().join("report.cypher"))?;
    let customs = load(&db, &dir.path().join("customs.cypher"))?.source;
    let withdrawn = db.unload(&customs)?;
    assert_eq!(withdrawn.properties_reverted, 1);
    assert_eq!(withdrawn.nodes_deleted, 0);
    assert_eq!(rows_text(&db, "MATCH (t:Trade) RETURN t.usd"), ["113"]);
    assert!(rows_text(&db, "CALL db.conflicts() YIELD key RETURN key").is_empty());
    Ok(())
}

#[test]
fn statements_under_a_named_source_can_be_unloaded() -> TestResult {
    let db = Database::open_temporary()?;
    db.execute("CREATE (:Mine {name: 'Own'})", &Params::new())?;
    let named = QueryOptions {
        source: Some("analyst notes".into()),
        ..QueryOptions::default()
    };
    db.execute_with("CREATE (:Mine {name: 'Noted'})", &Params::new(), &named)?;
    db.execute_with(
        "MATCH (m:Mine {name: 'Own'}) SET m.grade = 'high'",
        &Params::new(),
        &named,
    )?;
    assert_eq!(
        rows_text(
            &db,
            "MATCH (m:Mine) RETURN m.name, [s IN sources(m) | s.source], [s IN sources(m, 'grade') | s.source] ORDER BY m.name"
        ),
        [
            "'Noted' | ['analyst notes'] | []",
            "'Own' | ['analyst notes'] | ['analyst notes']"
        ]
    );
    db.unload("analyst notes")?;
    // What was there before the source came stays, as it was.
    assert_eq!(
        rows_text(&db, "MATCH (m:Mine) RETURN m.name, m.grade, sources(m)"),
        ["'Own' | null | []"]
    );
    Ok(())
}

#[test]
fn a_store_without_sources_records_nothing() -> TestResult {
    let db = Database::open_temporary()?;
    db.execute("CREATE (a:X {k: 1})-[:R]->(:X {k: 2})", &Params::new())?;
    assert_eq!(
        rows_text(
            &db,
            "MATCH (a:X)-[r]->() RETURN sources(a), sources(r), sources(a, 'k'), claims(a, 'k')"
        ),
        ["[] | [] | [] | []"]
    );
    assert!(rows_text(&db, "CALL db.sources() YIELD source RETURN source").is_empty());
    Ok(())
}

/// Statements enough that a load runs for a while: `n` nodes, each with a property.
fn big_file(n: usize, value: i64) -> String {
    let mut text = String::from("CREATE INDEX IF NOT EXISTS FOR (n:N) ON (n.i);\n");
    for i in 0..n {
        text.push_str(&format!("MERGE (n:N {{i: {i}}}) SET n.v = {value};\n"));
    }
    text
}

fn skein() -> Command {
    Command::new(env!("CARGO_BIN_EXE_skein"))
}

#[test]
fn a_reload_killed_half_way_leaves_the_old_version_or_the_new() -> TestResult {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("big.cypher");
    let db_path: PathBuf = dir.path().join("db");
    std::fs::write(&file, big_file(20_000, 1))?;
    let status = skein()
        .arg("--db")
        .arg(&db_path)
        .args(["-q", "load"])
        .arg(&file)
        .status()?;
    assert!(status.success());
    // Changed: every value becomes 2 and the last 2,000 nodes are dropped.
    std::fs::write(&file, big_file(18_000, 2))?;
    let states = "MATCH (n:N) RETURN count(n) AS nodes, collect(DISTINCT n.v) AS values";
    for delay_ms in [50u64, 300, 900] {
        let mut child = skein()
            .arg("--db")
            .arg(&db_path)
            .args(["-q", "load"])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        let out = skein()
            .arg("--db")
            .arg(&db_path)
            .args(["--format", "csv", "-c", states])
            .output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout)?;
        let state = text.lines().nth(1).unwrap_or_default().to_string();
        assert!(
            state == "20000,[1]" || state == "18000,[2]",
            "after a kill at {delay_ms} ms the graph is a mix: {state}"
        );
    }
    Ok(())
}

#[test]
fn db_retract_withdraws_a_source_from_cypher() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let source = load(&db, &dir.path().join("people.cypher"))?.source;
    let retract = format!(
        "CALL db.retract('{source}') YIELD nodes_deleted, relationships_deleted RETURN nodes_deleted, relationships_deleted"
    );
    assert_eq!(rows_text(&db, &retract), ["2 | 1"]);
    assert_eq!(rows_text(&db, "MATCH (n) RETURN count(n)"), ["0"]);
    assert!(rows_text(&db, "CALL db.sources() YIELD source RETURN source").is_empty());
    let error = db
        .execute(&retract, &Params::new())
        .err()
        .ok_or("a retracted source retracted again")?;
    assert!(
        error.message.contains("no source named"),
        "{}",
        error.message
    );
    assert_eq!(
        rows_text(
            &db,
            "SHOW PROCEDURES YIELD name, mode WHERE name = 'db.retract' RETURN mode"
        ),
        ["'WRITE'"]
    );
    Ok(())
}

/// Everything provenance says about a graph, as sorted lines that do not depend on ids.
fn provenance_picture(db: &Database) -> Vec<String> {
    let records =
        "CALL { WITH x CALL db.provenance(x) YIELD key, source, line, seq, value, exists \
                   WITH [key, source, line, seq, value, exists] AS r ORDER BY r[0], r[1] \
                   RETURN collect(r) AS records }";
    let mut lines = rows_text(
        db,
        &format!("MATCH (x) {records} RETURN labels(x), properties(x), records"),
    );
    lines.extend(rows_text(
        db,
        &format!(
            "MATCH (a)-[x]->(b) {records} RETURN a.name, type(x), properties(x), b.name, records"
        ),
    ));
    lines.extend(rows_text(
        db,
        "CALL db.sources() YIELD source, sha256, loaded_at, nodes, relationships, properties, seq RETURN *",
    ));
    lines.extend(rows_text(
        db,
        "CALL db.conflicts() YIELD element, key, claims RETURN element.name, key, claims",
    ));
    lines.sort();
    lines
}

#[test]
fn a_cypher_export_carries_sources_and_claims_and_runs_back() -> TestResult {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir()?;
    let db = Database::open(dir.path().join("a"))?;
    db.load(root.join("seed"), &mut |_, _| {})?;
    db.load(
        root.join("seed/examples/customs_2013.cypher"),
        &mut |_, _| {},
    )?;
    // An unsourced correction and a statement under a named source.
    db.execute(
        "MATCH (t:TradeFigure {year: 2012}) SET t.amount_usd = 68900000",
        &Params::new(),
    )?;
    let named = QueryOptions {
        source: Some("analyst".into()),
        ..QueryOptions::default()
    };
    db.execute_with(
        "MATCH (p:Person {name: 'Alexander Galushka'}) SET p.checked = true",
        &Params::new(),
        &named,
    )?;
    let before = provenance_picture(&db);
    assert!(
        before.iter().any(|l| l.contains("'amount_usd'")),
        "no conflict"
    );
    let script = dir.path().join("export.cypher");
    let out = db.export(&skein::ExportRequest {
        format: skein::ExportFormat::Cypher,
        query: None,
        params: Params::new(),
        file: script.clone(),
    })?;
    assert!(out.contains("45 nodes"), "{out}");
    let copy = Database::open(dir.path().join("b"))?;
    let text = std::fs::read_to_string(&script)?;
    for statement in skein::split_statements(&text) {
        copy.execute(&statement.text, &Params::new())?;
    }
    assert_eq!(provenance_picture(&copy), before);
    // The copy withdraws as the original would.
    copy.unload("seed/examples/customs_2013.cypher")?;
    assert_eq!(
        rows_text(
            &copy,
            "MATCH (t:TradeFigure {year: 2013}) RETURN t.amount_usd"
        ),
        ["113000000"]
    );
    // Loaded as a fact file the script gives the same graph, and is no source itself.
    let third = Database::open(dir.path().join("c"))?;
    third.load(&script, &mut |_, _| {})?;
    assert_eq!(provenance_picture(&third), before);
    Ok(())
}

#[test]
fn a_json_export_lists_sources_and_each_element_s_records() -> TestResult {
    let (dir, db) = setup(&[("people.cypher", PEOPLE)])?;
    let source = load(&db, &dir.path().join("people.cypher"))?.source;
    let file = dir.path().join("graph.json");
    db.export(&skein::ExportRequest {
        format: skein::ExportFormat::Json,
        query: None,
        params: Params::new(),
        file: file.clone(),
    })?;
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&file)?)?;
    assert_eq!(json["sources"][0]["source"], serde_json::json!(source));
    let ann = json["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["properties"]["name"] == "Ann"))
        .ok_or("no Ann")?;
    let keys: Vec<&serde_json::Value> = ann["provenance"]
        .as_array()
        .ok_or("no provenance")?
        .iter()
        .map(|r| &r["key"])
        .collect();
    assert!(keys.contains(&&serde_json::json!("age")), "{keys:?}");
    assert!(keys.contains(&&serde_json::Value::Null), "{keys:?}");
    assert_eq!(
        json["relationships"][0]["provenance"][0]["line"],
        serde_json::json!(3)
    );
    Ok(())
}

#[test]
fn the_shell_names_sources_and_unloads_them() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = dir.path().join("db");
    let script = ":source notes\nCREATE (:Note {n: 1});\n:source\nCREATE (:Note {n: 2});\n\
                  :begin\n:source later\nCREATE (:Note {n: 3});\n:source\nCREATE (:Note {n: 4});\n:commit\n\
                  MATCH (x:Note) RETURN x.n, [s IN sources(x) | s.source] AS s ORDER BY x.n;\n";
    let run = |args: &[&str], input: &str| -> Result<std::process::Output, std::io::Error> {
        let mut child = skein()
            .arg("--db")
            .arg(&db)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        if let Some(mut stdin) = child.stdin.take() {
            std::io::Write::write_all(&mut stdin, input.as_bytes())?;
        }
        child.wait_with_output()
    };
    let out = run(&["--format", "csv"], script)?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout)?,
        "x.n,s\r\n1,['notes']\r\n2,[]\r\n3,['later']\r\n4,[]\r\n"
    );
    // --source names the source of a batch; `skein unload` takes a source out.
    let out = run(
        &["--source", "batch", "--format", "csv"],
        "CREATE (:Note {n: 5});\n",
    )?;
    assert!(out.status.success());
    let out = skein()
        .arg("--db")
        .arg(&db)
        .args(["unload", "notes", "batch"])
        .output()?;
    let said = String::from_utf8(out.stderr)?;
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("unloaded notes: 2 assertions withdrawn (1 node removed)"),
        "{said}"
    );
    let out = run(
        &["--format", "csv"],
        "MATCH (x:Note) RETURN x.n ORDER BY x.n;\n",
    )?;
    assert_eq!(String::from_utf8(out.stdout)?, "x.n\r\n2\r\n3\r\n4\r\n");
    let out = skein()
        .arg("--db")
        .arg(&db)
        .args(["unload", "nothing"])
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr)?.contains("there is no source named 'nothing'"));
    Ok(())
}

/// Counts and a fingerprint of the whole graph (names, types, properties).
fn graph_picture(db: &Database) -> Vec<String> {
    let mut lines = rows_text(db, "MATCH (n) RETURN labels(n), properties(n)");
    lines.extend(rows_text(
        db,
        "MATCH (a)-[r]->(b) RETURN a.name, type(r), properties(r), b.name",
    ));
    lines.sort();
    lines
}

#[test]
fn a_fact_dropped_from_one_file_goes_with_what_other_files_link_to_it_and_comes_back() -> TestResult
{
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir()?;
    let seed = dir.path().join("seed");
    std::fs::create_dir(&seed)?;
    for entry in std::fs::read_dir(root.join("seed"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "cypher") {
            if let Some(name) = path.file_name() {
                std::fs::copy(&path, seed.join(name))?;
            }
        }
    }
    let facts = seed.join("02_facts.cypher");
    let original = std::fs::read_to_string(&facts)?;
    let start = original
        .find("MERGE (e:Event {name: \"Putin's visit to China\"})")
        .ok_or("no such fact in the seed")?;
    let end = start + original[start..].find(';').ok_or("unterminated")? + 1;
    let edited = format!("{}{}", &original[..start], &original[end..]);

    let db = Database::open(dir.path().join("db"))?;
    db.load(&seed, &mut |_, _| {})?;
    let full = graph_picture(&db);
    std::fs::write(&facts, &edited)?;
    let report = load(&db, &facts)?;
    let LoadOutcome::Changed { withdrawn, .. } = report.outcome else {
        panic!("expected a changed reload");
    };
    // The event went, and with it the relationships two other files made to it.
    assert_eq!(withdrawn.nodes_deleted, 1);
    assert_eq!(withdrawn.relationships_deleted, 3);
    assert_eq!(withdrawn.stale_sources.len(), 2, "{withdrawn:?}");
    // The same graph as the edited seed loaded into a fresh database.
    let fresh = Database::open(dir.path().join("fresh"))?;
    fresh.load(&seed, &mut |_, _| {})?;
    assert_eq!(graph_picture(&db), graph_picture(&fresh));
    // Put back and loaded again: the files that linked to it load in full.
    std::fs::write(&facts, &original)?;
    db.load(&seed, &mut |_, _| {})?;
    assert_eq!(graph_picture(&db), full);
    Ok(())
}
