//! A forgiving tokenizer for what the user is typing: it never fails, so the REPL can
//! highlight half-typed statements, tell whether the input ends with a `;` outside
//! strings and comments, and find the word under the cursor for completion.

/// What a token is, for highlighting and for the statement-end check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    /// An identifier that is not a keyword (variable, label, function name, …).
    Word,
    /// A `` `quoted name` ``.
    QuotedName,
    StringLiteral,
    Number,
    /// `$name` or `$0`.
    Parameter,
    Comment,
    Whitespace,
    /// Any other single character (`;`, `(`, `:` …).
    Symbol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
}

/// The tokens of a text, and whether it ends inside a string, quoted name or block
/// comment.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    pub tokens: Vec<Token>,
    pub unterminated: bool,
}

/// Cypher's reserved words and the clause words the REPL highlights and completes.
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONSTRAINT",
    "CONTAINS",
    "COUNT",
    "CREATE",
    "CSV",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FIELDTERMINATOR",
    "FOR",
    "FOREACH",
    "FROM",
    "HEADERS",
    "IF",
    "IN",
    "INDEX",
    "IS",
    "KEY",
    "LIMIT",
    "LOAD",
    "MATCH",
    "MERGE",
    "NODE",
    "NONE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "PROFILE",
    "REMOVE",
    "REQUIRE",
    "RETURN",
    "SET",
    "SHOW",
    "SINGLE",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// Whether `word` is a keyword (case-insensitive).
pub fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte index just after the char run starting at `from` that satisfies `keep`.
fn run_end(text: &str, from: usize, keep: impl Fn(char) -> bool) -> usize {
    text.get(from..)
        .and_then(|rest| rest.char_indices().find(|&(_, c)| !keep(c)))
        .map_or(text.len(), |(i, _)| from + i)
}

/// Splits `text` into tokens. Unterminated strings, names and block comments run to the
/// end of the text and set [`Scan::unterminated`].
pub fn scan(text: &str) -> Scan {
    let mut scan = Scan::default();
    let mut pos = 0;
    while let Some(c) = text.get(pos..).and_then(|rest| rest.chars().next()) {
        let start = pos;
        let rest = text.get(pos..).unwrap_or("");
        let (kind, end) = if c.is_whitespace() {
            (
                TokenKind::Whitespace,
                run_end(text, pos, char::is_whitespace),
            )
        } else if rest.starts_with("//") {
            (TokenKind::Comment, run_end(text, pos, |c| c != '\n'))
        } else if rest.starts_with("/*") {
            match rest.get(2..).and_then(|body| body.find("*/")) {
                Some(i) => (TokenKind::Comment, pos + 2 + i + 2),
                None => {
                    scan.unterminated = true;
                    (TokenKind::Comment, text.len())
                }
            }
        } else if c == '\'' || c == '"' || c == '`' {
            let kind = if c == '`' {
                TokenKind::QuotedName
            } else {
                TokenKind::StringLiteral
            };
            match closing_quote(rest, c) {
                Some(len) => (kind, pos + len),
                None => {
                    scan.unterminated = true;
                    (kind, text.len())
                }
            }
        } else if c == '$' {
            (TokenKind::Parameter, run_end(text, pos + 1, is_word_char))
        } else if c.is_ascii_digit() {
            let mut end = run_end(text, pos, |c| c.is_ascii_alphanumeric() || c == '_');
            // A fraction: `1.5`, but not the range dots of `[1..2]`.
            let after = text.get(end..).unwrap_or("");
            if after.starts_with('.') && after.chars().nth(1).is_some_and(|d| d.is_ascii_digit()) {
                end = run_end(text, end + 1, |c| c.is_ascii_alphanumeric() || c == '_');
            }
            (TokenKind::Number, end)
        } else if is_word_start(c) {
            let end = run_end(text, pos, is_word_char);
            let word = text.get(pos..end).unwrap_or("");
            let kind = if is_keyword(word) {
                TokenKind::Keyword
            } else {
                TokenKind::Word
            };
            (kind, end)
        } else {
            (TokenKind::Symbol, pos + c.len_utf8())
        };
        scan.tokens.push(Token { kind, start, end });
        pos = end.max(start + c.len_utf8());
    }
    scan
}

/// The byte length of a quoted token starting at `text[0] == quote`, including both
/// quotes; `None` when it does not close. Backslash escapes in strings; a doubled
/// backtick in quoted names.
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == '\\' && quote != '`' {
            chars.next();
        } else if c == quote {
            if quote == '`' && chars.peek().is_some_and(|&(_, next)| next == '`') {
                chars.next();
                continue;
            }
            return Some(i + c.len_utf8());
        }
    }
    None
}

/// Whether `text` holds complete statements: it ends with a `;` that is outside strings,
/// quoted names and comments (comments and whitespace may follow it).
pub fn ends_statement(text: &str) -> bool {
    let scan = scan(text);
    if scan.unterminated {
        return false;
    }
    scan.tokens
        .iter()
        .rev()
        .find(|t| !matches!(t.kind, TokenKind::Whitespace | TokenKind::Comment))
        .is_some_and(|t| t.kind == TokenKind::Symbol && text.get(t.start..t.end) == Some(";"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TokenKind, &str)> {
        scan(text)
            .tokens
            .into_iter()
            .filter(|t| t.kind != TokenKind::Whitespace)
            .map(|t| (t.kind, text.get(t.start..t.end).unwrap_or("")))
            .collect()
    }

    #[test]
    fn tokens_have_kinds() {
        assert_eq!(
            kinds("MATCH (n:Country) WHERE n.x = $who RETURN 1.5, 'a;b' // hi"),
            vec![
                (TokenKind::Keyword, "MATCH"),
                (TokenKind::Symbol, "("),
                (TokenKind::Word, "n"),
                (TokenKind::Symbol, ":"),
                (TokenKind::Word, "Country"),
                (TokenKind::Symbol, ")"),
                (TokenKind::Keyword, "WHERE"),
                (TokenKind::Word, "n"),
                (TokenKind::Symbol, "."),
                (TokenKind::Word, "x"),
                (TokenKind::Symbol, "="),
                (TokenKind::Parameter, "$who"),
                (TokenKind::Keyword, "RETURN"),
                (TokenKind::Number, "1.5"),
                (TokenKind::Symbol, ","),
                (TokenKind::StringLiteral, "'a;b'"),
                (TokenKind::Comment, "// hi"),
            ]
        );
    }

    #[test]
    fn range_dots_are_not_fractions() {
        assert_eq!(
            kinds("[1..2]"),
            vec![
                (TokenKind::Symbol, "["),
                (TokenKind::Number, "1"),
                (TokenKind::Symbol, "."),
                (TokenKind::Symbol, "."),
                (TokenKind::Number, "2"),
                (TokenKind::Symbol, "]"),
            ]
        );
    }

    #[test]
    fn statement_ends_only_at_a_real_semicolon() {
        assert!(ends_statement("RETURN 1;"));
        assert!(ends_statement("RETURN 1;  // done\n"));
        assert!(ends_statement("RETURN 1; RETURN 2 /* c */ ;"));
        assert!(!ends_statement("RETURN 'a;"));
        assert!(!ends_statement("RETURN 'it\\'s;'"));
        assert!(!ends_statement("RETURN 1 // ;"));
        assert!(!ends_statement("RETURN 1 /* ; "));
        assert!(!ends_statement("MATCH (n)\nRETURN n"));
        assert!(!ends_statement("RETURN `a;"));
        assert!(ends_statement("RETURN 1 AS `a``;`;"));
    }

    #[test]
    fn scanning_any_text_covers_it_without_panicking() {
        for text in ["", "'", "é$", "/*", "`", "1.", "\\", "$", "日本 語;"] {
            let scan = scan(text);
            let covered: usize = scan.tokens.iter().map(|t| t.end - t.start).sum();
            assert_eq!(covered, text.len(), "{text:?}");
        }
    }
}
