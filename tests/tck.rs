//! The openCypher TCK, run through skein's public API.
//!
//! Reads every `.feature` file under the folder named by `SKEIN_TCK` (named graphs are
//! read from `SKEIN_TCK/../graphs`), runs each scenario on a fresh temporary database in
//! its own thread with a timeout (a hang or a panic fails that scenario only), prints
//! passed and failed scenarios per folder, and ends with the line `N passed, N failed`.
//!
//! Before any scenario, the runner's own checks run (Gherkin reader, literal parser,
//! comparison, side-effect diff, step helpers: each module's `selftest`); if one fails,
//! the TCK is not run, since its numbers would mean nothing.
//!
//! `tests/tck_known_failures.txt` names every scenario known to fail, each with its
//! reason (`known_failures` reads and compares it). The run fails when a scenario not on
//! the list fails (a regression), when a listed one passes (remove it from the list),
//! when a listed name matches no scenario of the TCK (stale), and when a line of the list
//! is malformed.
//!
//! Environment:
//! - `SKEIN_TCK`: the TCK's `features` folder. Unset: the run says so, and fails when
//!   `CI` is set.
//! - `SKEIN_TCK_FILTER`: run only scenarios whose `path: name` contains this text; the
//!   list is checked against those only (a listed scenario filtered out is not reported).
//! - `SKEIN_TCK_VERBOSE=1`: print every failure's reason (step, query, expected vs actual).
//! - `SKEIN_TCK_CHECK_RENDERING=1`: also fail a scenario whose result values do not read
//!   back from their literal rendering (`Value`'s `Display`, which the binary's
//!   `--format literal` prints and the external runner reads).
//! - `SKEIN_TCK_BLESS=1`: rewrite the list from the run: its failures, keeping the
//!   reasons already written and giving new ones `reason: TODO` (with a filter, listed
//!   scenarios that did not run stay listed).
//! - `SKEIN_TCK_THREADS`: scenarios run at once (default 2).
//! - `SKEIN_TCK_TIMEOUT`: seconds before a scenario counts as hung (default 30: the
//!   slowest scenario takes a few seconds in a debug build, and a loaded machine must
//!   not turn slow into failed).

#[path = "tck/compare.rs"]
mod compare;
#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/graph_state.rs"]
mod graph_state;
#[path = "tck/known_failures.rs"]
mod known_failures;
#[path = "tck/literal.rs"]
mod literal;
#[path = "tck/scenario.rs"]
mod scenario;

use gherkin::Scenario;
use skein::{CancelToken, QueryOptions};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

const KNOWN_FAILURES_FILE: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tck_known_failures.txt");
const SCENARIO_THREAD: &str = "tck-scenario";

/// One scenario to run, with where it came from.
struct Job {
    /// The feature file's path under the features folder, with `/` separators.
    file: String,
    /// The two folder levels under the features folder, e.g. `clauses/match`.
    group: String,
    scenario: Arc<Scenario>,
}

impl Job {
    fn title(&self) -> String {
        match self.scenario.example {
            Some(n) => format!("{}: {} (example {n})", self.file, self.scenario.name),
            None => format!("{}: {}", self.file, self.scenario.name),
        }
    }
}

fn main() -> ExitCode {
    if !run_self_tests() {
        return ExitCode::FAILURE;
    }
    let Some(features) = std::env::var_os("SKEIN_TCK").filter(|v| !v.is_empty()) else {
        println!("SKEIN_TCK is not set: the openCypher TCK was not run.");
        println!("Set it to the TCK's features folder, e.g. SKEIN_TCK=../shared/tck/features cargo test --test tck");
        if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
            println!("CI is set, so a TCK run that did not happen is a failure.");
            return ExitCode::FAILURE;
        }
        return ExitCode::SUCCESS;
    };
    let features = PathBuf::from(features);
    let settings = scenario::Settings {
        graphs_dir: features.join("..").join("graphs"),
        check_rendering: env_flag("SKEIN_TCK_CHECK_RENDERING"),
    };
    let filter = std::env::var("SKEIN_TCK_FILTER")
        .ok()
        .filter(|f| !f.is_empty());
    let verbose = env_flag("SKEIN_TCK_VERBOSE");
    let bless = env_flag("SKEIN_TCK_BLESS");
    let threads = env_number("SKEIN_TCK_THREADS").unwrap_or(2).max(1);
    let timeout = Duration::from_secs(env_number("SKEIN_TCK_TIMEOUT").unwrap_or(30).max(1) as u64);

    let mut files = Vec::new();
    if let Err(e) = collect_features(&features, &mut files) {
        println!("cannot read the TCK folder {}: {e}", features.display());
        return ExitCode::FAILURE;
    }
    files.sort();
    if files.is_empty() {
        println!("no .feature files under {}", features.display());
        return ExitCode::FAILURE;
    }

    let known = match read_known_failures() {
        Ok(entries) => entries,
        Err(errors) => {
            println!("{KNOWN_FAILURES_FILE} is malformed:");
            for error in &errors {
                println!("  {error}");
            }
            println!(
                "the TCK is not run: fix the list by hand (bless mode, too, needs a readable list to keep its reasons)"
            );
            return ExitCode::FAILURE;
        }
    };

    let mut jobs = Vec::new();
    let mut all_titles = Vec::new();
    let mut unreadable = 0;
    for path in &files {
        let relative = relative_path(&features, path);
        let parsed = std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|text| gherkin::parse_feature(&text).map_err(|e| e.to_string()));
        let feature = match parsed {
            Ok(feature) => feature,
            Err(e) => {
                println!("cannot read {relative}: {e}");
                unreadable += 1;
                continue;
            }
        };
        let group = group_of(&relative);
        for scenario in feature.scenarios {
            let job = Job {
                file: relative.clone(),
                group: group.clone(),
                scenario: Arc::new(scenario),
            };
            all_titles.push(job.title());
            if filter
                .as_ref()
                .is_none_or(|f| job.title().contains(f.as_str()))
            {
                jobs.push(job);
            }
        }
    }

    println!(
        "{} feature files, {} scenarios to run on {threads} threads",
        files.len(),
        jobs.len()
    );
    install_panic_hook();
    let outcomes = run_all(&jobs, &settings, threads, timeout);

    let mut groups: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut passed = 0;
    let mut failed = 0;
    for (job, outcome) in jobs.iter().zip(&outcomes) {
        let entry = groups.entry(job.group.as_str()).or_default();
        match &outcome.result {
            Ok(()) => {
                entry.0 += 1;
                passed += 1;
            }
            Err(reason) => {
                entry.1 += 1;
                failed += 1;
                if verbose {
                    println!(
                        "FAILED {} (line {})\n  {}\n",
                        job.title(),
                        job.scenario.line,
                        reason.replace('\n', "\n  ")
                    );
                }
            }
        }
    }
    if verbose {
        print_slowest(&jobs, &outcomes);
    }
    print_table(&groups, passed, failed);

    let mut ok = unreadable == 0;
    if unreadable > 0 {
        println!("{unreadable} feature files could not be read");
    }
    let run: Vec<(String, bool)> = jobs
        .iter()
        .zip(&outcomes)
        .map(|(job, outcome)| (job.title(), outcome.result.is_ok()))
        .collect();
    if bless {
        ok &= write_known_failures(&known, &all_titles, &run);
    } else {
        let reasons: BTreeMap<String, &str> = jobs
            .iter()
            .zip(&outcomes)
            .filter_map(|(job, outcome)| {
                outcome
                    .result
                    .as_ref()
                    .err()
                    .map(|r| (job.title(), r.as_str()))
            })
            .collect();
        ok &= check_known_failures(&known, &all_titles, &run, &reasons, filter.is_some());
    }
    println!("{passed} passed, {failed} failed");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs the runner's own checks (Gherkin, literals, comparison, side effects, steps);
/// `false` when one fails, since the TCK's numbers would then mean nothing.
fn run_self_tests() -> bool {
    let suites = [
        gherkin::selftest::TESTS,
        literal::selftest::TESTS,
        compare::selftest::TESTS,
        graph_state::selftest::TESTS,
        scenario::selftest::TESTS,
        known_failures::selftest::TESTS,
    ];
    let mut failures = 0;
    let mut count = 0;
    for (name, test) in suites.into_iter().flatten() {
        count += 1;
        if std::panic::catch_unwind(test).is_err() {
            println!("runner self-test FAILED: {name}");
            failures += 1;
        }
    }
    if failures == 0 {
        println!("runner self-tests: {count} passed");
    } else {
        println!("runner self-tests: {failures} of {count} failed; the TCK is not run");
    }
    failures == 0
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0")
}

fn env_number(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn collect_features(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_features(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "feature") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative_path(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The first two folder levels of a feature file's path (`clauses/match`), or as many
/// as there are.
fn group_of(relative: &str) -> String {
    let folders: Vec<&str> = relative.split('/').collect();
    let folders = folders.split_last().map_or(&[][..], |(_, dirs)| dirs);
    let group = folders
        .iter()
        .take(2)
        .copied()
        .collect::<Vec<_>>()
        .join("/");
    if group.is_empty() {
        ".".to_string()
    } else {
        group
    }
}

thread_local! {
    /// Where and why the current scenario thread panicked, set by the panic hook.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Scenario threads record their panics instead of printing them (an engine still made
/// of `todo!()` would otherwise print thousands); other threads keep the default report.
fn install_panic_hook() {
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(SCENARIO_THREAD) {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_string());
            let place = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST_PANIC.with(|slot| *slot.borrow_mut() = Some(format!("{message}{place}")));
        } else {
            default_hook(info);
        }
    }));
}

/// How one scenario went and how long it took (wall clock, for the slowest-scenarios
/// list only).
struct Outcome {
    result: Result<(), String>,
    elapsed: Duration,
}

/// Runs the jobs on `threads` workers; the outcomes come back in the jobs' order.
fn run_all(
    jobs: &[Job],
    settings: &scenario::Settings,
    threads: usize,
    timeout: Duration,
) -> Vec<Outcome> {
    let next = AtomicUsize::new(0);
    let outcomes: Mutex<Vec<Option<Outcome>>> = Mutex::new(jobs.iter().map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.min(jobs.len().max(1)) {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else {
                    break;
                };
                let started = Instant::now();
                let result = run_guarded(job, settings, timeout);
                let outcome = Outcome {
                    result,
                    elapsed: started.elapsed(),
                };
                if let Ok(mut slots) = outcomes.lock() {
                    if let Some(slot) = slots.get_mut(index) {
                        *slot = Some(outcome);
                    }
                }
            });
        }
    });
    outcomes
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Outcome {
                result: Err("the scenario was not run".to_string()),
                elapsed: Duration::ZERO,
            })
        })
        .collect()
}

/// Lists the ten slowest scenarios, for whoever works on performance.
fn print_slowest(jobs: &[Job], outcomes: &[Outcome]) {
    let mut timed: Vec<(&Job, &Outcome)> = jobs.iter().zip(outcomes).collect();
    timed.sort_by_key(|(_, outcome)| std::cmp::Reverse(outcome.elapsed));
    println!("slowest scenarios:");
    for (job, outcome) in timed.iter().take(10) {
        println!(
            "  {:>8.3} s  {}",
            outcome.elapsed.as_secs_f64(),
            job.title()
        );
    }
}

/// Runs one scenario in its own thread: a panic or a hang fails this scenario only. A
/// hung scenario is cancelled through its token and left behind.
fn run_guarded(job: &Job, settings: &scenario::Settings, timeout: Duration) -> Result<(), String> {
    let cancel = CancelToken::new();
    let options = QueryOptions {
        cancel: Some(cancel.clone()),
        timeout: None,
        ..Default::default()
    };
    let scenario = Arc::clone(&job.scenario);
    let settings = settings.clone();
    let current_step = Arc::new(Mutex::new(String::new()));
    let step_in_thread = Arc::clone(&current_step);
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name(SCENARIO_THREAD.to_string())
        .stack_size(32 * 1024 * 1024)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                scenario::run(&scenario, &settings, options, &step_in_thread)
            }))
            .unwrap_or_else(|_| {
                let panic = LAST_PANIC.with(|slot| slot.borrow_mut().take());
                Err(format!(
                    "panicked: {}",
                    panic.unwrap_or_else(|| "no message".to_string())
                ))
            });
            // The receiver is gone only when the scenario already timed out.
            let _ = sender.send(outcome);
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start a thread for the scenario: {e}"));
    }
    match receiver.recv_timeout(timeout) {
        Ok(outcome) => outcome,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            cancel.cancel();
            let step = current_step
                .lock()
                .map(|step| step.clone())
                .unwrap_or_default();
            Err(format!(
                "timed out after {} s, in {step}",
                timeout.as_secs()
            ))
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Err("the scenario thread ended without an outcome".to_string())
        }
    }
}

fn print_table(groups: &BTreeMap<&str, (usize, usize)>, passed: usize, failed: usize) {
    let width = groups
        .keys()
        .map(|g| g.len())
        .max()
        .unwrap_or(0)
        .max("folder".len());
    println!();
    println!(
        "{:<width$}  {:>7}  {:>7}  {:>7}  {:>7}",
        "folder", "passed", "failed", "total", "pass %"
    );
    let row = |name: &str, passed: usize, failed: usize| {
        let total = passed + failed;
        let percent = if total == 0 {
            0.0
        } else {
            100.0 * passed as f64 / total as f64
        };
        println!("{name:<width$}  {passed:>7}  {failed:>7}  {total:>7}  {percent:>6.1}%");
    };
    for (group, (group_passed, group_failed)) in groups {
        row(group, *group_passed, *group_failed);
    }
    println!("{}", "-".repeat(width + 36));
    row("total", passed, failed);
    println!();
}

/// Reads the list of known failures; a missing file is an empty list.
fn read_known_failures() -> Result<Vec<known_failures::Entry>, Vec<String>> {
    match std::fs::read_to_string(KNOWN_FAILURES_FILE) {
        Ok(text) => known_failures::parse(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(vec![format!("cannot read it: {e}")]),
    }
}

/// Compares the run with the list and says what differs; `false` when the run fails.
fn check_known_failures(
    known: &[known_failures::Entry],
    all_titles: &[String],
    run: &[(String, bool)],
    reasons: &BTreeMap<String, &str>,
    filtered: bool,
) -> bool {
    let verdict = known_failures::compare(known, all_titles, run);
    for title in &verdict.regressions {
        let reason = reasons.get(title).copied().unwrap_or_default();
        // The step and the first lines of what went wrong; SKEIN_TCK_VERBOSE prints all.
        let lines: Vec<&str> = reason.lines().take(3).collect();
        println!(
            "REGRESSION (failed, not a known failure): {title}\n  {}",
            lines.join("\n  ")
        );
    }
    for title in &verdict.now_passing {
        println!("now passes: remove it from the list of known failures: {title}");
    }
    for title in &verdict.stale {
        println!("stale: the list of known failures names no scenario of the TCK: {title}");
    }
    for title in &verdict.todo {
        println!("known failure without a reason yet (reason: TODO): {title}");
    }
    let scope = if filtered {
        " (among the scenarios the filter kept)"
    } else {
        ""
    };
    println!(
        "known failures: {} listed in tests/tck_known_failures.txt, {} failed as listed{scope}",
        known.len(),
        verdict.known_failed
    );
    if !verdict.is_clean() {
        println!(
            "{} regressions, {} now passing, {} stale; after checking each, SKEIN_TCK_BLESS=1 cargo test --test tck rewrites the list",
            verdict.regressions.len(),
            verdict.now_passing.len(),
            verdict.stale.len()
        );
    }
    verdict.is_clean()
}

/// Bless mode: writes the list anew from the run, keeping the reasons already there.
fn write_known_failures(
    known: &[known_failures::Entry],
    all_titles: &[String],
    run: &[(String, bool)],
) -> bool {
    let text = known_failures::bless(known, all_titles, run);
    match std::fs::write(KNOWN_FAILURES_FILE, &text) {
        Ok(()) => {
            let entries = text
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count();
            let todo_suffix = format!(
                "{}{}",
                known_failures::SEPARATOR,
                known_failures::TODO_REASON
            );
            let todo = text.lines().filter(|l| l.ends_with(&todo_suffix)).count();
            println!(
                "bless: wrote {entries} known failures to tests/tck_known_failures.txt ({todo} with reason: TODO, to be written by hand)"
            );
            true
        }
        Err(e) => {
            println!("cannot write {KNOWN_FAILURES_FILE}: {e}");
            false
        }
    }
}
