//! What a command is: its syntax (name, argument counts, options), and the three steps
//! the driver runs for it, each with its own context.
//!
//! - `pre` runs before connecting. It registers the tables and columns the command
//!   reads, exactly as the reference does (that decides the order in which the
//!   reference lists rows, which we reproduce), and may say which rows it will look at
//!   so that only those are fetched. Errors here (an unknown table, say) are reported
//!   without touching the database.
//! - `run` runs against one consistent snapshot of the database and records changes
//!   in the transaction. It may be run several times: when it needs data that was not
//!   fetched (it returns [`Failure::Need`], the driver fetches and re-runs every
//!   command), when a verified value changed before the commit, or for `wait-until`.
//! - `post` runs after a successful commit (for example to print the UUID the server
//!   gave a new row).

use crate::db::{Db, Need, Plan, Registry, Rows};
use crate::symtab::Symtab;
use std::collections::BTreeMap;

/// Whether a command may change the database (the reference logs differently).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    ReadOnly,
    ReadWrite,
}

/// `max_args` for commands without a limit.
pub const UNLIMITED: usize = usize::MAX;

pub type PreFn = fn(&mut Pre) -> Result<(), String>;
pub type RunFn = fn(&mut Ctx) -> Result<(), Failure>;
pub type PostFn = fn(&mut PostCtx) -> Result<(), String>;

/// One command's syntax and steps.
pub struct Command {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    /// The argument syntax as `--commands` prints it (`!TABLE *RECORD`).
    pub arguments: &'static str,
    /// The options it accepts, as `--if-exists,--id=`: `=` means the option takes a
    /// value, `?` that the value is optional.
    pub options: &'static str,
    pub mode: Mode,
    pub pre: Option<PreFn>,
    pub run: Option<RunFn>,
    pub post: Option<PostFn>,
}

/// A command's options as given (`--if-exists` → None, `--id=@x` → Some("@x")).
pub type CmdOptions = BTreeMap<String, Option<String>>;

/// One command of the command line, parsed.
pub struct Invocation {
    pub command: &'static Command,
    pub options: CmdOptions,
    /// The command name followed by its arguments, as the reference's `argv`.
    pub argv: Vec<String>,
}

impl Invocation {
    pub fn has(&self, option: &str) -> bool {
        self.options.contains_key(option)
    }

    pub fn option(&self, option: &str) -> Option<&str> {
        self.options.get(option).and_then(|v| v.as_deref())
    }
}

/// Why a run step stopped.
#[derive(Debug)]
pub enum Failure {
    /// A user-facing error: `ovs-vsctl: <message>`, exit status 1.
    Error(String),
    /// The snapshot lacks data the command needs; fetch it and run again.
    Need(Need),
    /// End the program now with this exit status (`br-exists`).
    Exit(i32),
}

impl From<String> for Failure {
    fn from(message: String) -> Failure {
        Failure::Error(message)
    }
}

impl From<Need> for Failure {
    fn from(need: Need) -> Failure {
        Failure::Need(need)
    }
}

/// The context of a `pre` step.
pub struct Pre<'a> {
    pub inv: &'a Invocation,
    registry: &'a mut Registry,
    /// What this command wants fetched, merged into the plan afterwards.
    wants: Plan,
    /// Tables this command restricted to some rows (others it registers get all rows).
    restricted: BTreeMap<String, Rows>,
    /// Warnings to log, in order (the reference logs them during this step).
    pub(crate) warnings: Vec<(&'static str, String)>,
}

impl<'a> Pre<'a> {
    pub fn new(inv: &'a Invocation, registry: &'a mut Registry) -> Pre<'a> {
        Pre {
            inv,
            registry,
            wants: Plan::default(),
            restricted: BTreeMap::new(),
            warnings: Vec::new(),
        }
    }

    pub fn args(&self) -> &[String] {
        &self.inv.argv
    }

    /// Registers a table, as the reference's IDL would replicate it.
    pub fn add_table(&mut self, table: &str) {
        self.registry.add_table(table);
        self.wants.table_mut(table);
    }

    /// Registers a column as the reference does, without fetching it: for commands
    /// that say themselves what to fetch ([`Pre::want_column`], [`Pre::want_rows`]).
    pub fn register_column(&mut self, table: &str, column: &str) {
        self.registry.add_column(table, column);
    }

    /// Fetches a column without registering it. The table's rows are all fetched
    /// unless [`Pre::want_rows`] narrows them.
    pub fn want_column(&mut self, table: &str, column: &str) {
        self.wants
            .table_mut(table)
            .columns
            .insert(column.to_owned());
    }

    /// Registers a column (and, as the reference does, the tables it refers to).
    pub fn add_column(&mut self, table: &str, column: &str) {
        self.registry.add_column(table, column);
        self.wants
            .table_mut(table)
            .columns
            .insert(column.to_owned());
    }

    /// Says that of `table` this command reads only these rows (may be called
    /// several times; the rows add up). Tables registered without a call get all rows.
    pub fn want_rows(&mut self, table: &str, rows: Rows) {
        self.wants.table_mut(table);
        match self.restricted.get_mut(table) {
            Some(existing) => existing.merge(&rows),
            None => {
                self.restricted.insert(table.to_owned(), rows);
            }
        }
    }

    /// Says that the command may look up which bridge holds a port (see
    /// [`Plan::prefer_whole_bridges`]).
    pub fn may_look_up_home(&mut self) {
        self.wants.home_lookups += 1;
    }

    /// A warning the reference logs while preparing (module `db_ctl_base`).
    pub fn warn(&mut self, message: String) {
        self.warnings.push(("db_ctl_base", message));
    }

    /// What this command wants fetched.
    pub(crate) fn into_wants(self) -> (Plan, Vec<(&'static str, String)>) {
        let mut plan = self.wants;
        for (name, table) in plan.tables.iter_mut() {
            table.rows = self.restricted.get(name).cloned().unwrap_or(Rows::All);
        }
        (plan, self.warnings)
    }
}

/// State that lasts from one command to the next within one run of the command
/// list.
#[derive(Debug, Default)]
pub struct PassState {
    /// The reference's cache of every bridge, port and interface, once a command
    /// filled it (see [`crate::commands::model`]). Commands that change the
    /// database generically empty it; the reference logs the database's
    /// inconsistencies each time it fills it.
    pub whole: Option<crate::commands::model::Whole>,
    /// Set by the driver: how many fillings of the cache not to log again (an
    /// earlier run of the commands, given up for want of data, logged them).
    pub quiet_fills: usize,
    /// How many fillings found inconsistencies to log.
    pub complaining_fills: usize,
    /// Set by the driver while it runs the commands after one that lacked data,
    /// only to learn what else to fetch (that run is thrown away): fillings of the
    /// cache then neither log nor count.
    pub probing: bool,
}

/// The context of a `run` step.
pub struct Ctx<'a, 'r> {
    pub inv: &'a Invocation,
    pub db: &'a mut Db<'r>,
    /// The `Open_vSwitch` row (created by this transaction if there was none).
    pub root: ovsdb::Uuid,
    pub pass: &'a mut PassState,
    pub symtab: &'a mut Symtab,
    /// Text output (ignored if `table` is set).
    pub output: String,
    /// Table output (`list`, `find`).
    pub table: Option<ovs_table::Table>,
    /// Set by a command whose condition does not hold yet (`wait-until`): the driver
    /// discards this run and runs every command again after the database changes.
    pub try_again: bool,
    /// Whether this is the last command of the command line (such a command may
    /// update sets and maps partially).
    pub last_command: bool,
    /// Interfaces this command created, to check once ovs-vswitchd has applied the
    /// change: one it could not set up is reported with its error (see
    /// [`crate::driver`]).
    pub new_interfaces: Vec<ovsdb::Uuid>,
}

impl Ctx<'_, '_> {
    pub fn args(&self) -> &[String] {
        &self.inv.argv
    }

    pub fn has(&self, option: &str) -> bool {
        self.inv.has(option)
    }

    pub fn option(&self, option: &str) -> Option<&str> {
        self.inv.option(option)
    }

    /// After a generic change: the reference empties its cache of bridges, ports
    /// and interfaces (see [`PassState::whole`]).
    pub fn invalidate_cache(&mut self) {
        self.pass.whole = None;
    }
}

/// The context of a `post` step.
pub struct PostCtx<'a> {
    pub inv: &'a Invocation,
    /// The output of the run step, to rewrite.
    pub output: &'a mut String,
    /// The UUID the server gave to each row inserted under a temporary UUID.
    pub inserted: &'a BTreeMap<ovsdb::Uuid, ovsdb::Uuid>,
}
