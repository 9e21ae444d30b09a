//! Port descriptions: the `ofp_phy_port` (OF1.0, 48 bytes), `ofp_port`
//! (OF1.1-1.3, 64 bytes) and OF1.4+ `ofp_port` (40 bytes plus Ethernet and
//! optical properties) codecs shared by the features reply, port status and
//! the port-description multipart reply, and their `ovs-ofctl show` text.
//!
//! Fields are kept in one version-independent form: config bits in the OF1.0
//! layout (OF1.1+ uses a subset of the same bit positions), state as
//! LINK_DOWN/BLOCKED/LIVE plus OF1.0's STP state, features in the OF1.1+
//! layout, speeds in kbps (for OF1.0 derived from the feature bits, as the
//! reference does).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::port::{PortMap, PortNo};
use crate::version::Version;

// Config bits (OF1.0 positions; OF1.1+ has only those in CONFIG_OF11).
pub const PC_PORT_DOWN: u32 = 1 << 0;
pub const PC_NO_STP: u32 = 1 << 1;
pub const PC_NO_RECV: u32 = 1 << 2;
pub const PC_NO_RECV_STP: u32 = 1 << 3;
pub const PC_NO_FLOOD: u32 = 1 << 4;
pub const PC_NO_FWD: u32 = 1 << 5;
pub const PC_NO_PACKET_IN: u32 = 1 << 6;
const CONFIG_OF10: u32 = 0x7f;
const CONFIG_OF11: u32 = PC_PORT_DOWN | PC_NO_RECV | PC_NO_FWD | PC_NO_PACKET_IN;
const CONFIG_NAMES: [(u32, &str); 7] = [
    (PC_PORT_DOWN, "PORT_DOWN"),
    (PC_NO_STP, "NO_STP"),
    (PC_NO_RECV, "NO_RECV"),
    (PC_NO_RECV_STP, "NO_RECV_STP"),
    (PC_NO_FLOOD, "NO_FLOOD"),
    (PC_NO_FWD, "NO_FWD"),
    (PC_NO_PACKET_IN, "NO_PACKET_IN"),
];

// State bits (OF1.1+ positions) and OF1.0's STP state field.
pub const PS_LINK_DOWN: u32 = 1 << 0;
pub const PS_BLOCKED: u32 = 1 << 1;
pub const PS_LIVE: u32 = 1 << 2;
pub const PS_STP_LISTEN: u32 = 0 << 8;
pub const PS_STP_LEARN: u32 = 1 << 8;
pub const PS_STP_FORWARD: u32 = 2 << 8;
pub const PS_STP_BLOCK: u32 = 3 << 8;
pub const PS_STP_MASK: u32 = 3 << 8;
const STATE_NAMES: [(u32, &str); 3] = [
    (PS_LINK_DOWN, "LINK_DOWN"),
    (PS_BLOCKED, "BLOCKED"),
    (PS_LIVE, "LIVE"),
];

// Feature bits, OF1.1+ layout.
pub const PF_10MB_HD: u32 = 1 << 0;
pub const PF_10MB_FD: u32 = 1 << 1;
pub const PF_100MB_HD: u32 = 1 << 2;
pub const PF_100MB_FD: u32 = 1 << 3;
pub const PF_1GB_HD: u32 = 1 << 4;
pub const PF_1GB_FD: u32 = 1 << 5;
pub const PF_10GB_FD: u32 = 1 << 6;
pub const PF_40GB_FD: u32 = 1 << 7;
pub const PF_100GB_FD: u32 = 1 << 8;
pub const PF_1TB_FD: u32 = 1 << 9;
pub const PF_OTHER: u32 = 1 << 10;
pub const PF_COPPER: u32 = 1 << 11;
pub const PF_FIBER: u32 = 1 << 12;
pub const PF_AUTONEG: u32 = 1 << 13;
pub const PF_PAUSE: u32 = 1 << 14;
pub const PF_PAUSE_ASYM: u32 = 1 << 15;
const FEATURES_OF11: u32 = 0xffff;
const FEATURE_NAMES: [&str; 16] = [
    "10MB-HD",
    "10MB-FD",
    "100MB-HD",
    "100MB-FD",
    "1GB-HD",
    "1GB-FD",
    "10GB-FD",
    "40GB-FD",
    "100GB-FD",
    "1TB-FD",
    "OTHER",
    "COPPER",
    "FIBER",
    "AUTO_NEG",
    "AUTO_PAUSE",
    "AUTO_PAUSE_ASYM",
];

/// Properties of OF1.4+ port descriptions.
const PDPT_ETHERNET: u16 = 0;
const PDPT_OPTICAL: u16 = 1;
const PDPT_EXPERIMENTER: u16 = 0xffff;

/// Length of `ofp_phy_port` / OF1.1 `ofp_port` / OF1.4 `ofp_port` header.
pub const PORT_LEN_OF10: usize = 48;
pub const PORT_LEN_OF11: usize = 64;
pub const PORT_LEN_OF14: usize = 40;

/// The OF1.4+ optical port property (kept so it survives a round trip;
/// ofp-print does not show it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Optical {
    pub supported: u32,
    pub tx_min_freq_lmda: u32,
    pub tx_max_freq_lmda: u32,
    pub tx_grid_freq_lmda: u32,
    pub rx_min_freq_lmda: u32,
    pub rx_max_freq_lmda: u32,
    pub rx_grid_freq_lmda: u32,
    pub tx_pwr_min: u16,
    pub tx_pwr_max: u16,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PortDesc {
    pub port_no: PortNo,
    pub hw_addr: [u8; 6],
    /// At most 15 printable ASCII characters (the reference stops at the
    /// first NUL or unprintable byte).
    pub name: String,
    pub config: u32,
    pub state: u32,
    pub curr: u32,
    pub advertised: u32,
    pub supported: u32,
    pub peer: u32,
    /// Current and maximum bit rate in kbps.
    pub curr_speed: u32,
    pub max_speed: u32,
    pub optical: Option<Optical>,
}

/// An OF1.1+ 32-bit port number as the reference maps it: ordinary numbers
/// below 0xff00 and everything from 0xffffff00 (reserved and "OF1.0
/// reserved-range" numbers alike) fit in 16 bits.
pub fn port_from_of11(port: u32) -> Result<PortNo, OfpError> {
    if port < 0xff00 {
        Ok(PortNo(port as u16))
    } else if port >= 0xffff_ff00 {
        Ok(PortNo((port - 0xffff_0000) as u16))
    } else {
        crate::warn::warn("ofp_port", || {
            format!(
                "port {port} is outside the supported range 0 through 65279 or 0xffffff00 through 0xffffffff"
            )
        });
        Err(OfpError::BacBadOutPort)
    }
}

/// Inverse of [`port_from_of11`].
pub fn port_to_of11(p: PortNo) -> u32 {
    if p.0 >= 0xff00 {
        u32::from(p.0) + 0xffff_0000
    } else {
        u32::from(p.0)
    }
}

fn features_from_of10(f: u32) -> u32 {
    (f & 0x7f) | ((f >> 7) & 0x1f) << 11
}

fn features_to_of10(f: u32) -> u32 {
    (f & 0x7f) | ((f >> 11) & 0x1f) << 7
}

/// The bit rate (kbps) of the fastest speed bit in `features`, 0 if none:
/// what the reference reports as an OF1.0 port's speed.
pub fn features_to_kbps(features: u32) -> u32 {
    const SPEEDS: [(u32, u32); 7] = [
        (PF_1TB_FD, 1_000_000_000),
        (PF_100GB_FD, 100_000_000),
        (PF_40GB_FD, 40_000_000),
        (PF_10GB_FD, 10_000_000),
        (PF_1GB_HD | PF_1GB_FD, 1_000_000),
        (PF_100MB_HD | PF_100MB_FD, 100_000),
        (PF_10MB_HD | PF_10MB_FD, 10_000),
    ];
    SPEEDS
        .iter()
        .find(|(bits, _)| features & bits != 0)
        .map_or(0, |(_, kbps)| *kbps)
}

fn decode_name(raw: &[u8]) -> String {
    raw.iter()
        .take(15)
        .take_while(|b| (0x20..0x7f).contains(*b))
        .map(|b| char::from(*b))
        .collect()
}

fn encode_name(name: &str, out: &mut Vec<u8>) {
    let b = name.as_bytes();
    let n = b.len().min(15);
    out.extend_from_slice(&b[..n]);
    out.put_zeros(16 - n);
}

impl PortDesc {
    /// Decodes one port description (of any length for OF1.4+, where the
    /// entry carries its own length).
    pub fn decode(v: Version, r: &mut Reader) -> Result<PortDesc, OfpError> {
        match v {
            Version::Of10 => Self::decode_of10(r),
            Version::Of11 | Version::Of12 | Version::Of13 => Self::decode_of11(r),
            Version::Of14 | Version::Of15 => Self::decode_of14(r),
        }
    }

    fn decode_of10(r: &mut Reader) -> Result<PortDesc, OfpError> {
        let port_no = PortNo(r.be16()?);
        let hw_addr = r.array()?;
        let name = decode_name(r.bytes(16)?);
        let config = r.be32()? & CONFIG_OF10;
        let state = r.be32()? & (PS_LINK_DOWN | PS_STP_MASK);
        let curr = features_from_of10(r.be32()?);
        let advertised = features_from_of10(r.be32()?);
        let supported = features_from_of10(r.be32()?);
        let peer = features_from_of10(r.be32()?);
        Ok(PortDesc {
            port_no,
            hw_addr,
            name,
            config,
            state,
            curr,
            advertised,
            supported,
            peer,
            curr_speed: features_to_kbps(curr),
            max_speed: features_to_kbps(supported),
            optical: None,
        })
    }

    fn decode_of11(r: &mut Reader) -> Result<PortDesc, OfpError> {
        let port_no = port_from_of11(r.be32()?)?;
        r.skip(4)?;
        let hw_addr = r.array()?;
        r.skip(2)?;
        let name = decode_name(r.bytes(16)?);
        Ok(PortDesc {
            port_no,
            hw_addr,
            name,
            config: r.be32()? & CONFIG_OF11,
            state: r.be32()? & (PS_LINK_DOWN | PS_BLOCKED | PS_LIVE),
            curr: r.be32()? & FEATURES_OF11,
            advertised: r.be32()? & FEATURES_OF11,
            supported: r.be32()? & FEATURES_OF11,
            peer: r.be32()? & FEATURES_OF11,
            curr_speed: r.be32()?,
            max_speed: r.be32()?,
            optical: None,
        })
    }

    fn decode_of14(r: &mut Reader) -> Result<PortDesc, OfpError> {
        let port_no = port_from_of11(r.be32()?)?;
        let len = usize::from(r.be16()?);
        if len < PORT_LEN_OF14 || len - 6 > r.remaining() {
            return Err(OfpError::BrcBadLen);
        }
        let mut p = r.sub(len - 6)?;
        p.skip(2)?;
        let hw_addr = p.array()?;
        p.skip(2)?;
        let name = decode_name(p.bytes(16)?);
        let mut d = PortDesc {
            port_no,
            hw_addr,
            name,
            config: p.be32()? & CONFIG_OF11,
            state: p.be32()? & (PS_LINK_DOWN | PS_BLOCKED | PS_LIVE),
            ..PortDesc::default()
        };
        while !p.is_empty() {
            let (ty, mut prop) = next_property(&mut p)?;
            match ty {
                PDPT_ETHERNET => {
                    if prop.remaining() != 28 {
                        return Err(OfpError::BpcBadLen);
                    }
                    prop.skip(4)?;
                    d.curr = prop.be32()? & FEATURES_OF11;
                    d.advertised = prop.be32()? & FEATURES_OF11;
                    d.supported = prop.be32()? & FEATURES_OF11;
                    d.peer = prop.be32()? & FEATURES_OF11;
                    d.curr_speed = prop.be32()?;
                    d.max_speed = prop.be32()?;
                }
                // The reference does not look inside optical properties; we
                // keep well-formed ones and ignore others as it does.
                PDPT_OPTICAL if prop.remaining() == 36 => {
                    prop.skip(4)?;
                    d.optical = Some(Optical {
                        supported: prop.be32()?,
                        tx_min_freq_lmda: prop.be32()?,
                        tx_max_freq_lmda: prop.be32()?,
                        tx_grid_freq_lmda: prop.be32()?,
                        rx_min_freq_lmda: prop.be32()?,
                        rx_max_freq_lmda: prop.be32()?,
                        rx_grid_freq_lmda: prop.be32()?,
                        tx_pwr_min: prop.be16()?,
                        tx_pwr_max: prop.be16()?,
                    });
                }
                // Unknown properties are ignored, as the reference does.
                _ => {}
            }
        }
        Ok(d)
    }

    /// Appends the wire form for version `v`.
    pub fn encode(&self, v: Version, out: &mut Vec<u8>) {
        match v {
            Version::Of10 => {
                out.put_be16(self.port_no.0);
                out.extend_from_slice(&self.hw_addr);
                encode_name(&self.name, out);
                out.put_be32(self.config & CONFIG_OF10);
                out.put_be32(self.state & (PS_LINK_DOWN | PS_STP_MASK));
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    out.put_be32(features_to_of10(f));
                }
            }
            Version::Of11 | Version::Of12 | Version::Of13 => {
                out.put_be32(port_to_of11(self.port_no));
                out.put_zeros(4);
                out.extend_from_slice(&self.hw_addr);
                out.put_zeros(2);
                encode_name(&self.name, out);
                out.put_be32(self.config & CONFIG_OF11);
                out.put_be32(self.state & 7);
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    out.put_be32(f & FEATURES_OF11);
                }
                out.put_be32(self.curr_speed);
                out.put_be32(self.max_speed);
            }
            Version::Of14 | Version::Of15 => {
                let start = out.len();
                out.put_be32(port_to_of11(self.port_no));
                out.put_be16(0); // length, patched below
                out.put_zeros(2);
                out.extend_from_slice(&self.hw_addr);
                out.put_zeros(2);
                encode_name(&self.name, out);
                out.put_be32(self.config & CONFIG_OF11);
                out.put_be32(self.state & 7);
                out.put_be16(PDPT_ETHERNET);
                out.put_be16(32);
                out.put_zeros(4);
                for f in [self.curr, self.advertised, self.supported, self.peer] {
                    out.put_be32(f & FEATURES_OF11);
                }
                out.put_be32(self.curr_speed);
                out.put_be32(self.max_speed);
                if let Some(o) = &self.optical {
                    out.put_be16(PDPT_OPTICAL);
                    out.put_be16(40);
                    out.put_zeros(4);
                    for x in [
                        o.supported,
                        o.tx_min_freq_lmda,
                        o.tx_max_freq_lmda,
                        o.tx_grid_freq_lmda,
                        o.rx_min_freq_lmda,
                        o.rx_max_freq_lmda,
                        o.rx_grid_freq_lmda,
                    ] {
                        out.put_be32(x);
                    }
                    out.put_be16(o.tx_pwr_min);
                    out.put_be16(o.tx_pwr_max);
                }
                let len = u16::try_from(out.len() - start).unwrap_or(u16::MAX);
                out.patch_be16(start + 4, len);
            }
        }
    }

    /// The `ovs-ofctl show` lines for this port: " 1(eth0): addr:..\n" and
    /// the indented config/state/features/speed lines.
    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        let _ = ports; // the reference prints the port's own name here
        let _ = write!(out, " {}({}): addr:", self.port_no, self.name);
        for (i, b) in self.hw_addr.iter().enumerate() {
            let sep = if i == 0 { "" } else { ":" };
            let _ = write!(out, "{sep}{b:02x}");
        }
        out.push('\n');
        out.push_str("     config:     ");
        format_bits(out, self.config, &CONFIG_NAMES);
        out.push('\n');
        out.push_str("     state:      ");
        let stp = match self.state & PS_STP_MASK {
            PS_STP_LEARN => "STP_LEARN",
            PS_STP_FORWARD => "STP_FORWARD",
            PS_STP_BLOCK => "STP_BLOCK",
            _ => "",
        };
        out.push_str(stp);
        let flags = self.state & 7;
        if flags != 0 || stp.is_empty() {
            format_bits(out, flags, &STATE_NAMES);
        }
        out.push('\n');
        for (label, f) in [
            ("current:    ", self.curr),
            ("advertised: ", self.advertised),
            ("supported:  ", self.supported),
            ("peer:       ", self.peer),
        ] {
            if f != 0 {
                let _ = write!(out, "     {label}");
                format_features(out, f);
                out.push('\n');
            }
        }
        let _ = writeln!(
            out,
            "     speed: {} Mbps now, {} Mbps max",
            self.curr_speed / 1000,
            self.max_speed / 1000
        );
    }
}

/// Prints the names of the set bits of `bits` separated by spaces, or "0".
fn format_bits(out: &mut String, bits: u32, names: &[(u32, &str)]) {
    let set: Vec<&str> = names
        .iter()
        .filter(|(b, _)| bits & b != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        out.push('0');
    } else {
        out.push_str(&set.join(" "));
    }
}

/// Feature names ("10MB-FD COPPER AUTO_NEG").
pub fn format_features(out: &mut String, f: u32) {
    let names: Vec<&str> = FEATURE_NAMES
        .iter()
        .enumerate()
        .filter(|(i, _)| f & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect();
    out.push_str(&names.join(" "));
}

/// Pulls one OF1.4-style property: (type, contents after the 4-byte
/// header); properties are padded to 8 bytes.
pub fn next_property<'a>(r: &mut Reader<'a>) -> Result<(u16, Reader<'a>), OfpError> {
    let ty = r.be16()?;
    let len = usize::from(r.be16()?);
    if len < 4 || len - 4 > r.remaining() {
        return Err(OfpError::BpcBadLen);
    }
    if ty == PDPT_EXPERIMENTER && len < 12 {
        return Err(OfpError::BpcBadLen);
    }
    let body = r.sub(len - 4)?;
    let pad = len.div_ceil(8) * 8 - len;
    r.skip(pad.min(r.remaining()))?;
    Ok((ty, body))
}

/// Decodes port descriptions until `r` is empty.
pub fn decode_ports(v: Version, r: &mut Reader) -> Result<Vec<PortDesc>, OfpError> {
    let mut ports = Vec::new();
    while !r.is_empty() {
        ports.push(PortDesc::decode(v, r)?);
    }
    Ok(ports)
}

/// Prints ports as `ovs-ofctl show` and ofp-print do: sorted by number.
pub fn format_ports(out: &mut String, ports: &[PortDesc], map: Option<&PortMap>) {
    let mut sorted: Vec<&PortDesc> = ports.iter().collect();
    sorted.sort_by_key(|p| p.port_no);
    for p in sorted {
        p.format(out, map);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> PortDesc {
        PortDesc {
            port_no: PortNo(3),
            hw_addr: [0xa, 0xb, 0xc, 0xd, 0xe, 0xf],
            name: "eth0".into(),
            config: PC_PORT_DOWN,
            state: PS_LINK_DOWN,
            curr: PF_10GB_FD | PF_COPPER,
            advertised: 0,
            supported: PF_10GB_FD | PF_COPPER,
            peer: 0,
            curr_speed: 10_000_000,
            max_speed: 10_000_000,
            optical: None,
        }
    }

    #[test]
    fn roundtrip_all_versions() {
        for v in Version::ALL {
            let p = sample();
            let mut out = vec![];
            p.encode(v, &mut out);
            let expect = match v {
                Version::Of10 => PORT_LEN_OF10,
                Version::Of11 | Version::Of12 | Version::Of13 => PORT_LEN_OF11,
                _ => PORT_LEN_OF14 + 32,
            };
            assert_eq!(out.len(), expect);
            let back = PortDesc::decode(v, &mut Reader::new(&out)).unwrap();
            assert_eq!(back, p, "{v:?}");
        }
    }

    #[test]
    fn show_text() {
        let mut s = String::new();
        sample().format(&mut s, None);
        assert_eq!(
            s,
            " 3(eth0): addr:0a:0b:0c:0d:0e:0f\n     config:     PORT_DOWN\n     state:      LINK_DOWN\n     current:    10GB-FD COPPER\n     supported:  10GB-FD COPPER\n     speed: 10000 Mbps now, 10000 Mbps max\n"
        );
    }
}
