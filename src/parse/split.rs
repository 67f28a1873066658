//! Splitting a script into statements at `;`, without parsing it.
//!
//! A `;` inside a quoted string, a backtick-quoted name or a comment does not end a
//! statement. Statements that hold only whitespace and comments are dropped. Each kept
//! statement remembers where it starts so errors can point into the whole script.

use crate::error::Position;

/// One statement of a script: its text (without the `;`) and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptStatement {
    pub text: String,
    /// Byte offset of the statement's first character in the script.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

/// Splits a script at `;` outside strings, backtick names and comments; statements that
/// are empty or only comments are dropped. A statement's text starts at its first
/// character that is not whitespace or a comment and keeps everything up to its `;`.
pub fn split_statements(script: &str) -> Vec<ScriptStatement> {
    let mut statements = Vec::new();
    let mut state = State::Code;
    // Byte offset where the current statement's first real character is, if seen yet.
    let mut content_start: Option<usize> = None;
    let mut chars = script.char_indices().peekable();
    let push = |start: Option<usize>, end: usize, out: &mut Vec<ScriptStatement>| {
        if let Some(start) = start {
            let text = script.get(start..end).unwrap_or_default().trim_end();
            if !text.is_empty() {
                let pos = Position::at(script, start);
                out.push(ScriptStatement {
                    text: text.to_string(),
                    offset: start,
                    line: pos.line,
                    column: pos.column,
                });
            }
        }
    };
    while let Some((at, c)) = chars.next() {
        match state {
            State::Quoted(quote) => {
                if c == '\\' && quote != '`' {
                    chars.next();
                } else if c == quote {
                    state = State::Code;
                }
            }
            State::LineComment => {
                if c == '\n' {
                    state = State::Code;
                }
            }
            State::BlockComment => {
                if c == '*' && chars.peek().map(|&(_, n)| n) == Some('/') {
                    chars.next();
                    state = State::Code;
                }
            }
            State::Code => match c {
                ';' => {
                    push(content_start, at, &mut statements);
                    content_start = None;
                }
                '/' if chars.peek().map(|&(_, n)| n) == Some('/') => {
                    chars.next();
                    state = State::LineComment;
                }
                '/' if chars.peek().map(|&(_, n)| n) == Some('*') => {
                    chars.next();
                    state = State::BlockComment;
                }
                _ if c.is_whitespace() => {}
                _ => {
                    content_start.get_or_insert(at);
                    if matches!(c, '\'' | '"' | '`') {
                        state = State::Quoted(c);
                    }
                }
            },
        }
    }
    push(content_start, script.len(), &mut statements);
    statements
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<String> {
        split_statements(script)
            .into_iter()
            .map(|s| s.text)
            .collect()
    }

    #[test]
    fn splits_at_semicolons_outside_quotes_and_comments() {
        let script = "CREATE (:A {s: 'a;b'});\n// c; d\nMATCH (`x;y`) /* ; */ RETURN \"q;\\\"\" ;";
        assert_eq!(
            texts(script),
            vec![
                "CREATE (:A {s: 'a;b'})".to_string(),
                "MATCH (`x;y`) /* ; */ RETURN \"q;\\\"\"".to_string(),
            ]
        );
    }

    #[test]
    fn drops_empty_and_comment_only_statements() {
        assert_eq!(texts(" ; ;\n/* only */ ; // x\n"), Vec::<String>::new());
    }

    #[test]
    fn keeps_position_of_first_character() {
        let parts = split_statements("RETURN 1;\n  // note\n  RETURN 2");
        let second = parts
            .get(1)
            .map(|s| (s.text.as_str(), s.offset, s.line, s.column));
        assert_eq!(second, Some(("RETURN 2", 22, 3, 3)));
    }

    #[test]
    fn last_statement_without_semicolon_is_kept() {
        assert_eq!(texts("RETURN 1"), vec!["RETURN 1".to_string()]);
    }
}
