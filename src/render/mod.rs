//! Output formats shared by batch mode and the REPL: `table`, `csv`, `tsv`, `json`,
//! `jsonl` and `literal`.
//!
//! The formats are a contract other programs rely on (see README.md, "Output formats"):
//! - `literal` writes every cell in Cypher literal notation (the value's `Display`),
//!   tab-separated, with a header line; a result without columns prints nothing.
//! - `csv`/`tsv` write strings as their raw text, `null` as an empty field, temporal
//!   values as ISO 8601 and everything else in Cypher literal notation.
//! - `json`/`jsonl` map values to JSON as [`Value::to_json`] documents.
//! - `table` is for people: a box table with a `N rows, M ms` footer.
//!
//! Every writer returns `io::Result` so that a closed pipe stops output quietly upstream.

use crate::{QueryResult, Stats, Value};
use comfy_table::{presets, Cell, ContentArrangement, Row, Table};
use serde_json::{json, Map as JsonMap, Value as Json};
use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;

/// An output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Json,
    Jsonl,
    Literal,
}

impl Format {
    pub const ALL: [Format; 6] = [
        Format::Table,
        Format::Csv,
        Format::Tsv,
        Format::Json,
        Format::Jsonl,
        Format::Literal,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Literal => "literal",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Format, String> {
        Format::ALL
            .into_iter()
            .find(|format| format.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown format '{s}' (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// How to write one result.
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Print at most this many rows and say how many were left out (table only).
    pub max_rows: Option<usize>,
    /// The statement's execution time, for the table footer.
    pub elapsed_ms: f64,
    /// Width to fit the table into; `None` lets the table find the terminal's width
    /// (and not truncate when there is no terminal).
    pub width: Option<u16>,
}

/// Narrower terminals than this get an unconstrained table.
const MIN_TABLE_WIDTH: u16 = 20;

/// Writes `result` to `out` in `format`.
pub fn write_result(
    out: &mut dyn Write,
    format: Format,
    result: &QueryResult,
    options: &RenderOptions,
) -> io::Result<()> {
    // The REPL's `:maxrows` holds in every format (the table says so in its own way);
    // batch mode sets no limit.
    let cut_at = options
        .max_rows
        .filter(|&max| max < result.rows.len() && format != Format::Table);
    let shortened;
    let shown = match cut_at {
        Some(max) => {
            shortened = QueryResult {
                columns: result.columns.clone(),
                rows: result.rows.iter().take(max).cloned().collect(),
                stats: result.stats,
                plan: result.plan.clone(),
            };
            &shortened
        }
        None => result,
    };
    match format {
        Format::Literal => write_literal(out, shown),
        Format::Csv => write_csv(out, shown, b','),
        Format::Tsv => write_tsv(out, shown),
        Format::Json => write_json(out, shown),
        Format::Jsonl => write_jsonl(out, shown),
        Format::Table => write_table(out, result, options),
    }?;
    if let Some(max) = cut_at {
        writeln!(out, "{}", left_out_note(max, result.rows.len()))?;
    }
    Ok(())
}

/// The line saying how many rows `:maxrows` kept back.
fn left_out_note(shown: usize, total: usize) -> String {
    format!(
        "({shown} of {total} rows shown; {} left out, :maxrows N to change)",
        total - shown
    )
}

/// A cell in Cypher literal notation, guaranteed free of raw tabs and newlines.
pub fn literal_cell(value: &Value) -> String {
    escape_controls(&value.to_string())
}

/// Replaces raw tab, newline and carriage return by their backslash escapes.
fn escape_controls(text: &str) -> String {
    if !text.contains(['\t', '\n', '\r']) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

fn write_literal(out: &mut dyn Write, result: &QueryResult) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| escape_controls(c)).collect();
    writeln!(out, "{}", header.join("\t"))?;
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(literal_cell).collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}

/// A cell of a CSV or TSV file: raw text for strings, empty for null, ISO 8601 for
/// temporal values, Cypher literal notation for the rest.
pub fn plain_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        v => v.temporal_text().unwrap_or_else(|| v.to_string()),
    }
}

fn write_csv(out: &mut dyn Write, result: &QueryResult, delimiter: u8) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let mut writer = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    writer.write_record(&result.columns).map_err(csv_to_io)?;
    for row in &result.rows {
        writer
            .write_record(row.iter().map(plain_cell))
            .map_err(csv_to_io)?;
    }
    writer.flush()
}

fn csv_to_io(error: csv::Error) -> io::Error {
    match error.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// TSV: one line per row, fields joined by tabs; backslash, tab, newline and carriage
/// return inside a field are written as `\\`, `\t`, `\n`, `\r`.
fn tsv_field(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

fn write_tsv(out: &mut dyn Write, result: &QueryResult) -> io::Result<()> {
    if result.columns.is_empty() {
        return Ok(());
    }
    let header: Vec<String> = result.columns.iter().map(|c| tsv_field(c)).collect();
    writeln!(out, "{}", header.join("\t"))?;
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|v| tsv_field(&plain_cell(v))).collect();
        writeln!(out, "{}", cells.join("\t"))?;
    }
    Ok(())
}

/// The stats object with exactly the eight counters, in their documented order.
pub fn stats_to_json(stats: &Stats) -> Json {
    json!({
        "nodes_created": stats.nodes_created,
        "nodes_deleted": stats.nodes_deleted,
        "relationships_created": stats.relationships_created,
        "relationships_deleted": stats.relationships_deleted,
        "labels_added": stats.labels_added,
        "labels_removed": stats.labels_removed,
        "properties_set": stats.properties_set,
        "properties_removed": stats.properties_removed,
    })
}

fn row_to_json(columns: &[String], row: &[Value]) -> Json {
    let mut object = JsonMap::new();
    for (column, value) in columns.iter().zip(row) {
        object.insert(column.clone(), value.to_json());
    }
    Json::Object(object)
}

fn write_json(out: &mut dyn Write, result: &QueryResult) -> io::Result<()> {
    let rows: Vec<Json> = result
        .rows
        .iter()
        .map(|row| row_to_json(&result.columns, row))
        .collect();
    let document = json!({
        "columns": result.columns,
        "rows": rows,
        "stats": stats_to_json(&result.stats),
    });
    writeln!(out, "{document}")
}

fn write_jsonl(out: &mut dyn Write, result: &QueryResult) -> io::Result<()> {
    for row in &result.rows {
        writeln!(out, "{}", row_to_json(&result.columns, row))?;
    }
    Ok(())
}

/// `1 row` / `3 rows`.
pub fn count_noun(count: usize, singular: &str, plural: &str) -> String {
    if count == 1 {
        format!("1 {singular}")
    } else {
        format!("{count} {plural}")
    }
}

/// What a statement changed, in words (`2 nodes created, 4 properties set`); empty when
/// it changed nothing.
pub fn stats_summary(stats: &Stats) -> String {
    let counters = [
        (stats.nodes_created, "node", "nodes", "created"),
        (stats.nodes_deleted, "node", "nodes", "deleted"),
        (
            stats.relationships_created,
            "relationship",
            "relationships",
            "created",
        ),
        (
            stats.relationships_deleted,
            "relationship",
            "relationships",
            "deleted",
        ),
        (stats.labels_added, "label", "labels", "added"),
        (stats.labels_removed, "label", "labels", "removed"),
        (stats.properties_set, "property", "properties", "set"),
        (
            stats.properties_removed,
            "property",
            "properties",
            "removed",
        ),
    ];
    counters
        .iter()
        .filter(|(count, ..)| *count > 0)
        .map(|(count, singular, plural, verb)| {
            let count = usize::try_from(*count).unwrap_or(usize::MAX);
            format!("{} {verb}", count_noun(count, singular, plural))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn write_table(
    out: &mut dyn Write,
    result: &QueryResult,
    options: &RenderOptions,
) -> io::Result<()> {
    let shown = options
        .max_rows
        .map_or(result.rows.len(), |max| max.min(result.rows.len()));
    if !result.columns.is_empty() {
        let mut table = Table::new();
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_truncation_indicator("…")
            .set_header(result.columns.iter().map(Cell::new));
        if let Some(width) = options.width {
            table.set_width(width);
        }
        // A terminal that reports no usable width (a bare pseudo-terminal says 0) would
        // squeeze every column to one character: lay the table out unconstrained instead.
        if table.width().is_some_and(|width| width < MIN_TABLE_WIDTH) {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
        for row in result.rows.iter().take(shown) {
            let mut table_row = Row::from(row.iter().map(|v| Cell::new(literal_cell(v))));
            table_row.max_height(1);
            table.add_row(table_row);
        }
        writeln!(out, "{table}")?;
    }
    if shown < result.rows.len() {
        writeln!(out, "{}", left_out_note(shown, result.rows.len()))?;
    }
    writeln!(
        out,
        "{}, {} ms",
        count_noun(result.rows.len(), "row", "rows"),
        format_ms(options.elapsed_ms)
    )?;
    let summary = stats_summary(&result.stats);
    if !summary.is_empty() {
        writeln!(out, "{summary}")?;
    }
    Ok(())
}

/// Milliseconds for people: whole numbers from 10 ms up, one decimal below.
pub fn format_ms(ms: f64) -> String {
    if ms >= 10.0 {
        format!("{ms:.0}")
    } else {
        format!("{ms:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(format: Format, result: &QueryResult) -> String {
        let mut out = Vec::new();
        let options = RenderOptions {
            width: Some(60),
            ..RenderOptions::default()
        };
        write_result(&mut out, format, result, &options).unwrap_or_default();
        String::from_utf8_lossy(&out).into_owned()
    }

    fn one_column(name: &str, values: Vec<Value>) -> QueryResult {
        QueryResult {
            columns: vec![name.to_string()],
            rows: values.into_iter().map(|v| vec![v]).collect(),
            ..QueryResult::default()
        }
    }

    #[test]
    fn format_names_parse_back() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
        }
        assert!("xml".parse::<Format>().is_err());
        assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
    }

    #[test]
    fn zero_column_results_print_nothing_in_machine_formats() {
        let result = QueryResult::default();
        for format in [Format::Literal, Format::Csv, Format::Tsv, Format::Jsonl] {
            assert_eq!(render(format, &result), "", "{format}");
        }
    }

    #[test]
    fn json_document_has_columns_rows_and_stats() {
        let mut result = one_column("n", vec![Value::Int(1), Value::Int(2)]);
        result.stats.nodes_created = 2;
        let text = render(Format::Json, &result);
        let document: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
        assert_eq!(document["columns"], json!(["n"]));
        assert_eq!(document["rows"], json!([{"n": 1}, {"n": 2}]));
        assert_eq!(document["stats"]["nodes_created"], json!(2));
        assert_eq!(render(Format::Jsonl, &result), "{\"n\":1}\n{\"n\":2}\n");
    }

    #[test]
    fn stats_json_has_exactly_the_counters_in_order() {
        let stats = Stats {
            labels_added: 1,
            ..Stats::default()
        };
        assert_eq!(
            stats_to_json(&stats).to_string(),
            r#"{"nodes_created":0,"nodes_deleted":0,"relationships_created":0,"relationships_deleted":0,"labels_added":1,"labels_removed":0,"properties_set":0,"properties_removed":0}"#
        );
    }

    #[test]
    fn csv_quotes_as_rfc_4180() {
        let result = QueryResult {
            columns: vec!["a".into(), "b".into()],
            rows: vec![
                vec![Value::from("x, \"y\""), Value::Null],
                vec![Value::from("line\nbreak"), Value::Int(3)],
            ],
            ..QueryResult::default()
        };
        assert_eq!(
            render(Format::Csv, &result),
            "a,b\r\n\"x, \"\"y\"\"\",\r\n\"line\nbreak\",3\r\n"
        );
    }

    #[test]
    fn tsv_escapes_tabs_and_newlines() {
        let result = one_column("s", vec![Value::from("a\tb\nc\\d"), Value::Null]);
        assert_eq!(render(Format::Tsv, &result), "s\na\\tb\\nc\\\\d\n\n");
    }

    #[test]
    fn literal_cells_never_hold_raw_tabs_or_newlines() {
        assert_eq!(escape_controls("a\tb\nc"), "a\\tb\\nc");
        let result = QueryResult {
            columns: vec!["x".into(), "s".into(), "f".into()],
            rows: vec![vec![Value::Int(42), Value::from("a\tb"), Value::Float(4.0)]],
            ..QueryResult::default()
        };
        assert_eq!(
            render(Format::Literal, &result),
            "x\ts\tf\n42\t'a\\tb'\t4.0\n"
        );
    }

    #[test]
    fn table_has_footer_and_cuts_at_max_rows() {
        let result = one_column("n", (0..5).map(Value::Int).collect());
        let mut out = Vec::new();
        let options = RenderOptions {
            max_rows: Some(2),
            elapsed_ms: 12.4,
            width: Some(40),
        };
        write_result(&mut out, Format::Table, &result, &options).unwrap_or_default();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("(2 of 5 rows shown; 3 left out"), "{text}");
        assert!(text.trim_end().ends_with("5 rows, 12 ms"), "{text}");
        assert!(!text.contains(" 4 "), "{text}");
    }

    #[test]
    fn max_rows_holds_in_every_format() {
        let result = one_column("n", (0..5).map(Value::Int).collect());
        let options = RenderOptions {
            max_rows: Some(2),
            ..RenderOptions::default()
        };
        for format in [Format::Literal, Format::Csv, Format::Tsv, Format::Jsonl] {
            let mut out = Vec::new();
            write_result(&mut out, format, &result, &options).unwrap_or_default();
            let text = String::from_utf8_lossy(&out);
            assert!(
                text.contains('1') && !text.contains('4'),
                "{format}: {text}"
            );
            assert!(
                text.ends_with("(2 of 5 rows shown; 3 left out, :maxrows N to change)\n"),
                "{format}: {text}"
            );
        }
        assert_eq!(
            render(Format::Literal, &result),
            "n\n0\n1\n2\n3\n4\n",
            "no limit without max_rows"
        );
    }

    #[test]
    fn table_truncates_long_cells_to_the_width() {
        let long = "word ".repeat(40);
        let result = one_column("s", vec![Value::from(long.as_str())]);
        let text = render(Format::Table, &result);
        assert!(text.contains('…'), "{text}");
        assert!(
            text.lines().all(|line| line.chars().count() <= 60),
            "{text}"
        );
    }

    #[test]
    fn a_terminal_without_width_does_not_squeeze_the_table() {
        let result = one_column("answer", vec![Value::from("forty-two")]);
        let mut out = Vec::new();
        let options = RenderOptions {
            width: Some(0),
            ..RenderOptions::default()
        };
        write_result(&mut out, Format::Table, &result, &options).unwrap_or_default();
        let text = String::from_utf8_lossy(&out);
        assert!(text.contains("answer"), "{text}");
    }

    #[test]
    fn stats_summary_names_what_changed() {
        let stats = Stats {
            nodes_created: 1,
            properties_set: 3,
            ..Stats::default()
        };
        assert_eq!(stats_summary(&stats), "1 node created, 3 properties set");
        assert_eq!(stats_summary(&Stats::default()), "");
    }
}
