//! Arbitrary bytes as a SOAP envelope through the MM7 decoder, and what decodes back through
//! the encoder.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mm7::fuzz::soap_decode(data));
