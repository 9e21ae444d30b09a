//! The `vlog/*` unixctl commands every daemon serves.

use crate::unixctl::{Commands, UNLIMITED};

/// Registers `vlog/set`, `vlog/list`, `vlog/list-pattern`, `vlog/reopen`,
/// `vlog/close`, `vlog/enable-rate-limit` and `vlog/disable-rate-limit`.
pub fn register_commands(commands: &Commands) {
    commands.register(
        "vlog/set",
        "{spec | PATTERN:destination:pattern}",
        0,
        UNLIMITED,
        |args| {
            for spec in args {
                super::set_levels_from_string(spec)?;
            }
            Ok(String::new())
        },
    );
    commands.register("vlog/list", "", 0, 0, |_| Ok(super::list()));
    commands.register(
        "vlog/list-pattern",
        "",
        0,
        0,
        |_| Ok(super::list_patterns()),
    );
    commands.register("vlog/reopen", "", 0, 0, |_| {
        super::reopen_log_file().map(|()| String::new())
    });
    commands.register("vlog/close", "", 0, 0, |_| {
        super::close_log_file();
        Ok(String::new())
    });
    for (name, enable) in [
        ("vlog/enable-rate-limit", true),
        ("vlog/disable-rate-limit", false),
    ] {
        commands.register(name, "[module]...", 0, UNLIMITED, move |args| {
            if args.is_empty() {
                super::set_rate_limit(None, enable)?;
            }
            for m in args {
                let module = (!m.eq_ignore_ascii_case("ANY")).then_some(m.as_str());
                super::set_rate_limit(module, enable)?;
            }
            Ok(String::new())
        });
    }
}
