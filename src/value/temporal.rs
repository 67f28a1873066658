//! Temporal values: date, local time, time, local datetime, datetime and duration, with
//! the openCypher semantics of construction, accessors, arithmetic and rendering.
//! Calendar math is jiff's.

use jiff::civil;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub civil::Date);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalTime(pub civil::Time);

/// A time of day with a UTC offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Time {
    pub time: civil::Time,
    pub offset_seconds: i32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LocalDateTime(pub civil::DateTime);

/// A date and time with a UTC offset and, when it was given, an IANA zone name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    pub local: civil::DateTime,
    pub offset_seconds: i32,
    pub zone: Option<String>,
}

/// A Cypher duration: months, days and seconds are kept apart, as openCypher requires.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

// ---- contract used by the rest of the engine (bodies are the temporal owner's) ----

use super::Value;
use crate::error::Result;
use std::cmp::Ordering;

/// Temporal functions by lower-cased dotted name (`date`, `datetime.fromepoch`,
/// `duration.between`, `date.truncate`, `localtime.statement`, …); `None` when `name` is
/// not a temporal function.
pub fn call_function(_name: &str, _args: &[Value]) -> Option<Result<Value>> {
    None
}

/// Whether `name` (lower-cased, dotted) is a temporal function.
pub fn is_function(_name: &str) -> bool {
    false
}

/// `value.key` on a temporal value (`.year`, `.epochSeconds`, `.hours`, …); `None` when
/// `value` is not temporal.
pub fn property(_value: &Value, _key: &str) -> Option<Result<Value>> {
    None
}

/// `a + b` when either side is temporal; `None` otherwise.
pub fn add(_a: &Value, _b: &Value) -> Option<Result<Value>> {
    None
}

/// `a - b` when either side is temporal; `None` otherwise.
pub fn subtract(_a: &Value, _b: &Value) -> Option<Result<Value>> {
    None
}

/// `a * b` / `a / b` for a duration and a number; `None` otherwise.
pub fn multiply(_a: &Value, _b: &Value) -> Option<Result<Value>> {
    None
}
pub fn divide(_a: &Value, _b: &Value) -> Option<Result<Value>> {
    None
}

/// Comparison of two temporal values of the same type (`None` if not comparable).
pub fn compare(_a: &Value, _b: &Value) -> Option<Ordering> {
    None
}

/// The value as the TCK writes it, e.g. `'2015-07-21T21:40:32.142+01:00'`.
pub fn render_literal(_value: &Value) -> String {
    String::new()
}
