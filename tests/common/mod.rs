//! Helpers shared by the engine tests.

use skein::{Database, Params, Value};

/// The rows `query` returns, each as its values' literal text joined by ` | `; a
/// failing query fails the test with its error.
pub fn rows_text(db: &Database, query: &str) -> Vec<String> {
    match db.execute(query, &Params::new()) {
        Ok(r) => r
            .rows
            .iter()
            .map(|row| {
                row.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect(),
        Err(e) => panic!("{query}: {e}"),
    }
}
