//! Splitting a script into statements at `;`, without parsing it.
//!
//! A `;` inside a quoted string, a backtick-quoted name or a comment does not end a
//! statement. Statements that hold only whitespace and comments are dropped. Each kept
//! statement remembers where it starts so errors can point into the whole script.
//!
//! A shell script (batch mode, `:run`, the REPL's input) may also hold meta-commands:
//! a line whose first character outside whitespace and comments, where a statement
//! would start, is `:` is a command running to the end of that line (no Cypher statement
//! starts with `:`). Fact files hold statements only; their splitter reads `:` as code.

/// One statement or meta-command of a script: its text (without the `;`) and where it
/// starts.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptStatement {
    pub text: String,
    pub kind: StatementKind,
    /// Byte offset of the statement's first character in the script.
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    /// What stands before the statement on its first line (the end of an earlier
    /// statement, usually nothing): enough to show that line under an error. Longer than
    /// [`LINE_PREFIX_KEPT`] characters, only its end is kept, after a `…`.
    pub line_prefix: String,
}

/// What a piece of a script is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatementKind {
    /// A Cypher statement.
    Cypher,
    /// A shell meta-command (`:param x => 1`), its text from the `:` to the end of its
    /// line.
    MetaCommand,
}

/// How much of the text before a statement on its line [`ScriptStatement::line_prefix`]
/// keeps, in characters.
pub const LINE_PREFIX_KEPT: usize = 80;

#[derive(Clone, Copy, PartialEq, Default)]
enum State {
    #[default]
    Code,
    Quoted(char),
    LineComment,
    BlockComment,
    /// Inside a meta-command, until the end of its line.
    MetaCommand,
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
/// holding only the statement not yet complete (and the start of its line).
#[derive(Default)]
pub struct Splitter {
    state: State,
    /// Whether a `:` where a statement would start begins a meta-command.
    meta_commands: bool,
    /// The text from the end of the last statement handed out (or from the start of its
    /// line); its first `done` bytes belong to statements handed out already and are
    /// dropped at the next `push`, as far as the current line's start.
    pending: String,
    done: usize,
    /// Where `pending` starts in the whole script, in bytes.
    pending_offset: usize,
    /// How much of `pending` has been looked at, in bytes.
    scanned: usize,
    /// Line and column (1-based, in characters) of the byte at `scanned`, and where in the
    /// whole script that line starts.
    line: usize,
    column: usize,
    line_start: usize,
    /// The current statement's first real character.
    content_start: Option<ContentStart>,
}

/// Where the statement being read starts.
#[derive(Clone, Copy)]
struct ContentStart {
    /// Its byte in `pending`.
    at: usize,
    line: usize,
    column: usize,
    /// The start of its line in the whole script.
    line_start: usize,
    kind: StatementKind,
}

impl Splitter {
    /// A splitter for shell scripts: lines starting with `:` are meta-commands.
    pub fn with_meta_commands() -> Splitter {
        Splitter {
            meta_commands: true,
            ..Splitter::default()
        }
    }

    /// Adds `text` to the script; returns the statements it completed.
    pub fn push(&mut self, text: &str) -> Vec<ScriptStatement> {
        let current_line = self.line_start.saturating_sub(self.pending_offset);
        let dropped = self.done.min(current_line);
        if dropped > 0 {
            self.pending.drain(..dropped);
            self.pending_offset += dropped;
            self.scanned -= dropped;
            if let Some(start) = &mut self.content_start {
                start.at -= dropped;
            }
            self.done -= dropped;
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
                State::MetaCommand => {
                    if c == '\n' {
                        self.take(at, at, out);
                        self.state = State::Code;
                    }
                }
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
                    ':' if self.meta_commands && self.content_start.is_none() => {
                        self.start_content(at, StatementKind::MetaCommand);
                        self.state = State::MetaCommand;
                    }
                    _ => {
                        if self.content_start.is_none() {
                            self.start_content(at, StatementKind::Cypher);
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

    fn start_content(&mut self, at: usize, kind: StatementKind) {
        self.content_start = Some(ContentStart {
            at,
            line: self.line,
            column: self.column,
            line_start: self.line_start,
            kind,
        });
    }

    /// Moves the scan past `count` characters, counting lines and columns.
    fn advance(&mut self, count: usize) {
        let rest = self.pending.get(self.scanned..).unwrap_or_default();
        for c in rest.chars().take(count) {
            self.scanned += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
                self.line_start = self.pending_offset + self.scanned;
            } else {
                self.column += 1;
            }
        }
    }

    /// Hands out the statement ending at byte `end` of `pending` (if it holds anything);
    /// `pending` up to `resume` is done with.
    fn take(&mut self, end: usize, resume: usize, out: &mut Vec<ScriptStatement>) {
        if let Some(start) = self.content_start.take() {
            let mut text = self
                .pending
                .get(start.at..end)
                .unwrap_or_default()
                .trim_end();
            if start.kind == StatementKind::MetaCommand {
                // `:param x => 1;` as cypher-shell users write it.
                text = text.strip_suffix(';').unwrap_or(text).trim_end();
            }
            if !text.is_empty() {
                let prefix_from = start.line_start.saturating_sub(self.pending_offset);
                let prefix = self.pending.get(prefix_from..start.at).unwrap_or_default();
                out.push(ScriptStatement {
                    text: text.to_string(),
                    kind: start.kind,
                    offset: self.pending_offset + start.at,
                    line: start.line,
                    column: start.column,
                    line_prefix: shortened_prefix(prefix),
                });
            }
        }
        self.done = self.done.max(resume.min(self.scanned));
    }
}

/// `prefix`, or its last [`LINE_PREFIX_KEPT`] characters after a `…` when it is longer.
/// Looks at no more than the kept characters, so a long line of many statements costs
/// nothing more per statement.
fn shortened_prefix(prefix: &str) -> String {
    match prefix.char_indices().rev().nth(LINE_PREFIX_KEPT) {
        None => prefix.to_string(),
        Some((cut, c)) => format!("…{}", prefix.get(cut + c.len_utf8()..).unwrap_or_default()),
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

    fn shell_pieces(script: &str) -> Vec<(StatementKind, String, usize, usize)> {
        let mut splitter = Splitter::with_meta_commands();
        let mut parts = splitter.push(script);
        parts.extend(splitter.finish());
        parts
            .into_iter()
            .map(|s| (s.kind, s.text, s.line, s.column))
            .collect()
    }

    #[test]
    fn meta_commands_run_to_the_end_of_their_line() {
        use StatementKind::{Cypher, MetaCommand};
        let script = ":param x => 'a;b'\n  :begin;\nMATCH (n)\n:not_a_command\n; /* c */ :commit";
        assert_eq!(
            shell_pieces(script),
            vec![
                (MetaCommand, ":param x => 'a;b'".to_string(), 1, 1),
                (MetaCommand, ":begin".to_string(), 2, 3),
                // Inside a statement, a line starting with `:` is the statement's text.
                (Cypher, "MATCH (n)\n:not_a_command".to_string(), 3, 1),
                (MetaCommand, ":commit".to_string(), 5, 11),
            ]
        );
        // Fact files have no meta-commands: `:` is code, for the parser to refuse.
        assert_eq!(
            texts(":begin\nRETURN 1;"),
            vec![":begin\nRETURN 1".to_string()]
        );
    }

    #[test]
    fn a_statement_knows_what_stands_before_it_on_its_line() {
        let parts = split_statements("RETURN 1; RETURN 2;\nRETURN 3");
        let prefixes: Vec<&str> = parts.iter().map(|s| s.line_prefix.as_str()).collect();
        assert_eq!(prefixes, vec!["", "RETURN 1; ", ""]);
        let long = format!("{} RETURN 0", "RETURN 1;".repeat(20));
        let last = split_statements(&long).pop().map(|s| s.line_prefix);
        let kept = last.unwrap_or_default();
        assert!(
            kept.starts_with('…') && kept.ends_with("RETURN 1; "),
            "{kept}"
        );
        assert_eq!(kept.chars().count(), LINE_PREFIX_KEPT + 1);
    }
}
