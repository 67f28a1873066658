//! What the command line's batch mode and the REPL share: a [`Session`] that runs
//! scripts (Cypher statements and meta-commands, read as a stream), its settings,
//! parameters and explicit transaction; loading fact files; parsing parameters.
//!
//! A script is split as it is read (see [`crate::Splitter`]), so a file or
//! standard input of any length runs in linear time and bounded memory, and each
//! statement's result is written (and flushed) as soon as it has run. Meta-commands work
//! in scripts as at the prompt. At the prompt they confirm what they did (`Committed.`,
//! `$x => 1`); in a script they say nothing unless asked to show something (`:help`,
//! `:schema`, `:params`, `:show`, a setting without a value), so standard output holds
//! results only. A failing meta-command is an error like a failing statement: its place
//! is named, the exit code is 1 and the script stops (unless `--continue-on-error`).

pub mod load;
pub mod params;
pub mod script;

use crate::render::{self, Format};
use crate::{
    CancelToken, Database, Params, QueryOptions, QueryResult, ScriptStatement, Splitter,
    StatementKind, Transaction,
};
use script::{OutputSettings, ScriptOutcome};
use std::io::{self, BufRead, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::Instant;

/// The meta-commands, with their argument synopsis and one line of help.
pub const META_COMMANDS: &[(&str, &str, &str)] = &[
    (":help", "", "this help"),
    (
        ":schema",
        "",
        "labels and relationship types with counts, property keys, indexes",
    ),
    (
        ":load",
        "PATH",
        "load a fact file or folder (again: only what changed)",
    ),
    (
        ":unload",
        "FILE",
        "withdraw everything a loaded file (or named source) asserts",
    ),
    (
        ":source",
        "[NAME]",
        "write the following statements under source NAME (alone: under none)",
    ),
    (":run", "FILE", "run a script file"),
    (
        ":asof",
        "[TX]",
        "read the graph as transaction TX left it (alone: as it is now)",
    ),
    (
        ":show",
        "QUERY",
        "draw the nodes, relationships and paths a query returns (SVG, else a tree)",
    ),
    (
        ":format",
        "[NAME]",
        "show or set the output format (table csv tsv json jsonl literal)",
    ),
    (
        ":param",
        "NAME => VALUE",
        "set a parameter ($NAME) to a Cypher value",
    ),
    (":params", "[clear]", "list (or clear) the parameters"),
    (":timing", "on|off", "show each statement's time"),
    (
        ":stats",
        "on|off",
        "show each statement's update counters as JSON",
    ),
    (
        ":maxrows",
        "[N]",
        "show or set how many rows a result shows at most",
    ),
    (":begin", "", "open an explicit transaction"),
    (":commit", "", "commit the open transaction"),
    (":rollback", "", "roll back the open transaction"),
    (":quit", "", "leave (also Ctrl-D)"),
];

/// How deep `:run` may nest (a file that runs itself stops here).
const MAX_RUN_DEPTH: usize = 32;

/// Lines of `:schema`'s property key list stay this short, so a terminal does not break
/// them inside a word.
const SCHEMA_LINE_WIDTH: usize = 76;

/// How the REPL starts, from the command line (here, where both faces see it, so that
/// neither the CLI nor the REPL depends on the other).
#[derive(Clone, Debug)]
pub struct ReplSettings {
    pub format: Format,
    pub params: Params,
    pub timing: bool,
    pub stats: bool,
    pub quiet: bool,
    /// The source statements write under (`--source`).
    pub source: Option<String>,
    pub limits: StatementLimits,
    /// Shown in the banner: the database folder, or that it is temporary.
    pub database_name: String,
}

/// The limits each statement of a session runs under (`--timeout`, `--memory-limit`).
#[derive(Clone, Copy, Debug, Default)]
pub struct StatementLimits {
    pub timeout: Option<std::time::Duration>,
    /// In bytes (see `QueryOptions::memory_limit`).
    pub memory_limit: Option<usize>,
}

impl StatementLimits {
    /// Zero means none, as on the command line.
    pub fn without_zeros(self) -> StatementLimits {
        StatementLimits {
            timeout: self.timeout.filter(|t| !t.is_zero()),
            memory_limit: self.memory_limit.filter(|&m| m != 0),
        }
    }
}

/// One shell session on a database: its output settings, parameters and the explicit
/// transaction `:begin` opened.
pub struct Session<'db> {
    db: &'db Database,
    transaction: Option<Transaction<'db>>,
    pub settings: OutputSettings,
    pub params: Params,
    cancel: CancelToken,
    /// At the prompt (confirmations are printed) or running a script (they are not).
    interactive: bool,
    /// Whether fact files print their load summaries.
    quiet: bool,
    /// Where `:param` values are evaluated, apart from the user's database and its
    /// transactions; opened on first use.
    scratch: Option<Database>,
    /// How many `:run` files are running inside each other.
    run_depth: usize,
    /// The source statements write under (`--source`, `:source`).
    pub source: Option<String>,
    /// The transaction statements read as (`:asof`); `None`: now.
    as_of: Option<u64>,
    pub limits: StatementLimits,
    quit: bool,
}

/// What a meta-command found wrong, said to the user.
type CommandError = String;

impl<'db> Session<'db> {
    pub fn new(
        db: &'db Database,
        settings: OutputSettings,
        params: Params,
        interactive: bool,
        quiet: bool,
    ) -> Session<'db> {
        Session {
            db,
            transaction: None,
            settings,
            params,
            cancel: CancelToken::new(),
            interactive,
            quiet,
            scratch: None,
            run_depth: 0,
            source: None,
            as_of: None,
            limits: StatementLimits::default(),
            quit: false,
        }
    }

    /// The token that cancels the running statement (the REPL's Ctrl-C).
    pub fn cancel_token(&self) -> &CancelToken {
        &self.cancel
    }

    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// The transaction statements read as (`:asof`), if not now.
    pub fn as_of(&self) -> Option<u64> {
        self.as_of
    }

    /// Whether `:quit` was given.
    pub fn quit_requested(&self) -> bool {
        self.quit
    }

    /// Runs a script given whole (`-c`, the REPL's input).
    pub fn run_text(
        &mut self,
        name: &str,
        text: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> ScriptOutcome {
        self.run_script(name, &mut text.as_bytes(), out, err)
    }

    /// Runs the script read from `input` (named `name` in messages) statement by
    /// statement as it is read: results go to `out`, errors, stats and timing lines to
    /// `err`.
    pub fn run_script(
        &mut self,
        name: &str,
        input: &mut dyn BufRead,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> ScriptOutcome {
        let mut splitter = Splitter::with_meta_commands();
        let mut outcome = ScriptOutcome::Succeeded;
        let mut line = String::new();
        let mut lines_read = 0usize;
        loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) => break,
                Ok(_) => lines_read += 1,
                Err(error) => {
                    let _ = writeln!(
                        err,
                        "IoError: cannot read {name} at line {}: {error}",
                        lines_read + 1
                    );
                    return outcome.and_failed(2);
                }
            }
            for statement in splitter.push(&line) {
                if self
                    .run_one(name, &statement, &mut outcome, out, err)
                    .is_break()
                {
                    return outcome;
                }
            }
        }
        if let Some(statement) = splitter.finish() {
            let _ = self.run_one(name, &statement, &mut outcome, out, err);
        }
        outcome
    }

    /// Ends a batch run: a transaction still open is rolled back, and that is an error
    /// (the script forgot its `:commit`).
    pub fn finish(mut self, err: &mut dyn Write) -> Option<ScriptOutcome> {
        let open = self.transaction.take()?;
        open.rollback();
        let _ = writeln!(
            err,
            "TransactionError: the script ended inside a transaction (:begin without :commit); it was rolled back"
        );
        Some(ScriptOutcome::Failed(1))
    }

    /// Ends an interactive session: a transaction still open is rolled back; says so.
    pub fn close(mut self, out: &mut dyn Write) {
        if let Some(open) = self.transaction.take() {
            open.rollback();
            let _ = writeln!(out, "The open transaction was rolled back.");
        }
    }

    /// Runs one statement or meta-command, folding how it went into `outcome`; breaks
    /// when the script must stop (`:quit`, output closed, a failure without
    /// `--continue-on-error`).
    fn run_one(
        &mut self,
        name: &str,
        statement: &ScriptStatement,
        outcome: &mut ScriptOutcome,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> ControlFlow<()> {
        let failed = match statement.kind {
            StatementKind::Cypher => self.run_statement(name, statement, outcome, out, err)?,
            StatementKind::MetaCommand => {
                match self.meta_command(&statement.text, outcome, out, err) {
                    Ok(()) => None,
                    Err(message) => {
                        if self.interactive && self.run_depth == 0 {
                            let _ = writeln!(err, "{message}");
                        } else {
                            let _ = writeln!(
                                err,
                                "{message}\n  --> {name}:{}:{}",
                                statement.line, statement.column
                            );
                        }
                        Some(1)
                    }
                }
            }
        };
        let _ = err.flush();
        if let Some(code) = failed {
            *outcome = outcome.and_failed(code);
        }
        // A failure stops the script here (a `:source`d file's failure too, which
        // folded itself into `outcome`); without one, an earlier failure would have
        // stopped it already.
        let failed_so_far = matches!(outcome, ScriptOutcome::Failed(_));
        if self.quit
            || *outcome == ScriptOutcome::OutputClosed
            || (failed_so_far && !self.settings.continue_on_error)
        {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// Runs a Cypher statement in the open transaction, or in its own when none is open,
    /// and writes its result; the exit code it asks for when it failed.
    fn run_statement(
        &mut self,
        name: &str,
        statement: &ScriptStatement,
        outcome: &mut ScriptOutcome,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> ControlFlow<(), Option<i32>> {
        let started = Instant::now();
        let options = QueryOptions {
            cancel: Some(self.cancel.clone()),
            timeout: self.limits.timeout,
            memory_limit: self.limits.memory_limit,
            source: self.source.clone(),
            as_of: self.as_of,
            ..QueryOptions::default()
        };
        let result = match self.transaction.as_mut() {
            Some(open) => open.execute_with(&statement.text, &self.params, &options),
            None => self
                .db
                .execute_with(&statement.text, &self.params, &options),
        };
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        match result {
            Ok(result) => {
                if let Err(failed) =
                    script::write_result(&result, elapsed_ms, &self.settings, out, err)
                {
                    *outcome = failed.outcome(*outcome);
                    return ControlFlow::Break(());
                }
                ControlFlow::Continue(None)
            }
            Err(error) => {
                let _ = out.flush();
                let _ = writeln!(err, "{}", script::describe_error(&error, name, statement));
                if let Some(open) = self.transaction.take() {
                    open.rollback();
                    let _ = writeln!(
                        err,
                        "The statement failed inside the open transaction: the transaction was rolled back and ended."
                    );
                }
                ControlFlow::Continue(Some(script::exit_code_for(&error)))
            }
        }
    }

    /// A query of the shell's own (completion, `:schema`): it runs in the open
    /// transaction when there is one (a second transaction would wait for it), and its
    /// failure does not end that transaction.
    pub fn internal_query(&mut self, query: &str) -> crate::Result<QueryResult> {
        let none = Params::new();
        match self.transaction.as_mut() {
            Some(open) => open.execute(query, &none),
            None => self.db.execute(query, &none),
        }
    }

    /// Writes a confirmation (`Committed.`): at the prompt only.
    fn confirm(&self, out: &mut dyn Write, text: impl std::fmt::Display) {
        if self.interactive {
            let _ = writeln!(out, "{text}");
            let _ = out.flush();
        }
    }

    fn meta_command(
        &mut self,
        input: &str,
        outcome: &mut ScriptOutcome,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), CommandError> {
        let (command, argument) = match input.split_once(char::is_whitespace) {
            Some((command, argument)) => (command, argument.trim()),
            None => (input, ""),
        };
        let no_argument = |what: &str| {
            if argument.is_empty() {
                Ok(())
            } else {
                Err(format!("{what} takes no argument (not '{argument}')"))
            }
        };
        match command {
            ":help" | ":h" | ":?" => show(out, help_text()),
            ":quit" | ":exit" | ":q" => {
                no_argument(command)?;
                self.quit = true;
            }
            ":schema" => {
                no_argument(command)?;
                let text = self.schema();
                show(out, text);
            }
            ":load" => self.load(argument, out, err)?,
            ":unload" => self.unload(argument, out)?,
            ":source" => self.set_source(argument, out),
            ":asof" => self.set_as_of(argument, out)?,
            ":run" => self.run_file(argument, outcome, out, err)?,
            ":show" => {
                let shown = match self.transaction.as_mut() {
                    Some(open) => open.show(argument),
                    None => self.db.show(argument),
                };
                let message = shown.map_err(|e| e.to_string())?;
                show(out, message);
            }
            ":format" => {
                if argument.is_empty() {
                    show(
                        out,
                        format!("The output format is {}.", self.settings.format),
                    );
                } else {
                    self.settings.format = argument.parse::<Format>()?;
                }
            }
            ":param" => self.set_param(argument, out)?,
            ":params" => self.params_command(argument, out)?,
            ":timing" => set_switch(&mut self.settings.timing, "timing", argument, out)?,
            ":stats" => set_switch(&mut self.settings.stats, "stats", argument, out)?,
            ":maxrows" => self.set_max_rows(argument, out)?,
            ":begin" => {
                no_argument(command)?;
                if self.transaction.is_some() {
                    return Err(
                        "A transaction is already open: :commit or :rollback it first.".into(),
                    );
                }
                self.transaction = Some(self.db.begin().map_err(|e| e.to_string())?);
            }
            ":commit" => {
                no_argument(command)?;
                let open = self.transaction.take().ok_or(
                    "There is no open transaction to commit (:begin opens one).".to_string(),
                )?;
                open.commit()
                    .map_err(|error| format!("{error}\nThe transaction was rolled back."))?;
                self.confirm(out, "Committed.");
            }
            ":rollback" => {
                no_argument(command)?;
                let open = self
                    .transaction
                    .take()
                    .ok_or("There is no open transaction to roll back.".to_string())?;
                open.rollback();
                self.confirm(out, "Rolled back.");
            }
            unknown => {
                let suggestion = META_COMMANDS
                    .iter()
                    .map(|m| m.0)
                    .find(|name| name.starts_with(unknown) || unknown.starts_with(name))
                    .map(|name| format!(" Did you mean {name}?"))
                    .unwrap_or_default();
                return Err(format!(
                    "Unknown command {unknown}.{suggestion} :help lists the commands; statements end with ';'."
                ));
            }
        }
        Ok(())
    }

    /// `:schema`'s text: labels and types with counts, keys, indexes and constraints.
    fn schema(&mut self) -> String {
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
        text.push_str("Sources:\n");
        let sources = self.internal_query(
            "CALL db.sources() YIELD source, nodes, relationships, properties RETURN *",
        );
        match sources {
            Ok(result) if result.rows.is_empty() => text.push_str("  (none)\n"),
            Ok(result) => {
                for row in &result.rows {
                    let cell = |column: &str| {
                        result
                            .columns
                            .iter()
                            .position(|c| c == column)
                            .and_then(|i| row.get(i))
                            .map_or_else(String::new, render::literal_cell)
                    };
                    text.push_str(&format!(
                        "  {}  {} nodes, {} relationships, {} properties\n",
                        cell("source"),
                        cell("nodes"),
                        cell("relationships"),
                        cell("properties")
                    ));
                }
            }
            Err(error) => text.push_str(&format!("  (cannot list the sources: {error})\n")),
        }
        text.push_str("History:\n");
        match self.db.history_range() {
            Ok((_, 0)) => text.push_str("  (no commits yet)\n"),
            Ok((oldest, last)) => text.push_str(&format!(
                "  last transaction {last}; readable AS OF {oldest} to {last}{}\n",
                if oldest > 0 { " (and 0)" } else { "" }
            )),
            Err(error) => text.push_str(&format!("  (cannot read the history: {error})\n")),
        }
        text.trim_end().to_string()
    }

    /// `:load PATH`: its summaries go where results go at the prompt, to standard error
    /// in a script (as `--load`'s do).
    fn load(
        &mut self,
        argument: &str,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), CommandError> {
        if argument.is_empty() {
            return Err("Usage: :load PATH (a fact file or a folder of them)".into());
        }
        if self.transaction.is_some() {
            return Err(
                "Commit or roll back the open transaction before :load (each file loads in its own)."
                    .into(),
            );
        }
        let reports =
            load::load_one(self.db, Path::new(argument), self.quiet).map_err(|e| e.to_string())?;
        if !self.quiet {
            let summaries: &mut dyn Write = if self.interactive { out } else { err };
            for report in &reports {
                let _ = writeln!(summaries, "{}", load::load_summary(report));
            }
        }
        Ok(())
    }

    /// `:unload FILE`: withdraws what the source asserts.
    fn unload(&mut self, argument: &str, out: &mut dyn Write) -> Result<(), CommandError> {
        if argument.is_empty() {
            return Err("Usage: :unload FILE (a file loaded before, or a source name)".into());
        }
        if self.transaction.is_some() {
            return Err("Commit or roll back the open transaction before :unload.".into());
        }
        let summary = load::unload_one(self.db, argument).map_err(|e| e.to_string())?;
        if !self.quiet {
            show(out, summary);
        }
        Ok(())
    }

    /// `:source NAME`: the following statements write under source NAME; `:source`
    /// alone: under none.
    fn set_source(&mut self, argument: &str, out: &mut dyn Write) {
        self.source = (!argument.is_empty()).then(|| argument.to_string());
        if self.interactive {
            let said = match &self.source {
                Some(name) => format!("Statements now write under source '{name}'."),
                None => "Statements now write under no source.".to_string(),
            };
            show(out, said);
        }
    }

    /// `:asof TX`: the following statements read the graph as transaction TX left it
    /// (checked now, so that a wrong number is said at once); `:asof` alone: as it is.
    fn set_as_of(&mut self, argument: &str, out: &mut dyn Write) -> Result<(), CommandError> {
        if argument.is_empty() {
            self.as_of = None;
            if self.interactive {
                show(out, "Statements now read the graph as it is.");
            }
            return Ok(());
        }
        let tx: u64 = argument.parse().map_err(|_| {
            format!("Usage: :asof [TX], TX a transaction number (not '{argument}')")
        })?;
        let check = QueryOptions {
            as_of: Some(tx),
            ..QueryOptions::default()
        };
        self.db
            .execute_with("RETURN 1", &Params::new(), &check)
            .map_err(|e| e.to_string())?;
        self.as_of = Some(tx);
        if self.interactive {
            show(
                out,
                format!("Statements now read the graph as transaction {tx} left it; :asof alone goes back to now."),
            );
        }
        Ok(())
    }

    /// `:run FILE`: the file runs as a script of this session (its parameters, its
    /// open transaction); its own failures are reported with the file's name.
    fn run_file(
        &mut self,
        argument: &str,
        outcome: &mut ScriptOutcome,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Result<(), CommandError> {
        if argument.is_empty() {
            return Err("Usage: :run FILE".into());
        }
        if self.run_depth >= MAX_RUN_DEPTH {
            return Err(format!(
                ":run is nested more than {MAX_RUN_DEPTH} deep (does a file run itself?)"
            ));
        }
        let file = std::fs::File::open(argument)
            .map_err(|error| format!("IoError: cannot read {argument}: {error}"))?;
        self.run_depth += 1;
        let sourced = self.run_script(argument, &mut io::BufReader::new(file), out, err);
        self.run_depth -= 1;
        *outcome = outcome.and(sourced);
        Ok(())
    }

    /// `:param NAME => VALUE` (also `NAME: VALUE`), or `:param {k: v, …}` to set several.
    fn set_param(&mut self, argument: &str, out: &mut dyn Write) -> Result<(), CommandError> {
        if argument.starts_with('{') {
            match self.evaluate(argument)? {
                crate::Value::Map(map) => self.params.extend(map),
                other => return Err(format!("Expected a map of parameters, got {other}")),
            }
            return Ok(());
        }
        let split = argument
            .split_once("=>")
            .or_else(|| argument.split_once(':'));
        let Some((name, literal)) = split else {
            return Err("Usage: :param NAME => VALUE   (VALUE is a Cypher value: 42, 'text', [1, 2], {k: 1})".into());
        };
        let name = name.trim().trim_start_matches('$');
        let name = name
            .strip_prefix('`')
            .and_then(|n| n.strip_suffix('`'))
            .unwrap_or(name);
        if name.is_empty() {
            return Err("The parameter needs a name: :param NAME => VALUE".into());
        }
        let value = self.evaluate(literal.trim())?;
        self.confirm(out, format!("${name} => {value}"));
        self.params.insert(name.to_string(), value);
        Ok(())
    }

    /// A parameter's value: the expression evaluated, apart from the user's database.
    fn evaluate(&mut self, expression: &str) -> Result<crate::Value, CommandError> {
        if self.scratch.is_none() {
            self.scratch = Some(Database::open_temporary().map_err(|e| e.to_string())?);
        }
        let scratch = self.scratch.as_ref().ok_or("no scratch database")?;
        params::evaluate_literal_with(scratch, expression, &self.params).map_err(|e| e.to_string())
    }

    fn params_command(&mut self, argument: &str, out: &mut dyn Write) -> Result<(), CommandError> {
        match argument {
            "clear" => self.params.clear(),
            "" if self.params.is_empty() => {
                show(out, "No parameters. Set one with :param NAME => VALUE")
            }
            "" => {
                let lines: Vec<String> = self
                    .params
                    .iter()
                    .map(|(name, value)| format!("${name} => {value}"))
                    .collect();
                show(out, lines.join("\n"));
            }
            other => return Err(format!("Usage: :params [clear] (not '{other}')")),
        }
        Ok(())
    }

    fn set_max_rows(&mut self, argument: &str, out: &mut dyn Write) -> Result<(), CommandError> {
        if argument.is_empty() {
            let shown = self
                .settings
                .max_rows
                .map_or_else(|| "all".to_string(), |n| n.to_string());
            show(out, format!("Results show at most {shown} rows."));
            return Ok(());
        }
        match argument.parse::<usize>() {
            Ok(n) if n > 0 => {
                self.settings.max_rows = Some(n);
                Ok(())
            }
            _ => Err(format!(
                "Usage: :maxrows N, N a positive whole number (not '{argument}')"
            )),
        }
    }
}

/// Writes what a command was asked to show.
fn show(out: &mut dyn Write, text: impl std::fmt::Display) {
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

fn set_switch(
    switch: &mut bool,
    name: &str,
    argument: &str,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    match argument {
        "on" => *switch = true,
        "off" => *switch = false,
        "" => show(
            out,
            format!("{name} is {}", if *switch { "on" } else { "off" }),
        ),
        other => return Err(format!("Usage: :{name} on|off (not '{other}')")),
    }
    Ok(())
}

/// One column of a procedure's result as strings (empty when the call fails).
pub fn column_strings(result: crate::Result<QueryResult>) -> Vec<String> {
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
        let mut out = Vec::new();
        assert!(set_switch(&mut switch, "timing", "on", &mut out).is_ok());
        assert!(switch);
        assert!(set_switch(&mut switch, "timing", "sideways", &mut out).is_err());
        assert!(switch);
        assert!(set_switch(&mut switch, "timing", "off", &mut out).is_ok());
        assert!(!switch);
        assert!(out.is_empty());
    }
}
