//! Order-preserving encoding of property values inside index keys, so that an equality
//! lookup is a prefix scan and a range lookup is a key-range scan.
//!
//! Layout: a family byte, then the value:
//! - booleans: `false` < `true`;
//! - numbers (integers and floats together, since Cypher compares them by value): the
//!   value as an order-preserving f64, then a kind byte (float, integer), then for an
//!   integer its exact order-preserving i64 (integers beyond 2^53 share an f64);
//! - strings: the bytes with `00` escaped as `00 FF`, ended by `00 00`, so that no
//!   string's key is a prefix of another's and byte order is string order;
//! - anything else storable (temporal values, lists): its record encoding, escaped like
//!   a string; usable for equality only.
//!
//! Range lookups compute a conservative key range and then compare each entry's decoded
//! value exactly, which keeps integer/float boundary cases right.

use super::codec::{self, StoredValue};
use crate::value::Value;
use std::cmp::Ordering;

const FAMILY_BOOL: u8 = 0x01;
const FAMILY_NUMBER: u8 = 0x02;
const FAMILY_STRING: u8 = 0x03;
const FAMILY_OTHER: u8 = 0x04;

const KIND_FLOAT: u8 = 0;
const KIND_INT: u8 = 1;

/// A value decoded from an index key, enough to compare it with a bound.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexedValue {
    Bool(bool),
    Float(f64),
    Int(i64),
    String(String),
    Other,
}

fn ordered_f64(f: f64) -> [u8; 8] {
    let bits = f.to_bits();
    let flipped = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    flipped.to_be_bytes()
}

fn f64_from_ordered(bytes: [u8; 8]) -> f64 {
    let flipped = u64::from_be_bytes(bytes);
    let bits = if flipped >> 63 == 1 {
        flipped & !(1 << 63)
    } else {
        !flipped
    };
    f64::from_bits(bits)
}

fn ordered_i64(i: i64) -> [u8; 8] {
    ((i as u64) ^ (1 << 63)).to_be_bytes()
}

fn i64_from_ordered(bytes: [u8; 8]) -> i64 {
    (u64::from_be_bytes(bytes) ^ (1 << 63)) as i64
}

fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// The number part of a key up to (not including) the kind byte.
pub fn number_prefix(f: f64) -> Vec<u8> {
    // -0.0 equals 0.0, so both get one key.
    let f = if f == 0.0 { 0.0 } else { f };
    let mut out = vec![FAMILY_NUMBER];
    out.extend_from_slice(&ordered_f64(f));
    out
}

/// Appends the encoding of a stored value.
pub fn encode(out: &mut Vec<u8>, value: &StoredValue) {
    match value {
        StoredValue::Bool(b) => out.extend_from_slice(&[FAMILY_BOOL, u8::from(*b)]),
        StoredValue::Float(f) => {
            out.extend_from_slice(&number_prefix(*f));
            out.push(KIND_FLOAT);
        }
        StoredValue::Int(i) => {
            out.extend_from_slice(&number_prefix(*i as f64));
            out.push(KIND_INT);
            out.extend_from_slice(&ordered_i64(*i));
        }
        StoredValue::String(s) => {
            out.push(FAMILY_STRING);
            push_escaped(out, s.as_bytes());
        }
        other => {
            out.push(FAMILY_OTHER);
            // A value that cannot be encoded cannot have been stored either.
            let bytes = postcard::to_allocvec(other).unwrap_or_default();
            push_escaped(out, &bytes);
        }
    }
}

/// Decodes the value at the start of `bytes` (the node id after it is ignored).
pub fn decode(bytes: &[u8]) -> Option<IndexedValue> {
    let (&family, rest) = bytes.split_first()?;
    match family {
        FAMILY_BOOL => Some(IndexedValue::Bool(*rest.first()? != 0)),
        FAMILY_NUMBER => {
            let f = f64_from_ordered(rest.get(..8)?.try_into().ok()?);
            match *rest.get(8)? {
                KIND_INT => Some(IndexedValue::Int(i64_from_ordered(
                    rest.get(9..17)?.try_into().ok()?,
                ))),
                _ => Some(IndexedValue::Float(f)),
            }
        }
        FAMILY_STRING => {
            let mut s = Vec::new();
            let mut i = 0;
            loop {
                let b = *rest.get(i)?;
                if b == 0 {
                    if *rest.get(i + 1)? == 0 {
                        break;
                    }
                    i += 1;
                }
                s.push(b);
                i += 1;
            }
            String::from_utf8(s).ok().map(IndexedValue::String)
        }
        _ => Some(IndexedValue::Other),
    }
}

/// The family and key prefix a range bound's value starts from; `None` for values that
/// have no order in an index (temporal values, lists, null, NaN).
pub fn range_start(value: &Value) -> Option<(u8, Vec<u8>)> {
    match value {
        Value::Bool(b) => Some((FAMILY_BOOL, vec![FAMILY_BOOL, u8::from(*b)])),
        Value::Int(i) => Some((FAMILY_NUMBER, number_prefix(*i as f64))),
        Value::Float(f) if !f.is_nan() => Some((FAMILY_NUMBER, number_prefix(*f))),
        Value::String(s) => {
            let mut out = vec![FAMILY_STRING];
            push_escaped(&mut out, s.as_bytes());
            // Without the terminator: every string >= s has a key >= this.
            out.truncate(out.len() - 2);
            Some((FAMILY_STRING, out))
        }
        _ => None,
    }
}

pub fn family_prefix(family: u8) -> Vec<u8> {
    vec![family]
}

/// Compares a decoded index value with a bound value (same family), Cypher style:
/// integers and floats by numeric value.
pub fn compare(indexed: &IndexedValue, bound: &Value) -> Option<Ordering> {
    match (indexed, bound) {
        (IndexedValue::Bool(a), Value::Bool(b)) => Some(a.cmp(b)),
        (IndexedValue::Int(a), Value::Int(b)) => Some(a.cmp(b)),
        (IndexedValue::Int(a), Value::Float(b)) => compare_int_float(*a, *b),
        (IndexedValue::Float(a), Value::Int(b)) => compare_int_float(*b, *a).map(Ordering::reverse),
        (IndexedValue::Float(a), Value::Float(b)) => a.partial_cmp(b),
        (IndexedValue::String(a), Value::String(b)) => Some(a.as_str().cmp(b.as_str())),
        _ => None,
    }
}

/// Exact comparison of an integer with a float (no rounding of large integers).
fn compare_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 as f64; every float at or beyond the i64 range compares by sign.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let whole = f.trunc();
    match i.cmp(&(whole as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - whole)),
        other => Some(other),
    }
}

/// The stored form of a lookup value, `None` when no stored property can equal it.
pub fn lookup_value(value: &Value) -> Option<StoredValue> {
    match value {
        Value::Float(f) if f.is_nan() => None,
        other => codec::to_stored(other).ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(v: StoredValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode(&mut out, &v);
        out
    }

    #[test]
    fn numbers_sort_by_value_across_kinds() {
        let values = [
            StoredValue::Float(f64::NEG_INFINITY),
            StoredValue::Int(i64::MIN),
            StoredValue::Float(-2.5),
            StoredValue::Int(-1),
            StoredValue::Float(0.0),
            StoredValue::Int(0),
            StoredValue::Float(0.5),
            StoredValue::Int(3),
            StoredValue::Int(i64::MAX),
            StoredValue::Float(f64::INFINITY),
        ];
        let keys: Vec<Vec<u8>> = values.iter().cloned().map(key).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for (v, k) in values.iter().zip(&keys) {
            let back = decode(k);
            match v {
                StoredValue::Int(i) => assert_eq!(back, Some(IndexedValue::Int(*i))),
                StoredValue::Float(f) => assert_eq!(back, Some(IndexedValue::Float(*f))),
                _ => {}
            }
        }
    }

    #[test]
    fn strings_sort_and_round_trip_with_zero_bytes() {
        let words = ["", "a", "a\0", "a\0b", "ab", "b"];
        let keys: Vec<Vec<u8>> = words
            .iter()
            .map(|w| key(StoredValue::String(w.to_string())))
            .collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        for (w, k) in words.iter().zip(&keys) {
            assert_eq!(decode(k), Some(IndexedValue::String(w.to_string())));
        }
    }

    #[test]
    fn int_float_comparison_is_exact() {
        assert_eq!(compare_int_float(3, 2.5), Some(Ordering::Greater));
        assert_eq!(compare_int_float(3, 3.0), Some(Ordering::Equal));
        assert_eq!(compare_int_float(-3, -2.5), Some(Ordering::Less));
        assert_eq!(
            compare_int_float((1 << 53) + 1, (1u64 << 53) as f64),
            Some(Ordering::Greater)
        );
        assert_eq!(compare_int_float(i64::MAX, 1e19), Some(Ordering::Less));
    }
}
