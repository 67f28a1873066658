//! LOAD CSV: for each input row, the records of the file its source names, read as they
//! are pulled (a file of any size costs one record of memory). A source is a local file
//! below the database's import folder (`Database::set_import_dir`, the CLI's
//! `--import-dir`): `file:///name.csv` or a path, relative to that folder, as in Neo4j;
//! an absolute path is accepted when it is inside it. `..`, symlinks and absolute paths
//! that lead out of the folder are refused. Fields are strings, and an empty field is
//! null, as in Neo4j. With headers the first record names the fields and each later
//! record becomes a map.

use super::{BoxOp, Op};
use crate::error::{Error, ErrorClass, Result};
use crate::exec::eval::{eval, Env};
use crate::exec::expr::Compiled;
use crate::exec::{Ctx, Row};
use crate::plan::LoadCsvSpec;
use crate::value::{Map, Value};
use std::fs::File;
use std::path::{Component, Path, PathBuf};

pub(super) struct LoadCsvOp<'a, 's> {
    ctx: &'a Ctx<'a, 's>,
    input: BoxOp<'a>,
    source: Compiled<'a>,
    spec: &'a LoadCsvSpec,
    /// The input row being extended and the file being read for it.
    current: Option<Reading>,
}

struct Reading {
    row: Row,
    path: PathBuf,
    records: csv::Reader<File>,
    headers: Option<Vec<String>>,
    record: csv::StringRecord,
}

impl<'a, 's> LoadCsvOp<'a, 's> {
    pub(super) fn new(
        ctx: &'a Ctx<'a, 's>,
        input: BoxOp<'a>,
        spec: &'a LoadCsvSpec,
        layout: &[String],
    ) -> Result<Self> {
        Ok(LoadCsvOp {
            ctx,
            input,
            source: super::compile(ctx, &spec.source, layout)?,
            spec,
            current: None,
        })
    }

    /// Opens the file the source of `row` names.
    fn open(&self, row: Row) -> Result<Option<Reading>> {
        let url = match eval(self.ctx, &Env::row(&row), &self.source)? {
            Value::String(url) => url,
            Value::Null => return Ok(None),
            other => {
                return Err(Error::type_error(
                    "InvalidArgumentType",
                    format!(
                        "LOAD CSV FROM needs a string (a file path or file:/// URL), got {}",
                        other.type_name()
                    ),
                ))
            }
        };
        let path = inside_import_dir(&local_path(&url)?, self.ctx.import_dir)?;
        let file = File::open(&path).map_err(|e| {
            Error::new(
                ErrorClass::IoError,
                "ExternalResourceFailed",
                format!("LOAD CSV cannot read {}: {e}", path.display()),
            )
        })?;
        let mut records = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(self.spec.terminator)
            .from_reader(file);
        let mut record = csv::StringRecord::new();
        let headers = if self.spec.headers {
            if !read_record(&mut records, &mut record, &path)? {
                return Ok(None);
            }
            Some(record.iter().map(str::to_string).collect())
        } else {
            None
        };
        Ok(Some(Reading {
            row,
            path,
            records,
            headers,
            record,
        }))
    }
}

/// The file a LOAD CSV source names: `file:///path` or a plain path; other schemes are
/// refused.
fn local_path(url: &str) -> Result<PathBuf> {
    if let Some(rest) = url.strip_prefix("file://") {
        return Ok(PathBuf::from(rest));
    }
    if let Some(rest) = url.strip_prefix("file:") {
        return Ok(PathBuf::from(rest));
    }
    if let Some((scheme, _)) = url.split_once("://") {
        return Err(Error::new(
            ErrorClass::IoError,
            "ExternalResourceFailed",
            format!("LOAD CSV reads local files only (file:/// or a path), not {scheme}:// URLs"),
        ));
    }
    Ok(PathBuf::from(url))
}

/// The file `path` names below the import folder `dir`, its symlinks resolved; an error
/// when there is no folder or the file is outside it.
fn inside_import_dir(path: &Path, dir: Option<&Path>) -> Result<PathBuf> {
    let refused =
        |message: String| Error::new(ErrorClass::IoError, "ExternalResourceFailed", message);
    let Some(dir) = dir else {
        return Err(refused(
            "LOAD CSV is off: this database has no import folder (the server's --import-dir \
             sets one)"
                .to_string(),
        ));
    };
    let outside = || {
        refused(format!(
            "LOAD CSV reads only files inside the import folder {}; {} is outside it",
            dir.display(),
            path.display()
        ))
    };
    let inside = if path.is_absolute() && path.starts_with(dir) {
        path.to_path_buf()
    } else {
        // `file:///people.csv` and `people.csv` both name `<import folder>/people.csv`.
        let relative: PathBuf = path
            .components()
            .filter(|c| !matches!(c, Component::RootDir | Component::Prefix(_)))
            .collect();
        let joined = dir.join(relative);
        if path.is_absolute() && !joined.exists() {
            return Err(outside());
        }
        joined
    };
    let canonical = std::fs::canonicalize(&inside)
        .map_err(|e| refused(format!("LOAD CSV cannot read {}: {e}", inside.display())))?;
    if !canonical.starts_with(dir) {
        return Err(outside());
    }
    Ok(canonical)
}

/// Reads the next record; false at the end of the file.
fn read_record(
    records: &mut csv::Reader<File>,
    record: &mut csv::StringRecord,
    path: &std::path::Path,
) -> Result<bool> {
    records.read_record(record).map_err(|e| {
        Error::new(
            ErrorClass::IoError,
            "ExternalResourceFailed",
            format!("LOAD CSV cannot read {}: {e}", path.display()),
        )
    })
}

fn field(text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        Value::String(text.to_string())
    }
}

impl Op for LoadCsvOp<'_, '_> {
    fn next(&mut self) -> Result<Option<Row>> {
        loop {
            if let Some(reading) = &mut self.current {
                let Reading {
                    row,
                    path,
                    records,
                    headers,
                    record,
                } = reading;
                let read = read_record(records, record, path);
                if read.map_err(|e| e.at(self.ctx.text, self.spec.source.span.start))? {
                    let value = match headers {
                        Some(names) => {
                            let mut map = Map::new();
                            for (i, name) in names.iter().enumerate() {
                                map.insert(name.clone(), record.get(i).map_or(Value::Null, field));
                            }
                            Value::Map(map)
                        }
                        None => Value::List(record.iter().map(field).collect()),
                    };
                    let mut out = row.clone();
                    out.push(value);
                    return Ok(Some(out));
                }
                self.current = None;
            }
            let Some(row) = self.input.next()? else {
                return Ok(None);
            };
            self.ctx.limits.check()?;
            // Errors point at the source expression.
            let at = self.spec.source.span.start;
            self.current = self.open(row).map_err(|e| e.at(self.ctx.text, at))?;
        }
    }
}
