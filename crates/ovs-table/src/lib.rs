//! Output tables for `ovsdb-client` and `ovs-vsctl`: one [`Table`] printed in
//! one of five layouts (`--format=table|list|html|csv|json`) with cells shown
//! in one of three renderings (`--data=string|bare|json`).
//!
//! Callers build a [`Table`] whose [`Cell`]s already carry all three
//! renderings of their value (this crate knows nothing of OVSDB types), pick a
//! [`Style`] from the command line, and print through a [`Printer`], which
//! also owns the blank line that separates consecutive tables.
//!
//! Every layout here was measured against the real `ovsdb-client` and
//! `ovs-vsctl` 3.1; the tests under `tests/` compare byte for byte with their
//! output. Deliberate differences from the reference:
//! - `--max-column-width` never cuts a UTF-8 character in half: the cell is
//!   cut at the character boundary before the limit and padded with spaces to
//!   the same byte width (the reference cuts bytes and prints broken UTF-8);
//! - `--format=json --timestamp` adds a `"time"` member holding the timestamp
//!   text (as `ovsdb-client(1)` documents); the reference crashes there.

mod cell;
mod html;
mod layout;
mod printer;
mod style;
mod timestamp;

pub use cell::{Cell, Table};
pub use printer::{print_tables, Printer};
pub use style::{parse_max_column_width, DataFormat, Format, Style, StyleError};
pub use timestamp::format_timestamp;
