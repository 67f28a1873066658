//! PackStream, the binary value format Bolt messages are written in: [`PackValue`] (the
//! values as they are on the wire), [`Packer`] (writes markers and values into a
//! buffer) and [`Unpacker`] (reads them back from untrusted bytes).
//!
//! Invariants of the decoder: it never panics and never allocates more than the input
//! can fill (a length is checked against the bytes left before anything is reserved);
//! lists, maps and structures nest at most [`MAX_DEPTH`] levels; strings are UTF-8 and
//! map keys are strings, as the format requires.

use std::fmt;

/// How deeply lists, maps and structures may nest in one decoded value; deeper input is
/// an error rather than a deep recursion.
pub const MAX_DEPTH: usize = 64;

/// A PackStream value. Maps keep their entries in wire order.
#[derive(Clone, Debug, PartialEq)]
pub enum PackValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    String(String),
    List(Vec<PackValue>),
    Map(Vec<(String, PackValue)>),
    Struct { tag: u8, fields: Vec<PackValue> },
}

impl PackValue {
    /// The kind of value, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            PackValue::Null => "null",
            PackValue::Bool(_) => "a boolean",
            PackValue::Int(_) => "an integer",
            PackValue::Float(_) => "a float",
            PackValue::Bytes(_) => "a byte array",
            PackValue::String(_) => "a string",
            PackValue::List(_) => "a list",
            PackValue::Map(_) => "a map",
            PackValue::Struct { .. } => "a structure",
        }
    }

    /// The entry `key` of a map value.
    pub fn get(&self, key: &str) -> Option<&PackValue> {
        match self {
            PackValue::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            PackValue::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            PackValue::Int(i) => Some(*i),
            _ => None,
        }
    }
}

/// Why bytes could not be read as PackStream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes PackStream into a growing buffer.
#[derive(Default)]
pub struct Packer {
    pub buf: Vec<u8>,
}

impl Packer {
    pub fn null(&mut self) {
        self.buf.push(0xC0);
    }

    pub fn bool(&mut self, b: bool) {
        self.buf.push(if b { 0xC3 } else { 0xC2 });
    }

    /// The shortest encoding of `i`.
    pub fn int(&mut self, i: i64) {
        if (-16..=127).contains(&i) {
            self.buf.push(i as i8 as u8);
        } else if let Ok(v) = i8::try_from(i) {
            self.buf.push(0xC8);
            self.buf.push(v as u8);
        } else if let Ok(v) = i16::try_from(i) {
            self.buf.push(0xC9);
            self.buf.extend_from_slice(&v.to_be_bytes());
        } else if let Ok(v) = i32::try_from(i) {
            self.buf.push(0xCA);
            self.buf.extend_from_slice(&v.to_be_bytes());
        } else {
            self.buf.push(0xCB);
            self.buf.extend_from_slice(&i.to_be_bytes());
        }
    }

    pub fn float(&mut self, x: f64) {
        self.buf.push(0xC1);
        self.buf.extend_from_slice(&x.to_be_bytes());
    }

    pub fn bytes(&mut self, b: &[u8]) {
        self.sized(b.len(), None, [0xCC, 0xCD, 0xCE]);
        self.buf.extend_from_slice(b);
    }

    pub fn string(&mut self, s: &str) {
        self.sized(s.len(), Some(0x80), [0xD0, 0xD1, 0xD2]);
        self.buf.extend_from_slice(s.as_bytes());
    }

    pub fn list_header(&mut self, len: usize) {
        self.sized(len, Some(0x90), [0xD4, 0xD5, 0xD6]);
    }

    pub fn map_header(&mut self, len: usize) {
        self.sized(len, Some(0xA0), [0xD8, 0xD9, 0xDA]);
    }

    /// A structure of `fields` fields (at most 15, as Bolt's structures all are).
    pub fn struct_header(&mut self, fields: u8, tag: u8) {
        self.buf.push(0xB0 | (fields & 0x0F));
        self.buf.push(tag);
    }

    /// A size: in the marker's low nibble when `tiny` is given and it fits, else after
    /// the 8, 16 or 32 bit marker. Sizes past `u32::MAX` cannot occur: a message is
    /// far smaller.
    fn sized(&mut self, len: usize, tiny: Option<u8>, markers: [u8; 3]) {
        match tiny {
            Some(base) if len < 16 => self.buf.push(base | len as u8),
            _ => {
                if let Ok(n) = u8::try_from(len) {
                    self.buf.push(markers[0]);
                    self.buf.push(n);
                } else if let Ok(n) = u16::try_from(len) {
                    self.buf.push(markers[1]);
                    self.buf.extend_from_slice(&n.to_be_bytes());
                } else {
                    self.buf.push(markers[2]);
                    let n = u32::try_from(len).unwrap_or(u32::MAX);
                    self.buf.extend_from_slice(&n.to_be_bytes());
                }
            }
        }
    }

    /// Any [`PackValue`].
    pub fn value(&mut self, value: &PackValue) {
        match value {
            PackValue::Null => self.null(),
            PackValue::Bool(b) => self.bool(*b),
            PackValue::Int(i) => self.int(*i),
            PackValue::Float(x) => self.float(*x),
            PackValue::Bytes(b) => self.bytes(b),
            PackValue::String(s) => self.string(s),
            PackValue::List(items) => {
                self.list_header(items.len());
                for item in items {
                    self.value(item);
                }
            }
            PackValue::Map(entries) => {
                self.map_header(entries.len());
                for (k, v) in entries {
                    self.string(k);
                    self.value(v);
                }
            }
            PackValue::Struct { tag, fields } => {
                self.struct_header(fields.len() as u8, *tag);
                for field in fields {
                    self.value(field);
                }
            }
        }
    }
}

/// Reads PackStream values from a byte slice.
pub struct Unpacker<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Unpacker<'a> {
    pub fn new(data: &'a [u8]) -> Unpacker<'a> {
        Unpacker { data, pos: 0 }
    }

    /// Whether every byte was read.
    pub fn is_done(&self) -> bool {
        self.pos >= self.data.len()
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        match end.and_then(|end| self.data.get(self.pos..end)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(DecodeError(format!(
                "the message ends early: {n} more bytes expected at byte {}",
                self.pos
            ))),
        }
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn length(&mut self, width: u8) -> Result<usize, DecodeError> {
        Ok(match width {
            1 => usize::from(self.byte()?),
            2 => usize::from(u16::from_be_bytes(self.array()?)),
            _ => u32::from_be_bytes(self.array()?) as usize,
        })
    }

    /// A count of items each at least one byte long: more than the bytes left is
    /// malformed, so no allocation trusts a length the input cannot back.
    fn item_count(&mut self, count: usize, what: &str) -> Result<usize, DecodeError> {
        let left = self.data.len().saturating_sub(self.pos);
        if count > left {
            return Err(DecodeError(format!(
                "a {what} of {count} items at byte {} is longer than the message",
                self.pos
            )));
        }
        Ok(count)
    }

    /// The next value; `depth` is how deep in lists, maps and structures it is.
    pub fn value(&mut self, depth: usize) -> Result<PackValue, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError(format!(
                "values nest more than {MAX_DEPTH} levels deep"
            )));
        }
        let at = self.pos;
        let marker = self.byte()?;
        Ok(match marker {
            0x00..=0x7F => PackValue::Int(i64::from(marker)),
            0xF0..=0xFF => PackValue::Int(i64::from(marker as i8)),
            0xC0 => PackValue::Null,
            0xC1 => PackValue::Float(f64::from_be_bytes(self.array()?)),
            0xC2 => PackValue::Bool(false),
            0xC3 => PackValue::Bool(true),
            0xC8 => PackValue::Int(i64::from(self.byte()? as i8)),
            0xC9 => PackValue::Int(i64::from(i16::from_be_bytes(self.array()?))),
            0xCA => PackValue::Int(i64::from(i32::from_be_bytes(self.array()?))),
            0xCB => PackValue::Int(i64::from_be_bytes(self.array()?)),
            0xCC..=0xCE => {
                let len = self.length(1 << (marker - 0xCC))?;
                PackValue::Bytes(self.take(len)?.to_vec())
            }
            0x80..=0x8F => self.string_of((marker & 0x0F) as usize)?,
            0xD0..=0xD2 => {
                let len = self.length(1 << (marker - 0xD0))?;
                self.string_of(len)?
            }
            0x90..=0x9F => self.list_of((marker & 0x0F) as usize, depth)?,
            0xD4..=0xD6 => {
                let len = self.length(1 << (marker - 0xD4))?;
                self.list_of(len, depth)?
            }
            0xA0..=0xAF => self.map_of((marker & 0x0F) as usize, depth)?,
            0xD8..=0xDA => {
                let len = self.length(1 << (marker - 0xD8))?;
                self.map_of(len, depth)?
            }
            0xB0..=0xBF => {
                let count = (marker & 0x0F) as usize;
                let tag = self.byte()?;
                let mut fields = Vec::with_capacity(count);
                for _ in 0..count {
                    fields.push(self.value(depth + 1)?);
                }
                PackValue::Struct { tag, fields }
            }
            other => {
                return Err(DecodeError(format!(
                    "byte {at}: 0x{other:02X} is not a PackStream marker"
                )))
            }
        })
    }

    fn string_of(&mut self, len: usize) -> Result<PackValue, DecodeError> {
        let at = self.pos;
        let bytes = self.take(len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(PackValue::String(s.to_string())),
            Err(_) => Err(DecodeError(format!(
                "the string at byte {at} is not valid UTF-8"
            ))),
        }
    }

    fn list_of(&mut self, len: usize, depth: usize) -> Result<PackValue, DecodeError> {
        let len = self.item_count(len, "list")?;
        let mut items = Vec::with_capacity(len);
        for _ in 0..len {
            items.push(self.value(depth + 1)?);
        }
        Ok(PackValue::List(items))
    }

    fn map_of(&mut self, len: usize, depth: usize) -> Result<PackValue, DecodeError> {
        let len = self.item_count(len, "map")?;
        let mut entries = Vec::with_capacity(len);
        for _ in 0..len {
            let at = self.pos;
            let key = match self.value(depth + 1)? {
                PackValue::String(s) => s,
                other => {
                    return Err(DecodeError(format!(
                        "byte {at}: a map key must be a string, not {}",
                        other.kind()
                    )))
                }
            };
            let value = self.value(depth + 1)?;
            entries.push((key, value));
        }
        Ok(PackValue::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: PackValue) {
        let mut packer = Packer::default();
        packer.value(&value);
        let mut unpacker = Unpacker::new(&packer.buf);
        assert_eq!(unpacker.value(0), Ok(value));
        assert!(unpacker.is_done());
    }

    #[test]
    fn integers_take_the_shortest_form_and_come_back() {
        let cases: [(i64, usize); 10] = [
            (0, 1),
            (127, 1),
            (-16, 1),
            (-17, 2),
            (-128, 2),
            (128, 3),
            (-32768, 3),
            (32768, 5),
            (i64::from(i32::MIN) - 1, 9),
            (i64::MAX, 9),
        ];
        for (i, len) in cases {
            let mut packer = Packer::default();
            packer.int(i);
            assert_eq!(packer.buf.len(), len, "{i}");
            round_trip(PackValue::Int(i));
        }
        round_trip(PackValue::Int(i64::MIN));
    }

    #[test]
    fn every_kind_round_trips_at_every_size_class() {
        round_trip(PackValue::Null);
        round_trip(PackValue::Bool(true));
        round_trip(PackValue::Bool(false));
        round_trip(PackValue::Float(-1.5));
        round_trip(PackValue::Float(f64::INFINITY));
        for len in [0, 15, 16, 255, 256, 65535, 65536] {
            round_trip(PackValue::String(
                "é".repeat(len / 2) + &"x".repeat(len % 2),
            ));
            round_trip(PackValue::Bytes(vec![7; len]));
            round_trip(PackValue::List(vec![PackValue::Int(1); len]));
        }
        for len in [0, 15, 16, 300] {
            round_trip(PackValue::Map(
                (0..len)
                    .map(|i| (format!("k{i}"), PackValue::Int(i)))
                    .collect(),
            ));
        }
        round_trip(PackValue::Struct {
            tag: 0x44,
            fields: vec![PackValue::Int(19000)],
        });
    }

    #[test]
    fn known_encodings_match_the_specification() {
        let mut packer = Packer::default();
        packer.value(&PackValue::Map(vec![(
            "a".into(),
            PackValue::List(vec![PackValue::Int(1), PackValue::String("b".into())]),
        )]));
        assert_eq!(packer.buf, [0xA1, 0x81, b'a', 0x92, 0x01, 0x81, b'b']);
        let mut packer = Packer::default();
        packer.float(1.1);
        assert_eq!(
            packer.buf,
            [0xC1, 0x3F, 0xF1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A]
        );
    }

    #[test]
    fn malformed_input_is_an_error() {
        let bad: [&[u8]; 8] = [
            &[],
            &[0xC7],
            &[0xD2, 0xFF, 0xFF, 0xFF, 0xFF],
            &[0xD6, 0x7F, 0xFF, 0xFF, 0xFF],
            &[0xDA, 0x7F, 0xFF, 0xFF, 0xFF],
            &[0x82, 0xC3, 0x28],
            &[0xA1, 0x01, 0x01],
            &[0xB1, 0x44],
        ];
        for input in bad {
            assert!(Unpacker::new(input).value(0).is_err(), "{input:?}");
        }
        let deep = vec![0x91; MAX_DEPTH + 2];
        assert!(Unpacker::new(&deep).value(0).is_err());
    }
}
