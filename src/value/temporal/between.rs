//! `duration.between`, `duration.inMonths`, `duration.inDays`, `duration.inSeconds`.
//!
//! Mixed types meet half way, as the TCK expects: a value without a date borrows the
//! other's date, a value without a time is at midnight, and a value without a zone is
//! read in the other's zone. Months and days are counted on local date-times in the
//! first value's zone (java.time's `until`), the remainder on instants, so a
//! daylight-saving change inside the interval shows in the hours.

use super::calendar::{add_days, add_months, epoch_days, instant_nanos, Zone};
use super::construct::Parts;
use super::Duration;
use crate::error::{Error, Result};
use crate::value::Value;
use jiff::civil;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Between {
    /// Months, then days, then the rest.
    Full,
    Months,
    Days,
    Seconds,
}

impl Between {
    pub(crate) fn from_name(name: &str) -> Option<Between> {
        Some(match name {
            "between" => Between::Full,
            "inmonths" => Between::Months,
            "indays" => Between::Days,
            "inseconds" => Between::Seconds,
            _ => return None,
        })
    }
}

fn parts(value: &Value) -> Result<Parts> {
    match value {
        Value::Duration(_) | Value::Null => None,
        other => Parts::of(other),
    }
    .ok_or_else(|| {
        Error::type_error(
            "InvalidArgumentType",
            format!(
                "duration functions take two temporal instants, got {}",
                value.type_name()
            ),
        )
    })
}

pub(crate) fn between(from: &Value, to: &Value, mode: Between) -> Result<Duration> {
    let (a, b) = (parts(from)?, parts(to)?);
    let time_only = a.date.is_none() || b.date.is_none();
    let epoch = civil::date(1970, 1, 1);
    let date_a = a.date.or(b.date).unwrap_or(epoch);
    let date_b = b.date.or(a.date).unwrap_or(epoch);
    let midnight = civil::Time::midnight();
    let local_a = civil::DateTime::from_parts(date_a, a.time.unwrap_or(midnight));
    let local_b = civil::DateTime::from_parts(date_b, b.time.unwrap_or(midnight));
    let utc = Zone::Offset(0);
    let zone_a = a
        .zone
        .clone()
        .or_else(|| b.zone.clone())
        .unwrap_or(utc.clone());
    let zone_b = b.zone.or(a.zone).unwrap_or(utc);
    let start = zone_a.at_local(local_a)?;
    let end = zone_b.at_local(local_b)?;
    let (start_instant, end_instant) = (instant_nanos(&start), instant_nanos(&end));
    if mode == Between::Seconds {
        return Duration::from_parts(0, 0, end_instant - start_instant);
    }
    if time_only {
        return match mode {
            Between::Full => Duration::from_parts(0, 0, end_instant - start_instant),
            _ => Ok(Duration::default()),
        };
    }
    // The end seen in the start's zone, so that calendar units compare like with like.
    let end_local = zone_a.at_instant(end_instant)?.local;
    match mode {
        Between::Months => {
            Duration::from_parts(i128::from(months_until(start.local, end_local)), 0, 0)
        }
        Between::Days => Duration::from_parts(0, i128::from(days_until(start.local, end_local)), 0),
        _ => {
            let months = months_until(start.local, end_local);
            let after_months = civil::DateTime::from_parts(
                add_months(start.local.date(), months)?,
                start.local.time(),
            );
            let days = days_until(after_months, end_local);
            let after_days = civil::DateTime::from_parts(
                add_days(after_months.date(), days)?,
                start.local.time(),
            );
            let rest = end_instant - instant_nanos(&zone_a.at_local(after_days)?);
            Duration::from_parts(i128::from(months), i128::from(days), rest)
        }
    }
}

/// The end date used for counting whole days or months: one day back (or forward) when
/// the end's time of day has not yet reached the start's.
fn counting_end(start: civil::DateTime, end: civil::DateTime) -> civil::Date {
    let (d1, d2) = (start.date(), end.date());
    let shift = if d2 > d1 && end.time() < start.time() {
        -1
    } else if d2 < d1 && end.time() > start.time() {
        1
    } else {
        0
    };
    add_days(d2, shift).unwrap_or(d2)
}

fn months_until(start: civil::DateTime, end: civil::DateTime) -> i64 {
    let packed = |d: civil::Date| {
        (i64::from(d.year()) * 12 + i64::from(d.month()) - 1) * 32 + i64::from(d.day())
    };
    (packed(counting_end(start, end)) - packed(start.date())) / 32
}

fn days_until(start: civil::DateTime, end: civil::DateTime) -> i64 {
    epoch_days(counting_end(start, end)) - epoch_days(start.date())
}
