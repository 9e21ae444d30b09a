//! The command table and the steps every command goes through before it runs:
//! find the server, connect, pick the database, check the operand count — in the
//! reference's order, since that order decides which error a bad command line gets.

mod backup;
mod dump;
mod list;
mod lock;
mod monitor;
mod monitor_print;
mod transact;
mod wait;

use crate::connect;
use crate::error::{fatal, Fatal, Result};
use crate::rpc::Rpc;
use crate::session::{self, Ctx};

/// What a command needs before it runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    /// Nothing: the command finds its own server (or needs none).
    Nothing,
    /// A connection.
    Rpc,
    /// A connection and a database.
    Database,
}

/// The connection and database handed to a command.
pub struct Target {
    pub rpc: Rpc,
    pub database: String,
}

type Handler = fn(&mut Ctx, Option<Target>, Option<Rpc>, &[String]) -> Result<()>;

struct Command {
    name: &'static str,
    need: Need,
    min_args: usize,
    max_args: usize,
    handler: Handler,
}

const UNLIMITED: usize = usize::MAX;

const COMMANDS: &[Command] = &[
    Command {
        name: "list-dbs",
        need: Need::Rpc,
        min_args: 0,
        max_args: 0,
        handler: list::list_dbs,
    },
    Command {
        name: "get-schema",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: list::get_schema,
    },
    Command {
        name: "get-schema-version",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: list::get_schema_version,
    },
    Command {
        name: "get-schema-cksum",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: list::get_schema_cksum,
    },
    Command {
        name: "list-tables",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: list::list_tables,
    },
    Command {
        name: "list-columns",
        need: Need::Database,
        min_args: 0,
        max_args: 1,
        handler: list::list_columns,
    },
    Command {
        name: "transact",
        need: Need::Nothing,
        min_args: 1,
        max_args: 2,
        handler: transact::transact,
    },
    Command {
        name: "query",
        need: Need::Nothing,
        min_args: 1,
        max_args: 2,
        handler: transact::query,
    },
    Command {
        name: "monitor",
        need: Need::Database,
        min_args: 1,
        max_args: UNLIMITED,
        handler: monitor::monitor,
    },
    Command {
        name: "monitor-cond",
        need: Need::Database,
        min_args: 2,
        max_args: 3,
        handler: monitor::monitor_cond,
    },
    Command {
        name: "monitor-cond-since",
        need: Need::Database,
        min_args: 2,
        max_args: 4,
        handler: monitor::monitor_cond_since,
    },
    Command {
        name: "wait",
        need: Need::Nothing,
        min_args: 2,
        max_args: 3,
        handler: wait::wait,
    },
    Command {
        name: "convert",
        need: Need::Nothing,
        min_args: 1,
        max_args: 2,
        handler: transact::convert,
    },
    Command {
        name: "needs-conversion",
        need: Need::Nothing,
        min_args: 1,
        max_args: 2,
        handler: transact::needs_conversion,
    },
    Command {
        name: "dump",
        need: Need::Database,
        min_args: 0,
        max_args: UNLIMITED,
        handler: dump::dump,
    },
    Command {
        name: "backup",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: backup::backup,
    },
    Command {
        name: "restore",
        need: Need::Database,
        min_args: 0,
        max_args: 0,
        handler: backup::restore,
    },
    Command {
        name: "lock",
        need: Need::Rpc,
        min_args: 1,
        max_args: 1,
        handler: lock::lock,
    },
    Command {
        name: "steal",
        need: Need::Rpc,
        min_args: 1,
        max_args: 1,
        handler: lock::steal,
    },
    Command {
        name: "unlock",
        need: Need::Rpc,
        min_args: 1,
        max_args: 1,
        handler: lock::unlock,
    },
    Command {
        name: "help",
        need: Need::Nothing,
        min_args: 0,
        max_args: UNLIMITED,
        handler: help,
    },
];

fn help(ctx: &mut Ctx, _: Option<Target>, _: Option<Rpc>, _: &[String]) -> Result<()> {
    session::out(&crate::help::usage(&ctx.program));
    Ok(())
}

/// Runs the command line in `ctx.opts.operands`.
pub fn run(ctx: &mut Ctx) -> Result<()> {
    let mut operands = ctx.opts.operands.clone();
    if operands.is_empty() {
        fatal!("missing command name; use --help for help");
    }
    let name = operands.remove(0);
    let Some(command) = COMMANDS.iter().find(|c| c.name == name) else {
        fatal!("unknown command '{name}'; use --help for help");
    };

    let mut rpc = None;
    if command.need != Need::Nothing {
        let server =
            if operands.len() > command.min_args && connect::looks_like_server(&operands[0]) {
                operands.remove(0)
            } else {
                connect::default_remote()
            };
        rpc = Some(connect::open(&server)?);
    }

    let mut target = None;
    if command.need == Need::Database {
        if let Some(mut conn) = rpc.take() {
            let dbs = session::fetch_dbs(&mut conn)?;
            let database = session::choose_database(&dbs, &mut operands, command.min_args)?;
            target = Some(Target {
                rpc: conn,
                database,
            });
        }
    }

    if operands.len() < command.min_args || operands.len() > command.max_args {
        return Err(Fatal::new(format!(
            "invalid syntax for '{}' (use --help for help)",
            command.name
        )));
    }
    (command.handler)(ctx, target, rpc, &operands)
}

/// For handlers that require a database target.
fn need_target(target: Option<Target>) -> Result<Target> {
    target.ok_or_else(|| Fatal::new("internal error: command needs a database"))
}

/// For handlers that require a connection.
fn need_rpc(rpc: Option<Rpc>) -> Result<Rpc> {
    rpc.ok_or_else(|| Fatal::new("internal error: command needs a connection"))
}

/// For commands that take `[SERVER]` themselves: the server from the first operand
/// if there are more than `min_args` operands and it looks like one.
fn own_server(args: &[String], min_args: usize) -> (String, &[String]) {
    if args.len() > min_args && connect::looks_like_server(&args[0]) {
        (args[0].clone(), &args[1..])
    } else {
        (connect::default_remote(), args)
    }
}
