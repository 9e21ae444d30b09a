//! The reference's hidden test commands over the text syntax and action
//! codec: `parse-flow(s)`, `parse-group`, `parse-actions`,
//! `parse-instructions`. They print what the library makes of the input,
//! as the reference prints it (the test suites compare the two).

use crate::commands::flows::read_lines;
use crate::commands::hooks::parse_hex;
use crate::print;
use crate::proto_names::protocols_to_string;
use crate::vconn::alloc_xid;
use crate::{Ctx, Fatal};
use openflow::action::{self, CheckContext};
use openflow::buf::Reader;
use openflow::flow_match::Match;
use openflow::msg::flow_mod::{FlowMod, FlowModCommand};
use openflow::msg::group::{parse_group_mod, GroupModCommand, GroupTextCommand};
use openflow::msg::{self, Message};
use openflow::protocol::Protocols;
use openflow::Version;

/// Prints the usable protocols and returns the one ovs-ofctl would pick:
/// the lowest usable and allowed.
fn choose(ctx: &mut Ctx, usable: Protocols) -> Result<Protocols, Fatal> {
    ctx.print(&format!(
        "usable protocols: {}\n",
        protocols_to_string(usable)
    ));
    let both = usable.intersect(ctx.opts.allowed_protocols);
    (0..16)
        .map(|i| Protocols(1 << i))
        .find(|p| both.contains(*p) && !p.is_empty())
        .ok_or_else(|| Fatal("no usable protocol".into()))
}

fn print_flow_mods(ctx: &mut Ctx, fms: &[FlowMod], usable: Protocols) -> Result<i32, Fatal> {
    let protocol = choose(ctx, usable)?;
    ctx.print(&format!(
        "chosen protocol: {}\n",
        protocol.single_name().unwrap_or("none")
    ));
    for fm in fms {
        let mut m = Vec::new();
        fm.encode(protocol, alloc_xid(), &mut m);
        ctx.print(&print::to_string(&m, ctx.opts.verbosity));
    }
    Ok(0)
}

pub fn parse_flow(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let (fm, usable) =
        crate::text::parse_flow_mod(&argv[1], FlowModCommand::Add, None).map_err(Fatal)?;
    print_flow_mods(ctx, &[fm], usable)
}

pub fn parse_flows(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let name = &argv[1];
    let lines = read_lines(name).map_err(|e| {
        Fatal(format!(
            "{name}: open failed ({})",
            crate::vconn::err_text(&e)
        ))
    })?;
    let mut usable = Protocols::ANY;
    let mut fms = Vec::new();
    for (n, line) in lines {
        let (fm, u) = crate::text::parse_flow_mod(&line, FlowModCommand::Add, None)
            .map_err(|e| Fatal(format!("{name}:{n}: {e}")))?;
        usable = usable.intersect(u);
        fms.push(fm);
    }
    print_flow_mods(ctx, &fms, usable)
}

pub fn parse_group(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    let (gm, usable) = parse_group_mod(&argv[1], GroupTextCommand::Mod(GroupModCommand::Add), None)
        .map_err(Fatal)?;
    let protocol = choose(ctx, usable)?;
    let version = protocol.version().unwrap_or(Version::Of10);
    ctx.print(&format!("chosen version: {}\n", version.name()));
    let m = msg::encode(&Message::GroupMod(gm), protocol, alloc_xid());
    ctx.print(&print::to_string(&m, ctx.opts.verbosity));
    Ok(0)
}

/// The reference's byte-by-byte comparison of an input and our re-encoding.
fn print_differences(prefix: &str, a: &[u8], b: &[u8]) -> String {
    let mut out = String::new();
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        if x != y {
            out.push_str(&format!("{prefix}{i:2}: {x:02x} -> {y:02x}\n"));
        }
    }
    for (i, y) in b.iter().enumerate().skip(a.len()) {
        out.push_str(&format!("{prefix}{i:2}: (none) -> {y:02x}\n"));
    }
    for (i, x) in a.iter().enumerate().skip(b.len()) {
        out.push_str(&format!("{prefix}{i:2}: {x:02x} -> (none)\n"));
    }
    out
}

fn parse_actions_hook(ctx: &mut Ctx, argv: &[String], instructions: bool) -> Result<i32, Fatal> {
    let version_s = &argv[1];
    let version = Version::ALL
        .into_iter()
        .find(|v| v.name().eq_ignore_ascii_case(version_s))
        .ok_or_else(|| Fatal(format!("{version_s}: not a valid OpenFlow version")))?;
    let what = if instructions {
        "instructions"
    } else {
        "actions"
    };
    for (_, line) in read_lines("-").map_err(|e| Fatal::io("-: read", &e))? {
        // "TABLE,HEX" gives the table the instructions belong to.
        let (table, hex) = match line.split_once(',') {
            Some((t, h)) => (Some(t), h),
            None => (None, line.as_str()),
        };
        let (bytes, garbage) = parse_hex(hex);
        if garbage {
            return Err(Fatal("Trailing garbage in hex data".into()));
        }
        let mut r = Reader::new(&bytes);
        let decoded = if instructions {
            action::decode_instructions(version, &mut r)
        } else {
            action::decode_actions(version, &mut r)
        };
        let decoded = decoded.and_then(|mut acts| {
            if instructions {
                let cx = CheckContext {
                    max_ports: openflow::port::PortNo::MAX,
                    table_id: table.map_or(0, |t| crate::commands::echo::atoi(t) as u8),
                    n_tables: 0xff,
                };
                let mut usable = Protocols::of_version(version);
                action::check_actions(&mut acts, &Match::default(), &cx, &mut usable)?;
            }
            Ok(acts)
        });
        match decoded {
            Err(e) => ctx.print(&format!("bad {version_s} {what}: {}\n\n", e.name())),
            Ok(acts) => {
                ctx.print(&format!(
                    "actions={}\n",
                    action::format_actions(&acts, None)
                ));
                let mut out = Vec::new();
                if instructions {
                    action::encode_instructions(version, &acts, &mut out);
                } else {
                    action::encode_actions(version, &acts, &mut out);
                }
                ctx.print(&print_differences("", &bytes, &out));
                ctx.print("\n");
            }
        }
    }
    Ok(0)
}

pub fn parse_actions(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    parse_actions_hook(ctx, argv, false)
}

pub fn parse_instructions(ctx: &mut Ctx, argv: &[String]) -> Result<i32, Fatal> {
    parse_actions_hook(ctx, argv, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences() {
        assert_eq!(
            print_differences("", &[1, 2], &[1, 3, 4]),
            " 1: 02 -> 03\n 2: (none) -> 04\n"
        );
        assert_eq!(print_differences("", &[1, 2], &[1]), " 1: 02 -> (none)\n");
    }
}
