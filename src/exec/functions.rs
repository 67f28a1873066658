//! Scalar functions on values (math, string, list, conversion, and entity accessors on
//! materialized entities). Temporal functions are delegated to `value::temporal`.
//! (Contract stubs; the functions owner implements them.)

use crate::error::Result;
use crate::value::Value;

/// Whether `name` (lower-cased, dotted) is a known scalar function.
pub fn is_known(_name: &str) -> bool {
    false
}

/// Calls function `name` (lower-cased, dotted). Entity arguments arrive materialized
/// (labels and properties filled) so `labels(n)`, `keys(n)`, `properties(r)` work here.
pub fn call(_name: &str, _args: Vec<Value>) -> Result<Value> {
    Ok(Value::Null)
}
