//! One line of `dpctl/dump-flows`: `[ufid:UUID, ]KEY, packets:N, bytes:N,
//! used:X.XXXs|never[, flags:SFPRU.EC][, dp:ovs], actions:ACTIONS[, dp-extra-info:..]`,
//! written and read back.

use std::fmt::Write;

use openflow::flow_match::key::FlowKey;

use crate::odp::{self, FlowFormat, OdpAction, PortNameFn, PortNumberFn};

/// TCP flag letters of the `flags:` column, in the reference's order.
const TCP_FLAG_LETTERS: &[(u16, char)] = &[
    (0x002, 'S'),
    (0x001, 'F'),
    (0x008, 'P'),
    (0x004, 'R'),
    (0x020, 'U'),
    (0x010, '.'),
    (0x040, 'E'),
    (0x080, 'C'),
    (0x100, 'N'),
];

/// What one dump line says.
#[derive(Clone, Debug, PartialEq)]
pub struct DumpLine {
    pub ufid: Option<String>,
    pub key: FlowKey,
    pub mask: FlowKey,
    pub packets: u64,
    pub bytes: u64,
    /// Milliseconds since the last hit; None = never.
    pub used_ago_ms: Option<u64>,
    pub tcp_flags: u16,
    /// `dp:ovs` (verbose only).
    pub dp: Option<String>,
    pub actions: Vec<OdpAction>,
    /// `dp-extra-info:...` (verbose only).
    pub extra: Option<String>,
}

/// Writes a dump line; `verbose` adds ufid/dp/extra (when present) and all masks.
pub fn format_dump_line(line: &DumpLine, verbose: bool, names: Option<PortNameFn<'_>>) -> String {
    let mut out = String::with_capacity(256);
    if verbose {
        if let Some(u) = &line.ufid {
            let _ = write!(out, "ufid:{u}, ");
        }
    }
    let fmt = FlowFormat {
        verbose,
        port_names: if verbose { names } else { None },
    };
    out.push_str(&odp::format_flow_with(&line.key, &line.mask, &fmt));
    let _ = write!(
        out,
        ", packets:{}, bytes:{}, used:",
        line.packets, line.bytes
    );
    match line.used_ago_ms {
        Some(ms) => {
            let _ = write!(out, "{}.{:03}s", ms / 1000, ms % 1000);
        }
        None => out.push_str("never"),
    }
    if line.tcp_flags != 0 {
        out.push_str(", flags:");
        for (bit, c) in TCP_FLAG_LETTERS {
            if line.tcp_flags & bit != 0 {
                out.push(*c);
            }
        }
    }
    if verbose {
        if let Some(dp) = &line.dp {
            let _ = write!(out, ", dp:{dp}");
        }
    }
    out.push_str(", actions:");
    let names = if verbose { names } else { None };
    out.push_str(&odp::format_actions_with(&line.actions, names));
    if verbose {
        if let Some(x) = &line.extra {
            let _ = write!(out, ", dp-extra-info:{x}");
        }
    }
    out
}

/// Reads a dump line back (both forms).
pub fn parse_dump_line(s: &str, ports: Option<PortNumberFn<'_>>) -> Result<DumpLine, String> {
    let mut rest = s.trim();
    let mut ufid = None;
    if let Some(r) = rest.strip_prefix("ufid:") {
        let (u, r) = r
            .split_once(", ")
            .ok_or_else(|| format!("no flow after ufid in \"{s}\""))?;
        ufid = Some(u.to_string());
        rest = r;
    }
    let at = rest
        .find(", packets:")
        .ok_or_else(|| format!("no packets: in \"{s}\""))?;
    let (key, mask) = odp::parse_flow_with(&rest[..at], ports)?;
    rest = &rest[at + 2..];
    let mut line = DumpLine {
        ufid,
        key,
        mask,
        packets: 0,
        bytes: 0,
        used_ago_ms: None,
        tcp_flags: 0,
        dp: None,
        actions: Vec::new(),
        extra: None,
    };
    // Everything up to "actions:" is `name:value, ` pairs.
    let act_at = rest
        .find("actions:")
        .ok_or_else(|| format!("no actions: in \"{s}\""))?;
    for item in rest[..act_at].split(", ").filter(|x| !x.is_empty()) {
        let (name, v) = item
            .split_once(':')
            .ok_or_else(|| format!("bad item \"{item}\""))?;
        let num = |v: &str| v.parse::<u64>().map_err(|_| format!("bad {name}: \"{v}\""));
        match name {
            "packets" => line.packets = num(v)?,
            "bytes" => line.bytes = num(v)?,
            "used" => {
                line.used_ago_ms = if v == "never" {
                    None
                } else {
                    let secs = v
                        .strip_suffix('s')
                        .ok_or_else(|| format!("bad used: \"{v}\""))?;
                    let (w, f) = secs.split_once('.').unwrap_or((secs, "0"));
                    Some(num(w)? * 1000 + num(format!("{f:0<3}").get(..3).unwrap_or("x"))?)
                }
            }
            "flags" => {
                for c in v.chars() {
                    let bit = TCP_FLAG_LETTERS
                        .iter()
                        .find(|(_, l)| *l == c)
                        .ok_or_else(|| format!("bad flags: \"{v}\""))?
                        .0;
                    line.tcp_flags |= bit;
                }
            }
            "dp" => line.dp = Some(v.to_string()),
            _ => return Err(format!("unknown item \"{item}\"")),
        }
    }
    let mut actions = &rest[act_at + "actions:".len()..];
    if let Some(x) = actions.find(", dp-extra-info:") {
        line.extra = Some(actions[x + ", dp-extra-info:".len()..].to_string());
        actions = &actions[..x];
    }
    line.actions = odp::parse_actions_with(actions, ports)?;
    Ok(line)
}
