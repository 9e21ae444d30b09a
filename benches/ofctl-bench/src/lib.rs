//! Benchmarks `ovs-ofctl` side by side with the real Open vSwitch 3.1 tool, both
//! talking to the real switch (`testkit::RealSwitch`: ovs-vswitchd with the
//! userspace datapath in a private network namespace).
//!
//! Workloads (issue 3):
//! 1. `add-flows` of a file of 100,000 mixed flows onto a fresh bridge;
//! 2. the same with `--bundle` (one OpenFlow 1.4 bundle);
//! 3. `dump-flows` of those 100,000 flows.
//!
//! Each is run a few times per tool, alternating tools, and the median wall time is
//! reported with the ratio ours/theirs. A run counts only if it did the work: after
//! an add-flows the bridge must hold every flow (the real `dump-aggregate` says so),
//! and a dump must print one line per flow. Nothing here asserts on timings.

pub mod flows;
pub mod measure;
pub mod options;
pub mod report;
