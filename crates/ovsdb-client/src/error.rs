//! Fatal errors: the one-line `ovsdb-client: ...` message and exit status 1 that the
//! reference uses for everything from bad arguments to a lost connection.

use std::fmt;
use std::io;

/// An error that ends the program with `ovsdb-client: <message>` on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal(pub String);

impl Fatal {
    pub fn new(message: impl Into<String>) -> Fatal {
        Fatal(message.into())
    }

    /// `message (strerror)`, the reference's form for failed system calls.
    pub fn io(message: impl fmt::Display, error: &io::Error) -> Fatal {
        Fatal(format!("{message} ({})", os_text(error)))
    }
}

impl fmt::Display for Fatal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Fatal {}

pub type Result<T, E = Fatal> = std::result::Result<T, E>;

/// The C library's text for an error (`Connection refused`), without Rust's
/// ` (os error N)` suffix.
pub fn os_text(error: &io::Error) -> String {
    ovs_stream::error_text(error)
}

/// The text the reference prints for an end of file on a connection.
pub const EOF_TEXT: &str = "End of file";

/// Shorthand for returning a [`Fatal`].
macro_rules! fatal {
    ($($arg:tt)*) => {
        return Err($crate::error::Fatal(format!($($arg)*)))
    };
}
pub(crate) use fatal;
