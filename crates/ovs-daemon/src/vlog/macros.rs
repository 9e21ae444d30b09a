//! The logging macros (`vlog::info!(MODULE, ...)` and friends); exported at the
//! crate root under hidden names and re-exported from `vlog`.

#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_at {
    ($module:expr, $level:expr, $($arg:tt)+) => {{
        let module: &$crate::vlog::Module = &$module;
        if module.is_enabled($level) {
            $crate::vlog::log(module, $level, ::std::format_args!($($arg)+));
        }
    }};
}

#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_at_rl {
    ($module:expr, $limit:expr, $level:expr, $($arg:tt)+) => {{
        let module: &$crate::vlog::Module = &$module;
        if module.is_enabled($level) {
            $crate::vlog::log_rate_limited(module, &$limit, $level, ::std::format_args!($($arg)+));
        }
    }};
}

/// `emer!(MODULE, "fmt", args...)`: logs at EMER.
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_emer { ($m:expr, $($arg:tt)+) => { $crate::__vlog_at!($m, $crate::vlog::Level::Emer, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_err { ($m:expr, $($arg:tt)+) => { $crate::__vlog_at!($m, $crate::vlog::Level::Err, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_warn { ($m:expr, $($arg:tt)+) => { $crate::__vlog_at!($m, $crate::vlog::Level::Warn, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_info { ($m:expr, $($arg:tt)+) => { $crate::__vlog_at!($m, $crate::vlog::Level::Info, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_dbg { ($m:expr, $($arg:tt)+) => { $crate::__vlog_at!($m, $crate::vlog::Level::Dbg, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_err_rl { ($m:expr, $rl:expr, $($arg:tt)+) => { $crate::__vlog_at_rl!($m, $rl, $crate::vlog::Level::Err, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_warn_rl { ($m:expr, $rl:expr, $($arg:tt)+) => { $crate::__vlog_at_rl!($m, $rl, $crate::vlog::Level::Warn, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_info_rl { ($m:expr, $rl:expr, $($arg:tt)+) => { $crate::__vlog_at_rl!($m, $rl, $crate::vlog::Level::Info, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_dbg_rl { ($m:expr, $rl:expr, $($arg:tt)+) => { $crate::__vlog_at_rl!($m, $rl, $crate::vlog::Level::Dbg, $($arg)+) }; }
#[doc(hidden)]
#[macro_export]
macro_rules! __vlog_fatal { ($m:expr, $($arg:tt)+) => { $crate::vlog::fatal(&$m, ::std::format_args!($($arg)+)) }; }
