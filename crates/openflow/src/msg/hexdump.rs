//! The hex dump ofp-print appends to messages it cannot (fully) decode:
//! 16 bytes per line, an offset, a `-` between the two halves and the
//! printable ASCII on the right.

use std::fmt::Write;

/// Appends the dump of `data` (offsets start at 0), one line per 16 bytes,
/// each ending in a newline.
pub fn hex_dump(out: &mut String, data: &[u8]) {
    for (line, chunk) in data.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}  ", line * 16);
        for i in 0..16 {
            match chunk.get(i) {
                Some(b) => {
                    let sep = if i == 7 { '-' } else { ' ' };
                    let _ = write!(out, "{b:02x}{sep}");
                }
                None => out.push_str("   "),
            }
        }
        out.push('|');
        for i in 0..16 {
            out.push(match chunk.get(i) {
                Some(&b) if (0x20..0x7f).contains(&b) => char::from(b),
                Some(_) => '.',
                None => ' ',
            });
        }
        out.push_str("|\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout() {
        let mut s = String::new();
        hex_dump(&mut s, &[1, 0, 0, 9, 0, 0, 0, 1, 0x61]);
        assert_eq!(
            s,
            "00000000  01 00 00 09 00 00 00 01-61                      |........a       |\n"
        );
        let mut s = String::new();
        hex_dump(&mut s, &[0u8; 17]);
        assert_eq!(s.lines().count(), 2);
        assert!(s.starts_with("00000000  00 00 00 00 00 00 00 00-00 00 00 00 00 00 00 00 |"));
        assert!(s.contains("\n00000010  00 "));
    }
}
