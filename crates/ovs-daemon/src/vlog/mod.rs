//! Open vSwitch-style logging ("vlog"), shared by every oxvs program.
//!
//! Messages are logged by *module* (a name such as `ovsdb_server`) at a [`Level`] and
//! go to up to three [`Destination`]s, each with its own per-module level: the
//! console (stderr), syslog, and the `--log-file`. Lines look exactly like the
//! reference's:
//!
//! ```text
//! 2026-11-21T01:48:19.123Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovsdb-server.log   (file)
//! 2026-11-21T01:48:19Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovsdb-server.log       (console)
//! ```
//!
//! The sequence number is shared by all destinations and counts messages that went
//! anywhere. All levels default to `info`. A detached daemon turns the console off.
//!
//! Usage:
//!
//! ```
//! use ovs_daemon::vlog;
//! static LOG: vlog::Module = vlog::Module::new("my_module");
//! static RL: vlog::RateLimit = vlog::RateLimit::new(5, 20);
//!
//! vlog::init("my-program", &[&LOG]);
//! vlog::info!(LOG, "listening on {}", "punix:/run/db.sock");
//! vlog::warn_rl!(LOG, RL, "dropped a bad packet from {}", "p1");
//! ```
//!
//! Logging is safe from any thread; formatting happens only when some destination
//! takes the message. Command-line tools (`ovsdb-tool`, `ovsdb-client`) log through
//! the same code, set up with [`init_tool`] instead of [`init`].

mod commands;
mod level;
mod macros;
mod options;
mod pattern;
mod ratelimit;
mod reference_modules;
mod spec;
mod syslog;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{Instant, SystemTime};

use crate::util::error_text;

pub use commands::register_commands;
pub use level::{facility_from_name, Destination, Level};
pub use options::{handle_option, usage, OPTIONS};
pub use pattern::Pattern;
pub use ratelimit::RateLimit;
pub use reference_modules::LIBRARY_MODULES;
pub use spec::Spec;

/// Modules of this crate, named as in the reference so that log lines and
/// `vlog/set` specs carry over.
pub(crate) static VLOG: Module = Module::new("vlog");
pub(crate) static DAEMON: Module = Module::new("daemon_unix");
pub(crate) static UNIXCTL: Module = Module::new("unixctl");
pub(crate) static FATAL_SIGNAL: Module = Module::new("fatal_signal");

/// A logging module. Declare one per source area as a `static`; it joins the
/// registry (and `vlog/list`) when registered or first used.
pub struct Module {
    name: &'static str,
    state: OnceLock<&'static ModuleState>,
}

impl Module {
    pub const fn new(name: &'static str) -> Module {
        Module {
            name,
            state: OnceLock::new(),
        }
    }

    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Makes the module known (to `vlog/list`, `-v` and `vlog/set`) before it logs.
    pub fn register(&self) {
        self.state();
    }

    /// Whether a message at `level` would go to at least one destination's level
    /// (cheap: one atomic load).
    pub fn is_enabled(&self, level: Level) -> bool {
        level != Level::Off && level as u8 <= self.state().max.load(Ordering::Relaxed)
    }

    /// This module's level for `destination`.
    pub fn level(&self, destination: Destination) -> Level {
        self.state().level(destination)
    }

    fn state(&self) -> &'static ModuleState {
        self.state.get_or_init(|| find_or_register(self.name))
    }
}

struct ModuleState {
    name: String,
    levels: [AtomicU8; 3],
    /// The most verbose of `levels`, for the fast check.
    max: AtomicU8,
    rate_limited: AtomicBool,
}

impl ModuleState {
    fn new(name: &str, levels: [Level; 3]) -> ModuleState {
        let s = ModuleState {
            name: name.to_string(),
            levels: levels.map(|l| AtomicU8::new(l as u8)),
            max: AtomicU8::new(0),
            rate_limited: AtomicBool::new(true),
        };
        s.update_max();
        s
    }

    fn level(&self, d: Destination) -> Level {
        Level::from_u8(self.levels[d.index()].load(Ordering::Relaxed))
    }

    fn set_level(&self, d: Destination, level: Level) {
        self.levels[d.index()].store(level as u8, Ordering::Relaxed);
        self.update_max();
    }

    fn update_max(&self) {
        let max = self
            .levels
            .iter()
            .map(|l| l.load(Ordering::Relaxed))
            .max()
            .unwrap_or(0);
        self.max.store(max, Ordering::Relaxed);
    }
}

struct Registry {
    modules: BTreeMap<String, &'static ModuleState>,
    /// Levels for modules registered later, following "all modules" changes.
    defaults: [Level; 3],
}

static REGISTRY: LazyLock<RwLock<Registry>> = LazyLock::new(|| {
    RwLock::new(Registry {
        modules: BTreeMap::new(),
        defaults: [Level::Info; 3],
    })
});

fn registry_read() -> std::sync::RwLockReadGuard<'static, Registry> {
    REGISTRY.read().unwrap_or_else(|p| p.into_inner())
}

fn registry_write() -> std::sync::RwLockWriteGuard<'static, Registry> {
    REGISTRY.write().unwrap_or_else(|p| p.into_inner())
}

fn find_or_register(name: &str) -> &'static ModuleState {
    if let Some(s) = registry_read().modules.get(name) {
        return s;
    }
    let mut reg = registry_write();
    if let Some(s) = reg.modules.get(name) {
        return s;
    }
    // Modules live for the whole process, like the reference's static ones.
    let state: &'static ModuleState = Box::leak(Box::new(ModuleState::new(name, reg.defaults)));
    reg.modules.insert(name.to_string(), state);
    state
}

/// The registered module a spec word names, ignoring case.
fn find_module(word: &str) -> Option<&'static ModuleState> {
    let reg = registry_read();
    if let Some(s) = reg.modules.get(word) {
        return Some(s);
    }
    reg.modules
        .values()
        .find(|s| s.name.eq_ignore_ascii_case(word))
        .copied()
}

/// Registers a module by name only, e.g. for names that scripts written for the
/// reference set with `vlog/set` although this program never logs under them.
pub fn register_name(name: &str) {
    find_or_register(name);
}

/// Names of all registered modules, sorted.
pub fn module_names() -> Vec<String> {
    registry_read().modules.keys().cloned().collect()
}

struct LogFile {
    file: File,
    dev: u64,
    ino: u64,
}

struct Output {
    program: String,
    hostname: String,
    started: Instant,
    sequence: u32,
    patterns: [Pattern; 3],
    facility: Option<u8>,
    file: Option<LogFile>,
    file_name: Option<PathBuf>,
    syslog: syslog::Syslog,
    /// Set by [`init_tool`]: a command-line tool, not a daemon.
    tool: bool,
}

static OUTPUT: LazyLock<Mutex<Output>> = LazyLock::new(|| {
    Mutex::new(Output {
        program: default_program_name(),
        hostname: hostname(),
        started: Instant::now(),
        sequence: 0,
        patterns: [
            Pattern::new(pattern::DEFAULT_CONSOLE),
            Pattern::new(pattern::DEFAULT_SYSLOG),
            Pattern::new(pattern::DEFAULT_FILE),
        ],
        facility: None,
        file: None,
        file_name: None,
        syslog: syslog::Syslog::new(),
        tool: false,
    })
});

fn output() -> MutexGuard<'static, Output> {
    OUTPUT.lock().unwrap_or_else(|p| p.into_inner())
}

fn default_program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|a| {
            Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "ovs".to_string())
}

fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: buf is writable for its length; gethostname NUL-terminates on success
    // (the last byte stays 0 otherwise).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

thread_local! {
    static SUBPROGRAM: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Names the calling thread (or, in a forked process, its main thread) for `%t`/`%T`;
/// the monitor process is "monitor". Empty means the main thread.
pub fn set_subprogram_name(name: &str) {
    SUBPROGRAM.with(|s| *s.borrow_mut() = name.to_string());
}

/// Sets the program name (for `%A`, syslog and the default log file name) and
/// registers `modules`. Call it first thing, before parsing `-v` options.
pub fn init(program: &str, modules: &[&Module]) {
    output().program = program.to_string();
    for m in [&VLOG, &DAEMON, &UNIXCTL, &FATAL_SIGNAL]
        .into_iter()
        .chain(modules.iter().copied())
    {
        m.register();
    }
}

/// Sets up logging for a command-line tool (`ovsdb-tool`, `ovsdb-client`) instead of
/// [`init`]. `modules` are the module names its `-v` specs accept: those of the
/// reference's build of that tool, which need not include this crate's own (the
/// reference's ovsdb-tool refuses `daemon_unix`).
///
/// A tool differs from a daemon in two ways. It sends nothing to syslog, yet a
/// message its syslog levels take still gets a sequence number, so the console
/// lines are numbered as the reference's are. And a relative `--log-file` name is
/// kept as given, as the reference keeps it ("opened log file x.log"): a tool never
/// changes directory, so the name cannot go stale.
pub fn init_tool(program: &str, modules: &[&str]) {
    {
        let mut out = output();
        out.program = program.to_string();
        out.tool = true;
        out.syslog.set_method(syslog::Method::Null);
    }
    for name in modules {
        register_name(name);
    }
}

/// The name given to [`init`] (else the executable's file name).
pub fn program_name() -> String {
    output().program.clone()
}

/// Logs a message (the macros call this after checking [`Module::is_enabled`]).
pub fn log(module: &Module, level: Level, args: fmt::Arguments<'_>) {
    let state = module.state();
    if !module.is_enabled(level) {
        return;
    }
    let message = match args.as_str() {
        Some(s) => s.to_string(),
        None => fmt::format(args),
    };
    emit(state, level, &message, [true; 3]);
}

/// Logs through a rate limit: nothing if the module's limit is on and exhausted.
pub fn log_rate_limited(
    module: &Module,
    limit: &RateLimit,
    level: Level,
    args: fmt::Arguments<'_>,
) {
    if !module.is_enabled(level) {
        return;
    }
    if module.state().rate_limited.load(Ordering::Relaxed) {
        match limit.decide(Instant::now()) {
            ratelimit::Decision::Drop => return,
            ratelimit::Decision::Pass {
                dropped: Some((n, since_first, since_last)),
            } => log(
                module,
                level,
                format_args!(
                    "Dropped {n} log messages in last {since_first} seconds (most recently, {since_last} seconds ago) due to excessive rate"
                ),
            ),
            ratelimit::Decision::Pass { dropped: None } => {}
        }
    }
    log(module, level, args);
}

fn emit(module: &ModuleState, level: Level, message: &str, allowed: [bool; 3]) {
    let wants = |d: Destination| allowed[d.index()] && level <= module.level(d);
    let mut out = output();
    let out = &mut *out;
    let to_console = wants(Destination::Console);
    let to_syslog = wants(Destination::Syslog) && out.syslog.is_active();
    let numbered_for_syslog = to_syslog || (out.tool && wants(Destination::Syslog));
    let to_file = wants(Destination::File) && out.file.is_some();
    if !(to_console || numbered_for_syslog || to_file) {
        return;
    }
    out.sequence = out.sequence.wrapping_add(1);
    SUBPROGRAM.with(|sub| {
        let sub = sub.borrow();
        let record = pattern::Record {
            program: &out.program,
            module: &module.name,
            level,
            message,
            sequence: out.sequence,
            time: SystemTime::now(),
            subprogram: &sub,
            facility: out.facility.unwrap_or(level::DEFAULT_REMOTE_FACILITY),
            hostname: &out.hostname,
            started: out.started,
        };
        if to_console {
            let mut line = String::new();
            out.patterns[Destination::Console.index()].render(&record, &mut line);
            line.push('\n');
            // Nothing sensible can be done if stderr is gone.
            let _ = std::io::stderr().write_all(line.as_bytes());
        }
        if to_syslog {
            let mut line = String::new();
            out.patterns[Destination::Syslog.index()].render(&record, &mut line);
            let mut prefix = String::new();
            if out.syslog.needs_prefix() {
                Pattern::new(pattern::SYSLOG_PREFIX).render(&record, &mut prefix);
            }
            out.syslog.send(
                &out.program,
                out.facility,
                level.syslog_severity(),
                &prefix,
                &line,
            );
        }
        if to_file {
            let mut line = String::new();
            out.patterns[Destination::File.index()].render(&record, &mut line);
            line.push('\n');
            if let Some(f) = &mut out.file {
                let _ = f.file.write_all(line.as_bytes());
            }
        }
    });
}

/// Reports an error that ends the program, the way the reference does: an `EMER`
/// line in the log file and syslog, `<program>: <message>` on stderr, then the
/// fatal-signal cleanups (pidfile, control socket) and exit status 1.
pub fn fatal(module: &Module, args: fmt::Arguments<'_>) -> ! {
    let message = fmt::format(args);
    emit(module.state(), Level::Emer, &message, [false, true, true]);
    let _ = writeln!(std::io::stderr(), "{}: {message}", program_name());
    crate::fatal_signal::exit(1)
}

/// Sets `level` for `module` (all when None) on `destination` (all when None).
pub fn set_levels(
    module: Option<&str>,
    destination: Option<Destination>,
    level: Level,
) -> Result<(), String> {
    let dests: Vec<Destination> = match destination {
        Some(d) => vec![d],
        None => Destination::ALL.to_vec(),
    };
    match module {
        Some(name) => {
            let m = find_module(name)
                .ok_or_else(|| format!("no destination, level, or module \"{name}\""))?;
            for d in dests {
                m.set_level(d, level);
            }
        }
        None => {
            let mut reg = registry_write();
            for d in dests {
                reg.defaults[d.index()] = level;
                for m in reg.modules.values() {
                    m.set_level(d, level);
                }
            }
        }
    }
    Ok(())
}

/// Applies a spec (the argument of `-v` and of `vlog/set`).
pub fn set_levels_from_string(spec: &str) -> Result<(), String> {
    let parsed = spec::parse(spec, |w| find_module(w).map(|m| m.name.clone()))?;
    match parsed {
        Spec::Levels {
            module,
            destination,
            level,
        } => set_levels(module.as_deref(), destination, level),
        Spec::Pattern {
            destination,
            pattern,
        } => {
            set_pattern(destination, &pattern);
            Ok(())
        }
        Spec::Facility(code) => {
            output().facility = Some(code);
            Ok(())
        }
    }
}

/// `-v`/`--verbose[=SPEC]`: no spec means every module at `dbg` everywhere.
pub fn set_verbosity(spec: Option<&str>) -> Result<(), String> {
    match spec {
        None => set_levels(None, None, Level::Dbg),
        Some(s) => set_levels_from_string(s).map_err(|e| format!("processing \"{s}\": {e}")),
    }
}

/// Sets the pattern of `destination` (all when None).
pub fn set_pattern(destination: Option<Destination>, pattern: &str) {
    let mut out = output();
    for d in Destination::ALL {
        if destination.is_none_or(|want| want == d) {
            out.patterns[d.index()] = Pattern::new(pattern);
        }
    }
}

/// Turns the console off for every module (a daemon does this once it detaches and
/// its stderr is /dev/null).
pub fn disable_console() {
    let _ = set_levels(None, Some(Destination::Console), Level::Off);
}

/// `--log-file[=FILE]`: opens FILE (default `$OVS_LOGDIR/<program>.log`) for
/// appending and logs "opened log file FILE". In a daemon, a relative FILE is made
/// absolute against the current directory, so that `vlog/reopen` after `--detach`
/// (which changes to `/`) reopens the same file; a tool keeps it as given.
pub fn set_log_file(path: Option<&Path>) -> Result<(), String> {
    let tool = output().tool;
    let path = match path {
        Some(p) if p.is_absolute() || tool => p.to_path_buf(),
        Some(p) => std::env::current_dir()
            .map(|cwd| cwd.join(p))
            .unwrap_or_else(|_| p.to_path_buf()),
        None => crate::dirs::logdir().join(format!("{}.log", program_name())),
    };
    {
        let mut out = output();
        out.file = None;
        out.file_name = Some(path.clone());
    }
    open_log_file(&path)
}

fn open_log_file(path: &Path) -> Result<(), String> {
    let opened = OpenOptions::new()
        .append(true)
        .create(true)
        // As the reference creates it (before the umask).
        .mode(0o660)
        .open(path)
        .and_then(|file| {
            let meta = file.metadata()?;
            Ok(LogFile {
                file,
                dev: meta.dev(),
                ino: meta.ino(),
            })
        });
    match opened {
        Ok(f) => {
            output().file = Some(f);
            log(
                &VLOG,
                Level::Info,
                format_args!("opened log file {}", path.display()),
            );
            Ok(())
        }
        Err(e) => {
            let msg = format!(
                "failed to open {} for logging: {}",
                path.display(),
                error_text(&e)
            );
            log(&VLOG, Level::Warn, format_args!("{msg}"));
            Err(msg)
        }
    }
}

/// `vlog/reopen`: reopens the log file (after rotation), unless the open file is
/// still the one at that path.
pub fn reopen_log_file() -> Result<(), String> {
    let (path, same) = {
        let out = output();
        let Some(path) = out.file_name.clone() else {
            return Err("Logging to file not configured".into());
        };
        let same = match (&out.file, std::fs::metadata(&path)) {
            (Some(f), Ok(m)) => m.dev() == f.dev && m.ino() == f.ino,
            _ => false,
        };
        (path, same)
    };
    if same {
        return Ok(());
    }
    output().file = None;
    open_log_file(&path)
}

/// `vlog/close`: closes the log file; `vlog/reopen` opens it again.
pub fn close_log_file() {
    output().file = None;
}

/// The configured log file, open or not.
pub fn log_file_name() -> Option<PathBuf> {
    output().file_name.clone()
}

/// Whether the log file is open.
pub fn log_file_is_open() -> bool {
    output().file.is_some()
}

/// `--syslog-method=libc|null|unix:FILE|udp:IP:PORT`.
pub fn set_syslog_method(method: &str) -> Result<(), String> {
    let m = syslog::Method::parse(method)?;
    output().syslog.set_method(m);
    Ok(())
}

/// `--syslog-target=IP:PORT`: also send syslog messages there over UDP.
pub fn set_syslog_target(target: &str) -> Result<(), String> {
    let addr = syslog::parse_ip_port(target)?;
    output().syslog.set_target(addr);
    Ok(())
}

/// Turns rate limiting on or off for `module` (all when None).
pub fn set_rate_limit(module: Option<&str>, enabled: bool) -> Result<(), String> {
    match module {
        Some(name) => {
            let m = find_module(name).ok_or("unknown module")?;
            m.rate_limited.store(enabled, Ordering::Relaxed);
        }
        None => {
            for m in registry_read().modules.values() {
                m.rate_limited.store(enabled, Ordering::Relaxed);
            }
        }
    }
    Ok(())
}

/// The `vlog/list` table.
pub fn list() -> String {
    let mut s = String::from("                 console    syslog    file\n");
    s.push_str("                 -------    ------    ------\n");
    for m in registry_read().modules.values() {
        s.push_str(&format!(
            "{:<16}  {:>4}       {:>4}       {:>4}\n",
            m.name,
            m.level(Destination::Console).name(),
            m.level(Destination::Syslog).name(),
            m.level(Destination::File).name(),
        ));
    }
    s
}

/// The `vlog/list-pattern` table.
pub fn list_patterns() -> String {
    let out = output();
    let mut s = format!("{:<9}{:<34}{}\n", "", "prefix", "format");
    s.push_str(&format!("{:<9}{:<34}{}\n", "", "------", "------"));
    let rows = [
        ("SYSLOG", pattern::SYSLOG_PREFIX, Destination::Syslog),
        ("CONSOLE", "none", Destination::Console),
        ("FILE", "none", Destination::File),
    ];
    for (name, prefix, d) in rows {
        s.push_str(&format!(
            "{name:<9}{prefix:<34}{}\n",
            out.patterns[d.index()].source()
        ));
    }
    s
}

pub use crate::__vlog_at as log_at;
pub use crate::__vlog_dbg as dbg;
pub use crate::__vlog_dbg_rl as dbg_rl;
pub use crate::__vlog_emer as emer;
pub use crate::__vlog_err as err;
pub use crate::__vlog_err_rl as err_rl;
pub use crate::__vlog_fatal as fatal;
pub use crate::__vlog_info as info;
pub use crate::__vlog_info_rl as info_rl;
pub use crate::__vlog_warn as warn;
pub use crate::__vlog_warn_rl as warn_rl;

#[cfg(test)]
mod tests;
