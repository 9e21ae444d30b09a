//! OpenFlow 1.0–1.5 and the Nicira extensions, for both sides: the switch
//! decodes requests and encodes replies with it, the tools do the reverse.
//!
//! Layers (each module's first lines say more):
//! - `buf`, `error`, `version`, `port`, `protocol`: shared basics;
//! - `field`, `flow_match`: the field table (`ovs-fields`) and matches, with
//!   their OF1.0, OF1.1, OXM and NXM wire forms and the ovs-ofctl text form;
//! - `action`: actions and instructions (`ovs-actions`), wire and text;
//! - `msg`: messages (header, every message body, multipart), wire and the
//!   `ofp-print` text form.
//!
//! Invariant: decoding never panics on input bytes; it returns an [`OfpError`]
//! naming the error the reference would send.

pub mod action;
pub mod buf;
pub mod error;
pub mod field;
pub mod flow_match;
pub mod flow_text;
pub mod msg;
pub mod port;
pub mod protocol;
pub mod version;
pub mod warn;

pub use error::OfpError;
pub use version::{Version, VersionSet};
