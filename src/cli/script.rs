//! Running a script: splitting it into statements, running each through a caller-given
//! executor, writing results in the chosen format, `--stats`/`--timing` lines and errors
//! that name the script, line and column. Batch mode, `:source` and the REPL share it.

use crate::parse::{split_statements, ScriptStatement};
use crate::render::{self, Format, RenderOptions};
use crate::{Error, ErrorClass, Position, QueryResult};
use std::io::{self, Write};
use std::time::Instant;

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
    /// when the store itself failed).
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

/// Runs every statement of `text` (named `name` in error messages) with `execute`,
/// writing results to `out` and errors, stats and timing lines to `err`.
pub fn run_script(
    name: &str,
    text: &str,
    settings: &OutputSettings,
    execute: &mut dyn FnMut(&str) -> crate::Result<QueryResult>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> ScriptOutcome {
    let mut outcome = ScriptOutcome::Succeeded;
    for statement in split_statements(text) {
        let started = Instant::now();
        let result = execute(&statement.text);
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(result) => {
                let options = RenderOptions {
                    max_rows: settings.max_rows,
                    elapsed_ms,
                    width: None,
                };
                let written = render::write_result(out, settings.format, &result, &options)
                    .and_then(|()| out.flush());
                match written {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                        return ScriptOutcome::OutputClosed;
                    }
                    Err(e) => {
                        let _ = writeln!(err, "IoError: cannot write the output: {e}");
                        return ScriptOutcome::Failed(2);
                    }
                }
                // EXPLAIN and PROFILE: the plan goes under a table; in the machine
                // formats it goes to stderr so that standard output stays parseable.
                if let Some(plan) = &result.plan {
                    let plan = plan.trim_end();
                    let written = if settings.format == Format::Table {
                        writeln!(out, "{plan}").and_then(|()| out.flush())
                    } else {
                        writeln!(err, "{plan}")
                    };
                    if let Err(e) = written {
                        if e.kind() == io::ErrorKind::BrokenPipe {
                            return ScriptOutcome::OutputClosed;
                        }
                    }
                }
                // Timing first, so the stats line is a one-statement run's last line.
                if settings.timing {
                    let _ = writeln!(err, "time_ms={elapsed_ms:.3}");
                }
                if settings.stats {
                    let _ = writeln!(err, "{}", render::stats_to_json(&result.stats));
                }
            }
            Err(error) => {
                let _ = out.flush();
                let _ = writeln!(err, "{}", describe_error(&error, name, text, &statement));
                let code = exit_code_for(&error);
                outcome = match outcome {
                    ScriptOutcome::Failed(previous) => ScriptOutcome::Failed(previous.max(code)),
                    _ => ScriptOutcome::Failed(code),
                };
                if !settings.continue_on_error {
                    break;
                }
            }
        }
        let _ = err.flush();
    }
    outcome
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
/// The error's position is relative to the statement; the statement's offset in the
/// script turns it into the script's line and column. Without a position, the location
/// is the statement's start, and no source line is shown.
pub fn describe_error(
    error: &Error,
    name: &str,
    script: &str,
    statement: &ScriptStatement,
) -> String {
    let Some(relative) = error.position else {
        // No place inside the statement (a cancellation, a storage failure): name the
        // statement's start only.
        let start = Position::at(script, statement.offset);
        return format!("{error}\n  --> {name}:{}:{}", start.line, start.column);
    };
    let position = Position::at(script, statement.offset + relative.offset);
    let mut text = format!(
        "{error}\n  --> {name}:{}:{}",
        position.line, position.column
    );
    if let Some(line) = script.lines().nth(position.line.saturating_sub(1)) {
        let number = position.line.to_string();
        let gutter = " ".repeat(number.len());
        let caret_pad: String = line
            .chars()
            .take(position.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        text.push_str(&format!(
            "\n {gutter} |\n {number} | {line}\n {gutter} | {caret_pad}^"
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement_at(script: &str, needle: &str) -> ScriptStatement {
        let offset = script.find(needle).unwrap_or(0);
        let position = Position::at(script, offset);
        ScriptStatement {
            text: needle.to_string(),
            offset,
            line: position.line,
            column: position.column,
        }
    }

    #[test]
    fn error_position_is_moved_into_the_script() {
        let script = "RETURN 1;\n// second\nMATCH RETURN 2;";
        let statement = statement_at(script, "MATCH RETURN 2");
        let error =
            Error::syntax("InvalidSyntax", "expected a pattern after MATCH").at(&statement.text, 6);
        let text = describe_error(&error, "q.cypher", script, &statement);
        assert_eq!(
            text,
            "SyntaxError: InvalidSyntax: expected a pattern after MATCH\n  --> q.cypher:3:7\n   |\n 3 | MATCH RETURN 2;\n   |       ^"
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
        let text = describe_error(&error, "-c", script, &statement);
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
    }
}
