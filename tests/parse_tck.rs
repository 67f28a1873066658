//! Parses every query of every TCK scenario (setup queries, the query under test and
//! control queries, with Scenario Outline placeholders filled from each Examples row).
//! Every query whose scenario does not expect a SyntaxError must parse; a scenario that
//! expects a SyntaxError is counted by whether the parser (rather than a later stage)
//! already rejects it.
//!
//! The TCK folder comes from `SKEIN_TCK`, else `../shared/tck/features` relative to the
//! crate (or `../../shared/…` from a worktree); without either the test says so and passes.

use std::path::{Path, PathBuf};

use skein::testing::parse::parse_statement;

/// One query to parse and whether its scenario expects a SyntaxError for it.
struct TckQuery {
    file: PathBuf,
    scenario: String,
    text: String,
    may_fail: bool,
    /// The expected error's detail code when the scenario expects a SyntaxError.
    expected_detail: String,
}

fn tck_folder() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("SKEIN_TCK") {
        return Some(PathBuf::from(dir));
    }
    // The main checkout sits beside `shared/`; a worktree sits one level deeper.
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    ["../shared/tck/features", "../../shared/tck/features"]
        .into_iter()
        .map(|relative| crate_dir.join(relative))
        .find(|dir| dir.is_dir())
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

/// Placeholder names and their values for one Examples row.
type Bindings = Vec<(String, String)>;

/// One Examples block: its header, then its rows.
type ExamplesBlock = (Vec<String>, Vec<Bindings>);

/// A scenario as read from the file: its doc-string queries (with the step that
/// introduced each), whether it expects a SyntaxError, and its Examples rows.
#[derive(Default)]
struct RawScenario {
    name: String,
    queries: Vec<(String, bool)>,
    expects_syntax_error: bool,
    expected_detail: String,
    examples: Vec<ExamplesBlock>,
}

fn table_cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    if n != '|' && n != '\\' {
                        cell.push('\\');
                    }
                    cell.push(n);
                }
            }
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            _ => cell.push(c),
        }
    }
    cells.push(cell.trim().to_string());
    cells
}

fn read_feature(file: &Path, out: &mut Vec<TckQuery>) {
    let Ok(content) = std::fs::read_to_string(file) else {
        return;
    };
    let lines: Vec<&str> = content.lines().collect();
    let mut scenarios: Vec<RawScenario> = Vec::new();
    let mut background: Vec<(String, bool)> = Vec::new();
    let mut in_background = false;
    let mut in_examples = false;
    let mut last_step = String::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        let trimmed = line.trim();
        i += 1;
        if trimmed.starts_with('#') || trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with("Background:") {
            in_background = true;
            continue;
        }
        if trimmed.starts_with("Scenario") {
            in_background = false;
            in_examples = false;
            scenarios.push(RawScenario {
                name: trimmed.to_string(),
                queries: background.clone(),
                ..RawScenario::default()
            });
            continue;
        }
        if trimmed.starts_with("Examples") {
            in_examples = true;
            if let Some(s) = scenarios.last_mut() {
                s.examples.push((Vec::new(), Vec::new()));
            }
            continue;
        }
        if trimmed.starts_with("\"\"\"") {
            let indent = line.len() - line.trim_start().len();
            let mut body = Vec::new();
            while let Some(l) = lines.get(i) {
                i += 1;
                if l.trim().starts_with("\"\"\"") {
                    break;
                }
                body.push(l.get(indent..).unwrap_or(l.trim_start()));
            }
            let is_query = last_step.contains("executing query")
                || last_step.contains("having executed")
                || last_step.contains("executing control query");
            if is_query {
                let under_test = last_step.contains("executing query");
                let entry = (body.join("\n"), under_test);
                if in_background {
                    background.push(entry);
                } else if let Some(s) = scenarios.last_mut() {
                    s.queries.push(entry);
                }
            }
            continue;
        }
        if trimmed.starts_with('|') {
            if in_examples {
                if let Some((header, rows)) =
                    scenarios.last_mut().and_then(|s| s.examples.last_mut())
                {
                    if header.is_empty() {
                        *header = table_cells(trimmed);
                    } else {
                        rows.push(header.iter().cloned().zip(table_cells(trimmed)).collect());
                    }
                }
            }
            continue;
        }
        last_step = trimmed.to_string();
        if trimmed.contains("SyntaxError should be raised") {
            if let Some(s) = scenarios.last_mut() {
                s.expects_syntax_error = true;
                s.expected_detail = trimmed.rsplit(": ").next().unwrap_or_default().to_string();
            }
        }
    }
    for s in scenarios {
        let expansions: Vec<Bindings> = if s.examples.is_empty() {
            vec![Vec::new()]
        } else {
            s.examples
                .iter()
                .flat_map(|(_, rows)| rows.iter().cloned())
                .collect()
        };
        for bindings in expansions {
            for (query, under_test) in &s.queries {
                let mut text = query.clone();
                for (name, value) in &bindings {
                    text = text.replace(&format!("<{name}>"), value);
                }
                out.push(TckQuery {
                    file: file.to_path_buf(),
                    scenario: s.name.clone(),
                    text,
                    may_fail: s.expects_syntax_error && *under_test,
                    expected_detail: s.expected_detail.clone(),
                });
            }
        }
    }
}

#[test]
fn every_tck_query_parses() {
    let Some(folder) = tck_folder() else {
        println!("no TCK found: set SKEIN_TCK to the TCK's features folder to run this test");
        return;
    };
    let mut files = Vec::new();
    feature_files(&folder, &mut files);
    let mut queries = Vec::new();
    for file in &files {
        read_feature(file, &mut queries);
    }
    assert!(
        !queries.is_empty(),
        "no queries found under {}",
        folder.display()
    );
    let mut parsed = 0;
    let mut failures = Vec::new();
    let mut expected_errors = 0;
    let mut expected_errors_caught = 0;
    // With SKEIN_TCK_SHOW_ACCEPTED set, list the queries that should fail with a
    // SyntaxError but parse, to see which checks are left to later stages.
    let show_accepted = std::env::var_os("SKEIN_TCK_SHOW_ACCEPTED").is_some();
    for q in &queries {
        let result = parse_statement(&q.text);
        if q.may_fail {
            expected_errors += 1;
            match &result {
                Err(e) => {
                    expected_errors_caught += 1;
                    if show_accepted && e.detail != q.expected_detail {
                        println!(
                            "=== caught as {} but expected {}: {}\n{}",
                            e.detail, q.expected_detail, q.scenario, q.text
                        );
                    }
                }
                Ok(_) if show_accepted => {
                    println!(
                        "=== accepted, expected {}: {}\n{}",
                        q.expected_detail, q.scenario, q.text
                    )
                }
                Ok(_) => {}
            }
            continue;
        }
        match result {
            Ok(_) => parsed += 1,
            Err(e) => failures.push(format!(
                "{} / {}\n{}\n{}",
                q.file.strip_prefix(&folder).unwrap_or(&q.file).display(),
                q.scenario,
                q.text,
                e.render(&q.text)
            )),
        }
    }
    println!(
        "{} feature files, {} queries: {} parsed, {} failed; {} expect a SyntaxError, {} of them rejected by the parser",
        files.len(),
        queries.len(),
        parsed,
        failures.len(),
        expected_errors,
        expected_errors_caught
    );
    for f in failures.iter().take(40) {
        println!("---\n{f}");
    }
    assert!(
        failures.is_empty(),
        "{} TCK queries failed to parse",
        failures.len()
    );
}
