//! The `skein` binary: hands its arguments to the CLI and returns its exit code.
fn main() {}
