//! Opening a database folder: the format checks that run before sled touches the folder,
//! the format record inside the store, and loading what the store keeps in memory
//! (next ids, interned names), after undoing an import a crash cut short.
//!
//! A skein folder holds a marker file, `skein.format`, written before sled creates
//! anything, and the same version as a record in the store. A non-empty folder without
//! the marker is refused (it is someone else's), as is a folder of another format
//! version; in both cases nothing is written.
//!
//! A store closed cleanly leaves `skein.closed`: the last commit, next node id and next
//! relationship id it held. sled treats a damaged message in the log written since its
//! last snapshot as the torn end of a crash and drops everything after it without a word;
//! a store that opens holding less than it held at its last clean close has lost commits
//! that way and is refused as damaged. Commits only add, so after a crash (no record
//! written since the last close) the check still holds.

use super::codec;
use super::keys::{self, TokenKind};
use super::kv::KvEngine;
use super::tokens::Tokens;
use super::Committed;
use crate::error::{Error, Result};
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

/// The on-disk format this build reads and writes. Format 2 keeps a node's adjacency of
/// every type and both directions in one run of chunks, and index entries in blocks
/// (format 1: adjacency chunks per direction and type, a key per index entry).
pub const FORMAT_VERSION: u32 = 2;

const MARKER_FILE: &str = "skein.format";
const MARKER_PREFIX: &str = "skein database format ";

fn marker_text(version: u32) -> String {
    format!("{MARKER_PREFIX}{version}\n")
}

fn cannot_open(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::storage(format!(
        "cannot open the database at {}: {why}",
        path.display()
    ))
}

fn wrong_version(path: &Path, found: &str) -> Error {
    Error::storage(format!(
        "the database at {} was written in skein storage format {found}, but this skein reads format {FORMAT_VERSION}; nothing was changed",
        path.display()
    ))
}

/// Makes sure `path` is a skein folder of this format (creating it when absent or
/// empty), without writing anything to a folder that fails the checks.
pub fn prepare_folder(path: &Path) -> Result<()> {
    let mut entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(path).map_err(|e| cannot_open(path, e))?;
            return write_marker(path);
        }
        Err(_) if path.is_file() => return Err(cannot_open(path, "it is a file, not a folder")),
        Err(e) => return Err(cannot_open(path, e)),
    };
    let marker = path.join(MARKER_FILE);
    if marker.exists() {
        let bytes = std::fs::read(&marker).map_err(|e| cannot_open(path, e))?;
        let version = std::str::from_utf8(&bytes)
            .ok()
            .and_then(|text| text.strip_prefix(MARKER_PREFIX))
            .map(str::trim)
            .ok_or_else(|| {
                cannot_open(
                    path,
                    format!("its {MARKER_FILE} file is not a skein format record"),
                )
            })?;
        if version != FORMAT_VERSION.to_string() {
            // Damage can leave anything there: shown quoted unless it is a number.
            let shown = if version.bytes().all(|b| b.is_ascii_digit()) && !version.is_empty() {
                version.to_string()
            } else {
                format!("{version:?}")
            };
            return Err(wrong_version(path, &shown));
        }
        return Ok(());
    }
    if entries.next().is_some() {
        return Err(Error::storage(format!(
            "{} is not a skein database: the folder holds other files and no skein format record; nothing was written to it",
            path.display()
        )));
    }
    write_marker(path)
}

const CLOSED_FILE: &str = "skein.closed";
const CLOSED_TEMP: &str = "skein.closed.new";

/// What a store held when it was last closed cleanly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosedAt {
    pub last_tx: u64,
    pub next_node: u64,
    pub next_rel: u64,
}

impl ClosedAt {
    pub fn of(committed: &Committed) -> ClosedAt {
        ClosedAt {
            last_tx: committed.clock.last_tx,
            next_node: committed.next_node,
            next_rel: committed.next_rel,
        }
    }

    fn text(self) -> String {
        format!(
            "skein closed at commit {} next node {} next relationship {}\n",
            self.last_tx, self.next_node, self.next_rel
        )
    }

    fn parse(text: &str) -> Option<ClosedAt> {
        let rest = text
            .strip_suffix('\n')?
            .strip_prefix("skein closed at commit ")?;
        let (last_tx, rest) = rest.split_once(" next node ")?;
        let (next_node, next_rel) = rest.split_once(" next relationship ")?;
        Some(ClosedAt {
            last_tx: last_tx.parse().ok()?,
            next_node: next_node.parse().ok()?,
            next_rel: next_rel.parse().ok()?,
        })
    }
}

fn damaged(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::storage(format!(
        "the database at {} is damaged: {why}; restore it from a copy",
        path.display()
    ))
}

/// The record of the last clean close, if the folder has one.
pub fn read_closed(path: &Path) -> Result<Option<ClosedAt>> {
    let bytes = match std::fs::read(path.join(CLOSED_FILE)) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(cannot_open(path, e)),
    };
    std::str::from_utf8(&bytes)
        .ok()
        .and_then(ClosedAt::parse)
        .map(Some)
        .ok_or_else(|| {
            damaged(
                path,
                format!("its {CLOSED_FILE} file is not a close record"),
            )
        })
}

/// Refuses a store that holds less than it held at its last clean close.
pub fn verify_closed(path: &Path, closed: ClosedAt, now: ClosedAt) -> Result<()> {
    if now.last_tx < closed.last_tx
        || now.next_node < closed.next_node
        || now.next_rel < closed.next_rel
    {
        return Err(damaged(
            path,
            format!(
                "it was closed after commit {} (next node id {}, next relationship id {}) but holds commits up to {} (next node id {}, next relationship id {}): the end of its log was lost",
                closed.last_tx, closed.next_node, closed.next_rel, now.last_tx, now.next_node, now.next_rel
            ),
        ));
    }
    Ok(())
}

/// Records a clean close (after the store's last flush): written aside and renamed, so
/// a crash while writing leaves the previous record whole.
pub fn write_closed(path: &Path, closed: ClosedAt) -> std::io::Result<()> {
    let temp = path.join(CLOSED_TEMP);
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(closed.text().as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&temp, path.join(CLOSED_FILE))?;
    std::fs::File::open(path)?.sync_all()
}

fn write_marker(path: &Path) -> Result<()> {
    let marker = path.join(MARKER_FILE);
    let mut file = std::fs::File::create(&marker).map_err(|e| cannot_open(path, e))?;
    file.write_all(marker_text(FORMAT_VERSION).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| cannot_open(path, e))
}

/// Checks (or, in a new store, writes) the format record and loads what the store keeps
/// in memory.
pub fn load(engine: &dyn KvEngine, path: &Path) -> Result<Committed> {
    let format_key = keys::meta(keys::META_FORMAT);
    match engine.get(&format_key)? {
        Some(bytes) => {
            let version = keys::be_u32(&bytes)
                .map(|v| v.to_string())
                .unwrap_or_else(|| "unknown".to_string());
            if version != FORMAT_VERSION.to_string() {
                return Err(wrong_version(path, &version));
            }
        }
        None => {
            if engine.scan(Vec::new(), None).next().is_some() {
                return Err(Error::storage(format!(
                    "{} is not a skein database: it holds data but no skein format record; nothing was written to it",
                    path.display()
                )));
            }
            engine.apply(vec![(
                format_key,
                Some(FORMAT_VERSION.to_be_bytes().to_vec()),
            )])?;
            engine.flush()?;
        }
    }
    // An import cut short by a crash is undone before anything is read.
    super::bulk::recover(engine)?;
    let mut tokens = Tokens::default();
    let prefix = vec![keys::TOKEN_NAME];
    for entry in engine.scan(prefix.clone(), keys::prefix_end(&prefix)) {
        let (key, value) = entry?;
        let parsed = key
            .get(1)
            .and_then(|&b| TokenKind::from_byte(b))
            .zip(key.get(2..).and_then(keys::be_u32));
        let Some((kind, token)) = parsed else {
            return Err(codec::corrupt("a name record's key is malformed"));
        };
        let name = String::from_utf8(value).map_err(|_| codec::corrupt("a name is not UTF-8"))?;
        if !tokens.insert(kind, name, token) {
            return Err(codec::corrupt("the interned names have a gap"));
        }
    }
    read_committed(engine, Arc::new(tokens))
}

/// What is committed on `engine` besides the names: ids, schema, provenance, clock.
pub fn read_committed(engine: &dyn KvEngine, tokens: Arc<Tokens>) -> Result<Committed> {
    let counter = |sub: u8| -> Result<u64> {
        match engine.get(&keys::meta(sub))? {
            Some(bytes) => codec::decode_u64(&bytes),
            None => Ok(0),
        }
    };
    let schema_prefix = super::schema::schema_prefix();
    let schema = super::schema::decode_defs(
        engine.scan(schema_prefix.clone(), keys::prefix_end(&schema_prefix)),
    )?;
    Ok(Committed {
        schema: Arc::new(schema),
        next_node: counter(keys::META_NEXT_NODE)?,
        next_rel: counter(keys::META_NEXT_REL)?,
        tokens,
        clock: super::history::load_clock(engine)?,
        provenance: engine
            .scan(vec![keys::SOURCE], Some(vec![keys::BY_SOURCE + 1]))
            .next()
            .is_some(),
    })
}
