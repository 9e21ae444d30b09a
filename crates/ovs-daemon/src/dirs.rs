//! Open vSwitch's well-known directories, each overridable by an environment variable
//! (`OVS_RUNDIR`, `OVS_LOGDIR`, `OVS_DBDIR`, `OVS_SYSCONFDIR`, `OVS_PKGDATADIR`).
//!
//! As in the reference, an empty variable counts as unset, with one exception: an
//! empty `OVS_SYSCONFDIR` still places the database directory (`/openvswitch`).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

fn env_dir(var: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Where pidfiles, control sockets and `db.sock` live (`/var/run/openvswitch`).
pub fn rundir() -> PathBuf {
    env_dir("OVS_RUNDIR").unwrap_or_else(|| PathBuf::from("/var/run/openvswitch"))
}

/// Where `--log-file` puts `<program>.log` by default (`/var/log/openvswitch`).
pub fn logdir() -> PathBuf {
    env_dir("OVS_LOGDIR").unwrap_or_else(|| PathBuf::from("/var/log/openvswitch"))
}

/// The system configuration directory (`/etc`).
pub fn sysconfdir() -> PathBuf {
    env_dir("OVS_SYSCONFDIR").unwrap_or_else(|| PathBuf::from("/etc"))
}

/// Where `conf.db` lives: `OVS_DBDIR`, else `$OVS_SYSCONFDIR/openvswitch`, else
/// `/etc/openvswitch`. Here, as in the reference (observed with its ovsdb-tool), an
/// empty `OVS_SYSCONFDIR` counts: it yields `/openvswitch`.
pub fn dbdir() -> PathBuf {
    if let Some(d) = env_dir("OVS_DBDIR") {
        return d;
    }
    match std::env::var_os("OVS_SYSCONFDIR") {
        Some(mut s) => {
            s.push("/openvswitch");
            PathBuf::from(s)
        }
        None => PathBuf::from("/etc/openvswitch"),
    }
}

/// Where the schemas and scripts are installed (`/usr/share/openvswitch`).
pub fn pkgdatadir() -> PathBuf {
    pkgdatadir_override().unwrap_or_else(|| PathBuf::from("/usr/share/openvswitch"))
}

/// `OVS_PKGDATADIR` alone, for a program that falls back to data built into it
/// rather than to the installed default (ovsdb-tool's default schema).
pub fn pkgdatadir_override() -> Option<PathBuf> {
    env_dir("OVS_PKGDATADIR")
}

/// `name` itself if it is absolute, else `dir/name`: how `--pidfile=NAME` and
/// `--unixctl=NAME` are resolved against the run directory.
pub fn abs_file_name(dir: &Path, name: impl Into<OsString>) -> PathBuf {
    let name = PathBuf::from(name.into());
    if name.is_absolute() {
        name
    } else {
        dir.join(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_names_are_kept_relative_ones_joined() {
        assert_eq!(
            abs_file_name(Path::new("/run/x"), "/tmp/a.pid"),
            PathBuf::from("/tmp/a.pid")
        );
        assert_eq!(
            abs_file_name(Path::new("/run/x"), "a.pid"),
            PathBuf::from("/run/x/a.pid")
        );
    }
}
