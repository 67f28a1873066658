//! How a script's results and errors are written: the output settings, how a script
//! ended, exit codes, and errors that name the script, line and column with the line
//! and a caret. The [`super::Session`] runs the statements; this module only says.

use crate::render::{self, Format, RenderOptions};
use crate::{Error, ErrorClass, QueryResult, ScriptStatement};
use std::io::{self, Write};

/// How statements and their results are written.
#[derive(Clone, Debug)]
pub struct OutputSettings {
    pub format: Format,
    /// `--stats`: one JSON line of counters on stderr after each statement.
    pub stats: bool,
    /// `--timing`: one `time_ms=<float>` line on stderr after each statement.
    pub timing: bool,
    pub continue_on_error: bool,
    /// Table rows shown at most (the REPL's `:maxrows`); `None` shows all.
    pub max_rows: Option<usize>,
}

/// How a script ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScriptOutcome {
    /// Every statement succeeded.
    Succeeded,
    /// At least one statement failed; the value is the exit code it asks for (1, or 2
    /// when the store itself failed or the script could not be read).
    Failed(i32),
    /// Standard output was closed (a broken pipe): stop quietly.
    OutputClosed,
}

impl ScriptOutcome {
    /// The process exit code for this outcome.
    pub fn exit_code(self) -> i32 {
        match self {
            ScriptOutcome::Succeeded | ScriptOutcome::OutputClosed => 0,
            ScriptOutcome::Failed(code) => code,
        }
    }

    /// This outcome followed by a failure asking for `code`: the worse code wins.
    pub fn and_failed(self, code: i32) -> ScriptOutcome {
        match self {
            ScriptOutcome::Failed(previous) => ScriptOutcome::Failed(previous.max(code)),
            _ => ScriptOutcome::Failed(code),
        }
    }

    /// This outcome followed by `next` (a sourced script's).
    pub fn and(self, next: ScriptOutcome) -> ScriptOutcome {
        match next {
            ScriptOutcome::Succeeded => self,
            ScriptOutcome::Failed(code) => self.and_failed(code),
            ScriptOutcome::OutputClosed => ScriptOutcome::OutputClosed,
        }
    }
}

/// The exit code a failed statement asks for: 2 when the store could not be read or
/// written, 1 for everything else.
pub fn exit_code_for(error: &Error) -> i32 {
    if error.class == ErrorClass::StorageError {
        2
    } else {
        1
    }
}

/// Standard output was closed, or could not be written (exit code 2, said on `err`).
#[derive(Debug, PartialEq, Eq)]
pub enum OutputFailed {
    Closed,
    Broken,
}

impl OutputFailed {
    pub fn outcome(self, so_far: ScriptOutcome) -> ScriptOutcome {
        match self {
            OutputFailed::Closed => ScriptOutcome::OutputClosed,
            OutputFailed::Broken => so_far.and_failed(2),
        }
    }
}

/// Writes one statement's result to `out` (flushed, so a program reading a pipe sees
/// each statement's answer as it commits), then its plan, timing and stats lines.
pub fn write_result(
    result: &QueryResult,
    elapsed_ms: f64,
    settings: &OutputSettings,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), OutputFailed> {
    let options = RenderOptions {
        max_rows: settings.max_rows,
        elapsed_ms,
        width: None,
    };
    let written =
        render::write_result(out, settings.format, result, &options).and_then(|()| out.flush());
    output_written(written, err)?;
    // EXPLAIN and PROFILE: the plan goes under a table; in the machine formats it goes
    // to stderr so that standard output stays parseable.
    if let Some(plan) = &result.plan {
        let plan = plan.trim_end();
        if settings.format == Format::Table {
            output_written(writeln!(out, "{plan}").and_then(|()| out.flush()), err)?;
        } else {
            let _ = writeln!(err, "{plan}");
        }
    }
    // Timing first, so the stats line is a one-statement run's last line.
    if settings.timing {
        let _ = writeln!(err, "time_ms={elapsed_ms:.3}");
    }
    if settings.stats {
        let _ = writeln!(err, "{}", render::stats_to_json(&result.stats));
    }
    Ok(())
}

fn output_written(written: io::Result<()>, err: &mut dyn Write) -> Result<(), OutputFailed> {
    match written {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(OutputFailed::Closed),
        Err(e) => {
            let _ = writeln!(err, "IoError: cannot write the output: {e}");
            Err(OutputFailed::Broken)
        }
    }
}

/// An error of one statement of a script, for a person:
///
/// ```text
/// SyntaxError: InvalidSyntax: expected a pattern after MATCH
///   --> queries.cypher:3:7
///    |
///  3 | MATCH RETURN 1
///    |       ^
/// ```
///
/// The error's position is relative to the statement; the statement's own line and
/// column turn it into the script's. Without a position, the location is the
/// statement's start, and no source line is shown. Only the statement is needed, not
/// the whole script, so a script streams.
pub fn describe_error(error: &Error, name: &str, statement: &ScriptStatement) -> String {
    let Some(relative) = error.position else {
        // No place inside the statement (a cancellation, a storage failure): name the
        // statement's start only.
        return format!(
            "{error}\n  --> {name}:{}:{}",
            statement.line, statement.column
        );
    };
    let text = statement.text.as_str();
    let mut inside = relative.offset.min(text.len());
    while !text.is_char_boundary(inside) {
        inside -= 1;
    }
    let before = text.get(..inside).unwrap_or_default();
    // The line shown, its number, the error's column, and how many of the shown line's
    // characters stand before the caret (a shortened prefix starts with `…`, not at
    // the line's first column).
    let (source_line, line, column, caret_at) = match before.rfind('\n') {
        None => {
            let first_line = text.lines().next().unwrap_or_default();
            let before_count = before.chars().count();
            (
                format!("{}{first_line}", statement.line_prefix),
                statement.line,
                statement.column + before_count,
                statement.line_prefix.chars().count() + before_count,
            )
        }
        Some(newline) => {
            let on_line = before.get(newline + 1..).unwrap_or_default();
            let rest = text.get(newline + 1..).unwrap_or_default();
            let before_count = on_line.chars().count();
            (
                rest.lines().next().unwrap_or_default().to_string(),
                statement.line + before.matches('\n').count(),
                before_count + 1,
                before_count,
            )
        }
    };
    let number = line.to_string();
    let gutter = " ".repeat(number.len());
    let caret_pad: String = source_line
        .chars()
        .take(caret_at)
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    format!(
        "{error}\n  --> {name}:{line}:{column}\n {gutter} |\n {number} | {source_line}\n {gutter} | {caret_pad}^"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::split_statements;

    fn statement_at(script: &str, needle: &str) -> ScriptStatement {
        split_statements(script)
            .into_iter()
            .find(|s| s.text == needle)
            .unwrap_or_else(|| panic!("{needle:?} is not a statement of {script:?}"))
    }

    #[test]
    fn error_position_is_moved_into_the_script() {
        let script = "RETURN 1;\n// second\nMATCH RETURN 2;";
        let statement = statement_at(script, "MATCH RETURN 2");
        let error =
            Error::syntax("InvalidSyntax", "expected a pattern after MATCH").at(&statement.text, 6);
        let text = describe_error(&error, "q.cypher", &statement);
        assert_eq!(
            text,
            "SyntaxError: InvalidSyntax: expected a pattern after MATCH\n  --> q.cypher:3:7\n   |\n 3 | MATCH RETURN 2\n   |       ^"
        );
    }

    #[test]
    fn the_caret_line_keeps_what_stands_before_the_statement() {
        let script = "RETURN 1; RETURN x + 1;";
        let statement = statement_at(script, "RETURN x + 1");
        let error = Error::syntax("UndefinedVariable", "x is not defined").at(&statement.text, 7);
        let text = describe_error(&error, "-c", &statement);
        assert!(
            text.ends_with(
                "--> -c:1:18\n   |\n 1 | RETURN 1; RETURN x + 1\n   |                  ^"
            ),
            "{text}"
        );
    }

    #[test]
    fn positions_on_later_lines_of_a_statement_count_from_that_line() {
        let script = "  MATCH (n)\n  RETURN m;";
        let statement = statement_at(script, "MATCH (n)\n  RETURN m");
        let error = Error::syntax("UndefinedVariable", "m is not defined")
            .at(&statement.text, statement.text.len() - 1);
        let text = describe_error(&error, "f", &statement);
        assert!(
            text.ends_with("--> f:2:10\n   |\n 2 |   RETURN m\n   |          ^"),
            "{text}"
        );
    }

    #[test]
    fn error_without_position_points_at_the_statement() {
        let script = "RETURN 1;\n  RETURN x;";
        let statement = statement_at(script, "RETURN x");
        let error = Error::new(
            ErrorClass::SemanticError,
            "UndefinedVariable",
            "x is not defined",
        );
        let text = describe_error(&error, "-c", &statement);
        assert_eq!(
            text,
            "SemanticError: UndefinedVariable: x is not defined\n  --> -c:2:3"
        );
    }

    #[test]
    fn storage_failures_ask_for_exit_code_two() {
        assert_eq!(exit_code_for(&Error::storage("disk full")), 2);
        assert_eq!(exit_code_for(&Error::syntax("InvalidSyntax", "x")), 1);
        assert_eq!(ScriptOutcome::Failed(1).exit_code(), 1);
        assert_eq!(ScriptOutcome::OutputClosed.exit_code(), 0);
        assert_eq!(
            ScriptOutcome::Failed(2).and_failed(1),
            ScriptOutcome::Failed(2)
        );
    }
}
