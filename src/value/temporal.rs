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
