//! Cypher semantics of values: equality (three-valued), comparison, the total order used
//! by ORDER BY, equivalence for DISTINCT and grouping, and arithmetic.
//!
//! Three relations live here and they differ on purpose, as openCypher defines them:
//! - `equals` is `=`: null when a null decides the answer, `NaN = NaN` is false,
//!   `1 = 1.0` is true, values of different types are simply unequal.
//! - `compare`/`compare_op` are `<`, `<=`, `>`, `>=`: only numbers with numbers, strings
//!   with strings, booleans with booleans, lists elementwise and temporal values of one
//!   type are comparable; anything else is null. A NaN operand makes every comparison
//!   false (not null).
//! - `order` is the total order of ORDER BY, `min` and `max`: types are ranked (maps,
//!   nodes, relationships, lists, paths, datetimes, local datetimes, dates, times, local
//!   times, durations, strings, booleans, numbers, null), NaN sorts after all numbers and
//!   null after everything.
//!
//! `group_key` is the equivalence of DISTINCT and grouping: null ≡ null, NaN ≡ NaN,
//! 1 ≡ 1.0, lists and maps recursively.

use super::temporal;
use super::{Duration, Value};
use crate::error::{Error, ErrorClass, Result};
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// The comparison operators of the `<` family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComparisonOp {
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

/// The outcome of comparing two values with `<`-family semantics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Comparison {
    Ordered(Ordering),
    /// A NaN took part: every comparison operator answers false.
    Unordered,
    /// A null took part, or the types are not comparable: the answer is null.
    Unknown,
}

/// 2^63 as a float: the first float above every i64.
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// Exact comparison of an integer with a (non-NaN) float, without the rounding that
/// converting a large integer to a float would bring.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    if f >= TWO_POW_63 {
        return Ordering::Less;
    }
    if f < -TWO_POW_63 {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    // In range by the checks above, so the cast is exact.
    let whole_int = whole as i64;
    match i.cmp(&whole_int) {
        Ordering::Equal => {
            if f > whole {
                Ordering::Less
            } else if f < whole {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        }
        other => other,
    }
}

/// Compares two numbers; `None` when either is NaN or either is not a number.
fn cmp_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (!y.is_nan()).then(|| cmp_int_float(*x, *y)),
        (Value::Float(x), Value::Int(y)) => (!x.is_nan()).then(|| cmp_int_float(*y, *x).reverse()),
        _ => None,
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

fn is_nan(v: &Value) -> bool {
    matches!(v, Value::Float(f) if f.is_nan())
}

/// A duration's length in nanoseconds apart from its months and days, which openCypher
/// keeps separate (a day is not always 24 hours, a month has no fixed length).
fn duration_nanos(d: &Duration) -> i128 {
    i128::from(d.seconds) * 1_000_000_000 + i128::from(d.nanos)
}

/// A time of day with offset as nanoseconds since midnight UTC (may be negative or past
/// one day; only used for ordering).
fn time_utc_nanos(t: &temporal::Time) -> i128 {
    let local = i128::from(t.time.hour()) * 3_600_000_000_000
        + i128::from(t.time.minute()) * 60_000_000_000
        + i128::from(t.time.second()) * 1_000_000_000
        + i128::from(t.time.subsec_nanosecond());
    local - i128::from(t.offset_seconds) * 1_000_000_000
}

/// A datetime as (UTC date, nanoseconds into that day) for ordering by instant.
fn datetime_utc_key(d: &temporal::DateTime) -> (i128, i128) {
    let local = d.local;
    let date = local.date();
    // Days since an arbitrary epoch, computed by hand so no fallible calendar arithmetic
    // is needed here: civil days from the proleptic Gregorian calendar.
    let y = i128::from(date.year()) - i128::from(date.month() <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i128::from(date.month());
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i128::from(date.day()) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe;
    let time = local.time();
    let nanos = i128::from(time.hour()) * 3_600_000_000_000
        + i128::from(time.minute()) * 60_000_000_000
        + i128::from(time.second()) * 1_000_000_000
        + i128::from(time.subsec_nanosecond())
        - i128::from(d.offset_seconds) * 1_000_000_000;
    let total = days * 86_400_000_000_000 + nanos;
    (
        total.div_euclid(86_400_000_000_000),
        total.rem_euclid(86_400_000_000_000),
    )
}

/// Same-type temporal comparison: the temporal module's answer when it has one, else
/// ordering by instant (values with offsets) or by calendar position.
fn cmp_temporal(a: &Value, b: &Value) -> Option<Ordering> {
    let own = match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::LocalTime(x), Value::LocalTime(y)) => Some(x.cmp(y)),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(time_utc_nanos(x).cmp(&time_utc_nanos(y))),
        (Value::DateTime(x), Value::DateTime(y)) => {
            Some(datetime_utc_key(x).cmp(&datetime_utc_key(y)))
        }
        _ => None,
    };
    own?;
    temporal::compare(a, b).or(own)
}

/// The rank of a value's type in the ORDER BY order (ascending).
fn order_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Relationship(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::DateTime(_) => 5,
        Value::LocalDateTime(_) => 6,
        Value::Date(_) => 7,
        Value::Time(_) => 8,
        Value::LocalTime(_) => 9,
        Value::Duration(_) => 10,
        Value::String(_) => 11,
        Value::Bool(_) => 12,
        Value::Int(_) | Value::Float(_) => 13,
        Value::Null => 14,
    }
}

/// Three-valued conjunction over element results: any `false` decides, else any null
/// makes the answer null.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match x.equals(y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

impl Value {
    /// Cypher `=`: `None` when the answer is null.
    pub fn equals(&self, other: &Value) -> Option<bool> {
        match (self, other) {
            (Value::Null, _) | (_, Value::Null) => None,
            (a, b) if is_number(a) && is_number(b) => {
                Some(cmp_numbers(a, b) == Some(Ordering::Equal))
            }
            (Value::Bool(a), Value::Bool(b)) => Some(a == b),
            (Value::String(a), Value::String(b)) => Some(a == b),
            (Value::List(a), Value::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                all_equal(a.iter().zip(b.iter()))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.len() != b.len() || a.keys().any(|k| !b.contains_key(k)) {
                    return Some(false);
                }
                all_equal(a.iter().filter_map(|(k, x)| b.get(k).map(|y| (x, y))))
            }
            (Value::Node(a), Value::Node(b)) => Some(a.id == b.id),
            (Value::Relationship(a), Value::Relationship(b)) => Some(a.id == b.id),
            (Value::Path(a), Value::Path(b)) => Some(
                a.nodes.len() == b.nodes.len()
                    && a.relationships.len() == b.relationships.len()
                    && a.nodes.iter().zip(&b.nodes).all(|(x, y)| x.id == y.id)
                    && a.relationships
                        .iter()
                        .zip(&b.relationships)
                        .all(|(x, y)| x.id == y.id),
            ),
            (Value::Duration(a), Value::Duration(b)) => Some(
                a.months == b.months && a.days == b.days && duration_nanos(a) == duration_nanos(b),
            ),
            (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b) => {
                Some(cmp_temporal(a, b) == Some(Ordering::Equal))
            }
            _ => Some(false),
        }
    }

    /// Cypher `<`-family comparison: `None` when incomparable or null. A NaN operand
    /// also gives `None` here; use [`Value::compare_op`] to evaluate an operator, which
    /// answers false for NaN as openCypher requires.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        match self.comparison(other) {
            Comparison::Ordered(o) => Some(o),
            Comparison::Unordered | Comparison::Unknown => None,
        }
    }

    /// Evaluates `self <op> other`: `None` when the answer is null.
    pub fn compare_op(&self, op: ComparisonOp, other: &Value) -> Option<bool> {
        match self.comparison(other) {
            Comparison::Ordered(o) => Some(match op {
                ComparisonOp::Less => o == Ordering::Less,
                ComparisonOp::LessOrEqual => o != Ordering::Greater,
                ComparisonOp::Greater => o == Ordering::Greater,
                ComparisonOp::GreaterOrEqual => o != Ordering::Less,
            }),
            Comparison::Unordered => Some(false),
            Comparison::Unknown => None,
        }
    }

    fn comparison(&self, other: &Value) -> Comparison {
        match (self, other) {
            (Value::Null, _) | (_, Value::Null) => Comparison::Unknown,
            (a, b) if is_number(a) && is_number(b) => match cmp_numbers(a, b) {
                Some(o) => Comparison::Ordered(o),
                None => Comparison::Unordered,
            },
            (Value::String(a), Value::String(b)) => Comparison::Ordered(a.cmp(b)),
            (Value::Bool(a), Value::Bool(b)) => Comparison::Ordered(a.cmp(b)),
            (Value::List(a), Value::List(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    match x.comparison(y) {
                        Comparison::Ordered(Ordering::Equal) => {}
                        decided => return decided,
                    }
                }
                Comparison::Ordered(a.len().cmp(&b.len()))
            }
            (a, b) => match cmp_temporal(a, b) {
                Some(o) => Comparison::Ordered(o),
                None => Comparison::Unknown,
            },
        }
    }

    /// The total order of ORDER BY across all types (nulls last ascending).
    pub fn order(&self, other: &Value) -> Ordering {
        let rank = order_rank(self).cmp(&order_rank(other));
        if rank != Ordering::Equal {
            return rank;
        }
        match (self, other) {
            (a, b) if is_number(a) && is_number(b) => match (is_nan(a), is_nan(b)) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => cmp_numbers(a, b).unwrap_or(Ordering::Equal),
            },
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::List(a), Value::List(b)) => order_lists(a, b),
            (Value::Map(a), Value::Map(b)) => {
                let mut ka: Vec<&String> = a.keys().collect();
                let mut kb: Vec<&String> = b.keys().collect();
                ka.sort();
                kb.sort();
                a.len()
                    .cmp(&b.len())
                    .then_with(|| ka.cmp(&kb))
                    .then_with(|| {
                        ka.iter()
                            .filter_map(|k| Some(a.get(*k)?.order(b.get(*k)?)))
                            .find(|o| *o != Ordering::Equal)
                            .unwrap_or(Ordering::Equal)
                    })
            }
            (Value::Node(a), Value::Node(b)) => a.id.cmp(&b.id),
            (Value::Relationship(a), Value::Relationship(b)) => a.id.cmp(&b.id),
            (Value::Path(a), Value::Path(b)) => {
                let ids = |p: &super::Path| -> Vec<(u8, u64)> {
                    let mut out = Vec::with_capacity(p.nodes.len() + p.relationships.len());
                    for (i, n) in p.nodes.iter().enumerate() {
                        out.push((0, n.id));
                        if let Some(r) = p.relationships.get(i) {
                            out.push((1, r.id));
                        }
                    }
                    out
                };
                ids(a).cmp(&ids(b))
            }
            (Value::Duration(a), Value::Duration(b)) => {
                (a.months, a.days, duration_nanos(a)).cmp(&(b.months, b.days, duration_nanos(b)))
            }
            (a, b) => cmp_temporal(a, b).unwrap_or(Ordering::Equal),
        }
    }

    /// A key with Eq + Hash that is equal exactly for equivalent values (DISTINCT,
    /// grouping keys: null ≡ null, 1 ≡ 1.0).
    pub fn group_key(&self) -> GroupKey {
        GroupKey(KeyPart::of(self))
    }

    /// Feeds the value's group key to `state` without building it for scalars: values
    /// with equal group keys hash alike.
    pub fn hash_group<H: Hasher>(&self, state: &mut H) {
        match ScalarKey::of(self) {
            Some(k) => k.hash(state),
            None => KeyPart::of(self).hash(state),
        }
    }

    /// Whether the two values have equal group keys ([`Value::group_key`]), without
    /// building them for scalars.
    pub fn same_group(&self, other: &Value) -> bool {
        match (ScalarKey::of(self), ScalarKey::of(other)) {
            (Some(a), Some(b)) => a == b,
            (None, None) => KeyPart::of(self) == KeyPart::of(other),
            _ => false,
        }
    }
}

/// The group key of a scalar value, borrowed: equal exactly when the `KeyPart`s are, and
/// no scalar's key equals a non-scalar's.
#[derive(PartialEq, Eq, Hash)]
enum ScalarKey<'v> {
    Null,
    Bool(bool),
    Int(i64),
    Float(u64),
    String(&'v str),
    Node(u64),
    Relationship(u64),
}

impl<'v> ScalarKey<'v> {
    fn of(v: &'v Value) -> Option<ScalarKey<'v>> {
        Some(match v {
            Value::Null => ScalarKey::Null,
            Value::Bool(b) => ScalarKey::Bool(*b),
            Value::Int(i) => ScalarKey::Int(*i),
            Value::Float(f) => match float_key(*f) {
                Ok(i) => ScalarKey::Int(i),
                Err(bits) => ScalarKey::Float(bits),
            },
            Value::String(s) => ScalarKey::String(s),
            Value::Node(n) => ScalarKey::Node(n.id),
            Value::Relationship(r) => ScalarKey::Relationship(r.id),
            _ => return None,
        })
    }
}

/// A float's grouping form: the integer it equals when it is whole and in i64 range
/// (so 1.0 groups with 1, and -0.0 with 0), otherwise its bits (one pattern for NaN).
fn float_key(f: f64) -> std::result::Result<i64, u64> {
    if f.is_nan() {
        Err(f64::NAN.to_bits())
    } else if f.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&f) {
        Ok(f as i64)
    } else {
        Err(f.to_bits())
    }
}

fn order_lists(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b.iter())
        .map(|(x, y)| x.order(y))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

/// See [`Value::group_key`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupKey(KeyPart);

/// The canonical form of a value for grouping: numbers that are equal share one form.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum KeyPart {
    Null,
    Bool(bool),
    Int(i64),
    /// A float that is not a whole number in i64 range; NaN has one canonical bit pattern.
    Float(u64),
    String(String),
    List(Vec<KeyPart>),
    /// Sorted by key, so maps written in different orders group together.
    Map(Vec<(String, KeyPart)>),
    Node(u64),
    Relationship(u64),
    Path(Vec<u64>, Vec<u64>),
    Date(temporal::Date),
    LocalTime(temporal::LocalTime),
    Time(temporal::Time),
    LocalDateTime(temporal::LocalDateTime),
    DateTime(temporal::DateTime),
    Duration(i64, i64, i128),
}

impl KeyPart {
    fn of(v: &Value) -> KeyPart {
        match v {
            Value::Null => KeyPart::Null,
            Value::Bool(b) => KeyPart::Bool(*b),
            Value::Int(i) => KeyPart::Int(*i),
            Value::Float(f) => match float_key(*f) {
                Ok(i) => KeyPart::Int(i),
                Err(bits) => KeyPart::Float(bits),
            },
            Value::String(s) => KeyPart::String(s.clone()),
            Value::List(items) => KeyPart::List(items.iter().map(KeyPart::of).collect()),
            Value::Map(map) => {
                let mut entries: Vec<(String, KeyPart)> = map
                    .iter()
                    .map(|(k, v)| (k.clone(), KeyPart::of(v)))
                    .collect();
                entries.sort_by(|a, b| a.0.cmp(&b.0));
                KeyPart::Map(entries)
            }
            Value::Node(n) => KeyPart::Node(n.id),
            Value::Relationship(r) => KeyPart::Relationship(r.id),
            Value::Path(p) => KeyPart::Path(
                p.nodes.iter().map(|n| n.id).collect(),
                p.relationships.iter().map(|r| r.id).collect(),
            ),
            Value::Date(d) => KeyPart::Date(*d),
            Value::LocalTime(t) => KeyPart::LocalTime(*t),
            Value::Time(t) => KeyPart::Time(*t),
            Value::LocalDateTime(d) => KeyPart::LocalDateTime(*d),
            Value::DateTime(d) => KeyPart::DateTime(d.clone()),
            Value::Duration(d) => KeyPart::Duration(d.months, d.days, duration_nanos(d)),
        }
    }
}

// ---- arithmetic ----

fn type_mismatch(op: &str, a: &Value, b: &Value) -> Error {
    Error::type_error(
        "InvalidArgumentType",
        format!(
            "cannot apply {op} to {} and {}",
            a.type_name(),
            b.type_name()
        ),
    )
}

fn overflow(op: &str) -> Error {
    Error::new(
        ErrorClass::ArithmeticError,
        "IntegerOverflow",
        format!("integer overflow in {op}: the result does not fit in a 64-bit integer"),
    )
}

fn division_by_zero() -> Error {
    Error::new(
        ErrorClass::ArithmeticError,
        "DivisionByZero",
        "division by zero: an integer cannot be divided by 0",
    )
}

fn as_float(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// Applies a numeric operator: integers stay integers (`int_op` returns `None` on
/// overflow), any float makes the result a float.
fn numeric(
    name: &str,
    a: &Value,
    b: &Value,
    int_op: impl Fn(i64, i64) -> Result<i64>,
    float_op: impl Fn(f64, f64) -> f64,
) -> Result<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => int_op(*x, *y).map(Value::Int),
        _ => match (as_float(a), as_float(b)) {
            (Some(x), Some(y)) => Ok(Value::Float(float_op(x, y))),
            _ => Err(type_mismatch(name, a, b)),
        },
    }
}

/// `a op b` for an operator that temporal values have too: null when either is null,
/// the temporal operation when either is temporal, else the numeric one.
fn temporal_or_numeric(
    name: &str,
    a: &Value,
    b: &Value,
    temporal_op: fn(&Value, &Value) -> Option<Result<Value>>,
    int_op: impl Fn(i64, i64) -> Result<i64>,
    float_op: impl Fn(f64, f64) -> f64,
) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    if a.is_temporal() || b.is_temporal() {
        return temporal_op(a, b).unwrap_or_else(|| Err(type_mismatch(name, a, b)));
    }
    numeric(name, a, b, int_op, float_op)
}

/// An integer operation that is `None` on overflow, as one that fails with an error.
fn or_overflow(
    name: &'static str,
    op: fn(i64, i64) -> Option<i64>,
) -> impl Fn(i64, i64) -> Result<i64> {
    move |x, y| op(x, y).ok_or_else(|| overflow(name))
}

/// The text a string concatenation uses for a non-string operand.
fn concat_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Some(v.to_string()),
        other => other.temporal_text(),
    }
}

pub fn add(a: &Value, b: &Value) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let too_large = |what: &str, limit: usize| {
        Err(Error::argument(
            "ValueTooLarge",
            format!("`+` would build a {what} larger than {limit}"),
        ))
    };
    let list_len = |v: &Value| match v {
        Value::List(l) => l.len(),
        _ => 1,
    };
    if (matches!(a, Value::List(_)) || matches!(b, Value::List(_)))
        && list_len(a) + list_len(b) > super::MAX_LIST_ELEMENTS
    {
        return too_large("list", super::MAX_LIST_ELEMENTS);
    }
    match (a, b) {
        (Value::List(x), Value::List(y)) => {
            let mut out = Vec::with_capacity(x.len() + y.len());
            out.extend(x.iter().cloned());
            out.extend(y.iter().cloned());
            return Ok(Value::List(out));
        }
        (Value::List(x), y) => {
            let mut out = x.clone();
            out.push(y.clone());
            return Ok(Value::List(out));
        }
        (x, Value::List(y)) => {
            let mut out = Vec::with_capacity(y.len() + 1);
            out.push(x.clone());
            out.extend(y.iter().cloned());
            return Ok(Value::List(out));
        }
        _ => {}
    }
    if matches!(a, Value::String(_)) || matches!(b, Value::String(_)) {
        return match (concat_text(a), concat_text(b)) {
            (Some(x), Some(y)) if x.len() + y.len() > super::MAX_STRING_BYTES => {
                too_large("string (bytes)", super::MAX_STRING_BYTES)
            }
            (Some(x), Some(y)) => Ok(Value::String(x + &y)),
            _ => Err(type_mismatch("+", a, b)),
        };
    }
    let checked = or_overflow("+", i64::checked_add);
    temporal_or_numeric("+", a, b, temporal::add, checked, |x, y| x + y)
}

pub fn subtract(a: &Value, b: &Value) -> Result<Value> {
    let checked = or_overflow("-", i64::checked_sub);
    temporal_or_numeric("-", a, b, temporal::subtract, checked, |x, y| x - y)
}

pub fn multiply(a: &Value, b: &Value) -> Result<Value> {
    let checked = or_overflow("*", i64::checked_mul);
    temporal_or_numeric("*", a, b, temporal::multiply, checked, |x, y| x * y)
}

pub fn divide(a: &Value, b: &Value) -> Result<Value> {
    temporal_or_numeric(
        "/",
        a,
        b,
        temporal::divide,
        |x, y| {
            if y == 0 {
                return Err(division_by_zero());
            }
            // Truncates toward zero; only i64::MIN / -1 overflows.
            x.checked_div(y).ok_or_else(|| overflow("/"))
        },
        |x, y| x / y,
    )
}

pub fn modulo(a: &Value, b: &Value) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    numeric(
        "%",
        a,
        b,
        |x, y| {
            if y == 0 {
                return Err(division_by_zero());
            }
            // The remainder takes the dividend's sign; i64::MIN % -1 is 0.
            Ok(x.checked_rem(y).unwrap_or(0))
        },
        |x, y| x % y,
    )
}

/// `a ^ b`: always a float, as openCypher defines exponentiation.
pub fn power(a: &Value, b: &Value) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    match (as_float(a), as_float(b)) {
        (Some(x), Some(y)) => Ok(Value::Float(x.powf(y))),
        _ => Err(type_mismatch("^", a, b)),
    }
}

pub fn negate(a: &Value) -> Result<Value> {
    match a {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow("-")),
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Duration(_) => temporal::multiply(a, &Value::Int(-1)).unwrap_or_else(|| {
            Err(Error::type_error(
                "InvalidArgumentType",
                "cannot negate a DURATION here",
            ))
        }),
        other => Err(Error::type_error(
            "InvalidArgumentType",
            format!("cannot negate a value of type {}", other.type_name()),
        )),
    }
}
