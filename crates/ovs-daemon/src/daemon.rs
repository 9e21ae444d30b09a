//! Becoming a daemon the way Open vSwitch daemons do: `--detach`, `--monitor`,
//! `--pidfile[=FILE]`, `--overwrite-pidfile`, `--no-chdir`, `--unixctl=SOCKET`.
//!
//! Forking is only safe while the process has a single thread, so the order is:
//!
//! ```no_run
//! # use ovs_daemon::{Daemon, DaemonOptions};
//! # let opts = DaemonOptions::new("ovsdb-server");
//! let mut daemon = Daemon::start(&opts);   // forks (detach, monitor); pidfile
//! // ... build the tokio runtime, open databases, listen on remotes ...
//! let server = daemon.start_unixctl(|s| {  // control socket; answers once
//!     // s.register("exit", "", 0, 0, ...) // the commands are registered
//! });
//! daemon.ready();                          // the --detach parent exits 0 now
//! // ... run; on `exit`: daemon.exit(0)
//! ```
//!
//! With `--detach` the original process waits until the daemon calls
//! [`Daemon::ready`] and then exits 0; if the daemon dies first, it exits with the
//! daemon's exit status (or reports the signal and exits 1). With `--monitor`, a
//! supervisor process restarts the daemon when it dies of a crash signal (at most
//! once per 10 seconds) and exits when it dies for any other reason.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::crash_signal;
use crate::dirs;
use crate::fatal_signal;
use crate::getopt::{HasArg, Opt};
use crate::pidfile::{self, Pidfile};
use crate::process::{is_crash, status_msg};
use crate::unixctl;
use crate::util::{error_text, last_error};
use crate::vlog::{self, DAEMON, VLOG};

/// Where the control socket goes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum UnixctlPath {
    /// `<rundir>/<program>.<pid>.ctl`
    #[default]
    Default,
    /// `--unixctl=none`: no control socket.
    None,
    /// `--unixctl=SOCKET` (relative names are in the run directory).
    Path(PathBuf),
}

/// The daemon options of a command line.
#[derive(Clone, Debug)]
pub struct DaemonOptions {
    /// The program name used for default file names.
    pub program: String,
    pub pidfile: Option<PathBuf>,
    pub overwrite_pidfile: bool,
    pub detach: bool,
    pub monitor: bool,
    /// Change to `/` after detaching (cleared by `--no-chdir`).
    pub chdir: bool,
    pub unixctl: UnixctlPath,
}

/// The long options [`DaemonOptions::handle_option`] understands.
pub const OPTIONS: [Opt; 9] = [
    Opt::new("pidfile", None, HasArg::Optional),
    Opt::new("overwrite-pidfile", None, HasArg::No),
    Opt::new("detach", None, HasArg::No),
    Opt::new("monitor", None, HasArg::No),
    Opt::new("no-chdir", None, HasArg::No),
    Opt::new("no-self-confinement", None, HasArg::No),
    Opt::new("user", None, HasArg::Required),
    Opt::new("unixctl", None, HasArg::Required),
    Opt::new("service", None, HasArg::No),
];

impl DaemonOptions {
    /// Defaults: no pidfile, foreground, default control socket.
    pub fn new(program: &str) -> DaemonOptions {
        DaemonOptions {
            program: program.to_string(),
            pidfile: None,
            overwrite_pidfile: false,
            detach: false,
            monitor: false,
            chdir: true,
            unixctl: UnixctlPath::Default,
        }
    }

    /// Handles one of [`OPTIONS`] (from [`crate::getopt`]); Ok(false) for others.
    pub fn handle_option(&mut self, name: &str, value: Option<&str>) -> Result<bool, String> {
        match name {
            "pidfile" => {
                let name = value
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}.pid", self.program));
                self.pidfile = Some(dirs::abs_file_name(&dirs::rundir(), name));
            }
            "overwrite-pidfile" => self.overwrite_pidfile = true,
            "detach" => self.detach = true,
            "monitor" => self.monitor = true,
            "no-chdir" => self.chdir = false,
            // Self-confinement is an AppArmor/SELinux aid of the reference; there is
            // nothing to turn off here.
            "no-self-confinement" => {}
            "user" => {
                return Err(
                    "--user is not supported by oxvs yet; start the daemon as the user it should run as"
                        .into(),
                )
            }
            "service" => return Err("--service is only supported on Windows".into()),
            "unixctl" => {
                let v = value.unwrap_or("");
                self.unixctl = if v == "none" {
                    UnixctlPath::None
                } else {
                    UnixctlPath::Path(dirs::abs_file_name(&dirs::rundir(), v))
                };
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The control socket's path for a daemon with process id `pid`.
    pub fn unixctl_path(&self, pid: u32) -> Option<PathBuf> {
        match &self.unixctl {
            UnixctlPath::Default => {
                Some(dirs::rundir().join(format!("{}.{pid}.ctl", self.program)))
            }
            UnixctlPath::None => None,
            UnixctlPath::Path(p) => Some(p.clone()),
        }
    }

    /// `--help` text for the daemon options.
    pub fn usage(&self) -> String {
        format!(
            "\nDaemon options:\n\
             \x20 --detach                run in the background\n\
             \x20 --monitor               restart the daemon if it crashes\n\
             \x20 --no-chdir              do not change to / when detaching\n\
             \x20 --pidfile[=FILE]        write the pid to FILE (default: {}/{}.pid)\n\
             \x20 --overwrite-pidfile     with --pidfile, start even if already running\n\
             \x20 --unixctl=SOCKET        control socket (default: {}/{}.<pid>.ctl; none: no socket)\n",
            dirs::rundir().display(),
            self.program,
            dirs::rundir().display(),
            self.program,
        )
    }
}

/// The running daemon (in the process that does the work).
#[derive(Debug)]
pub struct Daemon {
    opts: DaemonOptions,
    /// Tells the waiting parent (or monitor) that we are ready.
    notify: Option<OwnedFd>,
    pidfile: Option<Pidfile>,
    ready: bool,
}

impl Daemon {
    /// Detaches and/or starts the monitor as asked, creates the pidfile and installs
    /// the fatal-signal handling; returns in the daemon process only. Must be the
    /// first thing `main` does after parsing options: it forks, which would lose
    /// any thread (a tokio runtime, a logging thread) started before.
    ///
    /// Failures are fatal, as in the reference: logged, `<program>: <reason>` on
    /// stderr, exit status 1 (which a `--detach` parent passes on).
    pub fn start(opts: &DaemonOptions) -> Daemon {
        match Daemon::try_start(opts) {
            Ok(d) => d,
            Err(e) => vlog::fatal(&DAEMON, format_args!("{e}")),
        }
    }

    /// [`Daemon::start`] returning the error instead of exiting.
    pub fn try_start(opts: &DaemonOptions) -> Result<Daemon, String> {
        let mut notify = None;
        if opts.detach || opts.monitor {
            let threads = thread_count();
            if threads > 1 {
                return Err(format!(
                    "Daemon::start must run before any thread is started (this process has {threads})"
                ));
            }
        }
        if opts.detach {
            let (read_end, write_end) = pipe()?;
            match fork()? {
                Fork::Parent(child) => {
                    drop(write_end);
                    wait_for_startup(read_end, child)
                }
                Fork::Child => {
                    drop(read_end);
                    notify = Some(write_end);
                    // SAFETY: setsid has no memory-safety preconditions.
                    if unsafe { libc::setsid() } < 0 {
                        return Err(format!("setsid failed ({})", error_text(&last_error())));
                    }
                }
            }
        }
        if opts.monitor {
            notify = Some(monitor(notify, opts)?);
        }
        fatal_signal::init()?;
        crash_signal::init().map_err(|e| {
            format!(
                "cannot install the crash signal handler ({})",
                error_text(&e)
            )
        })?;
        install_panic_hook();
        let pidfile = match &opts.pidfile {
            Some(path) => Some(pidfile::create(path, opts.overwrite_pidfile)?),
            None => None,
        };
        Ok(Daemon {
            opts: opts.clone(),
            notify,
            pidfile,
            ready: false,
        })
    }

    /// The options it was started with.
    pub fn options(&self) -> &DaemonOptions {
        &self.opts
    }

    /// The control socket path for this process, if any.
    pub fn unixctl_path(&self) -> Option<PathBuf> {
        self.opts.unixctl_path(std::process::id())
    }

    /// Creates the control socket (None with `--unixctl=none`) with the built-in
    /// commands, lets `register` add the daemon's own (`exit`, ...), and only then
    /// starts answering: a client that connects early waits in the listen queue
    /// instead of being told a command does not exist. Failure is fatal, like
    /// [`Daemon::start`].
    pub fn start_unixctl(
        &self,
        register: impl FnOnce(&unixctl::Server),
    ) -> Option<unixctl::Server> {
        match self.try_start_unixctl(register) {
            Ok(s) => s,
            Err(e) => vlog::fatal(&DAEMON, format_args!("{e}")),
        }
    }

    /// [`Daemon::start_unixctl`] returning the error instead of exiting.
    pub fn try_start_unixctl(
        &self,
        register: impl FnOnce(&unixctl::Server),
    ) -> Result<Option<unixctl::Server>, String> {
        let Some(path) = self.unixctl_path() else {
            return Ok(None);
        };
        let mut server = unixctl::Server::bind(&path)?;
        register(&server);
        server.start()?;
        Ok(Some(server))
    }

    /// Tells the parent (`--detach`) or monitor that the daemon is up. With
    /// `--detach`, also changes to `/` (unless `--no-chdir`) and points stdin,
    /// stdout and stderr at /dev/null, which turns console logging off.
    pub fn ready(&mut self) {
        if self.ready {
            return;
        }
        self.ready = true;
        if self.opts.detach {
            if self.opts.chdir {
                if let Err(e) = std::env::set_current_dir("/") {
                    vlog::warn!(
                        DAEMON,
                        "could not change working directory to / ({})",
                        error_text(&e)
                    );
                }
            }
            close_standard_fds();
        }
        if let Some(fd) = self.notify.take() {
            let byte = [0u8];
            // SAFETY: writing one byte from a local buffer to a descriptor we own.
            // A parent that already died does not care; nothing to do on failure.
            unsafe { libc::write(fd.as_raw_fd(), byte.as_ptr().cast(), 1) };
        }
    }

    /// Whether [`Daemon::ready`] was called.
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Removes the pidfile and control socket (and runs the other registered
    /// cleanups), then exits with `code`.
    pub fn exit(&mut self, code: i32) -> ! {
        if let Some(p) = self.pidfile.take() {
            p.remove();
        }
        fatal_signal::exit(code)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(p) = self.pidfile.take() {
            p.remove();
        }
    }
}

/// The number of threads of this process (1 when /proc cannot tell).
fn thread_count() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:"))
                .and_then(|n| n.trim().parse().ok())
        })
        .unwrap_or(1)
}

fn pipe() -> Result<(OwnedFd, OwnedFd), String> {
    let mut fds = [0i32; 2];
    // SAFETY: fds has room for the two descriptors.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(format!("pipe failed ({})", error_text(&last_error())));
    }
    // SAFETY: pipe2 just returned these descriptors; nothing else owns them.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

enum Fork {
    Parent(libc::pid_t),
    Child,
}

fn fork() -> Result<Fork, String> {
    // Flush what the child would otherwise print a second time.
    let _ = io::Write::flush(&mut io::stdout());
    // SAFETY: the process is single-threaded here (checked by the callers'
    // thread_count test), so the child's memory is consistent.
    match unsafe { libc::fork() } {
        -1 => Err(format!("could not fork ({})", error_text(&last_error()))),
        0 => Ok(Fork::Child),
        pid => Ok(Fork::Parent(pid)),
    }
}

/// Blocks until the child writes its readiness byte (true) or closes the pipe by
/// dying (false).
fn wait_ready(read_end: &OwnedFd) -> bool {
    let mut byte = [0u8];
    loop {
        // SAFETY: reading one byte into a local buffer from a descriptor we own.
        let n = unsafe { libc::read(read_end.as_raw_fd(), byte.as_mut_ptr().cast(), 1) };
        if n < 0 && last_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        return n == 1;
    }
}

fn waitpid(pid: libc::pid_t) -> Result<i32, String> {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(pid, &mut status, 0) };
        if r == pid {
            return Ok(status);
        }
        let e = last_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(format!("waitpid failed ({})", error_text(&e)));
        }
    }
}

/// The `--detach` parent: exit 0 once the child is ready; if it dies first, exit
/// with its status (it has already said why) or report the signal that killed it.
fn wait_for_startup(read_end: OwnedFd, child: libc::pid_t) -> ! {
    if wait_ready(&read_end) {
        std::process::exit(0);
    }
    match waitpid(child) {
        Ok(status) if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) != 0 => {
            std::process::exit(libc::WEXITSTATUS(status))
        }
        Ok(status) => vlog::fatal(
            &DAEMON,
            format_args!(
                "fork child died before signaling startup ({})",
                status_msg(status)
            ),
        ),
        Err(e) => vlog::fatal(&DAEMON, format_args!("{e}")),
    }
}

/// Minimum time between two restarts by the monitor.
const RESTART_INTERVAL: Duration = Duration::from_secs(10);

/// Runs the `--monitor` supervisor. Returns only in a (re)started daemon child,
/// with the descriptor on which that child reports readiness. `parent_notify` is
/// the `--detach` parent's pipe, which the monitor signals when the first child is
/// ready.
fn monitor(parent_notify: Option<OwnedFd>, opts: &DaemonOptions) -> Result<OwnedFd, String> {
    let mut parent_notify = parent_notify;
    let mut crashes = 0u32;
    let mut last_restart: Option<Instant> = None;
    let mut first = true;
    loop {
        let (read_end, write_end) = pipe()?;
        let child = match fork()? {
            Fork::Child => {
                drop(read_end);
                // The child reports to the monitor, not to the original parent.
                drop(parent_notify.take());
                // Like the reference, a restarted daemon names itself in its
                // log lines ("reconnect(ovs-vswitchd)|..."), the first does not.
                vlog::set_subprogram_name(if first { "" } else { &opts.program });
                return Ok(write_end);
            }
            Fork::Parent(pid) => pid,
        };
        drop(write_end);
        vlog::set_subprogram_name("monitor");
        let ready = wait_ready(&read_end);
        if ready && first {
            // Detach the monitor itself the way the daemon detaches.
            if opts.detach {
                if opts.chdir {
                    let _ = std::env::set_current_dir("/");
                }
                close_standard_fds();
            }
            if let Some(fd) = parent_notify.take() {
                let byte = [0u8];
                // SAFETY: one byte from a local buffer to a descriptor we own.
                unsafe { libc::write(fd.as_raw_fd(), byte.as_ptr().cast(), 1) };
            }
        }
        if ready {
            // A healthy daemon may run for months; do not keep a rotated log open.
            if vlog::log_file_is_open() {
                vlog::info!(VLOG, "closing log file");
                vlog::close_log_file();
            }
        }
        let status = waitpid(child)?;
        if vlog::log_file_name().is_some() && !vlog::log_file_is_open() {
            let _ = vlog::reopen_log_file();
        }
        if first && !ready {
            // The first start failed: behave like the --detach parent would.
            if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) != 0 {
                std::process::exit(libc::WEXITSTATUS(status));
            }
            vlog::fatal(
                &DAEMON,
                format_args!(
                    "fork child died before signaling startup ({})",
                    status_msg(status)
                ),
            );
        }
        first = false;
        if !is_crash(status) {
            vlog::info!(DAEMON, "pid {child} died, {}, exiting", status_msg(status));
            std::process::exit(if libc::WIFEXITED(status) {
                libc::WEXITSTATUS(status)
            } else {
                1
            });
        }
        crashes += 1;
        let what = format!(
            "{crashes} crashes: pid {child} died, {}",
            status_msg(status)
        );
        if let Some(last) = last_restart {
            let since = last.elapsed();
            if since < RESTART_INTERVAL {
                vlog::warn!(
                    DAEMON,
                    "{what}, waiting until 10 seconds since last restart"
                );
                std::thread::sleep(RESTART_INTERVAL - since);
            }
        }
        vlog::err!(DAEMON, "{what}, restarting");
        last_restart = Some(Instant::now());
    }
}

/// A panic in a daemon is a programming error, like a failed assertion in the
/// reference, which aborts: log it and abort, so that `--monitor` restarts the
/// daemon instead of it limping on without the thread that panicked.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        vlog::emer!(DAEMON, "{info}");
        previous(info);
        std::process::abort();
    }));
}

/// Points stdin, stdout and stderr at /dev/null and turns console logging off.
fn close_standard_fds() {
    match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
    {
        Ok(null) => {
            for fd in 0..3 {
                // SAFETY: dup2 onto the standard descriptors, which stay open.
                unsafe { libc::dup2(null.as_raw_fd(), fd) };
            }
        }
        Err(e) => vlog::warn!(DAEMON, "could not open /dev/null ({})", error_text(&e)),
    }
    vlog::disable_console();
}
