//! Any bytes as a Bolt connection's input (handshake, chunks, messages, PackStream
//! parameters) through skein serve's decoder: it must never panic.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| skein_fuzz::bolt(data));
