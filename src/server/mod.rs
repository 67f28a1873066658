//! `skein serve`'s servers: the Bolt listener with one thread per connection up to a
//! maximum, the HTTP listener beside it (`http`, when `--http` is given), the limits a
//! server needs, and shutdown. It is a face: it uses the public API only ([`Database`],
//! [`crate::Transaction`], [`crate::CancelToken`]).
//!
//! Submodules: `handshake` (version negotiation), `packstream` (the value format),
//! `message` (framing, requests, responses), `convert` (skein values ↔ PackStream),
//! `connection` (one connection's protocol state machine), `status` (Neo4j status
//! codes), `auth` (credentials and the failed-login limit, shared by both protocols),
//! `http` (`POST /db/query` and the browser page).
//!
//! Threads, not async: a connection's work is a statement on the database, which runs
//! to completion on the calling thread; a thread per connection is simple, bounded by
//! `max_connections`, and needs no runtime. A statement that only reads runs beside the
//! writer and the other readers on the last commit (see `storage::turns`); statements
//! that write take the database's one writer's turn, one at a time, and wait for it at
//! most `lock_wait`. Everything else (reading, decoding, encoding, writing results)
//! runs in parallel.
//!
//! Shutdown (the flag `serve` is handed, set on SIGTERM or Ctrl-C): stop accepting,
//! cancel running statements, let each connection roll back its open transaction and
//! close, then return so the caller drops (flushes and releases) the database.

mod auth;
mod connection;
pub(crate) mod convert;
pub(crate) mod handshake;
mod http;
pub(crate) mod message;
mod packstream;
mod status;

pub use auth::{auth_file_line, random_salt, Credentials};

use crate::{CancelToken, Database, QueryOptions};
use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the accept loop looks at the shutdown flag.
const ACCEPT_POLL: Duration = Duration::from_millis(20);
/// Connections past the maximum that are still answered with a "too many connections"
/// failure; past these, a connection is closed unanswered.
const REFUSAL_SLOTS: usize = 8;

/// A statement's timeout unless `--timeout` says otherwise.
pub const DEFAULT_QUERY_TIMEOUT: Duration = Duration::from_secs(60);
/// A statement's memory limit unless `--memory-limit` says otherwise.
pub const DEFAULT_MEMORY_LIMIT: usize = 1 << 30;

/// The server's settings.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// Where Bolt listens.
    pub bolt: SocketAddr,
    /// Where HTTP listens (`--http`); `None`: no HTTP.
    pub http: Option<SocketAddr>,
    /// `None`: any credentials are accepted (allowed on loopback addresses only).
    pub credentials: Option<Credentials>,
    pub max_connections: usize,
    pub max_message_bytes: usize,
    /// Each statement's timeout (`None`: none); a transaction's `tx_timeout` may
    /// shorten it.
    pub query_timeout: Option<Duration>,
    /// Each statement's memory limit in bytes (`None`: none).
    pub memory_limit: Option<usize>,
    /// How long a statement waits while another transaction holds the database.
    pub lock_wait: Duration,
    /// A connection that sends nothing for this long is closed.
    pub idle_timeout: Duration,
    /// An explicit transaction that holds the database and sees no message for this long
    /// is rolled back.
    pub transaction_idle_timeout: Duration,
    /// The source statements write under (`--source`).
    pub source: Option<String>,
}

impl ServerConfig {
    /// Defaults for everything but the address.
    pub fn new(bolt: SocketAddr) -> ServerConfig {
        ServerConfig {
            bolt,
            http: None,
            credentials: None,
            max_connections: 64,
            max_message_bytes: 16 << 20,
            query_timeout: Some(DEFAULT_QUERY_TIMEOUT),
            memory_limit: Some(DEFAULT_MEMORY_LIMIT),
            lock_wait: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(600),
            transaction_idle_timeout: Duration::from_secs(30),
            source: None,
        }
    }
}

impl ServerConfig {
    /// The options every statement the server runs starts from, over Bolt or HTTP: its
    /// limits, the wait for the database's turn, the source it writes under, and `cancel`
    /// (the token shutdown and RESET use).
    pub(crate) fn statement_options(&self, cancel: &CancelToken) -> QueryOptions {
        QueryOptions {
            cancel: Some(cancel.clone()),
            timeout: self.query_timeout,
            memory_limit: self.memory_limit,
            source: self.source.clone(),
            lock_wait: Some(self.lock_wait),
            ..QueryOptions::default()
        }
    }
}

/// What the connection threads share.
struct Shared {
    db: Database,
    config: ServerConfig,
    limiter: auth::LoginLimiter,
    shutdown: Arc<AtomicBool>,
    /// Each live connection's cancel token, by connection id: shutdown cancels them.
    running: Mutex<HashMap<u64, CancelToken>>,
    /// Connections being served (refused ones included).
    open: AtomicUsize,
}

/// Decrements the open-connection count when a connection thread ends, however it ends.
struct OpenSlot<'a>(&'a AtomicUsize);

impl Drop for OpenSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A protocol `serve` listens for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Bolt,
    Http,
}

/// Serves Bolt on `config.bolt` (and HTTP on `config.http`) until `shutdown` is set;
/// `listening` is told each bound address (useful with port 0), Bolt's first. Errors
/// are for the person starting the server.
pub fn serve(
    db: Database,
    config: ServerConfig,
    shutdown: Arc<AtomicBool>,
    mut listening: impl FnMut(Protocol, SocketAddr),
) -> Result<(), String> {
    for address in std::iter::once(config.bolt).chain(config.http) {
        if config.credentials.is_none() && !address.ip().is_loopback() {
            return Err(format!(
                "refusing to listen on {address} without authentication: give --auth-file FILE \
                 or set SKEIN_PASSWORD, or listen on a loopback address such as 127.0.0.1"
            ));
        }
    }
    let listener = TcpListener::bind(config.bolt)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bolt))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("cannot read the address listened on: {e}"))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| format!("cannot set up the listener: {e}"))?;
    let http_server = match config.http {
        Some(address) => Some(http::bind(address)?),
        None => None,
    };
    listening(Protocol::Bolt, address);
    if let Some((_, http_address)) = &http_server {
        listening(Protocol::Http, *http_address);
    }
    let shared = Arc::new(Shared {
        db,
        config,
        limiter: auth::LoginLimiter::default(),
        shutdown,
        running: Mutex::new(HashMap::new()),
        open: AtomicUsize::new(0),
    });
    let http_thread = match http_server {
        Some((server, _)) => {
            let for_thread = shared.clone();
            let spawned = std::thread::Builder::new()
                .name("http".to_string())
                .spawn(move || http::serve(for_thread, server));
            match spawned {
                Ok(handle) => Some(handle),
                Err(e) => return Err(format!("cannot start the HTTP thread: {e}")),
            }
        }
        None => None,
    };
    let next_id = AtomicU64::new(1);
    let mut threads: Vec<JoinHandle<()>> = Vec::new();
    while !shared.shutdown.load(Ordering::Relaxed) {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(ACCEPT_POLL);
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait and go on.
                eprintln!("skein serve: accept failed: {e}");
                std::thread::sleep(ACCEPT_POLL * 10);
                continue;
            }
        };
        threads.retain(|t| !t.is_finished());
        let open = shared.open.load(Ordering::SeqCst);
        let max = shared.config.max_connections;
        if open >= max + REFUSAL_SLOTS || stream.set_nonblocking(false).is_err() {
            continue;
        }
        let refused = open >= max;
        shared.open.fetch_add(1, Ordering::SeqCst);
        let id = next_id.fetch_add(1, Ordering::Relaxed);
        let for_thread = shared.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("bolt-{id}"))
            .spawn(move || {
                let _slot = OpenSlot(&for_thread.open);
                connection::serve_connection(&for_thread, stream, id, refused);
            });
        match spawned {
            Ok(handle) => threads.push(handle),
            Err(e) => {
                shared.open.fetch_sub(1, Ordering::SeqCst);
                eprintln!("skein serve: cannot start a connection thread: {e}");
            }
        }
    }
    drop(listener);
    for token in shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .values()
    {
        token.cancel();
    }
    for thread in threads.into_iter().chain(http_thread) {
        let _ = thread.join();
    }
    Ok(())
}
