//! Any bytes as a `.jsonl` fact file: loading it must fail with an error naming the file
//! or leave a consistent database that loading the same file again does not change.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skein_fuzz::load_jsonl(data));
