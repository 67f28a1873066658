//! What each fuzz target does with one input, shared by the targets under
//! `fuzz_targets/` and by `tests/fuzz_corpus.rs` (which replays `fuzz/regressions/`), so
//! a crash found once stays fixed.
//!
//! A failure is a panic: the engine's own panics, and an error that says it came from
//! one (the parser runs deep statements on a worker thread and turns its panic into a
//! "please report it" error; libFuzzer's panic hook aborts on the first one anyway).

use skein::{Database, ImportHistory, ImportRequest, LoadOutcome, Params, QueryOptions, Value};
use std::time::Duration;

/// The graph every `execute` input runs on: two labels, three relationship types, a cycle.
pub const GRAPH: &str =
    "CREATE (a:A {x: 1, s: 'a', l: [1, 2]})-[:T {w: 1}]->(b:B {x: 2, d: date('2020-01-02')}), \
     (b)-[:T {w: 2.5}]->(c:A:B {x: 3, m: null}), (c)-[:R]->(a), (a)-[:S]->(a)";

/// Longer than that, a statement is cancelled: a slow input is not a finding.
const STATEMENT_TIMEOUT: Duration = Duration::from_secs(2);

/// `parse`: bytes as UTF-8 (lossy) through the parser, the expression parser and the
/// statement splitter; a syntax error must be renderable under its text.
pub fn parse(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = skein::testing::parse::parse_statement(&text) {
        assert_not_internal(&text, &e);
        let _ = e.render(&text);
    }
    if let Err(e) = skein::testing::parse::parse_expression(&text) {
        assert_not_internal(&text, &e);
    }
    for statement in skein::split_statements(&text) {
        assert_eq!(
            text.get(statement.offset..statement.offset + statement.text.len()),
            Some(statement.text.as_str()),
            "split_statements gave a piece that is not the text at its offset"
        );
    }
}

/// `execute`: bytes as UTF-8 (lossy), run as one statement on a fresh in-memory database
/// holding `GRAPH`, with `$p = 1`. Errors are fine; panics are not.
pub fn execute(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok(db) = Database::open_temporary() else {
        return;
    };
    if let Err(e) = db.execute(GRAPH, &Params::new()) {
        panic!("the fixed graph could not be created: {e}");
    }
    let mut params = Params::new();
    params.insert("p".into(), Value::Int(1));
    let options = QueryOptions {
        cancel: None,
        timeout: Some(STATEMENT_TIMEOUT),
        ..Default::default()
    };
    if let Err(e) = db.execute_with(&text, &params, &options) {
        assert_not_internal(&text, &e);
        let _ = e.render(&text);
    }
}

/// `bolt`: bytes as a Bolt client would send them after connecting: the first 20 as a
/// handshake, the rest as chunked messages (and the whole input as one unchunked
/// message too), each decoded and, for RUN, its parameters converted to values. Every
/// step may refuse the input; none may panic or allocate past what the input backs.
pub fn bolt(data: &[u8]) {
    use skein::testing::server::{
        decode_request, negotiate, parameter_value, FrameReader, Request,
    };
    let decode = |message: &[u8]| {
        if let Ok(Request::Run { params, .. }) = decode_request(message) {
            for (_, value) in params {
                let _ = parameter_value(value);
            }
        }
    };
    if let Some(handshake) = data.get(..20).and_then(|h| <&[u8; 20]>::try_from(h).ok()) {
        let _ = negotiate(handshake);
    }
    decode(data);
    let mut reader = FrameReader::new(1 << 16);
    reader.push(data.get(20..).unwrap_or_default());
    while let Ok(Some(message)) = reader.next_message() {
        decode(&message);
    }
}

/// Between the files of an `import_csv` input (after its first byte).
pub const CSV_FILE_SEPARATOR: &[u8] = b"\n--file--\n";

/// `import_csv`: bytes as the CSV files of one `skein import`. The first byte shapes the
/// import: bits 0-1 one to four node files, bits 2-3 zero to three relationship files,
/// bit 4 a `manifest.json` beside them (the piece after the CSV files), bit 5 full
/// history, bit 6 a tiny memory budget (so batches are written, and undone on failure),
/// bit 7 a source. The rest, split at `CSV_FILE_SEPARATOR`, is the files in that order
/// (missing ones empty): `nodes_N0.csv`.., then `rels_R0.csv`... Any error is fine; after
/// one the database is as it was (empty), after success it holds what the summary
/// says, and either way it passes its consistency check.
pub fn import_csv(data: &[u8]) {
    let Some((&shape, rest)) = data.split_first() else {
        return;
    };
    let node_files = 1 + usize::from(shape & 0b11);
    let rel_files = usize::from((shape >> 2) & 0b11);
    let mut pieces = split(rest, CSV_FILE_SEPARATOR).into_iter();
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let mut request = ImportRequest {
        history: if shape & 0b10_0000 != 0 {
            ImportHistory::Full
        } else {
            ImportHistory::Counts
        },
        source: (shape & 0b1000_0000 != 0).then(|| "fuzz".to_string()),
        ..ImportRequest::default()
    };
    for index in 0..node_files + rel_files {
        let (name, list) = if index < node_files {
            (format!("nodes_N{index}.csv"), &mut request.nodes)
        } else {
            (
                format!("rels_R{}.csv", index - node_files),
                &mut request.relationships,
            )
        };
        let path = dir.path().join(name);
        if std::fs::write(&path, pieces.next().unwrap_or_default()).is_err() {
            return;
        }
        list.push(path);
    }
    if shape & 0b1_0000 != 0 {
        let manifest = dir.path().join("manifest.json");
        if std::fs::write(manifest, pieces.next().unwrap_or_default()).is_err() {
            return;
        }
    }
    let Ok(db) = Database::open_temporary() else {
        return;
    };
    let budget = if shape & 0b100_0000 != 0 {
        1 << 10
    } else {
        64 << 20
    };
    let imported = skein::testing::import::import_with_budget(&db, &request, budget, &mut |_| {});
    let (nodes, relationships) = match &imported {
        Ok(summary) => (summary.nodes, summary.relationships),
        Err(e) => {
            assert_not_internal("", e);
            assert!(
                e.message.contains(".csv") || e.message.contains("manifest.json"),
                "an import error does not name its file: {e}"
            );
            (0, 0)
        }
    };
    assert_eq!(
        graph_counts(&db),
        (nodes, relationships),
        "the graph does not hold what the import says ({imported:?})"
    );
    assert_consistent(&db, &format!("{imported:?}"));
}

/// `load_jsonl`: bytes as a `.jsonl` fact file, loaded with `Database::load`. Any error
/// is fine, and leaves the database as it was (empty: a file loads in one transaction);
/// after success the database passes its consistency check, and loading the same file
/// again writes nothing (it is the same source with the same text) and changes no count.
pub fn load_jsonl(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let file = dir.path().join("facts.jsonl");
    if std::fs::write(&file, data).is_err() {
        return;
    }
    let Ok(db) = Database::open_temporary() else {
        return;
    };
    match db.load(&file, &mut |_, _| {}) {
        Err(e) => {
            assert_not_internal("", &e);
            assert!(
                e.message.contains("facts.jsonl"),
                "a load error does not name the file: {e}"
            );
            assert_eq!(graph_counts(&db), (0, 0), "a failed load left facts: {e}");
            assert_consistent(&db, &e.to_string());
        }
        Ok(first) => {
            assert_consistent(&db, "the first load");
            let counts = graph_counts(&db);
            match db.load(&file, &mut |_, _| {}) {
                Ok(second) => assert!(
                    second.iter().all(|r| r.outcome == LoadOutcome::Unchanged),
                    "the same text loaded again was not unchanged: {second:?} after {first:?}"
                ),
                Err(e) => panic!("the same text failed to load again: {e}"),
            }
            assert_eq!(
                graph_counts(&db),
                counts,
                "loading again changed the counts"
            );
            assert_consistent(&db, "the second load");
        }
    }
}

/// `data` cut at every `separator`.
fn split<'a>(data: &'a [u8], separator: &[u8]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut rest = data;
    while let Some(at) = rest
        .windows(separator.len())
        .position(|window| window == separator)
    {
        pieces.push(rest.get(..at).unwrap_or_default());
        rest = rest.get(at + separator.len()..).unwrap_or_default();
    }
    pieces.push(rest);
    pieces
}

/// The numbers of nodes and relationships in `db`.
fn graph_counts(db: &Database) -> (u64, u64) {
    let count = |query: &str| match db.execute(query, &Params::new()) {
        Ok(result) => match result.rows.first().and_then(|row| row.first()) {
            Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(u64::MAX),
            other => panic!("{query} gave {other:?}"),
        },
        Err(e) => panic!("{query} failed: {e}"),
    };
    (
        count("MATCH (n) RETURN count(n)"),
        count("MATCH ()-[r]->() RETURN count(r)"),
    )
}

/// `db` passes its consistency check; `after` says what was done to it.
fn assert_consistent(db: &Database, after: &str) {
    match db.check() {
        Ok(violations) => assert!(
            violations.is_empty(),
            "inconsistent after {after}: {violations:?}"
        ),
        Err(e) => panic!("the check failed after {after}: {e}"),
    }
}

/// An error that reports a bug of skein's own is a finding, like a panic.
fn assert_not_internal(text: &str, error: &skein::Error) {
    assert!(
        !error.message.contains("please report"),
        "{text:?}: skein reported an internal error: {error}"
    );
}
