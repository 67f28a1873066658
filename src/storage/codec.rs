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

/// Properties with each value converted by `convert` (between stored and query values).
fn convert_props<A, B>(
    props: &[(Token, A)],
    convert: impl Fn(&A) -> Result<B>,
) -> Result<Vec<(Token, B)>> {
    props.iter().map(|(k, v)| Ok((*k, convert(v)?))).collect()
}

impl NodeData {
    pub fn decode(bytes: &[u8]) -> Result<NodeData> {
        let record = decode_node(bytes)?;
        Ok(NodeData {
            props: convert_props(&record.props, from_stored)?,
            labels: record.labels,
        })
    }

    /// The stored form, to change and write back.
    pub fn to_record(&self) -> Result<NodeRecord> {
        Ok(NodeRecord {
            labels: self.labels.clone(),
            props: convert_props(&self.props, to_stored)?,
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

/// Appends `len` as LEB128.
fn push_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push((len as u8) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

/// Splits a LEB128 length off the front of `bytes`.
fn take_len<'a>(bytes: &'a [u8], what: &str) -> Result<(usize, &'a [u8])> {
    let mut len = 0usize;
    let mut rest = bytes;
    for shift in (0..35).step_by(7) {
        let (&byte, after) = rest
            .split_first()
            .ok_or_else(|| corrupt(&format!("{what} is cut short")))?;
        rest = after;
        len |= usize::from(byte & 0x7F) << shift;
        if byte < 0x80 {
            return Ok((len, rest));
        }
    }
    Err(corrupt(&format!("{what} has a malformed length")))
}

/// Splits `len` bytes off the front of `bytes`.
fn take_bytes<'a>(bytes: &'a [u8], len: usize, what: &str) -> Result<(&'a [u8], &'a [u8])> {
    if len > bytes.len() {
        return Err(corrupt(&format!("{what} is cut short")));
    }
    Ok(bytes.split_at(len))
}

/// A chunk of records (node or relationship records of up to 64 consecutive ids): the
/// version byte, then for each record by offset its offset in the chunk, its length
/// (LEB128) and its bytes. A record is found, replaced or removed by walking the
/// lengths, without decoding the others.
pub fn encode_chunk<'r>(records: impl IntoIterator<Item = (u8, &'r [u8])>) -> Vec<u8> {
    let mut out = vec![RECORD_VERSION];
    for (offset, record) in records {
        out.push(offset);
        push_len(&mut out, record.len());
        out.extend_from_slice(record);
    }
    out
}

/// A record of a chunk: its offset, its bytes, and where its entry lies in the chunk.
type ChunkEntry<'a> = (u8, &'a [u8], std::ops::Range<usize>);

/// The records of a chunk, by offset.
fn chunk_entries(bytes: &[u8]) -> Result<Vec<ChunkEntry<'_>>> {
    const WHAT: &str = "a record chunk";
    let mut rest = body(bytes)?;
    let mut entries = Vec::new();
    while let Some((&offset, after)) = rest.split_first() {
        let begin = bytes.len() - rest.len();
        let (len, after) = take_len(after, WHAT)?;
        let (record, after) = take_bytes(after, len, WHAT)?;
        rest = after;
        entries.push((offset, record, begin..bytes.len() - rest.len()));
    }
    Ok(entries)
}

/// The records of a chunk, (offset, bytes) by offset, borrowing from it.
pub fn chunk_records(bytes: &[u8]) -> Result<Vec<(u8, &[u8])>> {
    Ok(chunk_entries(bytes)?
        .into_iter()
        .map(|(offset, record, _)| (offset, record))
        .collect())
}

/// The record at `offset` of a chunk, if there is one.
pub fn chunk_record(bytes: &[u8], offset: u8) -> Result<Option<&[u8]>> {
    Ok(chunk_entries(bytes)?
        .into_iter()
        .find(|(o, _, _)| *o == offset)
        .map(|(_, record, _)| record))
}

/// The chunk `chunk` (`None`: none yet) with the record at `offset` set to `record`
/// (`None`: removed); `None` when no record is left. The other entries are copied as
/// they are.
pub fn chunk_with(
    chunk: Option<&[u8]>,
    offset: u8,
    record: Option<&[u8]>,
) -> Result<Option<Vec<u8>>> {
    let whole = chunk.unwrap_or(&[RECORD_VERSION]);
    let entries = chunk_entries(whole)?;
    let at = entries.partition_point(|(o, _, _)| *o < offset);
    let (head_end, tail_start) = match entries.get(at) {
        Some((o, _, range)) if *o == offset => (range.start, range.end),
        Some((_, _, range)) => (range.start, range.start),
        None => (whole.len(), whole.len()),
    };
    let mut out = Vec::with_capacity(whole.len() + record.map_or(0, |r| r.len() + 6));
    out.extend_from_slice(whole.get(..head_end).unwrap_or_default());
    if let Some(record) = record {
        out.push(offset);
        push_len(&mut out, record.len());
        out.extend_from_slice(record);
    }
    out.extend_from_slice(whole.get(tail_start..).unwrap_or_default());
    Ok((out.len() > 1).then_some(out))
}

/// A block of index entries (see `index_blocks`): the version byte, then each entry's
/// length (LEB128) and bytes, sorted.
pub fn encode_index_block(entries: &[&[u8]]) -> Vec<u8> {
    let bytes: usize = entries.iter().map(|e| e.len() + 2).sum();
    let mut out = Vec::with_capacity(1 + bytes);
    out.push(RECORD_VERSION);
    for entry in entries {
        push_len(&mut out, entry.len());
        out.extend_from_slice(entry);
    }
    out
}

/// The entries of an index block, borrowing from its bytes.
pub fn decode_index_block(bytes: &[u8]) -> Result<Vec<&[u8]>> {
    const WHAT: &str = "an index block";
    let mut rest = body(bytes)?;
    let mut entries = Vec::with_capacity(64);
    while !rest.is_empty() {
        let (len, after) = take_len(rest, WHAT)?;
        let (entry, after) = take_bytes(after, len, WHAT)?;
        entries.push(entry);
        rest = after;
    }
    Ok(entries)
}

/// One adjacency entry of a node: (direction byte, relationship type, other node,
/// relationship).
pub type AdjEntry = (u8, super::keys::Token, u64, u64);

/// The size of one entry in an adjacency chunk.
pub const ADJ_ENTRY_LEN: usize = 1 + 4 + 8 + 8;

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
        let chunk = encode_chunk([(0, &[][..]), (5, &bytes[..])]);
        let entries = chunk_records(&chunk).unwrap_or_default();
        assert_eq!(entries, vec![(0, &[][..]), (5, &bytes[..])]);
        assert_eq!(chunk_record(&chunk, 5).ok(), Some(Some(&bytes[..])));
        assert_eq!(chunk_record(&chunk, 4).ok(), Some(None));
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

    /// Setting and removing records in a chunk gives what encoding the records gives.
    #[test]
    fn chunk_edits_match_encoding() {
        let long = vec![1u8; 200];
        let mut model: std::collections::BTreeMap<u8, Vec<u8>> = Default::default();
        let mut chunk: Option<Vec<u8>> = None;
        let edits: [(u8, Option<&[u8]>); 10] = [
            (3, Some(&long)),
            (0, Some(b"a")),
            (63, Some(b"")),
            (10, Some(b"xyz")),
            (10, None),
            (3, Some(b"short")),
            (5, None),
            (0, None),
            (63, None),
            (3, None),
        ];
        for (offset, record) in edits {
            chunk = chunk_with(chunk.as_deref(), offset, record).unwrap_or_default();
            match record {
                Some(r) => model.insert(offset, r.to_vec()),
                None => model.remove(&offset),
            };
            let expected = (!model.is_empty())
                .then(|| encode_chunk(model.iter().map(|(o, r)| (*o, r.as_slice()))));
            assert_eq!(chunk, expected, "after {offset} {record:?}");
        }
        assert!(chunk_records(&[RECORD_VERSION, 1, 5, 0]).is_err());
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
