//! Open vSwitch's well-known directories, each overridable by an environment variable
//! (`OVS_RUNDIR`, `OVS_LOGDIR`, `OVS_DBDIR`, `OVS_SYSCONFDIR`, `OVS_PKGDATADIR`).
//!
//! As in the reference, an empty variable counts as unset.

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
/// `/etc/openvswitch`.
pub fn dbdir() -> PathBuf {
    if let Some(d) = env_dir("OVS_DBDIR") {
        return d;
    }
    match env_dir("OVS_SYSCONFDIR") {
        Some(s) => s.join("openvswitch"),
        None => PathBuf::from("/etc/openvswitch"),
    }
}

/// Where the schemas and scripts are installed (`/usr/share/openvswitch`).
pub fn pkgdatadir() -> PathBuf {
    env_dir("OVS_PKGDATADIR").unwrap_or_else(|| PathBuf::from("/usr/share/openvswitch"))
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
