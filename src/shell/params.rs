//! Query parameters given in the shell: `--param NAME=VALUE` and the REPL's `:param`,
//! their values Cypher expressions evaluated by the engine itself.

use crate::{Database, Error, ErrorClass, Params, Value};

/// Whether `name` can follow `$` in a query: a symbolic name, or a decimal integer
/// (`$1`, as openCypher allows).
pub fn is_parameter_name(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if c.is_ascii_digit() => chars.all(|c| c.is_ascii_digit()),
        Some(c) if c.is_alphabetic() || c == '_' => chars.all(|c| c.is_alphanumeric() || c == '_'),
        _ => false,
    }
}

/// Parses `--param NAME=VALUE` arguments. The value is a Cypher literal, evaluated by
/// the real engine (`RETURN <VALUE>` on a temporary database).
pub fn parse_params(specs: &[String]) -> Result<Params, String> {
    let mut literals = Vec::with_capacity(specs.len());
    for spec in specs {
        let (name, literal) = spec
            .split_once('=')
            .ok_or_else(|| format!("--param {spec}: expected NAME=VALUE"))?;
        let name = name.trim();
        if !is_parameter_name(name) {
            return Err(format!(
                "--param {spec}: '{name}' is not a parameter name (a name of letters, digits and _ not starting with a digit, or a number such as 1 for $1)"
            ));
        }
        literals.push((name, literal));
    }
    let mut params = Params::new();
    if literals.is_empty() {
        return Ok(params);
    }
    let scratch = Database::open_temporary().map_err(|e| e.to_string())?;
    for (name, literal) in literals {
        let value = evaluate_literal(&scratch, literal)
            .map_err(|e| format!("--param {name}: '{literal}' is not a Cypher value: {e}"))?;
        params.insert(name.to_string(), value);
    }
    Ok(params)
}

/// Evaluates a Cypher literal with the engine: `RETURN <literal>` must give one value.
pub fn evaluate_literal(scratch: &Database, literal: &str) -> crate::Result<Value> {
    evaluate_literal_with(scratch, literal, &Params::new())
}

/// Evaluates a Cypher expression that may use `params` (the REPL's `:param`).
pub fn evaluate_literal_with(
    db: &Database,
    literal: &str,
    params: &Params,
) -> crate::Result<Value> {
    if literal.trim().is_empty() {
        return Err(Error::new(
            ErrorClass::SyntaxError,
            "InvalidSyntax",
            "the value is empty",
        ));
    }
    let result = db.execute(&format!("RETURN {literal}"), params)?;
    match result.rows.as_slice() {
        [row] if row.len() == 1 => Ok(row.first().cloned().unwrap_or(Value::Null)),
        _ => Err(Error::new(
            ErrorClass::SyntaxError,
            "InvalidSyntax",
            "expected exactly one value",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_specs_need_a_name_and_an_equals_sign() {
        assert!(parse_params(&["n".to_string()]).is_err());
        assert!(parse_params(&["=1".to_string()]).is_err());
        assert!(parse_params(&["1x=1".to_string()]).is_err());
        assert!(parse_params(&[]).is_ok_and(|p| p.is_empty()));
    }

    #[test]
    fn numbered_parameters_are_names() {
        let params = parse_params(&["1=0".to_string(), "x_2='a'".to_string()])
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(params.get("1"), Some(Value::Int(0))));
        assert!(is_parameter_name("_x") && is_parameter_name("42"));
        assert!(!is_parameter_name("1x") && !is_parameter_name("") && !is_parameter_name("a-b"));
    }
}
