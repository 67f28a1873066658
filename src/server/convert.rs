//! Skein values to and from PackStream: results are written straight into a [`Packer`]
//! as Bolt's structures (nodes, relationships, paths, temporal values), and parameters
//! are read from [`PackValue`]s into [`Value`]s (never through the Cypher parser).
//!
//! What depends on the protocol version is in [`Dialect`]: Bolt 5 adds element ids to
//! nodes and relationships; Bolt 5 (and 4.4 with the `utc` patch) sends datetimes as
//! UTC instants, older ones as local seconds.

use super::packstream::{PackValue, Packer};
use crate::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, Map, Node, Path, Relationship, Time, Value,
};
use jiff::civil;
use jiff::tz::TimeZone;

/// Structure tags of Bolt's value types.
mod tag {
    pub const NODE: u8 = 0x4E;
    pub const RELATIONSHIP: u8 = 0x52;
    pub const UNBOUND_RELATIONSHIP: u8 = 0x72;
    pub const PATH: u8 = 0x50;
    pub const DATE: u8 = 0x44;
    pub const TIME: u8 = 0x54;
    pub const LOCAL_TIME: u8 = 0x74;
    pub const LOCAL_DATE_TIME: u8 = 0x64;
    pub const DATE_TIME_UTC: u8 = 0x49;
    pub const DATE_TIME_ZONE_ID_UTC: u8 = 0x69;
    pub const DATE_TIME_LEGACY: u8 = 0x46;
    pub const DATE_TIME_ZONE_ID_LEGACY: u8 = 0x66;
    pub const DURATION: u8 = 0x45;
    pub const POINT_2D: u8 = 0x58;
    pub const POINT_3D: u8 = 0x59;
}

/// The parts of the value encoding that the protocol version decides.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// Nodes and relationships carry element ids (Bolt 5).
    pub element_ids: bool,
    /// Datetimes are UTC instants (Bolt 5, or 4.4 with the `utc` patch).
    pub utc_datetimes: bool,
}

/// The element id of a node or relationship: its id as text (skein's ids are never
/// reused while the entity exists).
fn element_id(id: u64) -> String {
    id.to_string()
}

/// Ids are below 2^63 in practice; one that is not shows as -1 rather than wrapping.
fn legacy_id(id: u64) -> i64 {
    i64::try_from(id).unwrap_or(-1)
}

const NANOS_PER_SECOND: i64 = 1_000_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

fn epoch() -> civil::Date {
    civil::date(1970, 1, 1)
}

fn nanos_of_day(t: civil::Time) -> i64 {
    ((i64::from(t.hour()) * 60 + i64::from(t.minute())) * 60 + i64::from(t.second()))
        * NANOS_PER_SECOND
        + i64::from(t.subsec_nanosecond())
}

fn epoch_days(d: civil::Date) -> i64 {
    d.since(epoch())
        .map_or(0, |span| i64::from(span.get_days()))
}

/// Seconds since the epoch of a local date-time read as if it were UTC, and its nanos.
fn local_epoch_seconds(dt: civil::DateTime) -> (i64, i64) {
    let seconds =
        epoch_days(dt.date()) * SECONDS_PER_DAY + nanos_of_day(dt.time()) / NANOS_PER_SECOND;
    (seconds, i64::from(dt.time().subsec_nanosecond()))
}

/// Writes one result value.
pub fn pack_value(packer: &mut Packer, value: &Value, dialect: Dialect) {
    match value {
        Value::Null => packer.null(),
        Value::Bool(b) => packer.bool(*b),
        Value::Int(i) => packer.int(*i),
        Value::Float(x) => packer.float(*x),
        Value::String(s) => packer.string(s),
        Value::List(items) => {
            packer.list_header(items.len());
            for item in items {
                pack_value(packer, item, dialect);
            }
        }
        Value::Map(map) => {
            packer.map_header(map.len());
            for (k, v) in map {
                packer.string(k);
                pack_value(packer, v, dialect);
            }
        }
        Value::Node(node) => pack_node(packer, node, dialect),
        Value::Relationship(rel) => pack_relationship(packer, rel, dialect),
        Value::Path(path) => pack_path(packer, path, dialect),
        Value::Date(Date(d)) => {
            packer.struct_header(1, tag::DATE);
            packer.int(epoch_days(*d));
        }
        Value::LocalTime(LocalTime(t)) => {
            packer.struct_header(1, tag::LOCAL_TIME);
            packer.int(nanos_of_day(*t));
        }
        Value::Time(Time {
            time,
            offset_seconds,
        }) => {
            packer.struct_header(2, tag::TIME);
            packer.int(nanos_of_day(*time));
            packer.int(i64::from(*offset_seconds));
        }
        Value::LocalDateTime(LocalDateTime(dt)) => {
            let (seconds, nanos) = local_epoch_seconds(*dt);
            packer.struct_header(2, tag::LOCAL_DATE_TIME);
            packer.int(seconds);
            packer.int(nanos);
        }
        Value::DateTime(DateTime {
            local,
            offset_seconds,
            zone,
        }) => {
            let (local_seconds, nanos) = local_epoch_seconds(*local);
            let seconds = if dialect.utc_datetimes {
                local_seconds - i64::from(*offset_seconds)
            } else {
                local_seconds
            };
            match zone {
                Some(zone) => {
                    packer.struct_header(
                        3,
                        if dialect.utc_datetimes {
                            tag::DATE_TIME_ZONE_ID_UTC
                        } else {
                            tag::DATE_TIME_ZONE_ID_LEGACY
                        },
                    );
                    packer.int(seconds);
                    packer.int(nanos);
                    packer.string(zone);
                }
                None => {
                    packer.struct_header(
                        3,
                        if dialect.utc_datetimes {
                            tag::DATE_TIME_UTC
                        } else {
                            tag::DATE_TIME_LEGACY
                        },
                    );
                    packer.int(seconds);
                    packer.int(nanos);
                    packer.int(i64::from(*offset_seconds));
                }
            }
        }
        Value::Duration(Duration {
            months,
            days,
            seconds,
            nanos,
        }) => {
            packer.struct_header(4, tag::DURATION);
            packer.int(*months);
            packer.int(*days);
            packer.int(*seconds);
            packer.int(i64::from(*nanos));
        }
    }
}

fn pack_properties(packer: &mut Packer, properties: &crate::PropertyMap, dialect: Dialect) {
    packer.map_header(properties.len());
    for (k, v) in properties {
        packer.string(k);
        pack_value(packer, v, dialect);
    }
}

fn pack_node(packer: &mut Packer, node: &Node, dialect: Dialect) {
    packer.struct_header(if dialect.element_ids { 4 } else { 3 }, tag::NODE);
    packer.int(legacy_id(node.id));
    packer.list_header(node.labels.len());
    for label in &node.labels {
        packer.string(label);
    }
    pack_properties(packer, &node.properties, dialect);
    if dialect.element_ids {
        packer.string(&element_id(node.id));
    }
}

fn pack_relationship(packer: &mut Packer, rel: &Relationship, dialect: Dialect) {
    packer.struct_header(if dialect.element_ids { 8 } else { 5 }, tag::RELATIONSHIP);
    packer.int(legacy_id(rel.id));
    packer.int(legacy_id(rel.start));
    packer.int(legacy_id(rel.end));
    packer.string(&rel.rel_type);
    pack_properties(packer, &rel.properties, dialect);
    if dialect.element_ids {
        packer.string(&element_id(rel.id));
        packer.string(&element_id(rel.start));
        packer.string(&element_id(rel.end));
    }
}

/// A path as Bolt writes it: its distinct nodes, its distinct relationships without
/// their ends, and the walk as indices: for each step the relationship's place counted
/// from 1 (negative when walked against its direction), then the next node's place.
fn pack_path(packer: &mut Packer, path: &Path, dialect: Dialect) {
    let mut nodes: Vec<&Node> = Vec::new();
    let mut rels: Vec<&Relationship> = Vec::new();
    let mut indices: Vec<i64> = Vec::new();
    fn place_of_node<'p>(node: &'p Node, nodes: &mut Vec<&'p Node>) -> i64 {
        match nodes.iter().position(|n| n.id == node.id) {
            Some(i) => i as i64,
            None => {
                nodes.push(node);
                (nodes.len() - 1) as i64
            }
        }
    }
    if let Some(first) = path.nodes.first() {
        place_of_node(first, &mut nodes);
    }
    let mut previous = path.nodes.first().map(|n| n.id);
    for (rel, next) in path.relationships.iter().zip(path.nodes.iter().skip(1)) {
        let rel_place = match rels.iter().position(|r| r.id == rel.id) {
            Some(i) => i as i64 + 1,
            None => {
                rels.push(rel);
                rels.len() as i64
            }
        };
        let forwards = previous == Some(rel.start);
        indices.push(if forwards { rel_place } else { -rel_place });
        indices.push(place_of_node(next, &mut nodes));
        previous = Some(next.id);
    }
    packer.struct_header(3, tag::PATH);
    packer.list_header(nodes.len());
    for node in &nodes {
        pack_node(packer, node, dialect);
    }
    packer.list_header(rels.len());
    for rel in &rels {
        packer.struct_header(
            if dialect.element_ids { 4 } else { 3 },
            tag::UNBOUND_RELATIONSHIP,
        );
        packer.int(legacy_id(rel.id));
        packer.string(&rel.rel_type);
        pack_properties(packer, &rel.properties, dialect);
        if dialect.element_ids {
            packer.string(&element_id(rel.id));
        }
    }
    packer.list_header(indices.len());
    for i in indices {
        packer.int(i);
    }
}

/// Reads a parameter value; the error says what was wrong, for a `TypeError`.
/// Both datetime encodings are read, whatever the dialect: the tag tells them apart.
pub fn parameter_value(value: PackValue) -> Result<Value, String> {
    Ok(match value {
        PackValue::Null => Value::Null,
        PackValue::Bool(b) => Value::Bool(b),
        PackValue::Int(i) => Value::Int(i),
        PackValue::Float(x) => Value::Float(x),
        PackValue::String(s) => Value::String(s),
        PackValue::Bytes(_) => {
            return Err("skein has no byte arrays: a parameter cannot be one".to_string())
        }
        PackValue::List(items) => Value::List(
            items
                .into_iter()
                .map(parameter_value)
                .collect::<Result<_, _>>()?,
        ),
        PackValue::Map(entries) => {
            let mut map = Map::with_capacity(entries.len());
            for (k, v) in entries {
                map.insert(k, parameter_value(v)?);
            }
            Value::Map(map)
        }
        PackValue::Struct { tag, fields } => structure_value(tag, &fields)?,
    })
}

fn int_field(fields: &[PackValue], i: usize, what: &str) -> Result<i64, String> {
    fields
        .get(i)
        .and_then(PackValue::as_int)
        .ok_or_else(|| format!("a {what} parameter needs an integer as field {}", i + 1))
}

fn time_of_day(nanos: i64, what: &str) -> Result<civil::Time, String> {
    if !(0..SECONDS_PER_DAY * NANOS_PER_SECOND).contains(&nanos) {
        return Err(format!(
            "a {what} parameter's nanoseconds of the day must be from 0 to 86399999999999, not {nanos}"
        ));
    }
    let seconds = nanos / NANOS_PER_SECOND;
    civil::Time::new(
        (seconds / 3600) as i8,
        (seconds / 60 % 60) as i8,
        (seconds % 60) as i8,
        (nanos % NANOS_PER_SECOND) as i32,
    )
    .map_err(|e| format!("a {what} parameter is out of range: {e}"))
}

fn offset(seconds: i64, what: &str) -> Result<i32, String> {
    i32::try_from(seconds)
        .ok()
        .filter(|s| s.abs() <= 18 * 3600)
        .ok_or_else(|| {
            format!("a {what} parameter's offset must be within ±18:00, not {seconds} s")
        })
}

/// The instant `seconds` (and `nanos`) after the epoch.
fn timestamp(seconds: i64, nanos: i64, what: &str) -> Result<jiff::Timestamp, String> {
    let nanos = i32::try_from(nanos)
        .ok()
        .filter(|n| (0..1_000_000_000).contains(n))
        .ok_or_else(|| format!("a {what} parameter's nanoseconds must be from 0 to 999999999"))?;
    jiff::Timestamp::new(seconds, nanos)
        .map_err(|e| format!("a {what} parameter is out of range: {e}"))
}

/// The local date-time `seconds` (and `nanos`) after the epoch, read as UTC.
fn local_from_epoch(seconds: i64, nanos: i64, what: &str) -> Result<civil::DateTime, String> {
    Ok(TimeZone::UTC.to_datetime(timestamp(seconds, nanos, what)?))
}

fn structure_value(tag: u8, fields: &[PackValue]) -> Result<Value, String> {
    let expect = |n: usize, what: &str| {
        if fields.len() == n {
            Ok(())
        } else {
            Err(format!(
                "a {what} parameter has {n} fields, not {}",
                fields.len()
            ))
        }
    };
    match tag {
        tag::DATE => {
            expect(1, "date")?;
            let days = int_field(fields, 0, "date")?;
            let span = jiff::Span::new()
                .try_days(days)
                .map_err(|e| format!("a date parameter is out of range: {e}"))?;
            epoch()
                .checked_add(span)
                .map(|d| Value::Date(Date(d)))
                .map_err(|e| format!("a date parameter is out of range: {e}"))
        }
        tag::LOCAL_TIME => {
            expect(1, "local time")?;
            let nanos = int_field(fields, 0, "local time")?;
            Ok(Value::LocalTime(LocalTime(time_of_day(
                nanos,
                "local time",
            )?)))
        }
        tag::TIME => {
            expect(2, "time")?;
            Ok(Value::Time(Time {
                time: time_of_day(int_field(fields, 0, "time")?, "time")?,
                offset_seconds: offset(int_field(fields, 1, "time")?, "time")?,
            }))
        }
        tag::LOCAL_DATE_TIME => {
            expect(2, "local datetime")?;
            let local = local_from_epoch(
                int_field(fields, 0, "local datetime")?,
                int_field(fields, 1, "local datetime")?,
                "local datetime",
            )?;
            Ok(Value::LocalDateTime(LocalDateTime(local)))
        }
        tag::DATE_TIME_UTC | tag::DATE_TIME_LEGACY => {
            expect(3, "datetime")?;
            let seconds = int_field(fields, 0, "datetime")?;
            let offset_seconds = offset(int_field(fields, 2, "datetime")?, "datetime")?;
            let local_seconds = if tag == tag::DATE_TIME_UTC {
                seconds.checked_add(i64::from(offset_seconds))
            } else {
                Some(seconds)
            }
            .ok_or("a datetime parameter is out of range")?;
            let local =
                local_from_epoch(local_seconds, int_field(fields, 1, "datetime")?, "datetime")?;
            Ok(Value::DateTime(DateTime {
                local,
                offset_seconds,
                zone: None,
            }))
        }
        tag::DATE_TIME_ZONE_ID_UTC | tag::DATE_TIME_ZONE_ID_LEGACY => {
            expect(3, "datetime")?;
            let seconds = int_field(fields, 0, "datetime")?;
            let nanos = int_field(fields, 1, "datetime")?;
            let name = fields
                .get(2)
                .and_then(PackValue::as_str)
                .ok_or("a datetime parameter needs its zone name as field 3")?;
            let zone = TimeZone::get(name)
                .map_err(|_| format!("'{name}' is not a time zone skein knows"))?;
            let (local, offset_seconds) = if tag == tag::DATE_TIME_ZONE_ID_UTC {
                let instant = timestamp(seconds, nanos, "datetime")?;
                (zone.to_datetime(instant), zone.to_offset(instant).seconds())
            } else {
                let local = local_from_epoch(seconds, nanos, "datetime")?;
                let zoned = zone
                    .to_ambiguous_zoned_datetime(local)
                    .compatible()
                    .map_err(|e| format!("a datetime parameter is out of range: {e}"))?;
                (local, zoned.offset().seconds())
            };
            Ok(Value::DateTime(DateTime {
                local,
                offset_seconds,
                zone: Some(name.to_string()),
            }))
        }
        tag::DURATION => {
            expect(4, "duration")?;
            let months = int_field(fields, 0, "duration")?;
            let days = int_field(fields, 1, "duration")?;
            let total = i128::from(int_field(fields, 2, "duration")?)
                * i128::from(NANOS_PER_SECOND)
                + i128::from(int_field(fields, 3, "duration")?);
            let seconds = i64::try_from(total.div_euclid(i128::from(NANOS_PER_SECOND)))
                .map_err(|_| "a duration parameter is out of range".to_string())?;
            let nanos = total.rem_euclid(i128::from(NANOS_PER_SECOND)) as i32;
            Ok(Value::Duration(Duration {
                months,
                days,
                seconds,
                nanos,
            }))
        }
        tag::POINT_2D | tag::POINT_3D => {
            Err("skein has no spatial points: a parameter cannot be one".to_string())
        }
        tag::NODE | tag::RELATIONSHIP | tag::UNBOUND_RELATIONSHIP | tag::PATH => Err(
            "a node, relationship or path cannot be a parameter; pass its id or properties"
                .to_string(),
        ),
        other => Err(format!(
            "structure 0x{other:02X} is not a value type Bolt defines"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::packstream::Unpacker;

    const BOLT5: Dialect = Dialect {
        element_ids: true,
        utc_datetimes: true,
    };
    const BOLT4: Dialect = Dialect {
        element_ids: false,
        utc_datetimes: false,
    };

    /// A value packed, read back as PackStream, then as a parameter.
    fn round_trip(value: &Value, dialect: Dialect) -> Value {
        let mut packer = Packer::default();
        pack_value(&mut packer, value, dialect);
        let packed = Unpacker::new(&packer.buf)
            .value(0)
            .unwrap_or(PackValue::Null);
        parameter_value(packed).unwrap_or(Value::Null)
    }

    fn temporal(text: &str) -> Value {
        let db = crate::Database::open_temporary().ok();
        db.and_then(|db| {
            db.execute(&format!("RETURN {text}"), &crate::Params::new())
                .ok()
        })
        .and_then(|r| r.rows.into_iter().next())
        .and_then(|row| row.into_iter().next())
        .unwrap_or(Value::Null)
    }

    #[test]
    fn every_temporal_type_round_trips_in_both_dialects() {
        for text in [
            "date('1969-07-20')",
            "date('-0044-03-15')",
            "localtime('23:59:59.999999999')",
            "time('12:30:01.5+02:00')",
            "localdatetime('2024-02-29T12:00:00.000000001')",
            "datetime('2024-03-31T02:30:00+05:45')",
            "datetime('2024-10-27T02:30:00[Europe/Stockholm]')",
            "datetime('1900-01-01T00:00:00[Europe/Stockholm]')",
            "duration('P1Y2M3DT4H5M6.7S')",
            "duration('-PT0.000000001S')",
        ] {
            let value = temporal(text);
            assert!(!value.is_null(), "{text}");
            for dialect in [BOLT5, BOLT4] {
                let back = round_trip(&value, dialect);
                assert_eq!(back.to_string(), value.to_string(), "{text} {dialect:?}");
            }
        }
    }

    #[test]
    fn a_utc_datetime_is_its_instant() {
        let mut packer = Packer::default();
        pack_value(
            &mut packer,
            &temporal("datetime('1970-01-01T02:00:00+02:00')"),
            BOLT5,
        );
        let packed = Unpacker::new(&packer.buf).value(0);
        assert_eq!(
            packed,
            Ok(PackValue::Struct {
                tag: tag::DATE_TIME_UTC,
                fields: vec![PackValue::Int(0), PackValue::Int(0), PackValue::Int(7200)]
            })
        );
    }

    #[test]
    fn a_path_is_written_as_nodes_relationships_and_indices() {
        let node = |id| Node::with_id(id);
        let rel = |id, start, end| Relationship {
            id,
            rel_type: "T".into(),
            start,
            end,
            properties: Default::default(),
        };
        // (1)-[10]->(2)<-[11]-(3)-[10 again is impossible; a loop back]->(1)
        let path = Path {
            nodes: vec![node(1), node(2), node(3), node(1)],
            relationships: vec![rel(10, 1, 2), rel(11, 3, 2), rel(12, 3, 1)],
        };
        let mut packer = Packer::default();
        pack_value(&mut packer, &Value::Path(path), BOLT5);
        let Ok(PackValue::Struct { tag, fields }) = Unpacker::new(&packer.buf).value(0) else {
            panic!("not a structure");
        };
        assert_eq!(tag, tag::PATH);
        assert_eq!(
            fields.get(2),
            Some(&PackValue::List(
                [1, 1, -2, 2, 3, 0].map(PackValue::Int).to_vec()
            ))
        );
    }

    #[test]
    fn parameters_that_skein_cannot_hold_are_errors() {
        assert!(parameter_value(PackValue::Bytes(vec![1])).is_err());
        let point = PackValue::Struct {
            tag: tag::POINT_2D,
            fields: vec![
                PackValue::Int(7203),
                PackValue::Float(1.0),
                PackValue::Float(2.0),
            ],
        };
        assert!(parameter_value(point).is_err());
        let bad_time = PackValue::Struct {
            tag: tag::LOCAL_TIME,
            fields: vec![PackValue::Int(-1)],
        };
        assert!(parameter_value(bad_time).is_err());
    }
}
