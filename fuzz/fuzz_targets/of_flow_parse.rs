//! Fuzz target: any text as an ovs-ofctl flow (see `of_check::flow_parse`).
#![no_main]

mod of_check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    of_check::flow_parse(data);
});
