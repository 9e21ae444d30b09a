//! Schema version numbers (`x.y.z`) for `compare-versions`, parsed the way the
//! reference's `sscanf("%u.%u.%u")` does.
//!
//! That parser is more lenient than the documentation suggests and scripts rely on
//! what it accepts: each number may have leading white space and a sign (a negative
//! number wraps around to a large one), leading zeros, and any number of digits (the
//! value wraps modulo 2^64 and is then cut to 32 bits, as observed). Nothing may
//! follow the third number.

use std::cmp::Ordering;

/// Parses `x.y.z`, or `None` if it is not a version number.
pub fn parse(s: &str) -> Option<[u32; 3]> {
    let mut rest = s.as_bytes();
    let mut parts = [0u32; 3];
    for (i, part) in parts.iter_mut().enumerate() {
        if i > 0 {
            rest = rest.strip_prefix(b".")?;
        }
        let (value, after) = scan_unsigned(rest)?;
        *part = value;
        rest = after;
    }
    rest.is_empty().then_some(parts)
}

/// One `%u` conversion: white space, an optional sign, then decimal digits.
fn scan_unsigned(input: &[u8]) -> Option<(u32, &[u8])> {
    let mut i = 0;
    while input
        .get(i)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r'))
    {
        i += 1;
    }
    let negative = match input.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut value: u64 = 0;
    while let Some(d) = input.get(i).filter(|c| c.is_ascii_digit()) {
        value = value.wrapping_mul(10).wrapping_add(u64::from(d - b'0'));
        i += 1;
    }
    if i == start {
        return None;
    }
    let value = if negative {
        value.wrapping_neg()
    } else {
        value
    };
    // Computed as a 64-bit unsigned number, then stored in a 32-bit one.
    Some((value as u32, &input[i..]))
}

/// A relational operator of `compare-versions`.
pub fn compare(a: [u32; 3], op: &str, b: [u32; 3]) -> Option<bool> {
    let ord = a.cmp(&b);
    Some(match op {
        "<" => ord == Ordering::Less,
        "<=" => ord != Ordering::Greater,
        "==" => ord == Ordering::Equal,
        ">=" => ord != Ordering::Less,
        ">" => ord == Ordering::Greater,
        "!=" => ord != Ordering::Equal,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases observed with the real ovsdb-tool 3.1.
    #[test]
    fn accepts_what_sscanf_accepts() {
        assert_eq!(parse("1.2.3"), Some([1, 2, 3]));
        assert_eq!(parse("01.2.3"), Some([1, 2, 3]));
        assert_eq!(parse(" 1.2.3"), Some([1, 2, 3]));
        assert_eq!(parse("1. 2.+3"), Some([1, 2, 3]));
        assert_eq!(parse("1.2.-3"), Some([1, 2, 4294967293]));
        assert_eq!(parse("4294967296.0.0"), Some([0, 0, 0]));
        assert_eq!(parse("999999999999.0.0"), Some([3567587327, 0, 0]));
        assert_eq!(
            parse("99999999999999999999999.0.0"),
            Some([4135583743, 0, 0])
        );
        assert_eq!(parse("18446744073709551617.0.0"), Some([1, 0, 0]));
    }

    #[test]
    fn refuses_the_rest() {
        for bad in [
            "1.2", "1.2.3.4", "1.2.3x", "1..3", "1.2.", "0x1.2.3", "1.2.3 ", "x", "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn operators() {
        let (a, b) = ([1, 2, 9], [1, 2, 10]);
        assert_eq!(compare(a, "<", b), Some(true));
        assert_eq!(compare(a, ">", b), Some(false));
        assert_eq!(compare(a, "!=", b), Some(true));
        assert_eq!(compare(a, "<=", a), Some(true));
        assert_eq!(compare(a, "==", a), Some(true));
        assert_eq!(compare(a, ">=", b), Some(false));
        assert_eq!(compare(a, "=", b), None);
    }
}
