//! Diagnostics the library reports while decoding or parsing, beside its
//! results: the reference logs them (`ofp_msgs|WARN|received OFPT_SET_CONFIG
//! with incorrect length 16 ...`, `ofp_actions|INFO|OFPAT_SET_MPLS_TTL is
//! deprecated ...`) and its tools print them on stderr, so ours must too.
//!
//! The library does no logging itself. A program installs one process-wide
//! [`set_sink`] (ovs-ofctl routes warnings into its vlog); without a sink,
//! warnings collect per thread (bounded) for [`take`]. Reporting costs nothing
//! unless something is wrong: the text is built only when a warning happens.

use std::cell::{Cell, RefCell};
use std::sync::OnceLock;

/// How serious a diagnostic is, as the reference logs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
}

/// One diagnostic: the reference's log module ("ofp_msgs", "ofp_actions",
/// "ofp_match", "ofp_flow", "ofp_table", ...), its level and its text (which may
/// span lines, e.g. a hex dump after "bad action at offset 8 (...):").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    pub module: &'static str,
    pub level: Level,
    pub text: String,
}

/// Receives every warning as it happens, in order.
pub type Sink = fn(&Warning);

static SINK: OnceLock<Sink> = OnceLock::new();

/// Warnings kept per thread without a sink; later ones are dropped, so a
/// program that never looks cannot grow without bound.
const MAX_PENDING: usize = 256;

thread_local! {
    static PENDING: RefCell<Vec<Warning>> = const { RefCell::new(Vec::new()) };
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

/// Installs the process-wide sink (once; false if one was installed already).
pub fn set_sink(sink: Sink) -> bool {
    SINK.set(sink).is_ok()
}

/// The warnings collected on this thread since the last call (only without a
/// sink).
pub fn take() -> Vec<Warning> {
    PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()))
}

/// Runs `f` with warnings suppressed on this thread: for decoding the library
/// repeats only to print (the reference decodes, and warns, once).
pub fn quiet<T>(f: impl FnOnce() -> T) -> T {
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            QUIET.with(|q| q.set(q.get().saturating_sub(1)));
        }
    }
    QUIET.with(|q| q.set(q.get() + 1));
    let _restore = Restore;
    f()
}

/// Reports a warning; `text` is only called when it will be used.
pub(crate) fn report(module: &'static str, level: Level, text: impl FnOnce() -> String) {
    if QUIET.with(Cell::get) > 0 {
        return;
    }
    let w = Warning {
        module,
        level,
        text: text(),
    };
    match SINK.get() {
        Some(sink) => sink(&w),
        None => PENDING.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < MAX_PENDING {
                p.push(w);
            }
        }),
    }
}

/// [`report`] at WARN level.
pub(crate) fn warn(module: &'static str, text: impl FnOnce() -> String) {
    report(module, Level::Warn, text);
}

/// [`report`] at INFO level.
pub(crate) fn info(module: &'static str, text: impl FnOnce() -> String) {
    report(module, Level::Info, text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_in_order_and_quiet_suppresses() {
        let _ = take();
        warn("ofp_msgs", || "one".into());
        quiet(|| info("ofp_match", || unreachable!("not built when quiet")));
        info("ofp_match", || "two".into());
        let got = take();
        assert_eq!(
            got,
            vec![
                Warning {
                    module: "ofp_msgs",
                    level: Level::Warn,
                    text: "one".into()
                },
                Warning {
                    module: "ofp_match",
                    level: Level::Info,
                    text: "two".into()
                },
            ]
        );
        assert!(take().is_empty());
    }

    #[test]
    fn the_library_reports_what_the_reference_logs() {
        let _ = take();
        assert!(crate::action::parse_actions("resubmit(,300)", None).is_err());
        assert_eq!(
            take(),
            vec![Warning {
                module: "ofp_table",
                level: Level::Warn,
                text: "table 300 is outside the supported range 0 through 255".into()
            }]
        );
        // An unknown OF1.0 action type: the type, then where in the list.
        let mut r = crate::buf::Reader::new(&[0, 0, 0, 8, 0, 1, 0, 0, 0, 0x63, 0, 8, 0, 0, 0, 0]);
        assert!(crate::action::decode_actions(crate::Version::Of10, &mut r).is_err());
        let texts: Vec<String> = take().into_iter().map(|w| w.text).collect();
        assert_eq!(
            texts,
            [
                "unknown OpenFlow10 action for vendor 0 and type 99",
                "bad action at offset 8 (OFPBAC_BAD_TYPE):\n\
                 00000000  00 00 00 08 00 01 00 00-00 63 00 08 00 00 00 00",
            ]
        );
    }

    #[test]
    fn pending_is_bounded() {
        let _ = take();
        for _ in 0..MAX_PENDING + 10 {
            warn("x", String::new);
        }
        assert_eq!(take().len(), MAX_PENDING);
    }
}
