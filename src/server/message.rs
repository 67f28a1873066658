//! Bolt messages: the chunked framing ([`FrameReader`] takes bytes as they arrive and
//! gives whole messages; [`write_message`] chunks one out), the requests a client sends
//! ([`Request`], decoded and checked from untrusted bytes) and the responses.
//!
//! A message is a run of chunks, each a big-endian `u16` length and that many bytes,
//! ended by an empty chunk; an empty chunk between messages is a keep-alive. A message
//! is one PackStream structure whose tag says which message it is.

use super::packstream::{DecodeError, PackValue, Packer, Unpacker};

/// Message tags (Bolt 4.4 and 5.x).
pub mod tag {
    pub const HELLO: u8 = 0x01;
    pub const GOODBYE: u8 = 0x02;
    pub const RESET: u8 = 0x0F;
    pub const RUN: u8 = 0x10;
    pub const BEGIN: u8 = 0x11;
    pub const COMMIT: u8 = 0x12;
    pub const ROLLBACK: u8 = 0x13;
    pub const DISCARD: u8 = 0x2F;
    pub const PULL: u8 = 0x3F;
    pub const TELEMETRY: u8 = 0x54;
    pub const ROUTE: u8 = 0x66;
    pub const LOGON: u8 = 0x6A;
    pub const LOGOFF: u8 = 0x6B;
    pub const SUCCESS: u8 = 0x70;
    pub const RECORD: u8 = 0x71;
    pub const IGNORED: u8 = 0x7E;
    pub const FAILURE: u8 = 0x7F;
}

/// A map as it came off the wire.
pub type Fields = Vec<(String, PackValue)>;

/// A request from the client.
#[derive(Debug, PartialEq)]
pub enum Request {
    Hello {
        extra: PackValue,
    },
    Logon {
        auth: PackValue,
    },
    Logoff,
    Goodbye,
    Reset,
    Run {
        query: String,
        params: Fields,
        extra: PackValue,
    },
    Begin {
        extra: PackValue,
    },
    Commit,
    Rollback,
    /// PULL (`discard: false`) or DISCARD: `n` records (-1: all) of result `qid` (-1:
    /// the last one).
    Stream {
        discard: bool,
        n: i64,
        qid: i64,
    },
    Route {
        bookmarks: Vec<String>,
        extra: PackValue,
    },
    Telemetry,
}

impl Request {
    /// The message's name, for errors and logs.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Hello { .. } => "HELLO",
            Request::Logon { .. } => "LOGON",
            Request::Logoff => "LOGOFF",
            Request::Goodbye => "GOODBYE",
            Request::Reset => "RESET",
            Request::Run { .. } => "RUN",
            Request::Begin { .. } => "BEGIN",
            Request::Commit => "COMMIT",
            Request::Rollback => "ROLLBACK",
            Request::Stream { discard: false, .. } => "PULL",
            Request::Stream { discard: true, .. } => "DISCARD",
            Request::Route { .. } => "ROUTE",
            Request::Telemetry => "TELEMETRY",
        }
    }
}

/// Decodes one whole message.
pub fn decode_request(message: &[u8]) -> Result<Request, DecodeError> {
    let mut unpacker = Unpacker::new(message);
    let value = unpacker.value(0)?;
    if !unpacker.is_done() {
        return Err(DecodeError(
            "a message holds more than one value".to_string(),
        ));
    }
    let PackValue::Struct { tag, fields } = value else {
        return Err(DecodeError(format!(
            "a message is a structure, not {}",
            value.kind()
        )));
    };
    let mut fields = fields.into_iter();
    let mut field = |what: &str| {
        fields
            .next()
            .ok_or_else(|| DecodeError(format!("the message lacks its {what}")))
    };
    let request = match tag {
        tag::HELLO => Request::Hello {
            extra: map(field("extra map")?, "HELLO's extra")?,
        },
        tag::LOGON => Request::Logon {
            auth: map(field("auth map")?, "LOGON's auth")?,
        },
        tag::LOGOFF => Request::Logoff,
        tag::GOODBYE => Request::Goodbye,
        tag::RESET => Request::Reset,
        tag::RUN => {
            let query = match field("query")? {
                PackValue::String(s) => s,
                other => {
                    return Err(DecodeError(format!(
                        "RUN's query must be a string, not {}",
                        other.kind()
                    )))
                }
            };
            let params = match map(field("parameters")?, "RUN's parameters")? {
                PackValue::Map(entries) => entries,
                _ => Vec::new(),
            };
            // Bolt 3 and later always send the extra map; be lenient with none.
            let extra = match field("extra map") {
                Ok(extra) => map(extra, "RUN's extra")?,
                Err(_) => PackValue::Map(Vec::new()),
            };
            Request::Run {
                query,
                params,
                extra,
            }
        }
        tag::BEGIN => Request::Begin {
            extra: match field("extra map") {
                Ok(extra) => map(extra, "BEGIN's extra")?,
                Err(_) => PackValue::Map(Vec::new()),
            },
        },
        tag::COMMIT => Request::Commit,
        tag::ROLLBACK => Request::Rollback,
        tag::PULL | tag::DISCARD => {
            let extra = map(field("extra map")?, "PULL's extra")?;
            let number = |key: &str, default: i64| match extra.get(key) {
                None => Ok(default),
                Some(PackValue::Int(i)) => Ok(*i),
                Some(other) => Err(DecodeError(format!(
                    "'{key}' must be an integer, not {}",
                    other.kind()
                ))),
            };
            Request::Stream {
                discard: tag == tag::DISCARD,
                n: number("n", -1)?,
                qid: number("qid", -1)?,
            }
        }
        tag::ROUTE => {
            map(field("routing context")?, "ROUTE's routing context")?;
            let bookmarks = match field("bookmarks")? {
                PackValue::List(items) => strings(items, "a bookmark")?,
                PackValue::Null => Vec::new(),
                other => {
                    return Err(DecodeError(format!(
                        "ROUTE's bookmarks must be a list, not {}",
                        other.kind()
                    )))
                }
            };
            // Bolt 4.4 and 5 send a map here ({db, imp_user}); 4.3 sent the name alone.
            let extra = match field("database") {
                Ok(PackValue::String(db)) => {
                    PackValue::Map(vec![("db".to_string(), PackValue::String(db))])
                }
                Ok(PackValue::Null) | Err(_) => PackValue::Map(Vec::new()),
                Ok(other) => map(other, "ROUTE's extra")?,
            };
            Request::Route { bookmarks, extra }
        }
        tag::TELEMETRY => Request::Telemetry,
        other => {
            return Err(DecodeError(format!(
                "0x{other:02X} is not a Bolt request message"
            )))
        }
    };
    Ok(request)
}

fn map(value: PackValue, what: &str) -> Result<PackValue, DecodeError> {
    match value {
        PackValue::Map(_) => Ok(value),
        PackValue::Null => Ok(PackValue::Map(Vec::new())),
        other => Err(DecodeError(format!(
            "{what} must be a map, not {}",
            other.kind()
        ))),
    }
}

/// A list of strings (bookmarks).
pub fn strings(items: Vec<PackValue>, what: &str) -> Result<Vec<String>, DecodeError> {
    items
        .into_iter()
        .map(|item| match item {
            PackValue::String(s) => Ok(s),
            other => Err(DecodeError(format!(
                "{what} must be a string, not {}",
                other.kind()
            ))),
        })
        .collect()
}

/// Collects the bytes of a connection into whole messages.
pub struct FrameReader {
    /// Bytes received and not yet taken as a message.
    pending: Vec<u8>,
    max_message_bytes: usize,
}

/// A message larger than the server takes.
#[derive(Debug, PartialEq, Eq)]
pub struct TooLarge(pub usize);

impl FrameReader {
    pub fn new(max_message_bytes: usize) -> FrameReader {
        FrameReader {
            pending: Vec::new(),
            max_message_bytes,
        }
    }

    /// Adds bytes read from the connection.
    pub fn push(&mut self, bytes: &[u8]) {
        self.pending.extend_from_slice(bytes);
    }

    /// The next whole message, if one has arrived; keep-alive chunks are skipped.
    pub fn next_message(&mut self) -> Result<Option<Vec<u8>>, TooLarge> {
        loop {
            let mut at = 0;
            let mut size = 0usize;
            let end = loop {
                let Some(header) = self.pending.get(at..at + 2) else {
                    break None;
                };
                let len = usize::from(u16::from_be_bytes([header[0], header[1]]));
                if len == 0 {
                    break Some(at + 2);
                }
                size += len;
                if size > self.max_message_bytes {
                    return Err(TooLarge(self.max_message_bytes));
                }
                at += 2 + len;
            };
            let Some(end) = end else {
                if self.pending.len()
                    > self.max_message_bytes + 2 * (self.max_message_bytes / 65535 + 2)
                {
                    return Err(TooLarge(self.max_message_bytes));
                }
                return Ok(None);
            };
            if size == 0 {
                // A keep-alive: drop it and look again.
                self.pending.drain(..end);
                continue;
            }
            let mut message = Vec::with_capacity(size);
            let mut at = 0;
            while at + 2 < end {
                let len = usize::from(u16::from_be_bytes([self.pending[at], self.pending[at + 1]]));
                message.extend_from_slice(&self.pending[at + 2..at + 2 + len]);
                at += 2 + len;
            }
            self.pending.drain(..end);
            return Ok(Some(message));
        }
    }
}

/// Appends `message` to `out` as chunks and the closing empty chunk.
pub fn write_message(out: &mut Vec<u8>, message: &[u8]) {
    for chunk in message.chunks(u16::MAX as usize) {
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&[0, 0]);
}

/// SUCCESS with `metadata`.
pub fn success(metadata: &[(&str, PackValue)]) -> Vec<u8> {
    let mut packer = Packer::default();
    packer.struct_header(1, tag::SUCCESS);
    packer.map_header(metadata.len());
    for (key, value) in metadata {
        packer.string(key);
        packer.value(value);
    }
    packer.buf
}

/// FAILURE with a Neo4j status code and a message, plus skein's own fields.
pub fn failure(code: &str, message: &str, extra: &[(&str, PackValue)]) -> Vec<u8> {
    let mut packer = Packer::default();
    packer.struct_header(1, tag::FAILURE);
    packer.map_header(2 + extra.len());
    packer.string("code");
    packer.string(code);
    packer.string("message");
    packer.string(message);
    for (key, value) in extra {
        packer.string(key);
        packer.value(value);
    }
    packer.buf
}

pub fn ignored() -> Vec<u8> {
    let mut packer = Packer::default();
    packer.struct_header(0, tag::IGNORED);
    packer.buf
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunked(message: &[u8], chunk: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in message.chunks(chunk) {
            out.extend_from_slice(&(piece.len() as u16).to_be_bytes());
            out.extend_from_slice(piece);
        }
        out.extend_from_slice(&[0, 0]);
        out
    }

    #[test]
    fn messages_are_reassembled_from_chunks_arriving_in_pieces() {
        let message: Vec<u8> = (0..200u8).collect();
        let mut wire = vec![0, 0]; // a keep-alive first
        wire.extend(chunked(&message, 7));
        wire.extend(chunked(&[1, 2, 3], 3));
        let mut reader = FrameReader::new(1024);
        let mut got = Vec::new();
        for byte in wire {
            reader.push(&[byte]);
            while let Some(m) = reader.next_message().unwrap_or(None) {
                got.push(m);
            }
        }
        assert_eq!(got, vec![message, vec![1, 2, 3]]);
    }

    #[test]
    fn a_message_past_the_limit_is_refused() {
        let mut reader = FrameReader::new(10);
        reader.push(&chunked(&[0; 11], 6));
        assert_eq!(reader.next_message(), Err(TooLarge(10)));
    }

    #[test]
    fn write_message_round_trips_through_the_reader() {
        let message = vec![9u8; 70_000];
        let mut wire = Vec::new();
        write_message(&mut wire, &message);
        let mut reader = FrameReader::new(100_000);
        reader.push(&wire);
        assert_eq!(reader.next_message(), Ok(Some(message)));
    }

    #[test]
    fn requests_decode_with_their_fields() {
        let mut packer = Packer::default();
        packer.struct_header(3, tag::RUN);
        packer.string("RETURN $x");
        packer.map_header(1);
        packer.string("x");
        packer.int(1);
        packer.map_header(0);
        assert_eq!(
            decode_request(&packer.buf),
            Ok(Request::Run {
                query: "RETURN $x".into(),
                params: vec![("x".into(), PackValue::Int(1))],
                extra: PackValue::Map(vec![]),
            })
        );
        let mut packer = Packer::default();
        packer.struct_header(1, tag::PULL);
        packer.map_header(1);
        packer.string("n");
        packer.int(1000);
        assert_eq!(
            decode_request(&packer.buf),
            Ok(Request::Stream {
                discard: false,
                n: 1000,
                qid: -1
            })
        );
        assert!(decode_request(&[0xB0, 0x55]).is_err());
        assert!(decode_request(&[0xB1, tag::RUN, 0x01]).is_err());
    }
}
