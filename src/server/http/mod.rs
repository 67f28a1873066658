//! `skein serve --http`: the HTTP listener beside Bolt, on the same database and the
//! same credentials. It owns the routes (`GET /` and the page's two assets, built into
//! the binary from `page/`; `POST /db/query`), HTTP Basic login with Bolt's failed-login
//! limit, the Host-header check that guards an unauthenticated loopback server against
//! DNS rebinding, the bounded worker pool, and turning a request into a statement and a
//! result or an error into JSON.
//!
//! Invariants: a query's answer is exactly what `skein --format json` prints for the
//! statement (the same `render::write_result`, no second encoder); parameters are
//! converted from JSON to values directly, never through the Cypher parser; a body is
//! read at most `max_message_bytes` (+1, to tell that it is over); nothing a client
//! sends can panic a worker. `POST /db/query` wants `Content-Type: application/json`:
//! a web page elsewhere cannot send that without a CORS preflight, which this server
//! never grants, so it cannot make a visitor's browser run statements here.
//!
//! tiny_http reads requests on threads of its own; the statements run on
//! [`WORKERS`] threads fed by a queue of [`QUEUE`] requests; past that a request gets
//! 503 at once.

use super::Shared;
use crate::render::{write_result, Format, RenderOptions};
use crate::{CancelToken, Error, ErrorClass, Params, Value};
use base64::Engine as _;
use serde_json::{json, Value as Json};
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tiny_http::{Header, Method, Request, Response, Server};

/// Threads that run statements.
pub const WORKERS: usize = 8;
/// Requests waiting for a worker; more are answered 503.
pub const QUEUE: usize = 64;
/// How often the listener looks at the shutdown flag.
const POLL: Duration = Duration::from_millis(100);

const INDEX_HTML: &str = include_str!("page/index.html");
const PAGE_JS: &str = include_str!("page/page.js");
const PAGE_CSS: &str = include_str!("page/page.css");

/// Binds the HTTP listener; returns it and the address it got (useful with port 0).
pub(super) fn bind(address: SocketAddr) -> Result<(Server, SocketAddr), String> {
    let server =
        Server::http(address).map_err(|e| format!("cannot listen for HTTP on {address}: {e}"))?;
    let bound = server
        .server_addr()
        .to_ip()
        .ok_or("the HTTP listener has no IP address")?;
    Ok((server, bound))
}

/// Serves HTTP until the shutdown flag is set, then lets the workers finish.
pub(super) fn serve(shared: Arc<Shared>, server: Server) {
    let (sender, receiver) = sync_channel::<Request>(QUEUE);
    let receiver = Arc::new(Mutex::new(receiver));
    let mut workers = Vec::new();
    for index in 0..WORKERS {
        let shared = shared.clone();
        let receiver = receiver.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("http-{index}"))
            .spawn(move || work(&shared, &receiver, index));
        match spawned {
            Ok(handle) => workers.push(handle),
            Err(e) => eprintln!("skein serve: cannot start an HTTP worker: {e}"),
        }
    }
    while !shared.shutdown.load(Ordering::Relaxed) {
        let request = match server.recv_timeout(POLL) {
            Ok(Some(request)) => request,
            Ok(None) => continue,
            Err(e) => {
                eprintln!("skein serve: HTTP accept failed: {e}");
                std::thread::sleep(POLL);
                continue;
            }
        };
        if workers.is_empty() {
            let _ = request.respond(error_response(
                503,
                "ServiceUnavailable",
                "the server has no HTTP worker",
            ));
            continue;
        }
        match sender.try_send(request) {
            Ok(()) => {}
            Err(TrySendError::Full(request) | TrySendError::Disconnected(request)) => {
                let text = format!(
                    "the server is answering its maximum of {} requests; try again later",
                    WORKERS + QUEUE
                );
                let _ = request.respond(error_response(503, "ServiceUnavailable", &text));
            }
        }
    }
    drop(sender);
    for worker in workers {
        let _ = worker.join();
    }
}

/// One worker: takes requests off the queue until it is closed.
fn work(shared: &Shared, receiver: &Mutex<Receiver<Request>>, index: usize) {
    let cancel = CancelToken::new();
    // Bolt's connection ids count up from 1; the workers take ids from the top.
    let id = u64::MAX - index as u64;
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, cancel.clone());
    loop {
        let next = receiver.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(request) = next else {
            break;
        };
        if shared.shutdown.load(Ordering::Relaxed) {
            let _ = request.respond(error_response(
                503,
                "ServiceUnavailable",
                "the server is shutting down",
            ));
            continue;
        }
        // A client that hangs up gets no answer; that is all a broken connection does.
        let _ = handle(shared, request, &cancel);
    }
    shared
        .running
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
}

type Answer = Response<std::io::Cursor<Vec<u8>>>;

fn header(name: &str, value: &str) -> Option<Header> {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
}

fn with_header(response: Answer, name: &str, value: &str) -> Answer {
    match header(name, value) {
        Some(h) => response.with_header(h),
        None => response,
    }
}

/// A body of `content_type` with the headers every answer carries.
fn answer(status: u16, content_type: &str, body: Vec<u8>) -> Answer {
    let response = Response::from_data(body).with_status_code(status);
    let response = with_header(response, "Content-Type", content_type);
    let response = with_header(response, "X-Content-Type-Options", "nosniff");
    let response = with_header(response, "Cache-Control", "no-store");
    with_header(
        response,
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    )
}

/// `{"error": {"class", "detail", "message", "position"}}`.
fn error_body(class: &str, detail: &str, message: &str, position: Json) -> Vec<u8> {
    let document = json!({
        "error": {
            "class": class,
            "detail": detail,
            "message": message,
            "position": position,
        }
    });
    let mut text = document.to_string();
    text.push('\n');
    text.into_bytes()
}

/// An error of the server's own (not a statement's): no detail, no position.
fn error_response(status: u16, class: &str, message: &str) -> Answer {
    answer(
        status,
        "application/json",
        error_body(class, "", message, Json::Null),
    )
}

/// A statement's error, with the status its class calls for.
fn statement_error(error: &Error) -> Answer {
    let status = match error.class {
        ErrorClass::StorageError | ErrorClass::IoError => 500,
        ErrorClass::TransactionError if error.detail == "LockTimeout" => 503,
        _ => 400,
    };
    let position = error.position.map_or(
        Json::Null,
        |p| json!({"offset": p.offset, "line": p.line, "column": p.column}),
    );
    answer(
        status,
        "application/json",
        error_body(error.class.name(), &error.detail, &error.message, position),
    )
}

fn header_value<'r>(request: &'r Request, name: &'static str) -> Option<&'r str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
}

/// Whether a Host header names this machine's loopback: `localhost`, `127.x.x.x`,
/// `[::1]`, each with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, _)) => inside,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The user and password of an `Authorization: Basic` header.
fn basic_credentials(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// `Err(answer)` when the request may not be served: a missing or wrong login (with
/// credentials), a locked-out address, or a Host that is not loopback (without).
fn admit(shared: &Shared, request: &Request) -> Result<(), Answer> {
    let peer = request
        .remote_addr()
        .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
    let Some(credentials) = &shared.config.credentials else {
        return match header_value(request, "Host") {
            Some(host) if is_loopback_host(host) => Ok(()),
            _ => Err(error_response(
                403,
                "Forbidden",
                "without authentication this server answers only requests for a loopback \
                 host (localhost, 127.0.0.1, [::1]); set SKEIN_PASSWORD or --auth-file to \
                 serve other names",
            )),
        };
    };
    let unauthorized = |text: &str| {
        with_header(
            error_response(401, "Unauthorized", text),
            "WWW-Authenticate",
            "Basic realm=\"skein\", charset=\"UTF-8\"",
        )
    };
    let Some(value) = header_value(request, "Authorization") else {
        return Err(unauthorized(
            "log in: this server needs a user and password (HTTP Basic)",
        ));
    };
    if let Err(wait) = shared.limiter.admit(peer) {
        let text = format!("too many failed logins from {peer}; try again in {wait} s");
        let response = error_response(429, "RateLimited", &text);
        return Err(with_header(response, "Retry-After", &wait.to_string()));
    }
    let ok = basic_credentials(value)
        .is_some_and(|(user, password)| credentials.check(&user, &password));
    if ok {
        shared.limiter.record_success(peer);
        Ok(())
    } else {
        shared.limiter.record_failure(peer);
        Err(unauthorized(
            "The client is unauthorized due to authentication failure.",
        ))
    }
}

/// Answers one request.
fn handle(shared: &Shared, mut request: Request, cancel: &CancelToken) -> std::io::Result<()> {
    if let Err(refusal) = admit(shared, &request) {
        return request.respond(refusal);
    }
    let path = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_string();
    let method = request.method().clone();
    let asset = match path.as_str() {
        "/" | "/index.html" => Some(("text/html; charset=utf-8", INDEX_HTML)),
        "/page.js" => Some(("text/javascript; charset=utf-8", PAGE_JS)),
        "/page.css" => Some(("text/css; charset=utf-8", PAGE_CSS)),
        _ => None,
    };
    let response = match (asset, path.as_str(), &method) {
        (Some((kind, text)), _, Method::Get | Method::Head) => {
            answer(200, kind, text.as_bytes().to_vec())
        }
        (Some(_), _, _) => not_allowed(&method, "GET"),
        (None, "/db/query", Method::Post) => query(shared, &mut request, cancel),
        (None, "/db/query", _) => not_allowed(&method, "POST"),
        (None, _, _) => error_response(
            404,
            "NotFound",
            &format!(
                "there is nothing at {path}: the page is at / and statements go to POST /db/query"
            ),
        ),
    };
    request.respond(response)
}

fn not_allowed(method: &Method, allowed: &str) -> Answer {
    let text = format!("{method} is not allowed here; use {allowed}");
    with_header(
        error_response(405, "MethodNotAllowed", &text),
        "Allow",
        allowed,
    )
}

/// `POST /db/query`: `{"statement": "...", "parameters": {...}}` → the statement's
/// result as `--format json` writes it.
fn query(shared: &Shared, request: &mut Request, cancel: &CancelToken) -> Answer {
    let content_type = header_value(request, "Content-Type").unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return error_response(
            415,
            "UnsupportedMediaType",
            &format!(
                "the body must be JSON sent with Content-Type: application/json, not '{content_type}'"
            ),
        );
    }
    let limit = shared.config.max_message_bytes;
    let too_large = || {
        error_response(
            413,
            "PayloadTooLarge",
            &format!("the body is larger than the server's limit of {limit} bytes"),
        )
    };
    if request.body_length().is_some_and(|n| n > limit) {
        return too_large();
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(limit as u64 + 1)
        .read_to_end(&mut body);
    if let Err(e) = read {
        return error_response(
            400,
            "BadRequest",
            &format!("the body could not be read: {e}"),
        );
    }
    if body.len() > limit {
        return too_large();
    }
    let (statement, params) = match parse_body(&body) {
        Ok(parsed) => parsed,
        Err(text) => return error_response(400, "BadRequest", &text),
    };
    cancel.reset();
    let options = shared.config.statement_options(cancel);
    match shared.db.execute_with(&statement, &params, &options) {
        Ok(result) => {
            let mut out = Vec::new();
            match write_result(&mut out, Format::Json, &result, &RenderOptions::default()) {
                Ok(()) => answer(200, "application/json", out),
                Err(e) => error_response(
                    500,
                    "InternalError",
                    &format!("the result could not be written: {e}"),
                ),
            }
        }
        Err(error) => statement_error(&error),
    }
}

/// The statement and parameters of a request body.
pub fn parse_body(body: &[u8]) -> Result<(String, Params), String> {
    let document: Json =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let Json::Object(fields) = document else {
        return Err(
            "the body must be a JSON object {\"statement\": \"...\", \"parameters\": {...}}"
                .to_string(),
        );
    };
    let mut statement = None;
    let mut params = Params::new();
    for (key, value) in fields {
        match (key.as_str(), value) {
            ("statement", Json::String(text)) => statement = Some(text),
            ("statement", _) => return Err("\"statement\" must be a string".to_string()),
            ("parameters", Json::Null) => {}
            ("parameters", Json::Object(entries)) => {
                for (name, value) in entries {
                    let value =
                        json_to_value(value).map_err(|e| format!("parameter ${name}: {e}"))?;
                    params.insert(name, value);
                }
            }
            ("parameters", _) => {
                return Err("\"parameters\" must be an object of names and values".to_string())
            }
            (other, _) => {
                return Err(format!(
                    "unknown field \"{other}\": the body holds \"statement\" and \"parameters\""
                ))
            }
        }
    }
    let statement = statement.ok_or("the body has no \"statement\"")?;
    Ok((statement, params))
}

/// A JSON parameter as a value: numbers that fit a 64-bit integer are integers, other
/// numbers floats; arrays are lists and objects maps (in their order).
fn json_to_value(value: Json) -> Result<Value, String> {
    Ok(match value {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) if n.is_f64() => Value::Float(f),
            _ => return Err(format!("{n} does not fit a 64-bit integer")),
        },
        Json::String(s) => Value::String(s),
        Json::Array(items) => Value::List(
            items
                .into_iter()
                .map(json_to_value)
                .collect::<Result<_, _>>()?,
        ),
        Json::Object(entries) => {
            let mut map = crate::Map::new();
            for (key, value) in entries {
                map.insert(key, json_to_value(value)?);
            }
            Value::Map(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_from_others() {
        for host in [
            "localhost",
            "localhost:7474",
            "127.0.0.1:7474",
            "127.1.2.3",
            "[::1]:7474",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example:7474",
            "localhost.evil.example",
            "10.0.0.1:7474",
            "[::2]:7474",
            "",
            "[::1",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn basic_credentials_are_decoded() {
        assert_eq!(
            basic_credentials("Basic bmVvNGo6cyBwOnc="),
            Some(("neo4j".to_string(), "s p:w".to_string()))
        );
        assert_eq!(basic_credentials("Bearer abc"), None);
        assert_eq!(basic_credentials("Basic !!!"), None);
    }

    #[test]
    fn bodies_give_a_statement_and_parameters_or_say_what_is_wrong() {
        let parsed = parse_body(
            br#"{"statement": "RETURN $a", "parameters": {"a": [1, 2.5, "x", null, {"k": true}]}}"#,
        );
        let Ok((statement, params)) = parsed else {
            panic!("{parsed:?}");
        };
        assert_eq!(statement, "RETURN $a");
        assert_eq!(
            params.get("a").map(Value::to_string).as_deref(),
            Some("[1, 2.5, 'x', null, {k: true}]")
        );
        for body in [
            &b"not json"[..],
            b"[]",
            b"{}",
            br#"{"statement": 1}"#,
            br#"{"statement": "RETURN 1", "parameters": []}"#,
            br#"{"statement": "RETURN 1", "extra": 1}"#,
            br#"{"statement": "RETURN $a", "parameters": {"a": 18446744073709551615}}"#,
        ] {
            assert!(
                parse_body(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
