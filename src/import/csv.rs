//! Bulk import of CSV node and relationship files (the layout of the benchmark data set,
//! close to neo4j-admin import): `nodes_<Label>.csv` with a header `id,<prop>...` and
//! `rels_<TYPE>.csv` with a header `src,dst,<prop>...`.
//!
//! Invariants:
//! - The import is atomic: everything goes through one `BulkWriter` that is finished only
//!   when every file has been read without error; the batches it writes on the way are
//!   undone when it is dropped unfinished (or, after a crash, when the database is opened
//!   again), so a failing import leaves the database exactly as it was.
//! - `id` values are global across the node files of one import; they map to skein node
//!   ids through a map that lives only during the import, and stay on the node as the
//!   property `id`. Relationship ends name these ids.
//! - Column types come, first to last, from the header (`age:INT`), from the caller's
//!   declarations (`--column-type`), from `manifest.json` beside the file, and otherwise
//!   `id`/`src`/`dst` are integers and other columns strings. An empty field leaves the
//!   property absent.
//! - One thread reads and parses the files while the calling thread builds the records
//!   and a third applies them to the store (`Store::bulk_write`); errors name the file,
//!   line, column and value.

use crate::error::{Error, ErrorClass, Result};
use crate::storage::{BulkWriter, Token, TokenKind, DEFAULT_MEMORY_BUDGET};
use crate::value::temporal::Date;
use crate::value::{NodeId, Value};
use crate::Database;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

/// Rows handed from the parsing thread to the writing thread at a time.
const BATCH_ROWS: usize = 8192;
/// Batches that may wait between the two threads (bounds memory while writing lags).
const BATCHES_IN_FLIGHT: usize = 4;

/// The type of a CSV column's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Float,
    String,
    Bool,
    Date,
}

impl ColumnType {
    /// Reads a type name as neo4j-admin headers and the data set manifest write them.
    pub fn parse(name: &str) -> Option<ColumnType> {
        match name.to_ascii_uppercase().as_str() {
            "INT" | "INT64" | "INTEGER" | "LONG" | "SHORT" | "BYTE" => Some(ColumnType::Int),
            "FLOAT" | "DOUBLE" | "FLOAT64" => Some(ColumnType::Float),
            "STRING" | "STR" | "TEXT" => Some(ColumnType::String),
            "BOOL" | "BOOLEAN" => Some(ColumnType::Bool),
            "DATE" => Some(ColumnType::Date),
            _ => None,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            ColumnType::Int => "an integer",
            ColumnType::Float => "a number",
            ColumnType::String => "a string",
            ColumnType::Bool => "true or false",
            ColumnType::Date => "a date YYYY-MM-DD",
        }
    }

    fn convert(self, field: &str) -> Option<Value> {
        match self {
            ColumnType::Int => field.trim().parse().ok().map(Value::Int),
            ColumnType::Float => field.trim().parse().ok().map(Value::Float),
            ColumnType::String => Some(Value::String(field.to_string())),
            ColumnType::Bool => match field.trim().to_ascii_lowercase().as_str() {
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => None,
            },
            ColumnType::Date => field
                .trim()
                .parse::<jiff::civil::Date>()
                .ok()
                .map(|d| Value::Date(Date(d))),
        }
    }
}

/// A column type declared by the caller: for column `column` of every file, or only of
/// the files of label or type `scope`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDeclaration {
    pub scope: Option<String>,
    pub column: String,
    pub column_type: ColumnType,
}

impl ColumnDeclaration {
    /// Reads `[Label.]column=TYPE`.
    pub fn parse(text: &str) -> std::result::Result<ColumnDeclaration, String> {
        let (name, type_name) = text
            .split_once('=')
            .ok_or_else(|| format!("expected [LABEL.]COLUMN=TYPE, found '{text}'"))?;
        let column_type = ColumnType::parse(type_name).ok_or_else(|| {
            format!("unknown column type '{type_name}': expected INT, FLOAT, STRING, BOOL or DATE")
        })?;
        let (scope, column) = match name.split_once('.') {
            Some((scope, column)) => (Some(scope.to_string()), column.to_string()),
            None => (None, name.to_string()),
        };
        if column.is_empty() {
            return Err(format!("no column name in '{text}'"));
        }
        Ok(ColumnDeclaration {
            scope,
            column,
            column_type,
        })
    }
}

/// What a finished import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportSummary {
    pub files: usize,
    pub nodes: u64,
    pub relationships: u64,
    pub bytes: u64,
    pub seconds: f64,
}

impl std::fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let rows = (self.nodes + self.relationships) as f64;
        let rate = if self.seconds > 0.0 {
            rows / self.seconds
        } else {
            0.0
        };
        write!(
            f,
            "imported {} nodes and {} relationships from {} files ({:.1} MB) in {:.2} s ({:.0} rows/s)",
            self.nodes,
            self.relationships,
            self.files,
            self.bytes as f64 / 1e6,
            self.seconds,
            rate
        )
    }
}

/// Where an import is, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportProgress {
    /// Rows written to the import so far, and bytes of the files read of all bytes.
    Reading { rows: u64, bytes: u64, total: u64 },
    /// Every file is read; the batch is being written to the store.
    Committing,
}

/// Which files to import and how to read their columns.
#[derive(Clone, Debug, Default)]
pub struct ImportRequest {
    /// Node files, optionally `Label=FILE`; otherwise the label is the file name between
    /// `nodes_` and `.csv`.
    pub nodes: Vec<PathBuf>,
    /// Relationship files, optionally `TYPE=FILE`; otherwise the type is the file name
    /// between `rels_` and `.csv`.
    pub relationships: Vec<PathBuf>,
    pub declarations: Vec<ColumnDeclaration>,
    /// The source everything imported is recorded under (`--source`); `None`: none.
    pub source: Option<String>,
    /// What the import's transaction keeps in history (`--history`).
    pub history: ImportHistory,
}

/// What a bulk import keeps in history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportHistory {
    /// One transaction with its counts: into a store that held data, the graph before
    /// the import can no longer be read `AS OF` (the oldest readable transaction
    /// becomes the import's).
    #[default]
    Counts,
    /// The undo of everything the import wrote too (about the length of each key it
    /// wrote): the graph before the import stays readable `AS OF`.
    Full,
}

impl std::str::FromStr for ImportHistory {
    type Err = String;
    fn from_str(text: &str) -> std::result::Result<ImportHistory, String> {
        match text.to_ascii_lowercase().as_str() {
            "counts" => Ok(ImportHistory::Counts),
            "full" => Ok(ImportHistory::Full),
            other => Err(format!(
                "unknown import history '{other}': expected counts or full"
            )),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FileKind {
    Nodes,
    Relationships,
}

/// One input file with its label or type.
#[derive(Clone, Debug)]
struct InputFile {
    path: PathBuf,
    kind: FileKind,
    name: String,
}

/// A column of a file: its name (the property key) and type.
#[derive(Clone, Debug)]
struct Column {
    name: String,
    column_type: ColumnType,
}

/// The columns of one file, with the places of the key columns.
#[derive(Clone, Debug)]
struct Layout {
    columns: Vec<Column>,
    /// `id` for a node file; `src` and `dst` for a relationship file.
    keys: [usize; 2],
}

/// Where a value came from, for error messages.
#[derive(Clone, Copy, Debug)]
struct Place {
    line: u64,
    column: usize,
}

/// The values of a row that become properties, by column.
type Fields = Vec<(usize, Value)>;

struct NodeRow {
    line: u64,
    id: i64,
    fields: Fields,
}

struct RelRow {
    line: u64,
    ends: [i64; 2],
    fields: Fields,
}

enum Chunk {
    Nodes {
        file: usize,
        rows: Vec<NodeRow>,
        bytes: u64,
    },
    Relationships {
        file: usize,
        rows: Vec<RelRow>,
        bytes: u64,
    },
}

/// Imports the files of `request` into `db` in one atomic write. `progress` is called
/// after each batch of rows and once before the final write.
pub fn import(
    db: &Database,
    request: &ImportRequest,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary> {
    import_with_budget(db, request, DEFAULT_MEMORY_BUDGET, progress)
}

/// `import`, with at most about `memory_budget` bytes of writes buffered before they
/// are written (in batches, undone should the import fail or be cut short).
pub fn import_with_budget(
    db: &Database,
    request: &ImportRequest,
    memory_budget: usize,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary> {
    let started = Instant::now();
    let files = input_files(request)?;
    let layouts = files
        .iter()
        .map(|f| read_layout(f, &request.declarations))
        .collect::<Result<Vec<_>>>()?;
    let total: u64 = files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .sum();

    let store = db.store();
    let (nodes, relationships) = store.bulk_write(memory_budget, |writer| {
        if request.history == ImportHistory::Full {
            writer.keep_full_history();
        }
        if let Some(source) = &request.source {
            writer.write_under_source(source)?;
        }
        let (sender, receiver) = mpsc::sync_channel::<Result<Chunk>>(BATCHES_IN_FLIGHT);
        let counts = std::thread::scope(|scope| {
            let files_ref = &files;
            let layouts_ref = &layouts;
            let parser = scope.spawn(move || parse_files(files_ref, layouts_ref, &sender));
            let counts = write_chunks(writer, &files, &layouts, &receiver, total, progress);
            // After an error, hanging up first lets a parser blocked on a full channel
            // end. The parser is joined, not left to the scope: the scope returns once
            // its closure is done, before its thread has exited (a leak checker looking
            // then finds the thread's own allocations held by nothing).
            drop(receiver);
            if let Err(panic) = parser.join() {
                std::panic::resume_unwind(panic);
            }
            counts
        })?;
        progress(ImportProgress::Committing);
        Ok(counts)
    })?;
    Ok(ImportSummary {
        files: files.len(),
        nodes,
        relationships,
        bytes: total,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn input_files(request: &ImportRequest) -> Result<Vec<InputFile>> {
    let mut files = Vec::new();
    for (paths, kind, prefix) in [
        (&request.nodes, FileKind::Nodes, "nodes_"),
        (&request.relationships, FileKind::Relationships, "rels_"),
    ] {
        for given in paths {
            let (name, path) = split_named(given);
            let name = match name {
                Some(name) => name,
                None => name_from_file(&path, prefix)?,
            };
            files.push(InputFile { path, kind, name });
        }
    }
    if files.is_empty() {
        return Err(Error::argument(
            "",
            "nothing to import: give --nodes and/or --relationships files",
        ));
    }
    Ok(files)
}

/// Splits `Label=path` into its parts; a plain path has no name.
fn split_named(given: &Path) -> (Option<String>, PathBuf) {
    let text = given.to_string_lossy();
    if let Some((name, path)) = text.split_once('=') {
        let is_name = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
        if is_name && !Path::new(path).as_os_str().is_empty() {
            return (Some(name.to_string()), PathBuf::from(path));
        }
    }
    (None, given.to_path_buf())
}

fn name_from_file(path: &Path, prefix: &str) -> Result<String> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = stem.strip_prefix(prefix).unwrap_or(&stem).to_string();
    if name.is_empty() {
        return Err(Error::argument(
            "",
            format!(
                "cannot tell the label or type of {}: name the file {prefix}<NAME>.csv or write NAME=FILE",
                path.display()
            ),
        ));
    }
    Ok(name)
}

/// Column types from `manifest.json` beside `file`, for label or type `name`.
fn manifest_types(file: &InputFile) -> Result<HashMap<String, ColumnType>> {
    let mut types = HashMap::new();
    let Some(manifest_path) = file.path.parent().map(|p| p.join("manifest.json")) else {
        return Ok(types);
    };
    let Ok(text) = std::fs::read_to_string(&manifest_path) else {
        return Ok(types);
    };
    let manifest: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::io(format!(
            "{} is not valid JSON: {e}",
            manifest_path.display()
        ))
    })?;
    let section = match file.kind {
        FileKind::Nodes => "nodes",
        FileKind::Relationships => "rels",
    };
    let columns = manifest
        .get(section)
        .and_then(|s| s.get(&file.name))
        .and_then(|entry| entry.get("columns"))
        .and_then(serde_json::Value::as_array);
    for pair in columns.into_iter().flatten() {
        let name = pair.get(0).and_then(serde_json::Value::as_str);
        let type_name = pair.get(1).and_then(serde_json::Value::as_str);
        if let (Some(name), Some(type_name)) = (name, type_name) {
            let column_type = ColumnType::parse(type_name).ok_or_else(|| {
                Error::io(format!(
                    "{}: unknown column type '{type_name}' for {}.{name}",
                    manifest_path.display(),
                    file.name
                ))
            })?;
            types.insert(name.to_string(), column_type);
        }
    }
    Ok(types)
}

fn open_reader(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::io(format!("cannot read {}: {e}", path.display())))
}

fn read_layout(file: &InputFile, declarations: &[ColumnDeclaration]) -> Result<Layout> {
    let manifest = manifest_types(file)?;
    let mut reader = open_reader(&file.path)?;
    let header = reader
        .headers()
        .map_err(|e| Error::io(format!("cannot read {}: {e}", file.path.display())))?
        .clone();
    let key_names: [&str; 2] = match file.kind {
        FileKind::Nodes => ["id", "id"],
        FileKind::Relationships => ["src", "dst"],
    };
    let mut columns = Vec::with_capacity(header.len());
    let mut keys = [None, None];
    for (index, field) in header.iter().enumerate() {
        let (name, declared) = match field.rsplit_once(':') {
            Some((name, type_name)) => {
                let column_type = ColumnType::parse(type_name).ok_or_else(|| {
                    Error::argument(
                        "",
                        format!(
                            "{} line 1, column {}: unknown column type '{type_name}' in '{field}': expected INT, FLOAT, STRING, BOOL or DATE",
                            file.path.display(),
                            index + 1
                        ),
                    )
                })?;
                (name.to_string(), Some(column_type))
            }
            None => (field.to_string(), None),
        };
        if name.is_empty() || columns.iter().any(|c: &Column| c.name == name) {
            return Err(Error::argument(
                "",
                format!(
                    "{} line 1, column {}: {} column name '{name}'",
                    file.path.display(),
                    index + 1,
                    if name.is_empty() { "empty" } else { "repeated" }
                ),
            ));
        }
        for (slot, key) in keys.iter_mut().zip(key_names) {
            if name == key {
                *slot = Some(index);
            }
        }
        let is_key = key_names.contains(&name.as_str());
        let from_flag = declarations
            .iter()
            .rev()
            .find(|d| d.column == name && d.scope.as_ref().is_none_or(|s| *s == file.name))
            .map(|d| d.column_type);
        let column_type = declared
            .or(from_flag)
            .or_else(|| manifest.get(&name).copied())
            .unwrap_or(if is_key {
                ColumnType::Int
            } else {
                ColumnType::String
            });
        if is_key && column_type != ColumnType::Int {
            return Err(Error::argument(
                "",
                format!(
                    "{} line 1, column {}: the '{name}' column holds node ids and must be an integer column",
                    file.path.display(),
                    index + 1
                ),
            ));
        }
        columns.push(Column { name, column_type });
    }
    match keys {
        [Some(first), Some(second)] => Ok(Layout {
            columns,
            keys: [first, second],
        }),
        _ => Err(Error::argument(
            "",
            format!(
                "{} line 1: the header needs {} columns, found '{}'",
                file.path.display(),
                match file.kind {
                    FileKind::Nodes => "an 'id' column",
                    FileKind::Relationships => "'src' and 'dst'",
                },
                header.iter().collect::<Vec<_>>().join(",")
            ),
        )),
    }
}

/// The parsing thread: reads every file in order and sends batches of typed rows.
/// Stops at the first error (sent as the last message) or when the writer hangs up.
fn parse_files(files: &[InputFile], layouts: &[Layout], sender: &mpsc::SyncSender<Result<Chunk>>) {
    let mut bytes_before = 0u64;
    for (index, (file, layout)) in files.iter().zip(layouts).enumerate() {
        match parse_file(index, file, layout, bytes_before, sender) {
            Ok(Some(size)) => bytes_before += size,
            Ok(None) => return,
            Err(error) => {
                let _ = sender.send(Err(error));
                return;
            }
        }
    }
}

/// Parses one file; `Ok(None)` when the writer has stopped listening.
fn parse_file(
    index: usize,
    file: &InputFile,
    layout: &Layout,
    bytes_before: u64,
    sender: &mpsc::SyncSender<Result<Chunk>>,
) -> Result<Option<u64>> {
    let mut reader = open_reader(&file.path)?;
    let mut record = csv::StringRecord::new();
    let mut nodes = Vec::new();
    let mut rels = Vec::new();
    let mut last_byte = 0u64;
    loop {
        let more = reader.read_record(&mut record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            Error::argument(
                "",
                format!("{} line {line}: {}", file.path.display(), csv_problem(&e)),
            )
        })?;
        if more {
            let line = record.position().map_or(0, |p| p.line());
            last_byte = record.position().map_or(last_byte, |p| p.byte());
            let (keys, fields) = parse_record(file, layout, &record, line)?;
            match file.kind {
                FileKind::Nodes => nodes.push(NodeRow {
                    line,
                    id: keys[0],
                    fields,
                }),
                FileKind::Relationships => rels.push(RelRow {
                    line,
                    ends: keys,
                    fields,
                }),
            }
        }
        if nodes.len() + rels.len() >= BATCH_ROWS || !more {
            let bytes = bytes_before
                + if more {
                    last_byte
                } else {
                    reader.position().byte()
                };
            let chunk = match file.kind {
                FileKind::Nodes => Chunk::Nodes {
                    file: index,
                    rows: std::mem::take(&mut nodes),
                    bytes,
                },
                FileKind::Relationships => Chunk::Relationships {
                    file: index,
                    rows: std::mem::take(&mut rels),
                    bytes,
                },
            };
            if sender.send(Ok(chunk)).is_err() {
                return Ok(None);
            }
        }
        if !more {
            return Ok(Some(reader.position().byte()));
        }
    }
}

fn csv_problem(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields as in the header, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".to_string(),
        _ => error.to_string(),
    }
}

fn parse_record(
    file: &InputFile,
    layout: &Layout,
    record: &csv::StringRecord,
    line: u64,
) -> Result<([i64; 2], Fields)> {
    let mut keys = [0i64; 2];
    let mut fields = Vec::with_capacity(layout.columns.len());
    for (column_index, (column, field)) in layout.columns.iter().zip(record.iter()).enumerate() {
        let place = Place {
            line,
            column: column_index,
        };
        let is_key = layout.keys.contains(&column_index);
        if field.is_empty() {
            if is_key {
                return Err(value_error(file, layout, place, field, "a node id"));
            }
            continue;
        }
        let value = column.column_type.convert(field).ok_or_else(|| {
            value_error(file, layout, place, field, column.column_type.describe())
        })?;
        for (slot, key_column) in keys.iter_mut().zip(layout.keys) {
            if key_column == column_index {
                if let Value::Int(id) = value {
                    *slot = id;
                }
            }
        }
        // A relationship's ends are its structure, not its properties; a node keeps `id`.
        if !(is_key && file.kind == FileKind::Relationships) {
            fields.push((column_index, value));
        }
    }
    Ok((keys, fields))
}

fn describe_place(file: &InputFile, layout: &Layout, place: Place) -> String {
    let column = layout
        .columns
        .get(place.column)
        .map_or("?", |c| c.name.as_str());
    format!(
        "{} line {}, column {} ({column})",
        file.path.display(),
        place.line,
        place.column + 1
    )
}

fn value_error(
    file: &InputFile,
    layout: &Layout,
    place: Place,
    field: &str,
    expected: &str,
) -> Error {
    Error::argument(
        "InvalidArgumentValue",
        format!(
            "{}: expected {expected}, found '{field}'",
            describe_place(file, layout, place)
        ),
    )
}

/// The writing side: maps ids, creates nodes and relationships in the bulk writer.
/// Returns the node and relationship counts.
fn write_chunks(
    writer: &mut BulkWriter<'_>,
    files: &[InputFile],
    layouts: &[Layout],
    receiver: &mpsc::Receiver<Result<Chunk>>,
    total: u64,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<(u64, u64)> {
    let mut ids: HashMap<i64, (NodeId, usize, u64), foldhash::fast::RandomState> =
        HashMap::with_hasher(Default::default());
    let mut nodes = 0u64;
    let mut relationships = 0u64;
    let mut names = FileTokens::new(files, layouts);
    // Whether the relationship files have begun (no more nodes come).
    let mut nodes_done = false;
    for message in receiver.iter() {
        let bytes = match message? {
            Chunk::Nodes { file, rows, bytes } => {
                let (Some(input), Some(layout)) = (files.get(file), layouts.get(file)) else {
                    continue;
                };
                for row in rows {
                    if let Some((_, other_file, other_line)) = ids.get(&row.id) {
                        let first = files
                            .get(*other_file)
                            .map_or(String::new(), |f| f.path.display().to_string());
                        let place = Place {
                            line: row.line,
                            column: layout.keys[0],
                        };
                        return Err(Error::new(
                            ErrorClass::ConstraintValidationFailed,
                            "",
                            format!(
                                "{}: duplicate node id '{}', first given at {first} line {other_line}",
                                describe_place(input, layout, place),
                                row.id
                            ),
                        ));
                    }
                    let labels = names
                        .name(writer, file, TokenKind::Label)
                        .into_iter()
                        .collect();
                    let props = names.properties(writer, file, row.fields);
                    let node = writer.create_node_with(labels, props)?;
                    ids.insert(row.id, (node, file, row.line));
                    nodes += 1;
                }
                bytes
            }
            Chunk::Relationships { file, rows, bytes } => {
                let (Some(input), Some(layout)) = (files.get(file), layouts.get(file)) else {
                    continue;
                };
                if !std::mem::replace(&mut nodes_done, true) {
                    writer.finish_nodes()?;
                }
                for row in rows {
                    let mut ends = [0; 2];
                    for (slot, (id, column)) in
                        ends.iter_mut().zip(row.ends.iter().zip(layout.keys))
                    {
                        match ids.get(id) {
                            Some((node, _, _)) => *slot = *node,
                            None => {
                                let place = Place {
                                    line: row.line,
                                    column,
                                };
                                return Err(Error::new(
                                    ErrorClass::EntityNotFound,
                                    "",
                                    format!(
                                        "{}: no node with id '{id}' in the node files of this import",
                                        describe_place(input, layout, place)
                                    ),
                                ));
                            }
                        }
                    }
                    let Some(rel_type) = names.name(writer, file, TokenKind::RelType) else {
                        continue;
                    };
                    let props = names.properties(writer, file, row.fields);
                    writer.create_relationship_with(ends[0], ends[1], rel_type, props)?;
                    relationships += 1;
                }
                bytes
            }
        };
        progress(ImportProgress::Reading {
            rows: nodes + relationships,
            bytes,
            total,
        });
    }
    Ok((nodes, relationships))
}

/// The tokens of each file's label or type and of its columns' property keys, looked up
/// once per file (a column's key only once it has a value).
struct FileTokens {
    names: Vec<(String, Option<Token>)>,
    columns: Vec<Vec<(String, Option<Token>)>>,
}

impl FileTokens {
    fn new(files: &[InputFile], layouts: &[Layout]) -> FileTokens {
        FileTokens {
            names: files.iter().map(|f| (f.name.clone(), None)).collect(),
            columns: layouts
                .iter()
                .map(|l| l.columns.iter().map(|c| (c.name.clone(), None)).collect())
                .collect(),
        }
    }

    /// The token of file `file`'s label or relationship type.
    fn name(&mut self, writer: &mut BulkWriter<'_>, file: usize, kind: TokenKind) -> Option<Token> {
        let entry = self.names.get_mut(file)?;
        Some(token_of(writer, entry, kind))
    }

    /// A row's fields as (property key token, value).
    fn properties(
        &mut self,
        writer: &mut BulkWriter<'_>,
        file: usize,
        fields: Fields,
    ) -> Vec<(Token, Value)> {
        let Some(columns) = self.columns.get_mut(file) else {
            return Vec::new();
        };
        fields
            .into_iter()
            .filter_map(|(column, value)| {
                let entry = columns.get_mut(column)?;
                Some((token_of(writer, entry, TokenKind::PropertyKey), value))
            })
            .collect()
    }
}

/// The token of the name in `entry`, interned on first use.
fn token_of(
    writer: &mut BulkWriter<'_>,
    entry: &mut (String, Option<Token>),
    kind: TokenKind,
) -> Token {
    *entry.1.get_or_insert_with(|| writer.token(kind, &entry.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_types_read_neo4j_and_manifest_names() {
        assert_eq!(ColumnType::parse("int"), Some(ColumnType::Int));
        assert_eq!(ColumnType::parse("INT64"), Some(ColumnType::Int));
        assert_eq!(ColumnType::parse("double"), Some(ColumnType::Float));
        assert_eq!(ColumnType::parse("boolean"), Some(ColumnType::Bool));
        assert_eq!(ColumnType::parse("DATE"), Some(ColumnType::Date));
        assert_eq!(ColumnType::parse("point"), None);
    }

    #[test]
    fn values_convert_or_refuse() {
        assert!(matches!(
            ColumnType::Int.convert("42"),
            Some(Value::Int(42))
        ));
        assert!(ColumnType::Int.convert("4.2").is_none());
        assert!(matches!(
            ColumnType::Bool.convert("true"),
            Some(Value::Bool(true))
        ));
        assert!(ColumnType::Bool.convert("yes").is_none());
        assert!(matches!(
            ColumnType::Date.convert("2001-02-03"),
            Some(Value::Date(_))
        ));
        assert!(ColumnType::Date.convert("2001-02-30").is_none());
    }

    #[test]
    fn declarations_parse_with_and_without_scope() {
        let plain = ColumnDeclaration::parse("age=INT");
        assert_eq!(
            plain,
            Ok(ColumnDeclaration {
                scope: None,
                column: "age".into(),
                column_type: ColumnType::Int
            })
        );
        let scoped = ColumnDeclaration::parse("Person.born=date");
        assert_eq!(
            scoped.map(|d| (d.scope, d.column_type)),
            Ok((Some("Person".into()), ColumnType::Date))
        );
        assert!(ColumnDeclaration::parse("age").is_err());
        assert!(ColumnDeclaration::parse("age=POINT").is_err());
    }

    #[test]
    fn labels_come_from_file_names_or_a_prefix() {
        let (name, path) = split_named(Path::new("Person=data/people.csv"));
        assert_eq!(name.as_deref(), Some("Person"));
        assert_eq!(path, PathBuf::from("data/people.csv"));
        let (name, _) = split_named(Path::new("data/a=b/nodes_X.csv"));
        assert_eq!(name, None);
        assert_eq!(
            name_from_file(Path::new("d/nodes_Person.csv"), "nodes_").ok(),
            Some("Person".to_string())
        );
        assert_eq!(
            name_from_file(Path::new("d/rels_KNOWS.csv"), "rels_").ok(),
            Some("KNOWS".to_string())
        );
    }
}
