//! The unixctl server: a listening Unix socket, one accepting thread and one thread
//! per connection, all blocking I/O, so it works the same in a tokio daemon and in a
//! plain one. Commands run on the connection's thread (or are handed to the daemon's
//! main loop with a [`Reply`](super::Reply)).
//!
//! A connection that sends something other than JSON-RPC requests is logged
//! (rate-limited) and closed; the server keeps serving everyone else.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use ovs_json::rpc::Message;
use ovs_json::{Framer, Json};

use super::commands::Commands;
use crate::fatal_signal;
use crate::util::error_text;
use crate::vlog::{self, RateLimit, UNIXCTL};

/// Requests are a command name and a few strings; anything bigger is abuse.
const MAX_MESSAGE: usize = 4 << 20;
/// Connections served at once; more are closed at once (each costs a thread).
const MAX_CONNECTIONS: usize = 64;
/// How long shutting down waits for commands in progress to answer.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

static RL: RateLimit = RateLimit::new(5, 5);

struct Shared {
    stopping: AtomicBool,
    next_id: AtomicU64,
    /// Open connections, so that shutting down can close them.
    connections: Mutex<HashMap<u64, UnixStream>>,
    /// Signalled whenever a connection ends.
    ended: Condvar,
}

/// A unixctl server. Dropping it stops it and removes its socket file.
pub struct Server {
    path: PathBuf,
    commands: Commands,
    listener: Option<UnixListener>,
    /// Identity of the socket file we created, so we only ever remove our own.
    inode: Option<(u64, u64)>,
    shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
    cleanup: Option<fatal_signal::HookId>,
}

impl Server {
    /// Creates the socket at `path` (replacing a stale file there, as the reference
    /// does) with the built-in commands `list-commands`, `version` and `vlog/*`.
    /// Nothing is served until [`Server::start`], so all commands can be
    /// registered first; clients that connect meanwhile just wait.
    ///
    /// The error reads "PATH: could not initialize control socket (REASON)".
    pub fn bind(path: &Path) -> Result<Server, String> {
        let fail = |e: &std::io::Error| {
            format!(
                "{}: could not initialize control socket ({})",
                path.display(),
                error_text(e)
            )
        };
        match std::fs::remove_file(path) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => vlog::warn!(
                vlog::FATAL_SIGNAL,
                "could not unlink \"{}\" ({})",
                path.display(),
                error_text(&e)
            ),
        }
        let (bind_path, _dir) = crate::util::short_socket_path(path).map_err(|e| fail(&e))?;
        let listener = UnixListener::bind(&bind_path).map_err(|e| fail(&e))?;
        // Only the owner and its group may control the daemon.
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o750))
            .map_err(|e| fail(&e))?;
        let inode = std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
        let cleanup_path = path.to_path_buf();
        let cleanup = fatal_signal::add_hook(move || remove_if_ours(&cleanup_path, inode));

        let commands = Commands::new();
        let program = vlog::program_name();
        let version = crate::version_line(&program);
        commands.register("version", "", 0, 0, move |_| Ok(format!("{version}\n")));
        vlog::register_commands(&commands);
        Ok(Server {
            path: path.to_path_buf(),
            commands,
            listener: Some(listener),
            inode,
            shared: Arc::new(Shared {
                stopping: AtomicBool::new(false),
                next_id: AtomicU64::new(0),
                connections: Mutex::new(HashMap::new()),
                ended: Condvar::new(),
            }),
            acceptor: None,
            cleanup: Some(cleanup),
        })
    }

    /// The socket's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The command table (clone it to register commands from elsewhere).
    pub fn commands(&self) -> &Commands {
        &self.commands
    }

    /// Shorthand for [`Commands::register`].
    pub fn register<F>(&self, name: &str, usage: &str, min_args: usize, max_args: usize, handler: F)
    where
        F: Fn(&[String]) -> Result<String, String> + Send + Sync + 'static,
    {
        self.commands
            .register(name, usage, min_args, max_args, handler);
    }

    /// Shorthand for [`Commands::register_deferred`].
    pub fn register_deferred<F>(
        &self,
        name: &str,
        usage: &str,
        min_args: usize,
        max_args: usize,
        handler: F,
    ) where
        F: Fn(Vec<String>, super::Reply) + Send + Sync + 'static,
    {
        self.commands
            .register_deferred(name, usage, min_args, max_args, handler);
    }

    /// Starts serving (once; later calls do nothing).
    pub fn start(&mut self) -> Result<(), String> {
        if self.acceptor.is_some() {
            return Ok(());
        }
        let listener = self
            .listener
            .as_ref()
            .ok_or("the server was shut down")?
            .try_clone()
            .map_err(|e| format!("{}: {}", self.path.display(), error_text(&e)))?;
        let commands = self.commands.clone();
        let shared = Arc::clone(&self.shared);
        let thread = std::thread::Builder::new()
            .name("unixctl".into())
            .spawn(move || accept_loop(listener, commands, shared))
            .map_err(|e| format!("cannot start the unixctl thread: {}", error_text(&e)))?;
        self.acceptor = Some(thread);
        Ok(())
    }

    /// Stops accepting new connections, lets each connection finish the command it
    /// is running and deliver the answer (waiting up to 5 seconds in all), closes
    /// them, and removes the socket file. Call it (or drop the server) before a
    /// daemon exits, so that the answer to `exit` reaches the client.
    pub fn shutdown(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        if let Some(listener) = self.listener.take() {
            // Wakes the accepting thread: accept() fails on a shut-down socket.
            // SAFETY: the fd is valid while `listener` lives, which it does here.
            unsafe { libc::shutdown(listener.as_raw_fd(), libc::SHUT_RDWR) };
            if let Some(t) = self.acceptor.take() {
                let _ = t.join();
            }
            drop(listener);
        }
        // Half-close: an idle connection sees end of file at once; a busy one
        // finishes its command, writes the answer, then sees end of file.
        let mut conns = self
            .shared
            .connections
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for c in conns.values() {
            let _ = c.shutdown(Shutdown::Read);
        }
        let deadline = Instant::now() + DRAIN_TIMEOUT;
        while !conns.is_empty() {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            conns = match self.shared.ended.wait_timeout(conns, deadline - now) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
        for (_, c) in conns.drain() {
            let _ = c.shutdown(Shutdown::Both);
        }
        drop(conns);
        remove_if_ours(&self.path, self.inode);
        if let Some(h) = self.cleanup.take() {
            fatal_signal::remove_hook(h);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("path", &self.path).finish()
    }
}

/// Removes the socket file if it is still the one we created (another daemon may
/// have replaced it since).
fn remove_if_ours(path: &Path, inode: Option<(u64, u64)>) {
    if let (Some(want), Ok(m)) = (inode, std::fs::symlink_metadata(path)) {
        if (m.dev(), m.ino()) == want {
            let _ = std::fs::remove_file(path);
        }
    }
}

fn accept_loop(listener: UnixListener, commands: Commands, shared: Arc<Shared>) {
    loop {
        let accepted = listener.accept();
        if shared.stopping.load(Ordering::SeqCst) {
            return;
        }
        let stream = match accepted {
            Ok((s, _)) => s,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                vlog::warn_rl!(UNIXCTL, RL, "accept failed: {}", error_text(&e));
                // Out of file descriptors, say: give the others a moment to close.
                std::thread::sleep(std::time::Duration::from_millis(100));
                continue;
            }
        };
        let id = shared.next_id.fetch_add(1, Ordering::Relaxed);
        {
            let mut conns = shared.connections.lock().unwrap_or_else(|p| p.into_inner());
            if conns.len() >= MAX_CONNECTIONS {
                vlog::warn_rl!(
                    UNIXCTL,
                    RL,
                    "too many control connections ({MAX_CONNECTIONS}), closing a new one"
                );
                continue;
            }
            match stream.try_clone() {
                Ok(clone) => {
                    conns.insert(id, clone);
                }
                Err(e) => {
                    vlog::warn_rl!(UNIXCTL, RL, "cannot track connection: {}", error_text(&e));
                    continue;
                }
            }
        }
        let commands = commands.clone();
        let shared2 = Arc::clone(&shared);
        let spawned = std::thread::Builder::new()
            .name(format!("unixctl#{id}"))
            .spawn(move || {
                serve(stream, &commands, &format!("unix#{id}"));
                shared2
                    .connections
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .remove(&id);
                shared2.ended.notify_all();
            });
        if let Err(e) = spawned {
            vlog::warn_rl!(
                UNIXCTL,
                RL,
                "cannot start a connection thread: {}",
                error_text(&e)
            );
            shared
                .connections
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
        }
    }
}

/// Serves one connection until the peer closes it or misbehaves.
fn serve(mut stream: UnixStream, commands: &super::Commands, name: &str) {
    let mut framer = Framer::new(MAX_MESSAGE);
    let mut buf = [0u8; 4096];
    loop {
        while let Some(frame) = framer.next_message() {
            let json = match frame {
                Ok(j) => j,
                Err(e) => {
                    vlog::warn_rl!(
                        UNIXCTL,
                        RL,
                        "{name}: receive error: {e}, closing connection"
                    );
                    return;
                }
            };
            let (method, params, id) = match Message::from_json(json) {
                Ok(Message::Request { method, params, id }) => (method, params, id),
                Ok(other) => {
                    let kind = match other {
                        Message::Notify { .. } => "notification",
                        Message::Reply { .. } => "reply",
                        _ => "error",
                    };
                    vlog::warn_rl!(
                        UNIXCTL,
                        RL,
                        "{name}: received unexpected {kind} message, closing connection"
                    );
                    return;
                }
                Err(e) => {
                    vlog::warn_rl!(
                        UNIXCTL,
                        RL,
                        "{name}: invalid JSON-RPC message ({e}), closing connection"
                    );
                    return;
                }
            };
            vlog::dbg!(
                UNIXCTL,
                "received request {method}{}, id={}",
                Json::Array(params.clone()).to_compact(),
                id.to_compact()
            );
            let result = commands.execute(&method, &params);
            let (outcome, text) = match &result {
                Ok(t) => ("success", t),
                Err(t) => ("error", t),
            };
            vlog::dbg!(
                UNIXCTL,
                "replying with {outcome}, id={}: \"{text}\"",
                id.to_compact()
            );
            let reply = reply_json(result, id).to_compact();
            if stream.write_all(reply.as_bytes()).is_err() {
                return;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) => {
                if framer.has_partial() {
                    vlog::warn_rl!(
                        UNIXCTL,
                        RL,
                        "{name}: connection closed in the middle of a message"
                    );
                }
                return;
            }
            Ok(n) => framer.push(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// The reply as the reference sends it: `result` and `error: null`, or `error`
/// alone; non-empty texts end with a newline.
fn reply_json(result: Result<String, String>, id: Json) -> Json {
    let with_newline = |mut t: String| {
        if !t.is_empty() && !t.ends_with('\n') {
            t.push('\n');
        }
        Json::String(t)
    };
    match result {
        Ok(text) => Json::object([
            ("id", id),
            ("result", with_newline(text)),
            ("error", Json::Null),
        ]),
        Err(text) => Json::object([("id", id), ("error", with_newline(text))]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_have_the_reference_shape() {
        assert_eq!(
            reply_json(Ok("v".into()), Json::Integer(1)).to_compact(),
            r#"{"error":null,"id":1,"result":"v\n"}"#
        );
        assert_eq!(
            reply_json(Ok(String::new()), Json::Integer(2)).to_compact(),
            r#"{"error":null,"id":2,"result":""}"#
        );
        assert_eq!(
            reply_json(Err("bad\n".into()), Json::string("x")).to_compact(),
            r#"{"error":"bad\n","id":"x"}"#
        );
    }
}
