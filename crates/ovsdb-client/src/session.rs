//! What every command shares: the options, stdout, the connection and the
//! database it acts on, and the reference's wording for failed requests.

use crate::error::{Fatal, Result};
use crate::options::Options;
use crate::rpc::{Response, Rpc, RpcError};
use ovs_json::Json;
use ovs_table::{DataFormat, Printer, Style};
use std::io::Write;

/// The program's state while a command runs.
pub struct Ctx {
    /// The program's short name, for messages.
    pub program: String,
    pub opts: Options,
}

impl Ctx {
    /// A table printer for this run. Only monitors stamp their tables.
    pub fn printer(&self, stamped: bool) -> Printer {
        let mut style: Style = self.opts.style.clone();
        style.timestamp = stamped && self.opts.timestamp;
        if style.data == DataFormat::Json {
            // Data cells already carry JSON text (see `cells`).
            style.data = DataFormat::String;
        }
        Printer::new(style)
    }

    /// Whether data cells must carry their JSON as text (`--data=json`).
    pub fn json_text(&self) -> bool {
        self.opts.style.data == DataFormat::Json
    }

    /// JSON as the reference's `print_json` writes it: sorted members, pretty with
    /// `--pretty`, then a newline.
    pub fn print_json(&self, json: &Json) {
        let text = if self.opts.style.pretty {
            json.to_pretty()
        } else {
            json.to_compact()
        };
        out(&text);
        out("\n");
    }

    /// JSON as the reference formats it inside messages (sorted, pretty with
    /// `--pretty`).
    pub fn json_message(&self, json: &Json) -> String {
        if self.opts.style.pretty {
            json.to_pretty()
        } else {
            json.to_compact()
        }
    }
}

static PROGRAM: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Records the program's short name (the basename of argv[0]) for messages.
pub fn set_program(name: &str) {
    let _ = PROGRAM.set(name.to_string());
}

/// The program's short name, `ovsdb-client` unless invoked under another name.
pub fn program() -> &'static str {
    PROGRAM.get().map_or("ovsdb-client", String::as_str)
}

/// Writes `<program>: message` to stderr, as the reference's `ovs_error` does for
/// problems that do not end the program.
pub fn error(message: &str) {
    let _ = writeln!(std::io::stderr(), "{}: {message}", program());
}

/// Writes a line to stderr, ignoring failures (there is nowhere else to report them).
pub fn stderr_line(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Writes to stdout. A closed stdout is not worth dying for (the reference ignores
/// SIGPIPE and write errors alike).
pub fn out(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

pub fn flush() {
    let _ = std::io::stdout().flush();
}

/// `transaction failed (...)`: a request got no answer.
pub fn transaction_failed(e: &RpcError) -> Fatal {
    Fatal::new(format!("transaction failed ({e})"))
}

/// `transaction returned error: ...`: the server answered a request with an error
/// (printed sorted, and indented with `--pretty`).
pub fn returned_error(ctx: &Ctx, error: &Json) -> Fatal {
    Fatal::new(format!(
        "transaction returned error: {}",
        ctx.json_message(error)
    ))
}

/// Sends a request and returns its result, or the reference's fatal error.
pub fn call(
    ctx: &Ctx,
    rpc: &mut Rpc,
    method: &str,
    params: Vec<Json>,
) -> Result<(Json, ovs_hash_order::Shape)> {
    call_shaped(ctx, rpc, method, params, ovs_hash_order::Shape::Leaf)
}

/// [`call`] with the shape of `params` (for the debug log; see `Rpc::send_request_shaped`).
pub fn call_shaped(
    ctx: &Ctx,
    rpc: &mut Rpc,
    method: &str,
    params: Vec<Json>,
    params_shape: ovs_hash_order::Shape,
) -> Result<(Json, ovs_hash_order::Shape)> {
    match rpc
        .call_shaped(method, params, params_shape)
        .map_err(|e| transaction_failed(&e))?
    {
        Response::Result(json, shape) => Ok((json, shape)),
        Response::Error(error) => Err(returned_error(ctx, &error)),
    }
}

/// An OVSDB error the way the reference words it: `syntax "JSON": tag: details`.
pub fn error_text(e: &ovsdb::Error) -> String {
    let mut s = String::new();
    if let Some(syntax) = &e.syntax {
        s.push_str(&format!("syntax \"{}\": ", syntax.to_compact()));
    }
    s.push_str(e.tag);
    if !e.details.is_empty() {
        s.push_str(": ");
        s.push_str(&e.details);
    }
    s
}

/// `list_dbs`, sorted as the reference sorts it.
pub fn fetch_dbs(rpc: &mut Rpc) -> Result<Vec<String>> {
    let response = rpc
        .call("list_dbs", vec![])
        .map_err(|e| transaction_failed(&e))?;
    let Response::Result(Json::Array(names), _) = response else {
        return Err(Fatal::new("list_dbs response is not array"));
    };
    let mut dbs = Vec::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        match name {
            Json::String(s) => dbs.push(s),
            _ => return Err(Fatal::new(format!("list_dbs response {i} is not string"))),
        }
    }
    dbs.sort();
    Ok(dbs)
}

/// Picks the database a command acts on: the first operand if it names one and
/// more operands than the command's minimum remain, else `Open_vSwitch` if the
/// server has it, else the server's only database (not counting `_Server`).
pub fn choose_database(
    dbs: &[String],
    operands: &mut Vec<String>,
    min_args: usize,
) -> Result<String> {
    if operands.len() > min_args && dbs.contains(&operands[0]) {
        return Ok(operands.remove(0));
    }
    if dbs.iter().any(|d| d == "Open_vSwitch") {
        return Ok("Open_vSwitch".into());
    }
    let mut user_dbs = dbs.iter().filter(|d| !d.starts_with('_'));
    match (user_dbs.next(), user_dbs.next()) {
        (Some(only), None) => Ok(only.clone()),
        _ => Err(Fatal::new(
            "could not find a default database, please specify a database name",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn database_choice() {
        let dbs = v(&["E", "T", "_Server"]);
        let mut ops = v(&["T", "A"]);
        assert_eq!(choose_database(&dbs, &mut ops, 0).unwrap(), "T");
        assert_eq!(ops, ["A"]);
        let mut ops = v(&["T"]);
        assert!(choose_database(&dbs, &mut ops, 1).is_err());
        let mut ops = v(&["T"]);
        assert_eq!(
            choose_database(&v(&["T", "_Server"]), &mut ops, 1).unwrap(),
            "T"
        );
        assert_eq!(ops, ["T"]);
        let mut ops = vec![];
        assert_eq!(
            choose_database(&v(&["Open_vSwitch", "T"]), &mut ops, 0).unwrap(),
            "Open_vSwitch"
        );
    }
}
