//! Runs one TCK scenario against a fresh temporary database, through the public API
//! only, step by step: graphs (empty, any, named), setup queries, parameters, test
//! procedures, the query under test and a control query, and the checks on results,
//! side effects and errors.
//!
//! A step that does not hold returns `Err` with a message for the engine developers;
//! the caller guards against panics and hangs.

use crate::compare::{check_rendering, compare_table, render_actual, ListOrder, RowOrder};
use crate::gherkin::{Scenario, Step};
use crate::graph_state::{snapshot, SideEffects, SIDE_EFFECT_NAMES};
use crate::literal;
use skein::{Database, Error, Params, ProcedureSpec, QueryOptions, QueryResult};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Mutex;

/// The latest `When executing …` step's query and what came of it.
struct LastQuery {
    text: String,
    outcome: Result<QueryResult, Error>,
    /// `Err` when the graph could not be measured, or for a control query.
    side_effects: Result<SideEffects, String>,
    /// Whether an error step has looked at a failed outcome.
    error_checked: bool,
    /// For a failed query: the error of `EXPLAIN query`, which compiles the query
    /// without running it (`None` when it compiled), so an error step can check the
    /// phase it names.
    compile_error: Option<Error>,
}

struct Run<'a> {
    db: Database,
    params: Params,
    options: QueryOptions,
    settings: &'a Settings,
    /// Whether some step checks side effects (only then is the graph measured).
    measure: bool,
    last: Option<LastQuery>,
}

/// What every scenario of a run shares.
#[derive(Clone, Debug)]
pub struct Settings {
    /// Where named graphs live: `<graphs_dir>/<name>/<name>.cypher`.
    pub graphs_dir: PathBuf,
    /// Also require every result value to read back from its literal rendering (what
    /// the binary's `--format literal` prints).
    pub check_rendering: bool,
}

/// Runs `scenario`; `Err` explains the first step that did not hold. `options` carries
/// the cancel token the caller trips on timeout; `current_step` always describes the
/// step being run, so a caller whose scenario hangs can say where.
pub fn run(
    scenario: &Scenario,
    settings: &Settings,
    options: QueryOptions,
    current_step: &Mutex<String>,
) -> Result<(), String> {
    let db = Database::open_temporary().map_err(|e| format!("cannot open a database: {e}"))?;
    let measure = scenario.steps.iter().any(|step| {
        step.text == "no side effects"
            || step.text.starts_with("the side effects should be")
            || error_step(&step.text).is_some()
    });
    let mut run = Run {
        db,
        params: Params::new(),
        options,
        settings,
        measure,
        last: None,
    };
    for step in &scenario.steps {
        if let Ok(mut current) = current_step.lock() {
            *current = describe_step(step);
        }
        run.step(step).map_err(|message| {
            let mut out = format!(
                "line {}: {} {}\n  {}",
                step.line,
                step.keyword,
                step.text,
                message.replace('\n', "\n  ")
            );
            if let Some(last) = &run.last {
                out.push_str(&format!(
                    "\n  query:\n    {}",
                    last.text.replace('\n', "\n    ")
                ));
            }
            out
        })?;
    }
    if let Some(last) = &run.last {
        if let Err(error) = &last.outcome {
            if !last.error_checked {
                return Err(format!(
                    "the query failed and no step expected an error: {error}\n  query:\n    {}",
                    last.text.replace('\n', "\n    ")
                ));
            }
        }
    }
    Ok(())
}

/// A step in one paragraph: its line, keyword and text, and its doc string if any.
fn describe_step(step: &Step) -> String {
    let mut out = format!("line {}: {} {}", step.line, step.keyword, step.text);
    if let Some(doc) = &step.doc_string {
        out.push_str("\n    ");
        out.push_str(&doc.replace('\n', "\n    "));
    }
    out
}

/// `a <Class> should be raised at <phase>: <detail>` → (class, phase, detail).
fn error_step(text: &str) -> Option<(&str, &str, &str)> {
    let rest = text
        .strip_prefix("a ")
        .or_else(|| text.strip_prefix("an "))?;
    let (class, rest) = rest.split_once(" should be raised at ")?;
    let (phase, detail) = rest.split_once(':')?;
    Some((class.trim(), phase.trim(), detail.trim()))
}

impl Run<'_> {
    fn step(&mut self, step: &Step) -> Result<(), String> {
        let text = step.text.as_str();
        match text {
            "an empty graph" | "any graph" => return Ok(()),
            "having executed:" => return self.setup_query(doc_string(step)?),
            "parameters are:" => return self.parameters(table(step)?),
            "executing query:" => return self.execute(doc_string(step)?, false),
            "executing control query:" => return self.execute(doc_string(step)?, true),
            "the result should be empty" => return self.expect_empty(),
            "no side effects" => return self.expect_side_effects(&[]),
            "the side effects should be:" => return self.expect_side_effects(table(step)?),
            _ => {}
        }
        if let Some(name) = text
            .strip_prefix("the ")
            .and_then(|rest| rest.strip_suffix(" graph"))
        {
            return self.load_graph(name);
        }
        if let Some(signature) = text
            .strip_prefix("there exists a procedure ")
            .and_then(|rest| rest.strip_suffix(':'))
        {
            return self.register_procedure(signature, table(step)?);
        }
        if let Some(mode) = text
            .strip_prefix("the result should be")
            .and_then(|rest| rest.strip_suffix(':'))
        {
            let row_order = if mode.contains("in order") {
                RowOrder::InOrder
            } else {
                RowOrder::AnyOrder
            };
            let lists = if mode.contains("ignoring element order for lists") {
                ListOrder::Ignored
            } else {
                ListOrder::Ordered
            };
            return self.expect_table(table(step)?, row_order, lists);
        }
        if let Some((class, phase, detail)) = error_step(text) {
            return self.expect_error(class, phase, detail);
        }
        Err("this step is not supported by the runner".to_string())
    }

    fn execute_text(&self, query: &str) -> Result<QueryResult, Error> {
        self.db.execute_with(query, &self.params, &self.options)
    }

    fn setup_query(&mut self, query: &str) -> Result<(), String> {
        self.execute_text(query).map(|_| ()).map_err(|e| {
            format!(
                "the setup query failed: {e}\n  setup query:\n    {}",
                query.replace('\n', "\n    ")
            )
        })
    }

    fn load_graph(&mut self, name: &str) -> Result<(), String> {
        let file = self
            .settings
            .graphs_dir
            .join(name)
            .join(format!("{name}.cypher"));
        let script = std::fs::read_to_string(&file)
            .map_err(|e| format!("cannot read graph script {}: {e}", file.display()))?;
        for statement in split_script(&script) {
            self.execute_text(&statement)
                .map_err(|e| format!("graph {name}: a statement failed: {e}"))?;
        }
        Ok(())
    }

    fn parameters(&mut self, rows: &[Vec<String>]) -> Result<(), String> {
        for row in rows {
            let [name, value] = row.as_slice() else {
                return Err(format!("a parameter row needs 2 cells, got {row:?}"));
            };
            let value = literal::parse(value)
                .map_err(|e| format!("parameter {name}: {e}"))?
                .to_value()
                .ok_or_else(|| format!("parameter {name}: an entity cannot be a parameter"))?;
            self.params.insert(name.clone(), value);
        }
        Ok(())
    }

    fn register_procedure(&mut self, signature: &str, rows: &[Vec<String>]) -> Result<(), String> {
        let (name, inputs, outputs) = parse_signature(signature)?;
        let header: &[String] = rows.first().map_or(&[], Vec::as_slice);
        let columns: Vec<usize> = inputs
            .iter()
            .chain(outputs.iter())
            .map(|(column, _)| {
                header
                    .iter()
                    .position(|h| h == column)
                    .ok_or_else(|| format!("the procedure table has no column {column}"))
            })
            .collect::<Result<_, _>>()?;
        let mut table_rows = Vec::new();
        for row in rows.iter().skip(1) {
            let mut values = Vec::with_capacity(columns.len());
            for &index in &columns {
                let cell = row
                    .get(index)
                    .ok_or_else(|| format!("a procedure row is too short: {row:?}"))?;
                let value = literal::parse(cell)
                    .map_err(|e| format!("procedure value {cell:?}: {e}"))?
                    .to_value()
                    .ok_or_else(|| format!("procedure value {cell:?} is not a plain value"))?;
                values.push(value);
            }
            table_rows.push(values);
        }
        self.db
            .register_procedure(ProcedureSpec {
                name,
                inputs,
                outputs,
                rows: table_rows,
            })
            .map_err(|e| format!("registering the procedure failed: {e}"))
    }

    /// Measures the graph, turning a panic inside the engine into an error so a scenario
    /// that does not look at side effects can still pass.
    fn measure(&self) -> Result<crate::graph_state::Snapshot, String> {
        catch_unwind(AssertUnwindSafe(|| snapshot(&self.db)))
            .unwrap_or_else(|_| Err("measuring the graph panicked".to_string()))
    }

    fn execute(&mut self, query: &str, control: bool) -> Result<(), String> {
        let measure = self.measure && !control;
        let before = if measure { Some(self.measure()) } else { None };
        let outcome = self.execute_text(query);
        let compile_error = match &outcome {
            Ok(_) => None,
            Err(_) => self.execute_text(&format!("EXPLAIN {query}")).err(),
        };
        let side_effects = match before {
            None => Err("side effects are not measured for this query".to_string()),
            Some(Err(e)) => Err(format!("before the query: {e}")),
            Some(Ok(before)) => self
                .measure()
                .map(|after| before.diff(&after))
                .map_err(|e| format!("after the query: {e}")),
        };
        self.last = Some(LastQuery {
            text: query.to_string(),
            outcome,
            side_effects,
            error_checked: false,
            compile_error,
        });
        Ok(())
    }

    fn last_result(&self) -> Result<&QueryResult, String> {
        let last = self
            .last
            .as_ref()
            .ok_or_else(|| "no query has been executed".to_string())?;
        last.outcome
            .as_ref()
            .map_err(|e| format!("the query failed: {e}"))
    }

    fn expect_empty(&self) -> Result<(), String> {
        let result = self.last_result()?;
        // As in the reference harness, an empty result has neither rows nor columns.
        if result.rows.is_empty() && result.columns.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "expected no rows and no columns, got {} rows, columns {:?}:\n{}",
                result.rows.len(),
                result.columns,
                render_actual(&result.rows)
            ))
        }
    }

    fn expect_table(
        &self,
        expected: &[Vec<String>],
        row_order: RowOrder,
        lists: ListOrder,
    ) -> Result<(), String> {
        let result = self.last_result()?;
        compare_table(expected, &result.columns, &result.rows, row_order, lists)?;
        if self.settings.check_rendering {
            check_rendering(&result.rows)?;
        }
        Ok(())
    }

    fn expect_side_effects(&self, rows: &[Vec<String>]) -> Result<(), String> {
        let mut expected = SideEffects::default();
        for row in rows {
            let [name, count] = row.as_slice() else {
                return Err(format!("a side-effect row needs 2 cells, got {row:?}"));
            };
            let slot = expected.get_mut(name).ok_or_else(|| {
                format!(
                    "unknown side effect {name} (known: {})",
                    SIDE_EFFECT_NAMES.join(" ")
                )
            })?;
            *slot = count
                .parse()
                .map_err(|_| format!("side effect {name}: {count:?} is not a count"))?;
        }
        let last = self
            .last
            .as_ref()
            .ok_or_else(|| "no query has been executed".to_string())?;
        if let Err(e) = &last.outcome {
            if !last.error_checked {
                return Err(format!("the query failed: {e}"));
            }
        }
        let actual = last
            .side_effects
            .as_ref()
            .map_err(|e| format!("cannot measure side effects: {e}"))?;
        if *actual == expected {
            Ok(())
        } else {
            Err(format!(
                "side effects differ: expected {expected}, got {actual}"
            ))
        }
    }

    fn expect_error(&mut self, class: &str, phase: &str, detail: &str) -> Result<(), String> {
        let last = self
            .last
            .as_mut()
            .ok_or_else(|| "no query has been executed".to_string())?;
        let error = match &last.outcome {
            Ok(result) => {
                return Err(format!(
                    "expected {class} ({detail}) at {phase}, but the query succeeded with {} rows, columns {:?}:\n{}",
                    result.rows.len(),
                    result.columns,
                    render_actual(&result.rows)
                ))
            }
            Err(error) => error,
        };
        last.error_checked = true;
        let class_ok = error.class.name() == class;
        let detail_ok = detail == "*" || error.detail == detail;
        if !class_ok || !detail_ok {
            return Err(format!(
                "expected {class} ({detail}) at {phase}, got {} ({}): {}",
                error.class.name(),
                error.detail,
                error.message
            ));
        }
        // A compile-time error is raised before anything runs, so EXPLAIN raises it too;
        // a runtime error needs the query to run, so EXPLAIN compiles it cleanly.
        match (phase, &last.compile_error) {
            ("compile time", None) => {
                return Err(format!(
                    "expected {class} ({detail}) at compile time, but the query compiles (EXPLAIN succeeds) and fails only when run"
                ))
            }
            ("runtime", Some(error)) => {
                return Err(format!(
                    "expected {class} ({detail}) at runtime, but the query does not compile: {error}"
                ))
            }
            _ => {}
        }
        match &last.side_effects {
            Ok(effects) if *effects != SideEffects::default() => {
                Err(format!("the failing query left side effects: {effects}"))
            }
            Ok(_) => Ok(()),
            // Every error step measures the graph, so an unmeasured graph is a failure
            // of the check, not a pass.
            Err(e) => Err(format!(
                "cannot check that the failing query left no side effects: {e}"
            )),
        }
    }
}

fn doc_string(step: &Step) -> Result<&str, String> {
    step.doc_string
        .as_deref()
        .ok_or_else(|| "this step needs a doc string".to_string())
}

fn table(step: &Step) -> Result<&[Vec<String>], String> {
    step.table
        .as_deref()
        .ok_or_else(|| "this step needs a table".to_string())
}

type Columns = Vec<(String, String)>;

/// Reads `test.my.proc(in :: INTEGER?, x :: STRING?) :: (out :: STRING?)` into the name,
/// the inputs and the outputs, each a (name, type) pair.
pub fn parse_signature(signature: &str) -> Result<(String, Columns, Columns), String> {
    let bad = || format!("cannot read procedure signature {signature:?}");
    let (name, rest) = signature.split_once('(').ok_or_else(bad)?;
    let (inputs, rest) = rest.split_once(')').ok_or_else(bad)?;
    let rest = rest.trim().strip_prefix("::").ok_or_else(bad)?.trim();
    let outputs = rest
        .strip_prefix('(')
        .and_then(|r| r.trim_end().strip_suffix(')'))
        .ok_or_else(bad)?;
    let columns = |list: &str| -> Result<Columns, String> {
        list.split(',')
            .map(str::trim)
            .filter(|field| !field.is_empty())
            .map(|field| {
                let (name, ty) = field.split_once("::").ok_or_else(bad)?;
                Ok((name.trim().to_string(), ty.trim().to_string()))
            })
            .collect()
    };
    Ok((name.trim().to_string(), columns(inputs)?, columns(outputs)?))
}

/// Splits a graph script into statements at `;` outside quotes and comments-free text.
pub fn split_script(script: &str) -> Vec<String> {
    let mut statements = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in script.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
                current.push(c);
            }
            None if c == ';' => statements.push(std::mem::take(&mut current)),
            None => {
                if c == '\'' || c == '"' || c == '`' {
                    quote = Some(c);
                }
                current.push(c);
            }
        }
    }
    statements.push(current);
    statements
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks of this module, run by the TCK runner before the scenarios.
pub mod selftest {
    use super::*;

    /// Every check in this module, by name.
    pub const TESTS: &[(&str, fn())] = &[
        (
            "scenario::signatures_with_inputs_and_outputs",
            signatures_with_inputs_and_outputs,
        ),
        (
            "scenario::signatures_without_columns",
            signatures_without_columns,
        ),
        ("scenario::error_steps", error_steps),
        (
            "scenario::scripts_split_at_semicolons_outside_strings",
            scripts_split_at_semicolons_outside_strings,
        ),
    ];

    fn signatures_with_inputs_and_outputs() {
        let (name, inputs, outputs) =
            parse_signature("test.my.proc(name :: STRING?, id :: INTEGER?) :: (city :: STRING?, country_code :: INTEGER?)")
                .expect("the signature parses");
        assert_eq!(name, "test.my.proc");
        assert_eq!(
            inputs,
            vec![
                ("name".to_string(), "STRING?".to_string()),
                ("id".to_string(), "INTEGER?".to_string())
            ]
        );
        assert_eq!(outputs.len(), 2);
        assert_eq!(
            outputs[1],
            ("country_code".to_string(), "INTEGER?".to_string())
        );
    }

    fn signatures_without_columns() {
        let (name, inputs, outputs) =
            parse_signature("test.doNothing() :: ()").expect("the signature parses");
        assert_eq!(name, "test.doNothing");
        assert!(inputs.is_empty() && outputs.is_empty());
        let (_, inputs, outputs) =
            parse_signature("test.my.proc(in :: INTEGER?) :: (a :: INTEGER?, b :: INTEGER?) ")
                .expect("trailing space is accepted");
        assert_eq!((inputs.len(), outputs.len()), (1, 2));
        assert!(parse_signature("test.broken").is_err());
    }

    fn error_steps() {
        assert_eq!(
            error_step("a SyntaxError should be raised at compile time: UndefinedVariable"),
            Some(("SyntaxError", "compile time", "UndefinedVariable"))
        );
        assert_eq!(
            error_step("a TypeError should be raised at any time: *"),
            Some(("TypeError", "any time", "*"))
        );
        assert_eq!(error_step("the result should be empty"), None);
    }

    fn scripts_split_at_semicolons_outside_strings() {
        assert_eq!(
            split_script("CREATE (:A {s: 'a;b'});\nCREATE (:B);\n"),
            vec!["CREATE (:A {s: 'a;b'})", "CREATE (:B)"]
        );
        assert_eq!(split_script("CREATE ()"), vec!["CREATE ()"]);
    }
}
