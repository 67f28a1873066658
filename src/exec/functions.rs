//! Scalar functions on values (math, string, list, conversion, and entity accessors on
//! materialized entities). Temporal functions are delegated to `value::temporal`.
//!
//! Names arrive lower-cased. Every function answers null for a null argument where
//! openCypher says so (nearly everywhere), and a wrong argument type is a
//! `TypeError: InvalidArgumentValue` at run time, the detail the TCK expects when a
//! function receives a value of the wrong type. Argument counts are checked against
//! [`arity`].

use crate::error::{Error, ErrorClass, Result};
use crate::value::{temporal, Node, Value};
use std::hash::{BuildHasher, Hasher};

/// Calls function `name` (lower-cased, dotted). Entity arguments arrive materialized
/// (labels and properties filled) so `labels(n)`, `keys(n)`, `properties(r)` work here.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value> {
    if let Some((min, max)) = crate::catalog::functions::arity(name) {
        if args.len() < min || max.is_some_and(|m| args.len() > m) {
            return Err(Error::syntax(
                "InvalidNumberOfArguments",
                format!(
                    "{name}() takes {} but got {} argument(s)",
                    describe_arity(min, max),
                    args.len()
                ),
            ));
        }
    }
    if temporal::is_function(name) {
        if let Some(result) = temporal::call_function(name, &args) {
            return result;
        }
    }
    let mut args = args.into_iter();
    match name {
        // ---- entities and paths ----
        "id" => {
            let v = take(&mut args);
            match &v {
                Value::Node(n) => Ok(id_value(n.id)),
                Value::Relationship(r) => Ok(id_value(r.id)),
                _ => null_or(&v, name, "a node or relationship"),
            }
        }
        "elementid" => {
            let v = take(&mut args);
            match &v {
                Value::Node(n) => Ok(Value::String(n.id.to_string())),
                Value::Relationship(r) => Ok(Value::String(r.id.to_string())),
                _ => null_or(&v, name, "a node or relationship"),
            }
        }
        "labels" => {
            let v = take(&mut args);
            match v {
                Value::Node(n) => Ok(Value::List(
                    n.labels.into_iter().map(Value::String).collect(),
                )),
                v => null_or(&v, name, "a node"),
            }
        }
        "type" => {
            let v = take(&mut args);
            match v {
                Value::Relationship(r) => Ok(Value::String(r.rel_type.to_string())),
                v => null_or(&v, name, "a relationship"),
            }
        }
        "keys" => {
            let v = take(&mut args);
            match v {
                Value::Node(n) => Ok(string_list(n.properties.into_keys())),
                Value::Relationship(r) => Ok(string_list(r.properties.into_keys())),
                Value::Map(m) => Ok(string_list(m.into_keys())),
                v => null_or(&v, name, "a node, relationship or map"),
            }
        }
        "properties" => {
            let v = take(&mut args);
            match v {
                Value::Node(n) => Ok(Value::Map(n.properties.into_iter().collect())),
                Value::Relationship(r) => Ok(Value::Map(r.properties.into_iter().collect())),
                Value::Map(m) => Ok(Value::Map(m)),
                v => null_or(&v, name, "a node, relationship or map"),
            }
        }
        "startnode" | "endnode" => {
            let v = take(&mut args);
            match &v {
                Value::Relationship(r) => Ok(Value::Node(Node::with_id(if name == "startnode" {
                    r.start
                } else {
                    r.end
                }))),
                _ => null_or(&v, name, "a relationship"),
            }
        }
        "nodes" => {
            let v = take(&mut args);
            match v {
                Value::Path(p) => Ok(Value::List(p.nodes.into_iter().map(Value::Node).collect())),
                v => null_or(&v, name, "a path"),
            }
        }
        "relationships" => {
            let v = take(&mut args);
            match v {
                Value::Path(p) => Ok(Value::List(
                    p.relationships
                        .into_iter()
                        .map(Value::Relationship)
                        .collect(),
                )),
                v => null_or(&v, name, "a path"),
            }
        }
        "length" => {
            let v = take(&mut args);
            match &v {
                Value::Path(p) => Ok(count_value(p.relationships.len())),
                _ => null_or(&v, name, "a path"),
            }
        }
        // ---- lists and strings ----
        "size" => {
            let v = take(&mut args);
            match &v {
                Value::List(l) => Ok(count_value(l.len())),
                Value::String(s) => Ok(count_value(s.chars().count())),
                _ => null_or(&v, name, "a list or string"),
            }
        }
        "char_length" | "character_length" => {
            let v = take(&mut args);
            match &v {
                Value::String(s) => Ok(count_value(s.chars().count())),
                _ => null_or(&v, name, "a string"),
            }
        }
        "head" | "last" => {
            let v = take(&mut args);
            match v {
                Value::List(l) => {
                    let item = if name == "head" {
                        l.into_iter().next()
                    } else {
                        l.into_iter().next_back()
                    };
                    Ok(item.unwrap_or(Value::Null))
                }
                v => null_or(&v, name, "a list"),
            }
        }
        "tail" => {
            let v = take(&mut args);
            match v {
                Value::List(l) => Ok(Value::List(l.into_iter().skip(1).collect())),
                v => null_or(&v, name, "a list"),
            }
        }
        "reverse" => {
            let v = take(&mut args);
            match v {
                Value::List(l) => Ok(Value::List(l.into_iter().rev().collect())),
                Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
                v => null_or(&v, name, "a list or string"),
            }
        }
        "isempty" => {
            let v = take(&mut args);
            match &v {
                Value::List(l) => Ok(Value::Bool(l.is_empty())),
                Value::Map(m) => Ok(Value::Bool(m.is_empty())),
                Value::String(s) => Ok(Value::Bool(s.is_empty())),
                _ => null_or(&v, name, "a list, map or string"),
            }
        }
        "exists" => Ok(Value::Bool(!take(&mut args).is_null())),
        "coalesce" => Ok(args.find(|v| !v.is_null()).unwrap_or(Value::Null)),
        "range" => {
            let (start, end, step) = range_spec(&take(&mut args), &take(&mut args), &args.next())?;
            let len = range_len(start, end, step);
            if len > MAX_RANGE_LEN {
                return Err(Error::argument(
                    "NumberOutOfRange",
                    format!(
                        "range() would hold {len} elements, more than the limit of {MAX_RANGE_LEN}"
                    ),
                ));
            }
            let mut out = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            let mut current = i128::from(start);
            for _ in 0..len {
                out.push(Value::Int(i64::try_from(current).unwrap_or(end)));
                current += i128::from(step);
            }
            Ok(Value::List(out))
        }
        // ---- conversion ----
        "tointeger" => to_integer(&take(&mut args), true),
        "tointegerornull" => Ok(to_integer(&take(&mut args), false).unwrap_or(Value::Null)),
        "tofloat" => to_float(&take(&mut args), true),
        "tofloatornull" => Ok(to_float(&take(&mut args), false).unwrap_or(Value::Null)),
        "tostring" => to_string(&take(&mut args), true),
        "tostringornull" => Ok(to_string(&take(&mut args), false).unwrap_or(Value::Null)),
        "toboolean" => to_boolean(&take(&mut args), true),
        "tobooleanornull" => Ok(to_boolean(&take(&mut args), false).unwrap_or(Value::Null)),
        "tointegerlist" | "tofloatlist" | "tostringlist" | "tobooleanlist" => {
            let v = take(&mut args);
            let convert = match name {
                "tointegerlist" => to_integer,
                "tofloatlist" => to_float,
                "tostringlist" => to_string,
                _ => to_boolean,
            };
            match v {
                Value::List(l) => Ok(Value::List(
                    l.iter()
                        .map(|x| convert(x, false).unwrap_or(Value::Null))
                        .collect(),
                )),
                v => null_or(&v, name, "a list"),
            }
        }
        // ---- numbers ----
        "abs" => {
            let v = take(&mut args);
            match &v {
                Value::Int(i) => i.checked_abs().map(Value::Int).ok_or_else(|| {
                    Error::new(
                        ErrorClass::ArithmeticError,
                        "IntegerOverflow",
                        "abs() of the smallest integer does not fit in a 64-bit integer",
                    )
                }),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                _ => null_or(&v, name, "a number"),
            }
        }
        "ceil" => float_fn(&take(&mut args), name, f64::ceil),
        "floor" => float_fn(&take(&mut args), name, f64::floor),
        "round" => {
            let x = take(&mut args);
            let precision = args.next();
            let mode = args.next();
            round(&x, precision.as_ref(), mode.as_ref())
        }
        "sign" => {
            let v = take(&mut args);
            match &v {
                Value::Int(i) => Ok(Value::Int(i.signum())),
                Value::Float(f) if f.is_nan() => Ok(Value::Int(0)),
                Value::Float(f) => Ok(Value::Int(if *f > 0.0 {
                    1
                } else if *f < 0.0 {
                    -1
                } else {
                    0
                })),
                _ => null_or(&v, name, "a number"),
            }
        }
        "sqrt" => float_fn(&take(&mut args), name, f64::sqrt),
        "exp" => float_fn(&take(&mut args), name, f64::exp),
        "log" | "ln" => float_fn(&take(&mut args), name, f64::ln),
        "log10" => float_fn(&take(&mut args), name, f64::log10),
        "sin" => float_fn(&take(&mut args), name, f64::sin),
        "cos" => float_fn(&take(&mut args), name, f64::cos),
        "tan" => float_fn(&take(&mut args), name, f64::tan),
        "cot" => float_fn(&take(&mut args), name, |x| 1.0 / x.tan()),
        "asin" => float_fn(&take(&mut args), name, f64::asin),
        "acos" => float_fn(&take(&mut args), name, f64::acos),
        "atan" => float_fn(&take(&mut args), name, f64::atan),
        "haversin" => float_fn(&take(&mut args), name, |x| (1.0 - x.cos()) / 2.0),
        "degrees" => float_fn(&take(&mut args), name, f64::to_degrees),
        "radians" => float_fn(&take(&mut args), name, f64::to_radians),
        "atan2" => {
            let y = take(&mut args);
            let x = take(&mut args);
            if y.is_null() || x.is_null() {
                return Ok(Value::Null);
            }
            match (number(&y), number(&x)) {
                (Some(y), Some(x)) => Ok(Value::Float(y.atan2(x))),
                _ => Err(wrong_type(
                    name,
                    "numbers",
                    if number(&y).is_none() { &y } else { &x },
                )),
            }
        }
        "e" => Ok(Value::Float(std::f64::consts::E)),
        "pi" => Ok(Value::Float(std::f64::consts::PI)),
        "rand" => Ok(Value::Float(random_unit())),
        "randomuuid" => Ok(Value::String(random_uuid())),
        "timestamp" => {
            let millis = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            Ok(Value::Int(millis))
        }
        // ---- strings ----
        "left" | "right" => {
            let s = take(&mut args);
            let n = take(&mut args);
            if s.is_null() {
                return Ok(Value::Null);
            }
            let Value::String(s) = s else {
                return Err(wrong_type(name, "a string", &s));
            };
            let count = non_negative(name, "length", &n)?;
            let total = s.chars().count();
            let taken: String = if name == "left" {
                s.chars().take(count).collect()
            } else {
                s.chars().skip(total.saturating_sub(count)).collect()
            };
            Ok(Value::String(taken))
        }
        "substring" => {
            let s = take(&mut args);
            let start = take(&mut args);
            let len = args.next();
            if s.is_null() {
                return Ok(Value::Null);
            }
            let Value::String(s) = s else {
                return Err(wrong_type(name, "a string", &s));
            };
            let start = non_negative(name, "start", &start)?;
            let rest = s.chars().skip(start);
            let out: String = match len {
                None => rest.collect(),
                Some(len) => rest.take(non_negative(name, "length", &len)?).collect(),
            };
            Ok(Value::String(out))
        }
        "trim" => string_fn(&take(&mut args), name, |s| s.trim().to_string()),
        "ltrim" => string_fn(&take(&mut args), name, |s| s.trim_start().to_string()),
        "rtrim" => string_fn(&take(&mut args), name, |s| s.trim_end().to_string()),
        "toupper" | "upper" => string_fn(&take(&mut args), name, str::to_uppercase),
        "tolower" | "lower" => string_fn(&take(&mut args), name, str::to_lowercase),
        "replace" => {
            let s = take(&mut args);
            let search = take(&mut args);
            let replacement = take(&mut args);
            if s.is_null() || search.is_null() || replacement.is_null() {
                return Ok(Value::Null);
            }
            match (&s, &search, &replacement) {
                (Value::String(s), Value::String(search), Value::String(replacement)) => {
                    Ok(Value::String(s.replace(search.as_str(), replacement)))
                }
                _ => Err(Error::type_error(
                    "InvalidArgumentValue",
                    "replace() expects three strings",
                )),
            }
        }
        "split" => {
            let s = take(&mut args);
            let delimiter = take(&mut args);
            if s.is_null() || delimiter.is_null() {
                return Ok(Value::Null);
            }
            let Value::String(s) = s else {
                return Err(wrong_type(name, "a string", &s));
            };
            let delimiters: Vec<String> = match delimiter {
                Value::String(d) => vec![d],
                Value::List(items) => items
                    .into_iter()
                    .map(|d| match d {
                        Value::String(d) => Ok(d),
                        other => Err(wrong_type(name, "a string delimiter", &other)),
                    })
                    .collect::<Result<_>>()?,
                other => return Err(wrong_type(name, "a string delimiter", &other)),
            };
            Ok(string_list(split(&s, &delimiters).into_iter()))
        }
        _ => Err(Error::syntax(
            "UnknownFunction",
            format!("unknown function '{name}'"),
        )),
    }
}

/// The next argument, null when there are no more (optional arguments).
fn take(args: &mut impl Iterator<Item = Value>) -> Value {
    args.next().unwrap_or(Value::Null)
}

fn describe_arity(min: usize, max: Option<usize>) -> String {
    match max {
        Some(max) if max == min => format!("{min} argument(s)"),
        Some(max) => format!("{min} to {max} arguments"),
        None => format!("at least {min} argument(s)"),
    }
}

/// The largest list `range()` builds in memory (a value takes tens of bytes, so this is
/// hundreds of megabytes); an executor that streams `UNWIND range(…)` through
/// [`range_spec`] and [`range_len`] is not bound by it.
pub const MAX_RANGE_LEN: u64 = 10_000_000;

/// Checks `range(start, end[, step])`'s arguments: integers, a step that is not 0.
/// Exposed so an executor can stream a range instead of building the list.
pub fn range_spec(start: &Value, end: &Value, step: &Option<Value>) -> Result<(i64, i64, i64)> {
    let as_int = |v: &Value, what: &str| match v {
        Value::Int(i) => Ok(*i),
        other => Err(Error::argument(
            "InvalidArgumentType",
            format!(
                "range() expects an integer {what}, got {}",
                other.type_name()
            ),
        )),
    };
    let start = as_int(start, "start")?;
    let end = as_int(end, "end")?;
    let step = match step {
        Some(step) => as_int(step, "step")?,
        None => 1,
    };
    if step == 0 {
        return Err(Error::argument(
            "NumberOutOfRange",
            "range() step must not be 0",
        ));
    }
    Ok((start, end, step))
}

/// The number of elements of `range(start, end, step)` (step not 0).
pub fn range_len(start: i64, end: i64, step: i64) -> u64 {
    let (start, end, step) = (i128::from(start), i128::from(end), i128::from(step));
    let span = end - start;
    if span != 0 && (span > 0) != (step > 0) {
        return 0;
    }
    u64::try_from(span / step + 1).unwrap_or(u64::MAX)
}

fn id_value(id: u64) -> Value {
    Value::Int(i64::try_from(id).unwrap_or(i64::MAX))
}

fn count_value(n: usize) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn string_list(items: impl Iterator<Item = String>) -> Value {
    Value::List(items.map(Value::String).collect())
}

fn wrong_type(name: &str, expected: &str, got: &Value) -> Error {
    Error::type_error(
        "InvalidArgumentValue",
        format!(
            "{name}() expects {expected}, got a value of type {}",
            got.type_name()
        ),
    )
}

/// Null for a null argument, otherwise the wrong-type error.
fn null_or(v: &Value, name: &str, expected: &str) -> Result<Value> {
    if v.is_null() {
        Ok(Value::Null)
    } else {
        Err(wrong_type(name, expected, v))
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn float_fn(v: &Value, name: &str, f: impl Fn(f64) -> f64) -> Result<Value> {
    match number(v) {
        Some(x) => Ok(Value::Float(f(x))),
        None => null_or(v, name, "a number"),
    }
}

fn string_fn(v: &Value, name: &str, f: impl Fn(&str) -> String) -> Result<Value> {
    match v {
        Value::String(s) => Ok(Value::String(f(s))),
        _ => null_or(v, name, "a string"),
    }
}

/// A count or position argument: a non-negative integer.
fn non_negative(name: &str, what: &str, v: &Value) -> Result<usize> {
    match v {
        Value::Int(i) if *i >= 0 => Ok(usize::try_from(*i).unwrap_or(usize::MAX)),
        Value::Int(i) => Err(Error::argument(
            "NumberOutOfRange",
            format!("{name}() {what} must not be negative, got {i}"),
        )),
        other => Err(wrong_type(name, &format!("an integer {what}"), other)),
    }
}

/// `toInteger`: floats truncate, strings parse as integers or as floats then truncate,
/// booleans are 1 and 0. With `strict`, a value of an unconvertible type is an error;
/// otherwise (and for unparsable strings always) the answer is null.
fn to_integer(v: &Value, strict: bool) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Int(*i),
        Value::Float(f) => float_to_int(*f),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::String(s) => {
            let t = s.trim();
            match t.parse::<i64>() {
                Ok(i) => Value::Int(i),
                Err(_) => match t.parse::<f64>() {
                    Ok(f) if looks_numeric(t) => float_to_int(f),
                    _ => Value::Null,
                },
            }
        }
        other => return conversion_failure(strict, "toInteger", other),
    })
}

/// Whether a string parsed as a float was written as a number (Rust also accepts
/// `inf` and `nan`, which Cypher does not turn into integers).
fn looks_numeric(t: &str) -> bool {
    t.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'))
}

fn float_to_int(f: f64) -> Value {
    let t = f.trunc();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        Value::Int(t as i64)
    } else {
        Value::Null
    }
}

fn to_float(v: &Value, strict: bool) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Float(*i as f64),
        Value::Float(f) => Value::Float(*f),
        Value::String(s) => s.trim().parse::<f64>().map_or(Value::Null, Value::Float),
        other => return conversion_failure(strict, "toFloat", other),
    })
}

fn to_string(v: &Value, strict: bool) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::String(s) => Value::String(s.clone()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Value::String(v.to_string()),
        other => match other.temporal_text() {
            Some(text) => Value::String(text),
            None => return conversion_failure(strict, "toString", other),
        },
    })
}

fn to_boolean(v: &Value, strict: bool) -> Result<Value> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(s) => {
            if s.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if s.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                Value::Null
            }
        }
        other => return conversion_failure(strict, "toBoolean", other),
    })
}

fn conversion_failure(strict: bool, name: &str, v: &Value) -> Result<Value> {
    if strict {
        Err(Error::type_error(
            "InvalidArgumentValue",
            format!("{name}() cannot convert a value of type {}", v.type_name()),
        ))
    } else {
        Ok(Value::Null)
    }
}

/// `round(x)` rounds half-way values up (towards positive infinity); `round(x, p)` and
/// `round(x, p, mode)` round to `p` decimals in the decimal notation of `x` (so 2.675
/// rounds to 2.68, as a person reading it expects), half-way values away from zero
/// unless a mode says otherwise.
fn round(x: &Value, precision: Option<&Value>, mode: Option<&Value>) -> Result<Value> {
    if x.is_null() || precision.is_some_and(Value::is_null) || mode.is_some_and(Value::is_null) {
        return Ok(Value::Null);
    }
    let Some(f) = number(x) else {
        return Err(wrong_type("round", "a number", x));
    };
    let Some(precision) = precision else {
        let floor = f.floor();
        return Ok(Value::Float(if f - floor >= 0.5 {
            floor + 1.0
        } else {
            floor
        }));
    };
    let digits = non_negative("round", "precision", precision)?;
    let mode = match mode {
        None => RoundingMode::HalfUp,
        Some(Value::String(m)) => RoundingMode::parse(m).ok_or_else(|| {
            Error::argument(
                "InvalidArgumentValue",
                format!("unknown rounding mode '{m}' (use UP, DOWN, CEILING, FLOOR, HALF_UP, HALF_DOWN or HALF_EVEN)"),
            )
        })?,
        Some(other) => return Err(wrong_type("round", "a rounding mode string", other)),
    };
    if !f.is_finite() {
        return Ok(Value::Float(f));
    }
    Ok(Value::Float(round_decimal(f, digits, mode)))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RoundingMode {
    Up,
    Down,
    Ceiling,
    Floor,
    HalfUp,
    HalfDown,
    HalfEven,
}

impl RoundingMode {
    fn parse(name: &str) -> Option<RoundingMode> {
        Some(match name.to_ascii_uppercase().as_str() {
            "UP" => RoundingMode::Up,
            "DOWN" => RoundingMode::Down,
            "CEILING" => RoundingMode::Ceiling,
            "FLOOR" => RoundingMode::Floor,
            "HALF_UP" => RoundingMode::HalfUp,
            "HALF_DOWN" => RoundingMode::HalfDown,
            "HALF_EVEN" => RoundingMode::HalfEven,
            _ => return None,
        })
    }
}

/// Rounds `f` to `digits` decimals working on its shortest decimal notation.
fn round_decimal(f: f64, digits: usize, mode: RoundingMode) -> f64 {
    let negative = f < 0.0;
    let text = format!("{}", f.abs());
    let (int_part, frac_part) = text.split_once('.').unwrap_or((&text, ""));
    if frac_part.len() <= digits {
        return f;
    }
    let (kept_frac, dropped) = frac_part.split_at(digits);
    let mut kept: Vec<u8> = int_part.bytes().chain(kept_frac.bytes()).collect();
    let first_dropped = dropped.bytes().next().unwrap_or(b'0');
    let rest_nonzero = dropped.bytes().skip(1).any(|b| b != b'0');
    let any_dropped = first_dropped != b'0' || rest_nonzero;
    let last_odd = kept.last().is_some_and(|d| (d - b'0') % 2 == 1);
    let round_away = match mode {
        RoundingMode::Up => any_dropped,
        RoundingMode::Down => false,
        RoundingMode::Ceiling => any_dropped && !negative,
        RoundingMode::Floor => any_dropped && negative,
        RoundingMode::HalfUp => first_dropped >= b'5',
        RoundingMode::HalfDown => first_dropped > b'5' || (first_dropped == b'5' && rest_nonzero),
        RoundingMode::HalfEven => {
            first_dropped > b'5' || (first_dropped == b'5' && (rest_nonzero || last_odd))
        }
    };
    if round_away {
        // Decimal increment of the kept digits, carrying leftwards.
        let mut carry = true;
        for d in kept.iter_mut().rev() {
            if *d == b'9' {
                *d = b'0';
            } else {
                *d += 1;
                carry = false;
                break;
            }
        }
        if carry {
            kept.insert(0, b'1');
        }
    }
    let split = kept.len() - digits;
    let (i, fr) = kept.split_at(split);
    let rebuilt = format!(
        "{}{}.{}0",
        if negative { "-" } else { "" },
        String::from_utf8_lossy(i),
        String::from_utf8_lossy(fr)
    );
    rebuilt.parse().unwrap_or(f)
}

/// Splits on any of the delimiters; an empty delimiter splits into characters.
fn split(s: &str, delimiters: &[String]) -> Vec<String> {
    if delimiters.iter().all(String::is_empty) {
        return s.chars().map(String::from).collect();
    }
    let mut out = Vec::new();
    let mut piece_start = 0;
    let mut i = 0;
    while i < s.len() {
        let matched = delimiters
            .iter()
            .filter(|d| !d.is_empty())
            .find(|d| s.get(i..).is_some_and(|rest| rest.starts_with(d.as_str())));
        match matched {
            Some(d) => {
                out.push(s.get(piece_start..i).unwrap_or_default().to_string());
                i += d.len();
                piece_start = i;
            }
            None => {
                i += s
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
            }
        }
    }
    out.push(s.get(piece_start..).unwrap_or_default().to_string());
    out
}

/// 64 random bits from the standard library's randomly keyed hasher and a counter, so
/// no extra crate is needed for `rand()`.
fn random_bits() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    if let Ok(d) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
        hasher.write_u128(d.as_nanos());
    }
    hasher.finish()
}

/// A uniform float in [0, 1).
fn random_unit() -> f64 {
    (random_bits() >> 11) as f64 / (1u64 << 53) as f64
}

/// A version-4 UUID in its usual text form.
fn random_uuid() -> String {
    let hi = random_bits();
    let lo = random_bits();
    let hi = (hi & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000;
    let lo = (lo & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xffff,
        hi & 0xffff,
        lo >> 48,
        lo & 0xffff_ffff_ffff
    )
}
