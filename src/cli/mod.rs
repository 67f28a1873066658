//! The `skein` command line: clap arguments, opening the database, `--load`, batch mode
//! (`-c`, `run FILE...`, a script on standard input) and the exit codes.
//!
//! Exit codes are an interface: 0 every statement succeeded; 1 a statement failed;
//! 2 bad usage, a file that cannot be read, or a database that cannot be opened. A closed
//! standard output (a broken pipe) ends the run quietly and is not an error.

mod export;
mod import;
mod serve;

use crate::render::Format;
use crate::shell::load::load_paths;
use crate::shell::params::parse_params;
use crate::shell::script::{OutputSettings, ScriptOutcome};
use crate::shell::{ReplSettings, Session, StatementLimits};
use crate::{Database, ExportFormat, ExportRequest, Params};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

/// Where the database lives when neither `--db` nor `--memory` is given.
pub const DEFAULT_DB_PATH: &str = "./skein.db";

const AFTER_HELP: &str = "\
Examples:
  skein --load seed/                     load the seed graph, then open the REPL
  skein -c 'MATCH (c:Country) RETURN c.name'
  skein --format csv run queries.cypher
  echo 'RETURN $n + 1 AS next;' | skein --memory --param n=41

Exit codes: 0 success, 1 a statement failed, 2 usage, I/O or database error.";

/// Skein: an embedded knowledge-graph store queried in openCypher.
#[derive(Debug, Parser)]
#[command(name = "skein", version, after_help = AFTER_HELP)]
pub struct Args {
    /// The database folder (created when absent)
    #[arg(long, value_name = "PATH", global = true, default_value = DEFAULT_DB_PATH)]
    pub db: PathBuf,

    /// Use a temporary in-memory database instead of a folder
    #[arg(long, global = true, conflicts_with = "db")]
    pub memory: bool,

    /// Run these `;`-separated statements and exit
    #[arg(short = 'c', long = "command", value_name = "QUERIES")]
    pub command: Option<String>,

    /// Load fact files or folders (in name order) before anything else; takes several
    /// paths, up to the next option or subcommand
    #[arg(long, value_name = "PATH...", global = true)]
    pub load: Vec<PathBuf>,

    /// Output format: table, csv, tsv, json, jsonl or literal [default: table on a
    /// terminal, literal otherwise]
    #[arg(long, value_name = "FORMAT", global = true, value_parser = parse_format)]
    pub format: Option<Format>,

    /// A query parameter: NAME=VALUE, VALUE a Cypher literal (42, 'text', [1, 2], {k: 1})
    #[arg(long = "param", value_name = "NAME=VALUE", global = true)]
    pub params: Vec<String>,

    /// After each statement print its update counters as one JSON line on stderr
    #[arg(long, global = true)]
    pub stats: bool,

    /// After each statement print `time_ms=<float>` on stderr
    #[arg(long, global = true)]
    pub timing: bool,

    /// Go on after a failing statement (the exit code still says it failed)
    #[arg(long, global = true)]
    pub continue_on_error: bool,

    /// Write statements (not fact files, which are their own sources) under this
    /// source, so that `sources()` names it and `skein unload NAME` withdraws them
    #[arg(long, value_name = "NAME", global = true)]
    pub source: Option<String>,

    /// The folder LOAD CSV reads below (default: the working directory, and none for
    /// `serve`, whose clients then cannot read files); files outside it cannot be read
    #[arg(long, value_name = "DIR", global = true)]
    pub import_dir: Option<PathBuf>,

    /// Each statement's timeout in seconds, 0 for none [default: none; 60 for `serve`]
    #[arg(long, value_name = "SECONDS", global = true, alias = "query-timeout", value_parser = parse_seconds)]
    pub timeout: Option<f64>,

    /// The most memory a statement may hold at once (rows kept by ORDER BY,
    /// aggregation, DISTINCT, joins and the result), e.g. 512MiB or 2GiB, 0 for no
    /// limit [default: none; 1GiB for `serve`]
    #[arg(long, value_name = "SIZE", global = true, value_parser = parse_size)]
    pub memory_limit: Option<usize>,

    /// Print no load summaries, progress bars or banners
    #[arg(short, long, global = true)]
    pub quiet: bool,

    #[command(subcommand)]
    pub subcommand: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run script files: statements separated by `;`, `//` and `/* */` comments allowed
    Run {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Load fact files or folders (`.cypher`, `.jsonl`) and exit; a file loaded before
    /// is skipped when unchanged, and what it no longer says is withdrawn when changed
    Load {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Withdraw everything loaded fact files (or named sources) assert, and exit
    Unload {
        #[arg(required = true, value_name = "FILE")]
        sources: Vec<String>,
    },
    /// Drop the history older than transaction TX: afterwards the graph can be read
    /// AS OF TX or later only
    Compact {
        #[arg(long, required = true, value_name = "TX")]
        before: u64,
    },
    /// Export the graph, or the subgraph a query returns, to FILE (`-` for stdout):
    /// `skein export --format dot|graphml|json|cypher [--query Q] FILE`
    Export {
        /// dot, graphml, json or cypher (written `--format` after `export`)
        #[arg(long = "export-format", value_name = "FORMAT", required = true)]
        graph_format: ExportFormat,
        /// Export the nodes, relationships and paths this query returns
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Bulk-import CSV files (`nodes_<Label>.csv`, `rels_<TYPE>.csv`) in one atomic write
    Import(import::ImportArgs),
    /// Verify the database's invariants and print each problem found: exit code 0 when
    /// none, 1 when some, 2 when the database cannot be opened or read
    Check,
    /// Serve the database to Neo4j drivers over Bolt (and to a browser over HTTP with
    /// --http) until SIGTERM or Ctrl-C
    Serve(serve::ServeArgs),
    /// Print an auth-file line for `skein serve --auth-file`: the password is read from
    /// the first line of standard input
    HashPassword {
        /// The user name clients log in with
        #[arg(long, default_value = "neo4j")]
        user: String,
    },
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

fn parse_seconds(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
        .ok_or_else(|| format!("`{text}` is not a number of seconds"))
}

/// Reads a size as people write it: `512`, `64k`, `256MB`, `1.5GiB` (units of 1024).
fn parse_size(text: &str) -> std::result::Result<usize, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (say e.g. 512MiB or 2GiB)"))?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}` (use KiB, MiB, GiB)"
            ))
        }
    };
    let bytes = number * scale;
    if !bytes.is_finite() || bytes >= usize::MAX as f64 {
        return Err(format!("`{text}` is too large a size"));
    }
    Ok(bytes as usize)
}

/// The interactive shell the CLI starts when standard input is a terminal (the REPL,
/// handed in so that the CLI does not depend on it); returns the exit code.
pub type Interactive = fn(&Database, ReplSettings) -> i32;

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I, interactive: Interactive) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = export::cli_arguments(split_load_values(args.into_iter().map(Into::into)));
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return error.exit_code();
        }
    };
    run_args(&args, interactive)
}

/// Rewrites `--load A B C` as `--load A --load B --load C`, stopping at the next option
/// or subcommand name, so `skein --load seed/ run q.cypher` runs `q.cypher`. (clap's
/// multi-value options would swallow the subcommand.)
fn split_load_values(args: impl Iterator<Item = OsString>) -> Vec<OsString> {
    const SUBCOMMANDS: [&str; 9] = [
        "check",
        "run",
        "load",
        "unload",
        "compact",
        "export",
        "import",
        "serve",
        "hash-password",
    ];
    const TAKE_A_VALUE: [&str; 10] = [
        "-c",
        "--command",
        "--db",
        "--format",
        "--param",
        "--load",
        "--source",
        "--timeout",
        "--query-timeout",
        "--memory-limit",
    ];
    let mut out = Vec::new();
    // `Some(n)` while reading the paths of a `--load`, `n` of them so far.
    let mut loading: Option<usize> = None;
    let mut previous_takes_value = false;
    for arg in args {
        let text = arg.to_string_lossy();
        let is_option = text.starts_with('-') && text.len() > 1;
        if let Some(count) = loading {
            if !is_option && !SUBCOMMANDS.contains(&text.as_ref()) {
                out.push(OsString::from("--load"));
                out.push(arg);
                loading = Some(count + 1);
                continue;
            }
            if count == 0 {
                // `--load` with no path: let clap report the missing value.
                out.push(OsString::from("--load"));
            }
            loading = None;
        }
        if text == "--load" && !previous_takes_value {
            loading = Some(0);
            previous_takes_value = false;
            continue;
        }
        previous_takes_value = !previous_takes_value && TAKE_A_VALUE.contains(&text.as_ref());
        out.push(arg);
    }
    if loading == Some(0) {
        out.push(OsString::from("--load"));
    }
    out
}

/// `--timeout` and `--memory-limit` as the shell applies them (0: none).
fn statement_limits(args: &Args) -> StatementLimits {
    StatementLimits {
        timeout: args.timeout.map(Duration::from_secs_f64),
        memory_limit: args.memory_limit,
    }
    .without_zeros()
}

fn report(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "skein: {message}");
}

fn run_args(args: &Args, interactive: Interactive) -> i32 {
    if args.command.is_some() && args.subcommand.is_some() {
        report("-c cannot be combined with a subcommand");
        return 2;
    }
    if let Some(Command::HashPassword { user }) = &args.subcommand {
        return serve::hash_password(user);
    }
    let params = match parse_params(&args.params) {
        Ok(params) => params,
        Err(message) => {
            report(message);
            return 2;
        }
    };
    if matches!(args.subcommand, Some(Command::Check)) && !args.memory && !args.db.exists() {
        report(format!("there is no database at {}", args.db.display()));
        return 2;
    }
    let db = match open_database(args) {
        Ok(db) => db,
        Err(error) => {
            report(error);
            return 2;
        }
    };
    if let Err(code) = load_paths(&db, &args.load, args.quiet) {
        return code;
    }
    let stdout_is_terminal = io::stdout().is_terminal();
    let settings = OutputSettings {
        format: args.format.unwrap_or(if stdout_is_terminal {
            Format::Table
        } else {
            Format::Literal
        }),
        stats: args.stats,
        timing: args.timing,
        continue_on_error: args.continue_on_error,
        max_rows: None,
    };
    match &args.subcommand {
        Some(Command::Load { paths }) => match load_paths(&db, paths, args.quiet) {
            Ok(()) => 0,
            Err(code) => code,
        },
        Some(Command::Unload { sources }) => unload(&db, sources, args.quiet),
        Some(Command::Check) => check(&db, args),
        Some(Command::Compact { before }) => match db.compact(*before).and_then(|gone| {
            db.history_range()
                .map(|(oldest, last)| (gone, oldest, last))
        }) {
            Ok((gone, oldest, last)) => {
                if !args.quiet {
                    let said = if gone == 0 {
                        format!("nothing to compact: the history before transaction {before} is already gone")
                    } else {
                        format!("compacted: {gone} history records of the transactions before {before} dropped")
                    };
                    let _ = writeln!(
                        io::stderr(),
                        "{said}; the graph can be read AS OF {oldest} to {last} (and 0)"
                    );
                }
                0
            }
            Err(error) => {
                let _ = writeln!(io::stderr(), "{error}");
                1
            }
        },
        Some(Command::Run { files }) => run_scripts(&db, files, params, settings, args),
        Some(Command::Export {
            graph_format,
            query,
            file,
        }) => export::run_export(
            &db,
            &ExportRequest {
                format: *graph_format,
                query: query.clone(),
                params,
                file: file.clone(),
            },
            args.quiet,
        ),
        Some(Command::Import(import_args)) => {
            import::run_command(&db, import_args, &args.source, args.quiet)
        }
        Some(Command::Serve(serve_args)) => {
            // A server's clients may not read the server's files unless told where.
            if args.import_dir.is_none() {
                if let Err(e) = db.set_import_dir(None) {
                    eprintln!("skein serve: {e}");
                    return 2;
                }
            }
            let limits = StatementLimits {
                timeout: Some(
                    args.timeout
                        .map_or(serve::DEFAULT_QUERY_TIMEOUT, Duration::from_secs_f64),
                ),
                memory_limit: Some(args.memory_limit.unwrap_or(serve::DEFAULT_MEMORY_LIMIT)),
            }
            .without_zeros();
            serve::run_command(db.clone(), serve_args, &args.source, args.quiet, limits)
        }
        // Answered above, before a database is opened.
        Some(Command::HashPassword { .. }) => 0,
        None => {
            if let Some(command) = &args.command {
                run_batch(&db, params, settings, args, |session, out, err| {
                    session.run_text("-c", command, out, err)
                })
            } else if io::stdin().is_terminal() {
                let repl_settings = ReplSettings {
                    format: args.format.unwrap_or(Format::Table),
                    params,
                    timing: args.timing,
                    stats: args.stats,
                    quiet: args.quiet,
                    source: args.source.clone(),
                    limits: statement_limits(args),
                    database_name: if args.memory {
                        "a temporary in-memory database".to_string()
                    } else {
                        args.db.display().to_string()
                    },
                };
                interactive(&db, repl_settings)
            } else {
                run_batch(&db, params, settings, args, |session, out, err| {
                    session.run_script("<stdin>", &mut io::stdin().lock(), out, err)
                })
            }
        }
    }
}

/// `skein check`: one line per problem on standard output, then a summary.
fn check(db: &Database, args: &Args) -> i32 {
    let shown = if args.memory {
        "the in-memory database".to_string()
    } else {
        args.db.display().to_string()
    };
    let problems = match db.check() {
        Ok(problems) => problems,
        Err(error) => {
            report(format!("cannot check {shown}: {error}"));
            return 2;
        }
    };
    let mut out = io::stdout().lock();
    for p in &problems {
        let _ = writeln!(out, "{}: {}: {}", p.kind, p.element, p.problem);
    }
    if problems.is_empty() {
        let _ = writeln!(out, "{shown}: no problems found");
        0
    } else {
        let _ = writeln!(out, "{shown}: {} problems found", problems.len());
        1
    }
}

/// `skein unload`: withdraws each source in its own transaction, stopping at the first
/// that fails (an unknown source is exit code 1).
fn unload(db: &Database, sources: &[String], quiet: bool) -> i32 {
    for source in sources {
        match crate::shell::load::unload_one(db, source) {
            Ok(summary) => {
                if !quiet {
                    let _ = writeln!(io::stderr(), "{summary}");
                }
            }
            Err(error) => {
                let _ = writeln!(io::stderr(), "{error}");
                return match error.class {
                    crate::ErrorClass::IoError | crate::ErrorClass::StorageError => 2,
                    _ => 1,
                };
            }
        }
    }
    0
}

fn open_database(args: &Args) -> crate::Result<Database> {
    let db = if args.memory {
        Database::open_temporary()?
    } else {
        Database::open(&args.db)?
    };
    if let Some(dir) = &args.import_dir {
        db.set_import_dir(Some(dir))?;
    }
    Ok(db)
}

/// Runs script files one after the other in one session (parameters and an open
/// transaction carry over from file to file), each read as it runs.
fn run_scripts(
    db: &Database,
    files: &[PathBuf],
    params: Params,
    settings: OutputSettings,
    args: &Args,
) -> i32 {
    let continue_on_error = settings.continue_on_error;
    run_batch(db, params, settings, args, |session, out, err| {
        let mut outcome = ScriptOutcome::Succeeded;
        for file in files {
            let opened = std::fs::File::open(file);
            let Ok(opened) = opened.map_err(|error| {
                let _ = writeln!(err, "skein: cannot read {}: {error}", file.display());
            }) else {
                return outcome.and_failed(2);
            };
            let name = file.display().to_string();
            let mut input = io::BufReader::new(opened);
            outcome = outcome.and(session.run_script(&name, &mut input, out, err));
            let stop = match outcome {
                ScriptOutcome::Succeeded => false,
                ScriptOutcome::OutputClosed => true,
                ScriptOutcome::Failed(_) => !continue_on_error,
            };
            if stop || session.quit_requested() {
                break;
            }
        }
        outcome
    })
}

/// Runs `script` in a batch session on `db` with standard output buffered (and flushed
/// after each statement) and returns the exit code; a transaction left open at the end
/// is rolled back and fails the run.
fn run_batch(
    db: &Database,
    params: Params,
    settings: OutputSettings,
    args: &Args,
    script: impl FnOnce(&mut Session, &mut dyn Write, &mut dyn Write) -> ScriptOutcome,
) -> i32 {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let mut session = Session::new(db, settings, params, false, args.quiet);
    session.source = args.source.clone();
    session.limits = statement_limits(args);
    let mut outcome = script(&mut session, &mut out, &mut err);
    let _ = out.flush();
    if let Some(unfinished) = session.finish(&mut err) {
        outcome = outcome.and(unfinished);
    }
    outcome.exit_code()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        let args = std::iter::once("skein")
            .chain(args.iter().copied())
            .map(OsString::from);
        Args::try_parse_from(split_load_values(args))
    }

    #[test]
    fn defaults_to_the_documented_database_path() {
        let args = parse(&[]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.db, PathBuf::from(DEFAULT_DB_PATH));
        assert!(!args.memory && args.command.is_none() && args.subcommand.is_none());
    }

    #[test]
    fn flags_parse() {
        let args = parse(&[
            "--memory",
            "--format",
            "csv",
            "--param",
            "n=42",
            "--param",
            "who='x'",
            "--stats",
            "--timing",
            "--continue-on-error",
            "-q",
            "-c",
            "RETURN 1",
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(args.memory && args.stats && args.timing && args.continue_on_error && args.quiet);
        assert_eq!(args.format, Some(Format::Csv));
        assert_eq!(args.params, vec!["n=42", "who='x'"]);
        assert_eq!(args.command.as_deref(), Some("RETURN 1"));
    }

    #[test]
    fn subcommands_take_paths_and_global_flags() {
        let args = parse(&["run", "a.cypher", "b.cypher", "--format", "json"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.format, Some(Format::Json));
        match args.subcommand {
            Some(Command::Run { files }) => assert_eq!(files.len(), 2),
            other => panic!("expected run, got {other:?}"),
        }
        let args = parse(&["load", "seed/"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(args.subcommand, Some(Command::Load { .. })));
        let args = parse(&["--load", "x", "--db", "run", "-c", "RETURN 1"])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.load, vec![PathBuf::from("x")]);
        assert_eq!(args.db, PathBuf::from("run"));
    }

    #[test]
    fn load_takes_several_paths() {
        let args = parse(&["--load", "a", "b", "--quiet"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.load, vec![PathBuf::from("a"), PathBuf::from("b")]);
        let args = parse(&["--db", "x", "--load", "seed/"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.load, vec![PathBuf::from("seed/")]);
    }

    #[test]
    fn load_stops_at_a_subcommand() {
        let args = parse(&["--load", "seed/", "run", "q.cypher"]).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(args.load, vec![PathBuf::from("seed/")]);
        assert!(matches!(args.subcommand, Some(Command::Run { .. })));
    }

    #[test]
    fn usage_errors_exit_with_two() {
        for bad in [
            &["--format", "xml"][..],
            &["--db", "x", "--memory"],
            &["run"],
            &["--bogus"],
            &["--load"],
            &["--load", "--quiet"],
        ] {
            let error = parse(bad).err().unwrap_or_else(|| panic!("{bad:?} parsed"));
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }
}
