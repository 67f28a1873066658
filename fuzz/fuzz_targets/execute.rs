//! Any text run as one statement on a fresh in-memory database with a small fixed graph:
//! errors are fine, panics are not.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skein_fuzz::execute(data));
