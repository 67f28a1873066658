//! Loading fact files into a database: Cypher scripts (`.cypher`) and JSON Lines files
//! of nodes and relationships (`.jsonl`, shape in `seed/README.md`); `csv` is the bulk
//! import of CSV node and relationship files.
//!
//! Invariants: each file loads in one explicit transaction, so a file with an error
//! loads nothing (files loaded before it in the same call stay loaded); a folder loads
//! its fact files in name order; errors name the file, the line and column in the file,
//! and the statement or line that failed.
//!
//! Each file is a source (see `storage::sources`), named by its path relative to the
//! working directory: what it writes is recorded as asserted by it, at the line of the
//! statement. Loading a source again with the same text writes nothing; with a changed
//! text, what the earlier version asserted and the new one does not is withdrawn in the
//! same transaction, so the graph says what the files say now.

pub mod csv;
mod cypher;
mod jsonl;
mod report;

use crate::error::{Error, Position, Result};
use crate::storage::Withdrawn;
use crate::Database;
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

/// What loading one file did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileReport {
    pub file: std::path::PathBuf,
    /// The source the file's facts are recorded under.
    pub source: String,
    pub statements: usize,
    pub stats: crate::Stats,
    pub outcome: LoadOutcome,
    pub millis: f64,
}

/// How a file's load relates to its earlier loads.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LoadOutcome {
    /// The file was not a source before.
    #[default]
    New,
    /// The file changed since its last load: of what that version asserted, `kept` was
    /// asserted again and the rest withdrawn.
    Changed { kept: u64, withdrawn: Withdrawn },
    /// The file's text is the one loaded last time: nothing was written.
    Unchanged,
}

/// The kinds of fact file, told apart by the file's extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FactFormat {
    Cypher,
    JsonLines,
}

impl FactFormat {
    fn of(path: &Path) -> Option<FactFormat> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        match extension.as_str() {
            "cypher" | "cyp" => Some(FactFormat::Cypher),
            "jsonl" => Some(FactFormat::JsonLines),
            _ => None,
        }
    }
}

/// Loads a fact file, or every fact file of a folder in name order. Each file loads in
/// one transaction: a file with an error loads nothing and the error names the file,
/// line, column and statement. `progress` is called with (bytes done, bytes total).
///
/// A failed statement's error keeps the engine's class and detail code; its message
/// gains the file, line, column and the statement's text, and its `position` is the
/// place in the file's text (not in the statement's).
pub fn load_path(
    db: &Database,
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<FileReport>> {
    let files = fact_files(path)?;
    let total: u64 = files
        .iter()
        .map(|(file, _)| std::fs::metadata(file).map_or(0, |m| m.len()))
        .sum();
    let mut reports = Vec::with_capacity(files.len());
    let mut done = 0u64;
    for (file, format) in files {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Error::io(format!("cannot read {}: {e}", file.display())))?;
        let started = Instant::now();
        let mut file_progress = |bytes: u64| progress((done + bytes).min(total), total);
        let report = load_file(db, &file, format, &text, &mut file_progress)
            .map_err(|error| with_earlier_files(error, &reports))?;
        done = (done + text.len() as u64).min(total);
        progress(done, total);
        reports.push(FileReport {
            millis: started.elapsed().as_secs_f64() * 1000.0,
            ..report
        });
    }
    Ok(reports)
}

/// Loads one file's `text` in one transaction, as a (new or changed) load of its source.
fn load_file(
    db: &Database,
    file: &Path,
    format: FactFormat,
    text: &str,
    progress: &mut dyn FnMut(u64),
) -> Result<FileReport> {
    let at_start = |error: Error| report::in_file(error, file, text, Position::at(text, 0), 0, 0);
    let source = source_name(file);
    let sha256 = hex(&Sha256::digest(text.as_bytes()));
    let mut txn = db.begin().map_err(at_start)?;
    let previous = txn
        .writer()
        .map_err(at_start)?
        .previous_load(&source)
        .map_err(at_start)?;
    let report = |statements, stats, outcome| FileReport {
        file: file.to_path_buf(),
        source: source.clone(),
        statements,
        stats,
        outcome,
        millis: 0.0,
    };
    if previous
        .as_ref()
        .is_some_and(|p| p.sha256.as_deref() == Some(sha256.as_str()))
    {
        return Ok(report(0, crate::Stats::default(), LoadOutcome::Unchanged));
    }
    txn.writer()
        .map_err(at_start)?
        .begin_source(&source, Some(&sha256))
        .map_err(at_start)?;
    let (statements, stats) = match format {
        FactFormat::Cypher => cypher::load(&mut txn, file, text, progress)?,
        FactFormat::JsonLines => jsonl::load(&mut txn, file, text, progress)?,
    };
    let withdrawn = txn
        .writer()
        .map_err(at_start)?
        .withdraw_unrepeated()
        .map_err(at_start)?;
    let kept = txn.writer().map_err(at_start)?.reasserted();
    txn.commit().map_err(at_start)?;
    let outcome = match previous {
        None => LoadOutcome::New,
        Some(_) => LoadOutcome::Changed { kept, withdrawn },
    };
    Ok(report(statements, stats, outcome))
}

/// The source name of `file`: its path relative to the working directory when it lies
/// under it, with `.` and `..` steps resolved (`./seed//a.cypher` is `seed/a.cypher`).
pub fn source_name(file: &Path) -> String {
    let absolute = if file.is_absolute() {
        file.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| file.to_path_buf(), |cwd| cwd.join(file))
    };
    let mut clean = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    let shown = std::env::current_dir()
        .ok()
        .and_then(|cwd| clean.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or(clean);
    shown.to_string_lossy().replace('\\', "/")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A failed file's error, saying which files of the same call loaded before it and stay
/// loaded (each file is its own transaction).
fn with_earlier_files(mut error: Error, earlier: &[FileReport]) -> Error {
    if !earlier.is_empty() {
        let names: Vec<String> = earlier
            .iter()
            .map(|r| r.file.display().to_string())
            .collect();
        error.message.push_str(&format!(
            "\n(nothing of this file was loaded; loaded before it and kept: {})",
            names.join(", ")
        ));
    }
    error
}

/// The fact files `path` names: itself if it is a file, else the folder's `.cypher` and
/// `.jsonl` files (not its subfolders, not hidden files) sorted by name.
fn fact_files(path: &Path) -> Result<Vec<(PathBuf, FactFormat)>> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))?;
    if metadata.is_file() {
        let format = FactFormat::of(path).ok_or_else(|| {
            Error::io(format!(
                "{} is not a fact file: expected a .cypher or .jsonl file",
                path.display()
            ))
        })?;
        return Ok(vec![(path.to_path_buf(), format)]);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| Error::io(format!("cannot read folder {}: {e}", path.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry =
            entry.map_err(|e| Error::io(format!("cannot read folder {}: {e}", path.display())))?;
        let file = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if hidden || !file.is_file() {
            continue;
        }
        if let Some(format) = FactFormat::of(&file) {
            files.push((file, format));
        }
    }
    if files.is_empty() {
        return Err(Error::io(format!(
            "no fact files (.cypher, .jsonl) in folder {}",
            path.display()
        )));
    }
    files.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_extension() {
        assert_eq!(
            FactFormat::of(Path::new("seed/01_entities.cypher")),
            Some(FactFormat::Cypher)
        );
        assert_eq!(
            FactFormat::of(Path::new("x/NODES.JSONL")),
            Some(FactFormat::JsonLines)
        );
        assert_eq!(FactFormat::of(Path::new("seed/README.md")), None);
        assert_eq!(FactFormat::of(Path::new("seed/Makefile")), None);
    }

    #[test]
    fn folder_lists_fact_files_in_name_order() -> std::result::Result<(), Box<dyn std::error::Error>>
    {
        let dir = tempfile::tempdir()?;
        for name in [
            "b.jsonl",
            "a.cypher",
            "README.md",
            ".hidden.cypher",
            "c.cypher",
        ] {
            std::fs::write(dir.path().join(name), "")?;
        }
        std::fs::create_dir(dir.path().join("sub.cypher"))?;
        let names: Vec<String> = fact_files(dir.path())?
            .iter()
            .filter_map(|(p, _)| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(names, ["a.cypher", "b.jsonl", "c.cypher"]);
        Ok(())
    }

    #[test]
    fn empty_folder_and_other_files_are_errors(
    ) -> std::result::Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let error = fact_files(dir.path()).err().map(|e| e.message);
        assert!(error.is_some_and(|m| m.contains("no fact files")));
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "")?;
        let error = fact_files(&notes).err().map(|e| e.message);
        assert!(error.is_some_and(|m| m.contains("is not a fact file")));
        Ok(())
    }
}
