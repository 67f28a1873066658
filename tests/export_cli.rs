//! `skein export` through the binary: formats, `--query`, standard output, exit codes;
//! the Cypher script of the seed graph, batched, loads back with `skein run`.

use std::process::Command;

fn skein() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skein"));
    command.current_dir(env!("CARGO_MANIFEST_DIR"));
    command
}

#[test]
fn exports_the_seed_graph_as_json_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("seed.json");
    let output = skein()
        .args([
            "--memory", "--load", "seed/", "-q", "export", "--format", "json",
        ])
        .arg(&file)
        .output()
        .expect("skein runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("JSON");
    let seed = skein()
        .args(["--memory", "--load", "seed/", "-q", "--format", "csv", "-c"])
        .arg("MATCH (n) WITH count(n) AS n MATCH ()-[r]->() RETURN n, count(r) AS r")
        .output()
        .expect("skein runs");
    let counts = String::from_utf8_lossy(&seed.stdout);
    let want = counts.lines().nth(1).expect("a row").to_string();
    let got = format!(
        "{},{}",
        doc["nodes"].as_array().map_or(0, Vec::len),
        doc["relationships"].as_array().map_or(0, Vec::len)
    );
    assert_eq!(got, want);
}

#[test]
fn exports_a_query_subgraph_as_dot_to_standard_output() {
    let output = skein()
        .args([
            "--memory",
            "--load",
            "seed/",
            "-q",
            "export",
            "--format=dot",
            "--query",
        ])
        .arg("MATCH p = (:Person {name: 'Vladimir Putin'})-[:HOLDS_OFFICE]->() RETURN p")
        .arg("-")
        .output()
        .expect("skein runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let dot = String::from_utf8_lossy(&output.stdout);
    assert!(dot.contains("label=\"Vladimir Putin\""), "{dot}");
    assert!(dot.contains("label=\"HOLDS_OFFICE\""), "{dot}");
    assert_eq!(dot.matches(" -> ").count(), 1, "{dot}");
}

#[test]
fn an_unknown_format_is_a_usage_error_and_a_bad_query_fails() {
    let output = skein()
        .args(["--memory", "export", "--format", "xml", "out.xml"])
        .output()
        .expect("skein runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("expected dot, graphml, json or cypher")
    );
    let output = skein()
        .args([
            "--memory",
            "export",
            "--format",
            "json",
            "--query",
            "MATCH (n RETURN n",
            "-",
        ])
        .output()
        .expect("skein runs");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn the_seed_as_a_cypher_script_is_batched_and_runs_back_into_the_same_counts() {
    let output = skein()
        .args([
            "--memory", "--load", "seed/", "-q", "export", "--format", "cypher", "-",
        ])
        .output()
        .expect("skein runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let script = String::from_utf8_lossy(&output.stdout).into_owned();
    let statements = script.lines().filter(|l| l.ends_with(';')).count();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("seed.cypher");
    std::fs::write(&file, &script).expect("written");
    let counts = "MATCH (n) WITH count(n) AS n MATCH ()-[r]->() RETURN n, count(r) AS r";
    let reloaded = skein()
        .args(["--memory", "-q", "--format", "csv", "run"])
        .arg(&file)
        .output()
        .expect("skein runs");
    assert!(
        reloaded.status.success(),
        "{}",
        String::from_utf8_lossy(&reloaded.stderr)
    );
    let seed = skein()
        .args([
            "--memory", "--load", "seed/", "-q", "--format", "csv", "-c", counts,
        ])
        .output()
        .expect("skein runs");
    let want = String::from_utf8_lossy(&seed.stdout).into_owned();
    let check = skein()
        .args(["--memory", "--load"])
        .arg(&file)
        .args(["-q", "--format", "csv", "-c", counts])
        .output()
        .expect("skein runs");
    assert_eq!(String::from_utf8_lossy(&check.stdout), want);
    let (nodes, rels) = want
        .lines()
        .nth(1)
        .and_then(|row| row.split_once(','))
        .and_then(|(n, r)| Some((n.parse::<usize>().ok()?, r.parse::<usize>().ok()?)))
        .expect("counts");
    assert!(
        statements < (nodes + rels) / 2,
        "{statements} statements for {nodes} nodes and {rels} relationships"
    );
}
