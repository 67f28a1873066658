//! Any bytes, read as UTF-8 (lossy), through skein's parser: it must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skein_fuzz::parse(data));
