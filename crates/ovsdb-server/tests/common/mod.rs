//! Shared helpers for the server-agnostic `ovsdb-server` test suite: every scenario
//! is a function of a [`Sut`] (server under test) and runs twice, once against the
//! real Open vSwitch 3.1 server (which proves the test right) and once against ours.
//!
//! Each test binary uses only part of this module, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod fixture;
pub mod rpc;
pub mod sut;
pub mod text;

// Each test binary uses a different subset.
#[allow(unused_imports)]
pub use rpc::Rpc;
#[allow(unused_imports)]
pub use sut::{create_db, test_schema, vswitch_db, Server, StartOptions, Sut};

/// Instantiates a scenario `fn(&Sut)` as two tests: `$real` against
/// `/usr/sbin/ovsdb-server` (proving the scenario pins real behaviour) and `$ours`
/// against our binary.
macro_rules! against_both {
    ($scenario:ident, $real:ident, $ours:ident) => {
        #[test]
        fn $real() {
            $scenario(&$crate::common::Sut::real());
        }

        #[test]
        fn $ours() {
            $scenario(&$crate::common::Sut::ours());
        }
    };
}
