//! A full disk, through the real `skein` binary on a small tmpfs: statements until the
//! disk is full, then a bulk import that runs out of room part way. Each failure must be
//! a clear error naming the folder with exit code 2 and no hang or panic; after space is
//! freed the database must open, check clean, hold exactly the acknowledged statements
//! (nothing of the failed import) and take writes again.
//!
//! Mounting needs root (or CAP_SYS_ADMIN); where `mount -t tmpfs` fails the test says so
//! and passes without running.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// A tmpfs mounted for the test, unmounted when dropped.
struct SmallDisk {
    mount_point: PathBuf,
}

impl SmallDisk {
    /// `None` (after saying why) where this machine cannot mount one.
    fn mount(mount_point: &Path, megabytes: u32) -> Option<SmallDisk> {
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(mount_point)
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !mounted {
            eprintln!(
                "storage_disk_full: skipped: cannot mount a tmpfs at {} (needs root)",
                mount_point.display()
            );
            return None;
        }
        Some(SmallDisk {
            mount_point: mount_point.to_path_buf(),
        })
    }

    /// Grows (or shrinks) the filesystem to `megabytes`, keeping its files.
    fn resize(&self, megabytes: u32) -> TestResult {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,size={megabytes}m")])
            .arg(&self.mount_point)
            .status()?;
        assert!(status.success(), "cannot resize the tmpfs");
        Ok(())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&self.mount_point)
            .status();
    }
}

/// Runs skein with `args` and `stdin`, failing the test if it has not exited within a
/// minute (a hang on a full disk is one of the failures looked for).
fn skein(args: &[&str], stdin: &str) -> std::result::Result<Output, Box<dyn std::error::Error>> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_skein"))
        .args(args)
        .env_remove("SKEIN_HISTORY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut input = child.stdin.take().ok_or("no stdin")?;
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || {
        // skein may stop reading at its first error: a broken pipe here is expected.
        let _ = input.write_all(text.as_bytes());
    });
    let started = Instant::now();
    while child.try_wait()?.is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("skein {args:?} did not exit within 60 s").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output()?;
    let _ = writer.join();
    Ok(output)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_no_panic(output: &Output) {
    let err = stderr(output);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "skein panicked:\n{err}"
    );
}

/// The one value a `--format csv` query returned.
fn single_value(output: &Output) -> String {
    let out = String::from_utf8_lossy(&output.stdout);
    out.lines().nth(1).unwrap_or_default().to_string()
}

#[test]
fn a_full_disk_keeps_every_commit_and_the_database_works_after_space_is_freed() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mount_point = dir.path().join("disk");
    std::fs::create_dir(&mount_point)?;
    let Some(disk) = SmallDisk::mount(&mount_point, 8) else {
        return Ok(());
    };
    let db = mount_point.join("kg.db");
    let db_arg = db.to_str().ok_or("path")?;

    // Statements, each its own commit, until the disk is full (8 MiB, ~2 KB each).
    let script: String = (0..8000)
        .map(|i| {
            format!(
                "CREATE (:Item {{i: {i}, pad: '{}'}}) RETURN {i} AS ack;\n",
                "x".repeat(2000)
            )
        })
        .collect();
    let filled = skein(&["--db", db_arg, "--format", "csv"], &script)?;
    assert_no_panic(&filled);
    assert_eq!(filled.status.code(), Some(2), "{}", stderr(&filled));
    let message = stderr(&filled);
    assert!(
        message.contains("is full") && message.contains(db_arg),
        "the error should say the disk is full and name the folder:\n{message}"
    );
    let acknowledged = String::from_utf8_lossy(&filled.stdout)
        .lines()
        .filter(|line| *line != "ack")
        .count();
    assert!(
        acknowledged > 0 && acknowledged < 8000,
        "{acknowledged} statements acknowledged"
    );

    // Room for a little more, not for an import of ~6 MB.
    disk.resize(10)?;
    let csv = dir.path().join("nodes_Bulk.csv");
    let rows: String = (0..30_000)
        .map(|i| format!("{i},{}\n", "y".repeat(200)))
        .collect();
    std::fs::write(&csv, format!("id,pad\n{rows}"))?;
    let csv_arg = csv.to_str().ok_or("path")?;
    let import = skein(&["--db", db_arg, "-q", "import", "--nodes", csv_arg], "")?;
    assert_no_panic(&import);
    assert_eq!(import.status.code(), Some(2), "{}", stderr(&import));
    assert!(
        stderr(&import).contains(db_arg),
        "the import's error should name the folder:\n{}",
        stderr(&import)
    );

    // Space freed: the database opens (undoing what the import wrote), checks clean and
    // holds exactly the acknowledged statements.
    disk.resize(256)?;
    let check = skein(&["--db", db_arg, "check"], "")?;
    assert_no_panic(&check);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    let count = |query: &str| -> std::result::Result<String, Box<dyn std::error::Error>> {
        let output = skein(&["--db", db_arg, "--format", "csv", "-c", query], "")?;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        Ok(single_value(&output))
    };
    assert_eq!(
        count("MATCH (n:Item) RETURN count(n)")?,
        acknowledged.to_string()
    );
    assert_eq!(
        count("MATCH (n:Item) RETURN max(n.i)")?,
        (acknowledged - 1).to_string()
    );
    assert_eq!(count("MATCH (n:Bulk) RETURN count(n)")?, "0");

    // And it takes writes again: a statement, then the import that failed.
    assert_eq!(count("CREATE (n:Item {i: -1}) RETURN n.i")?, "-1");
    let import = skein(&["--db", db_arg, "-q", "import", "--nodes", csv_arg], "")?;
    assert_eq!(import.status.code(), Some(0), "{}", stderr(&import));
    assert_eq!(count("MATCH (n:Bulk) RETURN count(n)")?, "30000");
    let check = skein(&["--db", db_arg, "check"], "")?;
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
    Ok(())
}
