//! `skein serve` as a client sees it: the official Neo4j Python driver runs
//! tests/bolt/driver_check.py and the official JavaScript driver (neo4j-driver) runs
//! tests/bolt/js/driver_check.mjs against a server started here (CI installs both;
//! without them the tests fail and say how to install them), and raw sockets check what
//! the drivers do not reach: Bolt 4.4, bytes that are not Bolt, refusing a public
//! address without auth, and shutdown on SIGTERM.

mod server;

use server::{Server, PASSWORD};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

#[test]
fn the_official_python_driver_works_against_skein_serve() {
    let import = Command::new("python3")
        .args(["-c", "import neo4j"])
        .output();
    match import {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "the neo4j Python driver is not importable: run `pip install neo4j` \
             (.ci/run installs it) to run the Bolt driver tests"
        ),
    }
    let server = Server::start(&["--memory"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bolt/driver_check.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&server.address, "neo4j", PASSWORD])
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "driver_check.py failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("driver checks passed"), "{stdout}");
}

#[test]
fn the_official_javascript_driver_works_against_skein_serve() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bolt/js");
    if !dir.join("node_modules/neo4j-driver").is_dir() {
        panic!(
            "neo4j-driver is not installed: run `npm ci --prefix tests/bolt/js` \
             (.ci/run does) to run the JavaScript driver test"
        );
    }
    let server = Server::start(&["--memory"]);
    let out = Command::new("node")
        .arg(dir.join("driver_check.mjs"))
        .args([&server.address, "neo4j", PASSWORD])
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "driver_check.mjs failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("driver checks passed"), "{stdout}");
}

// ---- a minimal Bolt client: just the bytes these tests send

fn string(out: &mut Vec<u8>, s: &str) {
    assert!(s.len() < 256);
    if s.len() < 16 {
        out.push(0x80 | s.len() as u8);
    } else {
        out.extend_from_slice(&[0xD0, s.len() as u8]);
    }
    out.extend_from_slice(s.as_bytes());
}

fn string_map(out: &mut Vec<u8>, entries: &[(&str, &str)]) {
    out.push(0xA0 | entries.len() as u8);
    for (k, v) in entries {
        string(out, k);
        string(out, v);
    }
}

fn send(stream: &mut TcpStream, message: &[u8]) {
    let mut wire = (message.len() as u16).to_be_bytes().to_vec();
    wire.extend_from_slice(message);
    wire.extend_from_slice(&[0, 0]);
    stream
        .write_all(&wire)
        .unwrap_or_else(|e| panic!("send: {e}"));
}

/// The next message, or `None` when the server closed the connection.
fn receive(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    loop {
        let mut header = [0u8; 2];
        stream.read_exact(&mut header).ok()?;
        let len = u16::from_be_bytes(header) as usize;
        if len == 0 {
            return Some(message);
        }
        let mut chunk = vec![0u8; len];
        stream.read_exact(&mut chunk).ok()?;
        message.extend(chunk);
    }
}

const SUCCESS: [u8; 2] = [0xB1, 0x70];
const RECORD: [u8; 2] = [0xB1, 0x71];
const FAILURE: [u8; 2] = [0xB1, 0x7F];

fn handshake(stream: &mut TcpStream, proposals: [[u8; 4]; 4]) -> [u8; 4] {
    let mut bytes = vec![0x60, 0x60, 0xB0, 0x17];
    for p in proposals {
        bytes.extend_from_slice(&p);
    }
    stream.write_all(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let mut answer = [0u8; 4];
    stream
        .read_exact(&mut answer)
        .unwrap_or_else(|e| panic!("{e}"));
    answer
}

/// Bolt 4.4, logged on with HELLO.
fn bolt_4_4(server: &Server) -> TcpStream {
    let mut stream = server.connect();
    let version = handshake(&mut stream, [[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]]);
    assert_eq!(version, [0, 0, 4, 4]);
    let mut hello = vec![0xB1, 0x01];
    string_map(
        &mut hello,
        &[
            ("user_agent", "skein-test"),
            ("scheme", "basic"),
            ("principal", "neo4j"),
            ("credentials", PASSWORD),
        ],
    );
    send(&mut stream, &hello);
    let reply = receive(&mut stream).unwrap_or_default();
    assert!(reply.starts_with(&SUCCESS), "{reply:02X?}");
    stream
}

fn run_and_pull(stream: &mut TcpStream, query: &str) -> Vec<Vec<u8>> {
    let mut run = vec![0xB3, 0x10];
    string(&mut run, query);
    run.extend_from_slice(&[0xA0, 0xA0]);
    send(stream, &run);
    let mut pull = vec![0xB1, 0x3F, 0xA1];
    string(&mut pull, "n");
    pull.push(0xFF);
    send(stream, &pull);
    let mut replies = vec![receive(stream).unwrap_or_default()];
    if replies[0].starts_with(&SUCCESS) {
        loop {
            let reply = receive(stream).unwrap_or_default();
            let last = !reply.starts_with(&RECORD);
            replies.push(reply);
            if last {
                break;
            }
        }
    }
    replies
}

#[test]
fn bolt_4_4_speaks_without_element_ids_and_bad_bytes_close_one_connection_only() {
    let server = Server::start(&["--memory"]);
    let mut stream = bolt_4_4(&server);
    let replies = run_and_pull(&mut stream, "CREATE (n:X {k: 1}) RETURN n, 1 AS one");
    assert!(replies[0].starts_with(&SUCCESS), "{replies:02X?}");
    // RECORD [Node(id, labels, properties)]: three fields in 4.4, no element id.
    assert!(
        replies[1].starts_with(&[0xB1, 0x71, 0x92, 0xB3, 0x4E]),
        "{replies:02X?}"
    );
    assert!(replies[2].starts_with(&SUCCESS), "{replies:02X?}");

    // A statement that fails: FAILURE, then IGNORED (the PULL sent with it) until RESET.
    let replies = run_and_pull(&mut stream, "RETURN nope");
    assert!(replies[0].starts_with(&FAILURE), "{replies:02X?}");
    let text = String::from_utf8_lossy(&replies[0]).to_string();
    assert!(text.contains("Neo.ClientError.Statement"), "{text}");
    assert_eq!(receive(&mut stream), Some(vec![0xB0, 0x7E]));
    send(&mut stream, &[0xB0, 0x0F]);
    assert!(receive(&mut stream)
        .unwrap_or_default()
        .starts_with(&SUCCESS));

    // Bytes that are no message: a FAILURE, then this connection closes.
    let mut broken = server.connect();
    assert_eq!(
        handshake(&mut broken, [[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]]),
        [0, 0, 4, 4]
    );
    send(&mut broken, &[0xB1, 0x01, 0xD2, 0xFF, 0xFF, 0xFF]);
    assert!(receive(&mut broken)
        .unwrap_or_default()
        .starts_with(&FAILURE));
    assert_eq!(receive(&mut broken), None);
    // Not Bolt at all: closed at once.
    let mut http = server.connect();
    let _ = http.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut byte = [0u8; 1];
    assert!(matches!(http.read(&mut byte), Ok(0) | Err(_)));
    // No version in common: four zero bytes.
    let mut old = server.connect();
    assert_eq!(
        handshake(&mut old, [[0, 0, 0, 3], [0; 4], [0; 4], [0; 4]]),
        [0; 4]
    );

    // The first connection still works.
    let replies = run_and_pull(&mut stream, "MATCH (n:X) RETURN count(n)");
    assert!(
        replies[1].starts_with(&[0xB1, 0x71, 0x91, 0x01]),
        "{replies:02X?}"
    );
}

/// The FAILURE's text (code and message), for matching.
fn failure_text(reply: &[u8]) -> String {
    assert!(reply.starts_with(&FAILURE), "not a FAILURE: {reply:02X?}");
    String::from_utf8_lossy(reply).to_string()
}

#[test]
fn a_busy_database_a_silent_transaction_and_too_many_connections_get_clear_errors() {
    let server = Server::start_with(
        &["--memory"],
        &[
            "--max-connections",
            "2",
            "--lock-wait",
            "0.3",
            "--transaction-idle-timeout",
            "1",
        ],
    );
    let mut holder = bolt_4_4(&server);
    send(&mut holder, &[0xB1, 0x11, 0xA0]);
    assert!(receive(&mut holder)
        .unwrap_or_default()
        .starts_with(&SUCCESS));
    let replies = run_and_pull(&mut holder, "CREATE (:Held)");
    assert!(
        replies.last().is_some_and(|r| r.starts_with(&SUCCESS)),
        "{replies:02X?}"
    );

    // Another session's write waits its turn, then gives up with a transient error.
    let mut other = bolt_4_4(&server);
    let replies = run_and_pull(&mut other, "CREATE (:Other)");
    let text = failure_text(&replies[0]);
    assert!(
        text.contains("Neo.TransientError.Transaction.LockAcquisitionTimeout"),
        "{text}"
    );
    assert!(text.contains("busy"), "{text}");
    assert_eq!(receive(&mut other), Some(vec![0xB0, 0x7E]));
    send(&mut other, &[0xB0, 0x0F]);
    assert!(receive(&mut other)
        .unwrap_or_default()
        .starts_with(&SUCCESS));

    // A third connection is over the maximum of two.
    let mut third = server.connect();
    assert_eq!(
        handshake(&mut third, [[0, 0, 4, 4], [0; 4], [0; 4], [0; 4]]),
        [0, 0, 4, 4]
    );
    let mut hello = vec![0xB1, 0x01];
    string_map(&mut hello, &[("user_agent", "skein-test")]);
    send(&mut third, &hello);
    let text = failure_text(&receive(&mut third).unwrap_or_default());
    assert!(
        text.contains("NoThreadsAvailable") && text.contains("maximum of 2"),
        "{text}"
    );
    assert_eq!(receive(&mut third), None);

    // The holder goes silent past the transaction idle timeout: rolled back, so the
    // other session can write, and the holder's COMMIT fails.
    std::thread::sleep(Duration::from_millis(1600));
    let replies = run_and_pull(&mut other, "CREATE (:Other)");
    assert!(
        replies.last().is_some_and(|r| r.starts_with(&SUCCESS)),
        "{replies:02X?}"
    );
    send(&mut holder, &[0xB0, 0x12]);
    let text = failure_text(&receive(&mut holder).unwrap_or_default());
    assert!(
        text.contains("Neo.ClientError.Transaction.TransactionTimedOut"),
        "{text}"
    );
    let replies = run_and_pull(&mut other, "MATCH (n:Held) RETURN count(n)");
    assert!(
        replies[1].starts_with(&[0xB1, 0x71, 0x91, 0x00]),
        "{replies:02X?}"
    );
}

#[test]
fn a_public_address_without_authentication_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(["--memory", "serve", "--bolt", "0.0.0.0:0"])
        .env_remove("SKEIN_PASSWORD")
        .output()
        .unwrap_or_else(|e| panic!("cannot run skein: {e}"));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("without authentication") && stderr.contains("--auth-file"),
        "{stderr}"
    );
}

#[test]
fn sigterm_rolls_back_open_transactions_and_releases_the_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("db");
    let db_text = db.to_string_lossy().to_string();
    let mut server = Server::start(&["--db", &db_text]);
    let mut stream = bolt_4_4(&server);
    let replies = run_and_pull(&mut stream, "CREATE (:Kept)");
    assert!(replies.last().is_some_and(|r| r.starts_with(&SUCCESS)));
    // BEGIN, a write, and no COMMIT.
    send(&mut stream, &[0xB1, 0x11, 0xA0]);
    assert!(receive(&mut stream)
        .unwrap_or_default()
        .starts_with(&SUCCESS));
    let replies = run_and_pull(&mut stream, "CREATE (:RolledBack)");
    assert!(
        replies.last().is_some_and(|r| r.starts_with(&SUCCESS)),
        "{replies:02X?}"
    );

    assert_eq!(server.terminate(), Some(0));
    let reopened = skein::Database::open(&db).unwrap_or_else(|e| panic!("{e}"));
    let count = |label: &str| {
        reopened
            .execute(
                &format!("MATCH (n:{label}) RETURN count(n)"),
                &skein::Params::new(),
            )
            .map(|r| r.rows[0][0].to_string())
            .unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(count("Kept"), "1");
    assert_eq!(count("RolledBack"), "0");
}
