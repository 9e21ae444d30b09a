//! The commands: their table (names, argument counts, usage) and implementations.
//!
//! Each command prints into [`Ctx::out`] (flushed by the caller, also after a
//! failure, as the reference's buffered stdout is) and returns its exit status or a
//! [`Failure`].

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use ovs_json::Json;
use ovsdb::file::changes_to_record;
use ovsdb::storage::now_ms;
use ovsdb::transaction::{execute_params, ExecContext, Execution};
use ovsdb::Error;
use ovsdb_log::lock::LockFile;
use ovsdb_log::{ErrorKind, FileType, LockHolder, Log, LogError, OpenMode};

use crate::dbfile::{self, Fatal};
use crate::paths::{self, SchemaSource};
use crate::vlog::LOCKFILE;
use ovs_daemon::util;
use ovs_daemon::vlog;

/// What a command has to work with.
pub struct Ctx {
    /// The program name for messages (`argv[0]` without its directory).
    pub program: String,
    /// How many `-m` were given.
    pub more: usize,
    /// `--rbac-role` (accepted; role-based access control is not implemented).
    pub rbac_role: Option<String>,
    /// Standard output (buffered, flushed when the command ends, also after a
    /// failure).
    pub out: std::io::BufWriter<std::io::Stdout>,
}

/// How a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Printed as `<program>: <message>`, exit status 1.
    Fatal(Fatal),
    /// Printed as is, with the given exit status.
    Bare { message: String, status: i32 },
}

impl From<Fatal> for Failure {
    fn from(f: Fatal) -> Failure {
        Failure::Fatal(f)
    }
}

impl From<LogError> for Failure {
    fn from(e: LogError) -> Failure {
        Failure::Fatal(e.into())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Fatal(e.into())
    }
}

type Outcome = Result<i32, Failure>;

/// A command: name, usage for `list-commands`, argument counts, implementation.
pub struct Command {
    pub name: &'static str,
    pub usage: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub run: fn(&mut Ctx, &[String]) -> Outcome,
}

const MANY: usize = i32::MAX as usize;

/// Every command, in the reference's order (which `list-commands` shows).
pub const COMMANDS: &[Command] = &[
    cmd("create", "[db [schema]]", 0, 2, create),
    cmd("create-cluster", "db contents local", 3, 3, unsupported),
    cmd(
        "join-cluster",
        "db name local remote...",
        4,
        MANY,
        unsupported,
    ),
    cmd("compact", "[db [dst]]", 0, 2, compact),
    cmd("convert", "[db [schema [dst]]]", 0, 3, convert),
    cmd("needs-conversion", "", 0, 2, needs_conversion),
    cmd("db-name", "[db]", 0, 1, db_name),
    cmd("db-version", "[db]", 0, 1, db_version),
    cmd("db-cksum", "[db]", 0, 1, db_cksum),
    cmd("db-cid", "db", 1, 1, db_cid),
    cmd("db-sid", "db", 1, 1, db_sid),
    cmd("db-local-address", "db", 1, 1, db_local_address),
    cmd("db-is-clustered", "db", 1, 1, db_is_clustered),
    cmd("db-is-standalone", "db", 1, 1, db_is_standalone),
    cmd("schema-name", "[schema]", 0, 1, schema_name),
    cmd("schema-version", "[schema]", 0, 1, schema_version),
    cmd("schema-cksum", "[schema]", 0, 1, schema_cksum),
    cmd("query", "[db] trns", 1, 2, query),
    cmd("transact", "[db] trns", 1, 2, transact),
    cmd("show-log", "[db]", 0, 1, show_log),
    cmd("check-cluster", "db...", 1, MANY, check_cluster),
    cmd("compare-versions", "a op b", 3, 3, compare_versions),
    cmd("help", "", 0, MANY, help),
    cmd("list-commands", "", 0, MANY, list_commands),
    cmd("cluster-to-standalone", "db clusterdb", 2, 2, unsupported),
];

const fn cmd(
    name: &'static str,
    usage: &'static str,
    min_args: usize,
    max_args: usize,
    run: fn(&mut Ctx, &[String]) -> Outcome,
) -> Command {
    Command {
        name,
        usage,
        min_args,
        max_args,
        run,
    }
}

fn print(ctx: &mut Ctx, text: &str) {
    // As with C's buffered stdout, a failed write goes unreported (the reference
    // exits 0 writing to a full disk); a closed pipe ends the process (SIGPIPE).
    let _ = ctx.out.write_all(text.as_bytes());
}

fn db_arg(args: &[String], i: usize) -> String {
    args.get(i).cloned().unwrap_or_else(paths::default_db)
}

fn schema_arg(args: &[String], i: usize) -> SchemaSource {
    match args.get(i) {
        Some(path) => SchemaSource::File(path.clone()),
        None => paths::default_schema(),
    }
}

/// Logs the reference's warnings for a lock that could not be taken.
fn warn_lock(e: &LogError) {
    let ErrorKind::Lock {
        lockfile,
        holder,
        source,
    } = e.kind()
    else {
        return;
    };
    match holder {
        LockHolder::Unknown => {
            let why = util::error_text(source);
            let lockfile = lockfile.display();
            vlog::warn!(LOCKFILE, "{lockfile}: failed to open lock file: {why}");
            vlog::warn!(LOCKFILE, "{lockfile}: failed to lock file: {why}");
        }
        _ => {
            if let Some(w) = e.lock_warning() {
                vlog::warn!(LOCKFILE, "{w}");
            }
        }
    }
}

/// A failed open: warns about a lock held elsewhere, then reports the error.
fn open_failed(path: &str, e: LogError) -> Failure {
    warn_lock(&e);
    dbfile::open_error(path, e).into()
}

/// The reference's `<file>: failed to lock lockfile (<why>)` of compact and convert.
fn lock_failed(path: &Path, e: LogError) -> Failure {
    warn_lock(&e);
    match e.kind() {
        ErrorKind::Lock { source, .. } => Failure::Fatal(Fatal(format!(
            "{}: failed to lock lockfile ({})",
            path.display(),
            util::error_text(source)
        ))),
        _ => e.into(),
    }
}

fn create(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let schema = dbfile::read_schema_file(&schema_arg(args, 1))?;
    let mut log = match Log::open(&db, OpenMode::CreateExcl, true) {
        Ok(log) => log,
        Err(e) => return Err(open_failed(&db, e)),
    };
    log.write_record(&schema.to_json())?;
    log.commit(true)?;
    Ok(0)
}

fn compact(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let comment = format!("compacted by ovsdb-tool {}", crate::OVS_VERSION);
    compact_or_convert(&db, args.get(1).map(String::as_str), None, &comment)
}

fn convert(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let schema = dbfile::read_schema_file(&schema_arg(args, 1))?;
    let comment = format!("converted by ovsdb-tool {}", crate::OVS_VERSION);
    compact_or_convert(
        &db,
        args.get(2).map(String::as_str),
        Some(Arc::new(schema)),
        &comment,
    )
}

/// Rewrites `src` as its schema (or `new_schema`) plus one record holding every row,
/// in place or into `dst`. Like the reference, this works on the files symbolic links
/// point to, locks what it writes before reading anything, and overwrites an existing
/// `dst` only if it is a standalone database (or empty).
fn compact_or_convert(
    src: &str,
    dst: Option<&str>,
    new_schema: Option<Arc<ovsdb::DatabaseSchema>>,
    comment: &str,
) -> Outcome {
    let src = follow_symlinks(Path::new(src));
    let src_name = src.to_string_lossy().into_owned();
    let Some(dst) = dst else {
        // Lock the database and its replacement before reading anything, as the
        // reference does; the replacement is then written without locking again.
        let _src_lock = LockFile::lock(&src).map_err(|e| lock_failed(&src, e))?;
        let tmp = PathBuf::from(format!("{src_name}.tmp"));
        let _tmp_lock = LockFile::lock(&tmp).map_err(|e| lock_failed(&tmp, e))?;
        let log = Log::open(&src_name, OpenMode::ReadWrite, false)
            .map_err(|e| open_failed(&src_name, e))?;
        let mut loaded = dbfile::replay(log, new_schema)?;
        let replacer = loaded.log.replace_start()?;
        dbfile::replace(&mut loaded.log, replacer, &loaded.db, comment)?;
        return Ok(0);
    };
    let dst = follow_symlinks(Path::new(dst));
    let _lock = LockFile::lock(&dst).map_err(|e| lock_failed(&dst, e))?;
    let log =
        Log::open(&src_name, OpenMode::ReadOnly, false).map_err(|e| open_failed(&src_name, e))?;
    let loaded = dbfile::replay(log, new_schema)?;
    let dst_name = dst.to_string_lossy().into_owned();
    // The reference overwrites an existing target in place, so it keeps its owner and
    // permissions; we write a new file and give it those.
    let existing = std::fs::metadata(&dst).ok();
    if existing.as_ref().is_some_and(|m| m.len() > 0) {
        match dbfile::identify(&dst_name)? {
            FileType::Standalone => {}
            FileType::Clustered => {
                return Err(Failure::Fatal(Fatal(format!(
                    "ovsdb error: {dst_name}: cannot identify file type"
                ))))
            }
        }
    }
    match std::fs::remove_file(&dst) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Failure::Fatal(Fatal(format!(
                "I/O error: {dst_name}: create failed ({})",
                util::error_text(&e)
            ))))
        }
    }
    dbfile::write_new(&dst_name, &loaded.db, comment)?;
    if let Some(old) = existing {
        use std::os::unix::fs::MetadataExt;
        // Best effort, as a truncating overwrite would not have changed them either;
        // failing here would report an error for a database that was written fine.
        let _ = std::os::unix::fs::chown(&dst, Some(old.uid()), Some(old.gid()));
        let _ = std::fs::set_permissions(&dst, old.permissions());
    }
    Ok(0)
}

/// `path` with symbolic links followed (relative targets are relative to the link).
fn follow_symlinks(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    for _ in 0..10 {
        match std::fs::read_link(&path) {
            Ok(target) if target.is_absolute() => path = target,
            Ok(target) => {
                path = match path.parent() {
                    Some(dir) if !dir.as_os_str().is_empty() => dir.join(target),
                    _ => target,
                }
            }
            Err(_) => break,
        }
    }
    path
}

fn needs_conversion(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let current = dbfile::read_db_schema(&db)?;
    let wanted = dbfile::read_schema_file(&schema_arg(args, 1))?;
    let answer = if current.to_json() == wanted.to_json() {
        "no"
    } else {
        "yes"
    };
    print(ctx, &format!("{answer}\n"));
    Ok(0)
}

fn db_name(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let name = match Log::open(&db, OpenMode::ReadOnly, false) {
        Ok(mut log) => dbfile::read_schema_record(&mut log)?.name,
        Err(e) if matches!(e.kind(), ErrorKind::Clustered) => {
            let header = raft_header(&db)?;
            header
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or("")
                .to_string()
        }
        Err(e) => return Err(e.into()),
    };
    print(ctx, &format!("{name}\n"));
    Ok(0)
}

fn db_version(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let schema = dbfile::read_db_schema(&db_arg(args, 0))?;
    print(ctx, &format!("{}\n", schema.version));
    Ok(0)
}

fn db_cksum(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let schema = dbfile::read_db_schema(&db_arg(args, 0))?;
    print(ctx, &format!("{}\n", schema.cksum.unwrap_or_default()));
    Ok(0)
}

/// The first record of a clustered database file, which names the database and this
/// server (and the cluster, once known). Only the header record is read.
fn raft_header(path: &str) -> Result<Json, Fatal> {
    use std::io::{BufRead, Read};
    let bad = || Fatal(format!("ovsdb error: {path}: unexpected file format"));
    let io = |e: std::io::Error| {
        Fatal(format!(
            "I/O error: {path}: read error ({})",
            util::error_text(&e)
        ))
    };
    let mut reader = std::io::BufReader::new(std::fs::File::open(path).map_err(io)?);
    let mut header = String::new();
    reader.read_line(&mut header).map_err(io)?;
    let length: u64 = header
        .trim_end()
        .strip_prefix("OVSDB CLUSTER ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(bad)?;
    let mut body = Vec::new();
    reader.take(length).read_to_end(&mut body).map_err(io)?;
    ovs_json::parse_bytes_lossy(&body).map_err(|_| bad())
}

/// Reads a member of a clustered database's header, refusing standalone files.
fn cluster_field(path: &str, field: &str) -> Result<Option<String>, Failure> {
    match dbfile::identify(path)? {
        FileType::Standalone => Err(Failure::Fatal(Fatal(format!(
            "{path}: not a clustered database"
        )))),
        FileType::Clustered => Ok(raft_header(path)?
            .get(field)
            .and_then(Json::as_str)
            .map(str::to_string)),
    }
}

fn db_cid(ctx: &mut Ctx, args: &[String]) -> Outcome {
    match cluster_field(&args[0], "cluster_id")? {
        Some(cid) => {
            print(ctx, &format!("{cid}\n"));
            Ok(0)
        }
        None => Err(Failure::Bare {
            message: format!("{}: cluster ID not yet known", args[0]),
            status: 2,
        }),
    }
}

fn db_sid(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let sid = cluster_field(&args[0], "server_id")?.unwrap_or_default();
    print(ctx, &format!("{sid}\n"));
    Ok(0)
}

fn db_local_address(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let address = cluster_field(&args[0], "local_address")?.unwrap_or_default();
    print(ctx, &format!("{address}\n"));
    Ok(0)
}

fn db_is_clustered(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    Ok(match dbfile::identify(&args[0])? {
        FileType::Clustered => 0,
        FileType::Standalone => 2,
    })
}

fn db_is_standalone(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    Ok(match dbfile::identify(&args[0])? {
        FileType::Standalone => 0,
        FileType::Clustered => 2,
    })
}

fn schema_name(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let schema = dbfile::read_schema_file(&schema_arg(args, 0))?;
    print(ctx, &format!("{}\n", schema.name));
    Ok(0)
}

fn schema_version(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let schema = dbfile::read_schema_file(&schema_arg(args, 0))?;
    print(ctx, &format!("{}\n", schema.version));
    Ok(0)
}

fn schema_cksum(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let schema = dbfile::read_schema_file(&schema_arg(args, 0))?;
    print(ctx, &format!("{}\n", schema.cksum.unwrap_or_default()));
    Ok(0)
}

/// The database and transaction arguments of `query` and `transact`.
fn db_and_transaction(args: &[String]) -> (String, &str) {
    match args {
        [db, txn] => (db.clone(), txn.as_str()),
        [txn] => (paths::default_db(), txn.as_str()),
        _ => (paths::default_db(), ""),
    }
}

fn parse_transaction(text: &str) -> Result<Json, Fatal> {
    ovs_json::parse(text).map_err(|e| Fatal(format!("\"{text}\": {e}")))
}

fn query(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let (db, txn) = db_and_transaction(args);
    let log = Log::open(&db, OpenMode::ReadOnly, false).map_err(|e| open_failed(&db, e))?;
    let loaded = dbfile::replay(log, None)?;
    let params = parse_transaction(txn)?;
    let execution = execute_params(&loaded.db, &params, &ExecContext::new(Instant::now()));
    let (mut result, commit) = result_of(execution);
    if let Some((changes, _, comment)) = commit {
        // The reference goes on to write a successful transaction that changed
        // something to its read-only file, which fails when it cuts the file to its
        // current length first; its reply ends with that error, and so does ours.
        if changes_to_record(&loaded.db, &changes, comment.as_deref(), 0).is_some() {
            if let Json::Array(items) = &mut result {
                items.push(Json::object([
                    (
                        "details",
                        Json::string(format!(
                            "{db}: cannot truncate to length {}",
                            loaded.log.offset()
                        )),
                    ),
                    ("error", Json::string("I/O error")),
                    ("io-error", Json::string("Invalid argument")),
                ]));
            }
        }
    }
    print_result(ctx, &result);
    Ok(0)
}

fn transact(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let (db, txn) = db_and_transaction(args);
    let log = Log::open(&db, OpenMode::ReadWrite, true).map_err(|e| open_failed(&db, e))?;
    let mut loaded = dbfile::replay(log, None)?;
    let params = parse_transaction(txn)?;
    let execution = execute_params(&loaded.db, &params, &ExecContext::new(Instant::now()));
    let (mut result, commit) = result_of(execution);
    if let Some((changes, durable, comment)) = commit {
        if let Some(record) = changes_to_record(&loaded.db, &changes, comment.as_deref(), now_ms())
        {
            let written = loaded
                .log
                .write_record(&record)
                .and_then(|()| loaded.log.commit(durable));
            if let Err(e) = written {
                // As the reference does, the failure is added to the reply.
                if let Json::Array(items) = &mut result {
                    items.push(Error::new("I/O error", e.to_string()).to_json());
                }
            }
        }
    }
    print_result(ctx, &result);
    Ok(0)
}

type Commit = (ovsdb::Changes, bool, Option<String>);

/// The reply of an execution, and what to commit if it succeeded.
fn result_of(execution: Execution) -> (Json, Option<Commit>) {
    match execution {
        Execution::Committed {
            result,
            changes,
            durable,
            comment,
        } => (result, Some((changes, durable, comment))),
        Execution::Failed { result } => (result, None),
        // The tool never lets a `wait` block (see `ExecContext::new`); should it
        // happen anyway, answer the way a non-blocking run does.
        Execution::Blocked { .. } => (
            Json::array([Error::new("not supported", "triggers not supported").to_json()]),
            None,
        ),
    }
}

fn print_result(ctx: &mut Ctx, result: &Json) {
    print(ctx, &format!("{}\n", result.to_compact()));
}

fn show_log(ctx: &mut Ctx, args: &[String]) -> Outcome {
    let db = db_arg(args, 0);
    let more = ctx.more;
    crate::show_log::show_log(&db, more, &mut ctx.out)?;
    Ok(0)
}

fn check_cluster(ctx: &mut Ctx, args: &[String]) -> Outcome {
    // The reference reads each file as a clustered database: a standalone one is an
    // unknown file type to it.
    for db in args {
        if dbfile::identify(db)? == FileType::Standalone {
            return Err(Failure::Fatal(Fatal(format!(
                "ovsdb error: {db}: cannot identify file type"
            ))));
        }
    }
    unsupported(ctx, args)
}

fn unsupported(ctx: &mut Ctx, _args: &[String]) -> Outcome {
    Err(Failure::Fatal(Fatal(format!(
        "clustered databases are not supported by this {}",
        ctx.program
    ))))
}

fn compare_versions(_ctx: &mut Ctx, args: &[String]) -> Outcome {
    let version = |s: &str| {
        crate::versions::parse(s).ok_or_else(|| {
            Failure::Fatal(Fatal(format!(
                "{s}: not an OVSDB version number in format x.y.z"
            )))
        })
    };
    let a = version(&args[0])?;
    let b = version(&args[2])?;
    let op = &args[1];
    match crate::versions::compare(a, op, b) {
        Some(true) => Ok(0),
        Some(false) => Ok(2),
        None => Err(Failure::Fatal(Fatal(format!(
            "{op}: not a relational operator"
        )))),
    }
}

fn help(ctx: &mut Ctx, _args: &[String]) -> Outcome {
    let text = crate::cli::help(&ctx.program);
    print(ctx, &text);
    Ok(0)
}

fn list_commands(ctx: &mut Ctx, _args: &[String]) -> Outcome {
    let mut text = String::from("The available commands are:\n");
    for c in COMMANDS {
        text.push_str(&format!("  {:<24}{}\n", c.name, c.usage));
    }
    print(ctx, &text);
    Ok(0)
}
