//! The interactive shell: the read–run loop, meta-commands, explicit transactions,
//! persistent history and Ctrl-C handling.
//!
//! - A statement runs when the input ends with `;` (see [`helper`]); several statements
//!   on one input run in order and stop at the first failure.
//! - Ctrl-C while a statement runs cancels it through the statement's [`CancelToken`]
//!   (a SIGINT handler sets the token; the statement rolls back) and the REPL goes on; a
//!   Ctrl-C when a cancelled statement has still not stopped two seconds later ends the
//!   process.
//!   Ctrl-C at the prompt clears the line (rustyline reads it as a key there).
//! - Explicit transactions (`:begin`) behave as in Neo4j's cypher-shell: a statement that
//!   fails inside one (or is cancelled) rolls the whole transaction back and ends it, and
//!   the REPL says so.
//! - History is kept in `$SKEIN_HISTORY`, else `$XDG_DATA_HOME/skein/history`, else
//!   `~/.local/share/skein/history`; consecutive duplicates are dropped.

pub mod helper;
pub mod lexer;

use crate::cli::script::{self, OutputSettings};
use crate::render::{self, Format};
use crate::{CancelToken, Database, Params, QueryOptions, QueryResult, Transaction};
use helper::{SkeinHelper, Vocabulary, META_COMMANDS};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How the REPL starts, from the command line.
#[derive(Clone, Debug)]
pub struct ReplSettings {
    pub format: Format,
    pub params: Params,
    pub timing: bool,
    pub stats: bool,
    pub quiet: bool,
    /// Shown in the banner: the database folder, or that it is temporary.
    pub database_name: String,
}

/// Rows a table shows at most, unless `:maxrows` says otherwise.
pub const DEFAULT_MAX_ROWS: usize = 1000;

const PROMPT: &str = "skein> ";
const PROMPT_IN_TRANSACTION: &str = "skein(tx)> ";

/// The history file: `$SKEIN_HISTORY`, else the user's data folder.
pub fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("SKEIN_HISTORY") {
        return (!path.is_empty()).then(|| PathBuf::from(path));
    }
    let data_home = std::env::var_os("XDG_DATA_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".local").join("share")))?;
    Some(data_home.join("skein").join("history"))
}

/// State of one REPL session.
struct Session<'db> {
    db: &'db Database,
    transaction: Option<Transaction<'db>>,
    format: Format,
    params: Params,
    timing: bool,
    stats: bool,
    max_rows: usize,
    cancel: CancelToken,
    /// Where `:param` values are evaluated, apart from the user's database and its
    /// transactions.
    scratch: Database,
    /// True from the moment an input is accepted until the next prompt, so the SIGINT
    /// handler knows there is something to cancel. (At the prompt the terminal is in raw
    /// mode and Ctrl-C reaches rustyline as a key, not as a signal.)
    running: Arc<AtomicBool>,
}

/// What a meta-command asks the loop to do next.
enum Next {
    Continue,
    Quit,
}

fn print_line(text: impl std::fmt::Display) {
    let mut out = io::stdout();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn print_error(text: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// Runs the REPL on `db` until `:quit` or Ctrl-D; returns the exit code.
pub fn run(db: &Database, settings: ReplSettings) -> i32 {
    let config = match Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .history_ignore_dups(true)
        .and_then(|c| c.max_history_size(10_000))
    {
        Ok(builder) => builder.build(),
        Err(error) => {
            print_error(format!("skein: cannot configure the line editor: {error}"));
            return 2;
        }
    };
    let mut editor: Editor<SkeinHelper, FileHistory> = match Editor::with_config(config) {
        Ok(editor) => editor,
        Err(error) => {
            print_error(format!("skein: cannot start the line editor: {error}"));
            return 2;
        }
    };
    editor.bind_sequence(
        KeyEvent(KeyCode::Enter, Modifiers::NONE),
        EventHandler::Conditional(Box::new(helper::EnterHandler)),
    );
    let history = history_path();
    if let Some(path) = &history {
        if let Some(folder) = path.parent() {
            let _ = std::fs::create_dir_all(folder);
        }
        // A missing history file is the normal first start.
        let _ = editor.load_history(path);
    }

    let scratch = match Database::open_temporary() {
        Ok(scratch) => scratch,
        Err(error) => {
            print_error(format!("skein: {error}"));
            return 2;
        }
    };
    let mut session = Session {
        db,
        transaction: None,
        format: settings.format,
        params: settings.params,
        timing: settings.timing,
        stats: settings.stats,
        max_rows: DEFAULT_MAX_ROWS,
        cancel: CancelToken::new(),
        scratch,
        running: Arc::new(AtomicBool::new(false)),
    };
    install_interrupt_handler(&session.cancel, &session.running);
    let vocabulary = session.vocabulary();
    editor.set_helper(Some(SkeinHelper::new(vocabulary)));

    if !settings.quiet {
        print_line(format!(
            "skein {} on {}. Statements end with ';'. :help for help, :quit or Ctrl-D to leave.",
            env!("CARGO_PKG_VERSION"),
            settings.database_name
        ));
    }

    loop {
        let prompt = if session.transaction.is_some() {
            PROMPT_IN_TRANSACTION
        } else {
            PROMPT
        };
        let input = match editor.readline(prompt) {
            Ok(input) => input,
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(error) => {
                print_error(format!("skein: cannot read input: {error}"));
                return 2;
            }
        };
        if input.trim().is_empty() {
            continue;
        }
        if editor.add_history_entry(input.as_str()).unwrap_or(false) {
            if let Some(path) = &history {
                if let Err(error) = editor.append_history(path) {
                    print_error(format!(
                        "skein: cannot save history to {}: {error}",
                        path.display()
                    ));
                }
            }
        }
        // One Ctrl-C cancels the whole input: the running statement, and with it the
        // statements after it.
        session.cancel.reset();
        session.running.store(true, Ordering::SeqCst);
        let next = if helper::is_meta_command(&input) {
            session.meta_command(input.trim())
        } else {
            session.run_statements("input", &helper::strip_continuation_indent(&input));
            Next::Continue
        };
        session.running.store(false, Ordering::SeqCst);
        let vocabulary = session.vocabulary();
        if let Some(helper) = editor.helper_mut() {
            helper.vocabulary = vocabulary;
        }
        if let Next::Quit = next {
            break;
        }
    }
    if session.transaction.take().is_some() {
        print_line("The open transaction was rolled back.");
    }
    0
}

/// How long a cancelled input may take to stop before another Ctrl-C ends skein; a
/// quick double press only cancels.
const PATIENCE_AFTER_CANCEL: Duration = Duration::from_secs(2);

/// SIGINT cancels the running input. Another one, when the cancelled input has still not
/// stopped after [`PATIENCE_AFTER_CANCEL`], ends the process (in case a statement does
/// not notice its cancellation).
fn install_interrupt_handler(cancel: &CancelToken, running: &Arc<AtomicBool>) {
    let cancel = cancel.clone();
    let running = Arc::clone(running);
    let mut cancelled_at: Option<Instant> = None;
    let installed = ctrlc::set_handler(move || {
        if !running.load(Ordering::SeqCst) {
            return;
        }
        if !cancel.is_cancelled() {
            cancel.cancel();
            cancelled_at = Some(Instant::now());
            return;
        }
        if cancelled_at.is_some_and(|at| at.elapsed() >= PATIENCE_AFTER_CANCEL) {
            let _ = writeln!(
                io::stderr(),
                "\nskein: the statement does not stop; leaving"
            );
            std::process::exit(130);
        }
    });
    if let Err(error) = installed {
        print_error(format!("skein: Ctrl-C will not cancel statements: {error}"));
    }
}

/// One column of a procedure's result as strings (empty when the call fails).
fn column_strings(result: crate::Result<QueryResult>) -> Vec<String> {
    result
        .map(|r| {
            r.rows
                .into_iter()
                .filter_map(|row| match row.into_iter().next() {
                    Some(crate::Value::String(s)) => Some(s),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl<'db> Session<'db> {
    fn output_settings(&self) -> OutputSettings {
        OutputSettings {
            format: self.format,
            stats: self.stats,
            timing: self.timing,
            continue_on_error: false,
            max_rows: Some(self.max_rows),
        }
    }

    /// A query of the REPL's own (completion, `:schema`): it runs in the open transaction
    /// when there is one (a second transaction would wait for it), and its failure does
    /// not end that transaction.
    fn internal_query(&mut self, query: &str) -> crate::Result<QueryResult> {
        let none = Params::new();
        match self.transaction.as_mut() {
            Some(open) => open.execute(query, &none),
            None => self.db.execute(query, &none),
        }
    }

    /// Labels, types and keys the session sees, for completion.
    fn vocabulary(&mut self) -> Vocabulary {
        Vocabulary {
            labels: column_strings(self.internal_query("CALL db.labels()")),
            relationship_types: column_strings(self.internal_query("CALL db.relationshipTypes()")),
            property_keys: column_strings(self.internal_query("CALL db.propertyKeys()")),
            procedures: self.procedure_names(),
            parameters: self.params.keys().cloned().collect(),
        }
    }

    /// The procedures a user can CALL: the schema ones and those `algo.list()` names.
    fn procedure_names(&mut self) -> Vec<String> {
        let mut names: Vec<String> = ["db.labels", "db.relationshipTypes", "db.propertyKeys"]
            .map(String::from)
            .to_vec();
        names.extend(column_strings(
            self.internal_query("CALL algo.list() YIELD name RETURN name"),
        ));
        names
    }

    /// Runs a script (typed input or a `:source` file) in the open transaction, or each
    /// statement in its own when none is open.
    fn run_statements(&mut self, name: &str, text: &str) {
        let settings = self.output_settings();
        let db = self.db;
        let params = &self.params;
        let cancel = &self.cancel;
        let transaction = &mut self.transaction;
        let mut transaction_failed = false;
        let mut execute = |query: &str| {
            let options = QueryOptions {
                cancel: Some(cancel.clone()),
                timeout: None,
            };
            let result = match transaction.as_mut() {
                Some(open) => open.execute_with(query, params, &options),
                None => db.execute_with(query, params, &options),
            };
            if result.is_err() {
                if let Some(open) = transaction.take() {
                    open.rollback();
                    transaction_failed = true;
                }
            }
            result
        };
        let stdout = io::stdout();
        let mut out = stdout.lock();
        let mut err = io::stderr();
        script::run_script(name, text, &settings, &mut execute, &mut out, &mut err);
        if transaction_failed {
            print_error("The statement failed inside the open transaction: the transaction was rolled back and ended.");
        }
    }

    fn meta_command(&mut self, input: &str) -> Next {
        let (command, argument) = match input.split_once(char::is_whitespace) {
            Some((command, argument)) => (command, argument.trim()),
            None => (input, ""),
        };
        match command {
            ":help" | ":h" | ":?" => print_line(help_text()),
            ":quit" | ":exit" | ":q" => return Next::Quit,
            ":schema" => self.schema(),
            ":load" => self.load(argument),
            ":source" => self.source(argument),
            ":show" => {
                let mut run = |q: &str, p: &Params| match self.transaction.as_mut() {
                    Some(open) => open.execute(q, p),
                    None => self.db.execute(q, p),
                };
                match crate::export::show::show_query(&mut run, argument) {
                    Ok(message) => print_line(message),
                    Err(error) => print_error(error),
                }
            }
            ":format" => self.set_format(argument),
            ":param" => self.set_param(argument),
            ":params" => self.params_command(argument),
            ":timing" => set_switch(&mut self.timing, "timing", argument),
            ":stats" => set_switch(&mut self.stats, "stats", argument),
            ":maxrows" => self.set_max_rows(argument),
            ":begin" => self.begin(),
            ":commit" => self.commit(),
            ":rollback" => self.rollback(),
            unknown => {
                let suggestion = META_COMMANDS
                    .iter()
                    .map(|m| m.0)
                    .find(|name| name.starts_with(unknown) || unknown.starts_with(name))
                    .map(|name| format!(" Did you mean {name}?"))
                    .unwrap_or_default();
                print_error(format!(
                    "Unknown command {unknown}.{suggestion} :help lists the commands; statements end with ';'."
                ));
            }
        }
        Next::Continue
    }

    fn schema(&mut self) {
        let labels = column_strings(self.internal_query("CALL db.labels()"));
        let types = column_strings(self.internal_query("CALL db.relationshipTypes()"));
        let keys = column_strings(self.internal_query("CALL db.propertyKeys()"));
        let mut count = |query: String| {
            self.internal_query(&query)
                .ok()
                .and_then(|r| r.rows.into_iter().next())
                .and_then(|row| row.into_iter().next())
                .map_or_else(|| "?".to_string(), |v| v.to_string())
        };
        let mut text = String::from("Labels:\n");
        if labels.is_empty() {
            text.push_str("  (none)\n");
        }
        for label in &labels {
            let quoted = label.replace('`', "``");
            let n = count(format!("MATCH (n:`{quoted}`) RETURN count(n)"));
            text.push_str(&format!("  :{label}  {n}\n"));
        }
        text.push_str("Relationship types:\n");
        if types.is_empty() {
            text.push_str("  (none)\n");
        }
        for rel_type in &types {
            let quoted = rel_type.replace('`', "``");
            let n = count(format!("MATCH ()-[r:`{quoted}`]->() RETURN count(r)"));
            text.push_str(&format!("  :{rel_type}  {n}\n"));
        }
        text.push_str("Property keys:\n");
        if keys.is_empty() {
            text.push_str("  (none)\n");
        }
        for line in wrap_list(&keys, SCHEMA_LINE_WIDTH) {
            text.push_str(&format!("  {line}\n"));
        }
        text.push_str("Indexes and constraints:\n");
        for (what, query) in [
            ("indexes", "SHOW INDEXES"),
            ("constraints", "SHOW CONSTRAINTS"),
        ] {
            match self.internal_query(query) {
                Ok(result) => {
                    for row in &result.rows {
                        let cells: Vec<String> = row.iter().map(render::literal_cell).collect();
                        text.push_str(&format!("  {}\n", cells.join("  ")));
                    }
                    if result.rows.is_empty() {
                        text.push_str(&format!("  (no {what})\n"));
                    }
                }
                Err(error) => text.push_str(&format!("  (cannot list the {what}: {error})\n")),
            }
        }
        print_line(text.trim_end());
    }

    fn load(&mut self, argument: &str) {
        if argument.is_empty() {
            print_error("Usage: :load PATH (a fact file or a folder of them)");
            return;
        }
        if self.transaction.is_some() {
            print_error("Commit or roll back the open transaction before :load (each file loads in its own).");
            return;
        }
        match crate::cli::load_one(self.db, std::path::Path::new(argument), false) {
            Ok(reports) => {
                for report in &reports {
                    print_line(crate::cli::load_summary(report));
                }
            }
            Err(error) => print_error(error),
        }
    }

    fn source(&mut self, argument: &str) {
        if argument.is_empty() {
            print_error("Usage: :source FILE");
            return;
        }
        match std::fs::read_to_string(argument) {
            Ok(text) => self.run_statements(argument, &text),
            Err(error) => print_error(format!("IoError: cannot read {argument}: {error}")),
        }
    }

    fn set_format(&mut self, argument: &str) {
        if argument.is_empty() {
            print_line(format!("The output format is {}.", self.format));
            return;
        }
        match argument.parse::<Format>() {
            Ok(format) => self.format = format,
            Err(message) => print_error(message),
        }
    }

    /// `:param NAME => VALUE` (also `NAME: VALUE`), or `:param {k: v, …}` to set several.
    fn set_param(&mut self, argument: &str) {
        if argument.starts_with('{') {
            match crate::cli::evaluate_literal_with(&self.scratch, argument, &self.params) {
                Ok(crate::Value::Map(map)) => {
                    for (name, value) in map {
                        self.params.insert(name, value);
                    }
                }
                Ok(other) => print_error(format!("Expected a map of parameters, got {other}")),
                Err(error) => print_error(error),
            }
            return;
        }
        let split = argument
            .split_once("=>")
            .or_else(|| argument.split_once(':'));
        let Some((name, literal)) = split else {
            print_error("Usage: :param NAME => VALUE   (VALUE is a Cypher value: 42, 'text', [1, 2], {k: 1})");
            return;
        };
        let name = name.trim().trim_start_matches('$');
        let name = name
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .unwrap_or(name);
        if name.is_empty() {
            print_error("The parameter needs a name: :param NAME => VALUE");
            return;
        }
        match crate::cli::evaluate_literal_with(&self.scratch, literal.trim(), &self.params) {
            Ok(value) => {
                print_line(format!("${name} => {value}"));
                self.params.insert(name.to_string(), value);
            }
            Err(error) => print_error(error),
        }
    }

    fn params_command(&mut self, argument: &str) {
        match argument {
            "clear" => self.params.clear(),
            "" if self.params.is_empty() => {
                print_line("No parameters. Set one with :param NAME => VALUE")
            }
            "" => {
                let lines: Vec<String> = self
                    .params
                    .iter()
                    .map(|(name, value)| format!("${name} => {value}"))
                    .collect();
                print_line(lines.join("\n"));
            }
            other => print_error(format!("Usage: :params [clear] (not '{other}')")),
        }
    }

    fn set_max_rows(&mut self, argument: &str) {
        if argument.is_empty() {
            print_line(format!("Results show at most {} rows.", self.max_rows));
            return;
        }
        match argument.parse::<usize>() {
            Ok(n) if n > 0 => self.max_rows = n,
            _ => print_error(format!(
                "Usage: :maxrows N, N a positive whole number (not '{argument}')"
            )),
        }
    }

    fn begin(&mut self) {
        if self.transaction.is_some() {
            print_error("A transaction is already open: :commit or :rollback it first.");
            return;
        }
        match self.db.begin() {
            Ok(transaction) => self.transaction = Some(transaction),
            Err(error) => print_error(error),
        }
    }

    fn commit(&mut self) {
        match self.transaction.take() {
            Some(transaction) => match transaction.commit() {
                Ok(()) => print_line("Committed."),
                Err(error) => print_error(format!("{error}\nThe transaction was rolled back.")),
            },
            None => print_error("There is no open transaction to commit (:begin opens one)."),
        }
    }

    fn rollback(&mut self) {
        match self.transaction.take() {
            Some(transaction) => {
                transaction.rollback();
                print_line("Rolled back.");
            }
            None => print_error("There is no open transaction to roll back."),
        }
    }
}

/// Lines of `:schema`'s property key list stay this short, so a terminal does not break
/// them inside a word.
const SCHEMA_LINE_WIDTH: usize = 76;

/// `items` joined by `, ` into lines of at most `width` characters (an item longer than
/// that gets a line of its own).
fn wrap_list(items: &[String], width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for item in items {
        if !line.is_empty() && line.chars().count() + 2 + item.chars().count() > width {
            line.push(',');
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push_str(", ");
        }
        line.push_str(item);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn set_switch(switch: &mut bool, name: &str, argument: &str) {
    match argument {
        "on" => *switch = true,
        "off" => *switch = false,
        "" => print_line(format!("{name} is {}", if *switch { "on" } else { "off" })),
        other => print_error(format!("Usage: :{name} on|off (not '{other}')")),
    }
}

/// The `:help` text: meta-commands, keys and example queries over the seed graph.
pub fn help_text() -> String {
    let mut text =
        String::from("Statements end with ';' and may span lines. Meta-commands need no ';':\n");
    for (name, synopsis, meaning) in META_COMMANDS {
        let usage = format!("{name} {synopsis}");
        text.push_str(&format!("  {usage:<24} {meaning}\n"));
    }
    text.push_str(
        "\nKeys: Tab completes keywords, functions, labels (after ':'), property keys (after '.'),\n\
         Ctrl-R searches history, Ctrl-C cancels a running statement or clears the line.\n\
         \nExamples over the seed graph (skein --load seed/):\n\
         \x20 MATCH (c:Country) RETURN c.name ORDER BY c.name;\n\
         \x20 MATCH (p:Person {name: 'Alexander Galushka'})-[r]-(x) RETURN type(r), x.name;\n\
         \x20 MATCH (n) WHERE 'DPRK' IN n.aliases RETURN n.name, labels(n);\n\
         \x20 MATCH (a)-[r]->(b) WHERE r.reported_by = 'RIA Novosti' RETURN a.name, type(r), b.name;\n\
         \x20 :param who => 'Vladimir Putin'\n\
         \x20 MATCH (p:Person {name: $who})-[r]-(x) RETURN type(r), x.name;",
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_lists_every_meta_command() {
        let text = help_text();
        for (name, ..) in META_COMMANDS {
            assert!(text.contains(name), "{name}");
        }
    }

    #[test]
    fn schema_key_lists_wrap_between_words() {
        let keys: Vec<String> = ["alpha", "beta", "gamma", "delta"]
            .map(String::from)
            .to_vec();
        assert_eq!(wrap_list(&keys, 12), vec!["alpha, beta,", "gamma, delta"]);
        assert_eq!(wrap_list(&keys, 80), vec!["alpha, beta, gamma, delta"]);
        assert!(wrap_list(&[], 10).is_empty());
    }

    #[test]
    fn switches_take_on_and_off() {
        let mut switch = false;
        set_switch(&mut switch, "timing", "on");
        assert!(switch);
        set_switch(&mut switch, "timing", "sideways");
        assert!(switch);
        set_switch(&mut switch, "timing", "off");
        assert!(!switch);
    }
}
