//! Running a command line: prepare every command, fetch what they need, run them all
//! against one snapshot, commit their changes as one transaction, print their output,
//! and wait for ovs-vswitchd to apply the changes.
//!
//! The run is repeated from scratch when a command needs data that was not fetched
//! (fetching at once what the commands after it lack too, see `Driver::probe`), when
//! a verified value changed before the commit (the reference's "try again"), and
//! while `wait-until` waits.

use crate::command::{Ctx, Failure, Mode, PassState, PostCtx, Pre};
use crate::db::commit::{self, CommitOptions, Outcome};
use crate::db::{Db, Need, Plan, Registry, Rows};
use crate::options::Options;
use crate::session::{Remote, Session};
use crate::symtab::Symtab;
use ovs_table::{Printer, Table};
use std::collections::BTreeMap;
use std::io::Write;

/// How many times one command line may fetch more before giving up (lookups need
/// a handful; only a bug needs more).
const MAX_REFETCHES: usize = 1000;

/// An error that ends the program: `ovs-vsctl: <message>`, exit status 1.
#[derive(Debug)]
pub struct Fatal(pub String);

impl From<String> for Fatal {
    fn from(s: String) -> Fatal {
        Fatal(s)
    }
}

/// The result of one command's run.
struct CommandOutput {
    text: String,
    table: Option<Table>,
}

/// How a pass over the commands ended.
enum Pass {
    /// Every command ran; here is what to commit and print, and the interfaces
    /// created (their real UUIDs).
    Done {
        outputs: Vec<CommandOutput>,
        outcome: Option<Outcome>,
        new_interfaces: Vec<ovsdb::Uuid>,
    },
    /// Run everything again: after fetching more, or once the database changed.
    Refetch,
    WaitForChange(u64),
    /// A command asked to exit now with this status.
    Exit(i32),
}

/// The parent process as the transaction comment names it (its `argv[0]`).
fn parent_process() -> Option<String> {
    // SAFETY: getppid has no preconditions.
    let ppid = unsafe { libc::getppid() };
    if ppid == 1 {
        return Some("init".into());
    }
    let cmdline = std::fs::read(format!("/proc/{ppid}/cmdline")).ok()?;
    let first = cmdline
        .split(|&b| b == 0 || b == b'\n')
        .next()
        .unwrap_or(&[]);
    Some(String::from_utf8_lossy(first).into_owned())
}

fn comment(args_text: &str) -> String {
    match parent_process() {
        Some(parent) => format!("ovs-vsctl (invoked by {parent}): {args_text}"),
        None => format!("ovs-vsctl: {args_text}"),
    }
}

pub struct Driver {
    pub(crate) opts: Options,
    pub(crate) remote: Remote,
    pub(crate) registry: Registry,
    pub(crate) plan: Plan,
    stdout: String,
    pub(crate) said_unreachable: bool,
    /// Whether lookups must fetch what they would otherwise assume (after an
    /// assumption proved wrong; see `Db::find_or_assume`).
    pessimistic: bool,
    /// How many times a pass given up for want of data logged the database's
    /// inconsistencies (see `PassState::quiet_fills`).
    complained: usize,
}

/// Runs the command line; returns the exit status.
pub fn run(opts: Options) -> Result<i32, Fatal> {
    let remote = Remote {
        name: opts.db.clone(),
    };
    let mut driver = Driver {
        opts,
        remote,
        registry: Registry::default(),
        plan: Plan::default(),
        stdout: String::new(),
        said_unreachable: false,
        complained: 0,
        pessimistic: false,
    };
    let status = driver.run();
    driver.flush_stdout();
    status
}

impl Driver {
    fn run(&mut self) -> Result<i32, Fatal> {
        let may_write = self
            .opts
            .commands
            .iter()
            .any(|c| c.command.mode == Mode::ReadWrite);
        crate::log::called_as(&self.opts.args_text, may_write);
        if let Some(secs) = self.opts.timeout {
            // SAFETY: alarm only arms a timer; SIGALRM ends the program (see lib.rs).
            unsafe {
                libc::alarm(secs);
            }
        }
        self.prepare()?;
        let mut session = self.connect(false)?;
        let comment = comment(&self.opts.args_text);
        let mut refetches = 0;
        loop {
            match self.pass(&mut session, &comment)? {
                Pass::Refetch => {
                    // Each fetch covers more of the database, so this ends; a bug that
                    // kept asking for new rows must not turn into a silent hang.
                    refetches += 1;
                    if refetches > MAX_REFETCHES {
                        return Err(Fatal(format!(
                            "internal error: still missing data after {MAX_REFETCHES} fetches"
                        )));
                    }
                    session = self.connect(session.watching)?
                }
                Pass::WaitForChange(seqno) => {
                    // Running again after a change: the reference logs again.
                    self.complained = 0;
                    if !session.watching {
                        // Changes to rows read with `select` go unnoticed: watch
                        // everything from now on (and look again right away).
                        session = self.connect(true)?;
                    } else if session.seqno() == seqno {
                        if let Err(e) = session.wait_for_change(None) {
                            session = self.recover(e)?;
                        }
                    }
                }
                Pass::Exit(code) => return Ok(code),
                Pass::Done {
                    outputs,
                    outcome,
                    new_interfaces,
                } => {
                    self.print(&outputs);
                    if let Some(Outcome::Success {
                        next_cfg: Some(next_cfg),
                        ..
                    }) = outcome
                    {
                        if self.opts.wait_for_reload {
                            let session = self.wait_for_reload(session, next_cfg)?;
                            self.check_interfaces(session, &new_interfaces);
                        }
                    }
                    return Ok(0);
                }
            }
        }
    }

    /// Runs every command's `pre` step: what the reference registers, and what to fetch.
    fn prepare(&mut self) -> Result<(), Fatal> {
        self.registry.add_table("Open_vSwitch");
        let root = self.plan.table_mut("Open_vSwitch");
        root.rows = Rows::All;
        if self.opts.wait_for_reload {
            self.registry.add_column("Open_vSwitch", "cur_cfg");
            root.columns.insert("cur_cfg".into());
        }
        let commands = std::mem::take(&mut self.opts.commands);
        let mut result = Ok(());
        for inv in &commands {
            let Some(pre_fn) = inv.command.pre else {
                continue;
            };
            let mut pre = Pre::new(inv, &mut self.registry);
            let r = pre_fn(&mut pre);
            let (wants, warnings) = pre.into_wants();
            for (module, message) in warnings {
                if module == "db_ctl_base" {
                    crate::log::ctl_warn(&message);
                } else {
                    crate::log::vsctl_warn(&message);
                }
            }
            if let Err(e) = r {
                result = Err(Fatal(e));
                break;
            }
            self.plan.merge(&wants);
        }
        self.plan.prefer_whole_bridges();
        self.opts.commands = commands;
        result
    }

    /// One pass over the commands against the current snapshot.
    fn pass(&mut self, session: &mut Session, comment: &str) -> Result<Pass, Fatal> {
        let seqno = session.seqno();
        let Some(replica) = session.replica() else {
            return Ok(Pass::Refetch);
        };
        let mut db = Db::new(replica, &self.plan, &self.registry, &session.order)
            .with_clause_rows(&session.clause_rows, session.watching)
            // A dry run's commit never checks the indexes assumptions rely on.
            .with_optimism(!self.pessimistic && !self.opts.dry_run);
        let mut symtab = Symtab::default();
        // Complaints about the database were logged already if a pass that only
        // lacked data logged them: the reference, which fetches everything at
        // once, would have logged them once.
        let mut pass = PassState {
            quiet_fills: self.complained,
            ..PassState::default()
        };

        let roots = match db.rows_unordered("Open_vSwitch") {
            Ok(r) => r,
            Err(Failure::Need(need)) => return self.need(need, &[]),
            Err(Failure::Error(e)) => return Err(Fatal(e)),
            Err(Failure::Exit(code)) => return Ok(Pass::Exit(code)),
        };
        let root = match roots.first() {
            Some(u) => *u,
            None => {
                let u = ovsdb::uuidgen::new_uuid();
                db.insert("Open_vSwitch", u, false);
                u
            }
        };

        let n = self.opts.commands.len();
        let mut outputs = Vec::with_capacity(n);
        let mut new_interfaces = Vec::new();
        let mut lacking = None;
        for (i, inv) in self.opts.commands.iter().enumerate() {
            let mut ctx = Ctx {
                inv,
                db: &mut db,
                root,
                pass: &mut pass,
                symtab: &mut symtab,
                output: String::new(),
                table: None,
                try_again: false,
                last_command: i + 1 == n,
                new_interfaces: Vec::new(),
            };
            if let Some(run) = inv.command.run {
                match run(&mut ctx) {
                    Ok(()) => {}
                    Err(Failure::Error(e)) => return Err(Fatal(e)),
                    Err(Failure::Exit(code)) => return Ok(Pass::Exit(code)),
                    Err(Failure::Need(need)) => {
                        lacking = Some((i, need));
                        break;
                    }
                }
            }
            if ctx.try_again {
                return Ok(Pass::WaitForChange(seqno));
            }
            new_interfaces.extend(ctx.new_interfaces);
            outputs.push(CommandOutput {
                text: ctx.output,
                table: ctx.table,
            });
        }
        if let Some((i, need)) = lacking {
            self.complained = self.complained.max(pass.complaining_fills);
            let more = self.probe(&mut db, root, &mut pass, &mut symtab, i + 1);
            drop(db);
            return self.need(need, &more);
        }

        check_symbols(&symtab)?;

        let opts = CommitOptions {
            comment,
            dry_run: self.opts.dry_run,
            increment: self.opts.wait_for_reload.then_some(root),
        };
        let request = commit::build(&db, &opts);
        let assumed = db.overlay.assumed;
        drop(db);
        let outcome = match request {
            None => None,
            Some(request) => {
                let reply = match session.transact(request.ops.clone()) {
                    Ok(r) => r,
                    Err(e) => {
                        return self.recover(e).map(|s| {
                            *session = s;
                            Pass::WaitForChange(u64::MAX)
                        })
                    }
                };
                Some(commit::outcome(&request, &reply))
            }
        };
        let inserted = match &outcome {
            None => BTreeMap::new(),
            Some(Outcome::Success { inserted, .. }) => inserted.clone(),
            Some(Outcome::TryAgain) => return Ok(Pass::WaitForChange(seqno)),
            Some(Outcome::Error { text, .. })
                if assumed && text.contains("\"constraint violation\"") =>
            {
                // A name assumed free was taken: look it up this time.
                self.pessimistic = true;
                return Ok(Pass::Refetch);
            }
            Some(Outcome::Error { text, warnings }) => {
                for w in warnings {
                    crate::log::idl_warn(w);
                }
                return Err(Fatal(format!("transaction error: {text}")));
            }
        };
        for (inv, out) in self.opts.commands.iter().zip(outputs.iter_mut()) {
            if let Some(post) = inv.command.post {
                let mut ctx = PostCtx {
                    inv,
                    output: &mut out.text,
                    inserted: &inserted,
                };
                post(&mut ctx).map_err(Fatal)?;
            }
        }
        let new_interfaces = new_interfaces
            .iter()
            .map(|u| inserted.get(u).copied().unwrap_or(*u))
            .collect();
        Ok(Pass::Done {
            outputs,
            outcome,
            new_interfaces,
        })
    }

    /// A command needs more data: grow the plan by it and by what the commands
    /// after it were found to need (`more`), and fetch again.
    fn need(&mut self, need: Need, more: &[Need]) -> Result<Pass, Fatal> {
        if !self.plan.apply(&need) {
            return Err(Fatal(format!(
                "internal error: data {need:?} was fetched but is missing"
            )));
        }
        for need in more {
            self.plan.apply(need);
        }
        Ok(Pass::Refetch)
    }

    /// Runs the commands from `from` on, after one that lacked data, only to learn
    /// which rows they lack too, so that one more fetch gets them all: otherwise
    /// each of a thousand `del-port`s (each looking up the bridge that holds its
    /// port by the port's UUID, which only a fetch tells) would cost a fetch and a
    /// run of every command. The run is thrown away and logs nothing; what it
    /// finds is a guess (the commands run without the effects of the one that
    /// failed), so only lookups of particular rows are taken from it: a guess that
    /// everything is needed would change how later commands decide.
    fn probe(
        &self,
        db: &mut Db,
        root: ovsdb::Uuid,
        pass: &mut PassState,
        symtab: &mut Symtab,
        from: usize,
    ) -> Vec<Need> {
        let mut needs = Vec::new();
        pass.probing = true;
        crate::log::set_quiet(true);
        let n = self.opts.commands.len();
        for (i, inv) in self.opts.commands.iter().enumerate().skip(from) {
            let Some(run) = inv.command.run else {
                continue;
            };
            let mut ctx = Ctx {
                inv,
                db: &mut *db,
                root,
                pass: &mut *pass,
                symtab: &mut *symtab,
                output: String::new(),
                table: None,
                try_again: false,
                last_command: i + 1 == n,
                new_interfaces: Vec::new(),
            };
            match run(&mut ctx) {
                Ok(()) | Err(Failure::Error(_)) => {}
                Err(Failure::Exit(_)) => break,
                Err(Failure::Need(need)) => rows_needed(&need, &mut needs),
            }
        }
        crate::log::set_quiet(false);
        pass.probing = false;
        needs
    }

    /// Prints each command's output: tables through one printer, text as it is, or
    /// with `--oneline` one line per command.
    fn print(&mut self, outputs: &[CommandOutput]) {
        let mut printer = Printer::new(self.opts.style.clone());
        for out in outputs {
            if let Some(table) = &out.table {
                printer.print(table, &mut self.stdout);
            } else if self.opts.oneline {
                let text = out.text.strip_suffix('\n').unwrap_or(&out.text);
                for c in text.chars() {
                    match c {
                        '\n' => self.stdout.push_str("\\n"),
                        '\\' => self.stdout.push_str("\\\\"),
                        c => self.stdout.push(c),
                    }
                }
                self.stdout.push('\n');
            } else {
                self.stdout.push_str(&out.text);
            }
        }
    }

    /// Writes what was printed. Like the reference's buffered stdio, output waiting
    /// here is lost if a signal (`--timeout`) ends the program, except on a terminal.
    pub(crate) fn flush_stdout(&mut self) {
        if self.stdout.is_empty() {
            return;
        }
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(self.stdout.as_bytes());
        let _ = out.flush();
        self.stdout.clear();
    }
}

/// The lookups of particular rows in `need` (not whole tables or columns).
fn rows_needed(need: &Need, out: &mut Vec<Need>) {
    match need {
        Need::Rows(_, Rows::Some { .. }) => out.push(need.clone()),
        Need::Rows(_, Rows::All) | Need::Column(..) => {}
        Need::Several(needs) => {
            for n in needs {
                rows_needed(n, out);
            }
        }
    }
}

/// The reference's checks of `@name` symbols before committing: every one used must
/// be defined, and a new row nothing refers to is pointless (it would be deleted).
fn check_symbols(symtab: &Symtab) -> Result<(), Fatal> {
    for (name, symbol) in symtab.iter() {
        if !symbol.created {
            return Err(Fatal(format!(
                "row id \"{name}\" is referenced but never created (e.g. with \"-- --id={name} create ...\")"
            )));
        }
        if !symbol.strong_ref {
            if !symbol.weak_ref {
                crate::log::vsctl_warn(&format!(
                    "row id \"{name}\" was created but no reference to it was inserted, so it \
                     will not actually appear in the database"
                ));
            } else {
                crate::log::vsctl_warn(&format!(
                    "row id \"{name}\" was created but only a weak reference to it was \
                     inserted, so it will not actually appear in the database"
                ));
            }
        }
    }
    Ok(())
}
