//! ISO 8601 text as the TCK writes it: calendar, week and ordinal dates in extended and
//! basic form, times with optional fraction, offsets (`Z`, `+01`, `+0100`, `+01:00`,
//! `+02:05:59`), `[Region/City]` zone suffixes, and durations (`P1Y2M10DT12H45M30.25S`,
//! `P2.5W`, the alternative `P2012-02-02T14:37:21.545`).

use super::calendar::{from_week_date, make_date, make_time, Zone};
use super::duration::{DurationBuilder, Unit};
use super::{invalid, Duration};
use crate::error::Result;
use jiff::civil;

/// The parts of a date-time string.
pub(crate) struct Parsed {
    pub date: Option<civil::Date>,
    pub time: Option<civil::Time>,
    /// The offset written in the text, if any.
    pub offset: Option<i32>,
    /// The `[Zone/Name]` suffix, if any.
    pub zone: Option<Zone>,
}

fn bad(text: &str) -> crate::error::Error {
    invalid(format!(
        "text cannot be parsed as a temporal value: '{text}'"
    ))
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn number(s: &str, text: &str) -> Result<i64> {
    if !digits(s) {
        return Err(bad(text));
    }
    s.parse().map_err(|_| bad(text))
}

/// Seconds of an offset such as `Z`, `+01`, `+0100`, `+01:00`, `-02:05:07`; `None` when
/// `text` is not an offset.
pub(crate) fn offset_seconds(text: &str) -> Option<i32> {
    if text == "Z" || text == "z" {
        return Some(0);
    }
    let sign = match text.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let rest = text.get(1..)?;
    let parts: Vec<&str> = if rest.contains(':') {
        rest.split(':').collect()
    } else {
        match rest.len() {
            2 => vec![rest.get(0..2)?],
            4 => vec![rest.get(0..2)?, rest.get(2..4)?],
            6 => vec![rest.get(0..2)?, rest.get(2..4)?, rest.get(4..6)?],
            _ => return None,
        }
    };
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.len() != 2 || !digits(p)) {
        return None;
    }
    let mut seconds = 0i32;
    for (part, scale) in parts.iter().zip([3600, 60, 1]) {
        let v: i32 = part.parse().ok()?;
        if scale != 3600 && v >= 60 {
            return None;
        }
        seconds += v * scale;
    }
    Some(sign * seconds)
}

/// A date in any of the ISO forms the TCK uses.
pub(crate) fn parse_date(text: &str) -> Result<civil::Date> {
    let (year, rest) = split_year(text)?;
    if rest.is_empty() {
        return make_date(year, 1, 1);
    }
    let extended = rest.starts_with('-');
    let body = if extended { &rest[1..] } else { rest };
    if let Some(week_part) = body.strip_prefix('W') {
        let (week, day) = if extended {
            match week_part.split_once('-') {
                Some((w, d)) => (w, Some(d)),
                None => (week_part, None),
            }
        } else if let (3, Some(w), Some(d)) =
            (week_part.len(), week_part.get(..2), week_part.get(2..))
        {
            (w, Some(d))
        } else {
            (week_part, None)
        };
        if week.len() != 2 || day.is_some_and(|d| d.len() != 1) {
            return Err(bad(text));
        }
        let day = match day {
            Some(d) => number(d, text)?,
            None => 1,
        };
        return from_week_date(year, number(week, text)?, day);
    }
    if extended {
        return match body.split_once('-') {
            Some((m, d)) if m.len() == 2 && d.len() == 2 => {
                make_date(year, number(m, text)?, number(d, text)?)
            }
            None if body.len() == 2 => make_date(year, number(body, text)?, 1),
            None if body.len() == 3 => ordinal_date(year, number(body, text)?),
            _ => Err(bad(text)),
        };
    }
    if !digits(body) {
        return Err(bad(text));
    }
    match body.len() {
        2 => make_date(year, number(body, text)?, 1),
        3 => ordinal_date(year, number(body, text)?),
        4 => make_date(year, number(&body[..2], text)?, number(&body[2..], text)?),
        _ => Err(bad(text)),
    }
}

pub(crate) fn ordinal_date(year: i64, day: i64) -> Result<civil::Date> {
    let days_in_year = if super::calendar::is_leap(year) {
        366
    } else {
        365
    };
    if !(1..=days_in_year).contains(&day) {
        return Err(invalid(format!("invalid ordinal day {day} in year {year}")));
    }
    let first = make_date(year, 1, 1)?;
    super::calendar::add_days(first, day - 1)
}

/// The year of a date string and what follows it: four digits, or a sign and digits.
fn split_year(text: &str) -> Result<(i64, &str)> {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => (1, text),
    };
    let len = if sign == 1 && !text.starts_with('+') {
        4
    } else {
        body.bytes().take_while(u8::is_ascii_digit).count()
    };
    let year_text = body.get(..len).ok_or_else(|| bad(text))?;
    let year = number(year_text, text)?;
    Ok((sign * year, &body[len..]))
}

/// A time of day: `HH`, `HH:MM`, `HHMM`, `HH:MM:SS`, `HHMMSS`, each with `.fraction`.
pub(crate) fn parse_time(text: &str) -> Result<civil::Time> {
    let (main, fraction) = match text.find(['.', ',']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let fields: Vec<&str> = if main.contains(':') {
        main.split(':').collect()
    } else {
        main.as_bytes()
            .chunks(2)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect()
    };
    if fields.is_empty() || fields.len() > 3 || fields.iter().any(|f| f.len() != 2) {
        return Err(bad(text));
    }
    let mut values = [0i64; 3];
    for (slot, field) in values.iter_mut().zip(&fields) {
        *slot = number(field, text)?;
    }
    let nanos = match fraction {
        Some(f) if fields.len() == 3 && digits(f) && f.len() <= 9 => {
            let padded = format!("{f:0<9}");
            number(&padded, text)?
        }
        Some(_) => return Err(bad(text)),
        None => 0,
    };
    make_time(values[0], values[1], values[2], nanos)
}

/// Splits `time[offset][[zone]]` into its parts.
fn split_time_zone(text: &str) -> Result<(&str, Option<i32>, Option<Zone>)> {
    let (rest, zone) = match text.strip_suffix(']') {
        Some(head) => {
            let open = head.rfind('[').ok_or_else(|| bad(text))?;
            (&head[..open], Some(Zone::parse(&head[open + 1..])?))
        }
        None => (text, None),
    };
    match rest.find(['Z', 'z', '+', '-']) {
        Some(i) => {
            let offset = offset_seconds(&rest[i..]).ok_or_else(|| bad(text))?;
            Zone::fixed(offset)?;
            Ok((&rest[..i], Some(offset), zone))
        }
        None => Ok((rest, None, zone)),
    }
}

/// A time string with optional offset and zone.
pub(crate) fn parse_time_with_zone(text: &str) -> Result<Parsed> {
    let (time, offset, zone) = split_time_zone(text)?;
    Ok(Parsed {
        date: None,
        time: Some(parse_time(time)?),
        offset,
        zone,
    })
}

/// A date, optionally followed by `T` and a time with optional offset and zone.
pub(crate) fn parse_datetime(text: &str) -> Result<Parsed> {
    let Some(t) = text.find(['T', 't']) else {
        return Ok(Parsed {
            date: Some(parse_date(text)?),
            time: None,
            offset: None,
            zone: None,
        });
    };
    let date = parse_date(&text[..t])?;
    let mut parsed = parse_time_with_zone(&text[t + 1..])?;
    parsed.date = Some(date);
    Ok(parsed)
}

/// An ISO 8601 duration: `P[nY][nM][nW][nD][T[nH][nM][nS]]` with signed, fractional
/// numbers, or the alternative form `PYYYY-MM-DDThh:mm:ss[.f]`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration> {
    let (negate, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let body = body
        .strip_prefix(['P', 'p'])
        .ok_or_else(|| bad_duration(text))?;
    let alternative = body.as_bytes().get(4) == Some(&b'-')
        && body.as_bytes().iter().take(4).all(u8::is_ascii_digit);
    let duration = if alternative {
        parse_alternative_duration(body, text)?
    } else {
        parse_designator_duration(body, text)?
    };
    Ok(if negate {
        duration.negated()?
    } else {
        duration
    })
}

fn bad_duration(text: &str) -> crate::error::Error {
    invalid(format!("text cannot be parsed as a duration: '{text}'"))
}

fn parse_designator_duration(body: &str, text: &str) -> Result<Duration> {
    let mut builder = DurationBuilder::default();
    let mut in_time = false;
    let mut any = false;
    let mut rest = body;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix(['T', 't']) {
            if in_time {
                return Err(bad_duration(text));
            }
            in_time = true;
            rest = r;
            continue;
        }
        let end = rest
            .find(|c: char| c.is_ascii_alphabetic())
            .ok_or_else(|| bad_duration(text))?;
        let (num, designator) = (&rest[..end], rest[end..].chars().next());
        let unit = match (designator.map(|c| c.to_ascii_uppercase()), in_time) {
            (Some('Y'), false) => Unit::Years,
            (Some('M'), false) => Unit::Months,
            (Some('W'), false) => Unit::Weeks,
            (Some('D'), false) => Unit::Days,
            (Some('H'), true) => Unit::Hours,
            (Some('M'), true) => Unit::Minutes,
            (Some('S'), true) => Unit::Seconds,
            _ => return Err(bad_duration(text)),
        };
        builder.add_text(unit, &num.replace(',', "."), text)?;
        any = true;
        rest = &rest[end + 1..];
    }
    if !any {
        return Err(bad_duration(text));
    }
    builder.build()
}

fn parse_alternative_duration(body: &str, text: &str) -> Result<Duration> {
    let (date, time) = match body.split_once(['T', 't']) {
        Some((d, t)) => (d, Some(t)),
        None => (body, None),
    };
    let mut builder = DurationBuilder::default();
    let date_parts: Vec<&str> = date.split('-').collect();
    let [years, months, days] = date_parts.as_slice() else {
        return Err(bad_duration(text));
    };
    builder.add_text(Unit::Years, years, text)?;
    builder.add_text(Unit::Months, months, text)?;
    builder.add_text(Unit::Days, days, text)?;
    if let Some(time) = time {
        let parts: Vec<&str> = time.split(':').collect();
        let [hours, minutes, seconds] = parts.as_slice() else {
            return Err(bad_duration(text));
        };
        builder.add_text(Unit::Hours, hours, text)?;
        builder.add_text(Unit::Minutes, minutes, text)?;
        builder.add_text(Unit::Seconds, &seconds.replace(',', "."), text)?;
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_all_written_forms() {
        assert_eq!(offset_seconds("Z"), Some(0));
        assert_eq!(offset_seconds("+01:00"), Some(3600));
        assert_eq!(offset_seconds("-0130"), Some(-5400));
        assert_eq!(offset_seconds("-02"), Some(-7200));
        assert_eq!(offset_seconds("+02:05:59"), Some(7559));
        assert_eq!(offset_seconds("Europe/Paris"), None);
        assert_eq!(offset_seconds("+1"), None);
    }

    #[test]
    fn date_forms() {
        let expected = civil::date(2015, 7, 21);
        for text in [
            "2015-07-21",
            "20150721",
            "2015-W30-2",
            "2015W302",
            "2015-202",
        ] {
            assert_eq!(parse_date(text).expect("valid in test"), expected, "{text}");
        }
        assert_eq!(parse_date("2015202").expect("valid in test"), expected);
        assert_eq!(
            parse_date("201507").expect("valid in test"),
            civil::date(2015, 7, 1)
        );
        assert_eq!(
            parse_date("2015-W30").expect("valid in test"),
            civil::date(2015, 7, 20)
        );
        assert_eq!(
            parse_date("2015").expect("valid in test"),
            civil::date(2015, 1, 1)
        );
        assert!(parse_date("2015-13-01").is_err());
        assert!(parse_date("15-1-1").is_err());
        assert!(parse_date("").is_err());
    }

    #[test]
    fn time_forms() {
        assert_eq!(
            parse_time("214032.142").expect("valid in test"),
            civil::time(21, 40, 32, 142_000_000)
        );
        assert_eq!(
            parse_time("2140").expect("valid in test"),
            civil::time(21, 40, 0, 0)
        );
        assert_eq!(
            parse_time("21").expect("valid in test"),
            civil::time(21, 0, 0, 0)
        );
        assert!(parse_time("25:00").is_err());
        assert!(parse_time("2").is_err());
        assert!(parse_time("21:4é").is_err());
    }
}
