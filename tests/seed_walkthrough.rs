//! The README walkthrough ("Asking the seed graph" in README.md) as a golden file: each ```cypher block
//! runs through the skein binary on the seed graph and its output must equal the
//! ```text block after it. `SKEIN_BLESS=1 cargo test --test seed_walkthrough` rewrites
//! the outputs after a deliberate change (review the diff). The time in the table's
//! footer (`1 row, 1.2 ms`) differs from run to run and is not compared.

use std::path::{Path, PathBuf};
use std::process::Command;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One question of the walkthrough: its query, and the lines of the file that hold the
/// expected output (between the ```text fence and its closing fence).
struct Example {
    query: String,
    output_lines: std::ops::Range<usize>,
}

/// The examples of the walkthrough, in order: each ```cypher block with the ```text
/// block that follows it.
fn examples(lines: &[&str]) -> Result<Vec<Example>, String> {
    let mut examples = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines.get(i).map(|l| l.trim_end()) != Some("```cypher") {
            i += 1;
            continue;
        }
        let query_start = i + 1;
        let query_end = fence_end(lines, query_start)?;
        let query = lines
            .get(query_start..query_end)
            .unwrap_or_default()
            .join("\n");
        let text_fence = (query_end + 1..lines.len())
            .find(|&j| lines.get(j).map(|l| l.trim_end()) == Some("```text"))
            .ok_or_else(|| format!("the query at line {} has no ```text block", i + 1))?;
        let output_end = fence_end(lines, text_fence + 1)?;
        examples.push(Example {
            query,
            output_lines: text_fence + 1..output_end,
        });
        i = output_end + 1;
    }
    Ok(examples)
}

/// The index of the closing fence of the block whose content starts at `start`.
fn fence_end(lines: &[&str], start: usize) -> Result<usize, String> {
    (start..lines.len())
        .find(|&j| lines.get(j).map(|l| l.trim_end()) == Some("```"))
        .ok_or_else(|| format!("the block at line {start} is not closed"))
}

/// What `skein --memory --load seed/ --format table -c QUERY` prints on standard output.
fn run_query(query: &str, seed: &Path) -> Result<String, String> {
    let output = Command::new(env!("CARGO_BIN_EXE_skein"))
        .arg("--memory")
        .arg("--quiet")
        .arg("--load")
        .arg(seed)
        .args(["--format", "table", "-c", query])
        .output()
        .map_err(|e| format!("cannot run skein: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "skein failed ({}) on\n{query}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout)
        .trim_end()
        .to_string())
}

/// The output with the time of each footer line (`4 rows, 1.6 ms`) taken out.
fn without_times(output: &str) -> String {
    output
        .lines()
        .map(|line| match line.rsplit_once(", ") {
            Some((rows, time))
                if (rows.ends_with(" row") || rows.ends_with(" rows")) && time.ends_with(" ms") =>
            {
                rows
            }
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn walkthrough_outputs_are_what_skein_prints() -> TestResult {
    let path = manifest_dir().join("README.md");
    let seed = manifest_dir().join("seed");
    let text = std::fs::read_to_string(&path)?;
    let lines: Vec<&str> = text.lines().collect();
    let examples = examples(&lines)?;
    assert!(
        examples.len() >= 10,
        "the walkthrough has {} queries",
        examples.len()
    );
    let bless = std::env::var_os("SKEIN_BLESS").is_some();
    let mut mismatches = Vec::new();
    let mut rewritten: Vec<String> = Vec::new();
    let mut copied_up_to = 0;
    for example in &examples {
        let actual = run_query(&example.query, &seed)?;
        let expected = lines
            .get(example.output_lines.clone())
            .unwrap_or_default()
            .join("\n");
        if without_times(&actual) != without_times(expected.trim_end()) {
            mismatches.push(format!(
                "{}\n--- expected\n{expected}\n--- actual\n{actual}",
                example.query
            ));
        }
        let before = lines
            .get(copied_up_to..example.output_lines.start)
            .unwrap_or_default();
        rewritten.extend(before.iter().map(|l| l.to_string()));
        rewritten.extend(actual.lines().map(str::to_string));
        copied_up_to = example.output_lines.end;
    }
    if bless {
        rewritten.extend(
            lines
                .get(copied_up_to..)
                .unwrap_or_default()
                .iter()
                .map(|l| l.to_string()),
        );
        std::fs::write(&path, rewritten.join("\n") + "\n")?;
        return Ok(());
    }
    assert!(
        mismatches.is_empty(),
        "{} walkthrough outputs differ (SKEIN_BLESS=1 rewrites them):\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
    Ok(())
}

#[test]
fn examples_pair_each_query_with_its_output() -> TestResult {
    let doc = "# t\n```cypher\nRETURN 1\n```\ntext\n```text\n1\n```\n```cypher\nRETURN 2\n```\n```text\n```\n";
    let lines: Vec<&str> = doc.lines().collect();
    let found = examples(&lines)?;
    let got: Vec<(&str, std::ops::Range<usize>)> = found
        .iter()
        .map(|e| (e.query.as_str(), e.output_lines.clone()))
        .collect();
    assert_eq!(got, [("RETURN 1", 6..7), ("RETURN 2", 12..12)]);
    Ok(())
}

#[test]
fn footer_times_are_not_compared() {
    assert_eq!(without_times("| 1 |\n1 row, 1.2 ms"), "| 1 |\n1 row");
    assert_eq!(without_times("28 rows, 17 ms"), "28 rows");
    assert_eq!(without_times("| 'a, 3 ms' |"), "| 'a, 3 ms' |");
}
