//! `ovsdb-server`: serves OVSDB databases over JSON-RPC.

use ovsdb_server::file_storage::FileStorage;
use ovsdb_server::log;
use ovsdb_server::options::{Options, USAGE};
use ovsdb_server::remotes::Remotes;
use ovsdb_server::server::Server;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match Options::parse(args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("ovsdb-server: {e}");
            std::process::exit(1);
        }
    };
    if opts.help {
        print!("{USAGE}");
        return;
    }
    if opts.version {
        println!("ovsdb-server (oxvs) {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    if let Err(e) = run(opts) {
        eprintln!("ovsdb-server: {e}");
        std::process::exit(1);
    }
}

fn env_dir(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn dbdir() -> PathBuf {
    if let Some(d) = std::env::var_os("OVS_DBDIR").filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    env_dir("OVS_SYSCONFDIR", "/etc").join("openvswitch")
}

fn run(mut opts: Options) -> Result<(), String> {
    let rundir = env_dir("OVS_RUNDIR", "/var/run/openvswitch");
    if opts.databases.is_empty() {
        opts.databases.push(dbdir().join("conf.db"));
    }
    for r in &opts.remotes {
        Remotes::validate(r)?;
    }
    let mut server = Server::new();
    for path in &opts.databases {
        let opened = ovsdb::storage::open(path, false).map_err(|e| e.to_string())?;
        if let Some(w) = &opened.warning {
            log::warn(w);
        }
        server.add_db(opened.db, Some(Box::new(FileStorage(opened.file))))?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start event loop: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, serve(server, opts, rundir))
}

async fn serve(server: Server, opts: Options, rundir: PathBuf) -> Result<(), String> {
    let server = Rc::new(RefCell::new(server));
    // Wakes the maintenance loop when a request may have changed what it watches
    // (a new blocked transaction's deadline, a commit that moves db: remotes).
    let wake = Rc::new(tokio::sync::Notify::new());
    let after_request: Rc<dyn Fn()> = {
        let wake = wake.clone();
        Rc::new(move || wake.notify_one())
    };
    let remotes = Rc::new(RefCell::new(Remotes::new(
        server.clone(),
        after_request.clone(),
        rundir,
    )));
    for r in &opts.remotes {
        remotes.borrow_mut().add(r)?;
    }

    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    let mut sigint = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| e.to_string())?;

    let mut last_commits = u64::MAX;
    let mut next_status = Instant::now();
    loop {
        let now = Instant::now();
        for line in server.borrow_mut().run_periodic(now) {
            log::info(&line);
        }
        let commits = server.borrow().n_commits;
        if commits != last_commits {
            last_commits = commits;
            remotes.borrow_mut().reconcile();
        }
        if now >= next_status {
            remotes.borrow().write_status();
            next_status = now + Duration::from_millis(2500);
        }
        let mut wake_at = next_status;
        if let Some(d) = server.borrow().next_deadline() {
            wake_at = wake_at.min(d);
        }
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep_until(wake_at.into()) => {}
            _ = sigterm.recv() => break,
            _ = sigint.recv() => break,
        }
    }
    // Dropping the remotes closes listeners and removes their socket files.
    drop(remotes);
    Ok(())
}
