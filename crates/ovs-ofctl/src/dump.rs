//! The request/print patterns most commands share: send one request and
//! print its reply, or every part of a multipart reply, the way the reference
//! prints them (ofp-print at verbosity `-m` + 1, names when shown).

use crate::names;
use crate::print;
use crate::raw;
use crate::vconn::{xid_of, Vconn};
use crate::{Ctx, Fatal};

/// Prints a message received on `vconn`, with port and table names when
/// they are shown (fetched on first use, tables first as in the reference).
pub fn print_reply(
    ctx: &mut Ctx,
    vconn_name: &str,
    msg: &[u8],
    extra_verbosity: u32,
) -> Result<(), Fatal> {
    let verbosity = ctx.opts.verbosity + extra_verbosity;
    names::tables_to_show(ctx, vconn_name)?;
    let ports = names::ports_to_show(ctx, vconn_name)?.cloned();
    let text = print::to_string_with(msg, verbosity, ports.as_ref());
    ctx.print(&text);
    Ok(())
}

/// Whether `reply` is the multipart reply to `request` (same type and, for
/// vendor types, same vendor and subtype).
fn is_reply_to(request: &[u8], reply: &[u8]) -> bool {
    if !raw::is_multipart_reply(reply) || raw::multipart_type(request) != raw::multipart_type(reply)
    {
        return false;
    }
    if raw::multipart_type(request) == Some(0xffff) {
        let vendor = |m: &[u8]| {
            let at = if m.first() == Some(&1) { 12 } else { 16 };
            m.get(at..at + 8).map(<[u8]>::to_vec)
        };
        return vendor(request) == vendor(reply);
    }
    true
}

/// Sends `request` and prints the reply; for a multipart request, every
/// reply until the last. An error reply is printed and ends it; anything
/// else with the request's xid is fatal ("received bad reply").
pub fn dump_transaction(ctx: &mut Ctx, vconn: &mut Vconn, request: Vec<u8>) -> Result<(), Fatal> {
    let name = vconn.name().to_string();
    if raw::is_multipart_request(&request) {
        let xid = xid_of(&request);
        vconn
            .send(request.clone())
            .map_err(|e| Fatal::io("failed to send packet to switch", &e))?;
        loop {
            let reply = vconn
                .recv_xid(xid)
                .map_err(|e| Fatal::io("OpenFlow packet receive failed", &e))?;
            print_reply(ctx, &name, &reply, 1)?;
            if raw::is_error(&reply) {
                return Ok(());
            }
            if !is_reply_to(&request, &reply) {
                return Err(Fatal(format!(
                    "received bad reply: {}",
                    print::to_string(&reply, ctx.opts.verbosity + 1)
                )));
            }
            if !raw::multipart_more(&reply) {
                return Ok(());
            }
        }
    } else {
        let reply = vconn
            .transact(request)
            .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
        print_reply(ctx, &name, &reply, 1)
    }
}

/// Opens `switch`, sends the request `make` builds for the negotiated
/// version, and prints the reply (the reference's "trivial transaction").
pub fn dump_trivial(
    ctx: &mut Ctx,
    switch: &str,
    make: impl FnOnce(openflow::Version) -> Vec<u8>,
) -> Result<(), Fatal> {
    let mut vconn = ctx.open(switch)?;
    let request = make(vconn.version());
    dump_transaction(ctx, &mut vconn, request)
}

/// Sends `requests`, each followed by a barrier, stopping at the first that
/// draws a reply; that reply (an error) is printed on stderr and the program
/// exits with status 1, as the reference does.
pub fn transact_noreply(
    ctx: &mut Ctx,
    vconn: &mut Vconn,
    requests: Vec<Vec<u8>>,
) -> Result<(), Fatal> {
    let name = vconn.name().to_string();
    let reply = vconn
        .transact_noreply(requests)
        .map_err(|e| Fatal::io(&format!("talking to {name}"), &e))?;
    if let Some(reply) = reply {
        report_error_reply(ctx, &name, &reply)?;
        return Err(Fatal::silent());
    }
    Ok(())
}

/// Prints an unexpected reply on stderr (verbosity `-m` + 2).
pub fn report_error_reply(ctx: &mut Ctx, vconn_name: &str, reply: &[u8]) -> Result<(), Fatal> {
    names::tables_to_show(ctx, vconn_name)?;
    let ports = names::ports_to_show(ctx, vconn_name)?.cloned();
    let text = print::to_string_with(reply, ctx.opts.verbosity + 2, ports.as_ref());
    eprint!("{text}");
    Ok(())
}
