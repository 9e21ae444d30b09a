//! OFPST_DESC: the switch description (manufacturer, hardware, software,
//! serial number, datapath), five fixed-size NUL-padded strings.

use crate::buf::Reader;
use crate::error::OfpError;

const DESC_STR_LEN: usize = 256;
const SERIAL_NUM_LEN: usize = 32;
/// Body length of the reply.
pub const SWITCH_DESC_LEN: usize = 4 * DESC_STR_LEN + SERIAL_NUM_LEN;

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SwitchDesc {
    pub mfr_desc: String,
    pub hw_desc: String,
    pub sw_desc: String,
    pub serial_num: String,
    pub dp_desc: String,
}

/// A fixed-size string field: up to the first NUL.
fn get_str(r: &mut Reader, n: usize) -> Result<String, OfpError> {
    let b = r.bytes(n)?;
    let end = b.iter().position(|c| *c == 0).unwrap_or(n);
    Ok(String::from_utf8_lossy(&b[..end]).into_owned())
}

/// Writes `s` into an `n`-byte field, truncated to leave a NUL (at a
/// character boundary, so the field decodes to a prefix of `s`).
fn put_str(out: &mut Vec<u8>, s: &str, n: usize) {
    let mut end = s.len().min(n - 1);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    out.extend_from_slice(&s.as_bytes()[..end]);
    out.resize(out.len() + n - end, 0);
}

impl SwitchDesc {
    pub fn decode(r: &mut Reader) -> Result<SwitchDesc, OfpError> {
        if r.remaining() != SWITCH_DESC_LEN {
            return Err(OfpError::BrcBadLen);
        }
        Ok(SwitchDesc {
            mfr_desc: get_str(r, DESC_STR_LEN)?,
            hw_desc: get_str(r, DESC_STR_LEN)?,
            sw_desc: get_str(r, DESC_STR_LEN)?,
            serial_num: get_str(r, SERIAL_NUM_LEN)?,
            dp_desc: get_str(r, DESC_STR_LEN)?,
        })
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, &self.mfr_desc, DESC_STR_LEN);
        put_str(out, &self.hw_desc, DESC_STR_LEN);
        put_str(out, &self.sw_desc, DESC_STR_LEN);
        put_str(out, &self.serial_num, SERIAL_NUM_LEN);
        put_str(out, &self.dp_desc, DESC_STR_LEN);
    }

    /// The lines `ovs-ofctl dump-desc` prints.
    pub fn format(&self, out: &mut String) {
        for (label, s) in [
            ("Manufacturer", &self.mfr_desc),
            ("Hardware", &self.hw_desc),
            ("Software", &self.sw_desc),
            ("Serial Num", &self.serial_num),
            ("DP Description", &self.dp_desc),
        ] {
            out.push('\n');
            out.push_str(label);
            out.push_str(": ");
            out.push_str(s);
        }
        out.push('\n');
    }
}
