//! The named list of known TCK failures (`tests/tck_known_failures.txt`): reading it,
//! comparing a run with it, and writing it anew in bless mode.
//!
//! One entry a line: the scenario's title exactly as the runner prints it
//! (`path/to/File.feature: scenario name`, then ` (example N)` for a row of an outline),
//! then ` | reason: ` and why it fails. Blank lines and lines starting with `#` are
//! comments. Everything here is a pure function of the list's text and of the run's
//! outcomes, so it is tested without the TCK (`selftest`).

use std::collections::{BTreeMap, BTreeSet};

/// What stands between a scenario's title and its reason on a line of the list.
pub const SEPARATOR: &str = " | reason: ";

/// The reason bless mode gives a failure it finds on no line of the list.
pub const TODO_REASON: &str = "TODO";

/// The comment bless mode writes at the top of the list.
pub const HEADER: &str = "\
# Known failures of the openCypher TCK (tests/tck.rs): one scenario a line, named as the
# runner names it, then ` | reason: ` and why it fails. The TCK test fails when a scenario
# not listed here fails, when a listed one passes, and when a listed name matches no
# scenario. `SKEIN_TCK_BLESS=1` rewrites this file from a run, keeping the reasons.
";

/// One line of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub title: String,
    pub reason: String,
    /// The line's number in the file, from 1.
    pub line: usize,
}

/// Reads the list; `Err` holds one message per malformed line (no separator, an empty
/// title or reason, or a title listed twice).
pub fn parse(text: &str) -> Result<Vec<Entry>, Vec<String>> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut first_line_of: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let trimmed = raw.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((title, reason)) = trimmed.split_once(SEPARATOR.trim()) else {
            errors.push(format!(
                "line {line}: expected `scenario title{SEPARATOR}why it fails`, found {trimmed:?}"
            ));
            continue;
        };
        let (title, reason) = (title.trim(), reason.trim());
        if title.is_empty() {
            errors.push(format!("line {line}: no scenario title before `| reason:`"));
            continue;
        }
        if reason.is_empty() {
            errors.push(format!("line {line}: {title} has an empty reason"));
            continue;
        }
        if let Some(first) = first_line_of.get(title) {
            errors.push(format!(
                "line {line}: {title} is already listed on line {first}"
            ));
            continue;
        }
        first_line_of.insert(title.to_string(), line);
        entries.push(Entry {
            title: title.to_string(),
            reason: reason.to_string(),
            line,
        });
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// How a run compares with the list.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Failed, and on no line of the list.
    pub regressions: Vec<String>,
    /// Listed, run, and passed.
    pub now_passing: Vec<String>,
    /// Listed, but no scenario of the TCK has that title.
    pub stale: Vec<String>,
    /// Listed, run, and failed as the list says.
    pub known_failed: usize,
    /// Listed whose reason is still bless mode's placeholder.
    pub todo: Vec<String>,
}

impl Verdict {
    /// No regression, no listed scenario passing, no stale entry.
    pub fn is_clean(&self) -> bool {
        self.regressions.is_empty() && self.now_passing.is_empty() && self.stale.is_empty()
    }
}

/// Compares a run with the list. `all_titles` are every scenario of the TCK (run or
/// filtered out), `run` the scenarios that ran with whether each passed.
pub fn compare(entries: &[Entry], all_titles: &[String], run: &[(String, bool)]) -> Verdict {
    let known: BTreeSet<&str> = all_titles.iter().map(String::as_str).collect();
    let listed: BTreeSet<&str> = entries.iter().map(|e| e.title.as_str()).collect();
    let mut verdict = Verdict::default();
    for (title, passed) in run {
        match (listed.contains(title.as_str()), passed) {
            (false, false) => verdict.regressions.push(title.clone()),
            (true, true) => verdict.now_passing.push(title.clone()),
            (true, false) => verdict.known_failed += 1,
            (false, true) => {}
        }
    }
    for entry in entries {
        if !known.contains(entry.title.as_str()) {
            verdict.stale.push(entry.title.clone());
        }
        if entry.reason == TODO_REASON {
            verdict.todo.push(entry.title.clone());
        }
    }
    verdict
}

/// The list as it should read after this run: every failure of the run, with its listed
/// reason or `TODO`, and every listed scenario that did not run (a filtered run) and
/// still exists, in the TCK's order; entries that match no scenario are dropped.
pub fn bless(entries: &[Entry], all_titles: &[String], run: &[(String, bool)]) -> String {
    let reasons: BTreeMap<&str, &str> = entries
        .iter()
        .map(|e| (e.title.as_str(), e.reason.as_str()))
        .collect();
    let outcomes: BTreeMap<&str, bool> = run.iter().map(|(t, p)| (t.as_str(), *p)).collect();
    let mut text = HEADER.to_string();
    let mut written = BTreeSet::new();
    for title in all_titles {
        let failing = match outcomes.get(title.as_str()) {
            Some(passed) => !passed,
            None => reasons.contains_key(title.as_str()),
        };
        if failing && written.insert(title.as_str()) {
            let reason = reasons.get(title.as_str()).copied().unwrap_or(TODO_REASON);
            text.push_str(&format!("{title}{SEPARATOR}{reason}\n"));
        }
    }
    text
}

pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        (
            "known_failures::reads_entries_and_skips_comments",
            reads_entries_and_skips_comments,
        ),
        (
            "known_failures::malformed_lines_are_errors_with_their_line",
            malformed_lines_are_errors_with_their_line,
        ),
        (
            "known_failures::listed_failure_is_expected",
            listed_failure_is_expected,
        ),
        (
            "known_failures::unlisted_failure_is_a_regression",
            unlisted_failure_is_a_regression,
        ),
        (
            "known_failures::listed_pass_and_stale_names_are_reported",
            listed_pass_and_stale_names_are_reported,
        ),
        (
            "known_failures::filtered_out_entries_are_neither_stale_nor_passing",
            filtered_out_entries_are_neither_stale_nor_passing,
        ),
        (
            "known_failures::bless_keeps_reasons_and_marks_new_ones",
            bless_keeps_reasons_and_marks_new_ones,
        ),
        (
            "known_failures::blessed_text_reads_back",
            blessed_text_reads_back,
        ),
    ];

    fn titles(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    fn run(outcomes: &[(&str, bool)]) -> Vec<(String, bool)> {
        outcomes.iter().map(|(t, p)| (t.to_string(), *p)).collect()
    }

    fn list(text: &str) -> Vec<Entry> {
        parse(text).expect("the list parses")
    }

    fn reads_entries_and_skips_comments() {
        let entries = list("# header\n\n  a/B.feature: [1] x (example 2) | reason: years past 9999 \nc.feature: y | reason: a | b\n");
        assert_eq!(
            entries,
            vec![
                Entry {
                    title: "a/B.feature: [1] x (example 2)".to_string(),
                    reason: "years past 9999".to_string(),
                    line: 3,
                },
                Entry {
                    title: "c.feature: y".to_string(),
                    reason: "a | b".to_string(),
                    line: 4,
                },
            ]
        );
        assert_eq!(list(""), Vec::new());
    }

    fn malformed_lines_are_errors_with_their_line() {
        let errors = parse("# ok\na.feature: x\n | reason: why\nb.feature: y | reason:  \nc.feature: z | reason: 1\nc.feature: z | reason: 2\n")
            .expect_err("the list is malformed");
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].starts_with("line 2:"), "{errors:?}");
        assert!(errors[1].starts_with("line 3:"), "{errors:?}");
        assert!(errors[2].starts_with("line 4:"), "{errors:?}");
        assert!(
            errors[3].starts_with("line 6:") && errors[3].contains("line 5"),
            "{errors:?}"
        );
    }

    fn listed_failure_is_expected() {
        let entries = list("a: x | reason: r\n");
        let verdict = compare(
            &entries,
            &titles(&["a: x", "a: y"]),
            &run(&[("a: x", false), ("a: y", true)]),
        );
        assert!(verdict.is_clean(), "{verdict:?}");
        assert_eq!(verdict.known_failed, 1);
    }

    fn unlisted_failure_is_a_regression() {
        let entries = list("a: x | reason: r\n");
        let verdict = compare(
            &entries,
            &titles(&["a: x", "a: y"]),
            &run(&[("a: x", false), ("a: y", false)]),
        );
        assert!(!verdict.is_clean());
        assert_eq!(verdict.regressions, titles(&["a: y"]));
        assert!(verdict.now_passing.is_empty() && verdict.stale.is_empty());
    }

    fn listed_pass_and_stale_names_are_reported() {
        let entries = list("a: x | reason: r\na: gone | reason: TODO\n");
        let verdict = compare(
            &entries,
            &titles(&["a: x", "a: y"]),
            &run(&[("a: x", true), ("a: y", true)]),
        );
        assert!(!verdict.is_clean());
        assert_eq!(verdict.now_passing, titles(&["a: x"]));
        assert_eq!(verdict.stale, titles(&["a: gone"]));
        assert_eq!(verdict.todo, titles(&["a: gone"]));
        assert!(verdict.regressions.is_empty());
    }

    fn filtered_out_entries_are_neither_stale_nor_passing() {
        let entries = list("a: x | reason: r\n");
        let verdict = compare(
            &entries,
            &titles(&["a: x", "a: y"]),
            &run(&[("a: y", true)]),
        );
        assert!(verdict.is_clean(), "{verdict:?}");
        assert_eq!(verdict.known_failed, 0);
    }

    fn bless_keeps_reasons_and_marks_new_ones() {
        let entries = list("a: x | reason: kept\na: z | reason: filtered out\na: gone | reason: r\na: fixed | reason: r\n");
        let all = titles(&["a: fixed", "a: new", "a: x", "a: z"]);
        let text = bless(
            &entries,
            &all,
            &run(&[("a: fixed", true), ("a: new", false), ("a: x", false)]),
        );
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(
            body,
            vec![
                "a: new | reason: TODO",
                "a: x | reason: kept",
                "a: z | reason: filtered out",
            ]
        );
        assert!(text.starts_with(HEADER));
    }

    fn blessed_text_reads_back() {
        let all = titles(&["a: x", "a: y"]);
        let outcomes = run(&[("a: x", false), ("a: y", true)]);
        let text = bless(&[], &all, &outcomes);
        let entries = list(&text);
        assert_eq!(entries.len(), 1);
        let verdict = compare(&entries, &all, &outcomes);
        assert!(verdict.is_clean(), "{verdict:?}");
        assert_eq!(verdict.todo, titles(&["a: x"]));
    }
}
