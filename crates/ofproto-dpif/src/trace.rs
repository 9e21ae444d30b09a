//! `ofproto/trace`: the explanation tree translation records (bridges,
//! tables, actions, notes, warnings) and its rendering in the reference's
//! layout, plus the whole command's text (`Flow:`, the tree, `Final flow:`,
//! `Megaflow:`, `Datapath actions:`).

use std::fmt::Write;

use openflow::flow_match::key::{self, FlowKey};

use crate::field;

/// What a trace node says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    Bridge,
    Table,
    Bucket,
    Action,
    /// ` -> ...`
    Detail,
    /// ` >> ...`
    Warn,
    /// ` >>>> ... <<<<`
    Error,
}

impl NodeKind {
    /// Leaf kinds always indent as if followed by a sibling.
    fn is_terminal(self) -> bool {
        matches!(
            self,
            NodeKind::Action
                | NodeKind::Detail
                | NodeKind::Warn
                | NodeKind::Error
                | NodeKind::Bucket
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    pub kind: NodeKind,
    pub text: String,
    pub subs: Vec<Node>,
}

/// A trace under construction: a stack of open nodes; new nodes go into
/// the innermost open node's children.
#[derive(Debug, Default)]
pub struct TraceBuilder {
    stack: Vec<Node>,
    root: Vec<Node>,
}

impl TraceBuilder {
    pub fn new() -> TraceBuilder {
        TraceBuilder::default()
    }

    fn current(&mut self) -> &mut Vec<Node> {
        match self.stack.last_mut() {
            Some(n) => &mut n.subs,
            None => &mut self.root,
        }
    }

    /// Adds a node to the current list.
    pub fn add(&mut self, kind: NodeKind, text: String) {
        self.current().push(Node {
            kind,
            text,
            subs: Vec::new(),
        });
    }

    /// Adds a node and makes it the current list.
    pub fn open(&mut self, kind: NodeKind, text: String) {
        self.stack.push(Node {
            kind,
            text,
            subs: Vec::new(),
        });
    }

    /// Closes the innermost open node.
    pub fn close(&mut self) {
        if let Some(n) = self.stack.pop() {
            self.current().push(n);
        }
    }

    /// How deep the open nodes go (to restore after nested translation).
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn close_to(&mut self, depth: usize) {
        while self.stack.len() > depth {
            self.close();
        }
    }

    pub fn finish(mut self) -> Vec<Node> {
        self.close_to(0);
        self.root
    }
}

/// Renders the tree like the reference: a node is indented by its level,
/// plus one step when more follows it (or it is a leaf); its children sit
/// two steps deeper when it is not the last of its list.
pub fn render(nodes: &[Node], out: &mut String) {
    render_level(nodes, 0, out);
}

fn render_level(nodes: &[Node], level: usize, out: &mut String) {
    for (i, n) in nodes.iter().enumerate() {
        if n.kind == NodeKind::Bridge {
            out.push('\n');
        }
        let more = usize::from(i + 1 < nodes.len() || n.kind.is_terminal());
        let indent = " ".repeat((level + more) * 4);
        out.push_str(&indent);
        match n.kind {
            NodeKind::Detail => {
                let _ = writeln!(out, " -> {}", n.text);
            }
            NodeKind::Warn => {
                let _ = writeln!(out, " >> {}", n.text);
            }
            NodeKind::Error => {
                let _ = writeln!(out, " >>>> {} <<<<", n.text);
            }
            NodeKind::Bridge => {
                let _ = writeln!(out, "{}", n.text);
                out.push_str(&indent);
                out.push_str(&"-".repeat(n.text.chars().count()));
                out.push('\n');
            }
            _ => {
                let _ = writeln!(out, "{}", n.text);
            }
        }
        render_level(&n.subs, level + 2 * more, out);
    }
}

/// The mask `Flow:` and `Final flow:` print: every header field the packet
/// has, and metadata fields only when they are not zero.
pub fn flow_print_mask(k: &FlowKey) -> FlowKey {
    let mut m = FlowKey::default();
    let ones = |m: &mut FlowKey, s: key::Slot| m.get_mut(s).iter_mut().for_each(|b| *b = 0xff);
    let nonzero = |m: &mut FlowKey, s: key::Slot| {
        if !k.is_zero(s) {
            m.get_mut(s).iter_mut().for_each(|b| *b = 0xff);
        }
    };
    for s in [
        key::TUN_ID,
        key::TUN_SRC,
        key::TUN_DST,
        key::METADATA,
        key::SKB_PRIORITY,
        key::PKT_MARK,
        key::DP_HASH,
        key::RECIRC_ID,
        key::CT_STATE,
        key::CT_ZONE,
        key::CT_MARK,
        key::CT_LABEL,
    ] {
        nonzero(&mut m, s);
    }
    for i in 0..16 {
        nonzero(&mut m, key::REGS.sub(4 * i, 4));
    }
    if !k.is_zero(key::RECIRC_ID) {
        // A recirculated flow names its packet type ("eth,tcp,...").
        ones(&mut m, key::PACKET_TYPE);
    }
    for s in [
        key::IN_PORT,
        key::VLAN_TCI,
        key::DL_SRC,
        key::DL_DST,
        key::DL_TYPE,
    ] {
        ones(&mut m, s);
    }
    let dl_type = k.u16(key::DL_TYPE);
    let proto = k.u8(key::NW_PROTO);
    let later_frag = k.u8(key::NW_FRAG) & 2 != 0;
    match dl_type {
        0x0800 | 0x86dd => {
            if dl_type == 0x0800 {
                ones(&mut m, key::NW_SRC);
                ones(&mut m, key::NW_DST);
            } else {
                ones(&mut m, key::IPV6_SRC);
                ones(&mut m, key::IPV6_DST);
                ones(&mut m, key::IPV6_LABEL);
            }
            for s in [key::NW_PROTO, key::NW_TOS, key::NW_TTL, key::NW_FRAG] {
                ones(&mut m, s);
            }
            if !later_frag {
                match proto {
                    6 => {
                        ones(&mut m, key::TP_SRC);
                        ones(&mut m, key::TP_DST);
                        m.set_uint(key::TCP_FLAGS, 0x0fff);
                    }
                    17 | 132 => {
                        ones(&mut m, key::TP_SRC);
                        ones(&mut m, key::TP_DST);
                    }
                    1 | 58 => {
                        ones(&mut m, key::TP_SRC);
                        ones(&mut m, key::TP_DST);
                        if proto == 58 {
                            let t = k.u16(key::TP_SRC);
                            if t == 135 || t == 136 {
                                ones(&mut m, key::ND_TARGET);
                                ones(&mut m, key::ARP_SHA);
                                ones(&mut m, key::ARP_THA);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        0x0806 | 0x8035 => {
            for s in [
                key::NW_SRC,
                key::NW_DST,
                key::NW_PROTO,
                key::ARP_SHA,
                key::ARP_THA,
            ] {
                ones(&mut m, s);
            }
        }
        0x8847 | 0x8848 => ones(&mut m, key::MPLS_LSE),
        _ => {}
    }
    m
}

/// A flow as `Flow:` prints it. `vlan_tci1` is the second VLAN header's TCI
/// when the packet has a first one (the reference prints both).
pub fn format_flow(k: &FlowKey, inner_tci: u16) -> String {
    let m = flow_print_mask(k);
    let text = field::to_match(k, &m).format(32768, None);
    if k.u16(key::VLAN_TCI) & 0x1000 == 0 {
        return text;
    }
    // The second VLAN header follows the outer one's fields.
    let insert = if inner_tci & 0x1000 != 0 {
        format!(
            "dl_vlan1={},dl_vlan_pcp1={}",
            inner_tci & 0x0fff,
            inner_tci >> 13
        )
    } else {
        format!("vlan_tci1={inner_tci:#06x}")
    };
    let mut parts: Vec<String> = text.split(',').map(str::to_string).collect();
    let pos = parts
        .iter()
        .rposition(|p| p.starts_with("dl_vlan") || p.starts_with("vlan_tci"))
        .map(|i| i + 1)
        .unwrap_or(parts.len());
    parts.insert(pos, insert);
    parts.join(",")
}

/// The reference prints the megaflow as the datapath will hold it: fields
/// the packet does not have (no VLAN, no IP) are not in a datapath key, so
/// their mask bits do not show.
pub fn datapath_mask(k: &FlowKey, wc: &FlowKey) -> FlowKey {
    let mut m = wc.clone();
    let zero = |m: &mut FlowKey, s: key::Slot| m.get_mut(s).iter_mut().for_each(|b| *b = 0);
    if k.u16(key::VLAN_TCI) & 0x1000 == 0 {
        zero(&mut m, key::VLAN_TCI);
    }
    let dl_type = k.u16(key::DL_TYPE);
    let ip = dl_type == 0x0800 || dl_type == 0x86dd;
    let arp = dl_type == 0x0806 || dl_type == 0x8035;
    if !ip {
        for s in [
            key::NW_FRAG,
            key::NW_TOS,
            key::NW_TTL,
            key::IPV6_SRC,
            key::IPV6_DST,
            key::IPV6_LABEL,
        ] {
            zero(&mut m, s);
        }
        if !arp {
            for s in [
                key::NW_SRC,
                key::NW_DST,
                key::NW_PROTO,
                key::ARP_SHA,
                key::ARP_THA,
            ] {
                zero(&mut m, s);
            }
        }
    }
    if dl_type == 0x0800 {
        for s in [key::IPV6_SRC, key::IPV6_DST, key::IPV6_LABEL] {
            zero(&mut m, s);
        }
    }
    let proto = k.u8(key::NW_PROTO);
    let l4 = ip && k.u8(key::NW_FRAG) & 2 == 0 && matches!(proto, 6 | 17 | 132 | 1 | 58);
    if !l4 {
        for s in [key::TP_SRC, key::TP_DST, key::TCP_FLAGS] {
            zero(&mut m, s);
        }
    }
    if proto != 6 {
        zero(&mut m, key::TCP_FLAGS);
    }
    m
}

/// `Megaflow:` text.
pub fn format_megaflow(k: &FlowKey, wc: &FlowKey) -> String {
    let text = format_megaflow_raw(k, wc);
    // The ofctl printer shows a flow label under a 20-bit mask as exact
    // (ovs-ofctl's parser widens such masks); a megaflow's is really masked.
    let lm = datapath_mask(k, wc).u32(key::IPV6_LABEL);
    if lm != 0 && lm != u32::MAX {
        let v = k.u32(key::IPV6_LABEL) & lm;
        let exact = format!("ipv6_label=0x{v:05x}");
        let masked = format!("ipv6_label=0x{v:05x}/0x{lm:05x}");
        if !text.contains(&masked) {
            return text.replacen(&exact, &masked, 1);
        }
    }
    text
}

fn format_megaflow_raw(k: &FlowKey, wc: &FlowKey) -> String {
    let m = datapath_mask(k, wc);
    // A megaflow always names its packet type ("eth"), even with
    // recirc_id 0, where the ofctl match printer leaves it out: print with
    // a non-zero recirc_id and put the 0 back.
    if m.is_ones(key::RECIRC_ID) && k.u32(key::RECIRC_ID) == 0 && m.is_ones(key::PACKET_TYPE) {
        let mut k1 = k.clone();
        k1.set_uint(key::RECIRC_ID, 1);
        let text = field::to_match(&k1, &m).format(32768, None);
        if let Some(rest) = text.strip_prefix("recirc_id=0x1") {
            return format!("recirc_id=0{rest}");
        }
        return text;
    }
    field::to_match(k, &m).format(32768, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_like_the_reference() {
        let mut t = TraceBuilder::new();
        t.open(NodeKind::Bridge, "bridge(\"br0\")".into());
        t.open(NodeKind::Table, " 0. in_port=1, priority 32768".into());
        t.add(NodeKind::Action, "resubmit(,1)".into());
        t.open(NodeKind::Table, " 1. priority 32768".into());
        t.add(NodeKind::Action, "resubmit(,2)".into());
        t.open(NodeKind::Table, " 2. priority 32768".into());
        t.add(NodeKind::Action, "output:4".into());
        t.add(NodeKind::Detail, "flooding".into());
        t.close();
        t.add(NodeKind::Action, "output:3".into());
        t.close();
        t.add(NodeKind::Action, "output:2".into());
        let mut out = String::new();
        render(&t.finish(), &mut out);
        let want = "\nbridge(\"br0\")\n-------------\n 0. in_port=1, priority 32768\n    resubmit(,1)\n     1. priority 32768\n            resubmit(,2)\n             2. priority 32768\n                    output:4\n                     -> flooding\n            output:3\n    output:2\n";
        assert_eq!(out, want);
    }
}
