//! Any bytes as the CSV node and relationship files (and manifest) of one bulk import:
//! it must fail with an error or leave a consistent database holding what it reports.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skein_fuzz::import_csv(data));
