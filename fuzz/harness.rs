//! What each fuzz target does with one input, shared by the targets under
//! `fuzz_targets/` and by `tests/fuzz_corpus.rs` (which replays `fuzz/regressions/`), so
//! a crash found once stays fixed.
//!
//! A failure is a panic: the engine's own panics, and an error that says it came from
//! one (the parser runs deep statements on a worker thread and turns its panic into a
//! "please report it" error; libFuzzer's panic hook aborts on the first one anyway).

use skein::{Database, Params, QueryOptions, Value};
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

/// An error that reports a bug of skein's own is a finding, like a panic.
fn assert_not_internal(text: &str, error: &skein::Error) {
    assert!(
        !error.message.contains("please report"),
        "{text:?}: skein reported an internal error: {error}"
    );
}
