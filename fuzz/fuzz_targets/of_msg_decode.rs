//! Fuzz target: any bytes as one OpenFlow message (see `of_check::msg_decode`).
#![no_main]

mod of_check;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    of_check::msg_decode(data);
});
