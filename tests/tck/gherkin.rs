//! A Gherkin reader for the TCK's feature files: Feature, Background, Scenario,
//! Scenario Outline with Examples (placeholders `<name>` substituted into step text, doc
//! strings and tables), doc strings, data tables, tags and comments.
//!
//! It reads the subset of Gherkin the openCypher TCK writes, line by line. Line endings
//! may be LF or CRLF. A Scenario Outline becomes one [`Scenario`] per Examples row, so
//! the caller only ever sees concrete scenarios, each with the Background's steps first.

use std::fmt;

/// One step: its keyword (`Given`, `When`, `Then`, `And`, `But`, `*`), the text after
/// the keyword, and its doc string or data table when it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub keyword: String,
    pub text: String,
    pub doc_string: Option<String>,
    pub table: Option<Vec<Vec<String>>>,
    pub line: usize,
}

/// A concrete scenario (an outline is expanded, one scenario per Examples row).
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub tags: Vec<String>,
    pub line: usize,
    /// For an outline, which Examples row (counted from 1 across all Examples blocks).
    pub example: Option<usize>,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    pub name: String,
    pub tags: Vec<String>,
    pub scenarios: Vec<Scenario>,
}

/// What went wrong reading a feature file, with the line (counted from 1).
#[derive(Clone, Debug, PartialEq)]
pub struct GherkinError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for GherkinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// An Examples block of an outline: its header and rows.
#[derive(Debug, Default)]
struct Examples {
    rows: Vec<Vec<String>>,
}

/// A Scenario or Scenario Outline being read.
#[derive(Debug)]
struct ScenarioDraft {
    name: String,
    tags: Vec<String>,
    line: usize,
    outline: bool,
    steps: Vec<Step>,
    examples: Vec<Examples>,
}

/// Where data-table rows currently go.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Section {
    /// Before any Background or Scenario (the feature's description).
    Preamble,
    Background,
    Scenario,
    Examples,
}

const STEP_KEYWORDS: [&str; 6] = ["Given", "When", "Then", "And", "But", "*"];

/// Reads one feature file's text.
pub fn parse_feature(text: &str) -> Result<Feature, GherkinError> {
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut feature_name: Option<String> = None;
    let mut feature_tags = Vec::new();
    let mut pending_tags: Vec<String> = Vec::new();
    let mut background: Vec<Step> = Vec::new();
    let mut drafts: Vec<ScenarioDraft> = Vec::new();
    let mut section = Section::Preamble;

    let mut index = 0;
    while index < lines.len() {
        let line_no = index + 1;
        let raw = lines.get(index).copied().unwrap_or("");
        let line = raw.trim();
        index += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('@') {
            pending_tags.extend(line.split_whitespace().map(str::to_string));
            continue;
        }
        if let Some(rest) = line.strip_prefix("Feature:") {
            if feature_name.is_some() {
                return Err(error(line_no, "a second Feature in one file"));
            }
            feature_name = Some(rest.trim().to_string());
            feature_tags = std::mem::take(&mut pending_tags);
            continue;
        }
        if line.starts_with("Background:") {
            section = Section::Background;
            continue;
        }
        if let Some((outline, rest)) = scenario_heading(line) {
            drafts.push(ScenarioDraft {
                name: rest.trim().to_string(),
                tags: std::mem::take(&mut pending_tags),
                line: line_no,
                outline,
                steps: Vec::new(),
                examples: Vec::new(),
            });
            section = Section::Scenario;
            continue;
        }
        if line.starts_with("Examples:") || line.starts_with("Scenarios:") {
            let Some(draft) = drafts.last_mut() else {
                return Err(error(line_no, "Examples outside a Scenario Outline"));
            };
            if !draft.outline {
                return Err(error(
                    line_no,
                    "Examples under a Scenario that is not an outline",
                ));
            }
            // Tags on an Examples block are accepted and not used.
            pending_tags.clear();
            draft.examples.push(Examples::default());
            section = Section::Examples;
            continue;
        }
        if let Some(marker) = doc_string_marker(line) {
            let indent = raw.len() - raw.trim_start().len();
            let (content, next) = read_doc_string(&lines, index, marker, indent)
                .ok_or_else(|| error(line_no, "a doc string that is never closed"))?;
            index = next;
            let step = current_step(section, &mut background, &mut drafts)
                .ok_or_else(|| error(line_no, "a doc string that follows no step"))?;
            if step.doc_string.is_some() {
                return Err(error(line_no, "a second doc string for one step"));
            }
            step.doc_string = Some(content);
            continue;
        }
        if line.starts_with('|') {
            let row = parse_table_row(line);
            if section == Section::Examples {
                if let Some(examples) = drafts.last_mut().and_then(|d| d.examples.last_mut()) {
                    examples.rows.push(row);
                }
                continue;
            }
            let step = current_step(section, &mut background, &mut drafts)
                .ok_or_else(|| error(line_no, "a table row that follows no step"))?;
            step.table.get_or_insert_with(Vec::new).push(row);
            continue;
        }
        if let Some((keyword, rest)) = step_keyword(line) {
            let step = Step {
                keyword: keyword.to_string(),
                text: rest.trim().to_string(),
                doc_string: None,
                table: None,
                line: line_no,
            };
            match section {
                Section::Background => background.push(step),
                Section::Scenario => {
                    if let Some(draft) = drafts.last_mut() {
                        draft.steps.push(step);
                    }
                }
                Section::Preamble | Section::Examples => {
                    return Err(error(line_no, "a step outside a Scenario or Background"));
                }
            }
            continue;
        }
        // Anything else is free description text under a heading.
    }

    let name = feature_name.ok_or_else(|| error(1, "no Feature line"))?;
    let mut scenarios = Vec::new();
    for draft in drafts {
        expand(draft, &background, &mut scenarios)?;
    }
    Ok(Feature {
        name,
        tags: feature_tags,
        scenarios,
    })
}

fn error(line: usize, message: &str) -> GherkinError {
    GherkinError {
        line,
        message: message.to_string(),
    }
}

/// `Scenario:` / `Example:` (false) or `Scenario Outline:` / `Scenario Template:` (true),
/// and the rest of the line.
fn scenario_heading(line: &str) -> Option<(bool, &str)> {
    for (prefix, outline) in [
        ("Scenario Outline:", true),
        ("Scenario Template:", true),
        ("Scenario:", false),
        ("Example:", false),
    ] {
        if let Some(rest) = line.strip_prefix(prefix) {
            return Some((outline, rest));
        }
    }
    None
}

fn step_keyword(line: &str) -> Option<(&str, &str)> {
    STEP_KEYWORDS.iter().find_map(|keyword| {
        line.strip_prefix(keyword)
            .filter(|rest| rest.starts_with(' ') || rest.is_empty())
            .map(|rest| (*keyword, rest))
    })
}

fn doc_string_marker(line: &str) -> Option<&'static str> {
    ["\"\"\"", "```"]
        .into_iter()
        .find(|marker| line.starts_with(marker))
}

/// Reads doc string lines from `start` up to the closing `marker`; returns the content
/// (with the opening delimiter's indentation removed) and the index after the closing line.
fn read_doc_string(
    lines: &[&str],
    start: usize,
    marker: &str,
    indent: usize,
) -> Option<(String, usize)> {
    let mut content = Vec::new();
    for (offset, raw) in lines.iter().enumerate().skip(start) {
        if raw.trim() == marker {
            return Some((content.join("\n"), offset + 1));
        }
        let leading = raw.len() - raw.trim_start().len();
        let cut = leading.min(indent);
        content.push(raw.get(cut..).unwrap_or(raw));
    }
    None
}

/// The step that a doc string or table row belongs to: the last one read.
fn current_step<'a>(
    section: Section,
    background: &'a mut [Step],
    drafts: &'a mut [ScenarioDraft],
) -> Option<&'a mut Step> {
    match section {
        Section::Background => background.last_mut(),
        Section::Scenario => drafts.last_mut().and_then(|d| d.steps.last_mut()),
        Section::Preamble | Section::Examples => None,
    }
}

/// Splits `| a | b\|c |` into trimmed, unescaped cells. A row of only `|` has no cells.
pub fn parse_table_row(line: &str) -> Vec<String> {
    let inner = line.trim().strip_prefix('|').unwrap_or(line);
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('|') => cell.push('|'),
                Some('\\') => cell.push('\\'),
                Some('n') => cell.push('\n'),
                Some(other) => {
                    cell.push('\\');
                    cell.push(other);
                }
                None => cell.push('\\'),
            },
            '|' => cells.push(std::mem::take(&mut cell).trim().to_string()),
            other => cell.push(other),
        }
    }
    // Text after the last `|` is not a cell (normally only whitespace).
    cells
}

/// Turns a draft into concrete scenarios: one for a plain scenario, one per Examples row
/// for an outline.
fn expand(
    draft: ScenarioDraft,
    background: &[Step],
    out: &mut Vec<Scenario>,
) -> Result<(), GherkinError> {
    let mut all_steps: Vec<Step> = background.to_vec();
    all_steps.extend(draft.steps);
    if !draft.outline {
        out.push(Scenario {
            name: draft.name,
            tags: draft.tags,
            line: draft.line,
            example: None,
            steps: all_steps,
        });
        return Ok(());
    }
    let mut number = 0;
    for examples in &draft.examples {
        let Some((header, rows)) = examples.rows.split_first() else {
            continue;
        };
        for row in rows {
            if row.len() != header.len() {
                return Err(error(
                    draft.line,
                    "an Examples row with a different number of cells than its header",
                ));
            }
            number += 1;
            let bindings: Vec<(&String, &String)> = header.iter().zip(row.iter()).collect();
            let substitute = |text: &str| substitute_placeholders(text, &bindings);
            let steps = all_steps
                .iter()
                .map(|step| Step {
                    keyword: step.keyword.clone(),
                    text: substitute(&step.text),
                    doc_string: step.doc_string.as_deref().map(substitute),
                    table: step.table.as_ref().map(|table| {
                        table
                            .iter()
                            .map(|r| r.iter().map(|c| substitute(c)).collect())
                            .collect()
                    }),
                    line: step.line,
                })
                .collect();
            out.push(Scenario {
                name: substitute(&draft.name),
                tags: draft.tags.clone(),
                line: draft.line,
                example: Some(number),
                steps,
            });
        }
    }
    Ok(())
}

/// Replaces each `<name>` whose name is an Examples column by the row's value, in one
/// pass (a substituted value is not searched again).
fn substitute_placeholders(text: &str, bindings: &[(&String, &String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(rest.get(..open).unwrap_or(""));
        let after = rest.get(open + 1..).unwrap_or("");
        let replaced = after.find('>').and_then(|close| {
            let name = after.get(..close)?;
            let (_, value) = bindings.iter().find(|(key, _)| key.as_str() == name)?;
            Some((value.as_str(), close))
        });
        match replaced {
            Some((value, close)) => {
                out.push_str(value);
                rest = after.get(close + 1..).unwrap_or("");
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Checks of this module, run by the TCK runner before the scenarios.
pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        (
            "gherkin::reads_scenario_steps_doc_strings_and_tables",
            reads_scenario_steps_doc_strings_and_tables,
        ),
        (
            "gherkin::crlf_line_endings_are_read_like_lf",
            crlf_line_endings_are_read_like_lf,
        ),
        (
            "gherkin::background_steps_come_first_in_every_scenario",
            background_steps_come_first_in_every_scenario,
        ),
        (
            "gherkin::outline_expands_one_scenario_per_example_row",
            outline_expands_one_scenario_per_example_row,
        ),
        (
            "gherkin::table_cells_unescape_pipe_backslash_and_newline",
            table_cells_unescape_pipe_backslash_and_newline,
        ),
        (
            "gherkin::commented_lines_inside_and_outside_doc_strings",
            commented_lines_inside_and_outside_doc_strings,
        ),
        (
            "gherkin::unclosed_doc_string_is_an_error_with_its_line",
            unclosed_doc_string_is_an_error_with_its_line,
        ),
    ];

    fn reads_scenario_steps_doc_strings_and_tables() {
        let text = "# comment\nFeature: F\n\n  @tag1 @tag2\n  Scenario: [1] First\n    Given an empty graph\n    When executing query:\n      \"\"\"\n      MATCH (n)\n        RETURN n\n      \"\"\"\n    Then the result should be, in any order:\n      | n   |\n      | (:A) |\n";
        let feature = parse_feature(text).expect("the feature parses");
        assert_eq!(feature.name, "F");
        assert_eq!(feature.scenarios.len(), 1);
        let scenario = &feature.scenarios[0];
        assert_eq!(scenario.name, "[1] First");
        assert_eq!(scenario.tags, vec!["@tag1", "@tag2"]);
        assert_eq!(scenario.steps.len(), 3);
        assert_eq!(scenario.steps[0].keyword, "Given");
        assert_eq!(scenario.steps[0].text, "an empty graph");
        assert_eq!(
            scenario.steps[1].doc_string.as_deref(),
            Some("MATCH (n)\n  RETURN n")
        );
        assert_eq!(
            scenario.steps[2].table,
            Some(vec![vec!["n".to_string()], vec!["(:A)".to_string()]])
        );
    }

    fn crlf_line_endings_are_read_like_lf() {
        let text = "Feature: F\r\n  Scenario: S\r\n    When executing query:\r\n      \"\"\"\r\n      RETURN 1\r\n      \"\"\"\r\n    Then the result should be, in order:\r\n      | 1 |\r\n      | 1 |\r\n";
        let feature = parse_feature(text).expect("the feature parses");
        let steps = &feature.scenarios[0].steps;
        assert_eq!(steps[0].doc_string.as_deref(), Some("RETURN 1"));
        assert_eq!(steps[1].text, "the result should be, in order:");
        assert_eq!(steps[1].table.as_ref().map(Vec::len), Some(2));
    }

    fn background_steps_come_first_in_every_scenario() {
        let text = "Feature: F\n  Background:\n    Given any graph\n  Scenario: A\n    When executing query:\n      \"\"\"\n      RETURN 1\n      \"\"\"\n  Scenario: B\n    Then the result should be empty\n";
        let feature = parse_feature(text).expect("the feature parses");
        assert_eq!(feature.scenarios.len(), 2);
        for scenario in &feature.scenarios {
            assert_eq!(scenario.steps[0].text, "any graph");
        }
        assert_eq!(feature.scenarios[1].steps.len(), 2);
    }

    fn outline_expands_one_scenario_per_example_row() {
        let text = "Feature: F\n  Scenario Outline: [2] Uses <what>\n    When executing query:\n      \"\"\"\n      RETURN <expr> AS x\n      \"\"\"\n    Then the result should be, in any order:\n      | x      |\n      | <result> |\n\n    Examples:\n      | what | expr  | result |\n      | one  | 1     | 1      |\n      | two  | 1 + 1 | 2      |\n    Examples:\n      | what | expr | result |\n      | <x>  | 'a'  | 'a'    |\n";
        let feature = parse_feature(text).expect("the feature parses");
        assert_eq!(feature.scenarios.len(), 3);
        let second = &feature.scenarios[1];
        assert_eq!(second.name, "[2] Uses two");
        assert_eq!(second.example, Some(2));
        assert_eq!(
            second.steps[0].doc_string.as_deref(),
            Some("RETURN 1 + 1 AS x")
        );
        assert_eq!(
            second.steps[1].table.as_ref().expect("a table")[1],
            vec!["2"]
        );
        // A substituted value is not substituted again.
        assert_eq!(feature.scenarios[2].name, "[2] Uses <x>");
    }

    fn table_cells_unescape_pipe_backslash_and_newline() {
        assert_eq!(
            parse_table_row(r"| a\|b | 'x\\y' | '\nFoo' | '\'' |"),
            vec!["a|b", r"'x\y'", "'\nFoo'", r"'\''"]
        );
        assert_eq!(parse_table_row("|"), Vec::<String>::new());
        assert_eq!(parse_table_row("|  |"), vec![""]);
    }

    fn commented_lines_inside_and_outside_doc_strings() {
        let text = "Feature: F\n  Scenario: S\n    When executing query:\n      \"\"\"\n      # not a comment here\n      RETURN 1\n      \"\"\"\n#    Then the result should be empty\n";
        let feature = parse_feature(text).expect("the feature parses");
        let steps = &feature.scenarios[0].steps;
        assert_eq!(steps.len(), 1);
        assert_eq!(
            steps[0].doc_string.as_deref(),
            Some("# not a comment here\nRETURN 1")
        );
    }

    fn unclosed_doc_string_is_an_error_with_its_line() {
        let text =
            "Feature: F\n  Scenario: S\n    When executing query:\n      \"\"\"\n      RETURN 1\n";
        let err = parse_feature(text).expect_err("an unclosed doc string is an error");
        assert_eq!(err.line, 4);
    }
}
