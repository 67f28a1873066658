//! The pest parser (grammar/cypher.pest) and the parse tree → AST conversion.
//!
//! `parse_statement` and `parse_expression` are the entry points; every failure is a
//! `SyntaxError` with the TCK's detail code, a position, and a message that says in user
//! words what was expected (see `errors`). `split_statements` cuts a script into
//! statements without parsing them.

mod convert;
mod errors;
mod literal;
mod split;

use pest::Parser;
use pest_derive::Parser;

use crate::ast::{Expr, Statement};
use crate::error::{Error, Result};

pub use split::{split_statements, ScriptStatement};

#[derive(Parser)]
#[grammar = "../grammar/cypher.pest"]
struct CypherParser;

/// Parses one statement (a trailing `;` is allowed).
pub fn parse_statement(text: &str) -> Result<Statement> {
    on_parse_stack(text, parse_statement_here)
}

/// Parses one expression (used for `--param NAME=VALUE` literals).
pub fn parse_expression(text: &str) -> Result<Expr> {
    on_parse_stack(text, parse_expression_here)
}

/// The deepest nesting a statement may have: far beyond what people write (the TCK's
/// deepest is 40 levels of lists), low enough that the parse stack stays bounded.
const MAX_NESTING: usize = 200;

/// Up to this nesting a statement is parsed on the caller's thread: it needs well under
/// 1 MiB of stack there even in a debug build (about 30 KiB per level).
const INLINE_NESTING: usize = 16;

/// Runs `parse` where its stack fits the text's nesting: on the caller's thread for
/// ordinary statements, else on a thread with a stack sized for the nesting. Texts nested
/// deeper than `MAX_NESTING` are refused up front, so no input can exhaust the stack.
fn on_parse_stack<T: Send>(text: &str, parse: fn(&str) -> Result<T>) -> Result<T> {
    let (depth, deepest_at) = nesting(text);
    if depth > MAX_NESTING {
        return Err(Error::syntax(
            "InvalidSyntax",
            format!("the statement is nested more than {MAX_NESTING} levels deep"),
        )
        .at(text, deepest_at));
    }
    if depth <= INLINE_NESTING {
        return parse(text);
    }
    const BASE_STACK: usize = 4 << 20;
    const STACK_PER_LEVEL: usize = 256 << 10;
    let stack_size = BASE_STACK + depth * STACK_PER_LEVEL;
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

/// How deeply the text nests: brackets outside strings and comments, plus every CASE,
/// EXPLAIN and PROFILE (which nest without brackets). Also returns where the deepest
/// point is. An over-estimate is fine: it only sizes the stack and refuses absurd input.
fn nesting(text: &str) -> (usize, usize) {
    let mut depth = 0usize;
    let mut keywords = 0usize;
    let mut deepest = (0usize, 0usize);
    let mut chars = text.char_indices().peekable();
    let mut word = String::new();
    while let Some((at, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            let lower = word.to_ascii_lowercase();
            if matches!(lower.as_str(), "case" | "explain" | "profile") {
                keywords += 1;
            }
            word.clear();
        }
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            '\'' | '"' | '`' => {
                while let Some((_, q)) = chars.next() {
                    if q == '\\' && c != '`' {
                        chars.next();
                    } else if q == c {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|&(_, n)| n) == Some('/') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|&(_, n)| n) == Some('*') => {
                chars.next();
                while let Some((_, n)) = chars.next() {
                    if n == '*' && chars.peek().map(|&(_, m)| m) == Some('/') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
        if depth + keywords > deepest.0 {
            deepest = (depth + keywords, at);
        }
    }
    if !word.is_empty()
        && matches!(
            word.to_ascii_lowercase().as_str(),
            "case" | "explain" | "profile"
        )
    {
        keywords += 1;
        if depth + keywords > deepest.0 {
            deepest = (depth + keywords, text.len());
        }
    }
    deepest
}

fn parse_statement_here(text: &str) -> Result<Statement> {
    let mut pairs =
        CypherParser::parse(Rule::statement_only, text).map_err(|e| errors::from_pest(text, &e))?;
    let converter = convert::Converter::new(text);
    let statement = pairs
        .next()
        .and_then(|only| only.into_inner().find(|p| p.as_rule() == Rule::statement))
        .ok_or_else(|| errors::empty(text))?;
    let statement = converter.statement(statement).map_err(|e| e.at(text, 0))?;
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
    converter.expression(expr).map_err(|e| e.at(text, 0))
}
