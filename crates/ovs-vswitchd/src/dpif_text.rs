//! unixctl commands answered from the datapath and ofproto directly (the
//! translation layer adds `ofproto/trace`, `fdb/*`, `dpif/dump-flows`):
//! `dpctl/show`, `dpctl/dump-dps`, `dpctl/dump-flows`, `dpctl/del-flows`,
//! `dpif/show`, `dpif/dump-dps`, `bridge/dump-flows`, `netdev-dummy/receive`, and
//! the `upcall/show` text, in the reference's formats.

use crate::backend::CommandSpec;
use crate::dpif::DpifBackend;
use datapath::Datapath;
use std::fmt::Write;
use std::sync::Arc;

const fn spec(
    name: &'static str,
    usage: &'static str,
    min_args: usize,
    max_args: usize,
) -> CommandSpec {
    CommandSpec {
        name,
        usage,
        min_args,
        max_args,
    }
}

/// The commands [`run`] answers.
pub const COMMANDS: [CommandSpec; 13] = [
    spec("dpctl/show", "[-s] [dp...]", 0, usize::MAX),
    spec("dpctl/dump-dps", "", 0, 0),
    spec(
        "dpctl/dump-flows",
        "[-m] [--names] [dp] [filter=..] [type=..] [pmd=..]",
        0,
        6,
    ),
    spec("dpctl/del-flows", "[dp] [file]", 0, 2),
    spec("dpctl/add-flow", "[dp] flow actions", 2, 4),
    spec("dpctl/mod-flow", "[dp] flow actions", 2, 4),
    spec("dpctl/del-flow", "[dp] flow", 1, 3),
    spec("dpctl/get-flow", "[dp] ufid", 1, 3),
    spec("dpif/show", "", 0, 0),
    spec("dpif/dump-dps", "", 0, 0),
    spec(
        "dpif/dump-flows",
        "[-m] [--names | --no-names] bridge",
        1,
        3,
    ),
    spec("bridge/dump-flows", "[--offload-stats] bridge", 1, 2),
    spec(
        "netdev-dummy/receive",
        "name [--qid queue_id] packet|flow [--len packet_len]",
        2,
        usize::MAX,
    ),
];

type DpctlFn = fn(&Datapath, &[String]) -> Result<String, String>;

/// Runs a `dpctl/*` text producer of the datapath crate on the datapath the
/// arguments name, or on each datapath in use (outputs concatenated).
fn per_dp(b: &DpifBackend, args: &[String], f: DpctlFn) -> Result<String, String> {
    let named = b
        .datapaths
        .values()
        .find(|dp| args.iter().any(|a| *a == dp.full_name() || a == dp.name()));
    if let Some(dp) = named {
        return f(dp, args);
    }
    if b.datapaths.is_empty() {
        return Err("ovs-vswitchd: no datapaths exist\n".into());
    }
    let mut out = String::new();
    for dp in b.datapaths.values() {
        out.push_str(&f(dp, args)?);
    }
    Ok(out)
}

/// Runs one of [`COMMANDS`].
pub fn run(b: &DpifBackend, name: &str, args: &[String]) -> Result<String, String> {
    use datapath::dpctl;
    match name {
        "dpctl/show" => per_dp(b, args, dpctl::show),
        "dpctl/dump-dps" | "dpif/dump-dps" => per_dp(b, args, dpctl::dump_dps),
        "dpctl/dump-flows" => per_dp(b, args, dpctl::dump_flows),
        "dpctl/del-flows" => per_dp(b, args, dpctl::del_flows),
        "dpctl/add-flow" => per_dp(b, args, dpctl::add_flow),
        "dpctl/mod-flow" => per_dp(b, args, dpctl::mod_flow),
        "dpctl/del-flow" => per_dp(b, args, dpctl::del_flow),
        "dpctl/get-flow" => per_dp(b, args, dpctl::get_flow),
        "dpif/dump-flows" => dpif_dump_flows(b, args),
        "dpif/show" => Ok(dpif_show(b)),
        "bridge/dump-flows" => {
            let bridge = args.last().map(String::as_str).unwrap_or_default();
            let br = b.bridges.get(bridge).ok_or("Unknown bridge")?;
            let of = br.ofproto.read().unwrap_or_else(|p| p.into_inner());
            Ok(of.dump_flows_text(ofproto::clock::now_ms()))
        }
        "netdev-dummy/receive" => {
            let iface = args.first().map(String::as_str).unwrap_or_default();
            let dp = b
                .datapaths
                .values()
                .find(|dp| dp.port_no(iface).is_some())
                .ok_or("no such dummy netdev")?;
            dpctl::netdev_dummy_receive(dp, args)
        }
        other => Err(format!("\"{other}\" is not handled")),
    }
}

/// `dpif/dump-flows BRIDGE`: the datapath flows whose input port is the bridge's.
fn dpif_dump_flows(b: &DpifBackend, args: &[String]) -> Result<String, String> {
    let bridge = args
        .iter()
        .rfind(|a| !a.starts_with('-'))
        .map(String::as_str)
        .unwrap_or_default();
    let br = b.bridges.get(bridge).ok_or("no such bridge")?;
    let ports: Vec<u32> = br.ifaces.values().filter_map(|i| i.odp).collect();
    let more = args.iter().any(|a| a == "-m" || a == "--more");
    let names =
        (more || args.iter().any(|a| a == "--names")) && !args.iter().any(|a| a == "--no-names");
    let mut out = String::new();
    for f in br.dp.flow_dump() {
        let in_port = u32::from(f.key.u16(openflow::flow_match::key::IN_PORT));
        if ports.contains(&in_port) {
            out.push_str(&datapath::dpctl::dump_line(&br.dp, &f, more, names));
            out.push('\n');
        }
    }
    Ok(out)
}

fn dpif_show(b: &DpifBackend) -> String {
    let mut out = String::new();
    for dp in b.datapaths.values() {
        let st = dp.stats();
        let _ = writeln!(
            out,
            "{}: hit:{} missed:{}",
            dp.full_name(),
            st.hit,
            st.missed
        );
        for (name, br) in b.bridges.iter().filter(|(_, br)| Arc::ptr_eq(&br.dp, dp)) {
            let _ = writeln!(out, "  {name}:");
            for (iname, i) in &br.ifaces {
                let odp = i.odp.map_or_else(|| "none".to_owned(), |o| o.to_string());
                let _ = write!(out, "    {iname} {}/{odp}: ({}", i.ofport, i.kind);
                if !i.options.is_empty() {
                    let opts: Vec<String> =
                        i.options.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    let _ = write!(out, ": {}", opts.join(", "));
                }
                out.push_str(")\n");
            }
        }
    }
    out
}

/// `upcall/show`.
pub fn upcall_show(b: &DpifBackend) -> String {
    let mut out = String::new();
    for dp in b.datapaths.values() {
        let st = dp.stats();
        let _ = writeln!(out, "{}:", dp.full_name());
        let _ = writeln!(
            out,
            "  flows         : (current {}) (avg {}) (max {}) (limit {})",
            st.flows, st.flows, st.flows, 10000
        );
        let _ = writeln!(out, "  dump duration : 1ms");
        let _ = writeln!(out, "  ufid enabled : true");
        out.push('\n');
    }
    out
}
