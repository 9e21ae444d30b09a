//! The default database and schema, from the directories `ovs_daemon::dirs` finds.
//!
//! The default database is `conf.db` in the database directory. The default schema is
//! `$OVS_PKGDATADIR/vswitch.ovsschema` when that variable is set (and not empty);
//! otherwise, unlike the reference, which would read
//! `/usr/share/openvswitch/vswitch.ovsschema`, it is the Open_vSwitch schema built
//! into this program, so that oxvs never depends on files of another package.

use ovs_daemon::dirs;

/// Where the default schema comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaSource {
    File(String),
    BuiltIn,
}

/// `<dbdir>/conf.db`.
pub fn default_db() -> String {
    dirs::dbdir().join("conf.db").display().to_string()
}

/// The schema used when a command is given none.
pub fn default_schema() -> SchemaSource {
    match dirs::pkgdatadir_override() {
        Some(dir) => SchemaSource::File(dir.join("vswitch.ovsschema").display().to_string()),
        None => SchemaSource::BuiltIn,
    }
}

/// The log file `--log-file` would use (only shown by `--help`: the reference's
/// ovsdb-tool does not accept `--log-file` itself).
pub fn default_log_file(program: &str) -> String {
    dirs::logdir()
        .join(format!("{program}.log"))
        .display()
        .to_string()
}
