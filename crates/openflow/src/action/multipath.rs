//! The `multipath` action (NXAST_MULTIPATH): hashes chosen header fields
//! and picks one of `n_links` links with a link-selection algorithm, storing
//! the link number into a field (`man ovs-actions`). Also the hash-field
//! selector shared with `bundle`.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::SubField;
use crate::flow_match::Match;
use crate::port::PortMap;
use crate::version::Version;

use super::learn::nx;

pub const NXAST_MULTIPATH: u16 = 10;

/// Which header fields feed the hash (`enum nx_hash_fields` on the wire).
/// `Unknown` keeps a value only `bundle_load` lets through (the reference
/// accepts it there and prints `<unknown>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashFields {
    EthSrc,
    SymmetricL4,
    SymmetricL3L4,
    SymmetricL3L4Udp,
    NwSrc,
    NwDst,
    SymmetricL3,
    Unknown(u16),
}

impl HashFields {
    const KNOWN: [HashFields; 7] = [
        HashFields::EthSrc,
        HashFields::SymmetricL4,
        HashFields::SymmetricL3L4,
        HashFields::SymmetricL3L4Udp,
        HashFields::NwSrc,
        HashFields::NwDst,
        HashFields::SymmetricL3,
    ];

    pub fn from_wire(v: u16) -> HashFields {
        HashFields::KNOWN
            .get(usize::from(v))
            .copied()
            .unwrap_or(HashFields::Unknown(v))
    }

    pub fn to_wire(self) -> u16 {
        match self {
            HashFields::Unknown(v) => v,
            known => HashFields::KNOWN
                .iter()
                .position(|k| *k == known)
                .unwrap_or(0) as u16,
        }
    }

    pub fn is_known(self) -> bool {
        !matches!(self, HashFields::Unknown(_))
    }

    pub fn name(self) -> &'static str {
        match self {
            HashFields::EthSrc => "eth_src",
            HashFields::SymmetricL4 => "symmetric_l4",
            HashFields::SymmetricL3L4 => "symmetric_l3l4",
            HashFields::SymmetricL3L4Udp => "symmetric_l3l4+udp",
            HashFields::NwSrc => "nw_src",
            HashFields::NwDst => "nw_dst",
            HashFields::SymmetricL3 => "symmetric_l3",
            HashFields::Unknown(_) => "<unknown>",
        }
    }

    /// By name, ignoring case as the reference does.
    pub fn parse(s: &str) -> Option<HashFields> {
        HashFields::KNOWN
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s))
    }
}

/// Link-selection algorithm (`enum nx_mp_algorithm`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MultipathAlgorithm {
    ModuloN = 0,
    HashThreshold = 1,
    Hrw = 2,
    IterHash = 3,
}

impl MultipathAlgorithm {
    const ALL: [MultipathAlgorithm; 4] = [
        MultipathAlgorithm::ModuloN,
        MultipathAlgorithm::HashThreshold,
        MultipathAlgorithm::Hrw,
        MultipathAlgorithm::IterHash,
    ];

    pub fn name(self) -> &'static str {
        match self {
            MultipathAlgorithm::ModuloN => "modulo_n",
            MultipathAlgorithm::HashThreshold => "hash_threshold",
            MultipathAlgorithm::Hrw => "hrw",
            MultipathAlgorithm::IterHash => "iter_hash",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Multipath {
    pub fields: HashFields,
    pub basis: u16,
    pub algorithm: MultipathAlgorithm,
    /// Number of links minus 1.
    pub max_link: u16,
    /// Algorithm parameter (only iter_hash uses it).
    pub arg: u32,
    pub dst: SubField,
}

impl Multipath {
    pub fn decode_nx(subtype: u16, body: &mut Reader, _v: Version) -> Result<Multipath, OfpError> {
        if subtype != NXAST_MULTIPATH {
            return Err(OfpError::BacBadExpType);
        }
        if nx::action_len(body) != 32 {
            return Err(OfpError::BacBadLen);
        }
        let fields = body.be16()?;
        let basis = body.be16()?;
        body.skip(2)?;
        let algorithm = body.be16()?;
        let max_link = body.be16()?;
        let arg = body.be32()?;
        body.skip(2)?;
        let ofs_nbits = body.be16()?;
        let dst = nx::subfield32(ofs_nbits, body.be32()?);
        // The reference's order: the destination's field, the hash fields,
        // the algorithm, room for every link, then the destination's bits.
        let dst = dst.ok_or(OfpError::BacBadSetType)?;
        let fields = HashFields::from_wire(fields);
        if !fields.is_known() {
            return Err(OfpError::BacBadArgument);
        }
        let algorithm = MultipathAlgorithm::ALL
            .get(usize::from(algorithm))
            .copied()
            .ok_or(OfpError::BacBadArgument)?;
        if dst.n_bits < 32 && u32::from(max_link) >= 1u32 << dst.n_bits {
            return Err(OfpError::BacBadArgument);
        }
        nx::check_dst(&dst)?;
        Ok(Multipath {
            fields,
            basis,
            algorithm,
            max_link,
            arg,
            dst,
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, _v: Version) {
        let start = nx::start(out, NXAST_MULTIPATH);
        out.put_be16(self.fields.to_wire());
        out.put_be16(self.basis);
        out.put_zeros(2);
        out.put_be16(self.algorithm as u16);
        out.put_be16(self.max_link);
        out.put_be32(self.arg);
        out.put_zeros(2);
        out.put_be16(nx::ofs_nbits(&self.dst));
        out.put_be32(nx::header32(self.dst.field));
        nx::finish(out, start);
    }

    /// Parses `fields,basis,algorithm,n_links,arg,dst`. Numbers go through C
    /// `atoi` in the reference, so garbage reads as 0 and big values wrap.
    pub fn parse(
        _keyword: &str,
        args: &str,
        _ports: Option<&PortMap>,
    ) -> Result<Multipath, String> {
        let words: Vec<&str> = args.split([',', ' ']).filter(|w| !w.is_empty()).collect();
        let [fields, basis, algorithm, n_links, arg, dst, ..] = words[..] else {
            return Err(format!("{args}: not enough arguments to multipath action"));
        };
        let fields = HashFields::parse(fields)
            .ok_or_else(|| format!("{args}: unknown fields `{fields}'"))?;
        let algorithm = MultipathAlgorithm::ALL
            .into_iter()
            .find(|a| a.name().eq_ignore_ascii_case(algorithm))
            .ok_or_else(|| format!("{args}: unknown algorithm `{algorithm}'"))?;
        let n_links = nx::atoi(n_links);
        if !(1..=65536).contains(&n_links) {
            return Err(format!(
                "{args}: n_links {n_links} is not in valid range 1 to 65536"
            ));
        }
        let dst = SubField::parse(dst)?;
        if !nx::has_header32(dst.field) {
            return Err(format!(
                "{args}: experimenter OXM field '{}' not supported",
                dst.field.name()
            ));
        }
        let max_link = (n_links - 1) as u32;
        if u32::from(dst.n_bits) < 32 && max_link >= 1u32 << dst.n_bits {
            return Err(format!(
                "{args}: {}-bit destination field has {} possible values, less than specified n_links {n_links}",
                dst.n_bits,
                1u32 << dst.n_bits
            ));
        }
        Ok(Multipath {
            fields,
            basis: nx::atoi(basis) as u16,
            algorithm,
            max_link: max_link as u16,
            arg: nx::atoi(arg) as u32,
            dst,
        })
    }

    /// Checks the destination against `flow`, the match the action runs
    /// under (its prerequisites must hold there).
    pub fn check(&self, flow: &Match) -> Result<(), OfpError> {
        nx::check_dst_in(&self.dst, flow)
    }

    pub fn format(&self, out: &mut String, _ports: Option<&PortMap>) {
        out.push_str(&format!(
            "multipath({},{},{},{},{},{})",
            self.fields.name(),
            self.basis,
            self.algorithm.name(),
            u32::from(self.max_link) + 1,
            self.arg,
            self.dst
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_layout() {
        let m = Multipath::parse(
            "multipath",
            "symmetric_l4,1024,iter_hash,5000,5050,reg0[0..12]",
            None,
        )
        .unwrap();
        let mut w = vec![];
        m.encode_nx(&mut w, Version::Of10);
        // As the reference encodes it (ovs-ofctl -mmmmm parse-flow).
        let want = "ffff0020 00002320 000a 0001 0400 0000 0003 1387 000013ba 0000 000c 00010004";
        let want: String = want.split_whitespace().collect();
        let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, want);
        let d = Multipath::decode_nx(NXAST_MULTIPATH, &mut Reader::new(&w[10..]), Version::Of10);
        assert_eq!(d, Ok(m));
    }

    #[test]
    fn parse_quirks() {
        let p = |s| Multipath::parse("multipath", s, None);
        let m = p("eth_src,70000,modulo_n,5,-1,reg0[]").unwrap();
        assert_eq!((m.basis, m.arg, m.max_link), (4464, u32::MAX, 4));
        assert_eq!(
            p("eth_src,50,modulo_n,1,0").unwrap_err(),
            "eth_src,50,modulo_n,1,0: not enough arguments to multipath action"
        );
        assert_eq!(
            p("eth_src,50,modulo_n,5,0,reg0[0..1]").unwrap_err(),
            "eth_src,50,modulo_n,5,0,reg0[0..1]: 2-bit destination field has 4 possible values, less than specified n_links 5"
        );
        assert!(p("eth_src,50,modulo_n,65536,0,reg0").is_ok());
    }
}
