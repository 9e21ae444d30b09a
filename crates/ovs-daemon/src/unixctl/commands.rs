//! The table of unixctl commands and how a request is checked and dispatched.

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::sync::{Arc, RwLock, Weak};

use ovs_json::Json;

/// `max_args` for commands that take any number of arguments.
pub const UNLIMITED: usize = usize::MAX;

type NowHandler = dyn Fn(&[String]) -> Result<String, String> + Send + Sync;
type LaterHandler = dyn Fn(Vec<String>, Reply) + Send + Sync;

enum Handler {
    /// Runs on the connection's thread and answers at once.
    Now(Box<NowHandler>),
    /// Gets a [`Reply`] to answer whenever (and from whichever thread) it likes,
    /// typically after passing the request to the daemon's main loop.
    Later(Box<LaterHandler>),
}

struct Command {
    usage: String,
    min_args: usize,
    max_args: usize,
    handler: Handler,
}

type Table = BTreeMap<String, Arc<Command>>;

/// The commands of one server; cheap to clone (clones share the table), so any
/// part of a daemon can register its own commands.
#[derive(Clone)]
pub struct Commands {
    table: Arc<RwLock<Table>>,
}

/// The answer to a command registered with [`Commands::register_deferred`]. Send it
/// with [`Reply::ok`] or [`Reply::err`] from any thread; dropping it unanswered
/// answers with an error, so a client never waits forever for a lost request.
pub struct Reply {
    command: String,
    tx: Option<mpsc::SyncSender<Result<String, String>>>,
}

impl Reply {
    /// Answers with success and `text`.
    pub fn ok(self, text: impl Into<String>) {
        self.send(Ok(text.into()));
    }

    /// Answers with an error and `text`.
    pub fn err(self, text: impl Into<String>) {
        self.send(Err(text.into()));
    }

    /// Answers with `result`.
    pub fn send(mut self, result: Result<String, String>) {
        if let Some(tx) = self.tx.take() {
            // The connection may be gone; then nobody wants the answer.
            let _ = tx.send(result);
        }
    }

    /// The command being answered.
    pub fn command(&self) -> &str {
        &self.command
    }
}

impl Drop for Reply {
    fn drop(&mut self) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Err(format!(
                "\"{}\" command was not answered",
                self.command
            )));
        }
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("command", &self.command)
            .finish()
    }
}

impl Default for Commands {
    fn default() -> Commands {
        Commands::new()
    }
}

impl Commands {
    /// A table holding only `list-commands`.
    pub fn new() -> Commands {
        let commands = Commands {
            table: Arc::new(RwLock::new(BTreeMap::new())),
        };
        // A weak reference: the table must not keep itself alive.
        let weak: Weak<RwLock<Table>> = Arc::downgrade(&commands.table);
        commands.register("list-commands", "", 0, 0, move |_| {
            let table = weak.upgrade().ok_or("server is shutting down")?;
            Ok(Commands { table }.list())
        });
        commands
    }

    /// Registers (or replaces) `name`, answered at once by `handler` on the
    /// connection's thread. `usage` is shown by `list-commands`.
    pub fn register<F>(&self, name: &str, usage: &str, min_args: usize, max_args: usize, handler: F)
    where
        F: Fn(&[String]) -> Result<String, String> + Send + Sync + 'static,
    {
        self.insert(
            name,
            usage,
            min_args,
            max_args,
            Handler::Now(Box::new(handler)),
        );
    }

    /// Registers (or replaces) `name`, answered through a [`Reply`] that `handler`
    /// may complete later, e.g. after sending it to the daemon's main loop. The
    /// connection waits for the answer before reading its next request.
    pub fn register_deferred<F>(
        &self,
        name: &str,
        usage: &str,
        min_args: usize,
        max_args: usize,
        handler: F,
    ) where
        F: Fn(Vec<String>, Reply) + Send + Sync + 'static,
    {
        self.insert(
            name,
            usage,
            min_args,
            max_args,
            Handler::Later(Box::new(handler)),
        );
    }

    fn insert(&self, name: &str, usage: &str, min_args: usize, max_args: usize, handler: Handler) {
        let command = Arc::new(Command {
            usage: usage.to_string(),
            min_args,
            max_args,
            handler,
        });
        self.table
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(name.to_string(), command);
    }

    /// Removes `name`; true if it was registered.
    pub fn unregister(&self, name: &str) -> bool {
        self.table
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(name)
            .is_some()
    }

    /// Whether `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.table
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .contains_key(name)
    }

    /// The `list-commands` text.
    pub fn list(&self) -> String {
        let table = self.table.read().unwrap_or_else(|p| p.into_inner());
        let mut s = String::from("The available commands are:\n");
        for (name, c) in table.iter() {
            s.push_str(&format!("  {name:<23} {}\n", c.usage));
        }
        s
    }

    /// Checks and runs one request, the way the reference does: unknown command,
    /// then argument count, then argument types. Blocks until a deferred command is
    /// answered.
    pub fn execute(&self, method: &str, params: &[Json]) -> Result<String, String> {
        let command = self
            .table
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(method)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "\"{method}\" is not a valid command (use \"list-commands\" to see a list of valid commands)"
                )
            })?;
        if params.len() < command.min_args {
            return Err(format!(
                "\"{method}\" command requires at least {} arguments",
                command.min_args
            ));
        }
        if params.len() > command.max_args {
            return Err(format!(
                "\"{method}\" command takes at most {} arguments",
                command.max_args
            ));
        }
        let args = params
            .iter()
            .map(|p| p.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| format!("\"{method}\" command has non-string argument"))?;
        match &command.handler {
            Handler::Now(f) => f(&args),
            Handler::Later(f) => {
                let (tx, rx) = mpsc::sync_channel(1);
                f(
                    args,
                    Reply {
                        command: method.to_string(),
                        tx: Some(tx),
                    },
                );
                rx.recv()
                    .unwrap_or_else(|_| Err(format!("\"{method}\" command was not answered")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<Json> {
        v.iter().map(|s| Json::string(*s)).collect()
    }

    #[test]
    fn checks_in_the_reference_order_with_its_texts() {
        let c = Commands::new();
        c.register("version", "", 0, 0, |_| Ok("x".into()));
        c.register("ovsdb-server/add-db", "DB", 1, 1, |a| Ok(a[0].clone()));
        assert_eq!(
            c.execute("nosuch", &[Json::Integer(1)]),
            Err("\"nosuch\" is not a valid command (use \"list-commands\" to see a list of valid commands)".into())
        );
        assert_eq!(
            c.execute("version", &[Json::Integer(1), Json::Integer(2)]),
            Err("\"version\" command takes at most 0 arguments".into())
        );
        assert_eq!(
            c.execute("ovsdb-server/add-db", &[]),
            Err("\"ovsdb-server/add-db\" command requires at least 1 arguments".into())
        );
        assert_eq!(
            c.execute("ovsdb-server/add-db", &[Json::Integer(1)]),
            Err("\"ovsdb-server/add-db\" command has non-string argument".into())
        );
        assert_eq!(
            c.execute("ovsdb-server/add-db", &strings(&["a"])),
            Ok("a".into())
        );
    }

    #[test]
    fn list_commands_layout() {
        let c = Commands::new();
        c.register("exit", "", 0, 0, |_| Ok(String::new()));
        c.register("coverage/read-counter", "COUNTER", 1, 1, |_| {
            Ok(String::new())
        });
        c.register("ovsdb-server/connect-active-ovsdb-server", "", 0, 0, |_| {
            Ok(String::new())
        });
        assert_eq!(
            c.execute("list-commands", &[]).unwrap(),
            "The available commands are:\n  \
             coverage/read-counter   COUNTER\n  \
             exit                    \n  \
             list-commands           \n  \
             ovsdb-server/connect-active-ovsdb-server \n"
        );
    }

    #[test]
    fn deferred_commands_are_answered_from_another_thread() {
        let c = Commands::new();
        let (tx, rx) = mpsc::channel::<(Vec<String>, Reply)>();
        let tx = std::sync::Mutex::new(tx);
        c.register_deferred("later", "", 0, UNLIMITED, move |args, reply| {
            let _ = tx.lock().unwrap().send((args, reply));
        });
        let worker = std::thread::spawn(move || {
            for (args, reply) in rx.iter().take(2) {
                if args.is_empty() {
                    drop(reply);
                } else {
                    reply.ok(args.join("+"));
                }
            }
        });
        assert_eq!(c.execute("later", &strings(&["a", "b"])), Ok("a+b".into()));
        assert_eq!(
            c.execute("later", &[]),
            Err("\"later\" command was not answered".into())
        );
        worker.join().unwrap();
    }

    #[test]
    fn unregister_and_replace() {
        let c = Commands::new();
        c.register("x", "", 0, 0, |_| Ok("1".into()));
        c.register("x", "", 0, 0, |_| Ok("2".into()));
        assert_eq!(c.execute("x", &[]), Ok("2".into()));
        assert!(c.unregister("x"));
        assert!(!c.contains("x"));
        assert!(!c.unregister("x"));
    }
}
