//! Arbitrary parts through the multipart writer and back through the parser.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mm7::fuzz::mime_roundtrip(data));
