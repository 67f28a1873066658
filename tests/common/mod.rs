//! Helpers shared by the engine tests.

use skein::{Database, Params, QueryResult, Value};

/// Each row of `result` as its values' literal text joined by ` | `.
pub fn texts(result: &QueryResult) -> Vec<String> {
    result
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .collect()
}

/// The rows `query` returns, as `texts`; a failing query fails the test with its error.
pub fn rows_text(db: &Database, query: &str) -> Vec<String> {
    match db.execute(query, &Params::new()) {
        Ok(r) => texts(&r),
        Err(e) => panic!("{query}: {e}"),
    }
}
