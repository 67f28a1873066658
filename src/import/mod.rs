//! Loading fact files (`.cypher` scripts and `.jsonl` node/relationship lines) and, later,
//! bulk CSV import. (Contract stub; the import owner implements it.)

use crate::error::Result;
use crate::Database;
use std::path::Path;

/// What loading one file did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileReport {
    pub file: std::path::PathBuf,
    pub statements: usize,
    pub stats: crate::Stats,
    pub millis: f64,
}

/// Loads a fact file, or every fact file of a folder in name order. Each file loads in
/// one transaction: a file with an error loads nothing and the error names the file,
/// line, column and statement. `progress` is called with (bytes done, bytes total).
pub fn load_path(
    _db: &Database,
    _path: &Path,
    _progress: &mut dyn FnMut(u64, u64),
) -> Result<Vec<FileReport>> {
    todo!("import")
}
