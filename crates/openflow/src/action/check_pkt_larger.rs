//! The `check_pkt_larger(N)->dst` action (NXAST_CHECK_PKT_LARGER): stores 1
//! in a one-bit field when the packet is longer than N bytes, else 0
//! (`man ovs-actions`).

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::field::SubField;
use crate::flow_match::Match;
use crate::port::PortMap;
use crate::version::Version;

use super::learn::nx;

pub const NXAST_CHECK_PKT_LARGER: u16 = 49;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CheckPktLarger {
    pub pkt_len: u16,
    /// Always one bit wide.
    pub dst: SubField,
}

impl CheckPktLarger {
    pub fn decode_nx(
        subtype: u16,
        body: &mut Reader,
        _v: Version,
    ) -> Result<CheckPktLarger, OfpError> {
        if subtype != NXAST_CHECK_PKT_LARGER {
            return Err(OfpError::BacBadExpType);
        }
        if nx::action_len(body) < 24 {
            return Err(OfpError::BacBadLen);
        }
        let pkt_len = body.be16()?;
        let ofs = body.be16()?;
        let field = nx::pull_header(body)?;
        if body.take_rest().iter().any(|b| *b != 0) {
            return Err(OfpError::NxbrcMustBeZero);
        }
        let dst = SubField {
            field,
            ofs,
            n_bits: 1,
        };
        nx::check_dst(&dst)?;
        Ok(CheckPktLarger { pkt_len, dst })
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, _v: Version) {
        let start = nx::start(out, NXAST_CHECK_PKT_LARGER);
        out.put_be16(self.pkt_len);
        out.put_be16(self.dst.ofs);
        nx::put_header(out, self.dst.field);
        nx::finish(out, start);
    }

    /// Parses `N)->dst` (what follows `check_pkt_larger(` when the action
    /// parser sees `->` after the parenthesis), `N->dst`, or a bare `N`
    /// (an error: the destination is missing).
    pub fn parse(
        _keyword: &str,
        args: &str,
        _ports: Option<&PortMap>,
    ) -> Result<CheckPktLarger, String> {
        let (value, dst) = super::set_field::split_arrow(args)?;
        let value = value.strip_suffix(')').unwrap_or(value);
        let dst = SubField::parse(dst)?;
        if dst.n_bits != 1 {
            return Err("Only 1-bit destination field is allowed".to_string());
        }
        // The reference names nothing here, so its message says "(null)".
        let pkt_len = nx::str_to_u16(value, "(null)")?;
        if !dst.field.has_wire() {
            return Err(format!(
                "experimenter OXM field '{}' not supported",
                dst.field.name()
            ));
        }
        Ok(CheckPktLarger { pkt_len, dst })
    }

    /// Checks the action against `flow`, the match it runs under. The
    /// reference checks only that the destination bit exists and is
    /// writable (already true of anything decoded or parsed), not the
    /// field's prerequisites.
    pub fn check(&self, _flow: &Match) -> Result<(), OfpError> {
        nx::check_dst(&self.dst)
    }

    pub fn format(&self, out: &mut String, _ports: Option<&PortMap>) {
        out.push_str(&format!("check_pkt_larger({})->{}", self.pkt_len, self.dst));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_and_text() {
        let c = CheckPktLarger::parse("check_pkt_larger", "1500)->reg0[0]", None).unwrap();
        let mut w = vec![];
        c.encode_nx(&mut w, Version::Of10);
        // As the reference encodes it (ovs-ofctl -mmmmm parse-flow).
        let hex: String = w.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "ffff0018000023200031 05dc 0000 00010004 000000000000".replace(' ', "")
        );
        let d = CheckPktLarger::decode_nx(
            NXAST_CHECK_PKT_LARGER,
            &mut Reader::new(&w[10..]),
            Version::Of10,
        );
        assert_eq!(d, Ok(c.clone()));
        let mut s = String::new();
        c.format(&mut s, None);
        assert_eq!(s, "check_pkt_larger(1500)->NXM_NX_REG0[0]");
    }

    #[test]
    fn errors() {
        let p = |s| CheckPktLarger::parse("check_pkt_larger", s, None).unwrap_err();
        assert_eq!(p("1500"), "1500: missing `->'");
        assert_eq!(p("x)->reg0[0]"), "invalid (null) \"x\"");
        assert_eq!(
            p("1500)->reg0[0..1]"),
            "Only 1-bit destination field is allowed"
        );
        let mut w = vec![];
        CheckPktLarger::parse("check_pkt_larger", "1)->reg0[0]", None)
            .unwrap()
            .encode_nx(&mut w, Version::Of10);
        w[23] = 1;
        assert_eq!(
            CheckPktLarger::decode_nx(
                NXAST_CHECK_PKT_LARGER,
                &mut Reader::new(&w[10..]),
                Version::Of10
            ),
            Err(OfpError::NxbrcMustBeZero)
        );
    }
}
