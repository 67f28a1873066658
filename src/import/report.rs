//! Errors of fact files in user words: the failure, then `--> file:line:column` and the
//! lines of the file that failed, with a caret under the column.

use crate::error::{Error, Position};
use std::path::Path;

/// At most this many lines of a failed statement are shown; longer statements are
/// shown around the failing line.
const MAX_SHOWN_LINES: usize = 8;
/// A line longer than this many characters is cut when shown.
const MAX_SHOWN_CHARS: usize = 200;

/// `error` moved into the file: same class and detail code, message followed by the
/// file, line, column and the lines `start_offset..end_offset` of `text`, position set
/// to `at` (a place in the file's text).
pub(super) fn in_file(
    error: Error,
    file: &Path,
    text: &str,
    at: Position,
    start_offset: usize,
    end_offset: usize,
) -> Error {
    let first_line = Position::at(text, start_offset).line;
    let last_line = Position::at(text, end_offset).line.max(at.line);
    let (from, to) = if last_line + 1 - first_line > MAX_SHOWN_LINES {
        let from = at.line.saturating_sub(MAX_SHOWN_LINES / 2).max(first_line);
        (from, (from + MAX_SHOWN_LINES - 1).min(last_line))
    } else {
        (first_line, last_line)
    };
    let width = to.to_string().len();
    let mut message = format!(
        "{}\n{:width$}--> {}:{}:{}",
        error.message,
        "",
        file.display(),
        at.line,
        at.column
    );
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if number < from {
            continue;
        }
        if number > to {
            break;
        }
        let shown: String = line.chars().take(MAX_SHOWN_CHARS).collect();
        message.push_str(&format!("\n{number:>width$} | {shown}"));
        if number == at.line && at.column <= MAX_SHOWN_CHARS {
            message.push_str(&format!(
                "\n{:width$} | {}^",
                "",
                " ".repeat(at.column.saturating_sub(1))
            ));
        }
    }
    Error {
        message,
        position: Some(at),
        ..error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    #[test]
    fn names_file_line_column_and_shows_caret() {
        let text = "MERGE (a:A {name: 'x'});\nMATCH (a:A)\nRETURN b;\n";
        let at = Position::at(text, text.find('b').unwrap_or(0));
        let error = Error::new(
            ErrorClass::SyntaxError,
            "UndefinedVariable",
            "b is not defined",
        );
        let start = text.find("MATCH").unwrap_or(0);
        let moved = in_file(
            error,
            Path::new("f.cypher"),
            text,
            at,
            start,
            text.len() - 2,
        );
        assert_eq!(moved.class, ErrorClass::SyntaxError);
        assert_eq!(moved.detail, "UndefinedVariable");
        assert_eq!(moved.position.map(|p| (p.line, p.column)), Some((3, 8)));
        assert_eq!(
            moved.message,
            "b is not defined\n --> f.cypher:3:8\n2 | MATCH (a:A)\n3 | RETURN b;\n  |        ^"
        );
    }

    #[test]
    fn long_statements_are_shown_around_the_failing_line() {
        let text: String = (1..=30).map(|i| format!("line{i}\n")).collect();
        let at = Position::at(&text, text.find("line20").unwrap_or(0));
        let error = Error::syntax("", "bad");
        let moved = in_file(error, Path::new("f"), &text, at, 0, text.len());
        let shown: Vec<&str> = moved
            .message
            .lines()
            .filter(|l| l.contains(" | line"))
            .collect();
        assert_eq!(shown.len(), MAX_SHOWN_LINES);
        assert!(shown.iter().any(|l| l.ends_with("| line20")));
    }
}
