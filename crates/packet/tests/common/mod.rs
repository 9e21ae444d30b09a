//! Shared test helpers: a deterministic random flow-key generator whose
//! keys compose and extract back exactly, and hand-made edge-case frames.
#![allow(dead_code)]

pub mod frames;
pub mod oracle;
pub mod verify;

use openflow::flow_match::key::{self, FlowKey};

/// xorshift64*: small, deterministic, good enough for test inputs.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0 | 1;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn fill(&mut self, b: &mut [u8]) {
        for x in b {
            *x = self.next() as u8;
        }
    }
    pub fn pick<T: Copy>(&mut self, v: &[T]) -> T {
        v[self.below(v.len() as u64) as usize]
    }
}

/// compose() with the SCTP CRC filled in (the reference, and so compose,
/// leaves it zero), for tests that check every checksum.
pub fn compose_valid(k: &FlowKey) -> Vec<u8> {
    let mut f = packet::compose(k);
    let lay = packet::layout(&f);
    if lay.nw_proto == 132 && lay.nw_frag == 0 {
        if let Some(l4) = lay.l4 {
            if l4 + 12 <= lay.l3_end {
                let crc = verify::crc32c_bitwise(&f[l4..lay.l3_end]);
                f[l4 + 8..l4 + 12].copy_from_slice(&crc.to_le_bytes());
            }
        }
    }
    f
}

/// A random key over every protocol compose() supports, restricted to
/// what a frame can express (e.g. no IPv6 extension-header numbers as
/// upper-layer protocol, protocol 44 only for later fragments).
pub fn random_key(rng: &mut Rng) -> FlowKey {
    let mut k = FlowKey::default();
    rng.fill(k.get_mut(key::DL_DST));
    rng.fill(k.get_mut(key::DL_SRC));
    if rng.below(3) == 0 {
        k.set_uint(key::VLAN_TCI, (rng.next() & 0xffff) | 0x1000);
    }
    let dl_type = rng.pick(&[
        0x0800u16, 0x0800, 0x0800, 0x86dd, 0x86dd, 0x86dd, 0x0806, 0x8035, 0x8847, 0x8848, 0x05ff,
        0x894f, 0x88cc,
    ]);
    k.set_uint(key::DL_TYPE, u64::from(dl_type));
    match dl_type {
        0x0800 | 0x86dd => ip_fields(rng, &mut k, dl_type == 0x86dd),
        0x0806 | 0x8035 => {
            let any = rng.below(256);
            let op = rng.pick(&[1u64, 2, any]);
            k.set_uint(key::NW_PROTO, op);
            // Like the reference, compose() fills the addresses only for
            // requests and replies.
            if op == 1 || op == 2 {
                rng.fill(k.get_mut(key::NW_SRC));
                rng.fill(k.get_mut(key::NW_DST));
                rng.fill(k.get_mut(key::ARP_SHA));
                rng.fill(k.get_mut(key::ARP_THA));
            }
        }
        // Like the reference, compose() sends 802.3 frames untagged.
        0x05ff => k.set_uint(key::VLAN_TCI, 0),
        0x8847 | 0x8848 => rng.fill(k.get_mut(key::MPLS_LSE)),
        0x894f => {
            k.set_uint(key::NSH_FLAGS, rng.below(4));
            k.set_uint(key::NSH_TTL, rng.below(64));
            let md = rng.pick(&[1u8, 2]);
            k.set_uint(key::NSH_MDTYPE, u64::from(md));
            k.set_uint(key::NSH_NP, rng.below(256));
            k.set_uint(key::NSH_SPI, rng.below(1 << 24));
            k.set_uint(key::NSH_SI, rng.below(256));
            if md == 1 {
                rng.fill(k.get_mut(key::NSH_C));
            }
        }
        _ => {}
    }
    k
}

fn ip_fields(rng: &mut Rng, k: &mut FlowKey, v6: bool) {
    if v6 {
        rng.fill(k.get_mut(key::IPV6_SRC));
        rng.fill(k.get_mut(key::IPV6_DST));
        k.set_uint(key::IPV6_LABEL, rng.below(1 << 20));
    } else {
        rng.fill(k.get_mut(key::NW_SRC));
        rng.fill(k.get_mut(key::NW_DST));
    }
    k.set_uint(key::NW_TOS, rng.below(256));
    k.set_uint(key::NW_TTL, rng.below(256));
    // IPv6 fragments compose without a fragment header (as the
    // reference does), so they do not round-trip; only IPv4 ones here.
    let frag = if v6 { 0 } else { rng.pick(&[0u8, 0, 0, 1, 3]) };
    k.set_uint(key::NW_FRAG, u64::from(frag));
    let proto = if v6 {
        rng.pick(&[6u8, 17, 132, 58, 58, 47, 59, 89])
    } else {
        rng.pick(&[6u8, 17, 132, 1, 2, 47, 89])
    };
    if frag & 2 != 0 {
        k.set_uint(key::NW_PROTO, if v6 { 44 } else { u64::from(proto) });
        return;
    }
    k.set_uint(key::NW_PROTO, u64::from(proto));
    match proto {
        6 | 17 | 132 => {
            k.set_uint(key::TP_SRC, rng.below(65536));
            k.set_uint(key::TP_DST, rng.below(65536));
            if proto == 6 {
                k.set_uint(key::TCP_FLAGS, rng.below(0x1000));
            }
        }
        1 | 2 => {
            k.set_uint(key::TP_SRC, rng.below(256));
            k.set_uint(key::TP_DST, rng.below(256));
        }
        58 => {
            if rng.below(2) == 0 {
                let ty = rng.pick(&[135u64, 136]);
                k.set_uint(key::TP_SRC, ty);
                rng.fill(k.get_mut(key::ND_TARGET));
                k.set_uint(key::ND_RESERVED, rng.next() & 0xffff_ffff);
                if rng.below(2) == 0 {
                    rng.fill(k.get_mut(key::ARP_SHA));
                }
                if rng.below(2) == 0 {
                    rng.fill(k.get_mut(key::ARP_THA));
                }
                let opt = if k.is_zero(key::ARP_SHA) {
                    if k.is_zero(key::ARP_THA) {
                        0
                    } else {
                        2
                    }
                } else {
                    1
                };
                k.set_uint(key::ND_OPTIONS_TYPE, opt);
            } else {
                k.set_uint(key::TP_SRC, rng.below(256));
                let code = rng.below(256);
                k.set_uint(key::TP_DST, code);
                let ty = k.u16(key::TP_SRC);
                if (ty == 135 || ty == 136) && code == 0 {
                    // Would be ND; keep it an ordinary message.
                    k.set_uint(key::TP_DST, 1);
                }
            }
        }
        _ => {}
    }
}
