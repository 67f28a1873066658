//! Golden plans: each file under `tests/plans/` builds a graph, then holds queries with
//! the plan EXPLAIN prints for each. A planner change that alters a plan shows up here
//! as a readable diff of operator trees.
//!
//! A file is a list of sections, each opened by a line `-- graph`, `-- query` or
//! `-- plan`: one `-- graph` first (statements separated by `;`, run in order), then
//! pairs of `-- query` (one statement, run under EXPLAIN) and `-- plan` (what EXPLAIN
//! prints). `SKEIN_BLESS=1 cargo test --test golden_plans` rewrites every `-- plan`
//! section with what EXPLAIN prints today; review the diff before committing it.

use skein::{Database, Params};
use std::path::{Path, PathBuf};

#[derive(Debug, PartialEq)]
enum Section {
    Graph,
    Query,
    Plan,
}

/// The sections of a golden file in order, each with its text (trailing blank lines
/// dropped).
fn sections(text: &str, file: &Path) -> Vec<(Section, String)> {
    let mut out: Vec<(Section, String)> = Vec::new();
    for line in text.lines() {
        let opened = match line.trim_end() {
            "-- graph" => Some(Section::Graph),
            "-- query" => Some(Section::Query),
            "-- plan" => Some(Section::Plan),
            _ => None,
        };
        match (opened, out.last_mut()) {
            (Some(kind), _) => out.push((kind, String::new())),
            (None, Some((_, body))) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) if line.trim().is_empty() => {}
            (None, None) => panic!("{}: text before the first section: {line}", file.display()),
        }
    }
    for (_, body) in &mut out {
        let kept = body.trim_end().len();
        body.truncate(kept);
    }
    out
}

/// The file written back with `plans` in place of its `-- plan` sections.
fn blessed(sections: &[(Section, String)], plans: &[String]) -> String {
    let mut out = String::new();
    let mut next_plan = plans.iter();
    for (kind, body) in sections {
        let (header, body) = match kind {
            Section::Graph => ("-- graph", body.as_str()),
            Section::Query => ("-- query", body.as_str()),
            Section::Plan => ("-- plan", next_plan.next().map_or("", String::as_str)),
        };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(header);
        out.push('\n');
        out.push_str(body);
        out.push('\n');
    }
    out
}

fn golden_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/plans");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    files
}

/// Runs one golden file: the plans EXPLAIN prints for its queries, and the
/// differences from the file's `-- plan` sections.
fn check(file: &Path) -> (Vec<(Section, String)>, Vec<String>, Vec<String>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let sections = sections(&text, file);
    let db = Database::open_temporary().expect("temporary database");
    let mut plans = Vec::new();
    let mut differences = Vec::new();
    let mut query: Option<&str> = None;
    for (kind, body) in &sections {
        match kind {
            Section::Graph => {
                for statement in body.split(';').filter(|s| !s.trim().is_empty()) {
                    if let Err(e) = db.execute(statement, &Params::new()) {
                        panic!(
                            "{}: graph statement failed: {statement}\n{e}",
                            file.display()
                        );
                    }
                }
            }
            Section::Query => query = Some(body),
            Section::Plan => {
                let q = query
                    .take()
                    .unwrap_or_else(|| panic!("{}: a plan without a query", file.display()));
                let plan = match db.execute(&format!("EXPLAIN {q}"), &Params::new()) {
                    Ok(result) => result.plan.unwrap_or_default(),
                    Err(e) => format!("error: {e}"),
                };
                let plan = plan.trim_end().to_string();
                if plan != *body {
                    differences.push(format!(
                        "{}: {q}\n--- expected\n{body}\n--- EXPLAIN prints\n{plan}\n",
                        file.display()
                    ));
                }
                plans.push(plan);
            }
        }
    }
    (sections, plans, differences)
}

#[test]
fn plans_are_as_blessed() {
    let bless = std::env::var_os("SKEIN_BLESS").is_some_and(|v| v == "1");
    let files = golden_files();
    assert!(!files.is_empty(), "no golden plan files under tests/plans");
    let mut differences = Vec::new();
    for file in files {
        let (sections, plans, found) = check(&file);
        if bless && !found.is_empty() {
            std::fs::write(&file, blessed(&sections, &plans))
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        } else {
            differences.extend(found);
        }
    }
    assert!(
        differences.is_empty(),
        "{} plan(s) differ (SKEIN_BLESS=1 rewrites them):\n\n{}",
        differences.len(),
        differences.join("\n")
    );
}

#[test]
fn a_file_reads_back_as_written() {
    let text = "-- graph\nCREATE (:A);\n\n-- query\nMATCH (a) RETURN a\n\n-- plan\nold\n";
    let parsed = sections(text, Path::new("inline"));
    assert_eq!(parsed.len(), 3);
    assert_eq!(blessed(&parsed, &["old".to_string()]), text);
    assert!(blessed(&parsed, &["new".to_string()]).ends_with("-- plan\nnew\n"));
}

/// PROFILE runs the plan EXPLAIN prints, operator for operator: the same lines, each
/// with the rows it produced and its time.
#[test]
fn profile_measures_the_plan_explain_prints() {
    let db = Database::open_temporary().expect("temporary database");
    let none = Params::new();
    db.execute(
        "UNWIND range(1, 100) AS i CREATE (:P {k: i})-[:R]->(:Q {k: i % 7})",
        &none,
    )
    .expect("graph");
    let query = "MATCH (p:P)-[:R]->(q) WHERE p.k > 90 AND q.k = 3 RETURN p.k ORDER BY p.k";
    let explained = db
        .execute(&format!("EXPLAIN {query}"), &none)
        .expect("explain")
        .plan
        .unwrap_or_default();
    let profiled = db
        .execute(&format!("PROFILE {query}"), &none)
        .expect("profile");
    assert_eq!(profiled.rows.len(), 1, "only p.k = 94 has q.k = 3");
    let profile = profiled.plan.unwrap_or_default();
    let without_measures: Vec<&str> = profile
        .lines()
        .map(|l| l.split(" (rows: ").next().unwrap_or(l))
        .collect();
    assert_eq!(without_measures, explained.lines().collect::<Vec<_>>());
    // The scan tests p.k > 90 itself: ten rows leave it, not a hundred.
    let scan = profile
        .lines()
        .find(|l| l.starts_with("NodeByLabelScan"))
        .unwrap_or_default();
    assert!(
        scan.contains("WHERE p.k > 90") && scan.contains("(rows: 10,"),
        "{profile}"
    );
}
