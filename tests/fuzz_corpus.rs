//! Replays the inputs under `fuzz/regressions/<target>/` through the code the cargo-fuzz
//! target of that name runs (`fuzz/harness.rs`), so a crash the fuzzer found, once
//! fixed, stays fixed. The fuzzing itself is not part of `cargo test` (README, "Fuzzing").

#[path = "../fuzz/harness.rs"]
mod harness;

use std::path::{Path, PathBuf};

const REGRESSIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/regressions");

/// The files under `fuzz/regressions/<target>/`, sorted; none when the folder is absent.
fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(REGRESSIONS).join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| path.is_file())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => panic!("cannot read {}: {e}", dir.display()),
    };
    files.sort();
    files
}

/// Runs every input of `target` through `run`; fails naming each input that panicked.
fn replay(target: &str, run: fn(&[u8])) {
    let mut failed = Vec::new();
    for path in inputs(target) {
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "fuzz regressions of `{target}` panic again: {failed:?}"
    );
}

#[test]
fn parse_regressions_stay_fixed() {
    replay("parse", harness::parse);
}

#[test]
fn execute_regressions_stay_fixed() {
    replay("execute", harness::execute);
}

/// The harness itself works: the fixed graph is created and ordinary inputs, valid or
/// not, go through both targets.
#[test]
fn harness_runs_ordinary_inputs() {
    for input in [
        &b"MATCH (a:A)-[r:T]->(b) RETURN a.x, r.w, b.x ORDER BY a.x"[..],
        b"MATCH (n) DETACH DELETE n",
        b"RETURN $p + ",
        b"\xff\xfe(",
        b"",
    ] {
        harness::parse(input);
        harness::execute(input);
    }
}

#[test]
fn bolt_regressions_stay_fixed() {
    replay("bolt", harness::bolt);
}

#[test]
fn import_csv_regressions_stay_fixed() {
    replay("import_csv", harness::import_csv);
}

#[test]
fn load_jsonl_regressions_stay_fixed() {
    replay("load_jsonl", harness::load_jsonl);
}

/// Ordinary imports and fact files, good and bad, go through both file targets.
#[test]
fn harness_runs_ordinary_files() {
    let separator = String::from_utf8_lossy(harness::CSV_FILE_SEPARATOR).into_owned();
    // One node file and one relationship file: shape 0b0100.
    let good = format!("\u{4}id,name\n1,a\n2,b{separator}src,dst,w:INT\n1,2,3\n");
    let bad = format!("\u{4}id,name\n1,a\n1,b{separator}src,dst\n1,9\n");
    for input in [
        good.as_bytes(),
        bad.as_bytes(),
        b"\x00id\n1\n",
        b"",
        b"\xff",
    ] {
        harness::import_csv(input);
    }
    for input in [
        &br#"{"node": {"label": "A", "key": {"k": 1}, "properties": {"p": [1, 2]}}}"#[..],
        br#"{"node": {"label": "A", "key": {"k": 1}}}
{"relationship": {"type": "T", "from": {"label": "A", "key": {"k": 1}}, "to": {"label": "A", "key": {"k": 1}}}}"#,
        br#"{"node": {"label": "A"}}"#,
        b"\xff\n",
        b"",
    ] {
        harness::load_jsonl(input);
    }
}
