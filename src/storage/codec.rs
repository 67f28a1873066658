//! Value and record encoding: what a property value becomes on disk, and the node and
//! relationship records. Every record starts with `RECORD_VERSION`, then postcard.
//!
//! Only values a property may hold are storable: booleans, integers, floats, strings,
//! temporal values (kept as their components, not as text) and homogeneous lists of
//! those. Anything else is a `TypeError` with detail `InvalidPropertyType`.

use super::keys::Token;
use crate::error::{Error, Result};
use crate::value::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time, Value};
use jiff::civil;
use serde::{Deserialize, Serialize};

/// The first byte of every record; a record with another first byte was written by an
/// incompatible format.
pub const RECORD_VERSION: u8 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDate {
    pub year: i16,
    pub month: i8,
    pub day: i8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTime {
    pub hour: i8,
    pub minute: i8,
    pub second: i8,
    pub nanos: i32,
}

/// A property value as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StoredValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Date(StoredDate),
    LocalTime(StoredTime),
    Time(StoredTime, i32),
    LocalDateTime(StoredDate, StoredTime),
    DateTime(StoredDate, StoredTime, i32, Option<String>),
    Duration {
        months: i64,
        days: i64,
        seconds: i64,
        nanos: i32,
    },
    /// Elements are all of one kind and never lists themselves.
    List(Vec<StoredValue>),
}

fn invalid(value: &Value) -> Error {
    Error::type_error(
        "InvalidPropertyType",
        format!(
            "a property value must be a boolean, number, string, temporal value or a list of one of those, not {}",
            value.type_name()
        ),
    )
}

fn store_date(d: civil::Date) -> StoredDate {
    StoredDate {
        year: d.year(),
        month: d.month(),
        day: d.day(),
    }
}

fn store_time(t: civil::Time) -> StoredTime {
    StoredTime {
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
        nanos: t.subsec_nanosecond(),
    }
}

fn load_date(d: &StoredDate) -> Result<civil::Date> {
    civil::Date::new(d.year, d.month, d.day).map_err(|e| corrupt(&format!("bad date: {e}")))
}

fn load_time(t: &StoredTime) -> Result<civil::Time> {
    civil::Time::new(t.hour, t.minute, t.second, t.nanos)
        .map_err(|e| corrupt(&format!("bad time: {e}")))
}

pub fn corrupt(what: &str) -> Error {
    Error::storage(format!("the database is damaged: {what}"))
}

/// The discriminant of a scalar, to check that a list is homogeneous.
fn kind_of(v: &StoredValue) -> u8 {
    match v {
        StoredValue::Bool(_) => 0,
        StoredValue::Int(_) => 1,
        StoredValue::Float(_) => 2,
        StoredValue::String(_) => 3,
        StoredValue::Date(_) => 4,
        StoredValue::LocalTime(_) => 5,
        StoredValue::Time(..) => 6,
        StoredValue::LocalDateTime(..) => 7,
        StoredValue::DateTime(..) => 8,
        StoredValue::Duration { .. } => 9,
        StoredValue::List(_) => 10,
    }
}

fn scalar_to_stored(value: &Value) -> Result<StoredValue> {
    Ok(match value {
        Value::Bool(b) => StoredValue::Bool(*b),
        Value::Int(i) => StoredValue::Int(*i),
        Value::Float(f) => StoredValue::Float(*f),
        Value::String(s) => StoredValue::String(s.clone()),
        Value::Date(Date(d)) => StoredValue::Date(store_date(*d)),
        Value::LocalTime(LocalTime(t)) => StoredValue::LocalTime(store_time(*t)),
        Value::Time(Time {
            time,
            offset_seconds,
        }) => StoredValue::Time(store_time(*time), *offset_seconds),
        Value::LocalDateTime(LocalDateTime(dt)) => {
            StoredValue::LocalDateTime(store_date(dt.date()), store_time(dt.time()))
        }
        Value::DateTime(DateTime {
            local,
            offset_seconds,
            zone,
        }) => StoredValue::DateTime(
            store_date(local.date()),
            store_time(local.time()),
            *offset_seconds,
            zone.clone(),
        ),
        Value::Duration(Duration {
            months,
            days,
            seconds,
            nanos,
        }) => StoredValue::Duration {
            months: *months,
            days: *days,
            seconds: *seconds,
            nanos: *nanos,
        },
        _ => return Err(invalid(value)),
    })
}

/// The stored form of a property value, or `InvalidPropertyType`.
pub fn to_stored(value: &Value) -> Result<StoredValue> {
    match value {
        Value::List(items) => {
            let mut stored = Vec::with_capacity(items.len());
            for item in items {
                let s = scalar_to_stored(item).map_err(|_| {
                    Error::type_error(
                        "InvalidPropertyType",
                        format!(
                            "a list stored as a property may hold only booleans, numbers, strings or temporal values, not {}",
                            item.type_name()
                        ),
                    )
                })?;
                if let Some(first) = stored.first() {
                    if kind_of(first) != kind_of(&s) {
                        return Err(Error::type_error(
                            "InvalidPropertyType",
                            "a list stored as a property must hold values of one type",
                        ));
                    }
                }
                stored.push(s);
            }
            Ok(StoredValue::List(stored))
        }
        other => scalar_to_stored(other),
    }
}

/// The value a stored property stands for.
pub fn from_stored(stored: &StoredValue) -> Result<Value> {
    Ok(match stored {
        StoredValue::Bool(b) => Value::Bool(*b),
        StoredValue::Int(i) => Value::Int(*i),
        StoredValue::Float(f) => Value::Float(*f),
        StoredValue::String(s) => Value::String(s.clone()),
        StoredValue::Date(d) => Value::Date(Date(load_date(d)?)),
        StoredValue::LocalTime(t) => Value::LocalTime(LocalTime(load_time(t)?)),
        StoredValue::Time(t, offset) => Value::Time(Time {
            time: load_time(t)?,
            offset_seconds: *offset,
        }),
        StoredValue::LocalDateTime(d, t) => {
            Value::LocalDateTime(LocalDateTime(load_date(d)?.to_datetime(load_time(t)?)))
        }
        StoredValue::DateTime(d, t, offset, zone) => Value::DateTime(DateTime {
            local: load_date(d)?.to_datetime(load_time(t)?),
            offset_seconds: *offset,
            zone: zone.clone(),
        }),
        StoredValue::Duration {
            months,
            days,
            seconds,
            nanos,
        } => Value::Duration(Duration {
            months: *months,
            days: *days,
            seconds: *seconds,
            nanos: *nanos,
        }),
        StoredValue::List(items) => {
            Value::List(items.iter().map(from_stored).collect::<Result<Vec<_>>>()?)
        }
    })
}

/// Properties of one entity, sorted by key token.
pub type StoredProps = Vec<(Token, StoredValue)>;

/// A node record: its labels (sorted tokens) and properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeRecord {
    pub labels: Vec<Token>,
    pub props: StoredProps,
}

/// The part of a relationship record that never changes; encoded first so expansion and
/// `relationship()` decode no properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelHeader {
    pub rel_type: Token,
    pub start: u64,
    pub end: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RelRecord {
    pub header: RelHeader,
    pub props: StoredProps,
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    let mut out = vec![RECORD_VERSION];
    postcard::to_io(value, &mut out)
        .map_err(|e| Error::storage(format!("could not encode a record: {e}")))?;
    Ok(out)
}

fn body(bytes: &[u8]) -> Result<&[u8]> {
    match bytes.split_first() {
        Some((&RECORD_VERSION, rest)) => Ok(rest),
        Some((v, _)) => Err(corrupt(&format!(
            "a record has format version {v}, expected {RECORD_VERSION}"
        ))),
        None => Err(corrupt("an empty record")),
    }
}

fn decode_prefix<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T> {
    postcard::take_from_bytes(body(bytes)?)
        .map(|(v, _)| v)
        .map_err(|e| corrupt(&format!("a record does not decode: {e}")))
}

/// Any other versioned record (schema definitions).
pub fn encode_record<T: Serialize>(record: &T) -> Result<Vec<u8>> {
    encode(record)
}

pub fn decode_record<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    postcard::from_bytes(body(bytes)?)
        .map_err(|e| corrupt(&format!("a record does not decode: {e}")))
}

pub fn encode_node(record: &NodeRecord) -> Result<Vec<u8>> {
    encode(record)
}

pub fn decode_node(bytes: &[u8]) -> Result<NodeRecord> {
    decode_prefix(bytes)
}

/// A node as reads see it: its labels, and its property values decoded (sorted by key
/// token). The cache keeps nodes in this form, so reading a property decodes nothing
/// and a caller can look at the value where it lies.
#[derive(Clone, Debug, Default)]
pub struct NodeData {
    pub labels: Vec<Token>,
    pub props: Vec<(Token, Value)>,
}

impl NodeData {
    pub fn decode(bytes: &[u8]) -> Result<NodeData> {
        let record = decode_node(bytes)?;
        let props = record
            .props
            .iter()
            .map(|(k, v)| Ok((*k, from_stored(v)?)))
            .collect::<Result<_>>()?;
        Ok(NodeData {
            labels: record.labels,
            props,
        })
    }

    /// The stored form, to change and write back.
    pub fn to_record(&self) -> Result<NodeRecord> {
        let props = self
            .props
            .iter()
            .map(|(k, v)| Ok((*k, to_stored(v)?)))
            .collect::<Result<_>>()?;
        Ok(NodeRecord {
            labels: self.labels.clone(),
            props,
        })
    }

    /// The value of property `key`.
    pub fn property(&self, key: Token) -> Option<&Value> {
        self.props
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .and_then(|i| self.props.get(i))
            .map(|(_, v)| v)
    }
}

/// A relationship record inside a chunk (the chunk carries the version byte).
pub fn encode_rel(record: &RelRecord) -> Result<Vec<u8>> {
    postcard::to_allocvec(record)
        .map_err(|e| Error::storage(format!("could not encode a record: {e}")))
}

pub fn decode_rel(bytes: &[u8]) -> Result<RelRecord> {
    postcard::from_bytes(bytes).map_err(|e| corrupt(&format!("a record does not decode: {e}")))
}

/// Only the type and ends of a relationship record.
pub fn decode_rel_header(bytes: &[u8]) -> Result<RelHeader> {
    postcard::take_from_bytes(bytes)
        .map(|(v, _)| v)
        .map_err(|e| corrupt(&format!("a record does not decode: {e}")))
}

/// A chunk of relationship records: (offset in the chunk, record bytes), by offset.
pub fn encode_rel_chunk(entries: &[(u8, Vec<u8>)]) -> Result<Vec<u8>> {
    encode(&entries)
}

/// The entries of a relationship chunk, borrowing the record bytes.
pub fn decode_rel_chunk(bytes: &[u8]) -> Result<Vec<(u8, &[u8])>> {
    postcard::from_bytes(body(bytes)?)
        .map_err(|e| corrupt(&format!("a relationship chunk does not decode: {e}")))
}

/// A block of index entries (see `index_blocks`): the version byte, then each entry's
/// length (LEB128) and bytes, sorted.
pub fn encode_index_block(entries: &[&[u8]]) -> Vec<u8> {
    let bytes: usize = entries.iter().map(|e| e.len() + 2).sum();
    let mut out = Vec::with_capacity(1 + bytes);
    out.push(RECORD_VERSION);
    for entry in entries {
        let mut len = entry.len();
        while len >= 0x80 {
            out.push((len as u8) | 0x80);
            len >>= 7;
        }
        out.push(len as u8);
        out.extend_from_slice(entry);
    }
    out
}

/// The entries of an index block, borrowing from its bytes.
pub fn decode_index_block(bytes: &[u8]) -> Result<Vec<&[u8]>> {
    let mut rest = body(bytes)?;
    let mut entries = Vec::with_capacity(64);
    let malformed = || corrupt("an index block is malformed");
    while !rest.is_empty() {
        let mut len = 0usize;
        let mut shift = 0;
        loop {
            let (&byte, after) = rest.split_first().ok_or_else(malformed)?;
            rest = after;
            len |= usize::from(byte & 0x7F)
                .checked_shl(shift)
                .ok_or_else(malformed)?;
            if byte < 0x80 {
                break;
            }
            shift += 7;
            if shift > 28 {
                return Err(malformed());
            }
        }
        if len > rest.len() {
            return Err(malformed());
        }
        let (entry, after) = rest.split_at(len);
        entries.push(entry);
        rest = after;
    }
    Ok(entries)
}

/// One adjacency entry of a node: (direction byte, relationship type, other node,
/// relationship).
pub type AdjEntry = (u8, super::keys::Token, u64, u64);

/// The size of one entry in an adjacency chunk.
const ADJ_ENTRY_LEN: usize = 1 + 4 + 8 + 8;

/// An adjacency chunk: the version byte, then entries as (direction byte, big-endian
/// type, other node and relationship), by relationship id.
pub fn encode_adj(entries: &[AdjEntry]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 + entries.len() * ADJ_ENTRY_LEN);
    out.push(RECORD_VERSION);
    for (dir, rel_type, other, rel) in entries {
        out.push(*dir);
        out.extend_from_slice(&rel_type.to_be_bytes());
        out.extend_from_slice(&other.to_be_bytes());
        out.extend_from_slice(&rel.to_be_bytes());
    }
    out
}

/// The entries of an adjacency chunk, decoded as they are read.
pub fn adj_entries(bytes: &[u8]) -> Result<impl Iterator<Item = AdjEntry> + '_> {
    let body = body(bytes)?;
    if body.len() % ADJ_ENTRY_LEN != 0 {
        return Err(corrupt("an adjacency chunk has a partial entry"));
    }
    Ok(body.chunks_exact(ADJ_ENTRY_LEN).map(|entry| {
        let (dir, rest) = entry.split_at(1);
        let (rel_type, rest) = rest.split_at(4);
        let (other, rel) = rest.split_at(8);
        (
            dir.first().copied().unwrap_or_default(),
            super::keys::be_u32(rel_type).unwrap_or_default(),
            super::keys::be_u64(other).unwrap_or_default(),
            super::keys::be_u64(rel).unwrap_or_default(),
        )
    }))
}

pub fn encode_u64(v: u64) -> Vec<u8> {
    v.to_be_bytes().to_vec()
}

pub fn decode_u64(bytes: &[u8]) -> Result<u64> {
    super::keys::be_u64(bytes).ok_or_else(|| corrupt("a counter is not eight bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_record_round_trips() {
        let rec = NodeRecord {
            labels: vec![1, 5],
            props: vec![
                (0, StoredValue::Int(-3)),
                (2, StoredValue::List(vec![StoredValue::String("a".into())])),
            ],
        };
        let bytes = encode_node(&rec).unwrap_or_default();
        assert_eq!(decode_node(&bytes).ok(), Some(rec));
    }

    #[test]
    fn relationship_chunks_round_trip() {
        let rec = RelRecord {
            header: RelHeader {
                rel_type: 2,
                start: 9,
                end: 1 << 40,
            },
            props: vec![(1, StoredValue::String("x".into()))],
        };
        let bytes = encode_rel(&rec).unwrap_or_default();
        let chunk = encode_rel_chunk(&[(0, vec![]), (5, bytes.clone())]).unwrap_or_default();
        let entries = decode_rel_chunk(&chunk).unwrap_or_default();
        assert_eq!(entries, vec![(0, &[][..]), (5, &bytes[..])]);
        assert_eq!(decode_rel(&bytes).ok(), Some(rec.clone()));
        assert_eq!(decode_rel_header(&bytes).ok(), Some(rec.header));
    }

    #[test]
    fn index_blocks_round_trip() {
        let long = vec![7u8; 300];
        let entries: Vec<&[u8]> = vec![b"", b"a", &long, b"\x03zz\x00\x00"];
        let bytes = encode_index_block(&entries);
        assert_eq!(decode_index_block(&bytes).ok(), Some(entries));
        assert!(decode_index_block(&bytes[..bytes.len() - 1]).is_err());
        assert!(decode_index_block(&[RECORD_VERSION, 0x80]).is_err());
    }

    #[test]
    fn adjacency_chunks_round_trip() {
        let entries = vec![(0, 3, 1, 2), (1, u32::MAX, u64::MAX, 7)];
        let bytes = encode_adj(&entries);
        let back: Vec<AdjEntry> = adj_entries(&bytes).map(|e| e.collect()).unwrap_or_default();
        assert_eq!(back, entries);
        assert!(adj_entries(&bytes[..bytes.len() - 1]).is_err());
    }

    #[test]
    fn wrong_version_is_refused() {
        let mut bytes = encode_node(&NodeRecord::default()).unwrap_or_default();
        bytes[0] = 99;
        assert!(decode_node(&bytes).is_err());
    }

    #[test]
    fn unstorable_values_are_type_errors() {
        for v in [
            Value::Null,
            Value::Map(Default::default()),
            Value::List(vec![Value::Int(1), Value::String("x".into())]),
            Value::List(vec![Value::List(vec![])]),
            Value::List(vec![Value::Null]),
        ] {
            let err = to_stored(&v).err();
            assert_eq!(
                err.map(|e| e.detail),
                Some("InvalidPropertyType".to_string())
            );
        }
    }

    #[test]
    fn temporal_values_round_trip() {
        let d = civil::date(2015, 7, 21);
        let t = civil::time(21, 40, 32, 142_000_000);
        let v = Value::DateTime(DateTime {
            local: d.to_datetime(t),
            offset_seconds: 3600,
            zone: Some("Europe/London".into()),
        });
        let stored = to_stored(&v).unwrap_or(StoredValue::Bool(false));
        let back = from_stored(&stored).unwrap_or(Value::Null);
        assert_eq!(format!("{back:?}"), format!("{v:?}"));
    }
}
