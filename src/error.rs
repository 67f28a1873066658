//! The one error type every stage returns: an openCypher error class, the TCK's detail
//! code, a message in user words, and where in the statement it happened.
//!
//! Classes and detail codes follow the openCypher TCK vocabulary (for example a compile
//! time `UndefinedVariable` is a `SyntaxError` there), so a test or a script can match on
//! them exactly. Storage and I/O failures get classes of their own.

use std::fmt;

/// The openCypher error class (TCK spelling), plus skein's own classes for the faces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    SyntaxError,
    SemanticError,
    ParameterMissing,
    ConstraintVerificationFailed,
    ConstraintValidationFailed,
    EntityNotFound,
    PropertyNotFound,
    TypeError,
    ArgumentError,
    ArithmeticError,
    ProcedureError,
    /// The statement was cancelled (Ctrl-C) or ran past its timeout (nothing was
    /// written, but for the batches a `CALL { … } IN TRANSACTIONS` committed before), or
    /// it needs transactions of its own where it cannot have them.
    TransactionError,
    /// The store could not be opened, read or written.
    StorageError,
    /// A file could not be read or written.
    IoError,
}

impl ErrorClass {
    pub fn name(self) -> &'static str {
        match self {
            ErrorClass::SyntaxError => "SyntaxError",
            ErrorClass::SemanticError => "SemanticError",
            ErrorClass::ParameterMissing => "ParameterMissing",
            ErrorClass::ConstraintVerificationFailed => "ConstraintVerificationFailed",
            ErrorClass::ConstraintValidationFailed => "ConstraintValidationFailed",
            ErrorClass::EntityNotFound => "EntityNotFound",
            ErrorClass::PropertyNotFound => "PropertyNotFound",
            ErrorClass::TypeError => "TypeError",
            ErrorClass::ArgumentError => "ArgumentError",
            ErrorClass::ArithmeticError => "ArithmeticError",
            ErrorClass::ProcedureError => "ProcedureError",
            ErrorClass::TransactionError => "TransactionError",
            ErrorClass::StorageError => "StorageError",
            ErrorClass::IoError => "IoError",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A place in a statement's text. `offset` is a byte offset; `line` and `column` count
/// from 1, the column in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text's end).
    pub fn at(text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let mut line = 1;
        let mut line_start = 0;
        for (i, b) in text.bytes().enumerate().take(offset) {
            if b == b'\n' {
                line += 1;
                line_start = i + 1;
            }
        }
        let column = text
            .get(line_start..offset)
            .map_or(offset - line_start, |s| s.chars().count())
            + 1;
        Position {
            offset,
            line,
            column,
        }
    }
}

/// A skein error: class, detail code, message and (when known) position.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    pub class: ErrorClass,
    /// The TCK detail code, such as `UndefinedVariable`; empty when there is none.
    pub detail: String,
    pub message: String,
    pub position: Option<Position>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(class: ErrorClass, detail: &str, message: impl Into<String>) -> Error {
        Error {
            class,
            detail: detail.to_string(),
            message: message.into(),
            position: None,
        }
    }

    pub fn syntax(detail: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorClass::SyntaxError, detail, message)
    }

    pub fn type_error(detail: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorClass::TypeError, detail, message)
    }

    pub fn argument(detail: &str, message: impl Into<String>) -> Error {
        Error::new(ErrorClass::ArgumentError, detail, message)
    }

    pub fn storage(message: impl Into<String>) -> Error {
        Error::new(ErrorClass::StorageError, "", message)
    }

    pub fn io(message: impl Into<String>) -> Error {
        Error::new(ErrorClass::IoError, "", message)
    }

    /// Attaches the position of byte `offset` in `text`, unless one is already set.
    pub fn at(mut self, text: &str, offset: usize) -> Error {
        if self.position.is_none() {
            self.position = Some(Position::at(text, offset));
        }
        self
    }

    /// Renders the error for a person: `Class: Detail: message`, then the statement's
    /// line with a caret under the position (when there is one).
    pub fn render(&self, source: &str) -> String {
        let mut out = self.to_string();
        if let Some(pos) = self.position {
            if let Some(line) = source.lines().nth(pos.line - 1) {
                out.push_str(&format!(
                    " (line {}, column {})\n  {}\n  {}^",
                    pos.line,
                    pos.column,
                    line,
                    " ".repeat(pos.column.saturating_sub(1))
                ));
            }
        }
        out
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}: {}", self.class, self.message)
        } else {
            write!(f, "{}: {}: {}", self.class, self.detail, self.message)
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "MATCH (n)\nRETURN é, x";
        let p = Position::at(text, text.find('x').unwrap_or(0));
        assert_eq!((p.line, p.column), (2, 11));
    }

    #[test]
    fn render_puts_caret_under_column() {
        let e = Error::syntax("InvalidSyntax", "expected a pattern").at("MATCH RETURN 1", 6);
        assert_eq!(
            e.render("MATCH RETURN 1"),
            "SyntaxError: InvalidSyntax: expected a pattern (line 1, column 7)\n  MATCH RETURN 1\n        ^"
        );
    }
}
