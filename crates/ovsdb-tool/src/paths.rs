//! Default file locations, from the environment the way the reference reads it.
//!
//! The default database is `$OVS_DBDIR/conf.db`, else `$OVS_SYSCONFDIR/openvswitch/
//! conf.db`, else `/etc/openvswitch/conf.db`. An empty `OVS_DBDIR` counts as unset
//! but an empty `OVS_SYSCONFDIR` does not (so it yields `/openvswitch/conf.db`): that is
//! what the reference does. The default schema is `$OVS_PKGDATADIR/vswitch.ovsschema`
//! when that variable is set (and not empty); otherwise, unlike the reference, which
//! would read `/usr/share/openvswitch/vswitch.ovsschema`, it is the Open_vSwitch schema
//! built into this program, so that oxvs never depends on files of another package.

use std::env;

/// Where the default schema comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaSource {
    File(String),
    BuiltIn,
}

/// `$OVS_DBDIR/conf.db` and its fallbacks.
pub fn default_db() -> String {
    format!("{}/conf.db", db_dir())
}

fn db_dir() -> String {
    match env::var("OVS_DBDIR") {
        Ok(dir) if !dir.is_empty() => dir,
        _ => format!("{}/openvswitch", sysconf_dir()),
    }
}

fn sysconf_dir() -> String {
    env::var("OVS_SYSCONFDIR").unwrap_or_else(|_| "/etc".to_string())
}

/// The schema used when a command is given none.
pub fn default_schema() -> SchemaSource {
    match env::var("OVS_PKGDATADIR") {
        Ok(dir) if !dir.is_empty() => SchemaSource::File(format!("{dir}/vswitch.ovsschema")),
        _ => SchemaSource::BuiltIn,
    }
}

/// The log file `--log-file` would use (only shown by `--help`: the reference's
/// ovsdb-tool does not accept `--log-file` itself).
pub fn default_log_file(program: &str) -> String {
    let dir = match env::var("OVS_LOGDIR") {
        Ok(dir) if !dir.is_empty() => dir,
        _ => "/var/log/openvswitch".to_string(),
    };
    format!("{dir}/{program}.log")
}
