//! Key encoding: every key starts with its keyspace byte, and every integer in a key is
//! big-endian, so the byte order of keys is the order the graph layer scans in. Prefix
//! and range scans are the only access paths, so each layout below puts the fields a scan
//! fixes first.
//!
//! | keyspace | key | value |
//! | --- | --- | --- |
//! | `META` | `META sub` | format record, counters |
//! | `TOKEN` | `TOKEN kind name` | token (u32) |
//! | `TOKEN_NAME` | `TOKEN_NAME kind token` | name |
//! | `NODE` | `NODE node` | node record (labels, properties) |
//! | `REL` | `REL rel` | relationship record (type, start, end, properties) |
//! | `ADJ` | `ADJ node dir type other rel` | empty |
//! | `LABEL` | `LABEL label node` | empty |
//! | `COUNT` | `COUNT kind token` | u64 |

use super::{Dir, NodeId, RelId};

pub const META: u8 = 0x00;
pub const TOKEN: u8 = 0x01;
pub const TOKEN_NAME: u8 = 0x02;
pub const NODE: u8 = 0x10;
pub const REL: u8 = 0x11;
pub const ADJ: u8 = 0x12;
pub const LABEL: u8 = 0x13;
pub const COUNT: u8 = 0x14;

/// Sub-keys of the `META` keyspace.
pub const META_FORMAT: u8 = 0x01;
pub const META_NEXT_NODE: u8 = 0x02;
pub const META_NEXT_REL: u8 = 0x03;
pub const META_NODE_COUNT: u8 = 0x05;
pub const META_REL_COUNT: u8 = 0x06;

/// What a token names; each kind has its own token space.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TokenKind {
    Label = 0,
    RelType = 1,
    PropertyKey = 2,
}

impl TokenKind {
    pub const ALL: [TokenKind; 3] = [TokenKind::Label, TokenKind::RelType, TokenKind::PropertyKey];

    pub fn from_byte(b: u8) -> Option<TokenKind> {
        TokenKind::ALL.into_iter().find(|k| *k as u8 == b)
    }
}

pub type Token = u32;

/// Adjacency direction byte as stored: each relationship is stored once under its start
/// node (`OUT`) and once under its end node (`IN`).
pub const DIR_OUT: u8 = 0;
pub const DIR_IN: u8 = 1;

pub fn meta(sub: u8) -> Vec<u8> {
    vec![META, sub]
}

pub fn token(kind: TokenKind, name: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + name.len());
    k.push(TOKEN);
    k.push(kind as u8);
    k.extend_from_slice(name.as_bytes());
    k
}

pub fn token_name(kind: TokenKind, token: Token) -> Vec<u8> {
    let mut k = Vec::with_capacity(6);
    k.push(TOKEN_NAME);
    k.push(kind as u8);
    k.extend_from_slice(&token.to_be_bytes());
    k
}

pub fn node(id: NodeId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(NODE);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub fn rel(id: RelId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(REL);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Length of a full adjacency key.
pub const ADJ_KEY_LEN: usize = 1 + 8 + 1 + 4 + 8 + 8;

pub fn adj(node: NodeId, dir: u8, rel_type: Token, other: NodeId, rel: RelId) -> Vec<u8> {
    let mut k = adj_prefix_type(node, dir, rel_type);
    k.extend_from_slice(&other.to_be_bytes());
    k.extend_from_slice(&rel.to_be_bytes());
    k
}

pub fn adj_prefix_node(node: NodeId) -> Vec<u8> {
    let mut k = Vec::with_capacity(ADJ_KEY_LEN);
    k.push(ADJ);
    k.extend_from_slice(&node.to_be_bytes());
    k
}

pub fn adj_prefix_dir(node: NodeId, dir: u8) -> Vec<u8> {
    let mut k = adj_prefix_node(node);
    k.push(dir);
    k
}

pub fn adj_prefix_type(node: NodeId, dir: u8, rel_type: Token) -> Vec<u8> {
    let mut k = adj_prefix_dir(node, dir);
    k.extend_from_slice(&rel_type.to_be_bytes());
    k
}

/// The fields of an adjacency key: (node, dir, type, other, rel).
pub fn parse_adj(key: &[u8]) -> Option<(NodeId, u8, Token, NodeId, RelId)> {
    if key.len() != ADJ_KEY_LEN || key.first() != Some(&ADJ) {
        return None;
    }
    let node = be_u64(key.get(1..9)?)?;
    let dir = *key.get(9)?;
    let rel_type = be_u32(key.get(10..14)?)?;
    let other = be_u64(key.get(14..22)?)?;
    let rel = be_u64(key.get(22..30)?)?;
    Some((node, dir, rel_type, other, rel))
}

pub fn label_prefix(label: Token) -> Vec<u8> {
    let mut k = Vec::with_capacity(13);
    k.push(LABEL);
    k.extend_from_slice(&label.to_be_bytes());
    k
}

pub fn label_entry(label: Token, node: NodeId) -> Vec<u8> {
    let mut k = label_prefix(label);
    k.extend_from_slice(&node.to_be_bytes());
    k
}

pub fn count(kind: TokenKind, token: Token) -> Vec<u8> {
    let mut k = Vec::with_capacity(6);
    k.push(COUNT);
    k.push(kind as u8);
    k.extend_from_slice(&token.to_be_bytes());
    k
}

/// The id stored in the last eight bytes of a key (node of a label or index entry).
pub fn trailing_id(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    be_u64(key.get(start..)?)
}

pub fn be_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

pub fn be_u32(bytes: &[u8]) -> Option<u32> {
    Some(u32::from_be_bytes(bytes.try_into().ok()?))
}

/// The smallest key greater than every key that starts with `prefix`; `None` when no such
/// key exists (the prefix is all `0xFF`).
pub fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// The stored direction bytes a `Dir` expands over.
pub fn dir_bytes(dir: Dir) -> &'static [u8] {
    match dir {
        Dir::Outgoing => &[DIR_OUT],
        Dir::Incoming => &[DIR_IN],
        Dir::Both => &[DIR_OUT, DIR_IN],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adjacency_key_round_trips() {
        let k = adj(7, DIR_IN, 3, 9, 11);
        assert_eq!(k.len(), ADJ_KEY_LEN);
        assert_eq!(parse_adj(&k), Some((7, DIR_IN, 3, 9, 11)));
        assert!(k.starts_with(&adj_prefix_type(7, DIR_IN, 3)));
    }

    #[test]
    fn ids_sort_numerically() {
        assert!(node(255) < node(256));
        assert!(label_entry(1, u64::MAX) < label_prefix(2));
    }

    #[test]
    fn prefix_end_skips_trailing_ff() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}
