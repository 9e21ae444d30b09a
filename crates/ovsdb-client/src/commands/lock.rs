//! `lock`, `steal` and `unlock`: send one lock request, print its reply and every
//! notification (`locked`, `stolen`) that follows, until the connection ends.

use super::{need_rpc, Target};
use crate::error::{fatal, Result};
use crate::rpc::Rpc;
use crate::session::{self, out, Ctx};
use ovs_json::rpc::Message;
use ovs_json::Json;

pub fn lock(ctx: &mut Ctx, _: Option<Target>, rpc: Option<Rpc>, args: &[String]) -> Result<()> {
    run(ctx, need_rpc(rpc)?, "lock", &args[0])
}

pub fn steal(ctx: &mut Ctx, _: Option<Target>, rpc: Option<Rpc>, args: &[String]) -> Result<()> {
    run(ctx, need_rpc(rpc)?, "steal", &args[0])
}

pub fn unlock(ctx: &mut Ctx, _: Option<Target>, rpc: Option<Rpc>, args: &[String]) -> Result<()> {
    run(ctx, need_rpc(rpc)?, "unlock", &args[0])
}

fn run(ctx: &mut Ctx, mut rpc: Rpc, method: &str, lock: &str) -> Result<()> {
    if ctx.opts.detach {
        fatal!("--detach is not supported");
    }
    let server = rpc.name().to_string();
    let id = rpc
        .send_request(method, vec![Json::string(lock)])
        .map_err(|e| crate::error::Fatal::new(format!("{server}: send failed ({e})")))?;
    loop {
        let received = match rpc.recv() {
            Ok(r) => r,
            Err(e) => fatal!("{server}: receive failed ({e})"),
        };
        match &received.message {
            Message::Reply { result, id: rid } if *rid == id => ctx.print_json(result),
            Message::Notify { method, params } => {
                out(method);
                out("\n");
                ctx.print_json(&Json::Array(params.clone()));
            }
            // The reference ignores everything else, error replies included.
            _ => continue,
        }
        session::flush();
    }
}
