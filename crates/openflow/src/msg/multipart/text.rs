//! Text helpers of the group and meter syntaxes. The tokenizer and the
//! C-style numbers are the flow syntax's (`flow_text`), so every ovs-ofctl
//! string splits the same way; what only groups and meters need is here.

pub use crate::flow_text::{str_to_u16, str_to_u32, str_to_u64, KeyValues};

/// ovs-ofctl's `str_to_u8`: "invalid NAME \"S\"" unless 0..=255.
pub fn str_to_u8(s: &str, name: &str) -> Result<u8, String> {
    str_to_u16(s, name).and_then(|v| u8::try_from(v).map_err(|_| format!("invalid {name} \"{s}\"")))
}

/// Names of the set bits of `bits` from `names` (bit, name), separated by
/// spaces, unknown bits as one hex number, "0" when none are set: the
/// reference's bitmap printing.
pub fn format_bit_names(out: &mut String, bits: u32, names: &[(u32, &str)]) {
    if bits == 0 {
        out.push('0');
        return;
    }
    let mut parts: Vec<String> = names
        .iter()
        .filter(|(bit, _)| bits & bit != 0)
        .map(|(_, name)| (*name).to_string())
        .collect();
    let known = names.iter().fold(0, |k, (bit, _)| k | bit);
    if bits & !known != 0 {
        parts.push(format!("0x{:x}", bits & !known));
    }
    out.push_str(&parts.join(" "));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_bits() {
        assert_eq!(str_to_u8("255", "x"), Ok(255));
        assert_eq!(str_to_u8("256", "x"), Err("invalid x \"256\"".into()));
        assert_eq!(str_to_u8("-1", "x"), Err("invalid x \"-1\"".into()));
        let mut s = String::new();
        format_bit_names(&mut s, 0b1011, &[(1, "a"), (2, "b")]);
        assert_eq!(s, "a b 0x8");
        s.clear();
        format_bit_names(&mut s, 0, &[(1, "a")]);
        assert_eq!(s, "0");
    }
}
