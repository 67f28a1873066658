//! `skein serve` and `skein hash-password`: their arguments, turning them into a
//! [`ServerConfig`] (credentials from `--auth-file` or `SKEIN_PASSWORD`), SIGTERM and
//! Ctrl-C as shutdown, and the exit code. The server itself is `crate::server`.
//!
//! Each protocol is a listener of its own: `--bolt` always, `--http` (the browser page
//! and `POST /db/query`) beside it when given, both on the same database.

use crate::server::{self, Credentials, Protocol, ServerConfig};
pub use crate::server::{DEFAULT_MEMORY_LIMIT, DEFAULT_QUERY_TIMEOUT};
use crate::shell::StatementLimits;
use crate::Database;
use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The arguments of `skein serve`.
#[derive(Clone, Debug, clap::Args)]
pub struct ServeArgs {
    /// The address Bolt listens on (a non-loopback one needs authentication)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7687")]
    pub bolt: SocketAddr,
    /// Also serve the browser page and POST /db/query over HTTP, on this address
    /// (127.0.0.1:7474 when none is given; a non-loopback one needs authentication)
    #[arg(
        long,
        value_name = "HOST:PORT",
        num_args = 0..=1,
        default_missing_value = "127.0.0.1:7474"
    )]
    pub http: Option<SocketAddr>,
    /// The user and password hash clients must log in with (one line, as
    /// `skein hash-password` prints it); else SKEIN_PASSWORD (user SKEIN_USER or neo4j)
    #[arg(long, value_name = "FILE")]
    pub auth_file: Option<PathBuf>,
    /// Connections served at once; more are refused with an error
    #[arg(long, value_name = "N", default_value_t = 64)]
    pub max_connections: usize,
    /// The largest Bolt message or HTTP request body accepted, in bytes
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    pub max_message_bytes: usize,
    /// How long a statement waits while another transaction holds the database
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0)]
    pub lock_wait: f64,
    /// Close a connection that sends nothing for this long
    #[arg(long, value_name = "SECONDS", default_value_t = 600.0)]
    pub idle_timeout: f64,
    /// Roll back an explicit transaction that holds the database and sends nothing for
    /// this long
    #[arg(long, value_name = "SECONDS", default_value_t = 30.0)]
    pub transaction_idle_timeout: f64,
}

fn seconds(value: f64, name: &str) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| format!("--{name} must be a number of seconds, not {value}"))
}

/// The server's settings from the arguments and the environment.
fn config(
    args: &ServeArgs,
    source: &Option<String>,
    limits: StatementLimits,
) -> Result<ServerConfig, String> {
    let mut config = ServerConfig::new(args.bolt);
    config.http = args.http;
    config.credentials = match &args.auth_file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the auth file {}: {e}", path.display()))?;
            Some(
                Credentials::parse_auth_file(&text)
                    .map_err(|e| format!("{}: {e}", path.display()))?,
            )
        }
        None => match std::env::var("SKEIN_PASSWORD") {
            Ok(password) if !password.is_empty() => {
                let user = std::env::var("SKEIN_USER").unwrap_or_else(|_| "neo4j".to_string());
                Some(Credentials::from_password(&user, &password))
            }
            _ => None,
        },
    };
    if args.max_connections == 0 {
        return Err("--max-connections must be at least 1".to_string());
    }
    config.max_connections = args.max_connections;
    config.max_message_bytes = args.max_message_bytes.max(1024);
    config.query_timeout = limits.timeout;
    config.memory_limit = limits.memory_limit;
    config.lock_wait = seconds(args.lock_wait, "lock-wait")?;
    config.idle_timeout = seconds(args.idle_timeout, "idle-timeout")?;
    config.transaction_idle_timeout =
        seconds(args.transaction_idle_timeout, "transaction-idle-timeout")?;
    config.source = source.clone();
    Ok(config)
}

/// Runs `skein serve` until SIGTERM or Ctrl-C; 0 after a clean shutdown, 2 when the
/// server cannot start.
pub fn run_command(
    db: Database,
    args: &ServeArgs,
    source: &Option<String>,
    quiet: bool,
    limits: StatementLimits,
) -> i32 {
    let config = match config(args, source, limits) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("skein serve: {message}");
            return 2;
        }
    };
    let shutdown = Arc::new(AtomicBool::new(false));
    let flag = shutdown.clone();
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!("skein serve: cannot handle SIGTERM and Ctrl-C: {e}");
        return 2;
    }
    let auth = if config.credentials.is_some() {
        "login required"
    } else {
        "no authentication"
    };
    let served = server::serve(db, config, shutdown, |protocol, address| {
        // Always printed: scripts and tests read the port from it (with port 0).
        match protocol {
            Protocol::Bolt => eprintln!("skein serve: Bolt listening on {address} ({auth})"),
            Protocol::Http => eprintln!(
                "skein serve: HTTP listening on {address} ({auth}); the page is http://{address}/"
            ),
        }
    });
    match served {
        Ok(()) => {
            if !quiet {
                eprintln!("skein serve: stopped; open transactions were rolled back");
            }
            0
        }
        Err(message) => {
            eprintln!("skein serve: {message}");
            2
        }
    }
}

/// `skein hash-password`: reads a password (the first line of standard input) and
/// prints the auth-file line for `user`.
pub fn hash_password(user: &str) -> i32 {
    let mut password = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut password) {
        eprintln!("skein hash-password: cannot read the password from standard input: {e}");
        return 2;
    }
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        eprintln!("skein hash-password: give the password on standard input");
        return 2;
    }
    match server::random_salt().and_then(|salt| server::auth_file_line(user, password, &salt)) {
        Ok(line) => {
            let _ = writeln!(std::io::stdout(), "{line}");
            0
        }
        Err(message) => {
            eprintln!("skein hash-password: {message}");
            2
        }
    }
}
