//! Subfields: a bit range of a field, as `load`, `move`, `learn`,
//! `multipath`, `bundle_load` and friends name them: `reg0[0..15]`,
//! `NXM_NX_REG0[]`, `reg0[5]`, or a bare field name meaning the whole field.

use std::fmt;

use super::FieldId;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubField {
    pub field: FieldId,
    pub ofs: u16,
    pub n_bits: u16,
}

impl SubField {
    /// The whole field.
    pub fn whole(field: FieldId) -> SubField {
        SubField {
            field,
            ofs: 0,
            n_bits: field.n_bits() as u16,
        }
    }

    /// Parses exactly one subfield; trailing text is an error.
    pub fn parse(s: &str) -> Result<SubField, String> {
        let (sf, rest) = SubField::parse_prefix(s)?;
        if !rest.is_empty() {
            return Err("unexpected input following field syntax".to_string());
        }
        Ok(sf)
    }

    /// Parses a subfield at the start of `s` and returns the rest (for
    /// syntaxes like `move:a[]->b[]` where another token follows). As in the
    /// reference, the field name runs up to the first `[` or `-`, and error
    /// messages quote all of `s`.
    pub fn parse_prefix(s: &str) -> Result<(SubField, &str), String> {
        let name_len = s.find(['[', '-']).unwrap_or(s.len());
        let name = &s[..name_len];
        let field = FieldId::by_name(name).ok_or_else(|| format!("{s}: unknown field `{name}'"))?;
        let rest = &s[name_len..];
        let Some(after) = rest.strip_prefix('[') else {
            return Ok((SubField::whole(field), rest));
        };
        let syntax = || format!("{s}: syntax error expecting [] or [<bit>] or [<start>..<end>]");
        if let Some(rest) = after.strip_prefix(']') {
            return Ok((SubField::whole(field), rest));
        }
        let (start, after) = scan_c_int(after).ok_or_else(syntax)?;
        let (end, rest) = match after.strip_prefix("..") {
            Some(t) => {
                let (end, t) = scan_c_int(t).ok_or_else(syntax)?;
                (end, t.strip_prefix(']').ok_or_else(syntax)?)
            }
            None => (start, after.strip_prefix(']').ok_or_else(syntax)?),
        };
        // Bit numbers are C ints: negative ones fail the width checks,
        // which compare them as unsigned, after the order check, which
        // compares them as signed.
        let width = field.n_bits();
        if start > end {
            return Err(format!(
                "{s}: starting bit {start} is after ending bit {end}"
            ));
        }
        if start as u32 >= width {
            return Err(format!(
                "{s}: starting bit {start} is not valid because field is only {width} bits wide"
            ));
        }
        if end as u32 >= width {
            return Err(format!(
                "{s}: ending bit {end} is not valid because field is only {width} bits wide"
            ));
        }
        Ok((
            SubField {
                field,
                ofs: start as u16,
                n_bits: (end - start + 1) as u16,
            },
            rest,
        ))
    }

    /// Whether the subfield covers the whole field.
    pub fn is_whole(&self) -> bool {
        self.ofs == 0 && u32::from(self.n_bits) == self.field.n_bits()
    }
}

/// A C `int` as scanf's `%d` reads it at the start of `s`: optional leading
/// white space, an optional sign, then decimal digits; values that do not
/// fit wrap around to 32 bits, as the reference's scanner does.
fn scan_c_int(s: &str) -> Option<(i32, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let v = t.as_bytes()[..digits].iter().fold(0u32, |a, d| {
        a.wrapping_mul(10).wrapping_add(u32::from(d - b'0'))
    });
    let v = if neg { v.wrapping_neg() } else { v };
    Some((v as i32, &t[digits..]))
}

impl fmt::Display for SubField {
    /// As ovs-ofctl prints it: the NXM/OXM name and `[]`, `[bit]` or
    /// `[start..end]`. Decoded subfields may be empty (n_bits 0), which the
    /// reference prints as `[ofs..ofs-1]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field.wire_name())?;
        if self.is_whole() {
            f.write_str("[]")
        } else if self.n_bits == 1 {
            write!(f, "[{}]", self.ofs)
        } else {
            let end = i64::from(self.ofs) + i64::from(self.n_bits) - 1;
            write!(f, "[{}..{end}]", self.ofs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str) -> String {
        match SubField::parse(s) {
            Ok(sf) => sf.to_string(),
            Err(e) => e,
        }
    }

    #[test]
    fn parse_and_print() {
        assert_eq!(show("reg0[0..3]"), "NXM_NX_REG0[0..3]");
        assert_eq!(show("reg1[]"), "NXM_NX_REG1[]");
        assert_eq!(show("reg1"), "NXM_NX_REG1[]");
        assert_eq!(show("reg3[5]"), "NXM_NX_REG3[5]");
        assert_eq!(show("reg0[0..31]"), "NXM_NX_REG0[]");
        assert_eq!(show("eth_src[]"), "NXM_OF_ETH_SRC[]");
        assert_eq!(show("xreg0[3..10]"), "OXM_OF_PKT_REG0[3..10]");
        assert_eq!(show("in_port_oxm[]"), "OXM_OF_IN_PORT[]");
        assert_eq!(show("OXM_OF_IN_PORT[0..15]"), "OXM_OF_IN_PORT[0..15]");
        assert_eq!(show("NXM_NX_REG0_W[]"), "NXM_NX_REG0[]");
        assert_eq!(show("tun_flags[0]"), "NXM_NX_TUN_FLAGS[]");
        assert_eq!(show("xxreg1[127]"), "NXM_NX_XXREG1[127]");
        assert_eq!(show("nsh_c1[]"), "NXOXM_NSH_C1[]");
    }

    #[test]
    fn errors_match_the_reference() {
        assert_eq!(
            show("vlan_vid[12]"),
            "vlan_vid[12]: starting bit 12 is not valid because field is only 12 bits wide"
        );
        assert_eq!(
            show("reg0[0..40]"),
            "reg0[0..40]: ending bit 40 is not valid because field is only 32 bits wide"
        );
        assert_eq!(
            show("reg0[3..2]"),
            "reg0[3..2]: starting bit 3 is after ending bit 2"
        );
        assert_eq!(
            show("reg0[a]"),
            "reg0[a]: syntax error expecting [] or [<bit>] or [<start>..<end>]"
        );
        assert_eq!(show("foo[]"), "foo[]: unknown field `foo'");
        assert_eq!(show("REG0[]"), "REG0[]: unknown field `REG0'");
        assert_eq!(
            show("reg0[0..31]x"),
            "unexpected input following field syntax"
        );
        // The name runs to the first '[' or '-'; messages quote everything.
        assert_eq!(show("1.2.3.4/8"), "1.2.3.4/8: unknown field `1.2.3.4/8'");
        assert_eq!(show("+trk"), "+trk: unknown field `+trk'");
        assert_eq!(show("reg0:"), "reg0:: unknown field `reg0:'");
        assert_eq!(show("reg0:[1]"), "reg0:[1]: unknown field `reg0:'");
        assert_eq!(show("reg0-x"), "unexpected input following field syntax");
        assert_eq!(
            show("reg0[40]x"),
            "reg0[40]x: starting bit 40 is not valid because field is only 32 bits wide"
        );
        let (sf, rest) = SubField::parse_prefix("reg0->reg1").unwrap();
        assert_eq!((sf, rest), (SubField::whole(FieldId::REG0), "->reg1"));
    }

    #[test]
    fn bit_numbers_are_c_ints() {
        let bad = |bits: &str, msg: &str| {
            assert_eq!(
                show(&format!("reg0[{bits}]")),
                format!("reg0[{bits}]: {msg}")
            );
        };
        let width = "is not valid because field is only 32 bits wide";
        bad("-1", &format!("starting bit -1 {width}"));
        bad("-5..-3", &format!("starting bit -5 {width}"));
        bad("0..-1", "starting bit 0 is after ending bit -1");
        bad("40..3", "starting bit 40 is after ending bit 3");
        bad("3..40", &format!("ending bit 40 {width}"));
        bad("2147483648", &format!("starting bit -2147483648 {width}"));
        bad("99999999999", &format!("starting bit 1215752191 {width}"));
        bad("9223372036854775807", &format!("starting bit -1 {width}"));
        bad(
            "+-1",
            "syntax error expecting [] or [<bit>] or [<start>..<end>]",
        );
        bad(
            "1..",
            "syntax error expecting [] or [<bit>] or [<start>..<end>]",
        );
        bad(
            "1..2..3",
            "syntax error expecting [] or [<bit>] or [<start>..<end>]",
        );
        bad(
            "0x1",
            "syntax error expecting [] or [<bit>] or [<start>..<end>]",
        );
        // Wrapping brings huge numbers back into range.
        assert_eq!(show("reg0[4294967297]"), "NXM_NX_REG0[1]");
        assert_eq!(show("reg0[18446744073709551617]"), "NXM_NX_REG0[1]");
        assert_eq!(show("reg0[-4294967295]"), "NXM_NX_REG0[1]");
        assert_eq!(show("reg0[4294967301..4294967305]"), "NXM_NX_REG0[5..9]");
        assert_eq!(show("reg0[+1]"), "NXM_NX_REG0[1]");
        assert_eq!(show("reg0[-0]"), "NXM_NX_REG0[0]");
        assert_eq!(show("reg0[01..07]"), "NXM_NX_REG0[1..7]");
    }

    #[test]
    fn empty_and_oversized_subfields_print_without_panicking() {
        let sf = |ofs, n_bits| SubField {
            field: FieldId::REG0,
            ofs,
            n_bits,
        };
        assert_eq!(sf(0, 0).to_string(), "NXM_NX_REG0[0..-1]");
        assert_eq!(sf(3, 0).to_string(), "NXM_NX_REG0[3..2]");
        assert_eq!(sf(0, 32).to_string(), "NXM_NX_REG0[]");
        assert_eq!(sf(0, 64).to_string(), "NXM_NX_REG0[0..63]");
        assert_eq!(sf(5, 32).to_string(), "NXM_NX_REG0[5..36]");
        assert_eq!(
            sf(u16::MAX, u16::MAX).to_string(),
            "NXM_NX_REG0[65535..131069]"
        );
    }
}
