//! The pest parser (grammar/cypher.pest) and the parse tree → AST conversion.
//!
//! `parse_statement` and `parse_expression` are the entry points (`cached_statement` keeps
//! the statements parsed most recently, since programs send the same text again and again
//! with other parameters); every failure is a
//! `SyntaxError` with the TCK's detail code, a position, and a message that says in user
//! words what was expected (see `errors`). `split_statements` cuts a script into
//! statements without parsing them.

mod constants;
mod convert;
mod depth;
mod errors;
mod literal;
mod split;

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use pest::Parser;
use pest_derive::Parser;

use crate::ast::{Expr, Statement};
use crate::error::{Error, Result};

pub use split::{split_statements, ScriptStatement, Splitter, StatementKind};

#[derive(Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

/// Parses one statement (a trailing `;` is allowed).
pub fn parse_statement(text: &str) -> Result<Statement> {
    on_parse_stack(text, parse_statement_here)
}

/// Texts whose parse `cached_statement` keeps; when full, it starts over.
const CACHED_STATEMENTS: usize = 256;
/// Longer texts are parsed each time (scripts with big literals rarely come back).
const CACHED_TEXT_BYTES: usize = 16 << 10;

/// Statements parsed before, by text. Parsing depends on nothing but the text, so one
/// cache serves every database of the process.
static STATEMENTS: LazyLock<Mutex<HashMap<Box<str>, Arc<Statement>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// `parse_statement`, reusing the result for a text parsed before (errors are not kept).
pub fn cached_statement(text: &str) -> Result<Arc<Statement>> {
    let cache = || STATEMENTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(statement) = cache().get(text) {
        return Ok(Arc::clone(statement));
    }
    let statement = Arc::new(parse_statement(text)?);
    if text.len() <= CACHED_TEXT_BYTES {
        let mut cache = cache();
        if cache.len() >= CACHED_STATEMENTS {
            cache.clear();
        }
        cache.insert(text.into(), Arc::clone(&statement));
    }
    Ok(statement)
}

/// Parses one expression (used for `--param NAME=VALUE` literals).
pub fn parse_expression(text: &str) -> Result<Expr> {
    on_parse_stack(text, parse_expression_here)
}

/// The deepest nesting a statement may have: far beyond what people write (the TCK's
/// deepest is 40 levels of lists), low enough that the parse stack stays bounded.
const MAX_NESTING: usize = 200;

/// Up to this nesting, and with at most `INLINE_OPERATORS` operators, a statement is
/// parsed on the caller's thread: it needs well under 1 MiB of stack there even in a
/// debug build (about 30 KiB per nesting level, 8 KiB per chained operator).
const INLINE_NESTING: usize = 16;
const INLINE_OPERATORS: usize = 128;

/// Runs `parse` where its stack fits the text: on the caller's thread for ordinary
/// statements, else on a thread with a stack sized for the nesting and the operator
/// chains. Texts nested deeper than `MAX_NESTING` are refused up front; operator chains
/// are bounded by `depth::MAX_EXPRESSION_DEPTH` during conversion.
fn on_parse_stack<T: Send>(text: &str, parse: fn(&str) -> Result<T>) -> Result<T> {
    let shape = measure(text);
    if shape.depth > MAX_NESTING {
        return Err(Error::syntax(
            "InvalidSyntax",
            format!("the statement is nested more than {MAX_NESTING} levels deep"),
        )
        .at(text, shape.deepest_at));
    }
    if shape.depth <= INLINE_NESTING && shape.operators <= INLINE_OPERATORS {
        return parse(text);
    }
    const BASE_STACK: usize = 4 << 20;
    const STACK_PER_LEVEL: usize = 256 << 10;
    const STACK_PER_OPERATOR: usize = 16 << 10;
    let chained = shape.operators.min(depth::MAX_EXPRESSION_DEPTH);
    let stack_size = BASE_STACK + shape.depth * STACK_PER_LEVEL + chained * STACK_PER_OPERATOR;
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(stack_size)
            .spawn_scoped(scope, || parse(text));
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(Error::syntax(
                    "InvalidSyntax",
                    "the parser failed on this statement; please report it",
                ))
            }),
            Err(e) => Err(Error::syntax(
                "InvalidSyntax",
                format!("could not start the parser: {e}"),
            )),
        }
    })
}

/// What sizes the parse stack, read from the text without parsing it.
struct Shape {
    /// Brackets outside strings and comments, plus every CASE, EXPLAIN and PROFILE
    /// (which nest without brackets), at the deepest point.
    depth: usize,
    deepest_at: usize,
    /// Operator characters and words, each of which may deepen an expression tree.
    operators: usize,
}

/// Measures the text's shape. An over-estimate is fine: it only sizes the stack and
/// refuses absurd input.
fn measure(text: &str) -> Shape {
    let mut depth = 0usize;
    let mut keywords = 0usize;
    let mut shape = Shape {
        depth: 0,
        deepest_at: 0,
        operators: 0,
    };
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    let end_word = |word: &mut String, keywords: &mut usize, operators: &mut usize| {
        let is = |keywords: &[&str]| keywords.iter().any(|k| word.eq_ignore_ascii_case(k));
        if is(&["case", "explain", "profile"]) {
            *keywords += 1;
        } else if is(&[
            "and", "or", "xor", "not", "in", "is", "starts", "ends", "contains",
        ]) {
            *operators += 1;
        }
        word.clear();
    };
    while let Some((at, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        end_word(&mut word, &mut keywords, &mut shape.operators);
        match c {
            '(' | '{' => depth += 1,
            '[' => {
                depth += 1;
                shape.operators += 1;
            }
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '+' | '-' | '*' | '%' | '^' | '=' | '<' | '>' | '.' => shape.operators += 1,
            '/' => match chars.peek().map(|&(_, n)| n) {
                Some('/') => {
                    for (_, n) in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                }
                Some('*') => {
                    chars.next();
                    while let Some((_, n)) = chars.next() {
                        if n == '*' && chars.peek().map(|&(_, m)| m) == Some('/') {
                            chars.next();
                            break;
                        }
                    }
                }
                _ => shape.operators += 1,
            },
            '\'' | '"' | '`' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\\' && c != '`' {
                        chars.next();
                    } else if q == c {
                        break;
                    }
                }
            }
            _ => {}
        }
        if depth + keywords > shape.depth {
            shape.depth = depth + keywords;
            shape.deepest_at = at;
        }
    }
    end_word(&mut word, &mut keywords, &mut shape.operators);
    if depth + keywords > shape.depth {
        shape.depth = depth + keywords;
        shape.deepest_at = text.len();
    }
    shape
}

/// Serialises the detailed re-parses of failed statements: pest's switch for collecting
/// expected tokens is global, and only these re-parses turn it on.
static DETAILED_REPARSE: Mutex<()> = Mutex::new(());

/// The error for text that does not parse. Parsing again with pest's token tracking on
/// (which costs time, so only on this path) tells which tokens (`)`, `]`, END …) would
/// have been accepted where the text went wrong.
fn failure(rule: Rule, text: &str, first: pest::error::Error<Rule>) -> Error {
    let _serialised = DETAILED_REPARSE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    pest::set_error_detail(true);
    let detailed = CypherParser::parse(rule, text).err();
    pest::set_error_detail(false);
    errors::from_pest(text, detailed.as_ref().unwrap_or(&first))
}

fn parse_statement_here(text: &str) -> Result<Statement> {
    if let Some(preparsed) = constants::preparse(text) {
        // Any failure is reported by the parse without the fast path below, exactly as
        // if it did not exist.
        if let Ok(statement) = parse_marked_statement(text, preparsed) {
            return Ok(statement);
        }
    }
    parse_plain_statement(text)
}

/// Parses `text` with pest alone, without the constant fast path.
fn parse_plain_statement(text: &str) -> Result<Statement> {
    let mut pairs = CypherParser::parse(Rule::statement_only, text)
        .map_err(|e| failure(Rule::statement_only, text, e))?;
    convert_statement(text, pairs.next(), convert::Converter::new(text))
}

/// Parses `text` with its large constant literals already read (`constants::preparse`).
fn parse_marked_statement(text: &str, preparsed: constants::Preparsed) -> Result<Statement> {
    let mut pairs = CypherParser::parse(Rule::statement_only, &preparsed.text)
        .map_err(|e| errors::from_pest(text, &e))?;
    let converter = convert::Converter::with_preparsed(text, preparsed.constants);
    convert_statement(text, pairs.next(), converter)
}

/// The statement of a `statement_only` pair, checked.
fn convert_statement(
    text: &str,
    only: Option<pest::iterators::Pair<'_, Rule>>,
    converter: convert::Converter<'_>,
) -> Result<Statement> {
    let statement = only
        .and_then(|only| only.into_inner().find(|p| p.as_rule() == Rule::statement))
        .ok_or_else(|| errors::empty(text))?;
    let mut statement = converter.statement(statement).map_err(|e| e.at(text, 0))?;
    converter.check_inline_predicates_taken()?;
    if let Some(at) = depth::too_deep(depth::statement_exprs_mut(&mut statement)) {
        depth::dismantle(depth::statement_exprs_mut(&mut statement));
        return Err(too_deep_error(text, at));
    }
    errors::check_statement(text, &statement)?;
    Ok(statement)
}

fn parse_expression_here(text: &str) -> Result<Expr> {
    let mut pairs = CypherParser::parse(Rule::expression_only, text)
        .map_err(|e| errors::from_pest(text, &e))?;
    let converter = convert::Converter::new(text);
    let expr = pairs
        .next()
        .and_then(|only| only.into_inner().find(|p| p.as_rule() == Rule::expression))
        .ok_or_else(|| errors::empty(text))?;
    let mut expr = converter.expression(expr).map_err(|e| e.at(text, 0))?;
    if let Some(at) = depth::too_deep(vec![&mut expr]) {
        depth::dismantle(vec![&mut expr]);
        return Err(too_deep_error(text, at));
    }
    Ok(expr)
}

fn too_deep_error(text: &str, at: usize) -> Error {
    Error::syntax(
        "InvalidSyntax",
        format!(
            "the expression is nested more than {} levels deep",
            depth::MAX_EXPRESSION_DEPTH
        ),
    )
    .at(text, at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape_counts_brackets_and_operators_outside_strings_and_comments() {
        let shape = measure("RETURN [[1]] + ')(' /* (( */ // [[\n, CASE WHEN a.b THEN 1 END");
        assert_eq!(shape.depth, 2);
        // `+`, `.`, and the `[` of each list.
        assert_eq!(shape.operators, 4);
    }

    #[test]
    fn nesting_beyond_the_limit_is_refused_where_it_happens() {
        let text = format!("RETURN {}", "[".repeat(MAX_NESTING + 1));
        let error = parse_statement(&text).err();
        let at = error.and_then(|e| e.position).map(|p| p.offset);
        assert_eq!(at, Some(7 + MAX_NESTING));
    }
}
