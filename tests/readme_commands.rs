//! README's two commands, read from README as a new user would copy them.
//!
//! The first (load the seed, open the REPL) is run exactly as written, from a folder
//! inside the repository that holds a copy of `seed/`, with a query and end-of-input on
//! standard input. The second (the test command) is the one `.ci/run` runs: CI reads
//! it from README, so this test checks that README has it and that `.ci/run` takes it
//! from there rather than from a copy that could drift.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The shell commands in the `sh` blocks of README's "The two commands" section.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md"))
        .unwrap_or_else(|e| panic!("cannot read README.md: {e}"));
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("The two commands"))
        .unwrap_or_else(|| panic!("README has no '## The two commands' section"));
    let mut commands = Vec::new();
    let mut lines = section.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```sh" {
            let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            commands.push(block.join("\n").trim().to_string());
        }
    }
    commands
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {to:?}: {e}"));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {from:?}: {e}")) {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {from:?}: {e}"));
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target)
                .unwrap_or_else(|e| panic!("cannot copy {:?}: {e}", entry.path()));
        }
    }
}

#[test]
fn readme_has_exactly_two_commands() {
    let commands = readme_commands();
    assert_eq!(commands.len(), 2, "README's two commands: {commands:?}");
    assert!(commands[0].starts_with("cargo run"), "{commands:?}");
    assert!(commands[1].contains("cargo test"), "{commands:?}");
}

#[test]
fn ci_runs_the_test_command_read_from_readme() {
    let ci = std::fs::read_to_string(Path::new(ROOT).join(".ci/run"))
        .unwrap_or_else(|e| panic!("cannot read .ci/run: {e}"));
    let test_command = &readme_commands()[1];
    assert!(
        !ci.contains(test_command.as_str()),
        ".ci/run keeps its own copy of README's test command instead of reading README"
    );
    assert!(
        ci.contains("README.md"),
        ".ci/run does not read the test command from README.md"
    );
}

#[test]
fn first_command_loads_the_seed_and_opens_the_shell() {
    let command = readme_commands().remove(0);
    // A folder below the repository, so `cargo` finds skein's manifest by walking up and
    // the command's relative paths (`seed/`, the default `./skein.db`) resolve inside it.
    let dir: PathBuf = Path::new(ROOT).join("target").join("readme-first-command");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("cannot clear {dir:?}: {e}"));
    }
    copy_dir(&Path::new(ROOT).join("seed"), &dir.join("seed"));

    let run = |input: &str| {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&command)
            .current_dir(&dir)
            .env("SKEIN_HISTORY", dir.join("history"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write to {command:?}: {e}"));
        let output = child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {command:?}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(
            output.status.success(),
            "{command:?} failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        (stdout, stderr)
    };

    let query = "MATCH (c:Country) RETURN c.name AS name ORDER BY name;\n";
    let (first, stderr) = run(query);
    assert!(stderr.contains("loaded seed/"), "{stderr}");
    assert!(
        first.contains("North Korea") && first.contains("Russia"),
        "{first}"
    );
    assert!(dir.join("skein.db").is_dir(), "no ./skein.db was created");

    // README says loading is idempotent: the second run merges, it does not duplicate.
    let count = "MATCH (n) RETURN count(n) AS n;\n";
    let (once, _) = run(count);
    let (twice, _) = run(count);
    assert_eq!(
        once, twice,
        "running the first command again changed the graph"
    );
    std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("cannot remove {dir:?}: {e}"));
}
