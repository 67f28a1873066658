//! Building temporal values: from maps of components (calendar, week, ordinal and
//! quarter dates), from other temporal values with overridden components, from text,
//! from the clock, and by truncation.
//!
//! One resolution path serves all of them: a base date and time (from a source value or
//! the truncated value), the map's components applied over them, then the zone. A zone
//! that comes with the time source is converted to a requested `timezone` (same
//! instant); truncation replaces it instead (same local time), as the TCK expects.

use super::calendar::{
    add_days, day_of_quarter, days_in_month, from_week_date, make_date, make_time, nanos_of_day,
    quarter, time_from_nanos, week_date, Zone, NANOS_PER_DAY, NANOS_PER_SECOND,
};
use super::parse::{ordinal_date, parse_datetime, parse_time_with_zone};
use super::{invalid, Date, DateTime, LocalDateTime, LocalTime, Time};
use crate::error::{Error, Result};
use crate::value::{Map, Value};
use jiff::civil;
use std::cell::Cell;

/// The five temporal instant types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Date,
    LocalTime,
    Time,
    LocalDateTime,
    DateTime,
}

impl Kind {
    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Some(match name {
            "date" => Kind::Date,
            "localtime" => Kind::LocalTime,
            "time" => Kind::Time,
            "localdatetime" => Kind::LocalDateTime,
            "datetime" => Kind::DateTime,
            _ => return None,
        })
    }

    fn has_date(self) -> bool {
        matches!(self, Kind::Date | Kind::LocalDateTime | Kind::DateTime)
    }

    fn has_time(self) -> bool {
        !matches!(self, Kind::Date)
    }

    fn has_zone(self) -> bool {
        matches!(self, Kind::Time | Kind::DateTime)
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Date => "date",
            Kind::LocalTime => "localtime",
            Kind::Time => "time",
            Kind::LocalDateTime => "localdatetime",
            Kind::DateTime => "datetime",
        }
    }
}

/// What a temporal value contributes to another: its date, its time and its zone.
#[derive(Clone, Debug, Default)]
pub(crate) struct Parts {
    pub date: Option<civil::Date>,
    pub time: Option<civil::Time>,
    pub zone: Option<Zone>,
}

impl Parts {
    pub(crate) fn of(value: &Value) -> Option<Parts> {
        Some(match value {
            Value::Date(d) => Parts {
                date: Some(d.0),
                ..Parts::default()
            },
            Value::LocalTime(t) => Parts {
                time: Some(t.0),
                ..Parts::default()
            },
            Value::Time(t) => Parts {
                time: Some(t.time),
                zone: Some(Zone::Offset(t.offset_seconds)),
                ..Parts::default()
            },
            Value::LocalDateTime(dt) => Parts {
                date: Some(dt.0.date()),
                time: Some(dt.0.time()),
                zone: None,
            },
            Value::DateTime(dt) => Parts {
                date: Some(dt.local.date()),
                time: Some(dt.local.time()),
                zone: Some(Zone::of(dt)),
            },
            _ => return None,
        })
    }
}

/// Integer components a map may set.
#[derive(Clone, Copy, Debug, Default)]
struct Components {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    week: Option<i64>,
    day_of_week: Option<i64>,
    ordinal_day: Option<i64>,
    quarter: Option<i64>,
    day_of_quarter: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    millisecond: Option<i64>,
    microsecond: Option<i64>,
    nanosecond: Option<i64>,
    epoch_seconds: Option<i64>,
    epoch_millis: Option<i64>,
}

impl Components {
    fn has_date(&self) -> bool {
        self.year.is_some()
            || self.month.is_some()
            || self.day.is_some()
            || self.week.is_some()
            || self.day_of_week.is_some()
            || self.ordinal_day.is_some()
            || self.quarter.is_some()
            || self.day_of_quarter.is_some()
    }

    fn has_time(&self) -> bool {
        self.hour.is_some()
            || self.minute.is_some()
            || self.second.is_some()
            || self.has_subsecond()
    }

    fn has_subsecond(&self) -> bool {
        self.millisecond.is_some() || self.microsecond.is_some() || self.nanosecond.is_some()
    }
}

/// A map argument split into components, sources and the requested zone.
#[derive(Default)]
struct Request {
    components: Components,
    date_source: Option<Parts>,
    time_source: Option<Parts>,
    timezone: Option<Zone>,
}

fn integer(key: &str, value: &Value) -> Result<i64> {
    match value {
        Value::Int(i) => Ok(*i),
        other => Err(Error::type_error(
            "InvalidArgumentType",
            format!("'{key}' must be an integer, got {}", other.type_name()),
        )),
    }
}

fn source(key: &str, value: &Value) -> Result<Parts> {
    Parts::of(value).ok_or_else(|| {
        Error::type_error(
            "InvalidArgumentType",
            format!(
                "'{key}' must be a temporal value, got {}",
                value.type_name()
            ),
        )
    })
}

/// `source` for map entry `key`, which must have the part that `has` looks for.
fn source_with(key: &str, value: &Value, part: &str, has: fn(&Parts) -> bool) -> Result<Parts> {
    let parts = source(key, value)?;
    if !has(&parts) {
        return Err(invalid(format!("'{key}' must be a value with a {part}")));
    }
    Ok(parts)
}

impl Request {
    fn from_map(map: &Map) -> Result<Request> {
        let mut request = Request::default();
        let c = &mut request.components;
        for (key, value) in map {
            if value.is_null() {
                continue;
            }
            let lower = key.to_ascii_lowercase();
            let slot = match lower.as_str() {
                "year" => &mut c.year,
                "month" => &mut c.month,
                "day" => &mut c.day,
                "week" => &mut c.week,
                "dayofweek" | "weekday" => &mut c.day_of_week,
                "ordinalday" => &mut c.ordinal_day,
                "quarter" => &mut c.quarter,
                "dayofquarter" => &mut c.day_of_quarter,
                "hour" => &mut c.hour,
                "minute" => &mut c.minute,
                "second" => &mut c.second,
                "millisecond" => &mut c.millisecond,
                "microsecond" => &mut c.microsecond,
                "nanosecond" => &mut c.nanosecond,
                "epochseconds" => &mut c.epoch_seconds,
                "epochmillis" => &mut c.epoch_millis,
                "date" => {
                    let parts = source_with(&lower, value, "date", |p| p.date.is_some())?;
                    request.date_source = Some(parts);
                    continue;
                }
                "time" => {
                    let parts = source_with(&lower, value, "time", |p| p.time.is_some())?;
                    request.time_source = Some(parts);
                    continue;
                }
                "datetime" => {
                    let parts = source_with(&lower, value, "date", |p| p.date.is_some())?;
                    request.date_source = Some(parts.clone());
                    if parts.time.is_some() {
                        request.time_source = Some(parts);
                    }
                    continue;
                }
                "timezone" => {
                    let Value::String(text) = value else {
                        return Err(Error::type_error(
                            "InvalidArgumentType",
                            format!("'timezone' must be a string, got {}", value.type_name()),
                        ));
                    };
                    request.timezone = Some(Zone::parse(text)?);
                    continue;
                }
                _ => return Err(invalid(format!("'{key}' is not a temporal component"))),
            };
            *slot = Some(integer(key, value)?);
        }
        Ok(request)
    }
}

/// How a requested zone combines with the zone of the source value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ZoneMode {
    /// Keep the instant, show it in the requested zone (construction).
    Convert,
    /// Keep the local time, attach the requested zone (truncation).
    Replace,
}

/// The date from a base date (if any) with components applied.
fn resolve_date(c: &Components, base: Option<civil::Date>) -> Result<Option<civil::Date>> {
    let Some(base) = base else {
        if !c.has_date() {
            return Ok(None);
        }
        let year = c
            .year
            .ok_or_else(|| invalid("a date needs a 'year' (or a 'date' to start from)"))?;
        return resolve_date_fields(c, year, None).map(Some);
    };
    let year = c.year.unwrap_or(i64::from(base.year()));
    resolve_date_fields(c, year, Some(base)).map(Some)
}

fn resolve_date_fields(
    c: &Components,
    year: i64,
    base: Option<civil::Date>,
) -> Result<civil::Date> {
    let calendar = c.month.is_some() || c.day.is_some();
    if c.week.is_some() || (c.day_of_week.is_some() && !calendar) {
        if calendar || c.ordinal_day.is_some() || c.quarter.is_some() {
            return Err(invalid(
                "week dates cannot be combined with other date forms",
            ));
        }
        let (base_year, base_week, base_day) = match base {
            Some(b) => week_date(b),
            None => (year, 1, 1),
        };
        let week_year = c.year.unwrap_or(base_year);
        return from_week_date(
            week_year,
            c.week.unwrap_or(base_week),
            c.day_of_week.unwrap_or(base_day),
        );
    }
    if let Some(ordinal) = c.ordinal_day {
        if calendar || c.quarter.is_some() || c.day_of_quarter.is_some() {
            return Err(invalid(
                "ordinal dates cannot be combined with other date forms",
            ));
        }
        return ordinal_date(year, ordinal);
    }
    if c.quarter.is_some() || c.day_of_quarter.is_some() {
        if calendar {
            return Err(invalid(
                "quarter dates cannot be combined with month and day",
            ));
        }
        let q = c.quarter.unwrap_or_else(|| base.map_or(1, quarter));
        let day = c
            .day_of_quarter
            .unwrap_or_else(|| base.map_or(1, day_of_quarter));
        return quarter_date(year, q, day);
    }
    if c.day.is_some() && c.month.is_none() && base.is_none() {
        return Err(invalid("a 'day' needs a 'month'"));
    }
    let month = c
        .month
        .unwrap_or_else(|| base.map_or(1, |b| i64::from(b.month())));
    let day = c
        .day
        .unwrap_or_else(|| base.map_or(1, |b| i64::from(b.day())));
    make_date(year, month, day)
}

fn quarter_date(year: i64, quarter: i64, day: i64) -> Result<civil::Date> {
    if !(1..=4).contains(&quarter) {
        return Err(invalid(format!("invalid quarter {quarter}")));
    }
    let first_month = (quarter - 1) * 3 + 1;
    let length: i64 = (first_month..first_month + 3)
        .map(|m| days_in_month(year, m))
        .sum();
    if !(1..=length).contains(&day) {
        return Err(invalid(format!(
            "invalid day of quarter {day} in quarter {quarter}"
        )));
    }
    add_days(make_date(year, first_month, 1)?, day - 1)
}

/// The time from a base time (if any) with components applied.
fn resolve_time(c: &Components, base: Option<civil::Time>) -> Result<Option<civil::Time>> {
    if base.is_none() && !c.has_time() {
        return Ok(None);
    }
    if base.is_none() {
        if c.hour.is_none() {
            return Err(invalid("a time needs an 'hour'"));
        }
        if c.second.is_some() && c.minute.is_none() {
            return Err(invalid("a 'second' needs a 'minute'"));
        }
        if c.has_subsecond() && c.second.is_none() {
            return Err(invalid("fractions of a second need a 'second'"));
        }
    }
    let pick = |v: Option<i64>, b: fn(civil::Time) -> i64| v.or(base.map(b)).unwrap_or(0);
    let hour = pick(c.hour, |t| i64::from(t.hour()));
    let minute = pick(c.minute, |t| i64::from(t.minute()));
    let second = pick(c.second, |t| i64::from(t.second()));
    let base_nanos = base.map_or(0, |t| i64::from(t.subsec_nanosecond()));
    let small = |v: Option<i64>| v.is_none_or(|v| (0..1000).contains(&v));
    let nanos = if !c.has_subsecond() {
        base_nanos
    } else if base.is_some() && small(c.microsecond) && small(c.nanosecond) {
        // Over a base time each given sub-second field replaces only its own digits:
        // truncating to milliseconds and setting `nanosecond: 2` gives .645000002.
        let ms = c.millisecond.unwrap_or(base_nanos / 1_000_000);
        let us = c.microsecond.unwrap_or(base_nanos / 1_000 % 1_000);
        let ns = c.nanosecond.unwrap_or(base_nanos % 1_000);
        if !(0..1000).contains(&ms) {
            return Err(invalid(format!("invalid value for millisecond: {ms}")));
        }
        ms * 1_000_000 + us * 1_000 + ns
    } else {
        subsecond_nanos(c)?
    };
    make_time(hour, minute, second, nanos).map(Some)
}

fn subsecond_nanos(c: &Components) -> Result<i64> {
    let check = |name: &str, v: Option<i64>, max: i64| -> Result<i64> {
        match v {
            Some(v) if !(0..=max).contains(&v) => {
                Err(invalid(format!("invalid value for {name}: {v}")))
            }
            Some(v) => Ok(v),
            None => Ok(0),
        }
    };
    let ms = check("millisecond", c.millisecond, 999)?;
    let us_max = if c.millisecond.is_some() {
        999
    } else {
        999_999
    };
    let us = check("microsecond", c.microsecond, us_max)?;
    let ns_max = if c.millisecond.is_some() || c.microsecond.is_some() {
        999
    } else {
        999_999_999
    };
    let ns = check("nanosecond", c.nanosecond, ns_max)?;
    Ok(ms * 1_000_000 + us * 1_000 + ns)
}

/// Puts a date, a time and zones together as a value of `kind`.
fn assemble(
    kind: Kind,
    date: Option<civil::Date>,
    time: Option<civil::Time>,
    source_zone: Option<Zone>,
    requested_zone: Option<Zone>,
    mode: ZoneMode,
) -> Result<Value> {
    if requested_zone.is_some() && !kind.has_zone() {
        return Err(invalid(format!(
            "{} values have no time zone; 'timezone' is not allowed",
            kind.name()
        )));
    }
    let date = match (kind.has_date(), date) {
        (true, None) => {
            return Err(invalid(format!(
                "{} needs a date: give 'year' or a 'date'",
                kind.name()
            )))
        }
        (_, d) => d,
    };
    let time = time.unwrap_or(civil::Time::midnight());
    Ok(match kind {
        Kind::Date => Value::Date(Date(date.unwrap_or_default())),
        Kind::LocalTime => Value::LocalTime(LocalTime(time)),
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime(civil::DateTime::from_parts(
            date.unwrap_or_default(),
            time,
        ))),
        Kind::Time => {
            let (time, offset) = zoned_time(time, date, source_zone, requested_zone, mode)?;
            Value::Time(Time {
                time,
                offset_seconds: offset,
            })
        }
        Kind::DateTime => {
            let local = civil::DateTime::from_parts(date.unwrap_or_default(), time);
            let dt = match (source_zone, requested_zone, mode) {
                (Some(source), Some(target), ZoneMode::Convert) => {
                    let at_source = source.at_local(local)?;
                    target.at_instant(super::calendar::instant_nanos(&at_source))?
                }
                (_, Some(target), _) => target.at_local(local)?,
                (Some(source), None, _) => source.at_local(local)?,
                (None, None, _) => Zone::Offset(0).at_local(local)?,
            };
            Value::DateTime(dt)
        }
    })
}

/// The time of day and offset of a `time` value; a named zone's offset is the one in
/// force on `date` (or today when there is no date).
fn zoned_time(
    time: civil::Time,
    date: Option<civil::Date>,
    source_zone: Option<Zone>,
    requested_zone: Option<Zone>,
    mode: ZoneMode,
) -> Result<(civil::Time, i32)> {
    let day = match date {
        Some(d) => d,
        None => current_instant_parts(&Zone::Offset(0))?.local.date(),
    };
    let local = civil::DateTime::from_parts(day, time);
    let source_offset = match &source_zone {
        Some(zone) => Some(zone.offset_at_local(local)?),
        None => None,
    };
    match (source_offset, requested_zone, mode) {
        (Some(from), Some(target), ZoneMode::Convert) => {
            let utc = nanos_of_day(time) - i64::from(from) * NANOS_PER_SECOND;
            let to = target.offset_at_local(local)?;
            Ok((time_from_nanos(utc + i64::from(to) * NANOS_PER_SECOND), to))
        }
        (_, Some(target), _) => Ok((time, target.offset_at_local(local)?)),
        (Some(from), None, _) => Ok((time, from)),
        (None, None, _) => Ok((time, 0)),
    }
}

/// `kind({…})`.
pub(crate) fn from_map(kind: Kind, map: &Map) -> Result<Value> {
    if let (1, Some(zone @ Value::String(_))) = (map.len(), map.get("timezone")) {
        // `datetime({timezone: 'Europe/Paris'})`: the current value in that zone.
        return now(kind, false, Some(zone));
    }
    let request = Request::from_map(map)?;
    let c = &request.components;
    if c.epoch_seconds.is_some() || c.epoch_millis.is_some() {
        return from_epoch_components(kind, &request);
    }
    let date_base = request.date_source.as_ref().and_then(|p| p.date);
    let time_source = request.time_source.as_ref();
    let time_base = time_source.and_then(|p| p.time);
    let date = if kind.has_date() {
        resolve_date(c, date_base)?
    } else if c.has_date() {
        return Err(invalid(format!("{} values have no date", kind.name())));
    } else {
        None
    };
    let time = if kind.has_time() {
        resolve_time(c, time_base)?
    } else if c.has_time() {
        return Err(invalid("date values have no time of day"));
    } else {
        None
    };
    if kind.has_time() && !kind.has_date() && time.is_none() {
        return Err(invalid(format!(
            "{} needs an 'hour' or a 'time'",
            kind.name()
        )));
    }
    let source_zone = time_source.and_then(|p| p.zone.clone());
    assemble(
        kind,
        date,
        time,
        source_zone,
        request.timezone,
        ZoneMode::Convert,
    )
}

fn from_epoch_components(kind: Kind, request: &Request) -> Result<Value> {
    if kind != Kind::DateTime {
        return Err(invalid("epoch components only build datetime values"));
    }
    let c = &request.components;
    let base = match (c.epoch_seconds, c.epoch_millis) {
        (Some(s), None) => i128::from(s) * i128::from(NANOS_PER_SECOND),
        (None, Some(ms)) => i128::from(ms) * 1_000_000,
        _ => return Err(invalid("give either 'epochSeconds' or 'epochMillis'")),
    };
    let extra = if c.has_subsecond() {
        subsecond_nanos(c)?
    } else {
        0
    };
    let zone = request.timezone.clone().unwrap_or(Zone::Offset(0));
    Ok(Value::DateTime(zone.at_instant(base + i128::from(extra))?))
}

/// `kind(value)` for a temporal argument: the same as `kind({date|time: value})`.
pub(crate) fn from_temporal(kind: Kind, value: &Value) -> Result<Value> {
    let parts = source(kind.name(), value)?;
    if kind.has_date() && parts.date.is_none() {
        return Err(Error::type_error(
            "InvalidArgumentType",
            format!("cannot make a {} from a {}", kind.name(), value.type_name()),
        ));
    }
    if kind.has_time() && !kind.has_date() && parts.time.is_none() {
        return Err(Error::type_error(
            "InvalidArgumentType",
            format!("cannot make a {} from a {}", kind.name(), value.type_name()),
        ));
    }
    assemble(
        kind,
        parts.date,
        parts.time,
        parts.zone,
        None,
        ZoneMode::Convert,
    )
}

/// `kind(text)`.
pub(crate) fn from_text(kind: Kind, text: &str) -> Result<Value> {
    let text = text.trim();
    let parsed = match kind {
        Kind::LocalTime | Kind::Time => parse_time_with_zone(text)?,
        _ => parse_datetime(text)?,
    };
    if !kind.has_zone() && (parsed.offset.is_some() || parsed.zone.is_some()) {
        return Err(invalid(format!(
            "text for a {} cannot carry a time zone: '{text}'",
            kind.name()
        )));
    }
    if kind == Kind::Date && parsed.time.is_some() {
        return Err(invalid(format!(
            "text for a date cannot carry a time: '{text}'"
        )));
    }
    let time = parsed.time.unwrap_or(civil::Time::midnight());
    match kind {
        Kind::Date => Ok(Value::Date(Date(parsed.date.unwrap_or_default()))),
        Kind::LocalTime => Ok(Value::LocalTime(LocalTime(time))),
        Kind::LocalDateTime => Ok(Value::LocalDateTime(LocalDateTime(
            civil::DateTime::from_parts(parsed.date.unwrap_or_default(), time),
        ))),
        Kind::Time => {
            let offset = match (parsed.offset, &parsed.zone) {
                (Some(o), _) => o,
                (None, Some(zone)) => {
                    let day = current_instant_parts(&Zone::Offset(0))?.local.date();
                    zone.offset_at_local(civil::DateTime::from_parts(day, time))?
                }
                (None, None) => 0,
            };
            Ok(Value::Time(Time {
                time,
                offset_seconds: offset,
            }))
        }
        Kind::DateTime => {
            let local = civil::DateTime::from_parts(parsed.date.unwrap_or_default(), time);
            let dt = match (parsed.zone, parsed.offset) {
                (Some(zone), Some(offset)) => DateTime {
                    local,
                    offset_seconds: zone.offset_at_local_preferring(local, offset)?,
                    zone: match zone {
                        Zone::Named(name, _) => Some(name),
                        Zone::Offset(_) => None,
                    },
                },
                (Some(zone), None) => zone.at_local(local)?,
                (None, Some(offset)) => Zone::fixed(offset)?.at_local(local)?,
                (None, None) => Zone::Offset(0).at_local(local)?,
            };
            Ok(Value::DateTime(dt))
        }
    }
}

thread_local! {
    /// The instant the running statement started, when the executor has set one.
    static STATEMENT_INSTANT: Cell<Option<i128>> = const { Cell::new(None) };
}

/// Fixes "now" for the current thread while it lives, so that every `date()`,
/// `datetime.statement()`, … of one statement sees the same instant (openCypher: the
/// clock is read once per statement). `*.realtime()` still reads the system clock.
#[must_use = "the statement clock is fixed only while the guard lives"]
pub struct StatementClock {
    previous: Option<i128>,
}

impl StatementClock {
    pub fn start() -> StatementClock {
        let now = jiff::Timestamp::now().as_nanosecond();
        let previous = STATEMENT_INSTANT.with(|c| c.replace(Some(now)));
        StatementClock { previous }
    }
}

impl Drop for StatementClock {
    fn drop(&mut self) {
        STATEMENT_INSTANT.with(|c| c.set(self.previous));
    }
}

fn statement_instant() -> i128 {
    STATEMENT_INSTANT
        .with(Cell::get)
        .unwrap_or_else(|| jiff::Timestamp::now().as_nanosecond())
}

fn current_instant_parts(zone: &Zone) -> Result<DateTime> {
    zone.at_instant(statement_instant())
}

/// `kind()`, `kind.statement()`, `kind.realtime('Europe/Paris')`, ….
pub(crate) fn now(kind: Kind, realtime: bool, zone: Option<&Value>) -> Result<Value> {
    let zone = match zone {
        None => Zone::Offset(0),
        Some(Value::String(name)) => Zone::parse(name)?,
        Some(Value::Map(map)) => {
            return match map.get("timezone") {
                Some(name @ Value::String(_)) if map.len() == 1 => now(kind, realtime, Some(name)),
                None if map.is_empty() => now(kind, realtime, None),
                _ => from_map(kind, map),
            };
        }
        Some(other) => {
            return Err(Error::type_error(
                "InvalidArgumentType",
                format!("a time zone must be a string, got {}", other.type_name()),
            ))
        }
    };
    let instant = if realtime {
        jiff::Timestamp::now().as_nanosecond()
    } else {
        statement_instant()
    };
    let dt = zone.at_instant(instant)?;
    let (date, time) = (dt.local.date(), dt.local.time());
    Ok(match kind {
        Kind::Date => Value::Date(Date(date)),
        Kind::LocalTime => Value::LocalTime(LocalTime(time)),
        Kind::LocalDateTime => Value::LocalDateTime(LocalDateTime(dt.local)),
        Kind::Time => Value::Time(Time {
            time,
            offset_seconds: dt.offset_seconds,
        }),
        Kind::DateTime => Value::DateTime(dt),
    })
}

/// The units `kind.truncate` understands, largest first.
const DATE_UNITS: [&str; 9] = [
    "millennium",
    "century",
    "decade",
    "year",
    "weekyear",
    "quarter",
    "month",
    "week",
    "day",
];
const TIME_UNITS: [&str; 6] = [
    "hour",
    "minute",
    "second",
    "millisecond",
    "microsecond",
    "nanosecond",
];

/// `kind.truncate(unit, value, overrides)`.
pub(crate) fn truncate(
    kind: Kind,
    unit: &str,
    value: &Value,
    overrides: Option<&Map>,
) -> Result<Value> {
    let unit_lower = unit.to_ascii_lowercase();
    let is_date_unit = DATE_UNITS.contains(&unit_lower.as_str());
    let is_time_unit = TIME_UNITS.contains(&unit_lower.as_str());
    if !is_date_unit && !is_time_unit {
        return Err(invalid(format!("unknown unit '{unit}' for truncation")));
    }
    if !kind.has_time() && is_time_unit {
        return Err(invalid(format!(
            "a date cannot be truncated to unit '{unit}'"
        )));
    }
    if !kind.has_date() && is_date_unit && unit_lower != "day" {
        return Err(invalid(format!(
            "a {} cannot be truncated to unit '{unit}'",
            kind.name()
        )));
    }
    let parts = source("truncate", value)?;
    if kind.has_date() && parts.date.is_none() {
        return Err(Error::type_error(
            "InvalidArgumentType",
            format!(
                "cannot truncate a {} to a {}",
                value.type_name(),
                kind.name()
            ),
        ));
    }
    let (date, time) = if is_date_unit {
        let date = match parts.date {
            Some(d) => Some(truncate_date(d, &unit_lower)?),
            None => None,
        };
        (date, Some(civil::Time::midnight()))
    } else {
        let time = parts.time.unwrap_or(civil::Time::midnight());
        (parts.date, Some(truncate_time(time, &unit_lower)))
    };
    let request = match overrides {
        Some(map) => Request::from_map(map)?,
        None => Request::default(),
    };
    if request.date_source.is_some() || request.time_source.is_some() {
        return Err(invalid(
            "truncation overrides cannot name other temporal values",
        ));
    }
    let c = &request.components;
    let date = if kind.has_date() {
        resolve_date(c, date)?
    } else {
        None
    };
    let time = if kind.has_time() {
        resolve_time(c, time)?
    } else {
        None
    };
    let source_zone = if kind.has_zone() { parts.zone } else { None };
    assemble(
        kind,
        date,
        time,
        source_zone,
        request.timezone,
        ZoneMode::Replace,
    )
}

fn truncate_date(date: civil::Date, unit: &str) -> Result<civil::Date> {
    let year = i64::from(date.year());
    match unit {
        "millennium" => make_date(year.div_euclid(1000) * 1000, 1, 1),
        "century" => make_date(year.div_euclid(100) * 100, 1, 1),
        "decade" => make_date(year.div_euclid(10) * 10, 1, 1),
        "year" => make_date(year, 1, 1),
        "weekyear" => from_week_date(week_date(date).0, 1, 1),
        "quarter" => make_date(year, (quarter(date) - 1) * 3 + 1, 1),
        "month" => make_date(year, i64::from(date.month()), 1),
        "week" => {
            let (_, _, weekday) = week_date(date);
            add_days(date, 1 - weekday)
        }
        _ => Ok(date),
    }
}

fn truncate_time(time: civil::Time, unit: &str) -> civil::Time {
    let step = match unit {
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1_000,
        "nanosecond" => 1,
        _ => NANOS_PER_DAY,
    };
    let n = nanos_of_day(time);
    time_from_nanos(n - n % step)
}

/// `datetime.fromepoch(seconds, nanoseconds)`.
pub(crate) fn from_epoch(seconds: &Value, nanos: &Value) -> Result<Value> {
    let s = integer("seconds", seconds)?;
    let n = integer("nanoseconds", nanos)?;
    let instant = i128::from(s) * i128::from(NANOS_PER_SECOND) + i128::from(n);
    Ok(Value::DateTime(Zone::Offset(0).at_instant(instant)?))
}

/// `datetime.fromepochmillis(milliseconds)`.
pub(crate) fn from_epoch_millis(millis: &Value) -> Result<Value> {
    let ms = integer("milliseconds", millis)?;
    Ok(Value::DateTime(
        Zone::Offset(0).at_instant(i128::from(ms) * 1_000_000)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Map {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    #[test]
    fn quarter_dates_check_their_length() {
        assert_eq!(
            quarter_date(1984, 3, 45).expect("valid in test"),
            civil::date(1984, 8, 14)
        );
        assert!(quarter_date(1984, 1, 92).is_err());
        assert!(quarter_date(1984, 5, 1).is_err());
        assert!(crate::value::temporal::calendar::is_leap(1984));
    }

    #[test]
    fn day_without_month_is_rejected() {
        let m = map(&[("year", Value::Int(1984)), ("day", Value::Int(3))]);
        assert!(from_map(Kind::Date, &m).is_err());
    }

    #[test]
    fn statement_clock_fixes_now() {
        let _clock = StatementClock::start();
        let a = now(Kind::LocalTime, false, None).expect("valid in test");
        let b = now(Kind::LocalTime, false, None).expect("valid in test");
        assert!(matches!((a, b), (Value::LocalTime(x), Value::LocalTime(y)) if x == y));
    }
}
