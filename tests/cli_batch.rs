//! Batch mode through the real `skein` binary: every output format on a small fixture
//! graph, parameters, `--stats`, `--timing`, error output, exit codes, scripts from
//! standard input and files, `--continue-on-error`, `--load`/`load`, a closed pipe and a
//! database held by another process.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const FIXTURE: &str =
    "CREATE (:Country {name: 'Russia'})-[:AGREED {year: 2014}]->(:Country {name: 'North Korea'});";
const QUERY: &str =
    "MATCH (a:Country)-[r:AGREED]->(b) RETURN a.name AS a, r.year AS year, b, 4.0 AS f";

fn skein() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skein"));
    command.env_remove("SKEIN_HISTORY");
    command
}

fn run(args: &[&str]) -> Output {
    skein()
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run skein: {e}"))
}

fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = skein()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run skein: {e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write stdin: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("skein did not finish: {e}"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn fixture_query(format: &str) -> Output {
    let script = format!("{FIXTURE} {QUERY}");
    run(&["--memory", "--format", format, "-c", &script])
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

#[test]
fn literal_is_the_default_off_a_terminal() {
    let output = run(&["--memory", "-c", &format!("{FIXTURE} {QUERY}")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "a\tyear\tb\tf\n'Russia'\t2014\t(:Country {name: 'North Korea'})\t4.0\n"
    );
}

#[test]
fn csv_and_tsv_write_raw_strings_with_a_header() {
    let csv = fixture_query("csv");
    assert_eq!(
        stdout(&csv),
        "a,year,b,f\r\nRussia,2014,(:Country {name: 'North Korea'}),4.0\r\n"
    );
    let tsv = fixture_query("tsv");
    assert_eq!(
        stdout(&tsv),
        "a\tyear\tb\tf\nRussia\t2014\t(:Country {name: 'North Korea'})\t4.0\n"
    );
}

#[test]
fn json_writes_one_document_per_statement() {
    let output = fixture_query("json");
    let text = stdout(&output);
    let documents: Vec<&str> = text.lines().collect();
    assert_eq!(documents.len(), 2, "{text}");
    let create = json(documents[0]);
    assert_eq!(create["columns"], serde_json::json!([]));
    assert_eq!(create["stats"]["nodes_created"], 2);
    assert_eq!(create["stats"]["relationships_created"], 1);
    let query = json(documents[1]);
    assert_eq!(query["columns"], serde_json::json!(["a", "year", "b", "f"]));
    let row = &query["rows"][0];
    assert_eq!(row["a"], "Russia");
    assert_eq!(row["year"], 2014);
    assert_eq!(row["b"]["labels"], serde_json::json!(["Country"]));
    assert_eq!(row["b"]["properties"]["name"], "North Korea");
    assert!(row["b"]["~node"].is_u64(), "{row}");
    assert!(documents[1].contains("\"f\":4.0"), "{text}");
    assert_eq!(query["stats"]["nodes_created"], 0);
}

#[test]
fn jsonl_maps_relationships_and_paths() {
    let script =
        format!("{FIXTURE} MATCH p = (a)-[r:AGREED]->(b) RETURN r, p, date('2014-05-05') AS d");
    let output = run(&["--memory", "--format", "jsonl", "-c", &script]);
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1, "{text}{}", stderr(&output));
    let row = json(text.trim());
    let rel = &row["r"];
    assert_eq!(rel["type"], "AGREED");
    assert_eq!(rel["properties"]["year"], 2014);
    let path = row["p"]["~path"].as_array().cloned().unwrap_or_default();
    assert_eq!(path.len(), 3, "{row}");
    assert_eq!(path[0]["~node"], rel["start"]);
    assert_eq!(path[1]["~relationship"], rel["~relationship"]);
    assert_eq!(path[2]["~node"], rel["end"]);
    assert_eq!(row["d"], "2014-05-05");
}

#[test]
fn table_has_a_box_and_a_footer() {
    let output = fixture_query("table");
    let text = stdout(&output);
    assert!(text.contains("│ a"), "{text}");
    assert!(text.contains("'Russia'"), "{text}");
    let footer = text.lines().rev().find(|l| l.contains("row")).unwrap_or("");
    let re = regex::Regex::new(r"^1 row, \d+(\.\d)? ms$").unwrap_or_else(|e| panic!("{e}"));
    assert!(re.is_match(footer), "{text}");
}

#[test]
fn parameters_are_cypher_literals() {
    let output = run(&[
        "--memory",
        "--param",
        "n=41",
        "--param",
        "who='Galushka'",
        "--param",
        "l=[1, {k: 'v'}]",
        "-c",
        "RETURN $n + 1 AS next, $who AS who, $l AS l",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "next\twho\tl\n42\t'Galushka'\t[1, {k: 'v'}]\n"
    );
}

#[test]
fn a_bad_parameter_is_a_usage_error() {
    for bad in ["n=", "n=[1,", "=1", "n"] {
        let output = run(&["--memory", "--param", bad, "-c", "RETURN 1"]);
        assert_eq!(output.status.code(), Some(2), "{bad}");
        assert!(
            stderr(&output).contains("--param"),
            "{bad}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "");
    }
}

#[test]
fn stats_line_counts_as_neo4j_does() {
    let output = run(&[
        "--memory",
        "--stats",
        "--timing",
        "-c",
        "CREATE (:A:B {x: 1, y: 2})-[:T]->()",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let errors = stderr(&output);
    assert_eq!(
        errors.lines().last(),
        Some(
            r#"{"nodes_created":2,"nodes_deleted":0,"relationships_created":1,"relationships_deleted":0,"labels_added":2,"labels_removed":0,"properties_set":2,"properties_removed":0}"#
        ),
        "{errors}"
    );
}

#[test]
fn timing_prints_one_line_per_statement() {
    let output = run(&["--memory", "--timing", "-c", "RETURN 1 AS a; RETURN 2 AS b"]);
    let errors = stderr(&output);
    let re = regex::Regex::new(r"^time_ms=\d+\.\d+$").unwrap_or_else(|e| panic!("{e}"));
    let lines: Vec<&str> = errors.lines().collect();
    assert_eq!(lines.len(), 2, "{errors}");
    assert!(lines.iter().all(|l| re.is_match(l)), "{errors}");
}

/// The caret line's `^` is under the column the location line names.
fn assert_caret_matches_location(errors: &str, name: &str, line: usize) {
    let location = errors
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
        .unwrap_or_else(|| panic!("no location in {errors}"));
    let prefix = format!("{name}:{line}:");
    let column: usize = location
        .strip_prefix(&prefix)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("expected {prefix}COLUMN, got {location}"));
    let lines: Vec<&str> = errors.lines().collect();
    let source_index = lines
        .iter()
        .position(|l| l.starts_with(&format!(" {line} | ")))
        .unwrap_or_else(|| panic!("no source line in {errors}"));
    let caret_line = lines.get(source_index + 1).copied().unwrap_or("");
    let gutter = format!(" {line} | ").len();
    assert_eq!(caret_line.find('^'), Some(gutter + column - 1), "{errors}");
}

#[test]
fn errors_name_class_detail_and_position_in_the_script() {
    let output = run(&["--memory", "-c", "RETURN 1 AS a;\nMATCH RETURN 2"]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    let first = errors.lines().next().unwrap_or("");
    let re = regex::Regex::new(r"^SyntaxError: [A-Za-z]+: .+").unwrap_or_else(|e| panic!("{e}"));
    assert!(re.is_match(first), "{errors}");
    assert!(errors.contains(" 2 | MATCH RETURN 2"), "{errors}");
    assert_caret_matches_location(&errors, "-c", 2);
    assert_eq!(stdout(&output), "a\n1\n");
}

#[test]
fn semantic_errors_carry_their_tck_detail() {
    let output = run(&["--memory", "-c", "RETURN x"]);
    assert_eq!(output.status.code(), Some(1));
    let errors = stderr(&output);
    assert!(
        errors.starts_with("SyntaxError: UndefinedVariable: ")
            || errors.starts_with("SemanticError: UndefinedVariable: "),
        "{errors}"
    );
    assert_caret_matches_location(&errors, "-c", 1);
}

#[test]
fn the_first_failing_statement_stops_the_script_unless_told_to_go_on() {
    let script = "RETURN 1 AS a; RETURN 1 / 'x' AS b; RETURN 3 AS c";
    let stopped = run(&["--memory", "-c", script]);
    assert_eq!(stopped.status.code(), Some(1));
    assert_eq!(stdout(&stopped), "a\n1\n");
    let went_on = run(&["--memory", "--continue-on-error", "-c", script]);
    assert_eq!(went_on.status.code(), Some(1));
    assert_eq!(stdout(&went_on), "a\n1\nc\n3\n");
    assert!(
        stderr(&went_on).contains("InvalidArgumentType"),
        "{}",
        stderr(&went_on)
    );
}

#[test]
fn usage_and_file_errors_exit_with_two() {
    assert_eq!(run(&["--format", "xml", "--memory"]).status.code(), Some(2));
    assert_eq!(run(&["--memory", "--no-such-flag"]).status.code(), Some(2));
    let missing = run(&["--memory", "run", "/nonexistent/q.cypher"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("/nonexistent/q.cypher"));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn stdin_scripts_split_only_at_real_semicolons() {
    let script = "RETURN 'a;b' AS s; // a comment; still a comment\n/* ; */ RETURN \"c;\" AS t;\n";
    let output = run_with_stdin(&["--memory"], script);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "s\n'a;b'\nt\n'c;'\n");
}

#[test]
fn run_names_the_failing_file_and_its_line() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let good = dir.path().join("good.cypher");
    let bad = dir.path().join("bad.cypher");
    std::fs::write(&good, "RETURN 1 AS one;\n").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&bad, "// first line\nRETURN 2 AS two;\nRETURN nope;\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let good_name = good.display().to_string();
    let bad_name = bad.display().to_string();
    let output = run(&["--memory", "run", &good_name, &bad_name]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "one\n1\ntwo\n2\n");
    assert_caret_matches_location(&stderr(&output), &bad_name, 3);
}

fn write_fact_file(dir: &Path) -> String {
    let file = dir.join("facts.cypher");
    std::fs::write(
        &file,
        "MERGE (r:Country {name: 'Russia'});\nMERGE (k:Country {name: 'North Korea'});\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    file.display().to_string()
}

#[test]
fn load_subcommand_and_load_flag_fill_the_database() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let facts = write_fact_file(dir.path());
    let db = dir.path().join("db").display().to_string();
    let loaded = run(&["--db", &db, "load", &facts]);
    assert_eq!(loaded.status.code(), Some(0), "{}", stderr(&loaded));
    assert!(
        stderr(&loaded).contains(&format!("loaded {facts}: 2 nodes")),
        "{}",
        stderr(&loaded)
    );
    let count = run(&["--db", &db, "-c", "MATCH (c:Country) RETURN count(c) AS n"]);
    assert_eq!(stdout(&count), "n\n2\n");

    let in_memory = run(&[
        "--memory",
        "--quiet",
        "--load",
        &facts,
        "-c",
        "MATCH (c:Country) RETURN c.name AS name ORDER BY name",
    ]);
    assert_eq!(stdout(&in_memory), "name\n'North Korea'\n'Russia'\n");
    assert_eq!(stderr(&in_memory), "");

    // `--load` as the last option, with the script on standard input.
    let piped = run_with_stdin(
        &["--memory", "--quiet", "--load", &facts],
        "MATCH (c:Country) RETURN count(c) AS n;",
    );
    assert_eq!(stdout(&piped), "n\n2\n", "{}", stderr(&piped));
}

#[test]
fn a_closed_pipe_is_not_an_error() {
    let mut child = skein()
        .args(["--memory", "-c", "UNWIND range(1, 200000) AS x RETURN x"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut reader = BufReader::new(stdout);
    let mut header = String::new();
    reader
        .read_line(&mut header)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(header, "x\n");
    drop(reader);
    let mut errors = String::new();
    if let Some(mut stderr) = child.stderr.take() {
        let _ = stderr.read_to_string(&mut errors);
    }
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0), "{errors}");
    assert_eq!(errors, "");
}

#[test]
fn a_database_held_by_another_process_exits_with_two() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("db").display().to_string();
    // The holder prints a row, then runs a statement long enough for the check below.
    let mut holder = skein()
        .args([
            "--db",
            &db,
            "-c",
            "RETURN 1 AS ready; UNWIND range(1, 1000) AS a UNWIND range(1, 1000) AS b UNWIND range(1, 1000) AS c RETURN count(c)",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = holder.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut reader = BufReader::new(stdout);
    let mut seen = String::new();
    while !seen.contains("1\n") {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        seen.push_str(&line);
    }
    assert_eq!(seen, "ready\n1\n");
    let second = run(&["--db", &db, "-c", "RETURN 1"]);
    let _ = holder.kill();
    let _ = holder.wait();
    assert_eq!(second.status.code(), Some(2));
    assert!(
        stderr(&second).contains(&format!("database at {db} is in use by another process")),
        "{}",
        stderr(&second)
    );
}

/// Regression: EXPLAIN printed nothing and PROFILE only its rows, because no format
/// wrote the result's plan.
#[test]
fn explain_and_profile_show_the_plan() {
    let table = run(&[
        "--memory",
        "--format",
        "table",
        "-c",
        "EXPLAIN MATCH (n:Country) RETURN n",
    ]);
    assert_eq!(table.status.code(), Some(0));
    let plan_in_table = stdout(&table);
    assert!(plan_in_table.contains("Country"), "{plan_in_table}");

    // In a machine format the plan goes to stderr and stdout keeps only the rows.
    let literal = run(&["--memory", "-c", "PROFILE UNWIND [1, 2] AS x RETURN x"]);
    assert_eq!(literal.status.code(), Some(0));
    assert_eq!(stdout(&literal), "x\n1\n2\n");
    let plan = stderr(&literal);
    assert!(!plan.trim().is_empty(), "no plan on stderr");
}

/// A program driving skein through a pipe sees each statement's result as soon as the
/// statement has run, before it sends the next one: scripts stream.
#[test]
fn piped_statements_are_answered_one_by_one() {
    let mut child = skein()
        .args(["--memory"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut stdin = child.stdin.take().unwrap_or_else(|| panic!("no stdin"));
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
    let mut reader = BufReader::new(stdout);
    for i in 1..=3 {
        writeln!(stdin, "CREATE (:K {{i: {i}}}) RETURN {i} AS ack;")
            .and_then(|()| stdin.flush())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        for _ in 0..2 {
            reader
                .read_line(&mut answer)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(answer, format!("ack\n{i}\n"));
    }
    writeln!(stdin, "MATCH (k:K) RETURN count(k) AS n").unwrap_or_else(|e| panic!("{e}"));
    drop(stdin);
    let mut rest = String::new();
    reader
        .read_to_string(&mut rest)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rest, "n\n3\n");
    let status = child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(status.code(), Some(0));
}

#[test]
fn scripts_take_meta_commands_as_the_repl_does() {
    let script = "\
:param who => 'Galushka'
:param {n: 41, m: 1}
CREATE (:P {name: $who});
:begin
CREATE (:P {name: 'inside'});
:rollback
:begin
MATCH (p:P) SET p.n = $n + $m;
:commit;
MATCH (p:P) RETURN p.name AS name, p.n AS n;
:format csv
RETURN 'a' AS x;
:quit
RETURN 'not reached' AS y;
";
    let output = run_with_stdin(&["--memory"], script);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Confirmations are for the prompt: standard output holds the results alone.
    assert_eq!(stdout(&output), "name\tn\n'Galushka'\t42\nx\r\na\r\n");
    assert_eq!(stderr(&output), "");
}

#[test]
fn a_failing_meta_command_names_its_line() {
    let output = run_with_stdin(&["--memory"], "RETURN 1 AS a;\n  :bogus x\nRETURN 2 AS b;");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "a\n1\n");
    let errors = stderr(&output);
    assert!(errors.contains("Unknown command :bogus"), "{errors}");
    assert!(errors.contains("--> <stdin>:2:3"), "{errors}");

    let going_on = run_with_stdin(
        &["--memory", "--continue-on-error"],
        ":commit\nRETURN 2 AS b;",
    );
    assert_eq!(going_on.status.code(), Some(1));
    assert_eq!(stdout(&going_on), "b\n2\n");
    assert!(
        stderr(&going_on).contains("no open transaction to commit"),
        "{}",
        stderr(&going_on)
    );
}

#[test]
fn a_script_ending_inside_a_transaction_rolls_it_back_and_fails() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = dir.path().join("db").display().to_string();
    let output = run_with_stdin(&["--db", &db], ":begin\nCREATE (:Lost);\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("ended inside a transaction"),
        "{}",
        stderr(&output)
    );
    let count = run(&["--db", &db, "-c", "MATCH (n:Lost) RETURN count(n) AS n"]);
    assert_eq!(stdout(&count), "n\n0\n");
}

#[test]
fn source_runs_a_file_in_the_same_session() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let inner = dir.path().join("inner.cypher");
    std::fs::write(&inner, ":param x => 2\nRETURN $x AS x;\nRETURN y;\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let inner = inner.display().to_string();
    let output = run_with_stdin(
        &["--memory"],
        &format!(":run {inner}\nRETURN $x + 1 AS after;\n"),
    );
    // The sourced file's failure is reported with its own name and stops the script.
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "x\n2\n");
    assert!(
        stderr(&output).contains(&format!("--> {inner}:3:8")),
        "{}",
        stderr(&output)
    );
}

/// openCypher allows numbered parameters (`$1`); `--param` takes them as it takes names.
#[test]
fn numbered_parameters_can_be_given() {
    let output = run(&["--memory", "--param", "1=41", "-c", "RETURN $1 + 1 AS next"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output), "next\n42\n");
}

#[test]
fn timeout_and_memory_limit_end_a_statement_with_a_clear_error() {
    let slow = run(&[
        "--memory",
        "--timeout",
        "0.2",
        "-c",
        "UNWIND range(1, 1000000000) AS i WITH i WHERE i < 0 RETURN count(*) AS n",
    ]);
    assert_eq!(slow.status.code(), Some(1));
    assert!(stderr(&slow).contains("Timeout"), "{}", stderr(&slow));
    let big = run(&[
        "--memory",
        "--memory-limit",
        "1MiB",
        "-c",
        "UNWIND range(1, 100000) AS i RETURN i ORDER BY i DESC; RETURN 1 AS after",
        "--continue-on-error",
    ]);
    assert_eq!(big.status.code(), Some(1));
    assert!(
        stderr(&big).contains("MemoryLimitExceeded") && stderr(&big).contains("1.0 MiB"),
        "{}",
        stderr(&big)
    );
    assert!(
        stdout(&big).contains("after"),
        "the next statement runs: {}",
        stdout(&big)
    );
    let unlimited = run(&[
        "--memory",
        "--memory-limit",
        "0",
        "-c",
        "UNWIND range(1, 100000) AS i RETURN count(DISTINCT i) AS n",
    ]);
    assert_eq!(unlimited.status.code(), Some(0), "{}", stderr(&unlimited));
    let wrong = run(&["--memory", "--memory-limit", "lots", "-c", "RETURN 1"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        stderr(&wrong).contains("`lots` is not a size"),
        "{}",
        stderr(&wrong)
    );
}
