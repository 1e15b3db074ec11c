#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rlmsh::fuzz_entry::json(data));
