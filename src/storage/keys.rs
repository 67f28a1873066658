//! Key encoding: every key starts with its keyspace byte, and every integer in a key is
//! big-endian, so the byte order of keys is the order the graph layer scans in. Prefix
//! and range scans are the only access paths, so each layout below puts the fields a scan
//! fixes first.
//!
//! | keyspace | key | value |
//! | --- | --- | --- |
//! | `META` | `META sub` | format record, counters, unfinished import journal |
//! | `TOKEN` | `TOKEN kind name` | token (u32) |
//! | `TOKEN_NAME` | `TOKEN_NAME kind token` | name |
//! | `NODE` | `NODE node>>6` | up to 64 node records (labels, properties), see `chunk_with` |
//! | `REL` | `REL rel>>6` | up to 64 relationship records (type, start, end, properties) |
//! | `NODE_APART`, `REL_APART` | keyspace and id | a record too large for its chunk, see `record_apart` |
//! | `ADJ` | `ADJ node bound` | packed (dir, type, other, rel) entries, see `adj_chunk` |
//! | `LABEL` | `LABEL label node>>6` | bitmap (u64) of the 64 nodes' label bits |
//! | `COUNT` | `COUNT kind token` | u64 |
//! | `SCHEMA` | `SCHEMA name` | schema definition |
//! | `INDEX` | `INDEX label key value node` | empty (see `index_key`) |
//! | `SOURCE` | `SOURCE source` | source record (name, SHA-256, load time, load sequence) |
//! | `ASSERT` | `ASSERT element source` | (line, sequence): `source` asserts the element |
//! | `CLAIM` | `CLAIM element key source` | (line, sequence, value): `source` claims the property |
//! | `BY_SOURCE` | `BY_SOURCE source element [key]` | empty: what `source` asserts, for retraction |
//! | `COMMIT` | `COMMIT tx` | commit record (time, source, counts, next ids) and a short undo list, see `history` |
//! | `UNDO` | `UNDO tx part` | part of a long undo list: what each key held before `tx` |
//! | `CHANGE` | `CHANGE element tx` | the element's whole record before `tx` |
//!
//! `element` is a kind byte (`ELEMENT_NODE`, `ELEMENT_REL`) and the id; source 0 is the
//! unsourced writer. The last four keyspaces exist only in stores that have had a source
//! (see `sources`).

use super::{Dir, NodeId, RelId};

pub const META: u8 = 0x00;
pub const TOKEN: u8 = 0x01;
pub const TOKEN_NAME: u8 = 0x02;
pub const NODE: u8 = 0x10;
pub const REL: u8 = 0x11;
pub const ADJ: u8 = 0x12;
pub const LABEL: u8 = 0x13;
pub const COUNT: u8 = 0x14;
pub const NODE_APART: u8 = 0x15;
pub const REL_APART: u8 = 0x16;
pub const SCHEMA: u8 = 0x20;
pub const INDEX: u8 = 0x21;
pub const SOURCE: u8 = 0x30;
pub const ASSERT: u8 = 0x31;
pub const CLAIM: u8 = 0x32;
pub const BY_SOURCE: u8 = 0x33;
pub const COMMIT: u8 = 0x40;
pub const UNDO: u8 = 0x41;
pub const CHANGE: u8 = 0x42;

/// Sub-keys of the `META` keyspace.
pub const META_FORMAT: u8 = 0x01;
pub const META_NEXT_NODE: u8 = 0x02;
pub const META_NEXT_REL: u8 = 0x03;
pub const META_NODE_COUNT: u8 = 0x05;
pub const META_REL_COUNT: u8 = 0x06;
/// Present only while a bulk import is unfinished: its first node and relationship ids
/// (see `bulk`).
pub const META_IMPORT: u8 = 0x07;
/// The last load sequence number handed out (see `sources`).
pub const META_LOAD_SEQ: u8 = 0x08;
/// The oldest transaction the graph can still be read as (after `compact`, or a bulk
/// import into a non-empty store).
pub const META_OLDEST_TX: u8 = 0x0A;

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

/// Node and relationship records are kept 64 to a key (ids are dense, so chunks fill
/// up): one key for many records is what makes creating many cheap.
pub const CHUNK_BITS: u32 = 6;

/// The key of the chunk that holds node `id`'s record.
pub fn node_chunk(id: NodeId) -> Vec<u8> {
    node_chunk_array(id).to_vec()
}

/// `node_chunk(id)` without an allocation, for lookups.
pub fn node_chunk_array(id: NodeId) -> [u8; 9] {
    let mut k = [NODE; 9];
    k[1..].copy_from_slice(&(id >> CHUNK_BITS).to_be_bytes());
    k
}

/// The key of the chunk that holds relationship `id`'s record.
pub fn rel_chunk(id: RelId) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(REL);
    k.extend_from_slice(&(id >> CHUNK_BITS).to_be_bytes());
    k
}

/// The key of a record kept apart from its chunk (`NODE_APART` or `REL_APART`): a large
/// record would make every write to its chunk copy it.
pub fn record_apart(keyspace: u8, id: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(keyspace);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// The position of record `id` inside its chunk.
pub fn chunk_offset(id: u64) -> u8 {
    (id & ((1 << CHUNK_BITS) - 1)) as u8
}

/// The id of the record at `offset` of chunk number `chunk`.
pub fn id_in_chunk(chunk: u64, offset: u8) -> u64 {
    (chunk << CHUNK_BITS) | u64::from(offset)
}

/// The bound of the open (last) adjacency chunk of a node: new relationships, whose ids
/// exceed every earlier one, are appended there. A sealed chunk's bound is the largest
/// relationship id it was sealed with, so the chunk holding relationship `r` is among the
/// first chunks of its node whose bound is `>= r` (a self-loop's two entries may straddle
/// a seal).
pub const ADJ_TAIL: u64 = u64::MAX;

/// Length of an adjacency chunk key.
pub const ADJ_KEY_LEN: usize = 1 + 8 + 8;

/// The key of one adjacency chunk of `node`. A node's adjacency, both directions and
/// every type, lives in one run of chunks: most nodes have few relationships, and one
/// key for all of them is what makes writing them cheap.
pub fn adj_chunk(node: NodeId, bound: u64) -> Vec<u8> {
    let mut k = adj_prefix_node(node);
    k.extend_from_slice(&bound.to_be_bytes());
    k
}

pub fn adj_prefix_node(node: NodeId) -> Vec<u8> {
    let mut k = Vec::with_capacity(ADJ_KEY_LEN);
    k.push(ADJ);
    k.extend_from_slice(&node.to_be_bytes());
    k
}

/// The fields of an adjacency chunk key: (node, bound).
pub fn parse_adj(key: &[u8]) -> Option<(NodeId, u64)> {
    if key.len() != ADJ_KEY_LEN || key.first() != Some(&ADJ) {
        return None;
    }
    Some((be_u64(key.get(1..9)?)?, be_u64(key.get(9..17)?)?))
}

/// The length of a label's key prefix: the keyspace byte and the label token.
pub const LABEL_PREFIX_LEN: usize = 1 + 4;

pub fn label_prefix(label: Token) -> Vec<u8> {
    let mut k = Vec::with_capacity(13);
    k.push(LABEL);
    k.extend_from_slice(&label.to_be_bytes());
    k
}

/// The label of a label key prefix (`LABEL_PREFIX_LEN` bytes).
pub fn label_of_prefix(prefix: &[u8]) -> Option<Token> {
    let bytes = prefix.get(1..LABEL_PREFIX_LEN)?.try_into().ok()?;
    Some(Token::from_be_bytes(bytes))
}

/// The label index keeps one bitmap per label and 64 consecutive node ids.
pub const LABEL_CHUNK_BITS: u32 = 6;

/// The key of the bitmap that holds `node`'s bit for `label`.
pub fn label_chunk(label: Token, node: NodeId) -> Vec<u8> {
    let mut k = label_prefix(label);
    k.extend_from_slice(&(node >> LABEL_CHUNK_BITS).to_be_bytes());
    k
}

/// `node`'s bit in its label bitmap.
pub fn label_bit(node: NodeId) -> u64 {
    1 << (node & ((1 << LABEL_CHUNK_BITS) - 1))
}

/// The nodes whose bits are set in bitmap `bits` of chunk `chunk`, in id order.
pub fn label_chunk_nodes(chunk: u64, bits: u64) -> impl Iterator<Item = NodeId> {
    (0..64u64)
        .filter(move |i| bits & (1 << i) != 0)
        .map(move |i| (chunk << LABEL_CHUNK_BITS) | i)
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
        let k = adj_chunk(7, 11);
        assert_eq!(k.len(), ADJ_KEY_LEN);
        assert_eq!(parse_adj(&k), Some((7, 11)));
        assert!(k.starts_with(&adj_prefix_node(7)));
        assert!(adj_chunk(7, 11) < adj_chunk(7, ADJ_TAIL));
        assert!(adj_chunk(7, ADJ_TAIL) < adj_prefix_node(8));
    }

    #[test]
    fn record_ids_split_into_chunks() {
        for id in [0u64, 63, 64, 1_000_003] {
            let chunk = be_u64(&rel_chunk(id)[1..]).unwrap_or(u64::MAX);
            assert_eq!(id_in_chunk(chunk, chunk_offset(id)), id);
            assert_eq!(node_chunk(id)[1..], rel_chunk(id)[1..]);
        }
    }

    #[test]
    fn ids_sort_numerically() {
        assert!(node_chunk(255) < node_chunk(256));
        assert!(label_chunk(1, u64::MAX) < label_prefix(2));
        assert!(label_chunk(1, 63) < label_chunk(1, 64));
        let nodes: Vec<u64> = label_chunk_nodes(2, label_bit(130) | label_bit(128)).collect();
        assert_eq!(nodes, vec![128, 130]);
    }

    #[test]
    fn prefix_end_skips_trailing_ff() {
        assert_eq!(prefix_end(&[1, 2]), Some(vec![1, 3]));
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
    }
}
