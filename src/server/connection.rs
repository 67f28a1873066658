//! One Bolt connection, on its own thread: the handshake, then the protocol's state
//! machine over the public API (HELLO/LOGON, RUN/PULL/DISCARD, BEGIN/COMMIT/ROLLBACK,
//! RESET, ROUTE, GOODBYE), with results kept here and sent `n` records per PULL.
//!
//! Invariants: a FAILURE puts the connection in the FAILED state, where everything but
//! RESET and GOODBYE is IGNORED; bytes that are not Bolt (a bad handshake, a message
//! that does not decode, one over the size limit) end this connection only. An explicit
//! transaction takes the database's turn at its first RUN, not at BEGIN, and gives it
//! back at COMMIT, ROLLBACK, RESET, a closed connection, shutdown, or when it sat idle
//! past the transaction idle timeout (then it is rolled back and its next message fails).

use super::convert::{pack_value, parameter_value, Dialect};
use super::handshake::{negotiate, HandshakeError, Version};
use super::message::{self, decode_request, failure, ignored, success, FrameReader, Request};
use super::packstream::{PackValue, Packer};
use super::status;
use super::Shared;
use crate::{CancelToken, Error, Params, QueryOptions, QueryResult, Stats, Transaction, Value};
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How often a waiting connection looks at the shutdown flag and its idle time.
const TICK: Duration = Duration::from_millis(200);
/// How long a client has to send its handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a routing table stays valid in the driver.
const ROUTING_TTL_SECONDS: i64 = 300;
/// The one database name skein answers to (the drivers' default).
pub const DATABASE_NAME: &str = "neo4j";
/// Bookmarks are this prefix and the transaction number.
const BOOKMARK_PREFIX: &str = "skein:";

/// What the connection does after a message.
#[derive(PartialEq, Eq)]
enum Next {
    Continue,
    Close,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Handshake done, waiting for HELLO.
    Hello,
    /// Bolt 5.1+: HELLO done, waiting for LOGON.
    Logon,
    Ready,
    Failed,
}

/// A result waiting to be pulled.
struct OpenResult {
    /// -1 outside an explicit transaction.
    qid: i64,
    rows: std::vec::IntoIter<Vec<Value>>,
    stats: Stats,
    has_columns: bool,
    /// Outside an explicit transaction: the commit's bookmark.
    bookmark: Option<String>,
}

/// An explicit transaction, from BEGIN to COMMIT or ROLLBACK.
struct ExplicitTx<'db> {
    /// Started at the first RUN: until then the transaction holds nothing.
    txn: Option<Transaction<'db>>,
    statement_timeout: Option<Duration>,
    /// BEGIN said `mode: "r"`: its statements may not write.
    read_only: bool,
    /// Set when the transaction was rolled back for sitting idle.
    timed_out: bool,
}

/// Serves one accepted connection until it closes; `refused` answers its HELLO with a
/// "too many connections" failure.
pub(super) fn serve_connection(shared: &Shared, mut stream: TcpStream, id: u64, refused: bool) {
    let peer = stream
        .peer_addr()
        .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let local = stream.local_addr().ok();
    if stream.set_read_timeout(Some(TICK)).is_err() || stream.set_nodelay(true).is_err() {
        return;
    }
    let Some(version) = handshake(shared, &mut stream) else {
        return;
    };
    let cancel = CancelToken::new();
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, cancel.clone());
    let mut session = Session {
        shared,
        peer,
        local,
        id,
        version,
        dialect: Dialect {
            element_ids: version.is_5(),
            utc_datetimes: version.is_5(),
        },
        phase: Phase::Hello,
        refused,
        tx: None,
        results: Vec::new(),
        next_qid: 0,
        cancel,
    };
    session.run(&mut stream);
    // Drops the open transaction (a rollback) before the connection counts as gone.
    session.tx = None;
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
}

/// Reads the 20 handshake bytes and answers; `None` when the connection should close.
fn handshake(shared: &Shared, stream: &mut TcpStream) -> Option<Version> {
    let mut request = [0u8; 20];
    let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
    let mut filled = 0;
    while filled < request.len() {
        if shared.shutdown.load(Ordering::Relaxed) || Instant::now() > deadline {
            return None;
        }
        match stream.read(request.get_mut(filled..)?) {
            Ok(0) => return None,
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => continue,
            Err(_) => return None,
        }
    }
    match negotiate(&request) {
        Ok(version) => stream.write_all(&version.to_bytes()).ok().map(|_| version),
        Err(HandshakeError::NoCommonVersion) => {
            let _ = stream.write_all(&[0, 0, 0, 0]);
            None
        }
        Err(HandshakeError::NotBolt) => None,
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
    )
}

struct Session<'db> {
    shared: &'db Shared,
    peer: IpAddr,
    /// The address the client reached: what the routing table advertises.
    local: Option<SocketAddr>,
    id: u64,
    version: Version,
    dialect: Dialect,
    phase: Phase,
    refused: bool,
    tx: Option<ExplicitTx<'db>>,
    results: Vec<OpenResult>,
    next_qid: i64,
    cancel: CancelToken,
}

impl<'db> Session<'db> {
    /// Reads, handles and answers messages until the connection ends.
    fn run(&mut self, stream: &mut TcpStream) {
        let config = &self.shared.config;
        let mut reader = FrameReader::new(config.max_message_bytes);
        let mut buffer = vec![0u8; 64 * 1024];
        let mut out = Vec::new();
        let mut last_message = Instant::now();
        loop {
            let message = match reader.next_message() {
                Ok(message) => message,
                Err(message::TooLarge(limit)) => {
                    let text =
                        format!("a message is larger than the server's limit of {limit} bytes");
                    message::write_message(&mut out, &failure(status::PROTOCOL_ERROR, &text, &[]));
                    let _ = stream.write_all(&out);
                    return;
                }
            };
            let Some(message) = message else {
                if !out.is_empty() {
                    if stream.write_all(&out).is_err() {
                        return;
                    }
                    out.clear();
                }
                if self.shared.shutdown.load(Ordering::Relaxed) {
                    return;
                }
                match stream.read(&mut buffer) {
                    Ok(0) => return,
                    Ok(n) => {
                        reader.push(buffer.get(..n).unwrap_or_default());
                        last_message = Instant::now();
                    }
                    Err(e) if is_timeout(&e) => {
                        let idle = last_message.elapsed();
                        if idle > config.idle_timeout {
                            return;
                        }
                        self.expire_idle_transaction(idle);
                    }
                    Err(_) => return,
                }
                continue;
            };
            let next = match decode_request(&message) {
                Ok(request) => self.handle(request, &mut out),
                Err(e) => {
                    let text = format!("the message could not be read: {e}");
                    message::write_message(&mut out, &failure(status::PROTOCOL_ERROR, &text, &[]));
                    Next::Close
                }
            };
            if next == Next::Close {
                let _ = stream.write_all(&out);
                return;
            }
        }
    }

    /// Rolls back a transaction that holds the database while its client is silent.
    fn expire_idle_transaction(&mut self, idle: Duration) {
        let limit = self.shared.config.transaction_idle_timeout;
        if let Some(tx) = &mut self.tx {
            if tx.txn.as_ref().is_some_and(Transaction::holds_writer) && idle > limit {
                tx.txn = None;
                tx.timed_out = true;
            }
        }
    }

    fn handle(&mut self, request: Request, out: &mut Vec<u8>) -> Next {
        let name = request.name();
        match (self.phase, request) {
            (_, Request::Goodbye) => Next::Close,
            (Phase::Hello, Request::Hello { extra }) => self.hello(&extra, out),
            (Phase::Hello, _) => self.protocol_violation(out, &format!("{name} before HELLO")),
            (Phase::Logon, Request::Logon { auth }) => self.logon(&auth, out),
            (Phase::Logon, Request::Reset) => self.reply(out, &success(&[])),
            (Phase::Logon, _) => self.protocol_violation(out, &format!("{name} before LOGON")),
            (_, Request::Reset) => {
                self.tx = None;
                self.results.clear();
                self.phase = Phase::Ready;
                self.reply(out, &success(&[]))
            }
            (Phase::Failed, _) => self.reply(out, &ignored()),
            (Phase::Ready, Request::Hello { .. } | Request::Logon { .. }) => {
                self.protocol_violation(out, &format!("{name} on a connection already logged on"))
            }
            (Phase::Ready, Request::Logoff) if self.version.has_logon() => {
                self.tx = None;
                self.results.clear();
                self.phase = Phase::Logon;
                self.reply(out, &success(&[]))
            }
            (Phase::Ready, Request::Logoff) => {
                self.protocol_violation(out, "LOGOFF needs Bolt 5.1 or later")
            }
            (
                Phase::Ready,
                Request::Run {
                    query,
                    params,
                    extra,
                },
            ) => self.run_statement(&query, params, &extra, out),
            (Phase::Ready, Request::Stream { discard, n, qid }) => {
                self.stream_records(discard, n, qid, out)
            }
            (Phase::Ready, Request::Begin { extra }) => self.begin(&extra, out),
            (Phase::Ready, Request::Commit) => self.commit(out),
            (Phase::Ready, Request::Rollback) => match self.tx.take() {
                Some(_) => self.reply(out, &success(&[])),
                None => self.fail_with(
                    out,
                    status::PROTOCOL_ERROR,
                    "ROLLBACK outside a transaction",
                ),
            },
            (Phase::Ready, Request::Route { bookmarks, extra }) => {
                self.route(&bookmarks, &extra, out)
            }
            (Phase::Ready, Request::Telemetry) => self.reply(out, &success(&[])),
        }
    }

    fn reply(&mut self, out: &mut Vec<u8>, message: &[u8]) -> Next {
        message::write_message(out, message);
        Next::Continue
    }

    /// A FAILURE: the connection is FAILED until RESET.
    fn fail_with(&mut self, out: &mut Vec<u8>, code: &str, text: &str) -> Next {
        self.phase = Phase::Failed;
        self.reply(out, &failure(code, text, &[]))
    }

    /// A skein error as a FAILURE, its message rendered under the statement with its
    /// position, which is also given as fields of its own.
    fn fail_error(&mut self, out: &mut Vec<u8>, error: &Error, query: &str) -> Next {
        self.phase = Phase::Failed;
        let mut extra = vec![("class", PackValue::String(error.class.name().to_string()))];
        if !error.detail.is_empty() {
            extra.push(("detail", PackValue::String(error.detail.clone())));
        }
        if let Some(p) = error.position {
            extra.push((
                "position",
                PackValue::Map(vec![
                    ("offset".into(), PackValue::Int(p.offset as i64)),
                    ("line".into(), PackValue::Int(p.line as i64)),
                    ("column".into(), PackValue::Int(p.column as i64)),
                ]),
            ));
        }
        self.reply(
            out,
            &failure(status::code_of(error), &error.render(query), &extra),
        )
    }

    /// A message the state does not allow: FAILURE, then the connection closes.
    fn protocol_violation(&mut self, out: &mut Vec<u8>, text: &str) -> Next {
        self.fail_with(out, status::PROTOCOL_ERROR, text);
        Next::Close
    }

    fn hello(&mut self, extra: &PackValue, out: &mut Vec<u8>) -> Next {
        if self.refused {
            let text = format!(
                "the server is serving its maximum of {} connections; try again later",
                self.shared.config.max_connections
            );
            self.fail_with(out, status::NO_THREADS_AVAILABLE, &text);
            return Next::Close;
        }
        let mut metadata = vec![
            (
                "server",
                PackValue::String(format!(
                    "Neo4j/5.26.0 compatible (skein {})",
                    env!("CARGO_PKG_VERSION")
                )),
            ),
            (
                "connection_id",
                PackValue::String(format!("bolt-{}", self.id)),
            ),
        ];
        if self.version == (Version { major: 4, minor: 4 }) {
            let wants_utc = matches!(extra.get("patch_bolt"), Some(PackValue::List(patches))
                if patches.iter().any(|p| p.as_str() == Some("utc")));
            if wants_utc {
                self.dialect.utc_datetimes = true;
                metadata.push((
                    "patch_bolt",
                    PackValue::List(vec![PackValue::String("utc".into())]),
                ));
            }
        }
        if self.version.has_logon() {
            self.phase = Phase::Logon;
            return self.reply(out, &success(&metadata));
        }
        // Before 5.1 the credentials come with HELLO.
        if let Err(next) = self.authenticate(extra, out) {
            return next;
        }
        self.phase = Phase::Ready;
        self.reply(out, &success(&metadata))
    }

    fn logon(&mut self, auth: &PackValue, out: &mut Vec<u8>) -> Next {
        if let Err(next) = self.authenticate(auth, out) {
            return next;
        }
        self.phase = Phase::Ready;
        self.reply(out, &success(&[]))
    }

    /// Checks the auth fields (`scheme`, `principal`, `credentials`); on failure the
    /// FAILURE is written and the connection closes.
    fn authenticate(&mut self, auth: &PackValue, out: &mut Vec<u8>) -> Result<(), Next> {
        let Some(credentials) = &self.shared.config.credentials else {
            return Ok(());
        };
        let limiter = &self.shared.limiter;
        if let Err(wait) = limiter.admit(self.peer) {
            let text = format!(
                "too many failed logins from {}; try again in {wait} s",
                self.peer
            );
            self.fail_with(out, status::RATE_LIMITED, &text);
            return Err(Next::Close);
        }
        let field = |key: &str| auth.get(key).and_then(PackValue::as_str).unwrap_or("");
        let ok = field("scheme") == "basic"
            && credentials.check(field("principal"), field("credentials"));
        if ok {
            limiter.record_success(self.peer);
            return Ok(());
        }
        limiter.record_failure(self.peer);
        self.fail_with(
            out,
            status::UNAUTHORIZED,
            "The client is unauthorized due to authentication failure.",
        );
        Err(Next::Close)
    }

    /// Checks the `db` and `bookmarks` of RUN, BEGIN or ROUTE.
    fn check_database_and_bookmarks(
        &self,
        extra: &PackValue,
    ) -> Result<(), (&'static str, String)> {
        match extra.get("db") {
            None | Some(PackValue::Null) => {}
            Some(PackValue::String(db)) if db == DATABASE_NAME => {}
            Some(other) => {
                let name = other
                    .as_str()
                    .map_or_else(|| format!("{other:?}"), str::to_string);
                return Err((
                    status::DATABASE_NOT_FOUND,
                    format!("skein serves one database, '{DATABASE_NAME}'; there is no database '{name}'"),
                ));
            }
        }
        if let Some(PackValue::List(bookmarks)) = extra.get("bookmarks") {
            let bookmarks: Vec<String> = bookmarks
                .iter()
                .map(|b| b.as_str().unwrap_or_default().to_string())
                .collect();
            self.check_bookmarks(&bookmarks)?;
        }
        Ok(())
    }

    /// Every commit is visible as soon as it is acknowledged, so a bookmark is met when
    /// it names a transaction this database has committed.
    fn check_bookmarks(&self, bookmarks: &[String]) -> Result<(), (&'static str, String)> {
        let last = self.shared.db.last_transaction().unwrap_or(0);
        for bookmark in bookmarks {
            let number = bookmark
                .strip_prefix(BOOKMARK_PREFIX)
                .and_then(|n| n.parse::<u64>().ok());
            match number {
                Some(n) if n <= last => {}
                Some(n) => {
                    return Err((
                        status::INVALID_BOOKMARK,
                        format!("bookmark '{bookmark}' names transaction {n}, but the last commit is transaction {last}"),
                    ))
                }
                None => {
                    return Err((
                        status::INVALID_BOOKMARK,
                        format!("'{bookmark}' is not a skein bookmark (skein:<transaction>)"),
                    ))
                }
            }
        }
        Ok(())
    }

    /// The options of one statement: the server's timeout (or the transaction's, if
    /// shorter), the wait for the database's turn, the cancel token shutdown uses, and
    /// whether it runs in read access mode.
    fn options(&self, statement_timeout: Option<Duration>, read_only: bool) -> QueryOptions {
        self.cancel.reset();
        let mut options = self.shared.config.statement_options(&self.cancel);
        options.timeout = match (options.timeout, statement_timeout) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        options.read_only = read_only;
        options
    }

    fn run_statement(
        &mut self,
        query: &str,
        params: Vec<(String, PackValue)>,
        extra: &PackValue,
        out: &mut Vec<u8>,
    ) -> Next {
        let started = Instant::now();
        if let Err((code, text)) = self.check_database_and_bookmarks(extra) {
            return self.fail_with(out, code, &text);
        }
        let mut converted = Params::new();
        for (name, value) in params {
            match parameter_value(value) {
                Ok(value) => {
                    converted.insert(name, value);
                }
                Err(text) => {
                    return self.fail_with(
                        out,
                        status::TYPE_ERROR,
                        &format!("parameter ${name}: {text}"),
                    )
                }
            }
        }
        let shared = self.shared;
        let (statement_timeout, read_only) = match &self.tx {
            None => (tx_timeout(extra), read_mode(extra)),
            Some(tx) => (tx.statement_timeout, tx.read_only),
        };
        let options = self.options(statement_timeout, read_only);
        let qid = self.next_qid;
        let outcome = match &mut self.tx {
            None => shared
                .db
                .execute_with(query, &converted, &options)
                .map(|result| (result, Some(bookmark_now(shared)), -1)),
            Some(tx) if tx.timed_out => return self.fail_idle_timeout(out),
            Some(tx) => {
                let txn = match &mut tx.txn {
                    Some(txn) => Ok(txn),
                    None => shared
                        .db
                        .begin_waiting(options.lock_wait)
                        .map(|txn| tx.txn.insert(txn)),
                };
                txn.and_then(|txn| txn.execute_with(query, &converted, &options))
                    .map(|result| (result, None, qid))
            }
        };
        match outcome {
            Ok((result, bookmark, qid)) => {
                let QueryResult {
                    columns,
                    rows,
                    stats,
                    ..
                } = result;
                let mut metadata = vec![
                    (
                        "fields",
                        PackValue::List(columns.iter().cloned().map(PackValue::String).collect()),
                    ),
                    (
                        "t_first",
                        PackValue::Int(started.elapsed().as_millis() as i64),
                    ),
                ];
                if qid >= 0 {
                    metadata.push(("qid", PackValue::Int(qid)));
                    self.next_qid += 1;
                } else {
                    self.results.clear();
                }
                self.results.push(OpenResult {
                    qid,
                    rows: rows.into_iter(),
                    stats,
                    has_columns: !columns.is_empty(),
                    bookmark,
                });
                self.reply(out, &success(&metadata))
            }
            Err(error) => {
                if self.tx.is_some() {
                    // Bolt fails the whole transaction: it is rolled back at RESET.
                    self.results.clear();
                }
                self.fail_error(out, &error, query)
            }
        }
    }

    fn fail_idle_timeout(&mut self, out: &mut Vec<u8>) -> Next {
        let text = format!(
            "the transaction was rolled back: it held the database and sat idle for more than {} s",
            self.shared.config.transaction_idle_timeout.as_secs()
        );
        self.fail_with(out, status::TRANSACTION_TIMED_OUT, &text)
    }

    fn stream_records(&mut self, discard: bool, n: i64, qid: i64, out: &mut Vec<u8>) -> Next {
        let started = Instant::now();
        let place = if qid < 0 {
            self.results.len().checked_sub(1)
        } else {
            self.results.iter().position(|r| r.qid == qid)
        };
        let Some(result) = place.and_then(|i| self.results.get_mut(i)) else {
            let text = if qid < 0 {
                "there is no result to pull or discard".to_string()
            } else {
                format!("there is no open result {qid}")
            };
            return self.fail_with(out, status::PROTOCOL_ERROR, &text);
        };
        let take = if n < 0 { usize::MAX } else { n as usize };
        let mut sent = 0;
        let mut packer = Packer::default();
        while sent < take {
            let Some(row) = result.rows.next() else {
                break;
            };
            sent += 1;
            if discard {
                continue;
            }
            packer.buf.clear();
            packer.struct_header(1, message::tag::RECORD);
            packer.list_header(row.len());
            for value in &row {
                pack_value(&mut packer, value, self.dialect);
            }
            message::write_message(out, &packer.buf);
        }
        let done = result.rows.len() == 0 || discard && n < 0;
        if !done {
            return self.reply(out, &success(&[("has_more", PackValue::Bool(true))]));
        }
        let stats = result.stats;
        let mut metadata = vec![
            (
                "type",
                PackValue::String(
                    match (stats.contains_updates(), result.has_columns) {
                        (false, _) => "r",
                        (true, false) => "w",
                        (true, true) => "rw",
                    }
                    .to_string(),
                ),
            ),
            (
                "t_last",
                PackValue::Int(started.elapsed().as_millis() as i64),
            ),
            ("db", PackValue::String(DATABASE_NAME.to_string())),
        ];
        if let Some(bookmark) = &result.bookmark {
            metadata.push(("bookmark", PackValue::String(bookmark.clone())));
        }
        if stats.contains_updates() {
            metadata.push(("stats", stats_map(&stats)));
        }
        if let Some(i) = place {
            self.results.remove(i);
        }
        self.reply(out, &success(&metadata))
    }

    fn begin(&mut self, extra: &PackValue, out: &mut Vec<u8>) -> Next {
        if self.tx.is_some() {
            return self.fail_with(
                out,
                status::PROTOCOL_ERROR,
                "BEGIN inside a transaction: commit or roll it back first",
            );
        }
        if let Err((code, text)) = self.check_database_and_bookmarks(extra) {
            return self.fail_with(out, code, &text);
        }
        self.results.clear();
        self.next_qid = 0;
        self.tx = Some(ExplicitTx {
            txn: None,
            statement_timeout: tx_timeout(extra),
            read_only: read_mode(extra),
            timed_out: false,
        });
        self.reply(out, &success(&[]))
    }

    fn commit(&mut self, out: &mut Vec<u8>) -> Next {
        let Some(tx) = self.tx.take() else {
            return self.fail_with(out, status::PROTOCOL_ERROR, "COMMIT outside a transaction");
        };
        if tx.timed_out {
            return self.fail_idle_timeout(out);
        }
        self.results.clear();
        let committed = tx.txn.map_or(Ok(()), Transaction::commit);
        match committed {
            Ok(()) => {
                let bookmark = bookmark_now(self.shared);
                self.reply(out, &success(&[("bookmark", PackValue::String(bookmark))]))
            }
            Err(error) => self.fail_error(out, &error, ""),
        }
    }

    /// A routing table with this server in every role, at the address the client used.
    fn route(&mut self, bookmarks: &[String], extra: &PackValue, out: &mut Vec<u8>) -> Next {
        if let Err((code, text)) = self.check_database_and_bookmarks(extra) {
            return self.fail_with(out, code, &text);
        }
        if let Err((code, text)) = self.check_bookmarks(bookmarks) {
            return self.fail_with(out, code, &text);
        }
        let address = self
            .local
            .map_or_else(|| self.shared.config.bolt.to_string(), |a| a.to_string());
        let servers = ["ROUTE", "READ", "WRITE"]
            .into_iter()
            .map(|role| {
                PackValue::Map(vec![
                    (
                        "addresses".into(),
                        PackValue::List(vec![PackValue::String(address.clone())]),
                    ),
                    ("role".into(), PackValue::String(role.into())),
                ])
            })
            .collect();
        let table = PackValue::Map(vec![
            ("ttl".into(), PackValue::Int(ROUTING_TTL_SECONDS)),
            ("db".into(), PackValue::String(DATABASE_NAME.into())),
            ("servers".into(), PackValue::List(servers)),
        ]);
        self.reply(out, &success(&[("rt", table)]))
    }
}

/// The bookmark of the last commit.
fn bookmark_now(shared: &Shared) -> String {
    format!(
        "{BOOKMARK_PREFIX}{}",
        shared.db.last_transaction().unwrap_or(0)
    )
}

/// BEGIN's or an auto-commit RUN's `tx_timeout` (milliseconds; 0 or absent: none).
fn tx_timeout(extra: &PackValue) -> Option<Duration> {
    extra
        .get("tx_timeout")
        .and_then(PackValue::as_int)
        .filter(|&ms| ms > 0)
        .map(|ms| Duration::from_millis(ms as u64))
}

/// Whether RUN's or BEGIN's `extra` asks for read access mode (`mode: "r"`; absent
/// means write).
fn read_mode(extra: &PackValue) -> bool {
    extra.get("mode").and_then(PackValue::as_str) == Some("r")
}

/// Update counters under Neo4j's names; skein's removed properties count as set, as
/// Neo4j counts them.
fn stats_map(stats: &Stats) -> PackValue {
    let counter = |name: &str, n: u64| (name.to_string(), PackValue::Int(n as i64));
    PackValue::Map(
        [
            counter("nodes-created", stats.nodes_created),
            counter("nodes-deleted", stats.nodes_deleted),
            counter("relationships-created", stats.relationships_created),
            counter("relationships-deleted", stats.relationships_deleted),
            counter("labels-added", stats.labels_added),
            counter("labels-removed", stats.labels_removed),
            counter(
                "properties-set",
                stats.properties_set + stats.properties_removed,
            ),
        ]
        .into_iter()
        .filter(|(_, n)| n != &PackValue::Int(0))
        .collect(),
    )
}
