//! Loading fact files and folders from the shell (`--load`, `skein load`, `:load`):
//! a progress bar on a terminal for slow loads, and a one-line summary per file.

use crate::render;
use crate::{Database, ErrorClass, FileReport, LoadOutcome, Withdrawn};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A load summary line: `loaded seed/x.cypher: 62 nodes, 118 relationships, 540
/// properties in 35 ms`; a changed file's also says what was kept and withdrawn, an
/// unchanged file's that nothing was written.
pub fn load_summary(report: &FileReport) -> String {
    let created = format!(
        "{}, {}, {}",
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
    );
    let took = render::format_ms(report.millis);
    match &report.outcome {
        LoadOutcome::New => format!("loaded {}: {created} in {took} ms", report.file.display()),
        LoadOutcome::Unchanged => format!(
            "{} is unchanged since its last load: nothing written",
            report.file.display()
        ),
        LoadOutcome::Changed { kept, withdrawn } => format!(
            "reloaded {}: {created} written; {} kept, {} in {took} ms",
            report.file.display(),
            render::count_noun(to_usize(*kept), "assertion", "assertions"),
            withdrawn_summary(withdrawn),
        ),
    }
}

/// What withdrawing did: `nothing withdrawn`, or `3 assertions withdrawn (1
/// relationship, 2 properties removed; 1 property back to an older claim)`.
pub fn withdrawn_summary(withdrawn: &Withdrawn) -> String {
    if withdrawn.assertions == 0 {
        return "nothing withdrawn".to_string();
    }
    let removed: Vec<String> = [
        (withdrawn.nodes_deleted, "node", "nodes"),
        (
            withdrawn.relationships_deleted,
            "relationship",
            "relationships",
        ),
        (withdrawn.properties_removed, "property", "properties"),
    ]
    .into_iter()
    .filter(|(n, ..)| *n > 0)
    .map(|(n, one, many)| render::count_noun(to_usize(n), one, many))
    .collect();
    let mut effects = Vec::new();
    if !removed.is_empty() {
        effects.push(format!("{} removed", removed.join(", ")));
    }
    if withdrawn.properties_reverted > 0 {
        effects.push(format!(
            "{} back to an older claim",
            render::count_noun(
                to_usize(withdrawn.properties_reverted),
                "property",
                "properties"
            )
        ));
    }
    if effects.is_empty() {
        effects.push("the graph is unchanged: others assert the same".to_string());
    }
    let mut summary = format!(
        "{} withdrawn ({})",
        render::count_noun(to_usize(withdrawn.assertions), "assertion", "assertions"),
        effects.join("; ")
    );
    if !withdrawn.stale_sources.is_empty() {
        summary.push_str(&format!(
            "; {} lost facts with it and will load in full next time",
            withdrawn.stale_sources.join(", ")
        ));
    }
    summary
}

/// Unloads one source and says what went: `unloaded seed/x.cypher: 12 assertions
/// withdrawn (1 node, … removed)`.
pub fn unload_one(db: &Database, source: &str) -> crate::Result<String> {
    let withdrawn = db.unload(source)?;
    Ok(format!(
        "unloaded {source}: {}",
        withdrawn_summary(&withdrawn)
    ))
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
    let result = db.load(path, &mut progress);
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_summary_reads_like_a_sentence() {
        let report = FileReport {
            file: PathBuf::from("seed/a.cypher"),
            source: "seed/a.cypher".to_string(),
            outcome: LoadOutcome::New,
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
