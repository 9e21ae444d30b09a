//! OFPT_TABLE_STATUS (OpenFlow 1.4+): a switch tells controllers that a
//! table's vacancy crossed one of its thresholds, with the table's
//! description (as in an OFPST_TABLE_DESC reply).

use std::fmt::Write;

use crate::buf::{Put, Reader};
use crate::error::OfpError;
use crate::msg::multipart::table::TableDesc;
use crate::version::Version;

/// OFPTR_VACANCY_DOWN: free space fell below the low threshold.
pub const VACANCY_DOWN: u8 = 3;
/// OFPTR_VACANCY_UP: free space rose above the high threshold.
pub const VACANCY_UP: u8 = 4;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableStatus {
    /// [`VACANCY_DOWN`] or [`VACANCY_UP`] (the only reasons defined).
    pub reason: u8,
    pub desc: TableDesc,
}

impl TableStatus {
    /// Decodes the body: the reason, 7 bytes of padding, then one table
    /// description (anything after it is ignored, as the reference does).
    pub fn decode(v: Version, body: &mut Reader) -> Result<TableStatus, OfpError> {
        let reason = body.u8()?;
        body.skip(7)?;
        if reason != VACANCY_DOWN && reason != VACANCY_UP {
            return Err(OfpError::BpcBadValue);
        }
        if body.is_empty() {
            // The reference's table-description decoder reports "no more
            // descriptions" here, which ofp-print shows as "<invalid>".
            return Err(OfpError::Eof);
        }
        let desc = TableDesc::decode(v, body)?;
        Ok(TableStatus { reason, desc })
    }

    pub fn encode_body(&self, v: Version, out: &mut Vec<u8>) {
        out.put_u8(self.reason);
        out.put_zeros(7);
        self.desc.encode(v, out);
    }

    /// " reason=VACANCY_DOWN\ntable_desc:-" and the description.
    pub fn format(&self, out: &mut String) {
        let reason = match self.reason {
            VACANCY_DOWN => "VACANCY_DOWN".to_string(),
            VACANCY_UP => "VACANCY_UP".to_string(),
            r => r.to_string(),
        };
        let _ = write!(out, " reason={reason}\ntable_desc:-");
        self.desc.format(out);
    }
}
