//! The interactive shell: the read–run loop over a [`Session`] (which runs statements
//! and meta-commands, as in scripts), the prompt, completion, persistent history and
//! Ctrl-C handling.
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

use crate::shell::script::OutputSettings;
use crate::shell::{column_strings, ReplSettings, Session};
use crate::{CancelToken, Database};
use helper::{SkeinHelper, Vocabulary};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{CompletionType, Config, Editor, EventHandler, KeyCode, KeyEvent, Modifiers};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

    let output = OutputSettings {
        format: settings.format,
        stats: settings.stats,
        timing: settings.timing,
        continue_on_error: false,
        max_rows: Some(DEFAULT_MAX_ROWS),
    };
    let mut session = Session::new(db, output, settings.params, true, settings.quiet);
    session.source = settings.source;
    session.limits = settings.limits;
    // True from the moment an input is accepted until the next prompt, so the SIGINT
    // handler knows there is something to cancel. (At the prompt the terminal is in raw
    // mode and Ctrl-C reaches rustyline as a key, not as a signal.)
    let running = Arc::new(AtomicBool::new(false));
    install_interrupt_handler(session.cancel_token(), &running);
    editor.set_helper(Some(SkeinHelper::new(vocabulary(&mut session))));

    if !settings.quiet {
        print_line(format!(
            "skein {} on {}. Statements end with ';'. :help for help, :quit or Ctrl-D to leave.",
            env!("CARGO_PKG_VERSION"),
            settings.database_name
        ));
    }

    loop {
        let prompt = match (session.in_transaction(), session.as_of()) {
            (_, Some(tx)) => format!("skein(asof {tx})> "),
            (true, None) => PROMPT_IN_TRANSACTION.to_string(),
            (false, None) => PROMPT.to_string(),
        };
        let input = match editor.readline(&prompt) {
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
        session.cancel_token().reset();
        running.store(true, Ordering::SeqCst);
        let input = helper::strip_continuation_indent(&input);
        {
            let stdout = io::stdout();
            let mut out = stdout.lock();
            session.run_text("input", &input, &mut out, &mut io::stderr());
        }
        running.store(false, Ordering::SeqCst);
        let vocabulary = vocabulary(&mut session);
        if let Some(helper) = editor.helper_mut() {
            helper.vocabulary = vocabulary;
        }
        if session.quit_requested() {
            break;
        }
    }
    session.close(&mut io::stdout());
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

/// Labels, types, keys, procedures and parameters the session sees, for completion.
fn vocabulary(session: &mut Session) -> Vocabulary {
    Vocabulary {
        labels: column_strings(session.internal_query("CALL db.labels()")),
        relationship_types: column_strings(session.internal_query("CALL db.relationshipTypes()")),
        property_keys: column_strings(session.internal_query("CALL db.propertyKeys()")),
        procedures: procedure_names(session),
        parameters: session.params.keys().cloned().collect(),
    }
}

/// The procedures a user can CALL: the schema ones and those `algo.list()` names.
fn procedure_names(session: &mut Session) -> Vec<String> {
    let mut names: Vec<String> = ["db.labels", "db.relationshipTypes", "db.propertyKeys"]
        .map(String::from)
        .to_vec();
    names.extend(column_strings(
        session.internal_query("CALL algo.list() YIELD name RETURN name"),
    ));
    names
}
