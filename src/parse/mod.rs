//! The pest parser (grammar/cypher.pest) and the parse tree → AST conversion.

use crate::ast::Statement;
use crate::error::Result;

/// Parses one statement.
pub fn parse_statement(_text: &str) -> Result<Statement> {
    todo!("parser")
}

/// One statement of a script: its text (without the `;`) and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptStatement {
    pub text: String,
    /// Byte offset of the statement's first character in the script.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// Splits a script at `;` outside strings, backtick names and comments; statements that
/// are empty or only comments are dropped.
pub fn split_statements(_script: &str) -> Vec<ScriptStatement> {
    Vec::new()
}

/// Parses one expression (used for `--param NAME=VALUE` literals).
pub fn parse_expression(_text: &str) -> Result<crate::ast::Expr> {
    todo!("parser")
}
