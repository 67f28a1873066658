//! The `skein` binary: hands its arguments to the CLI and returns its exit code.

fn main() -> std::process::ExitCode {
    let code = skein::cli::run(std::env::args_os());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
