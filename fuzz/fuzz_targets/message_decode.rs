//! Arbitrary Content-Type (first line) and HTTP body through the whole MM7 decode path.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mm7::fuzz::message_decode(data));
