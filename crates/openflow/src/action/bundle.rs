//! The `bundle` and `bundle_load` actions (NXAST_BUNDLE, NXAST_BUNDLE_LOAD):
//! choose a live member port from a list by hashing header fields; `bundle`
//! outputs to it, `bundle_load` stores its number in a field
//! (`man ovs-actions`).

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::SubField;
use crate::flow_match::Match;
use crate::port::{PortMap, PortNo};
use crate::version::Version;

use super::learn::nx;
use super::multipath::HashFields;

pub const NXAST_BUNDLE: u16 = 12;
pub const NXAST_BUNDLE_LOAD: u16 = 13;

/// The member type on the wire: always "OpenFlow port", named by the
/// NXM_OF_IN_PORT header.
const MEMBER_TYPE_OFPORT: u32 = 0x0000_0002;

/// Member-selection algorithm. `Unknown` keeps a value only `bundle_load`
/// lets through (the reference accepts it there and prints `<unknown>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BundleAlgorithm {
    /// The first live member.
    ActiveBackup,
    /// Highest random weight.
    Hrw,
    Unknown(u16),
}

impl BundleAlgorithm {
    pub fn from_wire(v: u16) -> BundleAlgorithm {
        match v {
            0 => BundleAlgorithm::ActiveBackup,
            1 => BundleAlgorithm::Hrw,
            v => BundleAlgorithm::Unknown(v),
        }
    }

    pub fn to_wire(self) -> u16 {
        match self {
            BundleAlgorithm::ActiveBackup => 0,
            BundleAlgorithm::Hrw => 1,
            BundleAlgorithm::Unknown(v) => v,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BundleAlgorithm::ActiveBackup => "active_backup",
            BundleAlgorithm::Hrw => "hrw",
            BundleAlgorithm::Unknown(_) => "<unknown>",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bundle {
    pub algorithm: BundleAlgorithm,
    pub fields: HashFields,
    pub basis: u16,
    pub members: Vec<PortNo>,
    /// `Some` for `bundle_load`: where the chosen port number goes.
    pub dst: Option<SubField>,
}

/// Whether `port` may be a bundle member: an ordinary port, a reserved one
/// from IN_PORT up, or ANY (the reference's own check).
fn member_ok(port: PortNo) -> bool {
    port.0 < PortNo::MAX.0 || port.0 >= PortNo::IN_PORT.0
}

/// C `strtok_r`: skips leading `delims`, returns the token up to the next one.
fn strtok<'a>(s: &mut &'a str, delims: &[char]) -> Option<&'a str> {
    let rest = s.trim_start_matches(delims);
    if rest.is_empty() {
        *s = rest;
        return None;
    }
    let end = rest.find(delims).unwrap_or(rest.len());
    let token = &rest[..end];
    *s = rest.get(end + 1..).unwrap_or("");
    Some(token)
}

impl Bundle {
    /// Decodes with the reference's quirks, which come from the order it
    /// records errors in: for `bundle_load`, a successful destination lookup
    /// forgets earlier problems with the fields, algorithm, member type and
    /// padding, so such actions are accepted.
    pub fn decode_nx(subtype: u16, body: &mut Reader, _v: Version) -> Result<Bundle, OfpError> {
        let load = match subtype {
            NXAST_BUNDLE => false,
            NXAST_BUNDLE_LOAD => true,
            _ => return Err(OfpError::BacBadExpType),
        };
        if nx::action_len(body) < 32 {
            return Err(OfpError::BacBadLen);
        }
        let algorithm = BundleAlgorithm::from_wire(body.be16()?);
        let fields = HashFields::from_wire(body.be16()?);
        let basis = body.be16()?;
        let member_type = body.be32()?;
        let n_members = body.be16()?;
        let ofs_nbits = body.be16()?;
        let dst_header = body.be32()?;
        let reserved = body.be32()?;

        let mut error = None;
        if !fields.is_known()
            || matches!(algorithm, BundleAlgorithm::Unknown(_))
            || member_type != MEMBER_TYPE_OFPORT
            || reserved != 0
        {
            error = Some(OfpError::BacBadArgument);
        }
        // The reference's notes on the two plain mistakes.
        if member_type != MEMBER_TYPE_OFPORT {
            crate::warn::warn("ofp_actions", || {
                format!("unsupported member type {member_type}")
            });
        }
        if reserved != 0 {
            crate::warn::warn("ofp_actions", || "reserved field is nonzero".to_string());
        }
        let dst = if load {
            let dst = nx::subfield32(ofs_nbits, dst_header).ok_or(OfpError::BacBadSetType)?;
            error = (dst.n_bits < 16).then_some(OfpError::BacBadArgument);
            Some(dst)
        } else {
            if ofs_nbits != 0 || dst_header != 0 {
                crate::warn::warn("ofp_actions", || {
                    "bundle action has nonzero reserved fields".to_string()
                });
                error = Some(OfpError::BacBadArgument);
            }
            None
        };
        if usize::from(n_members) * 2 > body.remaining() {
            return Err(OfpError::BacBadLen);
        }
        let members: Vec<PortNo> = (0..n_members)
            .map(|_| body.be16().map(PortNo))
            .collect::<Result<_, _>>()?;
        if let Some(e) = error {
            return Err(e);
        }
        if let Some(dst) = &dst {
            nx::check_dst(dst)?;
        }
        if !members.iter().all(|p| member_ok(*p)) {
            return Err(OfpError::BacBadOutPort);
        }
        Ok(Bundle {
            algorithm,
            fields,
            basis,
            members,
            dst,
        })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, _v: Version) {
        let subtype = if self.dst.is_some() {
            NXAST_BUNDLE_LOAD
        } else {
            NXAST_BUNDLE
        };
        let start = nx::start(out, subtype);
        out.put_be16(self.algorithm.to_wire());
        out.put_be16(self.fields.to_wire());
        out.put_be16(self.basis);
        out.put_be32(MEMBER_TYPE_OFPORT);
        out.put_be16(self.members.len() as u16);
        match &self.dst {
            Some(dst) => {
                out.put_be16(nx::ofs_nbits(dst));
                out.put_be32(nx::header32(dst.field));
            }
            None => out.put_zeros(6),
        }
        out.put_zeros(4);
        for p in &self.members {
            out.put_be16(p.0);
        }
        nx::finish(out, start);
    }

    /// Parses `fields,basis,algorithm,ofport[,dst],members:port...`;
    /// `keyword` ("bundle" or "bundle_load") says whether `dst` is present.
    pub fn parse(keyword: &str, args: &str, ports: Option<&PortMap>) -> Result<Bundle, String> {
        let load = keyword.eq_ignore_ascii_case("bundle_load");
        let sep = &[',', ' '][..];
        let mut rest = args;
        let fields = strtok(&mut rest, sep);
        let basis = strtok(&mut rest, sep);
        let algorithm = strtok(&mut rest, sep);
        let member_type = strtok(&mut rest, sep);
        let dst = if load {
            strtok(&mut rest, sep)
        } else {
            Some("")
        };
        let delim = strtok(&mut rest, &[':', ' ']);
        let (Some(fields), Some(basis), Some(algorithm), Some(member_type), Some(dst), Some(delim)) =
            (fields, basis, algorithm, member_type, dst, delim)
        else {
            return Err(format!("{args}: not enough arguments to bundle action"));
        };
        // Keywords are case-insensitive in the reference.
        let is = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        if !is(delim, "members") && !is(delim, "slaves") {
            return Err(format!(
                "{args}: missing member delimiter, expected `members', got `{delim}'"
            ));
        }
        // The reference reads the members before it checks anything else.
        let mut members = vec![];
        // Brackets may group the members: `members:[1,2]`.
        while let Some(p) = strtok(&mut rest, &[',', ' ', '[', ']']) {
            members.push(nx::parse_port(p, ports).ok_or_else(|| format!("{p}: bad port number"))?);
        }
        let fields = HashFields::parse(fields)
            .ok_or_else(|| format!("{args}: unknown fields `{fields}'"))?;
        let algorithm = if is(algorithm, "active_backup") {
            BundleAlgorithm::ActiveBackup
        } else if is(algorithm, "hrw") {
            BundleAlgorithm::Hrw
        } else {
            return Err(format!("{args}: unknown algorithm `{algorithm}'"));
        };
        if !is(member_type, "ofport") {
            return Err(format!("{args}: unknown member_type `{member_type}'"));
        }
        let dst = if load {
            let sf = SubField::parse(dst)?;
            if !nx::has_header32(sf.field) {
                return Err(format!(
                    "{args}: experimenter OXM field '{}' not supported",
                    sf.field.name()
                ));
            }
            Some(sf)
        } else {
            None
        };
        Ok(Bundle {
            algorithm,
            fields,
            basis: nx::atoi(basis) as u16,
            members,
            dst,
        })
    }

    /// Checks `bundle_load`'s destination against `flow`, the match the
    /// action runs under (its prerequisites must hold there).
    pub fn check(&self, flow: &Match) -> Result<(), OfpError> {
        match &self.dst {
            Some(dst) => nx::check_dst_in(dst, flow),
            None => Ok(()),
        }
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        out.push_str(if self.dst.is_some() {
            "bundle_load("
        } else {
            "bundle("
        });
        out.push_str(&format!(
            "{},{},{},ofport,",
            self.fields.name(),
            self.basis,
            self.algorithm.name()
        ));
        if let Some(dst) = &self.dst {
            out.push_str(&format!("{dst},"));
        }
        out.push_str("members:");
        for (i, p) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            nx::format_port(out, *p, ports);
        }
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(w: &[u8]) -> String {
        w.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn bundle_wire_and_text() {
        let b = Bundle::parse("bundle", "eth_src,0,hrw,ofport,members:4,8", None).unwrap();
        let mut w = vec![];
        b.encode_nx(&mut w, Version::Of10);
        // As the reference encodes it (ovs-ofctl -mmmmm parse-flow).
        assert_eq!(
            hex(&w),
            "ffff002800002320000c000100000000000000020002000000000000000000000004000800000000"
        );
        assert_eq!(
            Bundle::decode_nx(NXAST_BUNDLE, &mut Reader::new(&w[10..]), Version::Of10),
            Ok(b.clone())
        );
        let mut s = String::new();
        b.format(&mut s, None);
        assert_eq!(s, "bundle(eth_src,0,hrw,ofport,members:4,8)");
    }

    #[test]
    fn port_names() {
        let mut ports = PortMap::new();
        ports.insert("eth0", PortNo(4));
        ports.insert("br-x", PortNo(8));
        let b = Bundle::parse(
            "bundle",
            "eth_src,0,hrw,ofport,members:eth0,\"br-x\",9",
            Some(&ports),
        )
        .unwrap();
        assert_eq!(b.members, [PortNo(4), PortNo(8), PortNo(9)]);
        let mut s = String::new();
        b.format(&mut s, Some(&ports));
        assert_eq!(s, "bundle(eth_src,0,hrw,ofport,members:eth0,\"br-x\",9)");
    }

    #[test]
    fn parse_errors() {
        let p = |k, s| Bundle::parse(k, s, None).unwrap_err();
        assert_eq!(
            p("bundle", "eth_src,0,hrw,ofport"),
            "eth_src,0,hrw,ofport: not enough arguments to bundle action"
        );
        assert_eq!(
            p("bundle", "foo,0,bar,baz,qux:1"),
            "foo,0,bar,baz,qux:1: missing member delimiter, expected `members', got `qux'"
        );
        assert_eq!(
            p("bundle", "eth_src,0,hrw,ofport,members:1,foo"),
            "foo: bad port number"
        );
        let ok = Bundle::parse("bundle", "eth_src,0,hrw,ofport members 1 2", None).unwrap();
        assert_eq!(ok.members, [PortNo(1), PortNo(2)]);
    }
}
