//! Cypher semantics of values: equality (three-valued), comparison, the total order used
//! by ORDER BY, equivalence for DISTINCT and grouping, and arithmetic.
//! (Contract stubs; the values owner implements them.)

use super::Value;
use crate::error::Result;
use std::cmp::Ordering;

impl Value {
    /// Cypher `=`: `None` when the answer is null.
    pub fn equals(&self, _other: &Value) -> Option<bool> {
        None
    }
    /// Cypher `<`-family comparison: `None` when incomparable or null.
    pub fn compare(&self, _other: &Value) -> Option<Ordering> {
        None
    }
    /// The total order of ORDER BY across all types (nulls last ascending).
    pub fn order(&self, _other: &Value) -> Ordering {
        Ordering::Equal
    }
    /// A key with Eq + Hash that is equal exactly for equivalent values (DISTINCT,
    /// grouping keys: null ≡ null, 1 ≡ 1.0).
    pub fn group_key(&self) -> GroupKey {
        GroupKey(Vec::new())
    }
}

/// See [`Value::group_key`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupKey(Vec<u8>);

pub fn add(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn subtract(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn multiply(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn divide(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn modulo(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn power(_a: &Value, _b: &Value) -> Result<Value> {
    Ok(Value::Null)
}
pub fn negate(_a: &Value) -> Result<Value> {
    Ok(Value::Null)
}
