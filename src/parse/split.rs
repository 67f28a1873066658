//! Splitting a script into statements at `;`, without parsing it.
//!
//! A `;` inside a quoted string, a backtick-quoted name or a comment does not end a
//! statement. Statements that hold only whitespace and comments are dropped. Each kept
//! statement remembers where it starts so errors can point into the whole script.

/// One statement of a script: its text (without the `;`) and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptStatement {
    pub text: String,
    /// Byte offset of the statement's first character in the script.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

#[derive(Clone, Copy, PartialEq, Default)]
enum State {
    #[default]
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
}

/// Splits a script at `;` outside strings, backtick names and comments; statements that
/// are empty or only comments are dropped. A statement's text starts at its first
/// character that is not whitespace or a comment and keeps everything up to its `;`.
pub fn split_statements(script: &str) -> Vec<ScriptStatement> {
    let mut splitter = Splitter::default();
    let mut statements = splitter.push(script);
    statements.extend(splitter.finish());
    statements
}

/// Splits a script that arrives in pieces (a file read in blocks, stdin read line by
/// line): each `push` returns the statements its text completed, `finish` the last one.
/// Every character is looked at once, so a script of any length splits in linear time,
/// holding only the statement not yet complete.
#[derive(Default)]
pub struct Splitter {
    state: State,
    /// The text from the end of the last statement handed out; its first `done` bytes
    /// belong to statements handed out already and are dropped at the next `push`.
    pending: String,
    done: usize,
    /// Where `pending` starts in the whole script, in bytes.
    pending_offset: usize,
    /// How much of `pending` has been looked at, in bytes.
    scanned: usize,
    /// Line and column (1-based, in characters) of the byte at `scanned`.
    line: usize,
    column: usize,
    /// The current statement's first real character: its byte in `pending`, line and
    /// column.
    content_start: Option<(usize, usize, usize)>,
}

impl Splitter {
    /// Adds `text` to the script; returns the statements it completed.
    pub fn push(&mut self, text: &str) -> Vec<ScriptStatement> {
        if self.done > 0 {
            self.pending.drain(..self.done);
            self.pending_offset += self.done;
            self.scanned -= self.done;
            if let Some(start) = &mut self.content_start {
                start.0 -= self.done;
            }
            self.done = 0;
        }
        self.pending.push_str(text);
        let mut out = Vec::new();
        self.scan(false, &mut out);
        out
    }

    /// The script has ended: the statement after the last `;`, if it holds any.
    pub fn finish(mut self) -> Option<ScriptStatement> {
        let mut out = Vec::new();
        self.scan(true, &mut out);
        let end = self.pending.len();
        self.take(end, 0, &mut out);
        out.pop()
    }

    /// Looks at the text not yet scanned. A last character whose meaning depends on
    /// the next one (`/`, `*`, `\`) waits for more text unless the script has ended.
    fn scan(&mut self, at_end: bool, out: &mut Vec<ScriptStatement>) {
        if self.line == 0 {
            self.line = 1;
            self.column = 1;
        }
        loop {
            let rest = match self.pending.get(self.scanned..) {
                Some(rest) if !rest.is_empty() => rest,
                _ => return,
            };
            let mut chars = rest.chars();
            let Some(c) = chars.next() else { return };
            let next = chars.next();
            if next.is_none() && !at_end && matches!(c, '/' | '*' | '\\') {
                return;
            }
            let at = self.scanned;
            // How many characters this step consumes: one, or two with its lookahead.
            let mut width = 1;
            match self.state {
                State::Quoted(quote) => {
                    if c == '\\' && quote != '`' {
                        width = if next.is_some() { 2 } else { 1 };
                    } else if c == quote {
                        self.state = State::Code;
                    }
                }
                State::LineComment => {
                    if c == '\n' {
                        self.state = State::Code;
                    }
                }
                State::BlockComment => {
                    if c == '*' && next == Some('/') {
                        width = 2;
                        self.state = State::Code;
                    }
                }
                State::Code => match c {
                    ';' => {
                        self.advance(1);
                        self.take(at, at + 1, out);
                        continue;
                    }
                    '/' if next == Some('/') => {
                        width = 2;
                        self.state = State::LineComment;
                    }
                    '/' if next == Some('*') => {
                        width = 2;
                        self.state = State::BlockComment;
                    }
                    _ if c.is_whitespace() => {}
                    _ => {
                        if self.content_start.is_none() {
                            self.content_start = Some((at, self.line, self.column));
                        }
                        if matches!(c, '\'' | '"' | '`') {
                            self.state = State::Quoted(c);
                        }
                    }
                },
            }
            self.advance(width);
        }
    }

    /// Moves the scan past `count` characters, counting lines and columns.
    fn advance(&mut self, count: usize) {
        let rest = self.pending.get(self.scanned..).unwrap_or_default();
        for c in rest.chars().take(count) {
            self.scanned += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
    }

    /// Hands out the statement ending at byte `end` of `pending` (if it holds anything);
    /// `pending` up to `resume` is done with.
    fn take(&mut self, end: usize, resume: usize, out: &mut Vec<ScriptStatement>) {
        if let Some((start, line, column)) = self.content_start.take() {
            let text = self.pending.get(start..end).unwrap_or_default().trim_end();
            if !text.is_empty() {
                out.push(ScriptStatement {
                    text: text.to_string(),
                    offset: self.pending_offset + start,
                    line,
                    column,
                });
            }
        }
        self.done = self.done.max(resume.min(self.scanned));
    }
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

    /// Fed in two pieces cut at every byte, and line by line, a script splits exactly
    /// as it does whole: positions, escapes and comments that straddle a cut included.
    #[test]
    fn pieces_split_as_the_whole() {
        let script = "CREATE (:A {s: 'a;\\'b'}); // c; d\n/* x ; */ MATCH (`é;y`)\nRETURN \"q;\\\"\" ;\n  RETURN 2 /* end */ ; RETURN 3";
        let whole = split_statements(script);
        assert_eq!(whole.len(), 4);
        for cut in (0..=script.len()).filter(|&i| script.is_char_boundary(i)) {
            let mut splitter = Splitter::default();
            let mut parts = splitter.push(&script[..cut]);
            parts.extend(splitter.push(&script[cut..]));
            parts.extend(splitter.finish());
            assert_eq!(parts, whole, "cut at byte {cut}");
        }
        let mut splitter = Splitter::default();
        let mut parts = Vec::new();
        for line in script.split_inclusive('\n') {
            parts.extend(splitter.push(line));
        }
        parts.extend(splitter.finish());
        assert_eq!(parts, whole);
    }

    #[test]
    fn positions_count_characters_across_statements() {
        let script = "RETURN 'é';\nRETURN 1; RETURN 'ü'; RETURN 2";
        let parts = split_statements(script);
        let at: Vec<_> = parts.iter().map(|s| (s.offset, s.line, s.column)).collect();
        assert_eq!(at, vec![(0, 1, 1), (13, 2, 1), (23, 2, 11), (36, 2, 23)]);
        for part in &parts {
            let pos = crate::error::Position::at(script, part.offset);
            assert_eq!((pos.line, pos.column), (part.line, part.column));
        }
    }
}
