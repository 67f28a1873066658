//! Temporal values: date, local time, time, local datetime, datetime and duration, with
//! the openCypher semantics of construction, accessors, arithmetic and rendering.
//!
//! The civil values are jiff's (years -9999..=9999); zones come from jiff's time-zone
//! database. A `DateTime` keeps its local date-time, the offset in force there and, when
//! it was given one, the IANA zone name; its instant is `local - offset`. Submodules:
//! `calendar` (day counts, zones), `parse` (ISO text), `construct` (maps, selection,
//! truncation, clock), `duration`, `between`.

mod between;
pub(crate) mod calendar;
mod construct;
mod duration;
#[cfg(test)]
mod no_panic_tests;
mod parse;
#[cfg(test)]
mod tck_tests;

pub use construct::StatementClock;

use calendar::{
    add_days, add_months, day_of_quarter, instant_nanos, nanos_of_day, quarter, time_from_nanos,
    week_date, Zone, NANOS_PER_DAY, NANOS_PER_SECOND,
};
use construct::Kind;
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

// ---- contract used by the rest of the engine ----

use super::Value;
use crate::error::{Error, Result};
use std::cmp::Ordering;

/// An invalid temporal argument (bad component, unparsable text, unknown zone).
pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::argument("InvalidArgumentValue", message)
}

fn wrong_type(what: &str, value: &Value) -> Error {
    Error::type_error(
        "InvalidArgumentType",
        format!("{what}, got {}", value.type_name()),
    )
}

/// Temporal functions by lower-cased dotted name (`date`, `datetime.fromepoch`,
/// `duration.between`, `date.truncate`, `localtime.statement`, …); `None` when `name` is
/// not a temporal function.
pub fn call_function(name: &str, args: &[Value]) -> Option<Result<Value>> {
    if !is_function(name) {
        return None;
    }
    Some(dispatch(name, args))
}

fn dispatch(name: &str, args: &[Value]) -> Result<Value> {
    let (base, member) = match name.split_once('.') {
        Some((b, m)) => (b, Some(m)),
        None => (name, None),
    };
    let arity = |min: usize, max: usize| -> Result<()> {
        if args.len() < min || args.len() > max {
            return Err(Error::syntax(
                "InvalidNumberOfArguments",
                format!(
                    "{name}() takes {min}{} arguments, got {}",
                    if max > min {
                        format!(" to {max}")
                    } else {
                        String::new()
                    },
                    args.len()
                ),
            ));
        }
        Ok(())
    };
    if base == "duration" {
        return match member {
            None => {
                arity(1, 1)?;
                match &args[0] {
                    Value::Null => Ok(Value::Null),
                    Value::Map(map) => Ok(Value::Duration(duration::from_map(map)?)),
                    Value::String(text) => Ok(Value::Duration(parse::parse_duration(text)?)),
                    Value::Duration(d) => Ok(Value::Duration(*d)),
                    other => Err(wrong_type("duration() takes a map or a string", other)),
                }
            }
            Some(m) => {
                let mode = between::Between::from_name(m).ok_or_else(|| unknown(name))?;
                arity(2, 2)?;
                if args[0].is_null() || args[1].is_null() {
                    return Ok(Value::Null);
                }
                Ok(Value::Duration(between::between(&args[0], &args[1], mode)?))
            }
        };
    }
    let kind = Kind::from_name(base).ok_or_else(|| unknown(name))?;
    match member {
        None | Some("transaction") | Some("statement") | Some("realtime") => {
            arity(0, 1)?;
            let realtime = member == Some("realtime");
            match args.first() {
                None => construct::now(kind, realtime, None),
                Some(Value::Null) => Ok(Value::Null),
                Some(arg) if member.is_some() => construct::now(kind, realtime, Some(arg)),
                Some(Value::Map(map)) => construct::from_map(kind, map),
                Some(Value::String(text)) => construct::from_text(kind, text),
                Some(other) => construct::from_temporal(kind, other),
            }
        }
        Some("truncate") => {
            arity(2, 3)?;
            let unit = match &args[0] {
                Value::String(u) => u,
                Value::Null => return Ok(Value::Null),
                other => return Err(wrong_type("the truncation unit must be a string", other)),
            };
            if args[1].is_null() {
                return Ok(Value::Null);
            }
            let overrides = match args.get(2) {
                None | Some(Value::Null) => None,
                Some(Value::Map(m)) => Some(m),
                Some(other) => return Err(wrong_type("truncation overrides must be a map", other)),
            };
            construct::truncate(kind, unit, &args[1], overrides)
        }
        Some("fromepoch") if kind == Kind::DateTime => {
            arity(2, 2)?;
            if args[0].is_null() || args[1].is_null() {
                return Ok(Value::Null);
            }
            construct::from_epoch(&args[0], &args[1])
        }
        Some("fromepochmillis") if kind == Kind::DateTime => {
            arity(1, 1)?;
            if args[0].is_null() {
                return Ok(Value::Null);
            }
            construct::from_epoch_millis(&args[0])
        }
        Some(_) => Err(unknown(name)),
    }
}

fn unknown(name: &str) -> Error {
    Error::syntax("UnknownFunction", format!("unknown function {name}()"))
}

/// Whether `name` (lower-cased, dotted) is a temporal function.
pub fn is_function(name: &str) -> bool {
    match name.split_once('.') {
        None => matches!(
            name,
            "date" | "localtime" | "time" | "localdatetime" | "datetime" | "duration"
        ),
        Some(("duration", m)) => between::Between::from_name(m).is_some(),
        Some(("datetime", "fromepoch" | "fromepochmillis")) => true,
        Some((base, m)) => {
            Kind::from_name(base).is_some()
                && matches!(m, "transaction" | "statement" | "realtime" | "truncate")
        }
    }
}

/// The functions that construct each temporal type, named as the type.
const CONSTRUCTORS: [&str; 6] = [
    "date",
    "localtime",
    "time",
    "localdatetime",
    "datetime",
    "duration",
];

/// Every temporal function's name (lower-cased, dotted).
pub fn function_names() -> Vec<String> {
    const MEMBERS: [&str; 10] = [
        "transaction",
        "statement",
        "realtime",
        "truncate",
        "between",
        "inmonths",
        "indays",
        "inseconds",
        "fromepoch",
        "fromepochmillis",
    ];
    CONSTRUCTORS
        .iter()
        .flat_map(|base| {
            std::iter::once(base.to_string())
                .chain(MEMBERS.iter().map(move |m| format!("{base}.{m}")))
        })
        .filter(|name| is_function(name))
        .collect()
}

/// `value.key` on a temporal value (`.year`, `.epochSeconds`, `.hours`, …); `None` when
/// `value` is not temporal.
pub fn property(value: &Value, key: &str) -> Option<Result<Value>> {
    let found = match value {
        Value::Duration(d) => d.component(key),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_) => return Some(instant_property(value, key)),
        _ => return None,
    };
    Some(found.map(Value::Int).ok_or_else(|| no_field(value, key)))
}

fn no_field(value: &Value, key: &str) -> Error {
    invalid(format!(
        "{} values have no field '{key}'",
        value.type_name()
    ))
}

fn instant_property(value: &Value, key: &str) -> Result<Value> {
    let parts = construct::Parts::of(value).ok_or_else(|| no_field(value, key))?;
    let lower = key.to_ascii_lowercase();
    if let Some(date) = parts.date {
        let (week_year, week, weekday) = week_date(date);
        let found = match lower.as_str() {
            "year" => Some(i64::from(date.year())),
            "quarter" => Some(quarter(date)),
            "month" => Some(i64::from(date.month())),
            "week" => Some(week),
            "weekyear" => Some(week_year),
            "day" => Some(i64::from(date.day())),
            "ordinalday" => Some(i64::from(date.day_of_year())),
            "dayofweek" | "weekday" => Some(weekday),
            "dayofquarter" => Some(day_of_quarter(date)),
            _ => None,
        };
        if let Some(v) = found {
            return Ok(Value::Int(v));
        }
    }
    if let Some(time) = parts.time {
        let nanos = i64::from(time.subsec_nanosecond());
        let found = match lower.as_str() {
            "hour" => Some(i64::from(time.hour())),
            "minute" => Some(i64::from(time.minute())),
            "second" => Some(i64::from(time.second())),
            "millisecond" => Some(nanos / 1_000_000),
            "microsecond" => Some(nanos / 1_000),
            "nanosecond" => Some(nanos),
            _ => None,
        };
        if let Some(v) = found {
            return Ok(Value::Int(v));
        }
    }
    let offset = match value {
        Value::Time(t) => Some(t.offset_seconds),
        Value::DateTime(dt) => Some(dt.offset_seconds),
        _ => None,
    };
    if let Some(offset) = offset {
        match lower.as_str() {
            "timezone" => {
                return Ok(Value::String(match value {
                    Value::DateTime(DateTime {
                        zone: Some(name), ..
                    }) => name.clone(),
                    _ => render_offset(offset),
                }))
            }
            "offset" => return Ok(Value::String(render_offset(offset))),
            "offsetminutes" => return Ok(Value::Int(i64::from(offset / 60))),
            "offsetseconds" => return Ok(Value::Int(i64::from(offset))),
            _ => {}
        }
    }
    if let Value::DateTime(dt) = value {
        let instant = instant_nanos(dt);
        let found = match lower.as_str() {
            "epochseconds" => i64::try_from(instant.div_euclid(i128::from(NANOS_PER_SECOND))).ok(),
            "epochmillis" => i64::try_from(instant.div_euclid(1_000_000)).ok(),
            _ => None,
        };
        if let Some(v) = found {
            return Ok(Value::Int(v));
        }
    }
    Err(no_field(value, key))
}

/// `a + b` when either side is temporal; `None` otherwise.
pub fn add(a: &Value, b: &Value) -> Option<Result<Value>> {
    if !a.is_temporal() && !b.is_temporal() {
        return None;
    }
    Some(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Duration(x), Value::Duration(y)) => x.plus(y).map(Value::Duration),
        (instant, Value::Duration(d)) | (Value::Duration(d), instant) => plus(instant, d),
        _ => Err(bad_operands("+", a, b)),
    })
}

/// `a - b` when either side is temporal; `None` otherwise.
pub fn subtract(a: &Value, b: &Value) -> Option<Result<Value>> {
    if !a.is_temporal() && !b.is_temporal() {
        return None;
    }
    Some(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Duration(x), Value::Duration(y)) => {
            y.negated().and_then(|n| x.plus(&n)).map(Value::Duration)
        }
        (instant, Value::Duration(d)) if !matches!(instant, Value::Duration(_)) => {
            d.negated().and_then(|n| plus(instant, &n))
        }
        _ => Err(bad_operands("-", a, b)),
    })
}

/// `a * b` / `a / b` for a duration and a number; `None` otherwise.
pub fn multiply(a: &Value, b: &Value) -> Option<Result<Value>> {
    if !a.is_temporal() && !b.is_temporal() {
        return None;
    }
    Some(match (a, b) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::Duration(d), Value::Int(k)) | (Value::Int(k), Value::Duration(d)) => {
            d.times_int(*k).map(Value::Duration)
        }
        (Value::Duration(d), Value::Float(f)) | (Value::Float(f), Value::Duration(d)) => {
            d.scaled(*f, 1.0).map(Value::Duration)
        }
        _ => Err(bad_operands("*", a, b)),
    })
}

pub fn divide(a: &Value, b: &Value) -> Option<Result<Value>> {
    if !a.is_temporal() && !b.is_temporal() {
        return None;
    }
    if a.is_null() || b.is_null() {
        return Some(Ok(Value::Null));
    }
    let divisor = match b {
        Value::Int(k) => *k as f64,
        Value::Float(f) => *f,
        _ => return Some(Err(bad_operands("/", a, b))),
    };
    Some(match a {
        Value::Duration(_) if divisor == 0.0 => Err(Error::new(
            crate::error::ErrorClass::ArithmeticError,
            "",
            "division of a duration by zero",
        )),
        Value::Duration(d) => d.scaled(1.0, divisor).map(Value::Duration),
        _ => Err(bad_operands("/", a, b)),
    })
}

fn bad_operands(op: &str, a: &Value, b: &Value) -> Error {
    Error::type_error(
        "InvalidArgumentType",
        format!("cannot compute {} {op} {}", a.type_name(), b.type_name()),
    )
}

/// A temporal instant moved by a duration: months, then days on the calendar, then the
/// seconds on the clock (for a date, only whole days of them).
fn plus(instant: &Value, d: &Duration) -> Result<Value> {
    let nanos = d.total_nanos();
    Ok(match instant {
        Value::Date(date) => {
            let whole_days = i64::try_from(nanos / i128::from(NANOS_PER_DAY))
                .map_err(|_| invalid("date out of range"))?;
            let date = add_months(date.0, d.months)?;
            let date = add_days(date, d.days.saturating_add(whole_days))?;
            Value::Date(Date(date))
        }
        Value::LocalTime(t) => Value::LocalTime(LocalTime(shift_time(t.0, nanos))),
        Value::Time(t) => Value::Time(Time {
            time: shift_time(t.time, nanos),
            offset_seconds: t.offset_seconds,
        }),
        Value::LocalDateTime(dt) => {
            let date = add_days(add_months(dt.0.date(), d.months)?, d.days)?;
            let local = civil::DateTime::from_parts(date, dt.0.time());
            Value::LocalDateTime(LocalDateTime(calendar::datetime_from_local_nanos(
                calendar::local_nanos(local) + nanos,
            )?))
        }
        Value::DateTime(dt) => {
            let zone = Zone::of(dt);
            let date = add_days(add_months(dt.local.date(), d.months)?, d.days)?;
            let local = civil::DateTime::from_parts(date, dt.local.time());
            let moved = DateTime {
                local,
                offset_seconds: zone.offset_at_local_preferring(local, dt.offset_seconds)?,
                zone: dt.zone.clone(),
            };
            Value::DateTime(zone.at_instant(instant_nanos(&moved) + nanos)?)
        }
        other => return Err(bad_operands("+", other, &Value::Duration(*d))),
    })
}

fn shift_time(time: civil::Time, nanos: i128) -> civil::Time {
    let day = i128::from(NANOS_PER_DAY);
    let shifted = (i128::from(nanos_of_day(time)) + nanos.rem_euclid(day)).rem_euclid(day);
    time_from_nanos(shifted as i64)
}

/// Comparison of two temporal values of the same type (`None` if not comparable).
/// Times compare by their UTC time of day, datetimes by instant, and values at the same
/// instant by their zone (Neo4j's documented order), so only identical values are
/// `Equal`. Durations do not compare (use [`equals`] for their equality).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
        (Value::LocalTime(x), Value::LocalTime(y)) => Some(x.cmp(y)),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(
            utc_nanos_of_day(x)
                .cmp(&utc_nanos_of_day(y))
                .then(x.offset_seconds.cmp(&y.offset_seconds)),
        ),
        (Value::DateTime(x), Value::DateTime(y)) => Some(
            instant_nanos(x)
                .cmp(&instant_nanos(y))
                .then(x.offset_seconds.cmp(&y.offset_seconds))
                .then_with(|| x.zone.cmp(&y.zone)),
        ),
        _ => None,
    }
}

fn utc_nanos_of_day(t: &Time) -> i64 {
    nanos_of_day(t.time) - i64::from(t.offset_seconds) * NANOS_PER_SECOND
}

/// The value as the TCK writes it, e.g. `'2015-07-21T21:40:32.142+01:00'`; an empty
/// string for a value that is not temporal.
pub fn render_literal(value: &Value) -> String {
    match to_iso_string(value) {
        Some(text) => format!("'{text}'"),
        None => String::new(),
    }
}

/// The ISO text of a temporal value (what `toString` returns), `None` when `value` is
/// not temporal.
pub fn to_iso_string(value: &Value) -> Option<String> {
    Some(match value {
        Value::Date(d) => render_date(d.0),
        Value::LocalTime(t) => render_time(t.0),
        Value::Time(t) => format!("{}{}", render_time(t.time), render_offset(t.offset_seconds)),
        Value::LocalDateTime(dt) => render_local_datetime(dt.0),
        Value::DateTime(dt) => {
            let mut text = format!(
                "{}{}",
                render_local_datetime(dt.local),
                render_offset(dt.offset_seconds)
            );
            if let Some(zone) = &dt.zone {
                text.push('[');
                text.push_str(zone);
                text.push(']');
            }
            text
        }
        Value::Duration(d) => d.iso(),
        _ => return None,
    })
}

fn render_date(date: civil::Date) -> String {
    let year = i32::from(date.year());
    let year_text = if year < 0 {
        format!("-{:04}", -year)
    } else if year > 9999 {
        format!("+{year}")
    } else {
        format!("{year:04}")
    };
    format!("{year_text}-{:02}-{:02}", date.month(), date.day())
}

/// `HH:MM`, then seconds and a fraction of 3, 6 or 9 digits only when they are not zero.
fn render_time(time: civil::Time) -> String {
    let mut text = format!("{:02}:{:02}", time.hour(), time.minute());
    let nanos = time.subsec_nanosecond();
    if time.second() != 0 || nanos != 0 {
        text.push_str(&format!(":{:02}", time.second()));
        if nanos != 0 {
            if nanos % 1_000_000 == 0 {
                text.push_str(&format!(".{:03}", nanos / 1_000_000));
            } else if nanos % 1_000 == 0 {
                text.push_str(&format!(".{:06}", nanos / 1_000));
            } else {
                text.push_str(&format!(".{nanos:09}"));
            }
        }
    }
    text
}

fn render_local_datetime(dt: civil::DateTime) -> String {
    format!("{}T{}", render_date(dt.date()), render_time(dt.time()))
}

/// `Z`, `+01:00`, or `+02:05:59` when the offset has seconds.
fn render_offset(seconds: i32) -> String {
    if seconds == 0 {
        return "Z".to_string();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let mut text = format!("{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60);
    if !abs.is_multiple_of(60) {
        text.push_str(&format!(":{:02}", abs % 60));
    }
    text
}

/// The UTC datetime `micros` microseconds after the Unix epoch (a commit or load time).
pub(crate) fn utc_from_micros(micros: i64) -> Result<Value> {
    Ok(Value::DateTime(DateTime {
        local: calendar::datetime_from_local_nanos(i128::from(micros) * 1000)?,
        offset_seconds: 0,
        zone: None,
    }))
}

/// The microseconds since the Unix epoch of the instant `dt` names (the inverse of
/// `utc_from_micros`).
pub(crate) fn micros_of(dt: &DateTime) -> i64 {
    i64::try_from(calendar::instant_nanos(dt).div_euclid(1000)).unwrap_or(i64::MAX)
}
