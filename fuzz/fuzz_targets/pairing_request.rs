#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rapport_fuzz::pairing_request(data));
