//! Conntrack zone commands of `ovs-vsctl(8)`: `add-zone-tp`, `del-zone-tp` and
//! `list-zone-tp`, on the timeout policies of a datapath's zones.

use crate::command::{Command, Ctx, Failure, Mode, Pre, UNLIMITED};
use ovsdb::{Atom, Datum, Uuid};
use std::collections::BTreeMap;

use Mode::{ReadOnly, ReadWrite};

pub const COMMANDS: &[Command] = &[
    Command {
        name: "add-zone-tp",
        min_args: 3,
        max_args: UNLIMITED,
        arguments: "",
        options: "--may-exist",
        mode: ReadWrite,
        pre: Some(pre_get_zone),
        run: Some(cmd_add_zone_tp),
        post: None,
    },
    Command {
        name: "del-zone-tp",
        min_args: 2,
        max_args: 2,
        arguments: "",
        options: "--if-exists",
        mode: ReadWrite,
        pre: Some(pre_get_zone),
        run: Some(cmd_del_zone_tp),
        post: None,
    },
    Command {
        name: "list-zone-tp",
        min_args: 1,
        max_args: 1,
        arguments: "",
        options: "",
        mode: ReadOnly,
        pre: Some(pre_get_zone),
        run: Some(cmd_list_zone_tp),
        post: None,
    },
];

fn pre_get_zone(pre: &mut Pre) -> Result<(), String> {
    pre.add_column("Open_vSwitch", "datapaths");
    pre.add_column("Datapath", "ct_zones");
    pre.add_column("CT_Zone", "timeout_policy");
    pre.add_column("CT_Timeout_Policy", "timeouts");
    Ok(())
}

/// The Datapath row the Open_vSwitch row lists under `name`.
pub(crate) fn find_datapath(ctx: &mut Ctx, name: &str) -> Result<Option<Uuid>, Failure> {
    let root = ctx.root;
    let datapaths = ctx.db.read("Open_vSwitch", &root, "datapaths")?;
    let found = datapaths
        .pairs()
        .find(|(k, _)| k.as_str() == Some(name))
        .and_then(|(_, v)| v.as_uuid());
    Ok(found)
}

/// `zone=N` as C's `%i` reads N (decimal, `0x` hex or `0` octal); 0 if it is not
/// that (the reference leaves the number unset then).
fn parse_zone(arg: &str) -> i64 {
    let Some(rest) = arg.strip_prefix("zone=") else {
        return 0;
    };
    let t = rest.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let mut v: i64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        v = v
            .saturating_mul(i64::from(radix))
            .saturating_add(i64::from(d));
    }
    if negative {
        -v
    } else {
        v
    }
}

/// A policy argument `KEY=VALUE` (or `KEY:VALUE`) as the reference splits it, the
/// value read by `atoi`.
fn parse_policy(arg: &str) -> (String, i64) {
    let s = arg.trim_start_matches([',', ' ', '\t', '\r', '\n']);
    let key_end = s
        .find([':', '=', '(', ',', ' ', '\t', '\r', '\n'])
        .unwrap_or(s.len());
    let key = s[..key_end].to_owned();
    let rest = &s[key_end..];
    let value = match rest.chars().next() {
        Some(':') | Some('=') => {
            let v = &rest[1..];
            &v[..v.find([',', ' ', '\t', '\r', '\n']).unwrap_or(v.len())]
        }
        Some('(') => {
            let v = &rest[1..];
            &v[..v.find(')').unwrap_or(v.len())]
        }
        _ => "",
    };
    (key, super::helpers::c_atoi(value))
}

fn zone_of(ctx: &mut Ctx, dp: &Uuid, zone: i64) -> Result<Option<Uuid>, Failure> {
    Ok(ctx
        .db
        .read("Datapath", dp, "ct_zones")?
        .get(&Atom::Integer(zone))
        .and_then(Atom::as_uuid))
}

fn cmd_add_zone_tp(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let dp_name = args[1].as_str();
    let zone_id = parse_zone(&args[2]);
    let may_exist = ctx.has("--may-exist");
    let Some(dp) = find_datapath(ctx, dp_name)? else {
        return Err(Failure::Error(format!("datapath {dp_name} does not exist")));
    };
    let policies = &args[3..];
    let zone = zone_of(ctx, &dp, zone_id)?;
    if policies.is_empty() {
        return Err(Failure::Error("No timeout policy".into()));
    }
    if zone.is_some() && !may_exist {
        return Err(Failure::Error(format!(
            "zone id {} already exists",
            zone_id as u64
        )));
    }

    // An existing policy with the same timeouts (compared as C's unsigned ints) is
    // shared; otherwise a new one is made.
    let parsed: Vec<(String, i64)> = policies.iter().map(|p| parse_policy(p)).collect();
    let wanted: BTreeMap<&str, u32> = parsed
        .iter()
        .map(|(k, v)| (k.as_str(), *v as u32))
        .collect();
    let mut tp = None;
    for row in ctx.db.rows("CT_Timeout_Policy")? {
        let timeouts = ctx.db.read("CT_Timeout_Policy", &row, "timeouts")?;
        let have: BTreeMap<&str, u32> = timeouts
            .pairs()
            .filter_map(|(k, v)| Some((k.as_str()?, v.as_i64()? as u32)))
            .collect();
        if have == wanted {
            tp = Some(row);
            break;
        }
    }
    let tp = match tp {
        Some(tp) => tp,
        None => {
            let tp = ovsdb::uuidgen::new_uuid();
            ctx.db.insert("CT_Timeout_Policy", tp, false);
            let mut timeouts = Datum::empty();
            for (k, v) in &parsed {
                timeouts.insert_pair(Atom::string(k), Atom::Integer(*v));
            }
            ctx.db.write("CT_Timeout_Policy", &tp, "timeouts", timeouts);
            tp
        }
    };
    let policy = Datum::scalar(Atom::Uuid(tp));
    match zone {
        Some(zone) => ctx.db.write("CT_Zone", &zone, "timeout_policy", policy),
        None => {
            let zone = ovsdb::uuidgen::new_uuid();
            ctx.db.insert("CT_Zone", zone, false);
            ctx.db.write("CT_Zone", &zone, "timeout_policy", policy);
            ctx.db.map_set_partial(
                "Datapath",
                &dp,
                "ct_zones",
                Atom::Integer(zone_id),
                Atom::Uuid(zone),
            )?;
        }
    }
    Ok(())
}

fn cmd_del_zone_tp(ctx: &mut Ctx) -> Result<(), Failure> {
    let args = ctx.args().to_vec();
    let must_exist = !ctx.has("--if-exists");
    let dp_name = args[1].as_str();
    let zone_id = parse_zone(&args[2]);
    let Some(dp) = find_datapath(ctx, dp_name)? else {
        return Err(Failure::Error(format!("datapath {dp_name} does not exist")));
    };
    let zone = zone_of(ctx, &dp, zone_id)?;
    if must_exist && zone.is_none() {
        return Err(Failure::Error(format!(
            "zone id {} does not exist",
            zone_id as u64
        )));
    }
    if zone.is_some() {
        ctx.db
            .map_delete_partial("Datapath", &dp, "ct_zones", Atom::Integer(zone_id));
    }
    Ok(())
}

fn cmd_list_zone_tp(ctx: &mut Ctx) -> Result<(), Failure> {
    let name = ctx.args()[1].clone();
    let Some(dp) = find_datapath(ctx, &name)? else {
        return Err(Failure::Error(format!("datapath: {name} record not found")));
    };
    let zones = ctx.db.read("Datapath", &dp, "ct_zones")?;
    for (id, zone) in zones.pairs() {
        let (Some(id), Some(zone)) = (id.as_i64(), zone.as_uuid()) else {
            continue;
        };
        let mut line = format!("Zone:{}, Timeout Policies: ", id as u64);
        let tp = ctx
            .db
            .read("CT_Zone", &zone, "timeout_policy")?
            .first()
            .and_then(Atom::as_uuid);
        match tp {
            Some(tp) => {
                for (k, v) in ctx.db.read("CT_Timeout_Policy", &tp, "timeouts")?.pairs() {
                    if let (Some(k), Some(v)) = (k.as_str(), v.as_i64()) {
                        line.push_str(&format!("{k}={} ", v as u64));
                    }
                }
            }
            None => line.push_str("system default"),
        }
        if line.ends_with(' ') {
            line.pop();
        }
        ctx.output.push_str(&line);
        ctx.output.push('\n');
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_and_policies_read_as_the_reference_reads_them() {
        assert_eq!(parse_zone("zone=5"), 5);
        assert_eq!(parse_zone("zone=0x10"), 16);
        assert_eq!(parse_zone("zone=010"), 8);
        assert_eq!(parse_zone("zone=-2"), -2);
        assert_eq!(parse_policy("icmp_first=30"), ("icmp_first".into(), 30));
        assert_eq!(parse_policy("tcp:7"), ("tcp".into(), 7));
        assert_eq!(parse_policy("x(9)"), ("x".into(), 9));
        assert_eq!(parse_policy("bare"), ("bare".into(), 0));
    }
}
