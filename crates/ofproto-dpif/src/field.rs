//! Reading and writing OpenFlow fields (and subfields) in a flow key, for
//! set_field, load, move, learn, multipath, bundle_load and output:reg.
//!
//! Where a field lives in the key is learnt once from the openflow crate's
//! own match code (by matching the field on all ones and seeing which key
//! bits it set), so this module cannot drift from the match layout. A field
//! is then "the value bits `vmask`, shifted left by `shift`, of the
//! big-endian number in key bytes `ofs..ofs+len`" (at most 16 bytes, so
//! values fit a u128).

use std::sync::OnceLock;

use openflow::field::{FieldId, SubField};
use openflow::flow_match::key::{self, FlowKey};
use openflow::flow_match::Match;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldLoc {
    pub ofs: usize,
    pub len: usize,
    pub shift: u32,
    /// The field's value bits (before shifting into place).
    pub vmask: u128,
    /// OF1.1+ 32-bit port stored as a 16-bit port.
    pub port11: bool,
}

fn probe(f: FieldId) -> Option<FieldLoc> {
    let slot_loc = |s: key::Slot, shift: u32, n_bits: u32| FieldLoc {
        ofs: s.ofs,
        len: s.len,
        shift,
        vmask: low_mask(n_bits),
        port11: false,
    };
    // Fields whose match setter has side effects (CFI, "no VLAN").
    match f {
        FieldId::DL_VLAN => return Some(slot_loc(key::VLAN_TCI, 0, 12)),
        // vlan_vid carries OFPVID_PRESENT (the CFI bit) as its 13th bit.
        FieldId::VLAN_VID => return Some(slot_loc(key::VLAN_TCI, 0, 13)),
        FieldId::VLAN_PCP | FieldId::DL_VLAN_PCP => return Some(slot_loc(key::VLAN_TCI, 13, 3)),
        // Only the flow label's 20 bits are the field, whatever is stored.
        FieldId::IPV6_LABEL => return Some(slot_loc(key::IPV6_LABEL, 0, 20)),
        FieldId::IN_PORT_OXM => {
            return Some(FieldLoc {
                port11: true,
                ..slot_loc(key::IN_PORT, 0, 16)
            })
        }
        FieldId::ACTSET_OUTPUT => {
            return Some(FieldLoc {
                port11: true,
                ..slot_loc(key::ACTSET_OUTPUT, 0, 16)
            })
        }
        _ => {}
    }
    if f.tun_metadata_index().is_some() {
        return None;
    }
    let n = f.n_bytes();
    let ones = vec![0xff; n];
    let mut m = Match::new();
    m.set(f, &ones, &ones);
    let k = &m.key().0;
    let first = k.iter().position(|b| *b != 0)?;
    let last = k.iter().rposition(|b| *b != 0)?;
    if last - first >= 16 {
        return None;
    }
    let len = last - first + 1;
    let bits = |k: &[u8]| {
        k[first..=last]
            .iter()
            .fold(0u128, |a, b| (a << 8) | u128::from(*b))
    };
    let v = bits(k);
    // Is the value stored shifted into place (vlan_pcp) or as is (nw_tos's
    // DSCP bits)? Write the value right-aligned and see where it lands.
    let shift = v.trailing_zeros();
    let low = v >> shift;
    let probe_v: Vec<u8> = (0..n).rev().map(|i| (low >> (8 * i)) as u8).collect();
    let mut m2 = Match::new();
    m2.set(f, &probe_v, &ones);
    let shifted = bits(&m2.key().0) == v;
    let (shift, vmask) = if shifted || shift == 0 {
        (shift, low)
    } else {
        (0, v)
    };
    Some(FieldLoc {
        ofs: first,
        len,
        shift,
        vmask,
        port11: false,
    })
}

fn table() -> &'static Vec<Option<FieldLoc>> {
    static T: OnceLock<Vec<Option<FieldLoc>>> = OnceLock::new();
    T.get_or_init(|| {
        let all: Vec<FieldId> = FieldId::all().collect();
        let max = all.iter().map(|f| f.index()).max().unwrap_or(0);
        let mut v = vec![None; max + 1];
        for f in all {
            v[f.index()] = probe(f);
        }
        v
    })
}

pub fn loc(f: FieldId) -> Option<FieldLoc> {
    table().get(f.index()).copied().flatten()
}

fn read_raw(k: &FlowKey, l: &FieldLoc) -> u128 {
    k.0[l.ofs..l.ofs + l.len]
        .iter()
        .fold(0u128, |a, b| (a << 8) | u128::from(*b))
}

fn write_raw(k: &mut FlowKey, l: &FieldLoc, v: u128) {
    for i in 0..l.len {
        k.0[l.ofs + l.len - 1 - i] = (v >> (8 * i)) as u8;
    }
}

fn low_mask(n: u32) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

/// The whole field's value (a 32-bit OF1.1 port for in_port_oxm).
pub fn get(k: &FlowKey, f: FieldId) -> u128 {
    let Some(l) = loc(f) else { return 0 };
    let v = (read_raw(k, &l) >> l.shift) & l.vmask;
    if l.port11 {
        u128::from(openflow::port::PortNo(v as u16).to_of11())
    } else {
        v
    }
}

/// Writes `value` into the bits of `f` selected by `mask` (field-relative).
pub fn set_masked(k: &mut FlowKey, f: FieldId, value: u128, mask: u128) {
    let Some(l) = loc(f) else { return };
    let (value, mask) = if l.port11 {
        let p = openflow::port::PortNo::from_of11(value as u32)
            .map(|p| p.0)
            .unwrap_or(0);
        (u128::from(p), if mask == 0 { 0 } else { 0xffff })
    } else {
        (value, mask)
    };
    let m = (mask & l.vmask) << l.shift;
    let old = read_raw(k, &l);
    write_raw(k, &l, (old & !m) | ((value << l.shift) & m));
}

/// ORs the key bits of `f` under field-relative `mask` into `wc`.
pub fn mask_bits(wc: &mut FlowKey, f: FieldId, mask: u128) {
    let Some(l) = loc(f) else { return };
    let mask = if l.port11 && mask != 0 { 0xffff } else { mask };
    let m = (mask & l.vmask) << l.shift;
    let old = read_raw(wc, &l);
    write_raw(wc, &l, old | m);
}

/// Un-wildcards the whole field.
pub fn mask_field(wc: &mut FlowKey, f: FieldId) {
    mask_bits(wc, f, u128::MAX);
}

fn sub_mask(sf: &SubField) -> u128 {
    low_mask(u32::from(sf.n_bits)) << sf.ofs
}

/// The subfield's bits, right-aligned.
pub fn read_sub(k: &FlowKey, sf: &SubField) -> u128 {
    (get(k, sf.field) >> sf.ofs) & low_mask(u32::from(sf.n_bits))
}

/// Writes right-aligned `v` into the subfield.
pub fn write_sub(k: &mut FlowKey, sf: &SubField, v: u128) {
    set_masked(k, sf.field, v << sf.ofs, sub_mask(sf));
}

/// Un-wildcards the subfield's bits.
pub fn mask_sub(wc: &mut FlowKey, sf: &SubField) {
    mask_bits(wc, sf.field, sub_mask(sf));
}

/// Big-endian bytes to a number (at most the last 16 bytes count).
pub fn be_to_u128(b: &[u8]) -> u128 {
    b.iter().fold(0u128, |a, x| (a << 8) | u128::from(*x))
}

/// Builds an openflow `Match` equal to (key under mask), for printing with
/// the ovs-ofctl match syntax (megaflows, learned flows).
pub fn to_match(key: &FlowKey, mask: &FlowKey) -> Match {
    let mut m = Match::new();
    // Fields sharing key bits (tp_src and icmp_type, nw_tos and ip_dscp, ...)
    // are set once, through the first field that covers them.
    let mut covered = FlowKey::default();
    for f in FieldId::all() {
        if matches!(
            f,
            FieldId::DL_VLAN
                | FieldId::VLAN_PCP
                | FieldId::DL_VLAN_PCP
                | FieldId::VLAN_VID
                | FieldId::IN_PORT_OXM
        ) {
            continue;
        }
        let Some(l) = loc(f) else { continue };
        let fm = (read_raw(mask, &l) >> l.shift) & l.vmask;
        if fm == 0 {
            continue;
        }
        let field_bits = l.vmask << l.shift;
        if read_raw(&covered, &l) & field_bits != 0 {
            continue;
        }
        let c = read_raw(&covered, &l) | field_bits;
        write_raw(&mut covered, &l, c);
        let fv = get(key, f) & fm;
        let n = f.n_bytes();
        let to_bytes =
            |x: u128| -> Vec<u8> { (0..n).rev().map(|i| (x >> (8 * i)) as u8).collect() };
        if f == FieldId::PACKET_TYPE {
            m.set_packet_type(&to_bytes(fv));
            continue;
        }
        m.set(f, &to_bytes(fv), &to_bytes(fm));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_and_headers_round_trip() {
        let mut k = FlowKey::default();
        let reg1 = FieldId::reg(1).unwrap();
        set_masked(&mut k, reg1, 0x1234_5678, u128::MAX);
        assert_eq!(get(&k, reg1), 0x1234_5678);
        assert_eq!(k.u32(key::REGS.sub(4, 4)), 0x1234_5678);
        write_sub(
            &mut k,
            &SubField {
                field: reg1,
                ofs: 4,
                n_bits: 8,
            },
            0xab,
        );
        assert_eq!(get(&k, reg1), 0x1234_5ab8);
        set_masked(&mut k, FieldId::VLAN_VID, 0x1005, u128::MAX);
        assert_eq!(k.u16(key::VLAN_TCI), 0x1005);
        set_masked(&mut k, FieldId::VLAN_PCP, 3, u128::MAX);
        assert_eq!(k.u16(key::VLAN_TCI), 0x7005);
        set_masked(&mut k, FieldId::ETH_DST, 0x0102_0304_0506, u128::MAX);
        assert_eq!(k.get(key::DL_DST), &[1, 2, 3, 4, 5, 6]);
        let xx = FieldId::xxreg(0).unwrap();
        set_masked(&mut k, xx, u128::MAX, u128::MAX);
        assert_eq!(get(&k, xx), u128::MAX);
    }

    #[test]
    fn to_match_prints_like_ofctl() {
        let mut k = FlowKey::default();
        let mut m = FlowKey::default();
        k.set_uint(key::IN_PORT, 1);
        m.set_uint(key::IN_PORT, 0xffff);
        k.set_uint(key::DL_TYPE, 0x0800);
        m.set_uint(key::DL_TYPE, 0xffff);
        k.set_uint(key::NW_SRC, 0x0a000001);
        m.set_uint(key::NW_SRC, 0xffffff00);
        let text = to_match(&k, &m).format(32768, None);
        assert_eq!(text, "ip,in_port=1,nw_src=10.0.0.0/24");
    }
}
