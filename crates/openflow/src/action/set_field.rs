//! `set_field:value[/mask]->field` and `load:value->field[a..b]`: both write
//! a (masked) value into a field, so both are a [`SetField`]; they differ in
//! text syntax and in how the reference encodes them (`load` stays an
//! NXAST_REG_LOAD up to OF1.4, a full-field `set_field` becomes OF1.2+'s
//! OFPAT_SET_FIELD), which [`SetFieldStyle`] remembers.

use crate::field::{FieldId, Format, SubField};
use crate::port::PortMap;

use super::learn::nx;

/// Which syntax or wire form produced a [`SetField`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum SetFieldStyle {
    /// `set_field`, or OFPAT_SET_FIELD on the wire.
    #[default]
    SetField,
    /// `load`, or NXAST_REG_LOAD on the wire: printed as one `load` per
    /// contiguous run of mask bits.
    Load,
    /// NXAST_REG_LOAD2 on the wire (printed as `set_field`, re-encoded as is).
    Load2,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SetField {
    pub field: FieldId,
    /// Network byte order, as long as the field (tun_metadata: as on the wire).
    pub value: Vec<u8>,
    /// Same length as `value`; all ones for a whole-field write.
    pub mask: Vec<u8>,
    pub style: SetFieldStyle,
    /// Whether the flow has a VLAN header where this runs (learnt by
    /// `check_actions`): OF1.1 writes VLAN fields with its set_vlan
    /// actions, after pushing a header when there is none.
    pub flow_has_vlan: bool,
}

impl SetField {
    /// A whole-field write.
    pub fn new(field: FieldId, value: Vec<u8>) -> SetField {
        let mask = full_mask(field, value.len());
        SetField {
            field,
            value,
            mask,
            style: SetFieldStyle::SetField,
            flow_has_vlan: false,
        }
    }

    /// Whether the write is of the whole field: its mask is all ones, as
    /// the reference decides (a mask of exactly the field's meaningful bits,
    /// e.g. 0x3 for nw_ecn, is a masked write that prints and encodes so).
    pub fn is_whole(&self) -> bool {
        self.mask.iter().all(|b| *b == 0xff)
    }

    /// The mask, or `None` when it covers the whole field.
    pub fn partial_mask(&self) -> Option<&[u8]> {
        (!self.is_whole()).then_some(&self.mask[..])
    }

    /// The write as NXAST_REG_LOAD segments: each contiguous run of mask
    /// bits (at most 64 bits long), lowest bits first, with the value bits
    /// of that run.
    pub fn load_segments(&self) -> Vec<(SubField, u64)> {
        // Mask bits beyond the field's own are not written.
        let n_bits = field_bits(self.field, self.mask.len());
        let bit = |bytes: &[u8], i: usize| bytes[bytes.len() - 1 - i / 8] >> (i % 8) & 1 == 1;
        let mut out = vec![];
        let mut i = 0;
        while i < n_bits {
            if !bit(&self.mask, i) {
                i += 1;
                continue;
            }
            let start = i;
            let mut value = 0u64;
            while i < n_bits && bit(&self.mask, i) && i - start < 64 {
                if bit(&self.value, i) {
                    value |= 1 << (i - start);
                }
                i += 1;
            }
            out.push((
                SubField {
                    field: self.field,
                    ofs: start as u16,
                    n_bits: (i - start) as u16,
                },
                value,
            ));
        }
        out
    }

    /// A `load` of `value` into `dst`: the value shifted into place, with
    /// a mask covering exactly the subfield.
    pub fn from_load(dst: SubField, value: &[u8]) -> SetField {
        let n = dst.field.n_bytes();
        let mut v = vec![0u8; n];
        let mut m = vec![0u8; n];
        let total = n * 8;
        for i in 0..usize::from(dst.n_bits) {
            let to = usize::from(dst.ofs) + i;
            if to >= total {
                break;
            }
            let from_set =
                value.len() * 8 > i && value[value.len() - 1 - i / 8] >> (i % 8) & 1 == 1;
            m[n - 1 - to / 8] |= 1 << (to % 8);
            if from_set {
                v[n - 1 - to / 8] |= 1 << (to % 8);
            }
        }
        SetField {
            field: dst.field,
            value: v,
            mask: m,
            style: SetFieldStyle::Load,
            flow_has_vlan: false,
        }
    }

    pub fn format(&self, out: &mut String, ports: Option<&PortMap>) {
        if self.style == SetFieldStyle::Load {
            let loads: Vec<String> = self
                .load_segments()
                .into_iter()
                .map(|(sf, v)| {
                    if v == 0 {
                        format!("load:0->{sf}")
                    } else {
                        format!("load:{v:#x}->{sf}")
                    }
                })
                .collect();
            out.push_str(&loads.join(","));
            return;
        }
        out.push_str("set_field:");
        if self.mask.iter().all(|b| *b == 0) && !self.mask.is_empty() {
            // A write of nothing: the reference prints the value as "ANY".
            out.push_str("ANY");
        } else if self.value.is_empty() {
            // A zero-length tun_metadata value.
            out.push('0');
        } else if let (Format::Decimal | Format::Port | Format::Port11, Some(mask)) =
            (self.field.format(), self.partial_mask())
        {
            // A masked number prints as the reference's set_field prints it
            // (a match would print the value in hex too): "3/0xfff".
            let v = self
                .value
                .iter()
                .fold(0u64, |acc, b| acc << 8 | u64::from(*b));
            out.push_str(&format!("{}/{}", v as i64, hex_trimmed(mask)));
        } else if let (Format::Hex, Some(mask)) = (self.field.format(), self.partial_mask()) {
            // Even a mask of exactly the field's bits is printed.
            let v = hex_trimmed(&self.value);
            out.push_str(&format!("{v}/{}", hex_trimmed(mask)));
        } else if self.field.format() == Format::TunFlags {
            // The reference prints the value's flags alone, mask or not.
            let v = self
                .value
                .iter()
                .fold(0u32, |acc, b| acc << 8 | u32::from(*b));
            out.push_str(&format_tun_flags(v));
        } else {
            out.push_str(
                &self
                    .field
                    .format_value(&self.value, self.partial_mask(), ports),
            );
        }
        out.push_str("->");
        out.push_str(self.field.name());
    }

    /// Parses the argument of `load:` ("value->dst").
    pub fn parse_load(args: &str) -> Result<SetField, String> {
        let (value, dst) = split_arrow(args)?;
        let dst = SubField::parse(dst)?;
        let bytes =
            parse_uint(value).ok_or_else(|| format!("{args}: cannot parse integer value"))?;
        let significant = bits_used(&bytes);
        if significant > usize::from(dst.n_bits) {
            let mut hex = String::new();
            nx::format_hex(&mut hex, &bytes);
            return Err(format!(
                "{args}: value {hex} does not fit into {} bits",
                dst.n_bits
            ));
        }
        Ok(SetField::from_load(dst, &bytes))
    }

    /// Parses the argument of `set_field:` ("value[/mask]->field").
    pub fn parse_set_field(args: &str, ports: Option<&PortMap>) -> Result<SetField, String> {
        let (value, name) = split_arrow(args)?;
        let field = FieldId::by_name(name)
            .filter(|f| f.has_wire() || f.writable())
            .ok_or_else(|| format!("{name} is not a valid OXM field name"))?;
        if !field.writable() {
            return Err(format!("{name} is read-only"));
        }
        let (v, m) = field.parse_value(value, ports).map_err(|e| {
            if e.contains("invalid mask") {
                e
            } else {
                format!("{value}: bad syntax for {name} value")
            }
        })?;
        if let Some(mask) = &m {
            if !field.maskable() && !mask.iter().all(|b| *b == 0xff) {
                return Err(format!("{value}: invalid mask for field {name}"));
            }
        }
        if !field.is_value_valid(&v) {
            return Err(format!("{value} is not a valid value for field {name}"));
        }
        let (value, mask) = if field.tun_metadata_index().is_some() {
            tun_metadata_value(v, m)
        } else {
            let mask = m.unwrap_or_else(|| full_mask(field, v.len()));
            (v, mask)
        };
        Ok(SetField {
            field,
            value,
            mask,
            style: SetFieldStyle::SetField,
            flow_has_vlan: false,
        })
    }
}

/// Big-endian bytes in hex without leading zeros ("0xfff"; "0" for zero).
fn hex_trimmed(bytes: &[u8]) -> String {
    let v: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let v = v.trim_start_matches('0');
    if v.is_empty() {
        "0".to_string()
    } else {
        format!("0x{v}")
    }
}

/// Tunnel flags as a set_field prints them: the names of the set bits
/// (all the reference knows, including flags a match cannot name), lowest
/// first, then the unnamed ones in hex, joined by `|`; "0" for none.
fn format_tun_flags(flags: u32) -> String {
    const NAMES: [(u32, &str); 4] = [(0x1, "oam"), (0x2, "df"), (0x4, "csum"), (0x8, "key")];
    if flags == 0 {
        return "0".to_string();
    }
    let mut parts: Vec<String> = NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| name.to_string())
        .collect();
    let unnamed = flags & !0xf;
    if unnamed != 0 {
        parts.push(format!("{unnamed:#x}"));
    }
    parts.join("|")
}

/// The mask of a whole-field write `len` bytes long: all ones (bits
/// beyond the field's own included, as the reference's exact writes).
pub fn full_mask(_field: FieldId, len: usize) -> Vec<u8> {
    vec![0xff; len]
}

/// How many low-order bits of a `len`-byte value belong to the field: all
/// of them for tun_metadata (whose width varies); for vlan_vid the VID
/// alone, not the OXM "present" bit (as the reference writes it by load).
fn field_bits(field: FieldId, len: usize) -> usize {
    if field.tun_metadata_index().is_some() {
        len * 8
    } else {
        (field.n_bits() as usize).min(len * 8)
    }
}

/// Splits `value->destination` at the first arrow, with the reference's
/// messages when there is no arrow or nothing after it.
pub(crate) fn split_arrow(args: &str) -> Result<(&str, &str), String> {
    match args.split_once("->") {
        None => Err(format!("{args}: missing `->'")),
        Some((_, "")) => Err(format!("{args}: missing field name following `->'")),
        Some(parts) => Ok(parts),
    }
}

/// tun_metadata is as wide as the widest option (124 bytes); a value or
/// mask of any width up to that is its low-order bytes, as in the
/// reference. So we keep both at the full width: an unmasked write has an
/// all-ones mask, while a masked one (even with a mask of all ones over
/// its own width) is partial, and prints and encodes with its mask.
pub(crate) fn tun_metadata_value(value: Vec<u8>, mask: Option<Vec<u8>>) -> (Vec<u8>, Vec<u8>) {
    const WIDTH: usize = 124;
    let widen = |b: Vec<u8>| {
        let mut out = vec![0u8; WIDTH.saturating_sub(b.len())];
        out.extend_from_slice(&b[b.len().saturating_sub(WIDTH)..]);
        out
    };
    let mask = match mask {
        Some(m) => widen(m),
        None => vec![0xff; WIDTH],
    };
    (widen(value), mask)
}

/// tun_metadata values have no fixed width: the reference writes as few
/// bytes as the value and mask need (none for an unmasked zero).
pub(crate) fn shortest(value: Vec<u8>, mask: Vec<u8>) -> (Vec<u8>, Vec<u8>) {
    let lead = |b: &[u8]| b.iter().take_while(|x| **x == 0).count();
    let all_ones = mask.iter().all(|b| *b == 0xff);
    let skip = if all_ones {
        lead(&value)
    } else {
        lead(&value).min(lead(&mask))
    }
    .min(value.len());
    let mask = if all_ones {
        vec![0xff; value.len() - skip]
    } else {
        mask[skip..].to_vec()
    };
    (value[skip..].to_vec(), mask)
}

/// Number of significant bits in a big-endian number.
fn bits_used(bytes: &[u8]) -> usize {
    match bytes.iter().position(|b| *b != 0) {
        None => 0,
        Some(i) => (bytes.len() - i) * 8 - bytes[i].leading_zeros() as usize,
    }
}

/// An unsigned integer of any width, decimal or `0x` hexadecimal, as
/// big-endian bytes (at least 8). `None` if it does not parse.
pub(crate) fn parse_uint(s: &str) -> Option<Vec<u8>> {
    if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let digits: Vec<u8> = hex
            .bytes()
            .map(|c| (c as char).to_digit(16).unwrap_or(0) as u8)
            .collect();
        let n_bytes = digits.len().div_ceil(2).max(8);
        let mut out = vec![0u8; n_bytes];
        for (i, d) in digits.iter().rev().enumerate() {
            out[n_bytes - 1 - i / 2] |= d << (4 * (i % 2));
        }
        return Some(out);
    }
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: u128 = s.parse().ok()?;
    let v = u64::try_from(v).ok()?;
    Some(v.to_be_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(sf: &SetField) -> String {
        let mut s = String::new();
        sf.format(&mut s, None);
        s
    }

    #[test]
    fn load_segments_split_at_holes_and_64_bits() {
        let sf = SetField::parse_load("0x112233445566778899->xxreg0[0..71]").unwrap();
        assert_eq!(
            show(&sf),
            "load:0x2233445566778899->NXM_NX_XXREG0[0..63],load:0x11->NXM_NX_XXREG0[64..71]"
        );
        let sf = SetField::parse_load("0->reg0").unwrap();
        assert_eq!(show(&sf), "load:0->NXM_NX_REG0[]");
        let mut sf = SetField::parse_set_field("0x50/0xf0f->reg0", None).unwrap();
        sf.style = SetFieldStyle::Load;
        assert_eq!(
            show(&sf),
            "load:0->NXM_NX_REG0[0..3],load:0->NXM_NX_REG0[8..11]"
        );
    }

    #[test]
    fn tun_flags_print_as_the_reference_prints_a_set_field() {
        // Outputs of the real ovs-ofctl 3.1 (parse-actions, parse-flow).
        for (value, mask, want) in [
            (0x0001u16, 0xffffu16, "set_field:oam->tun_flags"),
            (0x0000, 0xffff, "set_field:0->tun_flags"),
            (0x0101, 0xffff, "set_field:oam|0x100->tun_flags"),
            (0x000f, 0xffff, "set_field:oam|df|csum|key->tun_flags"),
            (0x0001, 0x0003, "set_field:oam->tun_flags"),
            (0x0000, 0x0001, "set_field:0->tun_flags"),
            (0x0000, 0x0000, "set_field:ANY->tun_flags"),
        ] {
            let sf = SetField {
                field: FieldId::by_name("tun_flags").unwrap(),
                value: value.to_be_bytes().to_vec(),
                mask: mask.to_be_bytes().to_vec(),
                style: SetFieldStyle::Load2,
                flow_has_vlan: false,
            };
            assert_eq!(show(&sf), want);
        }
    }

    #[test]
    fn masked_numbers_print_in_decimal_with_a_hex_mask() {
        // Outputs of the real ovs-ofctl 3.1 (parse-flow -O OpenFlow15).
        let sf = SetField::parse_set_field("3/0xfff->tcp_src", None).unwrap();
        assert_eq!(show(&sf), "set_field:3/0xfff->tcp_src");
        let sf = SetField::parse_set_field("3/0xfff->reg0", None).unwrap();
        assert_eq!(show(&sf), "set_field:0x3/0xfff->reg0");
    }

    #[test]
    fn tun_metadata_keeps_its_mask() {
        for (text, want) in [
            (
                "0x101/0xffff->tun_metadata0",
                "set_field:0x101/0xffff->tun_metadata0",
            ),
            ("0x101->tun_metadata0", "set_field:0x101->tun_metadata0"),
            ("0/0->tun_metadata0", "set_field:ANY->tun_metadata0"),
            ("0->tun_metadata0", "set_field:0->tun_metadata0"),
            (
                "0x1/0xffffffff->tun_metadata0",
                "set_field:0x1/0xffffffff->tun_metadata0",
            ),
        ] {
            assert_eq!(show(&SetField::parse_set_field(text, None).unwrap()), want);
        }
    }

    #[test]
    fn parse_errors() {
        let e = |s| SetField::parse_load(s).unwrap_err();
        assert_eq!(
            e("0x10->reg0[0..3]"),
            "0x10->reg0[0..3]: value 0x10 does not fit into 4 bits"
        );
        assert_eq!(
            e("16->reg0[0..3]"),
            "16->reg0[0..3]: value 0x10 does not fit into 4 bits"
        );
        assert_eq!(e("foo->reg0[]"), "foo->reg0[]: cannot parse integer value");
        assert_eq!(e("1"), "1: missing `->'");
        assert_eq!(e("1->"), "1->: missing field name following `->'");
        let e = |s| SetField::parse_set_field(s, None).unwrap_err();
        assert_eq!(e("1->foo"), "foo is not a valid OXM field name");
        // Checked with the real ovs-ofctl 3.1: the first arrow splits.
        assert_eq!(e("1->"), "1->: missing field name following `->'");
        assert_eq!(
            e("1->reg0->reg1"),
            "reg0->reg1 is not a valid OXM field name"
        );
        assert_eq!(e("1->ip_proto"), "ip_proto is read-only");
        assert_eq!(e("1->nw_tos"), "1 is not a valid value for field nw_tos");
    }
}
