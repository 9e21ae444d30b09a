//! Fuzz target: JSON-RPC stream framing in fuzzer-chosen chunks (see `framer_check`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxvs_fuzz::framer_check::check(data);
});
