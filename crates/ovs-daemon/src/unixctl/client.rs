//! The unixctl client (what `ovs-appctl` uses) and the reference's way of finding a
//! daemon's control socket from a target name.

use std::io;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};

use ovs_json::rpc::{Connection, RpcError};
use ovs_json::Json;

use crate::pidfile;
use crate::util::error_text;
use crate::vlog::{self, UNIXCTL};

/// Why a target could not be turned into a socket path.
#[derive(Debug)]
pub struct TargetError {
    pub pidfile: PathBuf,
    pub error: io::Error,
}

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot read pidfile \"{}\" ({})",
            self.pidfile.display(),
            error_text(&self.error)
        )
    }
}

/// The control socket for `target`: an absolute path names the socket itself;
/// anything else is a program name whose pidfile `<rundir>/<target>.pid` gives the
/// pid `N` of socket `<rundir>/<target>.N.ctl`.
pub fn resolve_target(target: &str) -> Result<PathBuf, TargetError> {
    if target.starts_with('/') {
        return Ok(PathBuf::from(target));
    }
    let rundir = crate::dirs::rundir();
    let pidfile_path = rundir.join(format!("{target}.pid"));
    match pidfile::read_pidfile(&pidfile_path) {
        Ok(pid) => Ok(rundir.join(format!("{target}.{pid}.ctl"))),
        Err(error) => Err(TargetError {
            pidfile: pidfile_path,
            error,
        }),
    }
}

/// Why a command got no answer. [`TransactError::reason`] is the text the
/// reference prints in parentheses after "transaction error".
#[derive(Debug)]
pub enum TransactError {
    /// The server closed the connection.
    Eof,
    Io(io::Error),
    /// The server sent something that is not JSON-RPC.
    Protocol(String),
    /// The reply's result or error was not a string.
    BadReply(String),
}

impl TransactError {
    pub fn reason(&self) -> String {
        match self {
            TransactError::Eof => "End of file".into(),
            TransactError::Io(e) => error_text(e),
            TransactError::Protocol(_) => crate::util::strerror(libc::EPROTO),
            TransactError::BadReply(_) => crate::util::strerror(libc::EINVAL),
        }
    }
}

impl std::fmt::Display for TransactError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransactError::Protocol(d) | TransactError::BadReply(d) => f.write_str(d),
            other => f.write_str(&other.reason()),
        }
    }
}

/// A connection to a daemon's control socket.
pub struct Client {
    conn: Connection<UnixStream>,
    path: PathBuf,
}

impl Client {
    /// Connects to the socket at `path` (logging a warning on failure, as the
    /// reference does).
    pub fn connect(path: &Path) -> io::Result<Client> {
        let connected = crate::util::short_socket_path(path)
            .and_then(|(short, _dir)| UnixStream::connect(short));
        match connected {
            Ok(s) => Ok(Client {
                conn: Connection::new(s),
                path: path.to_path_buf(),
            }),
            Err(e) => {
                vlog::warn!(UNIXCTL, "failed to connect to {}", path.display());
                Err(e)
            }
        }
    }

    /// Runs `command` with `args`: Ok(Ok(text)) on success, Ok(Err(text)) when the
    /// daemon answered with an error, Err when there was no proper answer.
    pub fn transact(
        &mut self,
        command: &str,
        args: &[String],
    ) -> Result<Result<String, String>, TransactError> {
        let params = args.iter().map(|a| Json::string(a.as_str())).collect();
        let answer = self.conn.call(command, params);
        let peer = format!("unix:{}", self.path.display());
        match answer {
            Ok(Json::String(text)) => Ok(Ok(text)),
            Ok(other) => {
                let msg = format!(
                    "{peer}: unexpected result type in JSON rpc reply: {}",
                    other.type_name()
                );
                vlog::warn!(UNIXCTL, "{msg}");
                Err(TransactError::BadReply(msg))
            }
            Err(RpcError::Remote(Json::String(text))) => Ok(Err(text)),
            Err(RpcError::Remote(other)) => {
                let msg = format!(
                    "{peer}: unexpected error type in JSON RPC reply: {}",
                    other.type_name()
                );
                vlog::warn!(UNIXCTL, "{msg}");
                Err(TransactError::BadReply(msg))
            }
            Err(e) => {
                let err = match e {
                    RpcError::Closed { .. } => TransactError::Eof,
                    RpcError::Io(io) if io.kind() == io::ErrorKind::UnexpectedEof => {
                        TransactError::Eof
                    }
                    RpcError::Io(io) => TransactError::Io(io),
                    other => TransactError::Protocol(other.to_string()),
                };
                vlog::warn!(UNIXCTL, "error communicating with {peer}: {}", err.reason());
                Err(err)
            }
        }
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
