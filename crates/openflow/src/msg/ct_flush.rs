//! NXT_CT_FLUSH: flush connection-tracking entries, optionally only those
//! of one zone and matching an original- and/or reply-direction tuple.
//!
//! The body is an IP protocol byte, 7 zero bytes, then properties: the
//! zone (a 16-bit value) and the two tuples, each a property holding nested
//! properties (source and destination address, always 16 bytes with IPv4
//! as IPv4-mapped IPv6; ports, or ICMP id, type and code). Absent fields are
//! zero. The layout and the checks (a tuple mixing IPv4 and IPv6 addresses
//! is OFPBPC_BAD_VALUE) were established against `ovs-ofctl ofp-print` and
//! what `ovs-ofctl ct-flush` sends.

use std::fmt::Write;
use std::net::{Ipv4Addr, Ipv6Addr};

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::prop;

// Property types of the body and of the tuples nested in it.
const PROP_ORIG: u16 = 0;
const PROP_REPLY: u16 = 1;
const PROP_ZONE: u16 = 2;
const TUPLE_SRC: u16 = 0;
const TUPLE_DST: u16 = 1;
const TUPLE_SRC_PORT: u16 = 2;
const TUPLE_DST_PORT: u16 = 3;
const TUPLE_ICMP_ID: u16 = 4;
const TUPLE_ICMP_TYPE: u16 = 5;
const TUPLE_ICMP_CODE: u16 = 6;

const IPPROTO_ICMP: u8 = 1;
const IPPROTO_ICMPV6: u8 = 58;

/// One direction's tuple. For ICMP the ports' places hold the ICMP id
/// (`src_port`) and type and code (`dst_port`: code in the high byte, type
/// in the low one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtTuple {
    /// IPv6, or IPv4-mapped IPv6 (`::ffff:a.b.c.d`); all zeros = any.
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub src_port: u16,
    pub dst_port: u16,
}

impl CtTuple {
    pub fn is_zero(&self) -> bool {
        *self == CtTuple::default()
    }

    pub fn icmp_id(&self) -> u16 {
        self.src_port
    }

    pub fn icmp_type(&self) -> u8 {
        self.dst_port.to_be_bytes()[1]
    }

    pub fn icmp_code(&self) -> u8 {
        self.dst_port.to_be_bytes()[0]
    }

    pub fn set_icmp(&mut self, id: u16, icmp_type: u8, code: u8) {
        self.src_port = id;
        self.dst_port = u16::from_be_bytes([code, icmp_type]);
    }

    /// Applies the nested properties in `r` (later ones override earlier).
    fn decode_into(&mut self, r: &mut Reader) -> Result<(), OfpError> {
        while !r.is_empty() {
            let Some((ty, mut p)) = prop::pull_loose(r)? else {
                continue;
            };
            match ty {
                TUPLE_SRC => self.src = prop::prefix::<16>(&mut p)?,
                TUPLE_DST => self.dst = prop::prefix::<16>(&mut p)?,
                TUPLE_SRC_PORT | TUPLE_ICMP_ID => {
                    self.src_port = u16::from_be_bytes(prop::prefix::<2>(&mut p)?);
                }
                TUPLE_DST_PORT => {
                    self.dst_port = u16::from_be_bytes(prop::prefix::<2>(&mut p)?);
                }
                TUPLE_ICMP_TYPE => {
                    let [t] = prop::prefix::<1>(&mut p)?;
                    self.dst_port = self.dst_port & 0xff00 | u16::from(t);
                }
                TUPLE_ICMP_CODE => {
                    let [c] = prop::prefix::<1>(&mut p)?;
                    self.dst_port = self.dst_port & 0x00ff | u16::from(c) << 8;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The nested properties, as the reference writes them: nonzero
    /// addresses; for ICMP always id, type and code, otherwise nonzero ports.
    fn encode(&self, ip_proto: u8, out: &mut Vec<u8>) {
        if self.src != [0; 16] {
            prop::put(out, TUPLE_SRC, &self.src);
        }
        if self.dst != [0; 16] {
            prop::put(out, TUPLE_DST, &self.dst);
        }
        if is_icmp(ip_proto) {
            prop::put_u16(out, TUPLE_ICMP_ID, self.icmp_id());
            prop::put(out, TUPLE_ICMP_TYPE, &[self.icmp_type()]);
            prop::put(out, TUPLE_ICMP_CODE, &[self.icmp_code()]);
        } else {
            if self.src_port != 0 {
                prop::put_u16(out, TUPLE_SRC_PORT, self.src_port);
            }
            if self.dst_port != 0 {
                prop::put_u16(out, TUPLE_DST_PORT, self.dst_port);
            }
        }
    }

    fn format(&self, out: &mut String, ip_proto: u8, ipv4: bool) {
        let pfx = if ipv4 { "ct_nw" } else { "ct_ipv6" };
        let _ = write!(
            out,
            "{pfx}_src={},{pfx}_dst={}",
            format_addr(self.src),
            format_addr(self.dst)
        );
        if is_icmp(ip_proto) {
            let _ = write!(
                out,
                ",icmp_id={},icmp_type={},icmp_code={}",
                self.icmp_id(),
                self.icmp_type(),
                self.icmp_code()
            );
        } else {
            let _ = write!(
                out,
                ",ct_tp_src={},ct_tp_dst={}",
                self.src_port, self.dst_port
            );
        }
    }
}

fn is_icmp(ip_proto: u8) -> bool {
    ip_proto == IPPROTO_ICMP || ip_proto == IPPROTO_ICMPV6
}

/// Whether a 16-byte address is IPv4-mapped (`::ffff:a.b.c.d`).
fn is_v4_mapped(a: &[u8; 16]) -> bool {
    a[..10] == [0; 10] && a[10..12] == [0xff, 0xff]
}

fn format_addr(a: [u8; 16]) -> String {
    if is_v4_mapped(&a) {
        Ipv4Addr::new(a[12], a[13], a[14], a[15]).to_string()
    } else {
        crate::field::format_ipv6(Ipv6Addr::from(a))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CtFlush {
    /// The zone; None when not given (which means zone 0).
    pub zone: Option<u16>,
    /// The IP protocol the tuples are of (0 = any).
    pub ip_proto: u8,
    pub orig: CtTuple,
    pub reply: CtTuple,
}

impl CtFlush {
    /// Decodes the body after the Nicira header.
    pub fn decode(body: &mut Reader) -> Result<CtFlush, OfpError> {
        let ip_proto = body.u8()?;
        if body.bytes(7)? != [0; 7] {
            return Err(OfpError::NxbrcMustBeZero);
        }
        let mut f = CtFlush {
            ip_proto,
            ..CtFlush::default()
        };
        while !body.is_empty() {
            let Some((ty, mut p)) = prop::pull_loose(body)? else {
                continue;
            };
            match ty {
                PROP_ORIG => f.orig.decode_into(&mut prop::nested(p)?)?,
                PROP_REPLY => f.reply.decode_into(&mut prop::nested(p)?)?,
                PROP_ZONE => f.zone = Some(u16::from_be_bytes(prop::prefix::<2>(&mut p)?)),
                _ => {}
            }
        }
        f.is_ipv4()?;
        Ok(f)
    }

    /// Whether the addresses are IPv4 (some address is IPv4-mapped) or
    /// IPv6; OFPBPC_BAD_VALUE when both kinds appear. All-zero addresses
    /// count as neither.
    fn is_ipv4(&self) -> Result<bool, OfpError> {
        let addrs = [self.orig.src, self.orig.dst, self.reply.src, self.reply.dst];
        let nonzero = addrs.iter().filter(|a| **a != [0; 16]);
        let v4 = nonzero.clone().filter(|a| is_v4_mapped(a)).count();
        let v6 = nonzero.count() - v4;
        if v4 > 0 && v6 > 0 {
            return Err(OfpError::BpcBadValue);
        }
        Ok(v4 > 0)
    }

    /// Appends the body (after the Nicira header).
    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_u8(self.ip_proto);
        out.put_zeros(7);
        for (ty, t) in [(PROP_ORIG, &self.orig), (PROP_REPLY, &self.reply)] {
            if !t.is_zero() {
                let mut inner = Vec::new();
                t.encode(self.ip_proto, &mut inner);
                prop::put_nested(out, ty, &inner);
            }
        }
        if let Some(z) = self.zone {
            prop::put_u16(out, PROP_ZONE, z);
        }
    }

    /// " zone=0 'orig tuple,ct_nw_proto=6' 'reply tuple'".
    pub fn format(&self, out: &mut String) {
        let ipv4 = self.is_ipv4().unwrap_or(false);
        let _ = write!(out, " zone={} '", self.zone.unwrap_or(0));
        self.orig.format(out, self.ip_proto, ipv4);
        let _ = write!(out, ",ct_nw_proto={}' '", self.ip_proto);
        self.reply.format(out, self.ip_proto, ipv4);
        out.push('\'');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: [u8; 4]) -> [u8; 16] {
        let mut m = [0u8; 16];
        m[10] = 0xff;
        m[11] = 0xff;
        m[12..].copy_from_slice(&a);
        m
    }

    #[test]
    fn round_trip_and_text() {
        let mut f = CtFlush {
            zone: Some(5),
            ip_proto: 1,
            ..CtFlush::default()
        };
        f.orig.src = v4([10, 0, 0, 1]);
        f.orig.set_icmp(10, 8, 3);
        let mut b = Vec::new();
        f.encode_body(&mut b);
        assert_eq!(CtFlush::decode(&mut Reader::new(&b)), Ok(f));
        let mut s = String::new();
        f.format(&mut s);
        assert_eq!(
            s,
            " zone=5 'ct_nw_src=10.0.0.1,ct_nw_dst=::,icmp_id=10,icmp_type=8,icmp_code=3,\
             ct_nw_proto=1' 'ct_nw_src=::,ct_nw_dst=::,icmp_id=0,icmp_type=0,icmp_code=0'"
        );
        // IPv6 in the reply direction with IPv4 in the original one.
        f.reply.dst = [0xfe; 16];
        let mut b = Vec::new();
        f.encode_body(&mut b);
        assert_eq!(
            CtFlush::decode(&mut Reader::new(&b)),
            Err(OfpError::BpcBadValue)
        );
    }
}
