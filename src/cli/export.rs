//! `skein export`: the exit code and summary line over [`Database::export`], and the
//! rewriting of its `--format`.

use crate::{Database, ErrorClass, ExportRequest};
use std::path::Path;

/// The `skein export` subcommand: its exit code (0 written, 1 the query failed, 2 an
/// I/O error), with a summary on stderr unless `quiet`.
pub fn run_export(db: &Database, request: &ExportRequest, quiet: bool) -> i32 {
    match db.export(request) {
        Ok(message) => {
            if !quiet && request.file != Path::new("-") {
                eprintln!("{message}");
            }
            0
        }
        Err(error) => {
            eprintln!("skein: {error}");
            if error.class == ErrorClass::IoError {
                2
            } else {
                1
            }
        }
    }
}

/// Rewrites `--format` after the `export` subcommand as `--export-format`: the global
/// `--format` names a result format, and clap cannot give one flag two meanings.
pub fn cli_arguments(args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut after_export = false;
    args.into_iter()
        .map(|arg| {
            if after_export {
                if arg == "--format" {
                    return std::ffi::OsString::from("--export-format");
                }
                if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--format=")) {
                    return std::ffi::OsString::from(format!("--export-format={value}"));
                }
            } else if arg == "export" {
                after_export = true;
            }
            arg
        })
        .collect()
}
