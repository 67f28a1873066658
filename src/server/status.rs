//! Neo4j status codes for skein's errors: what a FAILURE says, so that a driver raises
//! the exception it would raise against Neo4j (a `ClientError` is the caller's mistake,
//! a `TransientError` is worth retrying, a `DatabaseError` is the server's).

use crate::{Error, ErrorClass};

pub const SYNTAX_ERROR: &str = "Neo.ClientError.Statement.SyntaxError";
pub const TYPE_ERROR: &str = "Neo.ClientError.Statement.TypeError";
pub const PROTOCOL_ERROR: &str = "Neo.ClientError.Request.Invalid";
pub const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";
pub const RATE_LIMITED: &str = "Neo.ClientError.Security.AuthenticationRateLimit";
pub const DATABASE_NOT_FOUND: &str = "Neo.ClientError.Database.DatabaseNotFound";
pub const INVALID_BOOKMARK: &str = "Neo.ClientError.Transaction.InvalidBookmark";
pub const TRANSACTION_TIMED_OUT: &str = "Neo.ClientError.Transaction.TransactionTimedOut";
pub const NO_THREADS_AVAILABLE: &str = "Neo.TransientError.Request.NoThreadsAvailable";

/// The Neo4j status code of a skein error.
pub fn code_of(error: &Error) -> &'static str {
    match error.class {
        ErrorClass::SyntaxError => SYNTAX_ERROR,
        ErrorClass::SemanticError => "Neo.ClientError.Statement.SemanticError",
        ErrorClass::ParameterMissing => "Neo.ClientError.Statement.ParameterMissing",
        ErrorClass::ConstraintVerificationFailed | ErrorClass::ConstraintValidationFailed => {
            "Neo.ClientError.Schema.ConstraintValidationFailed"
        }
        ErrorClass::EntityNotFound => "Neo.ClientError.Statement.EntityNotFound",
        ErrorClass::PropertyNotFound => "Neo.ClientError.Statement.PropertyNotFound",
        ErrorClass::TypeError => TYPE_ERROR,
        ErrorClass::ArgumentError => "Neo.ClientError.Statement.ArgumentError",
        ErrorClass::ArithmeticError => "Neo.ClientError.Statement.ArithmeticError",
        ErrorClass::ProcedureError if error.detail == "ProcedureNotFound" => {
            "Neo.ClientError.Procedure.ProcedureNotFound"
        }
        ErrorClass::ProcedureError => "Neo.ClientError.Procedure.ProcedureCallFailed",
        ErrorClass::TransactionError => match error.detail.as_str() {
            "Timeout" => TRANSACTION_TIMED_OUT,
            "Cancelled" => "Neo.TransientError.Transaction.Terminated",
            "LockTimeout" => "Neo.TransientError.Transaction.LockAcquisitionTimeout",
            "AccessMode" => "Neo.ClientError.Statement.AccessMode",
            _ => "Neo.ClientError.Transaction.TransactionStartFailed",
        },
        ErrorClass::IoError => "Neo.ClientError.Statement.ExternalResourceFailed",
        ErrorClass::StorageError => "Neo.DatabaseError.General.UnknownError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_the_codes_drivers_know() {
        let e = Error::syntax("InvalidSyntax", "x");
        assert_eq!(code_of(&e), SYNTAX_ERROR);
        let e = Error::new(ErrorClass::ConstraintValidationFailed, "", "x");
        assert_eq!(
            code_of(&e),
            "Neo.ClientError.Schema.ConstraintValidationFailed"
        );
        let e = Error::new(ErrorClass::TransactionError, "LockTimeout", "x");
        assert!(code_of(&e).starts_with("Neo.TransientError."));
    }
}
