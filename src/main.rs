//! The `skein` binary: hands its arguments to the CLI and returns its exit code.

/// mimalloc: the executor allocates many small, short-lived values (rows, strings,
/// group keys), where it is several times faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let code = skein::run_command_line(std::env::args_os());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(1))
}
