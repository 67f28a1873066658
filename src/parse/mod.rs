//! The pest parser (grammar/cypher.pest) and the parse tree → AST conversion.

use crate::ast::Statement;
use crate::error::Result;

/// Parses one statement.
pub fn parse_statement(_text: &str) -> Result<Statement> {
    todo!("parser")
}
