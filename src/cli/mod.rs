//! The `skein` command line: clap arguments, opening the database, `--load`, batch mode
//! (`-c`, `run FILE...`, a script on standard input) and the exit codes.
//!
//! Exit codes are an interface: 0 every statement succeeded; 1 a statement failed;
//! 2 bad usage, a file that cannot be read, or a database that cannot be opened. A closed
//! standard output (a broken pipe) ends the run quietly and is not an error.

pub mod script;

use crate::import::{self, FileReport};
use crate::render::{self, Format};
use crate::{Database, Error, ErrorClass, Params, Value};
use clap::{Parser, Subcommand};
use script::{OutputSettings, ScriptOutcome};
use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
    /// Load fact files or folders (`.cypher`, `.jsonl`) and exit
    Load {
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Export the graph, or the subgraph a query returns, to FILE (`-` for stdout):
    /// `skein export --format dot|graphml|json|cypher [--query Q] FILE`
    Export {
        /// dot, graphml, json or cypher (written `--format` after `export`)
        #[arg(long = "export-format", value_name = "FORMAT", required = true)]
        graph_format: crate::export::ExportFormat,
        /// Export the nodes, relationships and paths this query returns
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Bulk-import CSV files (`nodes_<Label>.csv`, `rels_<TYPE>.csv`) in one atomic write
    Import(crate::import::csv::ImportArgs),
}

fn parse_format(text: &str) -> Result<Format, String> {
    text.parse()
}

/// Runs the command line `args` (program name first) and returns the exit code.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args = crate::export::cli_arguments(split_load_values(args.into_iter().map(Into::into)));
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(error) => {
            let _ = error.print();
            return error.exit_code();
        }
    };
    run_args(&args)
}

/// Rewrites `--load A B C` as `--load A --load B --load C`, stopping at the next option
/// or subcommand name, so `skein --load seed/ run q.cypher` runs `q.cypher`. (clap's
/// multi-value options would swallow the subcommand.)
fn split_load_values(args: impl Iterator<Item = OsString>) -> Vec<OsString> {
    const SUBCOMMANDS: [&str; 4] = ["run", "load", "export", "import"];
    const TAKE_A_VALUE: [&str; 6] = ["-c", "--command", "--db", "--format", "--param", "--load"];
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

fn report(message: impl std::fmt::Display) {
    let _ = writeln!(io::stderr(), "skein: {message}");
}

fn run_args(args: &Args) -> i32 {
    if args.command.is_some() && args.subcommand.is_some() {
        report("-c cannot be combined with a subcommand");
        return 2;
    }
    let params = match parse_params(&args.params) {
        Ok(params) => params,
        Err(message) => {
            report(message);
            return 2;
        }
    };
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
        Some(Command::Run { files }) => run_files(&db, files, &params, &settings),
        Some(Command::Export {
            graph_format,
            query,
            file,
        }) => crate::export::run_export(
            &db,
            *graph_format,
            query.as_deref(),
            &params,
            file,
            args.quiet,
        ),
        Some(Command::Import(import_args)) => {
            crate::import::csv::run_command(&db, import_args, args.quiet)
        }
        None => {
            if let Some(command) = &args.command {
                run_text(&db, "-c", command, &params, &settings).exit_code()
            } else if io::stdin().is_terminal() {
                let repl_settings = crate::repl::ReplSettings {
                    format: args.format.unwrap_or(Format::Table),
                    params,
                    timing: args.timing,
                    stats: args.stats,
                    quiet: args.quiet,
                    database_name: if args.memory {
                        "a temporary in-memory database".to_string()
                    } else {
                        args.db.display().to_string()
                    },
                };
                crate::repl::run(&db, repl_settings)
            } else {
                let mut text = String::new();
                if let Err(error) = io::stdin().read_to_string(&mut text) {
                    report(format!(
                        "cannot read the script from standard input: {error}"
                    ));
                    return 2;
                }
                run_text(&db, "<stdin>", &text, &params, &settings).exit_code()
            }
        }
    }
}

fn open_database(args: &Args) -> crate::Result<Database> {
    if args.memory {
        Database::open_temporary()
    } else {
        Database::open(&args.db)
    }
}

fn run_files(db: &Database, files: &[PathBuf], params: &Params, settings: &OutputSettings) -> i32 {
    let mut worst = 0;
    for file in files {
        let text = match std::fs::read_to_string(file) {
            Ok(text) => text,
            Err(error) => {
                report(format!("cannot read {}: {error}", file.display()));
                return 2;
            }
        };
        let name = file.display().to_string();
        match run_text(db, &name, &text, params, settings) {
            ScriptOutcome::Succeeded => {}
            ScriptOutcome::OutputClosed => return worst,
            ScriptOutcome::Failed(code) => {
                worst = worst.max(code);
                if !settings.continue_on_error {
                    return worst;
                }
            }
        }
    }
    worst
}

/// Runs a script against `db`, each statement in its own transaction.
pub fn run_text(
    db: &Database,
    name: &str,
    text: &str,
    params: &Params,
    settings: &OutputSettings,
) -> ScriptOutcome {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let mut execute = |query: &str| db.execute(query, params);
    script::run_script(name, text, settings, &mut execute, &mut out, &mut err)
}

/// Parses `--param NAME=VALUE` arguments. The value is a Cypher literal, evaluated by
/// the real engine (`RETURN <VALUE>` on a temporary database).
pub fn parse_params(specs: &[String]) -> Result<Params, String> {
    let mut literals = Vec::with_capacity(specs.len());
    for spec in specs {
        let (name, literal) = spec
            .split_once('=')
            .ok_or_else(|| format!("--param {spec}: expected NAME=VALUE"))?;
        let name = name.trim();
        let mut chars = name.chars();
        let valid_name = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && chars.all(|c| c.is_alphanumeric() || c == '_');
        if !valid_name {
            return Err(format!(
                "--param {spec}: '{name}' is not a parameter name (letters, digits, _)"
            ));
        }
        literals.push((name, literal));
    }
    let mut params = Params::new();
    if literals.is_empty() {
        return Ok(params);
    }
    let scratch = Database::open_temporary().map_err(|e| e.to_string())?;
    for (name, literal) in literals {
        let value = evaluate_literal(&scratch, literal)
            .map_err(|e| format!("--param {name}: '{literal}' is not a Cypher value: {e}"))?;
        params.insert(name.to_string(), value);
    }
    Ok(params)
}

/// Evaluates a Cypher literal with the engine: `RETURN <literal>` must give one value.
pub fn evaluate_literal(scratch: &Database, literal: &str) -> crate::Result<Value> {
    evaluate_literal_with(scratch, literal, &Params::new())
}

/// Evaluates a Cypher expression that may use `params` (the REPL's `:param`).
pub fn evaluate_literal_with(
    db: &Database,
    literal: &str,
    params: &Params,
) -> crate::Result<Value> {
    if literal.trim().is_empty() {
        return Err(Error::new(
            ErrorClass::SyntaxError,
            "InvalidSyntax",
            "the value is empty",
        ));
    }
    let result = db.execute(&format!("RETURN {literal}"), params)?;
    match result.rows.as_slice() {
        [row] if row.len() == 1 => Ok(row.first().cloned().unwrap_or(Value::Null)),
        _ => Err(Error::new(
            ErrorClass::SyntaxError,
            "InvalidSyntax",
            "expected exactly one value",
        )),
    }
}

/// A load summary line: `loaded seed/x.cypher: 62 nodes, 118 relationships, 540
/// properties in 35 ms`.
pub fn load_summary(report: &FileReport) -> String {
    format!(
        "loaded {}: {}, {}, {} in {} ms",
        report.file.display(),
        render::count_noun(to_usize(report.stats.nodes_created), "node", "nodes"),
        render::count_noun(
            to_usize(report.stats.relationships_created),
            "relationship",
            "relationships"
        ),
        render::count_noun(
            to_usize(report.stats.properties_set),
            "property",
            "properties"
        ),
        render::format_ms(report.millis),
    )
}

fn to_usize(count: u64) -> usize {
    usize::try_from(count).unwrap_or(usize::MAX)
}

/// Loads fact files, printing a summary line per file on stderr (unless `quiet`) and a
/// progress bar on a terminal once a file takes more than a moment. On failure prints
/// the error and returns the exit code (2 for unreadable files or a failing store, 1 for
/// a fact file with an error).
pub fn load_paths(db: &Database, paths: &[PathBuf], quiet: bool) -> Result<(), i32> {
    for path in paths {
        match load_one(db, path, quiet) {
            Ok(reports) => {
                if !quiet {
                    for file_report in &reports {
                        let _ = writeln!(io::stderr(), "{}", load_summary(file_report));
                    }
                }
            }
            Err(error) => {
                let _ = writeln!(io::stderr(), "{error}");
                return Err(match error.class {
                    ErrorClass::IoError | ErrorClass::StorageError => 2,
                    _ => 1,
                });
            }
        }
    }
    Ok(())
}

/// Loads one path with a progress bar that appears only on a terminal and only after
/// half a second, so quick loads stay silent.
pub fn load_one(db: &Database, path: &Path, quiet: bool) -> crate::Result<Vec<FileReport>> {
    let show_progress = !quiet && io::stderr().is_terminal();
    let started = Instant::now();
    let mut bar: Option<indicatif::ProgressBar> = None;
    let mut progress = |done: u64, total: u64| {
        if !show_progress {
            return;
        }
        if bar.is_none() && started.elapsed() > Duration::from_millis(500) {
            let new_bar = indicatif::ProgressBar::new(total);
            new_bar.set_message(format!("loading {}", path.display()));
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{msg} {wide_bar} {bytes}/{total_bytes} {eta}",
            ) {
                new_bar.set_style(style);
            }
            bar = Some(new_bar);
        }
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let result = import::load_path(db, path, &mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
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

    #[test]
    fn param_specs_need_a_name_and_an_equals_sign() {
        assert!(parse_params(&["n".to_string()]).is_err());
        assert!(parse_params(&["=1".to_string()]).is_err());
        assert!(parse_params(&["1x=1".to_string()]).is_err());
        assert!(parse_params(&[]).is_ok_and(|p| p.is_empty()));
    }

    #[test]
    fn load_summary_reads_like_a_sentence() {
        let report = FileReport {
            file: PathBuf::from("seed/a.cypher"),
            statements: 3,
            stats: crate::Stats {
                nodes_created: 62,
                relationships_created: 1,
                properties_set: 540,
                ..crate::Stats::default()
            },
            millis: 35.2,
        };
        assert_eq!(
            load_summary(&report),
            "loaded seed/a.cypher: 62 nodes, 1 relationship, 540 properties in 35 ms"
        );
    }
}
