//! Damaged database folders through the real `skein` binary: a closed database is copied,
//! a random byte of a random file is flipped (or a random file cut short), and the copy is
//! opened by `skein check` and by a batch of queries in a child process with a timeout.
//!
//! Every trial must end in one of two ways: the damage is reported (exit code 1 or 2 with
//! a message, no panic), or the copy opens, checks clean and answers every query exactly
//! as the undamaged database does (the byte was in space nothing reads). A panic, a hang,
//! or a clean check with different answers fails the test.
//!
//! Trials are seeded and reproducible: `SKEIN_DAMAGE_SEED` (default 19) and
//! `SKEIN_DAMAGE_TRIALS` (default 600). A failing trial prints its seed, file and damage.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// How long one child may run before the trial counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The graph: nodes, relationships, properties of several types, an index, a
/// constraint, a deleted node, and one value large enough for sled to keep apart.
const SETUP: &str = "CREATE INDEX FOR (p:Person) ON (p.name); \
    CREATE CONSTRAINT FOR (c:Country) REQUIRE c.iso IS UNIQUE; \
    UNWIND range(0, 999) AS i CREATE (:Person {name: 'p' + toString(i), age: i % 90, score: i * 1.5, tags: ['a', toString(i)]}); \
    UNWIND ['NOR', 'SWE', 'FIN', 'DNK'] AS iso CREATE (:Country {iso: iso}); \
    MATCH (a:Person), (b:Person) WHERE b.age = (a.age + 1) % 90 AND a.name < b.name CREATE (a)-[:KNOWS {since: a.age}]->(b); \
    MATCH (p:Person), (c:Country) WHERE p.age % 4 = CASE c.iso WHEN 'NOR' THEN 0 WHEN 'SWE' THEN 1 WHEN 'FIN' THEN 2 ELSE 3 END CREATE (p)-[:LIVES_IN]->(c); \
    WITH 'bio 4000, ' AS s WITH s + s + s + s + s + s + s + s + s + s AS s \
    WITH s + s + s + s + s + s + s + s + s + s AS s WITH s + s + s + s + s + s + s + s + s + s AS s \
    WITH s + s + s + s + s + s + s + s + s + s AS s WITH s + s + s AS s \
    MATCH (p:Person {name: 'p7'}) SET p:Employee, p.bio = s; \
    CREATE (x:Temp {n: 1}) WITH x DELETE x";

/// What every copy is asked; the answers of the undamaged database are the reference.
const QUERIES: &str = "MATCH (n) RETURN id(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id; \
    MATCH (a)-[r]->(b) RETURN id(r) AS id, type(r) AS type, id(a) AS a, id(b) AS b, properties(r) AS props ORDER BY id; \
    MATCH (p:Person {name: 'p42'}) RETURN p.age AS age; \
    MATCH (c:Country {iso: 'FIN'}) RETURN count(c) AS n; \
    MATCH (:Person)-[:KNOWS]->(b) RETURN count(b) AS knows; \
    SHOW INDEXES; \
    SHOW CONSTRAINTS";

fn skein() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_skein"));
    command.env_remove("SKEIN_HISTORY");
    command.env_remove("RUST_BACKTRACE");
    command.env_remove("RUST_LOG");
    command
}

/// What a child did: its exit status (`None` when it had to be killed), stdout, stderr.
struct Run {
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    fn panicked(&self) -> bool {
        self.stderr.contains("panicked")
            || self.stderr.contains("RUST_BACKTRACE")
            || self.code() == Some(101)
            || self.status.is_some_and(|s| s.code().is_none())
    }

    fn describe(&self) -> String {
        format!(
            "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status,
            self.stdout.chars().take(2000).collect::<String>(),
            self.stderr.chars().take(2000).collect::<String>()
        )
    }
}

fn run(args: &[&str]) -> Result<Run, Box<dyn std::error::Error>> {
    let mut child = skein()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut stdout = child.stdout.take().ok_or("no stdout")?;
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            child.kill()?;
            child.wait()?;
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Ok(Run {
        status,
        stdout: out.join().map_err(|_| "stdout reader failed")?,
        stderr: err.join().map_err(|_| "stderr reader failed")?,
    })
}

fn query(db: &Path) -> Result<Run, Box<dyn std::error::Error>> {
    let db = db.to_str().ok_or("path is not UTF-8")?;
    run(&["--db", db, "--format", "json", "-c", QUERIES])
}

fn check(db: &Path) -> Result<Run, Box<dyn std::error::Error>> {
    let db = db.to_str().ok_or("path is not UTF-8")?;
    run(&["check", "--db", db])
}

/// A deterministic pseudo-random sequence (splitmix64), so a seed names a run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Every file under `dir`, relative to it, in a stable order.
fn files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push(relative.to_path_buf());
            }
        }
    }
    found.sort();
    Ok(found)
}

fn copy_folder(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for file in files(from)? {
        let target = to.join(&file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::copy(from.join(&file), target)?;
    }
    Ok(())
}

/// Damages one file of `db`: flips 1 to 4 bytes, or cuts the file at a random length.
/// Returns what was done, for the failure message. `None` when the file is empty.
fn damage(db: &Path, file: &Path, rng: &mut Rng) -> std::io::Result<Option<String>> {
    let path = db.join(file);
    let mut bytes = std::fs::read(&path)?;
    if bytes.is_empty() {
        return Ok(None);
    }
    let len = bytes.len() as u64;
    if rng.below(4) == 0 {
        let keep = rng.below(len);
        bytes.truncate(usize::try_from(keep).unwrap_or(0));
        std::fs::write(&path, &bytes)?;
        return Ok(Some(format!(
            "{} cut from {len} to {keep} bytes",
            file.display()
        )));
    }
    let mut flipped = Vec::new();
    for _ in 0..=rng.below(4) {
        let at = rng.below(len);
        let mask = 1 + rng.below(255);
        if let Some(byte) = bytes.get_mut(usize::try_from(at).unwrap_or(usize::MAX)) {
            *byte ^= u8::try_from(mask).unwrap_or(1);
            flipped.push(format!("{at}^{mask:#04x}"));
        }
    }
    std::fs::write(&path, &bytes)?;
    Ok(Some(format!(
        "{} ({len} bytes) flipped at {}",
        file.display(),
        flipped.join(", ")
    )))
}

/// A file of `names`: half the time any one alike, half the time weighted by size (most
/// of the bytes are sled's log, where most damage would land).
fn pick<'a>(
    db: &Path,
    names: &'a [PathBuf],
    rng: &mut Rng,
) -> Result<&'a Path, Box<dyn std::error::Error>> {
    if rng.below(2) == 0 {
        let at = usize::try_from(rng.below(names.len() as u64))?;
        return Ok(names.get(at).ok_or("no files")?);
    }
    let mut sizes = Vec::new();
    for name in names {
        sizes.push(std::fs::metadata(db.join(name))?.len());
    }
    let mut at = rng.below(sizes.iter().sum());
    for (name, size) in names.iter().zip(sizes) {
        if at < size {
            return Ok(name);
        }
        at -= size;
    }
    Ok(names.first().ok_or("no files")?)
}

#[derive(Default)]
struct Outcomes {
    /// `skein check` exited 2: the folder could not be opened.
    refused_at_open: u64,
    /// `skein check` exited 1: it opened and problems were listed.
    check_found_problems: u64,
    /// Check clean, but the queries were refused with a storage error.
    queries_refused: u64,
    /// Check clean and every answer equal to the original's.
    unchanged: u64,
    /// Failures: a panic, a hang, or a clean check with different answers.
    failures: Vec<String>,
}

#[test]
fn damaged_copies_are_reported_or_read_unchanged() -> TestResult {
    let seed = env_or("SKEIN_DAMAGE_SEED", 19);
    let trials = env_or("SKEIN_DAMAGE_TRIALS", 600);
    let scratch = tempfile::tempdir()?;
    let original = scratch.path().join("original");
    let original_text = original.to_str().ok_or("path is not UTF-8")?;
    let setup = run(&["--db", original_text, "-c", SETUP])?;
    assert_eq!(setup.code(), Some(0), "setup failed: {}", setup.describe());
    // The original is never opened again: its log still holds every commit of the
    // setup after sled's last snapshot, where a damaged message reads as a torn end.
    let pristine = scratch.path().join("pristine");
    copy_folder(&original, &pristine)?;
    let clean = check(&pristine)?;
    assert_eq!(clean.code(), Some(0), "{}", clean.describe());
    let reference = query(&pristine)?;
    assert_eq!(reference.code(), Some(0), "{}", reference.describe());
    assert!(
        reference.stdout.contains("bio 4000"),
        "{}",
        reference.describe()
    );
    // The second base has been opened again since (check, queries, one more session that
    // writes), so sled has a snapshot and its log a part the snapshot covers.
    let pristine_text = pristine.to_str().ok_or("path is not UTF-8")?;
    let later = run(&[
        "--db",
        pristine_text,
        "-c",
        "CREATE (t:Later) WITH t DELETE t",
    ])?;
    assert_eq!(later.code(), Some(0), "{}", later.describe());
    let again = query(&pristine)?;
    assert_eq!(again.stdout, reference.stdout, "{}", again.describe());
    let bases = [
        (original.clone(), files(&original)?),
        (pristine.clone(), files(&pristine)?),
    ];
    for (base, names) in &bases {
        println!("{}: {names:?}", base.display());
    }

    let mut rng = Rng(seed);
    let mut outcomes = Outcomes::default();
    let copy = scratch.path().join("copy");
    for trial in 0..trials {
        if copy.exists() {
            std::fs::remove_dir_all(&copy)?;
        }
        let (base, names) = bases.get(usize::try_from(trial % 2)?).ok_or("no base")?;
        copy_folder(base, &copy)?;
        let file = pick(base, names, &mut rng)?;
        let Some(done) = damage(&copy, file, &mut rng)? else {
            continue;
        };
        let what = format!(
            "trial {trial} (seed {seed}), a copy of {}: {done}",
            base.display()
        );
        let checked = check(&copy)?;
        if checked.status.is_none() || checked.panicked() {
            outcomes.failures.push(format!(
                "{what}: skein check hung or panicked\n{}",
                checked.describe()
            ));
            continue;
        }
        let answered = query(&copy)?;
        if answered.status.is_none() || answered.panicked() {
            outcomes.failures.push(format!(
                "{what}: the queries hung or panicked\n{}",
                answered.describe()
            ));
            continue;
        }
        match checked.code() {
            Some(2) if !checked.stderr.trim().is_empty() => {
                if std::env::var_os("SKEIN_DAMAGE_VERBOSE").is_some() {
                    println!("{what}: {}", checked.stderr.trim());
                }
                outcomes.refused_at_open += 1
            }
            Some(1) if checked.stdout.contains("problems found") => {
                if std::env::var_os("SKEIN_DAMAGE_VERBOSE").is_some() {
                    println!("{what}: {}", checked.stdout.trim());
                }
                outcomes.check_found_problems += 1
            }
            Some(0) => match answered.code() {
                Some(0) if answered.stdout == reference.stdout => outcomes.unchanged += 1,
                Some(2) if !answered.stderr.trim().is_empty() => outcomes.queries_refused += 1,
                _ => outcomes.failures.push(format!(
                    "{what}: checked clean but answered differently\n{}",
                    answered.describe()
                )),
            },
            _ => outcomes.failures.push(format!(
                "{what}: skein check said nothing clear\n{}",
                checked.describe()
            )),
        }
    }
    println!(
        "{trials} trials: {} refused at open, {} with problems found by check, {} checked clean but refused by the queries, {} read unchanged, {} failures",
        outcomes.refused_at_open,
        outcomes.check_found_problems,
        outcomes.queries_refused,
        outcomes.unchanged,
        outcomes.failures.len()
    );
    assert!(
        outcomes.failures.is_empty(),
        "{} failures:\n{}",
        outcomes.failures.len(),
        outcomes.failures.join("\n\n")
    );
    Ok(())
}
