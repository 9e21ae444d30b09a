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

/// The dump without the ASCII column, as the reference's log messages carry
/// it: trailing blanks dropped, lines joined by newlines, no final newline.
pub fn hex_dump_plain(data: &[u8]) -> String {
    let mut out = String::new();
    for (line, chunk) in data.chunks(16).enumerate() {
        if line > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{:08x}  ", line * 16);
        for (i, b) in chunk.iter().enumerate() {
            let sep = if i == 7 { '-' } else { ' ' };
            let _ = write!(out, "{b:02x}{sep}");
        }
        while out.ends_with(' ') {
            out.pop();
        }
    }
    out
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

    #[test]
    fn plain_layout() {
        assert_eq!(
            hex_dump_plain(&[0, 0x63, 0, 8, 0, 0, 0, 0]),
            "00000000  00 63 00 08 00 00 00 00-"
        );
        assert_eq!(
            hex_dump_plain(&[1; 17]),
            "00000000  01 01 01 01 01 01 01 01-01 01 01 01 01 01 01 01\n00000010  01"
        );
    }
}
