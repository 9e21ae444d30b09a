//! Fuzz target: `transact` params against a pre-filled database (see `transact_check`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    oxvs_fuzz::transact_check::check(data);
});
