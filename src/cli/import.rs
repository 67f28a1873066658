//! `skein import`: its arguments, a progress bar with rows/s on a terminal, the summary
//! line and the exit code, over [`Database::import_csv`].

use crate::{
    ColumnDeclaration, Database, ErrorClass, ImportHistory, ImportProgress, ImportRequest,
};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

/// The arguments of `skein import`.
#[derive(Clone, Debug, clap::Args)]
pub struct ImportArgs {
    /// Node files `nodes_<Label>.csv` (or `Label=FILE`); header `id,<prop>...`
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub nodes: Vec<PathBuf>,
    /// Relationship files `rels_<TYPE>.csv` (or `TYPE=FILE`); header `src,dst,<prop>...`
    #[arg(long, value_name = "FILE", num_args = 1..)]
    pub relationships: Vec<PathBuf>,
    /// A column's type, `[LABEL.]COLUMN=TYPE` (INT, FLOAT, STRING, BOOL, DATE), for files
    /// without `manifest.json` or a typed header (`age:INT`)
    #[arg(long = "column-type", value_name = "[LABEL.]COLUMN=TYPE", value_parser = ColumnDeclaration::parse)]
    pub column_types: Vec<ColumnDeclaration>,
    /// What the import keeps in history: `counts` (one transaction with its counts; the
    /// graph before it can no longer be read AS OF) or `full` (the undo of all it
    /// wrote, so the graph before it stays readable)
    #[arg(long, value_name = "counts|full", default_value = "counts")]
    pub history: ImportHistory,
}

/// Runs `skein import`: a progress bar with rows/s on a terminal, a summary line on
/// standard error, and the exit code (0 imported, 1 bad data, 2 I/O or storage error).
pub fn run_command(db: &Database, args: &ImportArgs, source: &Option<String>, quiet: bool) -> i32 {
    let request = ImportRequest {
        nodes: args.nodes.clone(),
        relationships: args.relationships.clone(),
        declarations: args.column_types.clone(),
        source: source.clone(),
        history: args.history,
    };
    let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{msg} {wide_bar} {bytes}/{total_bytes} {elapsed}",
        ) {
            bar.set_style(style);
        }
        bar
    });
    let started = Instant::now();
    let mut progress = |step: ImportProgress| {
        let Some(bar) = &bar else { return };
        match step {
            ImportProgress::Reading { rows, bytes, total } => {
                bar.set_length(total);
                bar.set_position(bytes);
                let rate = rows as f64 / started.elapsed().as_secs_f64().max(1e-3);
                bar.set_message(format!("importing: {rows} rows, {rate:.0} rows/s"));
            }
            ImportProgress::Committing => bar.set_message("writing to the store"),
        }
    };
    let outcome = db.import_csv(&request, &mut progress);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let mut stderr = std::io::stderr();
    match outcome {
        Ok(summary) => {
            if !quiet {
                let _ = writeln!(stderr, "{summary}");
            }
            0
        }
        Err(error) => {
            let _ = writeln!(stderr, "{error}\nnothing was imported");
            match error.class {
                ErrorClass::IoError | ErrorClass::StorageError => 2,
                _ => 1,
            }
        }
    }
}
