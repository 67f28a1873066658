//! The fast path for large constant literals: a list or map of constants only (rows
//! inlined in a script, `UNWIND [{…}, …] AS row`) is read here, by hand, before pest sees
//! the statement, since pest spends several hundred nanoseconds on each token of it.
//!
//! `preparse` finds such literals (outside strings and comments, where an expression may
//! start, and at least `MIN_BYTES` long), reads each one into the expression the grammar's
//! `constant_list` / `constant_map` rules would give, with the same spans, and returns a
//! copy of the text in which each literal's first and last byte are replaced by marker
//! bytes. The grammar's `preparsed_list` / `preparsed_map` rules match a marked literal in
//! one skip to its end marker, and the conversion takes its expression from here. The
//! markers keep every byte offset, so positions elsewhere are unchanged.
//!
//! The reader accepts a subset of what the constant rules accept (ASCII whitespace, no
//! comments, decimal numbers, quoted strings, booleans, null, plain or backticked keys)
//! and gives up on anything else, leaving that literal to pest. Whatever the fast path
//! cannot parse is parsed again without it (see `parse_statement_here`), so a syntax
//! error is reported exactly as without it.

use std::collections::HashMap;

use super::literal::{decode_escaped_name, decode_float, decode_integer, decode_string};
use crate::ast::{Expr, ExprKind, Ident, Literal, Span, UnaryOp};

/// Shorter literals are left to pest: the fast path pays only for large ones.
const MIN_BYTES: usize = 128;

/// The bytes that replace a preparsed list's `[` and `]`, and a map's `{` and `}`. A
/// text that holds any of them already is not preparsed.
pub const LIST_OPEN: u8 = 0x01;
pub const LIST_CLOSE: u8 = 0x02;
pub const MAP_OPEN: u8 = 0x03;
pub const MAP_CLOSE: u8 = 0x04;

/// A statement's text with its large constant literals marked, and their expressions by
/// the byte offset where each starts.
pub struct Preparsed {
    pub text: String,
    pub constants: HashMap<usize, Expr>,
}

/// The large constant literals of `text`, or `None` when it has none.
pub fn preparse(text: &str) -> Option<Preparsed> {
    let bytes = text.as_bytes();
    if !bytes.contains(&b'[') && !bytes.contains(&b'{') {
        return None;
    }
    if bytes
        .iter()
        .any(|b| matches!(*b, LIST_OPEN | LIST_CLOSE | MAP_OPEN | MAP_CLOSE))
    {
        return None;
    }
    let mut constants = HashMap::new();
    let mut marks = Vec::new();
    let mut at = 0;
    // Whether an expression may start at `at`, judged from the token before it.
    let mut expression_may_start = true;
    while at < bytes.len() {
        let b = bytes[at];
        match b {
            b'\'' | b'"' | b'`' => {
                at = skip_quoted(bytes, at).unwrap_or(bytes.len());
                expression_may_start = false;
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = bytes[at..]
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .map_or(bytes.len(), |n| at + n);
                continue;
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = text[at + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| at + 2 + n + 2);
                continue;
            }
            b'[' | b'{' if expression_may_start => {
                let mut reader = Reader { bytes, at };
                if let Some(expr) = reader.constant() {
                    if reader.at - at >= MIN_BYTES {
                        marks.push((at, reader.at - 1, b == b'['));
                        constants.insert(at, expr);
                        at = reader.at;
                        expression_may_start = false;
                        continue;
                    }
                }
            }
            _ => {}
        }
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        if is_word_byte(b) {
            let end = at + bytes[at..].iter().take_while(|&&c| is_word_byte(c)).count();
            expression_may_start = word_precedes_expression(&text[at..end]);
            at = end;
            continue;
        }
        // `-` is left out: `-[` starts a relationship pattern.
        expression_may_start = matches!(
            b,
            b'(' | b'[' | b',' | b':' | b'=' | b'+' | b'<' | b'>' | b'|'
        );
        at += 1;
    }
    if constants.is_empty() {
        return None;
    }
    let mut marked = bytes.to_vec();
    for (open, close, list) in marks {
        let (o, c) = if list {
            (LIST_OPEN, LIST_CLOSE)
        } else {
            (MAP_OPEN, MAP_CLOSE)
        };
        marked[open] = o;
        marked[close] = c;
    }
    // Only ASCII bracket bytes were replaced by ASCII bytes.
    let text = String::from_utf8(marked).ok()?;
    Some(Preparsed { text, constants })
}

/// The keywords after which an expression starts (`UNWIND [`, `x IN [`, `RETURN {`).
fn word_precedes_expression(word: &str) -> bool {
    const KEYWORDS: [&str; 14] = [
        "UNWIND", "IN", "RETURN", "WITH", "AND", "OR", "XOR", "NOT", "WHEN", "THEN", "ELSE",
        "CASE", "DISTINCT", "WHERE",
    ];
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

/// A byte of a name or number; any non-ASCII byte counts, since it may be one.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// The offset after the quoted text starting at `at`, read as the grammar reads it: a
/// backslash escapes the next character in a string, a doubled backtick is one in a
/// name; `None` when the quote is not closed.
fn skip_quoted(bytes: &[u8], at: usize) -> Option<usize> {
    let quote = bytes[at];
    let mut i = at + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote != b'`' => i += 2,
            b'`' if quote == b'`' && bytes.get(i + 1) == Some(&b'`') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// Reads one constant from `at`, advancing past it; `None` (with `at` anywhere) when the
/// text is not a constant this reader knows.
struct Reader<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// Skips the whitespace pest would skip between two tokens (its ASCII part).
    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t'..=b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.skip_space();
        if self.peek() == Some(b) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn text(&self, span: Span) -> &str {
        // Spans here start and end at ASCII bytes, so they are char boundaries.
        std::str::from_utf8(&self.bytes[span.start..span.end]).unwrap_or_default()
    }

    fn constant(&mut self) -> Option<Expr> {
        self.skip_space();
        let start = self.at;
        let kind = match self.peek()? {
            b'[' => {
                self.at += 1;
                let items = self.sequence(b']', Self::constant)?;
                ExprKind::List(items)
            }
            b'{' => {
                self.at += 1;
                let entries = self.sequence(b'}', Self::entry)?;
                ExprKind::Map(entries)
            }
            b'-' => {
                self.at += 1;
                self.skip_space();
                let (number, is_integer) = self.number_token()?;
                let span = Span {
                    start,
                    end: self.at,
                };
                if is_integer {
                    let value = decode_integer(self.text(number), true).ok()?;
                    return Some(literal(Literal::Int(value), span));
                }
                let value = decode_float(self.text(number)).ok()?;
                let inner = literal(Literal::Float(value), number);
                return Some(Expr {
                    kind: ExprKind::Unary(UnaryOp::Negate, Box::new(inner)),
                    span,
                });
            }
            b'0'..=b'9' | b'.' => {
                let (number, is_integer) = self.number_token()?;
                let text = self.text(number);
                let value = if is_integer {
                    Literal::Int(decode_integer(text, false).ok()?)
                } else {
                    Literal::Float(decode_float(text).ok()?)
                };
                return Some(literal(value, number));
            }
            b'\'' | b'"' => {
                let end = skip_quoted(self.bytes, self.at)?;
                let body = std::str::from_utf8(&self.bytes[start + 1..end - 1]).ok()?;
                let value = decode_string(body).ok()?;
                self.at = end;
                ExprKind::Literal(Literal::String(value))
            }
            _ => {
                let word = self.word()?;
                let value = match word.to_ascii_lowercase().as_str() {
                    "true" => Literal::Bool(true),
                    "false" => Literal::Bool(false),
                    "null" => Literal::Null,
                    _ => return None,
                };
                ExprKind::Literal(value)
            }
        };
        Some(Expr {
            kind,
            span: Span {
                start,
                end: self.at,
            },
        })
    }

    /// Items separated by commas up to `close` (the opening bracket already read).
    fn sequence<T>(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Some(items);
        }
        loop {
            items.push(item(self)?);
            if self.eat(close) {
                return Some(items);
            }
            if !self.eat(b',') {
                return None;
            }
        }
    }

    fn entry(&mut self) -> Option<(Ident, Expr)> {
        self.skip_space();
        let start = self.at;
        let name = if self.peek() == Some(b'`') {
            let end = skip_quoted(self.bytes, self.at)?;
            self.at = end;
            decode_escaped_name(std::str::from_utf8(&self.bytes[start..end]).ok()?)
        } else {
            let word = self.word()?;
            if word.as_bytes()[0].is_ascii_digit() {
                return None;
            }
            word.to_string()
        };
        let key = Ident {
            name,
            span: Span {
                start,
                end: self.at,
            },
        };
        if !self.eat(b':') {
            return None;
        }
        Some((key, self.constant()?))
    }

    /// An ASCII name (letters, digits, `_`); `None` before any other kind of character.
    fn word(&mut self) -> Option<&str> {
        let start = self.at;
        while matches!(self.peek(), Some(b) if b.is_ascii_alphanumeric() || b == b'_') {
            self.at += 1;
        }
        if start == self.at || self.peek().is_some_and(|b| b >= 0x80) {
            return None;
        }
        std::str::from_utf8(&self.bytes[start..self.at]).ok()
    }

    /// A decimal integer or float (`12`, `1.5`, `.5`, `1e3`, `2.5E-3`) that ends at a
    /// word boundary, and whether it is an integer; `None` for anything else (hex and
    /// octal integers, malformed numbers), which pest reads and reports.
    fn number_token(&mut self) -> Option<(Span, bool)> {
        let start = self.at;
        let digits = |r: &mut Self| {
            let from = r.at;
            while r.peek().is_some_and(|b| b.is_ascii_digit()) {
                r.at += 1;
            }
            r.at - from
        };
        let whole = digits(self);
        let mut is_integer = true;
        if self.peek() == Some(b'.') {
            self.at += 1;
            if digits(self) == 0 {
                return None;
            }
            is_integer = false;
        } else if whole == 0 {
            return None;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if digits(self) == 0 {
                return None;
            }
            is_integer = false;
        }
        if self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80)
        {
            return None;
        }
        Some((
            Span {
                start,
                end: self.at,
            },
            is_integer,
        ))
    }
}

fn literal(value: Literal, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Literal(value),
        span,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::super::{on_parse_stack, parse_marked_statement, parse_plain_statement};
    use super::*;
    use crate::ast::Statement;
    use crate::error::Result;

    /// The statement as the fast path reads it, `None` when it does not apply.
    fn fast(text: &str) -> Option<Result<Statement>> {
        let preparsed = preparse(text)?;
        Some(parse_marked_statement(text, preparsed))
    }

    fn plain(text: &str) -> Result<Statement> {
        on_parse_stack(text, parse_plain_statement)
    }

    /// The fast path applies to `text` and gives what pest alone gives.
    fn assert_fast_matches_plain(text: &str) {
        let fast = fast(text).unwrap_or_else(|| panic!("no literal preparsed in {text}"));
        assert_eq!(fast, plain(text), "{text}");
        assert!(fast.is_ok(), "{text}");
    }

    /// `text` parses (or fails) exactly as pest alone parses it.
    fn assert_same_as_plain(text: &str) {
        assert_eq!(super::super::parse_statement(text), plain(text), "{text}");
    }

    fn rows(row: &str, n: usize) -> String {
        vec![row; n].join(", ")
    }

    #[test]
    fn every_kind_of_constant_reads_as_pest_reads_it() {
        let row = r#"{id: 12, neg: -7, neg_spaced: - 8, f: 1.5, g: -2.25, h: .5, e: 1e3, E: 2.5E-3, s: 'it\'s \u00e9 [x]', d: "dq \"{}\"", b: TRUE, c: false, n: Null, l: [1, [2, []], {}], `odd``key`: 0, match: 007, é: 1}"#;
        // The last key is not ASCII: that map is left to pest, the list around it too.
        assert!(fast(&format!("RETURN [{}] AS rows", rows(row, 4))).is_none());
        let row = row.replace(", é: 1", "");
        for text in [
            format!("UNWIND [{}] AS row RETURN row", rows(&row, 4)),
            format!("RETURN [{}] AS rows", rows(&row, 4)),
            format!("RETURN {{rows: [{}]}} AS m", rows(&row, 4)),
            format!("WITH [{}] AS rows RETURN size(rows)", rows(&row, 4)),
            format!("RETURN 1 IN [{}] AS found", rows("1", 100)),
            format!("RETURN [x IN [{}] | x * 2] AS doubled", rows("1", 100)),
            format!("CREATE ({row}) RETURN 1"),
            format!("MATCH (a) CREATE (a)-[:R {{w: 1}}]->({row})"),
            format!("MATCH (a)-[{row}]->(b) RETURN b"),
            format!("RETURN [\n\t{}\r\n] AS spaced", rows(&row, 3)),
            format!(
                "WITH 1 AS x RETURN coalesce(x, [{}]) AS first",
                rows("'a'", 60)
            ),
        ] {
            assert_fast_matches_plain(&text);
        }
    }

    #[test]
    fn literals_outside_expressions_strings_and_comments_are_left_to_pest() {
        let list = format!("[{}]", rows("1", 100));
        let map = format!(
            "{{{}}}",
            (0..40)
                .map(|i| format!("k{i}: {i}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for text in [
            format!("RETURN '{list}' AS s"),
            format!("RETURN \"{map}\" AS s"),
            format!("RETURN `{list}` AS s"),
            format!("RETURN 1 // {list}\n AS one"),
            format!("RETURN 1 /* {list} */ AS one"),
            format!("RETURN 1 // comment ends at a carriage return\r, '{list}' AS s"),
            format!("RETURN `a``{list}` AS s"),
            format!("WITH [1] AS a RETURN a[{list}] AS i"),
            format!("MATCH (n) RETURN n {map} AS projected"),
            format!("MATCH (n:Person {map}) RETURN n"),
            format!("MATCH (a)-[{map}]->(b) RETURN b"),
            format!("RETURN -{list} AS negated"),
        ] {
            assert_same_as_plain(&text);
        }
        assert!(fast(&format!("RETURN '{list}' AS s")).is_none());
        // The index is an expression: the list inside the brackets is read fast.
        assert_fast_matches_plain(&format!("WITH [1] AS a RETURN a[{list}] AS i"));
    }

    #[test]
    fn errors_are_the_ones_pest_alone_reports() {
        let list = rows("1", 100);
        for text in [
            format!("RETURN [{list}, 99999999999999999999] AS big"),
            format!("RETURN [{list}, 0x1G] AS bad"),
            format!("RETURN [{list}, 1.5e] AS bad"),
            format!("RETURN [{list}, 'bad \\q escape'] AS bad"),
            format!("RETURN [{list},] AS trailing"),
            format!("RETURN [{list}] AS ok RETURN"),
        ] {
            let plain = plain(&text);
            assert!(plain.is_err(), "{text}");
            assert_eq!(super::super::parse_statement(&text), plain, "{text}");
        }
    }

    #[test]
    fn a_text_holding_a_marker_byte_is_not_preparsed() {
        let text = format!("RETURN [{}] AS l, '\u{1}' AS s", rows("1", 100));
        assert!(fast(&text).is_none());
        assert_same_as_plain(&text);
    }

    /// A constant as text, with the whitespace between its tokens drawn too.
    fn constant_text() -> impl Strategy<Value = String> {
        let space = prop::sample::select(vec!["", " ", "  ", "\n", "\t", "\r\n"]);
        let leaf = prop_oneof![
            any::<i64>().prop_map(|i| i.to_string()),
            (any::<u32>(), 0u32..1000).prop_map(|(a, b)| format!("{a}.{b}")),
            (0u32..100, -20i32..20).prop_map(|(a, e)| format!("{a}e{e}")),
            "[a-z '\\\\\\[\\]{}]{0,8}"
                .prop_map(|s| format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))),
            prop::sample::select(vec!["true", "FALSE", "null", "-1", "- 2.5", "\"q\""])
                .prop_map(str::to_string),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            let space = space.clone();
            prop_oneof![
                (prop::collection::vec(inner.clone(), 0..8), space.clone())
                    .prop_map(|(items, s)| format!("[{s}{}{s}]", items.join(&format!("{s},{s}")))),
                (
                    prop::collection::vec(("[a-zA-Z_][a-zA-Z0-9_]{0,5}", inner), 0..6),
                    space
                )
                    .prop_map(|(entries, s)| {
                        let entries: Vec<String> = entries
                            .iter()
                            .map(|(k, v)| format!("{k}{s}:{s}{v}"))
                            .collect();
                        format!("{{{s}{}{s}}}", entries.join(","))
                    }),
            ]
        })
    }

    proptest! {
        #[test]
        fn random_constants_read_as_pest_reads_them(
            items in prop::collection::vec(constant_text(), 1..12),
            context in 0usize..3,
        ) {
            let list = format!("[{}, {}]", items.join(", "), rows("0", 64));
            let text = match context {
                0 => format!("UNWIND {list} AS row RETURN row"),
                1 => format!("RETURN size({list}) AS n, {list} AS l"),
                _ => format!("CREATE ({{rows: {list}}})"),
            };
            let plain = plain(&text);
            prop_assert_eq!(super::super::parse_statement(&text), plain.clone());
            if let Some(fast) = fast(&text) {
                prop_assert_eq!(fast, plain);
            }
        }
    }
}
