//! Loading fact files into a database: Cypher scripts (`.cypher`) and JSON Lines files
//! of nodes and relationships (`.jsonl`, shape in `seed/README.md`); `csv` is the bulk
//! import of CSV node and relationship files.
//!
//! Invariants: each file loads in one explicit transaction, so a file with an error
//! loads nothing (files loaded before it in the same call stay loaded); a folder loads
//! its fact files in name order; errors name the file, the line and column in the file,
//! and the statement or line that failed. Loading is as idempotent as the files are: the
//! seed and every `.jsonl` line use MERGE on keys, so loading twice leaves the same graph.

pub mod csv;
mod cypher;
mod jsonl;
mod report;

use crate::error::{Error, Result};
use crate::Database;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// What loading one file did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileReport {
    pub file: std::path::PathBuf,
    pub statements: usize,
    pub stats: crate::Stats,
    pub millis: f64,
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
        let loaded = match format {
            FactFormat::Cypher => cypher::load(db, &file, &text, &mut file_progress),
            FactFormat::JsonLines => jsonl::load(db, &file, &text, &mut file_progress),
        };
        let (statements, stats) = loaded.map_err(|error| with_earlier_files(error, &reports))?;
        done = (done + text.len() as u64).min(total);
        progress(done, total);
        reports.push(FileReport {
            file,
            statements,
            stats,
            millis: started.elapsed().as_secs_f64() * 1000.0,
        });
    }
    Ok(reports)
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
