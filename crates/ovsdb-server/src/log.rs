//! The server's log calls, in one place so the destination (console, file, levels)
//! is configured once by `main`.

use std::sync::OnceLock;

type Sink = Box<dyn Fn(Level, &str) + Send + Sync>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Err,
    Warn,
    Info,
    Dbg,
}

static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs the log destination (first call wins).
pub fn set_sink(sink: Sink) {
    let _ = SINK.set(sink);
}

fn emit(level: Level, msg: &str) {
    match SINK.get() {
        Some(sink) => sink(level, msg),
        None if level <= Level::Warn => eprintln!("ovsdb-server: {msg}"),
        None => {}
    }
}

pub fn err(msg: &str) {
    emit(Level::Err, msg)
}

pub fn warn(msg: &str) {
    emit(Level::Warn, msg)
}

pub fn info(msg: &str) {
    emit(Level::Info, msg)
}

pub fn dbg(msg: &str) {
    emit(Level::Dbg, msg)
}
