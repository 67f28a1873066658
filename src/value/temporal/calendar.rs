//! Calendar arithmetic on jiff's civil types and time-zone resolution.
//!
//! Days are counted from 1970-01-01 and times as nanoseconds of the day, so that
//! differences and sums are plain integer arithmetic; only the final value is turned back
//! into a (range-checked) jiff civil value. Zones are either fixed offsets or IANA names
//! resolved through jiff's time-zone database.

use super::{invalid, DateTime};
use crate::error::Result;
use jiff::civil;
use jiff::tz::{TimeZone, TimeZoneDatabase};
use jiff::Timestamp;
use std::sync::LazyLock;

/// The tz database compiled into the binary (jiff's `tzdb-bundle-always`): answers are
/// the same on every machine, whatever (if any) zoneinfo it has, and follow the main
/// IANA data as java.time does (so `Europe/Stockholm` before 1900 is `+00:53:28`).
static BUNDLED_ZONES: LazyLock<TimeZoneDatabase> = LazyLock::new(TimeZoneDatabase::bundled);

/// A named zone from the bundled database, else from the system's.
fn named_zone(name: &str) -> Option<TimeZone> {
    BUNDLED_ZONES
        .get(name)
        .or_else(|_| TimeZone::get(name))
        .ok()
}

pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub(crate) const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SECOND;
/// The longest offset Java (and so the TCK) accepts: ±18:00.
const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn epoch_days(date: civil::Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_index = (m + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + d - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date `days` after 1970-01-01; an error outside the supported years.
pub(crate) fn date_from_epoch_days(days: i64) -> Result<civil::Date> {
    let z = days
        .checked_add(719_468)
        .ok_or_else(|| invalid("date out of range"))?;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    make_date(year, month, day)
}

/// A checked calendar date.
pub(crate) fn make_date(year: i64, month: i64, day: i64) -> Result<civil::Date> {
    let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(year), i8::try_from(month), i8::try_from(day))
    else {
        return Err(invalid(format!(
            "invalid date: year {year}, month {month}, day {day}"
        )));
    };
    civil::Date::new(y, m, d).map_err(|_| {
        invalid(format!(
            "invalid date: year {year}, month {month}, day {day}"
        ))
    })
}

/// A checked time of day.
pub(crate) fn make_time(hour: i64, minute: i64, second: i64, nanos: i64) -> Result<civil::Time> {
    let bad = || {
        invalid(format!(
            "invalid time: hour {hour}, minute {minute}, second {second}, nanosecond {nanos}"
        ))
    };
    let (Ok(h), Ok(m), Ok(s), Ok(n)) = (
        i8::try_from(hour),
        i8::try_from(minute),
        i8::try_from(second),
        i32::try_from(nanos),
    ) else {
        return Err(bad());
    };
    civil::Time::new(h, m, s, n).map_err(|_| bad())
}

pub(crate) fn nanos_of_day(time: civil::Time) -> i64 {
    (i64::from(time.hour()) * 3600 + i64::from(time.minute()) * 60 + i64::from(time.second()))
        * NANOS_PER_SECOND
        + i64::from(time.subsec_nanosecond())
}

/// The time of day `nanos` after midnight, wrapping around a day in both directions.
pub(crate) fn time_from_nanos(nanos: i64) -> civil::Time {
    let n = nanos.rem_euclid(NANOS_PER_DAY);
    let secs = n / NANOS_PER_SECOND;
    // Every component is in range by construction, so the fallback is never taken.
    civil::Time::new(
        (secs / 3600) as i8,
        (secs / 60 % 60) as i8,
        (secs % 60) as i8,
        (n % NANOS_PER_SECOND) as i32,
    )
    .unwrap_or(civil::Time::midnight())
}

/// Nanoseconds since 1970-01-01T00:00 of a local date-time read as if it were UTC.
pub(crate) fn local_nanos(dt: civil::DateTime) -> i128 {
    i128::from(epoch_days(dt.date())) * i128::from(NANOS_PER_DAY)
        + i128::from(nanos_of_day(dt.time()))
}

pub(crate) fn datetime_from_local_nanos(nanos: i128) -> Result<civil::DateTime> {
    let day = i128::from(NANOS_PER_DAY);
    let days =
        i64::try_from(nanos.div_euclid(day)).map_err(|_| invalid("date-time out of range"))?;
    let date = date_from_epoch_days(days)?;
    let time = time_from_nanos(nanos.rem_euclid(day) as i64);
    Ok(civil::DateTime::from_parts(date, time))
}

/// The instant of a datetime, in nanoseconds since the Unix epoch.
pub(crate) fn instant_nanos(dt: &DateTime) -> i128 {
    local_nanos(dt.local) - i128::from(dt.offset_seconds) * i128::from(NANOS_PER_SECOND)
}

pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

/// Adds months to a date, clamping the day to the end of the resulting month.
pub(crate) fn add_months(date: civil::Date, months: i64) -> Result<civil::Date> {
    let total = (i64::from(date.year()) * 12 + i64::from(date.month()) - 1)
        .checked_add(months)
        .ok_or_else(|| invalid("date out of range"))?;
    let year = total.div_euclid(12);
    let month = total.rem_euclid(12) + 1;
    let day = i64::from(date.day()).min(days_in_month(year, month));
    make_date(year, month, day)
}

pub(crate) fn add_days(date: civil::Date, days: i64) -> Result<civil::Date> {
    let days = epoch_days(date)
        .checked_add(days)
        .ok_or_else(|| invalid("date out of range"))?;
    date_from_epoch_days(days)
}

/// The date of an ISO week date (weekday 1 = Monday).
pub(crate) fn from_week_date(week_year: i64, week: i64, weekday: i64) -> Result<civil::Date> {
    let bad = || invalid(format!("invalid week date: {week_year}-W{week}-{weekday}"));
    let year = i16::try_from(week_year).map_err(|_| bad())?;
    let week = i8::try_from(week).map_err(|_| bad())?;
    let weekday = i8::try_from(weekday)
        .ok()
        .and_then(|w| civil::Weekday::from_monday_one_offset(w).ok())
        .ok_or_else(bad)?;
    civil::ISOWeekDate::new(year, week, weekday)
        .map(|w| w.date())
        .map_err(|_| bad())
}

/// `(week year, week, weekday)` of a date, weekday 1 = Monday.
pub(crate) fn week_date(date: civil::Date) -> (i64, i64, i64) {
    let w = date.iso_week_date();
    (
        i64::from(w.year()),
        i64::from(w.week()),
        i64::from(w.weekday().to_monday_one_offset()),
    )
}

pub(crate) fn quarter(date: civil::Date) -> i64 {
    (i64::from(date.month()) - 1) / 3 + 1
}

/// Day within the quarter, from 1.
pub(crate) fn day_of_quarter(date: civil::Date) -> i64 {
    let first_month = (quarter(date) - 1) * 3 + 1;
    let first = make_date(i64::from(date.year()), first_month, 1)
        .map(epoch_days)
        .unwrap_or_else(|_| epoch_days(date));
    epoch_days(date) - first + 1
}

/// A time zone: a fixed offset or a named IANA zone.
#[derive(Clone, Debug)]
pub(crate) enum Zone {
    Offset(i32),
    Named(String, TimeZone),
}

impl Zone {
    /// A zone from what a user wrote: `Z`, `+01:00`, `-0530`, `+02`, or an IANA name.
    pub(crate) fn parse(text: &str) -> Result<Zone> {
        if let Some(seconds) = super::parse::offset_seconds(text) {
            return Zone::fixed(seconds);
        }
        if text.starts_with(['+', '-']) {
            return Err(invalid(format!("invalid time zone offset '{text}'")));
        }
        match named_zone(text) {
            // The database's spelling, so `europe/paris` prints as `Europe/Paris`.
            Some(tz) => Ok(Zone::Named(tz.iana_name().unwrap_or(text).to_string(), tz)),
            None => Err(invalid(format!("unknown time zone '{text}'"))),
        }
    }

    pub(crate) fn fixed(seconds: i32) -> Result<Zone> {
        if seconds.abs() > MAX_OFFSET_SECONDS {
            return Err(invalid(format!(
                "time zone offset out of range: {seconds} seconds"
            )));
        }
        Ok(Zone::Offset(seconds))
    }

    /// The zone a datetime value carries.
    pub(crate) fn of(dt: &DateTime) -> Zone {
        match &dt.zone {
            Some(name) => match named_zone(name) {
                Some(tz) => Zone::Named(name.clone(), tz),
                None => Zone::Offset(dt.offset_seconds),
            },
            None => Zone::Offset(dt.offset_seconds),
        }
    }

    /// The offset in force at a local date-time (a gap moves forward, an overlap takes
    /// the earlier offset, as java.time does).
    pub(crate) fn offset_at_local(&self, local: civil::DateTime) -> Result<i32> {
        match self {
            Zone::Offset(s) => Ok(*s),
            Zone::Named(name, tz) => {
                let ts = tz
                    .to_ambiguous_timestamp(local)
                    .compatible()
                    .map_err(|_| invalid(format!("date-time out of range in zone {name}")))?;
                Ok(tz.to_offset(ts).seconds())
            }
        }
    }

    /// Like `offset_at_local`, but keeps `preferred` when it is one of the valid offsets
    /// (an overlap during a daylight-saving change).
    pub(crate) fn offset_at_local_preferring(
        &self,
        local: civil::DateTime,
        preferred: i32,
    ) -> Result<i32> {
        if let Zone::Named(_, tz) = self {
            let amb = tz.to_ambiguous_timestamp(local);
            let early = amb.earlier().map(|t| tz.to_offset(t).seconds());
            let late = amb.later().map(|t| tz.to_offset(t).seconds());
            if early.ok() == Some(preferred) || late.ok() == Some(preferred) {
                return Ok(preferred);
            }
        }
        self.offset_at_local(local)
    }

    pub(crate) fn offset_at_instant(&self, instant: i128) -> Result<i32> {
        match self {
            Zone::Offset(s) => Ok(*s),
            Zone::Named(_, tz) => Ok(tz.to_offset(timestamp(instant)?).seconds()),
        }
    }

    fn name(&self) -> Option<String> {
        match self {
            Zone::Offset(_) => None,
            Zone::Named(name, _) => Some(name.clone()),
        }
    }

    /// The datetime at this local date-time in this zone.
    pub(crate) fn at_local(&self, local: civil::DateTime) -> Result<DateTime> {
        Ok(DateTime {
            local,
            offset_seconds: self.offset_at_local(local)?,
            zone: self.name(),
        })
    }

    /// The datetime at this instant seen in this zone.
    pub(crate) fn at_instant(&self, instant: i128) -> Result<DateTime> {
        let offset = self.offset_at_instant(instant)?;
        let local =
            datetime_from_local_nanos(instant + i128::from(offset) * i128::from(NANOS_PER_SECOND))?;
        Ok(DateTime {
            local,
            offset_seconds: offset,
            zone: self.name(),
        })
    }
}

pub(crate) fn timestamp(instant: i128) -> Result<Timestamp> {
    Timestamp::from_nanosecond(instant).map_err(|_| invalid("instant out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_days_round_trip() {
        for days in [-800_000, -719_468, -1, 0, 1, 10_957, 2_932_896] {
            let date = date_from_epoch_days(days).expect("valid in test");
            assert_eq!(epoch_days(date), days);
        }
        assert_eq!(epoch_days(civil::date(2000, 3, 1)), 11_017);
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(
            add_months(civil::date(2015, 1, 31), 1).expect("valid in test"),
            civil::date(2015, 2, 28)
        );
        assert_eq!(
            add_months(civil::date(2016, 3, 31), -1).expect("valid in test"),
            civil::date(2016, 2, 29)
        );
    }

    #[test]
    fn stockholm_history_uses_local_mean_time() {
        let zone = Zone::parse("Europe/Stockholm").expect("valid in test");
        let local = civil::date(1818, 7, 21).at(21, 40, 32, 0);
        assert_eq!(
            zone.offset_at_local(local).expect("valid in test"),
            53 * 60 + 28
        );
    }

    #[test]
    fn zone_names_take_the_database_spelling() {
        let zone = Zone::parse("europe/stockholm").expect("valid in test");
        assert!(matches!(zone, Zone::Named(name, _) if name == "Europe/Stockholm"));
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("+19:00").is_err());
    }
}
