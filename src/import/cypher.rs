//! `.cypher` fact files: statements separated by `;` (comments allowed), all run in one
//! explicit transaction that commits only when every statement succeeded.

use super::report::in_file;
use crate::error::{Error, Position, Result};
use crate::parse::{split_statements, ScriptStatement};
use crate::{Params, Stats, Transaction};
use std::path::Path;

/// Runs every statement of `script` (the text of `file`) in `txn`, each recorded at its
/// line. Returns the number of statements and their summed stats; `progress` gets the
/// bytes done.
pub(super) fn load(
    txn: &mut Transaction<'_>,
    file: &Path,
    script: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<(usize, Stats)> {
    let statements = split_statements(script);
    let mut stats = Stats::default();
    let params = Params::new();
    for statement in &statements {
        txn.writer()
            .map_err(|error| statement_error(error, file, script, statement))?
            .set_source_line(u32::try_from(statement.line).unwrap_or(u32::MAX));
        let result = txn
            .execute(&statement.text, &params)
            .map_err(|error| statement_error(error, file, script, statement))?;
        stats.add(&result.stats);
        progress((statement.offset + statement.text.len()) as u64);
    }
    Ok((statements.len(), stats))
}

/// The statement's error placed in the file: the statement's offset in the script plus
/// the error's own offset inside the statement (its start when the error has none).
fn statement_error(error: Error, file: &Path, script: &str, statement: &ScriptStatement) -> Error {
    let inside = error
        .position
        .map_or(0, |p| p.offset.min(statement.text.len()));
    let at = Position::at(script, statement.offset + inside);
    let end = statement.offset + statement.text.len();
    in_file(error, file, script, at, statement.offset, end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    fn last_statement(script: &str) -> ScriptStatement {
        split_statements(script)
            .pop()
            .unwrap_or_else(|| panic!("no statement in {script:?}"))
    }

    #[test]
    fn statement_error_adds_statement_offset_to_inner_position() {
        let script = "// facts\nMERGE (a:A {name: 'x'});\n\nMATCH (a:A)\nRETURN b;\n";
        let statement = last_statement(script);
        assert_eq!(statement.text, "MATCH (a:A)\nRETURN b");
        let inner = Error::new(
            ErrorClass::SyntaxError,
            "UndefinedVariable",
            "b is not defined",
        )
        .at(&statement.text, statement.text.find('b').unwrap_or(0));
        let error = statement_error(inner, Path::new("seed/x.cypher"), script, &statement);
        assert_eq!(error.position.map(|p| (p.line, p.column)), Some((5, 8)));
        assert!(error.message.contains("--> seed/x.cypher:5:8"));
        assert!(error.message.contains("4 | MATCH (a:A)"));
    }

    #[test]
    fn error_without_position_points_at_statement_start() {
        let script = "RETURN 1;\n  RETURN 1/0;";
        let statement = last_statement(script);
        assert_eq!(statement.text, "RETURN 1/0");
        let inner = Error::new(ErrorClass::ArithmeticError, "DivisionByZero", "/ by zero");
        let error = statement_error(inner, Path::new("f.cypher"), script, &statement);
        assert_eq!(error.position.map(|p| (p.line, p.column)), Some((2, 3)));
        assert_eq!(error.class, ErrorClass::ArithmeticError);
    }
}
