//! `ovsdb-server`: serves OVSDB databases over JSON-RPC.
//!
//! Start-up order matters: options, then `Daemon::start` (fork/monitor/pidfile, before
//! any thread exists), then the databases, the control socket, the event loop and the
//! remotes; `Daemon::ready` comes last, so `--detach` returns only once clients can
//! connect.

use ovs_daemon::unixctl::{self, Reply};
use ovs_daemon::{vlog, Daemon};
use ovsdb_server::file_storage::FileStorage;
use ovsdb_server::log;
use ovsdb_server::options::{usage, Options};
use ovsdb_server::remotes::Remotes;
use ovsdb_server::server::Server;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

const PROGRAM: &str = "ovsdb-server";

// Big transactions are mostly small allocations; see `block_cache`.
#[global_allocator]
static ALLOCATOR: ovsdb_server::block_cache::BlockCache = ovsdb_server::block_cache::BlockCache;

/// A control-socket command, handed from the unixctl thread to the event loop.
struct Command {
    name: String,
    args: Vec<String>,
    reply: Reply,
}

fn main() {
    vlog::init(PROGRAM, &[&log::MODULE]);
    let opts = match Options::parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{PROGRAM}: {e}");
            std::process::exit(1);
        }
    };
    if opts.help {
        print!("{}", usage());
        return;
    }
    if opts.version {
        println!("{}", ovs_daemon::version_line(PROGRAM));
        return;
    }
    let mut daemon = Daemon::start(&opts.daemon);
    if let Err(e) = run(opts, &mut daemon) {
        vlog::log(&log::MODULE, vlog::Level::Err, format_args!("{e}"));
        eprintln!("{PROGRAM}: {e}");
        daemon.exit(1);
    }
    daemon.exit(0);
}

fn run(mut opts: Options, daemon: &mut Daemon) -> Result<(), String> {
    // This thread runs the event loop, where all the database work happens (and the
    // fork of --detach is behind us).
    ovsdb_server::block_cache::enable_on_this_thread();
    if opts.databases.is_empty() {
        opts.databases
            .push(ovs_daemon::dirs::dbdir().join("conf.db"));
    }
    for r in &opts.remotes {
        Remotes::validate(r)?;
    }
    for s in &opts.ssl_options {
        log::info(&format!("{s}: SSL is not supported yet; option ignored"));
    }
    let mut server = Server::new();
    for path in &opts.databases {
        add_database(&mut server, path)?;
    }

    let (tx, rx) = mpsc::unbounded_channel::<Command>();
    let control = daemon.try_start_unixctl(|control| register_commands(control, tx))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start event loop: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, serve(server, opts, daemon, rx))?;
    // Let the answer to `exit` reach the client before the process ends.
    drop(control);
    Ok(())
}

fn add_database(server: &mut Server, path: &std::path::Path) -> Result<String, String> {
    let opened = ovsdb::storage::open(path, false).map_err(|e| e.to_string())?;
    if let Some(w) = &opened.warning {
        log::err(w);
    }
    let name = opened.db.schema.name.clone();
    server.add_db(opened.db, Some(Box::new(FileStorage(opened.file))))?;
    Ok(name)
}

fn register_commands(control: &unixctl::Server, tx: mpsc::UnboundedSender<Command>) {
    let commands: [(&str, &str, usize, usize); 9] = [
        ("exit", "", 0, 0),
        ("ovsdb-server/compact", "", 0, unixctl::UNLIMITED),
        ("ovsdb-server/add-remote", "REMOTE", 1, 1),
        ("ovsdb-server/remove-remote", "REMOTE", 1, 1),
        ("ovsdb-server/list-remotes", "", 0, 0),
        ("ovsdb-server/list-dbs", "", 0, 0),
        ("ovsdb-server/add-db", "DB", 1, 1),
        ("ovsdb-server/remove-db", "DB", 1, 1),
        ("memory/show", "", 0, 0),
    ];
    for (name, usage, min, max) in commands {
        let tx = tx.clone();
        let owned = name.to_owned();
        control.register_deferred(name, usage, min, max, move |args, reply| {
            // If the loop is gone the reply is dropped, which answers with an error.
            let _ = tx.send(Command {
                name: owned.clone(),
                args,
                reply,
            });
        });
    }
}

async fn serve(
    server: Server,
    opts: Options,
    daemon: &mut Daemon,
    mut commands: mpsc::UnboundedReceiver<Command>,
) -> Result<(), String> {
    let server = Rc::new(RefCell::new(server));
    // Wakes the maintenance loop when a request may have changed what it watches
    // (a new blocked transaction's deadline, a commit that moves db: remotes).
    let wake = Rc::new(tokio::sync::Notify::new());
    let after_request: Rc<dyn Fn()> = {
        let wake = wake.clone();
        Rc::new(move || wake.notify_one())
    };
    let mut remotes = Remotes::new(
        server.clone(),
        after_request.clone(),
        ovs_daemon::dirs::rundir(),
    );
    for r in &opts.remotes {
        remotes.add(r)?;
    }
    // Give listeners a chance to bind before declaring the daemon ready.
    tokio::task::yield_now().await;
    daemon.ready();

    let mut last_commits = u64::MAX;
    let mut next_status = Instant::now();
    // One timer, moved only when the wake-up time changes: this loop runs after every
    // request, and re-arming a fresh timer each time showed in profiles.
    let timer = tokio::time::sleep_until(next_status.into());
    tokio::pin!(timer);
    loop {
        // Woken after requests: their replies are queued ahead of us, so freeing what
        // they left behind no longer delays them.
        server.borrow_mut().drop_garbage();
        let now = Instant::now();
        for line in server.borrow_mut().run_periodic(now) {
            log::info(&line);
        }
        let commits = server.borrow().n_commits;
        if commits != last_commits {
            last_commits = commits;
            remotes.reconcile();
        }
        if now >= next_status {
            remotes.write_status();
            next_status = now + Duration::from_millis(2500);
        }
        let mut wake_at = next_status;
        if let Some(d) = server.borrow().next_deadline() {
            wake_at = wake_at.min(d);
        }
        if timer.deadline() != wake_at.into() {
            timer.as_mut().reset(wake_at.into());
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = &mut timer => {}
            cmd = commands.recv() => {
                let Some(cmd) = cmd else { continue };
                if handle_command(&server, &mut remotes, cmd) {
                    break;
                }
            }
        }
    }
    Ok(())
}

/// Runs one control command; true means exit.
fn handle_command(server: &Rc<RefCell<Server>>, remotes: &mut Remotes, cmd: Command) -> bool {
    let arg = cmd.args.first().map(String::as_str).unwrap_or("");
    let result: Result<String, String> = match cmd.name.as_str() {
        "exit" => {
            cmd.reply.ok("");
            return true;
        }
        "ovsdb-server/compact" => {
            let mut s = server.borrow_mut();
            if cmd.args.is_empty() {
                s.compact(None).map(|_| String::new())
            } else {
                cmd.args
                    .iter()
                    .try_for_each(|db| {
                        if s.db(db).is_none() {
                            return Err("no database by that name".to_owned());
                        }
                        s.compact(Some(db))
                    })
                    .map(|_| String::new())
            }
        }
        "ovsdb-server/add-remote" => remotes.add(arg).map(|_| String::new()),
        "ovsdb-server/remove-remote" => remotes
            .remove(arg)
            .map(|_| String::new())
            .map_err(|_| "no such remote".to_owned()),
        "ovsdb-server/list-remotes" => Ok(remotes.list()),
        "ovsdb-server/list-dbs" => Ok(server
            .borrow()
            .db_names()
            .map(|n| format!("{n}\n"))
            .collect()),
        "ovsdb-server/add-db" => {
            let cwd = std::env::current_dir().unwrap_or_default();
            let path = ovs_daemon::dirs::abs_file_name(&cwd, arg);
            add_database(&mut server.borrow_mut(), &path).map(|_| String::new())
        }
        "ovsdb-server/remove-db" => server
            .borrow_mut()
            .remove_db(arg)
            .map(|_| String::new())
            .map_err(|_| "Failed to find the database.".to_owned()),
        "memory/show" => Ok(server.borrow().memory_report()),
        other => Err(format!("\"{other}\" is not handled")),
    };
    if cmd.name == "ovsdb-server/add-remote" || cmd.name == "ovsdb-server/remove-remote" {
        remotes.reconcile();
    }
    cmd.reply.send(result);
    false
}
