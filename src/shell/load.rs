//! Loading fact files and folders from the shell (`--load`, `skein load`, `:load`):
//! a progress bar on a terminal for slow loads, and a one-line summary per file.

use crate::render;
use crate::{Database, ErrorClass, FileReport};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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
