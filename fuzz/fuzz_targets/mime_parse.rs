//! Arbitrary Content-Type (first line) and body through the multipart parser.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mm7::fuzz::mime_parse(data));
