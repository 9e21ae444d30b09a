//! The `controller` action: send the packet to the controller(s) in a
//! packet-in. Three wire forms exist: plain output to the CONTROLLER port
//! (only a maximum length; that is an [`super::Action::Output`]),
//! NXAST_CONTROLLER (adds a reason and a controller id) and
//! NXAST_CONTROLLER2 (properties: also userdata, pause and a meter). A
//! [`Controller`] encodes as NXAST_CONTROLLER unless it needs
//! NXAST_CONTROLLER2 or was decoded from one, which the reference keeps.

use crate::buf::{Put, Reader};
use crate::error::OfpError;

use super::learn::nx;
use super::nxwire;

pub const NXAST_CONTROLLER: u16 = 20;
pub const NXAST_CONTROLLER2: u16 = 37;

/// Packet-in reasons (`ofp_packet_in_reason`).
pub const REASON_NO_MATCH: u8 = 0;
pub const REASON_ACTION: u8 = 1;

const PROP_MAX_LEN: u16 = 0;
const PROP_CONTROLLER_ID: u16 = 1;
const PROP_REASON: u16 = 2;
const PROP_USERDATA: u16 = 3;
const PROP_PAUSE: u16 = 4;
const PROP_METER_ID: u16 = 5;
const PROP_EXPERIMENTER: u16 = 0xffff;

/// The wire form a controller action was decoded from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ControllerForm {
    /// Parsed from text: NXAST_CONTROLLER2 only if needed.
    #[default]
    Auto,
    Nx,
    Nx2,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Controller {
    pub max_len: u16,
    pub controller_id: u16,
    pub reason: u8,
    pub userdata: Vec<u8>,
    pub pause: bool,
    /// 0 = no meter.
    pub meter_id: u32,
    pub form: ControllerForm,
}

impl Default for Controller {
    fn default() -> Controller {
        Controller {
            max_len: u16::MAX,
            controller_id: 0,
            reason: REASON_ACTION,
            userdata: vec![],
            pause: false,
            meter_id: 0,
            form: ControllerForm::Auto,
        }
    }
}

/// Packet-in reason names as the reference prints and parses them; 6 and 7
/// (OF1.5's table-miss reasons) print as empty strings there.
fn reason_name(r: u8) -> Option<&'static str> {
    Some(match r {
        0 => "no_match",
        1 => "action",
        2 => "invalid_ttl",
        3 => "action_set",
        4 => "group",
        5 => "packet_out",
        6 | 7 => "",
        _ => return None,
    })
}

impl Controller {
    /// Whether the action says nothing beyond a maximum length, so that it
    /// prints as `CONTROLLER:max_len`.
    pub fn is_plain(&self) -> bool {
        self.reason == REASON_ACTION
            && self.controller_id == 0
            && self.userdata.is_empty()
            && !self.pause
            && self.meter_id == 0
    }

    fn needs_nx2(&self) -> bool {
        self.form == ControllerForm::Nx2
            || !self.userdata.is_empty()
            || self.pause
            || self.meter_id != 0
    }

    /// Appends the encoding (the same in every version): NXAST_CONTROLLER2
    /// when needed, else NXAST_CONTROLLER. (A plain controller action is an
    /// output to the controller port, [`super::Action::Output`].)
    pub fn encode(&self, out: &mut Vec<u8>) {
        if self.needs_nx2() {
            let start = nxwire::start(out, NXAST_CONTROLLER2);
            out.put_zeros(6);
            // 16-bit properties carry two bytes of padding inside their length.
            if self.max_len != u16::MAX {
                let [a, b] = self.max_len.to_be_bytes();
                put_prop(out, PROP_MAX_LEN, &[a, b, 0, 0]);
            }
            if self.controller_id != 0 {
                let [a, b] = self.controller_id.to_be_bytes();
                put_prop(out, PROP_CONTROLLER_ID, &[a, b, 0, 0]);
            }
            if self.reason != REASON_ACTION {
                put_prop(out, PROP_REASON, &[self.reason]);
            }
            if !self.userdata.is_empty() {
                put_prop(out, PROP_USERDATA, &self.userdata);
            }
            if self.pause {
                put_prop(out, PROP_PAUSE, &[]);
            }
            if self.meter_id != 0 {
                put_prop(out, PROP_METER_ID, &self.meter_id.to_be_bytes());
            }
            nxwire::finish(out, start);
        } else {
            let start = nxwire::start(out, NXAST_CONTROLLER);
            out.put_be16(self.max_len);
            out.put_be16(self.controller_id);
            out.put_u8(self.reason);
            out.put_u8(0);
            nxwire::finish(out, start);
        }
    }

    /// NXAST_CONTROLLER's body (after the subtype).
    pub fn decode_nx(body: &mut Reader) -> Result<Controller, OfpError> {
        if nxwire::action_len(body) != 16 {
            return Err(OfpError::BacBadLen);
        }
        let max_len = body.be16()?;
        let controller_id = body.be16()?;
        let reason = body.u8()?;
        Ok(Controller {
            max_len,
            controller_id,
            reason,
            form: ControllerForm::Nx,
            ..Controller::default()
        })
    }

    /// NXAST_CONTROLLER2's body (after the subtype): 6 zero bytes, then properties.
    pub fn decode_nx2(body: &mut Reader) -> Result<Controller, OfpError> {
        if body.bytes(6)?.iter().any(|b| *b != 0) {
            return Err(OfpError::NxbrcMustBeZero);
        }
        let mut c = Controller {
            form: ControllerForm::Nx2,
            ..Controller::default()
        };
        while !body.is_empty() {
            let mut hdr = body.clone().with_short_error(OfpError::BpcBadLen);
            let kind = hdr.be16()?;
            let len = usize::from(hdr.be16()?);
            if len < 4 || len.div_ceil(8) * 8 > body.remaining() {
                return Err(OfpError::BpcBadLen);
            }
            let mut prop = body.sub(len.div_ceil(8) * 8)?;
            prop.skip(4)?;
            let payload = prop.bytes(len - 4)?;
            let need = |n: usize| {
                if payload.len() < n {
                    Err(OfpError::BpcBadLen)
                } else {
                    Ok(())
                }
            };
            match kind {
                PROP_MAX_LEN => {
                    need(2)?;
                    c.max_len = u16::from_be_bytes([payload[0], payload[1]]);
                }
                PROP_CONTROLLER_ID => {
                    need(2)?;
                    c.controller_id = u16::from_be_bytes([payload[0], payload[1]]);
                }
                PROP_REASON => {
                    need(1)?;
                    c.reason = payload[0];
                }
                PROP_USERDATA => c.userdata = payload.to_vec(),
                PROP_PAUSE => c.pause = true,
                PROP_EXPERIMENTER => {
                    // No experimenter properties are defined.
                    if payload.len() < 8 {
                        return Err(OfpError::BpcBadLen);
                    }
                    let exp = u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                    return Err(if exp == super::NX_VENDOR_ID {
                        OfpError::BpcBadExpType
                    } else {
                        OfpError::BpcBadExperimenter
                    });
                }
                PROP_METER_ID => {
                    need(4)?;
                    c.meter_id =
                        u32::from_be_bytes([payload[0], payload[1], payload[2], payload[3]]);
                }
                _ => return Err(OfpError::BpcBadType),
            }
        }
        Ok(c)
    }

    /// Parses what follows `controller` (`:max_len`, or inside parentheses).
    pub fn parse(args: &str) -> Result<Controller, String> {
        Controller::parse_with_keys(args).map(|(c, _)| c)
    }

    /// As [`Controller::parse`], also saying whether `userdata` was given
    /// (even empty): then the reference keeps a controller action rather
    /// than a plain output to the controller port.
    pub(crate) fn parse_with_keys(args: &str) -> Result<(Controller, bool), String> {
        let mut userdata_given = false;
        let mut c = Controller::default();
        if !args.is_empty() && args.bytes().all(|b| b.is_ascii_digit()) {
            c.max_len = nx::str_to_u16(args, "max_len")?;
            return Ok((c, false));
        }
        let mut rest = args;
        while let Some((key, value)) = nx::next_key_value(&mut rest) {
            match key {
                "reason" => {
                    c.reason = (0..=7u8)
                        .find(|r| reason_name(*r) == Some(value) && !value.is_empty())
                        .ok_or_else(|| format!("unknown reason \"{value}\""))?;
                }
                "max_len" => c.max_len = nx::str_to_u16(value, "max_len")?,
                "id" => c.controller_id = nx::str_to_u16(value, "id")?,
                "userdata" => {
                    userdata_given = true;
                    c.userdata = parse_hex_bytes(value)
                        .ok_or("bad hex digit in `controller' action `userdata'")?;
                }
                "pause" => c.pause = true,
                "meter_id" => c.meter_id = nx::str_to_u32(value)?,
                _ => return Err(format!("unknown key \"{key}\" parsing controller action")),
            }
        }
        Ok((c, userdata_given))
    }

    pub fn format(&self, out: &mut String) {
        if self.is_plain() {
            out.push_str(&format!("CONTROLLER:{}", self.max_len));
            return;
        }
        let mut items = vec![];
        if self.reason != REASON_ACTION {
            match reason_name(self.reason) {
                Some(n) => items.push(format!("reason={n}")),
                None => items.push(format!("reason={}", self.reason)),
            }
        }
        if self.max_len != u16::MAX {
            items.push(format!("max_len={}", self.max_len));
        }
        if self.controller_id != 0 {
            items.push(format!("id={}", self.controller_id));
        }
        if !self.userdata.is_empty() {
            items.push(format!("userdata={}", format_hex_bytes(&self.userdata)));
        }
        if self.pause {
            items.push("pause".to_string());
        }
        if self.meter_id != 0 {
            items.push(format!("meter_id={}", self.meter_id));
        }
        out.push_str(&format!("controller({})", items.join(",")));
    }
}

fn put_prop(out: &mut Vec<u8>, kind: u16, payload: &[u8]) {
    let start = out.len();
    out.put_be16(kind);
    out.put_be16((4 + payload.len()) as u16);
    out.extend_from_slice(payload);
    out.pad_from(start, 8);
}

/// Hex bytes as the reference reads them for userdata and notes: pairs of
/// hex digits, optionally separated by dots or white space.
pub(crate) fn parse_hex_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'.' | b' ' | b'\t' | b'\r' | b'\n') {
            i += 1;
            continue;
        }
        let hi = (*b.get(i)? as char).to_digit(16)?;
        let lo = (*b.get(i + 1)? as char).to_digit(16)?;
        out.push((hi << 4 | lo) as u8);
        i += 2;
    }
    Some(out)
}

/// Bytes as `01.02.0a`.
pub(crate) fn format_hex_bytes(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        match Controller::parse(s) {
            Ok(c) => {
                let mut out = String::new();
                c.format(&mut out);
                out
            }
            Err(e) => e,
        }
    }

    #[test]
    fn text_forms() {
        assert_eq!(text(""), "CONTROLLER:65535");
        assert_eq!(text("100"), "CONTROLLER:100");
        assert_eq!(text("reason=no_match"), "controller(reason=no_match)");
        assert_eq!(
            text("max_len=10,reason=invalid_ttl,id=1,userdata=01,pause,meter_id=3"),
            "controller(reason=invalid_ttl,max_len=10,id=1,userdata=01,pause,meter_id=3)"
        );
        assert_eq!(text("reason=foo"), "unknown reason \"foo\"");
        assert_eq!(text("foo"), "unknown key \"foo\" parsing controller action");
        assert_eq!(
            text("userdata=1"),
            "bad hex digit in `controller' action `userdata'"
        );
        assert_eq!(text("id=65536"), "invalid id \"65536\"");
    }

    #[test]
    fn wire_forms() {
        let enc = |s: &str| {
            let mut out = vec![];
            Controller::parse(s).unwrap().encode(&mut out);
            out.iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        assert_eq!(enc("userdata="), "ffff0010000023200014ffff00000100");
        assert_eq!(enc("id=3"), "ffff0010000023200014ffff00030100");
        assert_eq!(
            enc("userdata=01.02"),
            "ffff00180000232000250000000000000003000601020000"
        );
        let nx2 = [
            0xff, 0xff, 0, 0x18, 0, 0, 0x23, 0x20, 0, 0x25, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0xc, 0, 0,
            0, 0,
        ];
        assert_eq!(
            Controller::decode_nx2(&mut Reader::new(&nx2[10..])),
            Err(OfpError::BpcBadLen)
        );
    }
}
