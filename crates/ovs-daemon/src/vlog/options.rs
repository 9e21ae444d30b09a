//! The logging options every program accepts (`-v[SPEC]`, `--verbose[=SPEC]`,
//! `--log-file[=FILE]`, `--syslog-method`, `--syslog-target`).

use std::path::Path;

use super::{program_name, set_log_file, set_syslog_method, set_syslog_target, set_verbosity};
use crate::getopt::{HasArg, Opt};

/// The logging options every program accepts (`-v`, `--verbose`, `--log-file`,
/// `--syslog-method`, `--syslog-target`), for [`crate::getopt`].
pub const OPTIONS: [Opt; 4] = [
    Opt::new("verbose", Some('v'), HasArg::Optional),
    Opt::new("log-file", None, HasArg::Optional),
    Opt::new("syslog-method", None, HasArg::Required),
    Opt::new("syslog-target", None, HasArg::Required),
];

/// Handles one of [`OPTIONS`]; returns Ok(false) for any other option. Errors are
/// what the program prints after `<program>: ` before exiting with status 1.
pub fn handle_option(name: &str, value: Option<&str>) -> Result<bool, String> {
    match name {
        "verbose" => set_verbosity(value)?,
        "log-file" => set_log_file(value.map(Path::new))?,
        "syslog-method" => set_syslog_method(value.unwrap_or(""))?,
        "syslog-target" => set_syslog_target(value.unwrap_or(""))?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// `--help` text for the logging options.
pub fn usage() -> String {
    format!(
        "\nLogging options:\n\
         \x20 -vSPEC, --verbose=SPEC   set logging levels (SPEC: [module][:destination][:level])\n\
         \x20 -v, --verbose            log everything (level dbg everywhere)\n\
         \x20 --log-file[=FILE]        also log to FILE\n\
         \x20                          (default: {}/{}.log)\n\
         \x20 --syslog-method=(libc|null|unix:FILE|udp:IP:PORT)\n\
         \x20                          how to reach the syslog daemon\n\
         \x20 --syslog-target=IP:PORT  also send syslog messages to IP:PORT over UDP\n",
        crate::dirs::logdir().display(),
        program_name()
    )
}
