//! Megaflow keys as datapath flow text, as `dpctl/dump-flows` prints them and
//! `dpctl/add-flow`/`netdev-dummy/receive` accept them:
//! `recirc_id(0),in_port(1),packet_type(ns=0,id=0),eth(dst=..),eth_type(0x0800),ipv4(frag=no)`.
//!
//! Terse form (the default) leaves out what the mask ignores; verbose (`-m`)
//! writes every attribute the packet has, with `/mask` where not exact.

use openflow::flow_match::key::{self as k, FlowKey};

use super::fields::{self as fl, Field, Group};
use super::value;

/// Port number to name (`in_port(p1)` in verbose dumps).
pub type PortNameFn<'a> = &'a dyn Fn(u32) -> Option<String>;
/// Port name to number, for parsing `in_port(p1)`.
pub type PortNumberFn<'a> = &'a dyn Fn(&str) -> Option<u32>;

/// How to write a flow.
#[derive(Clone, Copy, Default)]
pub struct FlowFormat<'a> {
    /// `-m`: every attribute, with masks.
    pub verbose: bool,
    pub port_names: Option<PortNameFn<'a>>,
}

/// Packet type of Ethernet frames (namespace 0, type 0).
const PT_ETH: u32 = 0;

/// Terse text of a megaflow.
pub fn format_flow(key: &FlowKey, mask: &FlowKey) -> String {
    format_flow_with(key, mask, &FlowFormat::default())
}

/// Text of a megaflow in the given style.
pub fn format_flow_with(key: &FlowKey, mask: &FlowKey, opts: &FlowFormat<'_>) -> String {
    let mut w = Writer {
        out: String::with_capacity(256),
        key,
        mask,
        verbose: opts.verbose,
    };
    w.write(opts);
    w.out
}

struct Writer<'a> {
    out: String,
    key: &'a FlowKey,
    mask: &'a FlowKey,
    verbose: bool,
}

impl Writer<'_> {
    fn sep(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with('(') {
            self.out.push(',');
        }
    }

    fn shown(&self, fld: &Field) -> bool {
        self.verbose || fld.get(self.mask) != 0
    }

    /// `name(value[/mask])` with `%#x` numbers.
    fn scalar(&mut self, fld: &Field, always: bool) {
        if !always && !self.shown(fld) {
            return;
        }
        self.sep();
        let (v, m) = (fld.get(self.key), fld.get(self.mask));
        self.out.push_str(fld.name);
        self.out.push('(');
        value::alt_hex(&mut self.out, v);
        if m != fld.full() {
            self.out.push('/');
            value::alt_hex(&mut self.out, m);
        }
        self.out.push(')');
    }

    fn group_mask_zero(&self, g: &Group) -> bool {
        g.fields.iter().all(|f| f.get(self.mask) == 0)
    }

    /// `name(field=..,...)`; terse form only has fields the mask covers.
    fn group(&mut self, g: &Group, force: bool) {
        if !force && !self.verbose && self.group_mask_zero(g) {
            return;
        }
        self.sep();
        self.out.push_str(g.name);
        self.out.push('(');
        let mut first = true;
        // mpls: either no masks at all (exact) or every mask written.
        let exact_group = g.fields.iter().all(|f| f.get(self.mask) == f.full());
        for fld in g.fields {
            let (v, m) = (fld.get(self.key), fld.get(self.mask));
            if !self.verbose && !g.keep_all && m == 0 {
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            if g.keep_all && !exact_group {
                // mpls: the reference writes every mask in keys.
                self.out.push_str(fld.name);
                self.out.push('=');
                value::value(&mut self.out, fld, v);
                self.out.push('/');
                value::mask(&mut self.out, fld, m);
            } else {
                value::field(&mut self.out, fld, v, m);
            }
        }
        self.out.push(')');
    }

    fn write(&mut self, opts: &FlowFormat<'_>) {
        let verbose = self.verbose;
        self.scalar(&fl::SKB_PRIORITY, false);
        self.scalar(&fl::SKB_MARK, false);
        self.ct_state();
        self.scalar(&fl::CT_ZONE, false);
        self.scalar(&fl::CT_MARK, false);
        self.scalar(&fl::CT_LABEL, false);
        let dl_type = self.key.u16(k::DL_TYPE);
        let tuple = if dl_type == fl::ETH_TYPE_IPV6 {
            &fl::CT_TUPLE6
        } else {
            &fl::CT_TUPLE4
        };
        let tuple_shown = if verbose {
            self.key.u8(k::CT_NW_PROTO) != 0
        } else {
            !self.group_mask_zero(tuple)
        };
        if tuple_shown {
            self.group(tuple, true);
        }
        self.scalar(&fl::RECIRC_ID, true);
        self.scalar(&fl::DP_HASH, false);
        self.in_port(opts);
        let pt_mask = self.mask.u32(k::PACKET_TYPE);
        if verbose || pt_mask != 0 {
            self.group(&fl::PACKET_TYPE, true);
        }
        let ethernet = self.key.u32(k::PACKET_TYPE) == PT_ETH;
        if ethernet && (verbose || pt_mask == 0 || !self.group_mask_zero(&fl::ETH)) {
            self.group(&fl::ETH, true);
        }
        let tci = self.key.u16(k::VLAN_TCI);
        let vlan = ethernet && tci != 0;
        if vlan {
            self.sep();
            self.out.push_str("eth_type(0x8100)");
            self.vlan();
            self.sep();
            self.out.push_str("encap(");
        }
        self.eth_type();
        self.l3_l4(dl_type);
        if vlan {
            self.out.push(')');
        }
    }

    fn ct_state(&mut self) {
        let fld = &fl::CT_STATE;
        if self.verbose {
            self.scalar(fld, false);
        } else if fld.get(self.mask) != 0 {
            self.sep();
            self.out.push_str("ct_state(");
            let (v, m) = (fld.get(self.key) as u32, fld.get(self.mask) as u32);
            value::flags_masked(&mut self.out, fl::CT_STATE_NAMES, v, m, u32::MAX);
            self.out.push(')');
        }
    }

    fn in_port(&mut self, opts: &FlowFormat<'_>) {
        self.sep();
        let port = self.key.u16(k::IN_PORT) as u32;
        self.out.push_str("in_port(");
        match opts.port_names.and_then(|f| f(port)) {
            Some(name) => self.out.push_str(&name),
            None => self.out.push_str(&port.to_string()),
        }
        self.out.push(')');
    }

    fn vlan(&mut self) {
        self.sep();
        self.out.push_str("vlan(");
        let mut first = true;
        for fld in [&fl::VLAN_VID, &fl::VLAN_PCP] {
            let (v, m) = (fld.get(self.key), fld.get(self.mask));
            if !self.verbose && m == 0 {
                continue;
            }
            if !first {
                self.out.push(',');
            }
            first = false;
            value::field(&mut self.out, fld, v, m);
        }
        let (v, m) = (fl::VLAN_CFI.get(self.key), fl::VLAN_CFI.get(self.mask));
        if (v, m) != (1, 1) && (self.verbose || m != 0) {
            if !first {
                self.out.push(',');
            }
            value::field(&mut self.out, &fl::VLAN_CFI, v, m);
        }
        self.out.push(')');
    }

    fn eth_type(&mut self) {
        let m = self.mask.u16(k::DL_TYPE);
        if !self.verbose && m == 0 {
            return;
        }
        self.sep();
        let v = self.key.u16(k::DL_TYPE);
        self.out.push_str(&format!("eth_type({v:#06x}"));
        if m != 0xffff {
            self.out.push_str(&format!("/{m:#06x}"));
        }
        self.out.push(')');
    }

    fn l3_l4(&mut self, dl_type: u16) {
        let Some(l3) = fl::l3_group(dl_type) else {
            return;
        };
        self.group(l3, false);
        if dl_type != fl::ETH_TYPE_IP && dl_type != fl::ETH_TYPE_IPV6 {
            return;
        }
        if self.key.u8(k::NW_FRAG) & 2 != 0 {
            // Later fragments carry no L4 header.
            return;
        }
        let proto = self.key.u8(k::NW_PROTO);
        let Some(l4) = fl::l4_group(dl_type, proto) else {
            return;
        };
        self.group(l4, false);
        if proto == 6 {
            let fld = &fl::TCP_FLAGS;
            let (v, m) = (fld.get(self.key) as u32, fld.get(self.mask) as u32);
            if m != 0 || (self.verbose && v != 0) {
                self.sep();
                self.out.push_str("tcp_flags(");
                value::flags_masked(&mut self.out, fl::TCP_FLAG_NAMES, v, m, 0xfff);
                self.out.push(')');
            }
        }
        let icmp_type = self.key.u16(k::TP_SRC);
        let code = self.key.u16(k::TP_DST);
        if proto == 58 && (icmp_type == 135 || icmp_type == 136) && code == 0 {
            self.group(&fl::ND, false);
        }
    }
}

/// Parses datapath flow text into (key, mask); port names resolved by `ports`.
pub fn parse_flow_with(
    s: &str,
    ports: Option<PortNumberFn<'_>>,
) -> Result<(FlowKey, FlowKey), String> {
    let mut p = Parser {
        key: FlowKey::default(),
        mask: FlowKey::default(),
        eth: false,
        packet_type: false,
        recirc: false,
        ports,
    };
    p.attrs(s, false)?;
    if !p.recirc {
        p.mask.set_uint(k::RECIRC_ID, u64::from(u32::MAX));
    }
    if !p.packet_type && !p.eth {
        // No Ethernet header: an L3 packet whose type is its Ethertype.
        let dl_type = p.key.u16(k::DL_TYPE);
        p.key
            .set_uint(k::PACKET_TYPE, (1 << 16) | u64::from(dl_type));
    }
    Ok((p.key, p.mask))
}

/// Parses datapath flow text with numeric ports only.
pub fn parse_flow(s: &str) -> Result<(FlowKey, FlowKey), String> {
    parse_flow_with(s, None)
}

struct Parser<'a> {
    key: FlowKey,
    mask: FlowKey,
    eth: bool,
    packet_type: bool,
    recirc: bool,
    ports: Option<PortNumberFn<'a>>,
}

impl Parser<'_> {
    fn attrs(&mut self, s: &str, encap: bool) -> Result<(), String> {
        for item in value::split_top(s)? {
            if item.is_empty() {
                continue;
            }
            self.attr(item, encap)
                .map_err(|e| syntax_error(s, item, &e))?;
        }
        Ok(())
    }

    fn set(&mut self, fld: &Field, v: u128, m: u128) {
        fld.set(&mut self.key, v);
        fld.set(&mut self.mask, m);
    }

    fn scalar(&mut self, fld: &Field, inner: &str) -> Result<(), String> {
        let (v, m) = value::parse_field(fld, inner)?;
        self.set(fld, v, m);
        Ok(())
    }

    fn attr(&mut self, item: &str, encap: bool) -> Result<(), String> {
        let (name, inner) = value::call(item)?;
        let inner = inner.ok_or_else(|| "missing (".to_string())?;
        match name {
            "skb_priority" => self.scalar(&fl::SKB_PRIORITY, inner),
            "skb_mark" => self.scalar(&fl::SKB_MARK, inner),
            "ct_zone" => self.scalar(&fl::CT_ZONE, inner),
            "ct_mark" => self.scalar(&fl::CT_MARK, inner),
            "ct_label" => self.scalar(&fl::CT_LABEL, inner),
            "dp_hash" => self.scalar(&fl::DP_HASH, inner),
            "recirc_id" => {
                self.recirc = true;
                self.scalar(&fl::RECIRC_ID, inner)
            }
            "ct_state" => {
                let (v, m) = value::parse_flags(fl::CT_STATE_NAMES, u32::MAX, inner)?;
                self.set(&fl::CT_STATE, v.into(), m.into());
                Ok(())
            }
            "tcp_flags" => {
                let (v, m) = value::parse_flags(fl::TCP_FLAG_NAMES, 0xfff, inner)?;
                self.set(&fl::TCP_FLAGS, v.into(), m.into());
                Ok(())
            }
            "in_port" => {
                let port = match value::number(inner) {
                    Ok(n) if n <= 0xffff => n,
                    _ => self
                        .ports
                        .and_then(|f| f(inner))
                        .map(u128::from)
                        .ok_or_else(|| format!("unknown port {inner}"))?,
                };
                self.set(&fl::IN_PORT, port, 0xffff);
                Ok(())
            }
            "eth_type" => {
                let (v, m) = value::parse_field(&fl::ETH_TYPE, inner)?;
                let tag = v as u16 == fl::ETH_TYPE_VLAN || v as u16 == fl::ETH_TYPE_VLAN_8021AD;
                if !encap && tag {
                    // The tag's TPID; the key keeps only the TCI.
                    return Ok(());
                }
                self.set(&fl::ETH_TYPE, v, m);
                Ok(())
            }
            "vlan" => {
                let mut cfi = false;
                for f in value::split_top(inner)? {
                    let (n, v) = f.split_once('=').ok_or_else(|| format!("bad field {f}"))?;
                    let fld = match n {
                        "vid" => &fl::VLAN_VID,
                        "pcp" => &fl::VLAN_PCP,
                        "cfi" => {
                            cfi = true;
                            &fl::VLAN_CFI
                        }
                        _ => return Err(format!("unknown vlan field {n}")),
                    };
                    let (v, m) = value::parse_field(fld, v)?;
                    self.set(fld, v, m);
                }
                if !cfi {
                    self.set(&fl::VLAN_CFI, 1, 1);
                }
                Ok(())
            }
            "encap" => self.attrs(inner, true),
            "eth" => {
                self.eth = true;
                self.group(&fl::ETH, inner)
            }
            "packet_type" => {
                self.packet_type = true;
                self.group(&fl::PACKET_TYPE, inner)
            }
            _ => match fl::group_by_name(name) {
                Some(g) => self.group(g, inner),
                None => Err(format!("unknown attribute {name}")),
            },
        }
    }

    fn group(&mut self, g: &Group, inner: &str) -> Result<(), String> {
        for f in value::split_top(inner)? {
            if f.is_empty() {
                continue;
            }
            let (n, v) = f.split_once('=').ok_or_else(|| format!("bad field {f}"))?;
            let fld = g
                .fields
                .iter()
                .find(|x| x.name == n)
                .ok_or_else(|| format!("unknown field {}({n})", g.name))?;
            let (v, m) = value::parse_field(fld, v)?;
            self.set(fld, v, m);
        }
        Ok(())
    }
}

/// The reference's wording: `syntax error at <rest of the text>`.
fn syntax_error(whole: &str, item: &str, detail: &str) -> String {
    if detail.starts_with("syntax error at ") {
        return detail.to_string();
    }
    let at = whole.find(item).map_or(item, |i| &whole[i..]);
    format!("syntax error at {at}")
}
