//! The `sample` action (NXAST_SAMPLE, NXAST_SAMPLE2, NXAST_SAMPLE3): sends a
//! sampled copy of packets to IPFIX/sFlow collectors (`man ovs-actions`).
//!
//! Three wire forms exist because fields were added over time; we encode the
//! smallest that carries the action (SAMPLE3 only with a direction, SAMPLE2
//! only with a sampling port), as the reference does, so encodings match it
//! byte for byte.

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::port::{PortMap, PortNo};
use crate::version::Version;

use super::learn::nx;

pub const NXAST_SAMPLE: u16 = 29;
pub const NXAST_SAMPLE2: u16 = 38;
pub const NXAST_SAMPLE3: u16 = 41;

/// Which way the sampled packet was going, for IPFIX reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SampleDirection {
    /// Inferred by the switch from the sampling port.
    #[default]
    Default = 0,
    Ingress = 1,
    Egress = 2,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sample {
    /// Packets sampled out of 65535; never 0.
    pub probability: u16,
    pub collector_set_id: u32,
    pub obs_domain_id: u32,
    pub obs_point_id: u32,
    /// `PortNo::NONE` when unset.
    pub sampling_port: PortNo,
    pub direction: SampleDirection,
    /// The wire form a decoded action came in when it is larger than its
    /// fields need (NXAST_SAMPLE2 or NXAST_SAMPLE3): the reference encodes
    /// such an action in that form again. `None` otherwise, and for parsed
    /// actions.
    pub form: Option<u16>,
}

/// The wire forms in increasing size.
fn rank(subtype: u16) -> u8 {
    match subtype {
        NXAST_SAMPLE3 => 2,
        NXAST_SAMPLE2 => 1,
        _ => 0,
    }
}

impl Sample {
    pub fn decode_nx(subtype: u16, body: &mut Reader, _v: Version) -> Result<Sample, OfpError> {
        let want = match subtype {
            NXAST_SAMPLE => 24,
            NXAST_SAMPLE2 | NXAST_SAMPLE3 => 32,
            _ => return Err(OfpError::BacBadExpType),
        };
        if nx::action_len(body) != want {
            return Err(OfpError::BacBadLen);
        }
        let probability = body.be16()?;
        let collector_set_id = body.be32()?;
        let obs_domain_id = body.be32()?;
        let obs_point_id = body.be32()?;
        let mut sampling_port = PortNo::NONE;
        let mut direction = SampleDirection::Default;
        if subtype != NXAST_SAMPLE {
            sampling_port = PortNo(body.be16()?);
        }
        if subtype == NXAST_SAMPLE3 {
            let raw = body.u8()?;
            // The padding is checked before anything else is looked at.
            if body.take_rest().iter().any(|b| *b != 0) {
                return Err(OfpError::NxbrcMustBeZero);
            }
            direction = match raw {
                0 => SampleDirection::Default,
                1 => SampleDirection::Ingress,
                2 => SampleDirection::Egress,
                _ => {
                    crate::warn::warn("ofp_actions", || format!("invalid sample direction {raw}"));
                    return Err(OfpError::BacBadArgument);
                }
            };
        }
        if probability == 0 {
            return Err(OfpError::BacBadArgument);
        }
        let mut sample = Sample {
            probability,
            collector_set_id,
            obs_domain_id,
            obs_point_id,
            sampling_port,
            direction,
            form: None,
        };
        if rank(subtype) > rank(sample.needed_form()) {
            sample.form = Some(subtype);
        }
        Ok(sample)
    }

    /// The smallest wire form that carries the fields.
    fn needed_form(&self) -> u16 {
        if self.direction != SampleDirection::Default {
            NXAST_SAMPLE3
        } else if self.sampling_port != PortNo::NONE {
            NXAST_SAMPLE2
        } else {
            NXAST_SAMPLE
        }
    }

    pub fn encode_nx(&self, out: &mut Vec<u8>, _v: Version) {
        let subtype = match self.form {
            Some(form) if rank(form) > rank(self.needed_form()) => form,
            _ => self.needed_form(),
        };
        let start = nx::start(out, subtype);
        out.put_be16(self.probability);
        out.put_be32(self.collector_set_id);
        out.put_be32(self.obs_domain_id);
        out.put_be32(self.obs_point_id);
        if subtype != NXAST_SAMPLE {
            out.put_be16(self.sampling_port.0);
        }
        if subtype == NXAST_SAMPLE3 {
            out.put_u8(self.direction as u8);
        }
        nx::finish(out, start);
    }

    /// Parses the text inside `sample(...)`.
    pub fn parse(_keyword: &str, args: &str, ports: Option<&PortMap>) -> Result<Sample, String> {
        let mut s = Sample {
            probability: 0,
            collector_set_id: 0,
            obs_domain_id: 0,
            obs_point_id: 0,
            sampling_port: PortNo::NONE,
            direction: SampleDirection::Default,
            form: None,
        };
        let mut rest = args;
        while let Some((key, value)) = nx::next_key_value(&mut rest) {
            match key {
                "probability" => {
                    s.probability = nx::str_to_u16(value, "probability")?;
                    if s.probability == 0 {
                        return Err(format!("invalid probability value \"{value}\""));
                    }
                }
                "collector_set_id" => s.collector_set_id = nx::str_to_u32(value)?,
                "obs_domain_id" => s.obs_domain_id = nx::str_to_u32(value)?,
                "obs_point_id" => s.obs_point_id = nx::str_to_u32(value)?,
                "sampling_port" => {
                    s.sampling_port = nx::parse_port(value, ports)
                        .ok_or_else(|| format!("{value}: unknown port"))?;
                }
                "ingress" => s.direction = SampleDirection::Ingress,
                "egress" => s.direction = SampleDirection::Egress,
                _ => return Err(format!("invalid key \"{key}\" in \"sample\" argument")),
            }
        }
        if s.probability == 0 {
            return Err("non-zero \"probability\" must be specified on sample".to_string());
        }
        Ok(s)
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        out.push_str(&format!(
            "sample(probability={},collector_set_id={},obs_domain_id={},obs_point_id={}",
            self.probability, self.collector_set_id, self.obs_domain_id, self.obs_point_id
        ));
        if self.sampling_port != PortNo::NONE {
            out.push_str(",sampling_port=");
            nx::format_port(out, self.sampling_port, ports);
        }
        match self.direction {
            SampleDirection::Default => {}
            SampleDirection::Ingress => out.push_str(",ingress"),
            SampleDirection::Egress => out.push_str(",egress"),
        }
        out.push(')');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(text: &str) -> (String, Vec<u8>) {
        let s = Sample::parse("sample", text, None).unwrap();
        let mut wire = vec![];
        s.encode_nx(&mut wire, Version::Of10);
        let mut r = Reader::new(&wire[10..]);
        let subtype = u16::from_be_bytes([wire[8], wire[9]]);
        assert_eq!(
            Sample::decode_nx(subtype, &mut r, Version::Of10),
            Ok(s.clone())
        );
        let mut out = String::new();
        s.format(&mut out, None);
        (out, wire)
    }

    #[test]
    fn forms() {
        let (text, wire) = roundtrip("probability=12345,collector_set_id=23456");
        assert_eq!(
            text,
            "sample(probability=12345,collector_set_id=23456,obs_domain_id=0,obs_point_id=0)"
        );
        assert_eq!(wire.len(), 24);
        let (_, wire) = roundtrip("probability=1,sampling_port=5");
        assert_eq!((wire.len(), wire[9]), (32, 38));
        let (text, wire) = roundtrip("probability=1,ingress,egress");
        assert_eq!((wire.len(), wire[9]), (32, 41));
        assert!(text.ends_with(",egress)"));
        // A larger form than needed is kept, as the reference does.
        let (_, mut wire) = roundtrip("probability=1,sampling_port=5");
        wire[9] = 41;
        let s = Sample::decode_nx(NXAST_SAMPLE3, &mut Reader::new(&wire[10..]), Version::Of10);
        let s = s.unwrap();
        assert_eq!(s.form, Some(NXAST_SAMPLE3));
        let mut again = vec![];
        s.encode_nx(&mut again, Version::Of10);
        assert_eq!(again, wire);
    }

    #[test]
    fn errors() {
        let e = |t| Sample::parse("sample", t, None).unwrap_err();
        assert_eq!(
            e("collector_set_id=1"),
            "non-zero \"probability\" must be specified on sample"
        );
        assert_eq!(e("probability=65536"), "invalid probability \"65536\"");
        assert_eq!(e("probability=0"), "invalid probability value \"0\"");
        assert_eq!(
            e("probability=1,foo=2"),
            "invalid key \"foo\" in \"sample\" argument"
        );
        assert_eq!(
            e("probability=1,obs_point_id"),
            "missing required numeric argument"
        );
        let mut bad = vec![0u8; 14];
        assert_eq!(
            Sample::decode_nx(NXAST_SAMPLE, &mut Reader::new(&bad), Version::Of10),
            Err(OfpError::BacBadArgument)
        );
        bad.truncate(13);
        assert_eq!(
            Sample::decode_nx(NXAST_SAMPLE, &mut Reader::new(&bad), Version::Of10),
            Err(OfpError::BacBadLen)
        );
    }
}
