//! Fuzz target: the JSON parser and printer on arbitrary bytes (see `json_check`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxvs_fuzz::json_check::check(data);
});
