//! One OpenFlow switch per bridge (the reference's "ofproto" layer): flow
//! tables with the OpenFlow flow-mod semantics, groups, meters, bundles,
//! statistics, port descriptions and the controller connections (connmgr).
//! It knows nothing of datapath ports or how packets are forwarded: the
//! forwarding layer (ofproto-dpif) looks rules up through [`Ofproto::lookup`],
//! updates their counters through [`RuleStats`], executes the [`Effect`]s
//! that requests produce, and hands packet-ins to [`Ofproto::packet_in`].
//!
//! Modules: `ofproto` (the switch and its read API), `handle` (dispatch),
//! `flow_mod`, `group`, `meter`, `bundle`, `port_mod`, `stats`, `session`
//! (connection-level requests and async messages), `timeout`, `dump_text`,
//! `table`, `rule`, `port`, `conn`, `output`, `clock`, `connmgr`.

pub mod bundle;
pub mod clock;
pub mod conn;
pub mod connmgr;
pub mod dump_text;
pub mod flow_mod;
pub mod group;
mod handle;
pub mod meter;
mod monitor;
pub mod ofproto;
pub mod output;
pub mod port;
mod port_mod;
pub mod rule;
pub mod session;
mod stats;
pub mod table;
mod table_features;
mod timeout;

pub use conn::ConnKind;
pub use group::{Group, GroupRef};
pub use meter::{MeterEntry, MeterProvider, MeterRef};
pub use ofproto::{Ofproto, SwitchInfo, N_TABLES, TABLE_INTERNAL};
pub use output::{ConnId, Effect, Output};
pub use port::OfPort;
pub use rule::{Rule, RuleRef, RuleStats};
pub use session::PacketInRequest;
pub use table::Version;
