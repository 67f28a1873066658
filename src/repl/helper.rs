//! The rustyline helper: the validator (a statement runs when it ends with `;`), the
//! Enter key that indents continuation lines, the highlighter (keywords, strings, numbers,
//! parameters, comments, and the `   ...> ` continuation prompt), hints from history and
//! completion of keywords, functions, procedures, meta-commands, and of the labels,
//! relationship types and property keys of the open database.
//!
//! rustyline has no continuation prompt, so Enter on an unfinished statement inserts a
//! newline and [`CONTINUATION_INDENT`]; the highlighter draws the continuation prompt over
//! those spaces (same width, as rustyline requires), and [`strip_continuation_indent`]
//! removes them before the statement runs.

use super::lexer::{self, TokenKind, KEYWORDS};
use crate::render::Format;
use crate::shell::META_COMMANDS;
use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Cmd, ConditionalEventHandler, Context, Event, EventContext, Helper, RepeatCount};
use std::borrow::Cow;

/// The continuation prompt drawn at the start of every line after the first.
pub const CONTINUATION_PROMPT: &str = "   ...> ";
/// The spaces Enter inserts after the newline of an unfinished statement; as wide as
/// [`CONTINUATION_PROMPT`].
pub const CONTINUATION_INDENT: &str = "        ";

const KEYWORD_STYLE: &str = "\x1b[1;34m";
const STRING_STYLE: &str = "\x1b[32m";
const NUMBER_STYLE: &str = "\x1b[33m";
const PARAMETER_STYLE: &str = "\x1b[35m";
const COMMENT_STYLE: &str = "\x1b[90m";
const PROMPT_STYLE: &str = "\x1b[1;32m";
const HINT_STYLE: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// openCypher's functions, for completion.
pub const FUNCTIONS: &[&str] = &[
    "abs",
    "acos",
    "allShortestPaths",
    "asin",
    "atan",
    "atan2",
    "avg",
    "ceil",
    "coalesce",
    "collect",
    "cos",
    "cot",
    "count",
    "date",
    "datetime",
    "degrees",
    "duration",
    "e",
    "endNode",
    "exists",
    "exp",
    "floor",
    "haversin",
    "head",
    "id",
    "isEmpty",
    "keys",
    "labels",
    "last",
    "left",
    "length",
    "localdatetime",
    "localtime",
    "log",
    "log10",
    "ltrim",
    "max",
    "min",
    "nodes",
    "percentileCont",
    "percentileDisc",
    "pi",
    "properties",
    "radians",
    "rand",
    "range",
    "relationships",
    "replace",
    "reverse",
    "right",
    "round",
    "rtrim",
    "shortestPath",
    "sign",
    "sin",
    "size",
    "split",
    "sqrt",
    "startNode",
    "stDev",
    "stDevP",
    "substring",
    "sum",
    "tail",
    "tan",
    "time",
    "toBoolean",
    "toFloat",
    "toInteger",
    "toLower",
    "toString",
    "toUpper",
    "trim",
    "type",
];

/// What completion offers from the open database and the session.
#[derive(Clone, Debug, Default)]
pub struct Vocabulary {
    pub labels: Vec<String>,
    pub relationship_types: Vec<String>,
    pub property_keys: Vec<String>,
    pub procedures: Vec<String>,
    pub parameters: Vec<String>,
}

pub struct SkeinHelper {
    pub vocabulary: Vocabulary,
    hinter: HistoryHinter,
    files: FilenameCompleter,
}

impl SkeinHelper {
    pub fn new(vocabulary: Vocabulary) -> SkeinHelper {
        SkeinHelper {
            vocabulary,
            hinter: HistoryHinter::new(),
            files: FilenameCompleter::new(),
        }
    }
}

impl Helper for SkeinHelper {}

/// Removes the continuation indent Enter inserted after newlines outside strings.
pub fn strip_continuation_indent(text: &str) -> String {
    let marker = format!("\n{CONTINUATION_INDENT}");
    let mut out = String::with_capacity(text.len());
    for token in lexer::scan(text).tokens {
        let piece = text.get(token.start..token.end).unwrap_or("");
        if token.kind == TokenKind::Whitespace {
            out.push_str(&piece.replace(&marker, "\n"));
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// Whether the input is a meta-command (`:name …`).
pub fn is_meta_command(input: &str) -> bool {
    input.trim_start().starts_with(':')
}

/// Whether Enter should run the input: a meta-command, an empty line, or statements
/// ending with `;`.
pub fn input_is_complete(input: &str) -> bool {
    input.trim().is_empty() || is_meta_command(input) || lexer::ends_statement(input)
}

impl Validator for SkeinHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if input_is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

/// Enter on an unfinished statement: a newline plus the continuation indent.
pub struct EnterHandler;

impl ConditionalEventHandler for EnterHandler {
    fn handle(&self, _: &Event, _: RepeatCount, _: bool, ctx: &EventContext<'_>) -> Option<Cmd> {
        if input_is_complete(ctx.line()) {
            None
        } else {
            Some(Cmd::Insert(1, format!("\n{CONTINUATION_INDENT}")))
        }
    }
}

fn style_for(kind: TokenKind) -> Option<&'static str> {
    match kind {
        TokenKind::Keyword => Some(KEYWORD_STYLE),
        TokenKind::StringLiteral => Some(STRING_STYLE),
        TokenKind::Number => Some(NUMBER_STYLE),
        TokenKind::Parameter => Some(PARAMETER_STYLE),
        TokenKind::Comment => Some(COMMENT_STYLE),
        TokenKind::Word | TokenKind::QuotedName | TokenKind::Whitespace | TokenKind::Symbol => None,
    }
}

/// The input with ANSI colours, continuation indents drawn as the continuation prompt.
pub fn highlight_input(line: &str) -> String {
    if is_meta_command(line) {
        return format!("{PROMPT_STYLE}{line}{RESET}");
    }
    let marker = format!("\n{CONTINUATION_INDENT}");
    let drawn = format!("\n{HINT_STYLE}{CONTINUATION_PROMPT}{RESET}");
    let mut out = String::with_capacity(line.len() * 2);
    for token in lexer::scan(line).tokens {
        let piece = line.get(token.start..token.end).unwrap_or("");
        match (token.kind, style_for(token.kind)) {
            (TokenKind::Whitespace, _) => out.push_str(&piece.replace(&marker, &drawn)),
            (_, Some(style)) => {
                out.push_str(style);
                out.push_str(piece);
                out.push_str(RESET);
            }
            (_, None) => out.push_str(piece),
        }
    }
    out
}

impl Highlighter for SkeinHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        Cow::Owned(highlight_input(line))
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Owned(format!("{PROMPT_STYLE}{prompt}{RESET}"))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("{HINT_STYLE}{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        true
    }
}

impl Hinter for SkeinHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

/// A name as it must be written in a query: backtick-quoted unless it is a plain word.
fn quote_name(name: &str) -> String {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        name.to_string()
    } else {
        format!("`{}`", name.replace('`', "``"))
    }
}

fn starts_with_ignoring_case(candidate: &str, prefix: &str) -> bool {
    candidate
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn pairs<'a>(candidates: impl Iterator<Item = &'a str>, prefix: &str, quote: bool) -> Vec<Pair> {
    let mut out: Vec<Pair> = candidates
        .filter(|c| starts_with_ignoring_case(c, prefix))
        .map(|c| Pair {
            display: c.to_string(),
            replacement: if quote { quote_name(c) } else { c.to_string() },
        })
        .collect();
    out.sort_by(|a, b| a.display.cmp(&b.display));
    out.dedup_by(|a, b| a.display == b.display);
    out
}

/// What the word being completed is, from the characters before it.
#[derive(Debug, PartialEq, Eq)]
enum Slot {
    MetaCommand,
    /// The argument of `:load`, `:unload` or `:run`.
    FilePath,
    /// The argument of `:format`.
    FormatName,
    /// The argument of `:timing` or `:stats`.
    Switch,
    /// After `:` inside a node pattern `(…`.
    Label,
    /// After `:` inside a relationship pattern `[…`.
    RelationshipType,
    /// After `:` elsewhere (a label expression such as `WHERE n:Co`).
    LabelOrType,
    /// After `variable.`.
    PropertyKey,
    /// After `ns.`, with `ns.` part of the completed word.
    Procedure,
    Parameter,
    /// Keywords and functions (and procedures after CALL).
    General {
        after_call: bool,
    },
}

impl SkeinHelper {
    /// The start of the word under the cursor, what it is, and the candidates.
    pub fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<Pair>) {
        let before = line.get(..pos).unwrap_or(line);
        let word_start = before
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_')
            .last()
            .map_or(before.len(), |(i, _)| i);
        let prefix = before.get(word_start..).unwrap_or("");
        let head = before.get(..word_start).unwrap_or("");
        let vocabulary = &self.vocabulary;
        let (start, slot) = classify(head, word_start, &vocabulary.procedures);
        let prefix_full = before.get(start..).unwrap_or(prefix);
        let found = match slot {
            Slot::MetaCommand => pairs(META_COMMANDS.iter().map(|m| m.0), prefix_full, false),
            Slot::FilePath => Vec::new(),
            Slot::FormatName => pairs(Format::ALL.iter().map(|f| f.name()), prefix, false),
            Slot::Switch => pairs(["on", "off"].into_iter(), prefix, false),
            Slot::Label => pairs(vocabulary.labels.iter().map(String::as_str), prefix, true),
            Slot::RelationshipType => pairs(
                vocabulary.relationship_types.iter().map(String::as_str),
                prefix,
                true,
            ),
            Slot::LabelOrType => pairs(
                vocabulary
                    .labels
                    .iter()
                    .chain(&vocabulary.relationship_types)
                    .map(String::as_str),
                prefix,
                true,
            ),
            Slot::PropertyKey => pairs(
                vocabulary.property_keys.iter().map(String::as_str),
                prefix,
                true,
            ),
            Slot::Procedure => pairs(
                vocabulary.procedures.iter().map(String::as_str),
                prefix_full,
                false,
            ),
            Slot::Parameter => pairs(
                vocabulary.parameters.iter().map(String::as_str),
                prefix,
                false,
            ),
            Slot::General { after_call } => {
                let lower = !prefix.is_empty() && prefix.chars().all(|c| !c.is_uppercase());
                let mut found: Vec<Pair> = pairs(KEYWORDS.iter().copied(), prefix, false)
                    .into_iter()
                    .map(|mut p| {
                        if lower {
                            p.replacement = p.replacement.to_lowercase();
                        }
                        p
                    })
                    .collect();
                found.extend(pairs(FUNCTIONS.iter().copied(), prefix, false));
                if after_call {
                    found = pairs(
                        vocabulary.procedures.iter().map(String::as_str),
                        prefix,
                        false,
                    );
                }
                found
            }
        };
        (start, found)
    }
}

/// The innermost `(` or `[` of `text` that is still open, outside strings and comments.
fn innermost_open_bracket(text: &str) -> Option<char> {
    let mut open = Vec::new();
    for token in lexer::scan(text).tokens {
        if token.kind != TokenKind::Symbol {
            continue;
        }
        match text.get(token.start..token.end) {
            Some("(") => open.push('('),
            Some("[") => open.push('['),
            Some(")") | Some("]") => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

/// Decides what is being completed from the text before the word (`head`).
fn classify(head: &str, word_start: usize, procedures: &[String]) -> (usize, Slot) {
    let trimmed = head.trim_start();
    if trimmed == ":" {
        return (word_start - 1, Slot::MetaCommand);
    }
    if trimmed.starts_with(":load ")
        || trimmed.starts_with(":unload ")
        || trimmed.starts_with(":run ")
    {
        return (word_start, Slot::FilePath);
    }
    if trimmed.starts_with(":format ") {
        return (word_start, Slot::FormatName);
    }
    if trimmed.starts_with(":timing ") || trimmed.starts_with(":stats ") {
        return (word_start, Slot::Switch);
    }
    if head.ends_with('$') {
        return (word_start, Slot::Parameter);
    }
    if head.ends_with(':') {
        let slot = match innermost_open_bracket(head) {
            Some('(') => Slot::Label,
            Some('[') => Slot::RelationshipType,
            _ => Slot::LabelOrType,
        };
        return (word_start, slot);
    }
    if let Some(before_dot) = head.strip_suffix('.') {
        // `db.la`: the dotted words before the cursor name a procedure namespace.
        let dotted_start = before_dot
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_alphanumeric() || c == '_' || c == '.')
            .last()
            .map_or(before_dot.len(), |(i, _)| i);
        let namespace = before_dot.get(dotted_start..).unwrap_or("");
        let namespace_dot = format!("{namespace}.");
        if !namespace.is_empty()
            && procedures
                .iter()
                .any(|p| starts_with_ignoring_case(p, &namespace_dot))
        {
            return (dotted_start, Slot::Procedure);
        }
        return (word_start, Slot::PropertyKey);
    }
    let previous_word = head
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .rfind(|w| !w.is_empty())
        .unwrap_or("");
    (
        word_start,
        Slot::General {
            after_call: previous_word.eq_ignore_ascii_case("CALL"),
        },
    )
}

impl Completer for SkeinHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = line.get(..pos).unwrap_or(line).trim_start();
        if head.starts_with(":load ") || head.starts_with(":unload ") || head.starts_with(":run ") {
            return self.files.complete(line, pos, ctx);
        }
        Ok(self.candidates(line, pos))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn helper() -> SkeinHelper {
        SkeinHelper::new(Vocabulary {
            labels: vec!["Country".into(), "Person".into(), "Two words".into()],
            relationship_types: vec!["AGREED".into()],
            property_keys: vec!["name".into(), "amount_usd".into()],
            procedures: vec!["db.labels".into(), "db.propertyKeys".into()],
            parameters: vec!["who".into()],
        })
    }

    fn replacements(line: &str) -> (usize, Vec<String>) {
        let (start, found) = helper().candidates(line, line.len());
        (start, found.into_iter().map(|p| p.replacement).collect())
    }

    #[test]
    fn labels_complete_after_a_colon() {
        assert_eq!(
            replacements("MATCH (c:Co"),
            (9, vec!["Country".to_string()])
        );
        assert_eq!(
            replacements("MATCH (c:Tw"),
            (9, vec!["`Two words`".to_string()])
        );
        assert_eq!(
            replacements("MATCH ()-[:AG"),
            (11, vec!["AGREED".to_string()])
        );
    }

    #[test]
    fn property_keys_complete_after_a_dot() {
        assert_eq!(replacements("RETURN c.na"), (9, vec!["name".to_string()]));
    }

    #[test]
    fn procedures_complete_with_their_namespace() {
        assert_eq!(
            replacements("CALL db.la"),
            (5, vec!["db.labels".to_string()])
        );
        assert_eq!(
            replacements("CALL d").1,
            vec!["db.labels", "db.propertyKeys"]
        );
    }

    #[test]
    fn keywords_follow_the_typed_case_and_functions_complete() {
        assert_eq!(replacements("MAT").1, vec!["MATCH"]);
        assert_eq!(replacements("mat").1, vec!["match"]);
        assert!(replacements("RETURN toU")
            .1
            .contains(&"toUpper".to_string()));
    }

    #[test]
    fn meta_commands_and_parameters_complete() {
        assert_eq!(replacements(":sch"), (0, vec![":schema".to_string()]));
        assert_eq!(replacements("RETURN $w"), (8, vec!["who".to_string()]));
        assert_eq!(replacements(":format js").1, vec!["json", "jsonl"]);
        assert_eq!(replacements(":timing o").1, vec!["off", "on"]);
    }

    #[test]
    fn continuation_indent_is_drawn_as_the_prompt_and_stripped_before_running() {
        let typed = format!("MATCH (n)\n{CONTINUATION_INDENT}RETURN 'a\n{CONTINUATION_INDENT}b';");
        assert_eq!(
            strip_continuation_indent(&typed),
            format!("MATCH (n)\nRETURN 'a\n{CONTINUATION_INDENT}b';")
        );
        assert!(highlight_input(&typed).contains(CONTINUATION_PROMPT));
    }

    #[test]
    fn input_completeness() {
        assert!(input_is_complete(""));
        assert!(input_is_complete(":help"));
        assert!(input_is_complete("RETURN 1;"));
        assert!(!input_is_complete("RETURN 1"));
        assert!(!input_is_complete("RETURN ';'"));
    }
}
