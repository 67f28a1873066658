//! Durations: construction from components (whole or fractional: a fraction of a unit
//! cascades into the smaller units, a month being 365.2425 / 12 days), sums, scaling,
//! component accessors and ISO rendering the way java.time prints them.
//!
//! Invariant: `0 <= nanos < 1_000_000_000`; `seconds` carries the sign, so equal
//! durations have equal fields.

use super::calendar::{NANOS_PER_DAY, NANOS_PER_SECOND};
use super::{invalid, Duration};
use crate::error::{Error, Result};
use crate::value::Value;

/// Average Gregorian month in seconds (365.2425 days / 12).
const SECONDS_PER_MONTH: f64 = 2_629_746.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    Years,
    Quarters,
    Months,
    Weeks,
    Days,
    Hours,
    Minutes,
    Seconds,
    Milliseconds,
    Microseconds,
    Nanoseconds,
}

impl Unit {
    /// The map key naming this unit in `duration({…})`.
    pub(crate) fn from_key(key: &str) -> Option<Unit> {
        Some(match key.to_ascii_lowercase().as_str() {
            "years" => Unit::Years,
            "quarters" => Unit::Quarters,
            "months" => Unit::Months,
            "weeks" => Unit::Weeks,
            "days" => Unit::Days,
            "hours" => Unit::Hours,
            "minutes" => Unit::Minutes,
            "seconds" => Unit::Seconds,
            "milliseconds" => Unit::Milliseconds,
            "microseconds" => Unit::Microseconds,
            "nanoseconds" => Unit::Nanoseconds,
            _ => return None,
        })
    }

    /// Which field the unit counts in, and how many of that field one unit is.
    fn scale(self) -> (Field, i64) {
        match self {
            Unit::Years => (Field::Months, 12),
            Unit::Quarters => (Field::Months, 3),
            Unit::Months => (Field::Months, 1),
            Unit::Weeks => (Field::Days, 7),
            Unit::Days => (Field::Days, 1),
            Unit::Hours => (Field::Nanos, 3600 * NANOS_PER_SECOND),
            Unit::Minutes => (Field::Nanos, 60 * NANOS_PER_SECOND),
            Unit::Seconds => (Field::Nanos, NANOS_PER_SECOND),
            Unit::Milliseconds => (Field::Nanos, 1_000_000),
            Unit::Microseconds => (Field::Nanos, 1_000),
            Unit::Nanoseconds => (Field::Nanos, 1),
        }
    }
}

#[derive(Clone, Copy)]
enum Field {
    Months,
    Days,
    Nanos,
}

/// Accumulates duration components; whole parts exactly, fractions as floats that
/// cascade down when the duration is built.
#[derive(Default)]
pub(crate) struct DurationBuilder {
    months: i128,
    days: i128,
    nanos: i128,
    fraction_months: f64,
    fraction_days: f64,
    fraction_nanos: f64,
}

impl DurationBuilder {
    pub(crate) fn add_int(&mut self, unit: Unit, amount: i64) -> Result<()> {
        let (field, scale) = unit.scale();
        let amount = i128::from(amount) * i128::from(scale);
        let slot = match field {
            Field::Months => &mut self.months,
            Field::Days => &mut self.days,
            Field::Nanos => &mut self.nanos,
        };
        *slot = slot.checked_add(amount).ok_or_else(overflow)?;
        Ok(())
    }

    pub(crate) fn add_float(&mut self, unit: Unit, amount: f64) -> Result<()> {
        let (field, scale) = unit.scale();
        let scaled = amount * scale as f64;
        if !scaled.is_finite() || scaled.abs() > 1e30 {
            return Err(overflow());
        }
        let whole = scaled.trunc();
        let fraction = scaled - whole;
        let (slot, fraction_slot) = match field {
            Field::Months => (&mut self.months, &mut self.fraction_months),
            Field::Days => (&mut self.days, &mut self.fraction_days),
            Field::Nanos => (&mut self.nanos, &mut self.fraction_nanos),
        };
        *slot = slot.checked_add(whole as i128).ok_or_else(overflow)?;
        *fraction_slot += fraction;
        Ok(())
    }

    /// A component given as a Cypher number.
    pub(crate) fn add_value(&mut self, unit: Unit, value: &Value) -> Result<()> {
        match value {
            Value::Int(i) => self.add_int(unit, *i),
            Value::Float(f) => self.add_float(unit, *f),
            other => Err(Error::type_error(
                "InvalidArgumentType",
                format!(
                    "a duration component must be a number, got {}",
                    other.type_name()
                ),
            )),
        }
    }

    /// A component written in a duration string (`12`, `-3`, `1.5`).
    pub(crate) fn add_text(&mut self, unit: Unit, number: &str, text: &str) -> Result<()> {
        let body = number.strip_prefix(['-', '+']).unwrap_or(number);
        let well_formed = !body.is_empty()
            && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && body.bytes().filter(|b| *b == b'.').count() <= 1
            && body.bytes().next().is_some_and(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(invalid(format!(
                "text cannot be parsed as a duration: '{text}'"
            )));
        }
        if number.contains('.') {
            let v: f64 = number
                .parse()
                .map_err(|_| invalid(format!("invalid number in duration '{text}'")))?;
            self.add_float(unit, v)
        } else {
            let v: i64 = number
                .parse()
                .map_err(|_| invalid(format!("number too large in duration '{text}'")))?;
            self.add_int(unit, v)
        }
    }

    pub(crate) fn build(self) -> Result<Duration> {
        let day = NANOS_PER_DAY as f64;
        // A fraction of a month becomes whole days, the rest of it nanoseconds.
        let month_nanos = self.fraction_months * SECONDS_PER_MONTH * NANOS_PER_SECOND as f64;
        let days_from_months = (month_nanos / day).trunc();
        let day_fraction_nanos = self.fraction_days * day;
        let days_from_days = (day_fraction_nanos / day).trunc();
        let rest = (month_nanos - days_from_months * day)
            + (day_fraction_nanos - days_from_days * day)
            + self.fraction_nanos;
        let days = self.days + days_from_months as i128 + days_from_days as i128;
        let nanos = self.nanos + whole_nanos(rest);
        Duration::from_parts(self.months, days, nanos)
    }
}

/// A float count of nanoseconds as a whole number: values within float noise of an
/// integer round to it, true fractions of a nanosecond are dropped (toward zero).
fn whole_nanos(nanos: f64) -> i128 {
    let nearest = nanos.round();
    if (nanos - nearest).abs() < 1e-3 {
        nearest as i128
    } else {
        nanos.trunc() as i128
    }
}

fn overflow() -> Error {
    Error::argument("NumberOutOfRange", "duration out of range")
}

impl Duration {
    /// A duration from months, days and nanoseconds (any sign, normalised here).
    pub(crate) fn from_parts(months: i128, days: i128, nanos: i128) -> Result<Duration> {
        let second = i128::from(NANOS_PER_SECOND);
        Ok(Duration {
            months: i64::try_from(months).map_err(|_| overflow())?,
            days: i64::try_from(days).map_err(|_| overflow())?,
            seconds: i64::try_from(nanos.div_euclid(second)).map_err(|_| overflow())?,
            nanos: nanos.rem_euclid(second) as i32,
        })
    }

    /// Seconds and nanoseconds together.
    pub(crate) fn total_nanos(&self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    pub(crate) fn negated(&self) -> Result<Duration> {
        Duration::from_parts(
            -i128::from(self.months),
            -i128::from(self.days),
            -self.total_nanos(),
        )
    }

    pub(crate) fn plus(&self, other: &Duration) -> Result<Duration> {
        Duration::from_parts(
            i128::from(self.months) + i128::from(other.months),
            i128::from(self.days) + i128::from(other.days),
            self.total_nanos() + other.total_nanos(),
        )
    }

    pub(crate) fn times_int(&self, factor: i64) -> Result<Duration> {
        let f = i128::from(factor);
        Duration::from_parts(
            i128::from(self.months) * f,
            i128::from(self.days) * f,
            self.total_nanos().checked_mul(f).ok_or_else(overflow)?,
        )
    }

    /// Scales by `numerator / denominator` in floating point, cascading fractions.
    pub(crate) fn scaled(&self, numerator: f64, denominator: f64) -> Result<Duration> {
        let mut builder = DurationBuilder::default();
        builder.add_float(Unit::Months, self.months as f64 * numerator / denominator)?;
        builder.add_float(Unit::Days, self.days as f64 * numerator / denominator)?;
        builder.add_float(
            Unit::Nanoseconds,
            self.total_nanos() as f64 * numerator / denominator,
        )?;
        builder.build()
    }

    /// ISO 8601 as java.time prints it: `P1Y2M10DT12H45M30.25S`, `PT-1.999S`, `PT0S`.
    pub(crate) fn iso(&self) -> String {
        if self.months == 0 && self.days == 0 && self.seconds == 0 && self.nanos == 0 {
            return "PT0S".to_string();
        }
        let mut out = String::from("P");
        push_part(&mut out, self.months / 12, 'Y');
        push_part(&mut out, self.months % 12, 'M');
        push_part(&mut out, self.days, 'D');
        if self.seconds != 0 || self.nanos != 0 {
            out.push('T');
            // Print seconds and fraction with one sign: -1.5 s is seconds -2, nanos 5e8.
            let (mut seconds, mut nanos) = (self.seconds, i64::from(self.nanos));
            if seconds < 0 && nanos != 0 {
                seconds += 1;
                nanos -= NANOS_PER_SECOND;
            }
            push_part(&mut out, seconds / 3600, 'H');
            push_part(&mut out, seconds % 3600 / 60, 'M');
            let secs = seconds % 60;
            if secs != 0 || nanos != 0 {
                if secs == 0 && nanos < 0 {
                    out.push('-');
                }
                out.push_str(&secs.to_string());
                if nanos != 0 {
                    let digits = format!("{:09}", nanos.abs());
                    out.push('.');
                    out.push_str(digits.trim_end_matches('0'));
                }
                out.push('S');
            }
        }
        out
    }

    /// A component by its Cypher name (`years`, `minutesOfHour`, …).
    pub(crate) fn component(&self, key: &str) -> Option<i64> {
        let months = self.months;
        let secs = self.seconds;
        let nanos = i64::from(self.nanos);
        // Sub-second totals use the signed total so that -0.5 s has -500 milliseconds.
        let total = self.total_nanos();
        let total_in = |unit: i128| i64::try_from(total.div_euclid(unit)).ok();
        Some(match key.to_ascii_lowercase().as_str() {
            "years" => months / 12,
            "quarters" => months / 3,
            "months" => months,
            "weeks" => self.days / 7,
            "days" => self.days,
            "hours" => secs / 3600,
            "minutes" => secs / 60,
            "seconds" => secs,
            "milliseconds" => total_in(1_000_000)?,
            "microseconds" => total_in(1_000)?,
            "nanoseconds" => i64::try_from(total).ok()?,
            "quartersofyear" => months % 12 / 3,
            "monthsofquarter" => months % 3,
            "monthsofyear" => months % 12,
            "daysofweek" => self.days % 7,
            "hoursofday" => secs / 3600 % 24,
            "minutesofhour" => secs / 60 % 60,
            "secondsofminute" => secs % 60,
            "millisecondsofsecond" => nanos / 1_000_000,
            "microsecondsofsecond" => nanos / 1_000,
            "nanosecondsofsecond" => nanos,
            _ => return None,
        })
    }
}

fn push_part(out: &mut String, amount: i64, designator: char) {
    if amount != 0 {
        out.push_str(&amount.to_string());
        out.push(designator);
    }
}

/// `duration({…})`.
pub(crate) fn from_map(map: &crate::value::Map) -> Result<Duration> {
    let mut builder = DurationBuilder::default();
    for (key, value) in map {
        let unit = Unit::from_key(key)
            .ok_or_else(|| invalid(format!("'{key}' is not a duration component")))?;
        if value.is_null() {
            continue;
        }
        builder.add_value(unit, value)?;
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(parts: &[(Unit, f64)]) -> Duration {
        let mut b = DurationBuilder::default();
        for (unit, amount) in parts {
            if amount.fract() == 0.0 {
                b.add_int(*unit, *amount as i64).expect("valid in test");
            } else {
                b.add_float(*unit, *amount).expect("valid in test");
            }
        }
        b.build().expect("valid in test")
    }

    #[test]
    fn fractions_cascade_into_smaller_units() {
        assert_eq!(build(&[(Unit::Months, 0.75)]).iso(), "P22DT19H51M49.5S");
        assert_eq!(build(&[(Unit::Weeks, 2.5)]).iso(), "P17DT12H");
        assert_eq!(
            build(&[(Unit::Minutes, 1.5), (Unit::Seconds, 1.0)]).iso(),
            "PT1M31S"
        );
        assert_eq!(
            build(&[(Unit::Months, 5.0), (Unit::Days, 1.5)]).iso(),
            "P5M1DT12H"
        );
    }

    #[test]
    fn renders_signs_like_java() {
        let ms = |s: f64, m: f64| build(&[(Unit::Seconds, s), (Unit::Milliseconds, m)]).iso();
        assert_eq!(ms(2.0, -1.0), "PT1.999S");
        assert_eq!(ms(-2.0, 1.0), "PT-1.999S");
        assert_eq!(ms(-2.0, -1.0), "PT-2.001S");
        assert_eq!(ms(60.0, -1.0), "PT59.999S");
        assert_eq!(ms(-60.0, -1.0), "PT-1M-0.001S");
        assert_eq!(
            build(&[(Unit::Days, 1.0), (Unit::Milliseconds, -1.0)]).iso(),
            "P1DT-0.001S"
        );
        assert_eq!(Duration::default().iso(), "PT0S");
    }

    #[test]
    fn scaling_truncates_below_a_nanosecond() {
        let d = build(&[
            (Unit::Years, 12.0),
            (Unit::Months, 5.0),
            (Unit::Days, 14.0),
            (Unit::Hours, 16.0),
            (Unit::Minutes, 12.0),
            (Unit::Seconds, 70.0),
            (Unit::Nanoseconds, 1.0),
        ]);
        assert_eq!(
            d.scaled(1.0, 2.0).expect("valid in test").iso(),
            "P6Y2M22DT13H21M8S"
        );
        assert_eq!(
            d.scaled(0.5, 1.0).expect("valid in test").iso(),
            "P6Y2M22DT13H21M8S"
        );
        assert_eq!(
            d.times_int(2).expect("valid in test").iso(),
            "P24Y10M28DT32H26M20.000000002S"
        );
    }

    #[test]
    fn components() {
        let d = build(&[
            (Unit::Years, 1.0),
            (Unit::Months, 4.0),
            (Unit::Days, 10.0),
            (Unit::Hours, 1.0),
            (Unit::Minutes, 1.0),
            (Unit::Seconds, 1.0),
            (Unit::Nanoseconds, 111_111_111.0),
        ]);
        let got: Vec<i64> = [
            "years",
            "quarters",
            "months",
            "weeks",
            "days",
            "hours",
            "minutes",
            "seconds",
            "milliseconds",
            "microseconds",
            "nanoseconds",
            "quartersOfYear",
            "monthsOfQuarter",
            "monthsOfYear",
            "daysOfWeek",
            "minutesOfHour",
            "secondsOfMinute",
            "millisecondsOfSecond",
            "microsecondsOfSecond",
            "nanosecondsOfSecond",
        ]
        .iter()
        .map(|k| d.component(k).expect("valid in test"))
        .collect();
        assert_eq!(
            got,
            vec![
                1,
                5,
                16,
                1,
                10,
                1,
                61,
                3661,
                3_661_111,
                3_661_111_111,
                3_661_111_111_111,
                1,
                1,
                4,
                3,
                1,
                1,
                111,
                111_111,
                111_111_111
            ]
        );
    }
}
