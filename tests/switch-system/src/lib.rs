//! System tests of the switch with real traffic live in `tests/`; each scenario
//! runs against the real Open vSwitch (proving the scenario) and against ours.
