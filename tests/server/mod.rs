//! The harness the server tests share: start the real `skein serve` on free loopback
//! ports (port 0, read back from the lines it prints), talk HTTP/1.1 to it with a
//! plain socket, stop it with SIGTERM or on drop.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub const PASSWORD: &str = "correct horse";

/// A running `skein serve`, stopped when dropped.
pub struct Server {
    pub child: Child,
    /// Bolt's address.
    pub address: String,
    /// HTTP's address, when started with `--http`.
    pub http: Option<String>,
}

/// How the server is started.
pub struct Start<'a> {
    /// The global arguments before `serve` (`--memory`, `--db PATH`, `--load seed/`).
    pub db_args: &'a [&'a str],
    /// Arguments after `serve --bolt 127.0.0.1:0`.
    pub serve_args: &'a [&'a str],
    /// `SKEIN_PASSWORD`, or none for a server without authentication.
    pub password: Option<&'a str>,
}

impl Server {
    /// A Bolt server with [`PASSWORD`].
    pub fn start(db_args: &[&str]) -> Server {
        Server::start_with(db_args, &[])
    }

    /// A Bolt server with [`PASSWORD`] and more `serve` arguments.
    pub fn start_with(db_args: &[&str], serve_args: &[&str]) -> Server {
        Server::launch(&Start {
            db_args,
            serve_args,
            password: Some(PASSWORD),
        })
    }

    /// Bolt and HTTP, both on port 0.
    pub fn start_http(db_args: &[&str], password: Option<&str>, serve_args: &[&str]) -> Server {
        let mut args = vec!["--http", "127.0.0.1:0"];
        args.extend_from_slice(serve_args);
        Server::launch(&Start {
            db_args,
            serve_args: &args,
            password,
        })
    }

    pub fn launch(start: &Start<'_>) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_skein"));
        command
            .args(start.db_args)
            .args(["serve", "--bolt", "127.0.0.1:0"])
            .args(start.serve_args)
            .env_remove("SKEIN_USER")
            .env_remove("SKEIN_PASSWORD")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if let Some(password) = start.password {
            command.env("SKEIN_PASSWORD", password);
        }
        let mut child = command.spawn().expect("cannot start skein serve");
        let stderr = child.stderr.take().expect("skein serve has no stderr");
        let wants_http = start.serve_args.contains(&"--http");
        let mut lines = BufReader::new(stderr).lines();
        let mut address = None;
        let mut http = None;
        while address.is_none() || (wants_http && http.is_none()) {
            let line = match lines.next() {
                Some(Ok(line)) => line,
                other => panic!("skein serve ended before listening: {other:?}"),
            };
            let first_word = |rest: &str| rest.split(' ').next().unwrap_or_default().to_string();
            if let Some(rest) = line.strip_prefix("skein serve: Bolt listening on ") {
                address = Some(first_word(rest));
            } else if let Some(rest) = line.strip_prefix("skein serve: HTTP listening on ") {
                http = Some(first_word(rest));
            }
        }
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            address: address.unwrap_or_default(),
            http,
        }
    }

    pub fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.address)
            .unwrap_or_else(|e| panic!("cannot connect to {}: {e}", self.address));
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("cannot set a read timeout");
        stream
    }

    /// The HTTP address; the server must have been started with `--http`.
    pub fn http_address(&self) -> &str {
        self.http
            .as_deref()
            .expect("the server was started without --http")
    }

    /// Sends SIGTERM and returns the exit code.
    pub fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status();
        assert!(sent.is_ok_and(|s| s.success()), "kill -TERM failed");
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One HTTP/1.1 request on its own connection (`Connection: close`); `headers` are
/// added as given, and `Host` is the address unless `headers` names one.
pub fn http(
    address: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream =
        TcpStream::connect(address).unwrap_or_else(|e| panic!("cannot connect to {address}: {e}"));
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("cannot set a read timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {address}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = request.into_bytes();
    bytes.extend_from_slice(body);
    // The server may answer (413) and close before reading all of a large body.
    let _ = stream.write_all(&bytes);
    let mut raw = Vec::new();
    let mut buffer = [0u8; 64 * 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => raw.extend_from_slice(buffer.get(..n).unwrap_or_default()),
            Err(e) if raw.is_empty() => panic!("no answer from {address}: {e}"),
            Err(_) => break,
        }
    }
    parse_reply(&raw)
}

fn parse_reply(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(raw.get(..end).unwrap_or_default()).into_owned();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let rest = raw.get(end + 4..).unwrap_or_default().to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked { dechunk(&rest) } else { rest };
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(data.get(..line_end).unwrap_or_default());
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(data.get(start..start + size).unwrap_or_default());
        data = data.get(start + size + 2..).unwrap_or_default();
    }
}

/// `POST /db/query` with a JSON body and the given extra headers.
pub fn post_query(address: &str, body: &serde_json::Value, headers: &[(&str, &str)]) -> Reply {
    let mut all = vec![("Content-Type", "application/json")];
    all.extend_from_slice(headers);
    http(
        address,
        "POST",
        "/db/query",
        &all,
        body.to_string().as_bytes(),
    )
}
