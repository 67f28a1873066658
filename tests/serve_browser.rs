//! The browser page in a real browser: `skein serve --http` on the seed graph, and
//! tests/browser/check.mjs driving headless Chromium through playwright-core. It types a
//! query, runs it with Ctrl-Enter, waits for the drawing to settle, checks the drawn
//! nodes are the ones the query returned (through `window.skein`), clicks a node and
//! checks the side panel shows its properties, and saves target/browser/page.png.
//!
//! Without node, `npm ci --prefix tests/browser` or /usr/bin/chromium (or
//! `SKEIN_CHROMIUM`) the test says what is missing and passes, unless
//! `SKEIN_REQUIRE_BROWSER=1` (as `.ci/run` sets), when it fails.

mod server;

use server::Server;
use std::path::{Path, PathBuf};
use std::process::Command;

/// What is missing to run the check, if anything.
fn missing_tools(browser_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|out| out.status.success()) {
        missing.push("node (Node.js 18 or newer)".to_string());
    }
    if !browser_dir.join("node_modules/playwright-core").is_dir() {
        missing.push("playwright-core: run `npm ci --prefix tests/browser`".to_string());
    }
    let chromium = std::env::var("SKEIN_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !Path::new(&chromium).exists() {
        missing.push(format!(
            "{chromium}: run `apt-get install chromium` or set SKEIN_CHROMIUM"
        ));
    }
    missing
}

#[test]
fn the_page_draws_a_query_and_shows_a_clicked_node() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let browser_dir = root.join("tests/browser");
    let missing = missing_tools(&browser_dir);
    if !missing.is_empty() {
        let list = missing.join("; ");
        if std::env::var("SKEIN_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("SKEIN_REQUIRE_BROWSER=1 but the browser check cannot run: missing {list}");
        }
        eprintln!("SKIPPED: the browser check needs {list}");
        return;
    }
    let seed = root.join("seed/").to_string_lossy().into_owned();
    let server = Server::start_http(&["--memory", "--quiet", "--load", &seed], None, &[]);
    let url = format!("http://{}/", server.http_address());
    let screenshot: PathBuf = root.join("target/browser/page.png");
    let out = Command::new("node")
        .arg(browser_dir.join("check.mjs"))
        .arg(&url)
        .arg(&screenshot)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("browser checks passed"),
        "check.mjs failed:\n{stdout}\n{stderr}"
    );
    assert!(
        screenshot.is_file(),
        "no screenshot at {}",
        screenshot.display()
    );
    eprintln!("{stdout}");
}
