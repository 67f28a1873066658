//! `skein serve --http` as an HTTP client sees it, on the real binary: `POST /db/query`
//! answers exactly what `skein --format json` prints for the same statement on the same
//! database, parameters come from JSON, errors are JSON with a fitting status, logins
//! and the failed-login lockout are Bolt's, an unauthenticated server answers loopback
//! Host names only, and the page is served.

mod server;

use serde_json::{json, Value as Json};
use server::{http, post_query, Server, PASSWORD};
use std::process::Command;

fn seed() -> String {
    format!("{}/seed/", env!("CARGO_MANIFEST_DIR"))
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {token}")
}

#[test]
fn a_query_answers_what_format_json_prints_for_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let db = dir.path().join("db").to_string_lossy().into_owned();
    let statements = [
        "MATCH (p:Person) RETURN p.name AS name, p.aliases AS aliases ORDER BY name",
        "MATCH (p:Person)-[s:STATED]->(f) RETURN p, s, f ORDER BY s.claim LIMIT 3",
        "MATCH path = (:Person {name: 'Alexander Galushka'})-[*1..2]->() \
         RETURN path ORDER BY length(path), id(last(nodes(path))) LIMIT 4",
        "RETURN date('2014-05-05') AS day, 1.0 / 0 AS inf, [1, 'two', null] AS list",
        "CALL db.labels() YIELD label RETURN label ORDER BY label",
    ];
    let mut answers = Vec::new();
    {
        let seed = seed();
        let mut server = Server::start_http(&["--db", &db, "--load", &seed], None, &[]);
        for statement in statements {
            let reply = post_query(
                server.http_address(),
                &json!({ "statement": statement }),
                &[],
            );
            assert_eq!(reply.status, 200, "{statement}: {}", reply.text());
            assert_eq!(reply.header("content-type"), Some("application/json"));
            answers.push(reply.text());
        }
        assert_eq!(server.terminate(), Some(0));
    }
    for (statement, answer) in statements.iter().zip(answers) {
        let cli = Command::new(env!("CARGO_BIN_EXE_skein"))
            .args(["--db", &db, "--format", "json", "-c", statement])
            .output()
            .expect("skein runs");
        assert!(cli.status.success(), "{statement}: {cli:?}");
        assert_eq!(answer, String::from_utf8_lossy(&cli.stdout), "{statement}");
        assert!(answer.contains("\"columns\""), "{answer}");
    }
}

#[test]
fn parameters_of_every_json_type_arrive_as_values_not_as_cypher() {
    let server = Server::start_http(&["--memory"], None, &[]);
    let address = server.http_address();
    let reply = post_query(
        address,
        &json!({
            "statement": "RETURN $i + 1 AS i, $f * 2 AS f, $s AS s, $b AS b, $n IS NULL AS n, \
                          size($l) AS l, $m.k AS m, $nested.list[1].x AS nested",
            "parameters": {
                "i": 41, "f": 1.25, "s": "it's ' RETURN 1 //", "b": true, "n": null,
                "l": [1, "two", 3.0], "m": {"k": "v"}, "nested": {"list": [0, {"x": [7]}]}
            }
        }),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["rows"],
        json!([{
            "i": 42, "f": 2.5, "s": "it's ' RETURN 1 //", "b": true, "n": true,
            "l": 3, "m": "v", "nested": [7]
        }])
    );
    // A write with parameters: its stats come back, and the value is stored as given.
    let reply = post_query(
        address,
        &json!({
            "statement": "CREATE (p:Person {name: $name, born: $born}) RETURN p.name AS name",
            "parameters": {"name": "Ada", "born": 1815}
        }),
        &[],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let answer = reply.json();
    assert_eq!(answer["rows"], json!([{"name": "Ada"}]));
    assert_eq!(answer["stats"]["nodes_created"], json!(1));
    assert_eq!(answer["stats"]["properties_set"], json!(2));
    // A number no 64-bit integer holds is refused, not rounded.
    let reply = post_query(
        address,
        &json!({"statement": "RETURN $x", "parameters": {"x": u64::MAX}}),
        &[],
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"]["class"], json!("BadRequest"));
}

#[test]
fn errors_are_json_with_class_detail_position_and_a_fitting_status() {
    let server = Server::start_http(&["--memory"], None, &["--max-message-bytes", "1024"]);
    let address = server.http_address();
    let reply = post_query(address, &json!({"statement": "MATCH (n RETURN n"}), &[]);
    assert_eq!(reply.status, 400, "{}", reply.text());
    let error = &reply.json()["error"];
    assert_eq!(error["class"], json!("SyntaxError"));
    assert_eq!(error["position"]["line"], json!(1));
    assert!(error["position"]["column"].as_u64().is_some(), "{error}");
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );

    let reply = post_query(address, &json!({"statement": "RETURN $missing"}), &[]);
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(reply.json()["error"]["class"], json!("ParameterMissing"));

    // Malformed bodies.
    for body in [
        &b"{not json"[..],
        b"[1]",
        br#"{"statement": 3}"#,
        br#"{"query": "RETURN 1"}"#,
    ] {
        let reply = http(
            address,
            "POST",
            "/db/query",
            &[("Content-Type", "application/json")],
            body,
        );
        assert_eq!(reply.status, 400, "{}", reply.text());
        assert_eq!(reply.json()["error"]["class"], json!("BadRequest"));
    }
    // A body that is not declared JSON (what a form on another site could send).
    let reply = http(
        address,
        "POST",
        "/db/query",
        &[("Content-Type", "text/plain")],
        br#"{"statement": "CREATE ()"}"#,
    );
    assert_eq!(reply.status, 415, "{}", reply.text());
    // Larger than --max-message-bytes.
    let big = json!({"statement": format!("RETURN '{}'", "x".repeat(4096))});
    let reply = post_query(address, &big, &[]);
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert_eq!(reply.json()["error"]["class"], json!("PayloadTooLarge"));
    // Paths and methods.
    let reply = http(address, "GET", "/nothing/here", &[], b"");
    assert_eq!(reply.status, 404);
    assert_eq!(reply.json()["error"]["class"], json!("NotFound"));
    let reply = http(address, "GET", "/db/query", &[], b"");
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    let reply = http(address, "DELETE", "/", &[], b"");
    assert_eq!(reply.status, 405);
    // The server is still there after all of that.
    let reply = post_query(address, &json!({"statement": "RETURN 1 AS one"}), &[]);
    assert_eq!(reply.json()["rows"], json!([{"one": 1}]));
}

#[test]
fn with_credentials_set_a_login_is_needed_and_failures_lock_the_address_out() {
    let server = Server::start_http(&["--memory"], Some(PASSWORD), &[]);
    let address = server.http_address();
    let query = json!({"statement": "RETURN 1 AS one"});
    let reply = post_query(address, &query, &[]);
    assert_eq!(reply.status, 401, "{}", reply.text());
    assert!(
        reply
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with("Basic")),
        "{reply:?}"
    );
    let reply = http(address, "GET", "/", &[], b"");
    assert_eq!(reply.status, 401);
    let wrong = basic("neo4j", "wrong");
    let reply = post_query(address, &query, &[("Authorization", &wrong)]);
    assert_eq!(reply.status, 401, "{}", reply.text());
    let right = basic("neo4j", PASSWORD);
    let reply = post_query(address, &query, &[("Authorization", &right)]);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["rows"], json!([{"one": 1}]));
    // With a login any Host is fine (the login is the defence).
    let reply = post_query(
        address,
        &query,
        &[("Authorization", &right), ("Host", "skein.example:7474")],
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    // Bolt's limit: five failures in a minute lock the address out, right password or not.
    for _ in 0..5 {
        let reply = post_query(address, &query, &[("Authorization", &wrong)]);
        assert_eq!(reply.status, 401);
    }
    let reply = post_query(address, &query, &[("Authorization", &right)]);
    assert_eq!(reply.status, 429, "{}", reply.text());
    assert!(reply.header("retry-after").is_some(), "{reply:?}");
}

#[test]
fn without_credentials_only_loopback_host_names_are_answered() {
    let server = Server::start_http(&["--memory"], None, &[]);
    let address = server.http_address();
    let port = address.rsplit(':').next().unwrap_or_default();
    let query = json!({"statement": "RETURN 1 AS one"});
    for host in [format!("evil.example:{port}"), "10.1.2.3".to_string()] {
        let reply = post_query(address, &query, &[("Host", &host)]);
        assert_eq!(reply.status, 403, "{host}: {}", reply.text());
        let reply = http(address, "GET", "/", &[("Host", &host)], b"");
        assert_eq!(reply.status, 403, "{host}");
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ] {
        let reply = post_query(address, &query, &[("Host", &host)]);
        assert_eq!(reply.status, 200, "{host}: {}", reply.text());
    }
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let server = Server::start_http(&["--memory"], None, &[]);
    let address = server.http_address();
    let page = http(address, "GET", "/", &[], b"");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let text = page.text();
    assert!(text.contains("<canvas id=\"graph\""), "{text}");
    assert!(
        text.contains("/page.js") && text.contains("/page.css"),
        "{text}"
    );
    let script = http(address, "GET", "/page.js", &[], b"");
    assert_eq!(script.status, 200);
    assert_eq!(
        script.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert!(script.text().contains("window.skein"));
    let style = http(address, "GET", "/page.css", &[], b"");
    assert_eq!(style.status, 200);
    assert!(page
        .header("content-security-policy")
        .is_some_and(|p| p.contains("default-src 'self'")));
}

#[test]
fn a_public_http_address_without_authentication_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args([
            "--memory",
            "serve",
            "--bolt",
            "127.0.0.1:0",
            "--http",
            "0.0.0.0:0",
        ])
        .env_remove("SKEIN_PASSWORD")
        .output()
        .expect("skein runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("without authentication") && stderr.contains("0.0.0.0"),
        "{stderr}"
    );
}

#[test]
fn http_without_an_address_takes_the_default_and_sigterm_stops_both_listeners() {
    // `--http` alone means 127.0.0.1:7474; that port may be taken on a test machine, so
    // only the parse is checked here, through --help's text and a start on port 0.
    let help = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(["serve", "--help"])
        .output()
        .expect("skein runs");
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("--http [<HOST:PORT>]"), "{text}");
    assert!(text.contains("127.0.0.1:7474"), "{text}");
    let mut server = Server::start_http(&["--memory"], None, &[]);
    let reply = post_query(
        server.http_address(),
        &json!({"statement": "RETURN 1 AS one"}),
        &[],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(server.terminate(), Some(0));
    let _: Json = reply.json();
}
