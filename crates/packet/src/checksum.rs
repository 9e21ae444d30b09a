//! Internet (ones' complement) checksums: full sums, pseudo-headers,
//! incremental updates after a field rewrite (RFC 1624), and the CRC32c
//! that SCTP uses.

/// Adds the bytes of `data`, as big-endian 16-bit words (an odd last byte
/// padded with zero), to the running sum `acc`. The sum is kept unfolded in
/// 64 bits so that any packet size fits without overflow.
pub fn sum(data: &[u8], acc: u64) -> u64 {
    let mut acc = acc;
    let mut words = data.chunks_exact(2);
    for w in &mut words {
        acc += u64::from(u16::from_be_bytes([w[0], w[1]]));
    }
    if let [last] = words.remainder() {
        acc += u64::from(*last) << 8;
    }
    acc
}

/// Folds an unfolded sum into 16 bits with end-around carry.
pub fn fold(mut acc: u64) -> u16 {
    while acc >> 16 != 0 {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The checksum field value for `data` (already containing a zero checksum
/// field): the complement of the folded sum.
pub fn checksum(data: &[u8]) -> u16 {
    !fold(sum(data, 0))
}

/// The unfolded sum of the IPv4 pseudo-header (source, destination, zero,
/// protocol, L4 length).
pub fn pseudo_v4(src: [u8; 4], dst: [u8; 4], proto: u8, l4_len: u32) -> u64 {
    let acc = sum(&src, 0);
    let acc = sum(&dst, acc);
    acc + u64::from(proto) + u64::from(l4_len)
}

/// The unfolded sum of the IPv6 pseudo-header (RFC 8200 section 8.1).
pub fn pseudo_v6(src: &[u8; 16], dst: &[u8; 16], next_header: u8, l4_len: u32) -> u64 {
    let acc = sum(src, 0);
    let acc = sum(dst, acc);
    acc + u64::from(next_header) + u64::from(l4_len >> 16) + u64::from(l4_len & 0xffff)
}

/// Ones' complement addition of two 16-bit values.
fn add16(a: u16, b: u16) -> u16 {
    let s = u32::from(a) + u32::from(b);
    ((s & 0xffff) + (s >> 16)) as u16
}

/// RFC 1624 eqn. 3: the new checksum field after a 16-bit word of the
/// covered data changed from `old` to `new`: HC' = ~(~HC + ~m + m').
pub fn update16(csum: u16, old: u16, new: u16) -> u16 {
    !add16(add16(!csum, !old), new)
}

/// [`update16`] for a 32-bit field (two words).
pub fn update32(csum: u16, old: u32, new: u32) -> u16 {
    let c = update16(csum, (old >> 16) as u16, (new >> 16) as u16);
    update16(c, old as u16, new as u16)
}

/// [`update16`] for a field of any even length (IPv6 addresses, MACs),
/// given its old and new bytes; both slices have the same length and the
/// field starts at an even offset of the covered data.
pub fn update_bytes(csum: u16, old: &[u8], new: &[u8]) -> u16 {
    old.chunks(2)
        .zip(new.chunks(2))
        .fold(csum, |c, (o, n)| update16(c, word(o), word(n)))
}

/// A partial checksum field (CHECKSUM_PARTIAL: it holds the folded,
/// uncomplemented pseudo-header sum) after a pseudo-header word changed:
/// the stored sum moves by `new - old`.
pub fn update_partial16(partial: u16, old: u16, new: u16) -> u16 {
    add16(add16(partial, !old), new)
}

/// [`update_partial16`] over a field of any even length.
pub fn update_partial_bytes(partial: u16, old: &[u8], new: &[u8]) -> u16 {
    old.chunks(2)
        .zip(new.chunks(2))
        .fold(partial, |c, (o, n)| update_partial16(c, word(o), word(n)))
}

/// A big-endian word from one or two bytes (a single byte is the high half).
fn word(b: &[u8]) -> u16 {
    match b {
        [h, l, ..] => u16::from_be_bytes([*h, *l]),
        [h] => u16::from(*h) << 8,
        [] => 0,
    }
}

/// CRC32c (Castagnoli, reflected polynomial 0x82F63B78) lookup table.
const CRC32C_TABLE: [u32; 256] = {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82F6_3B78
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
};

/// CRC32c of `data` (initial value and final xor 0xffffffff), as SCTP
/// (RFC 4960 appendix B) uses it.
pub fn crc32c(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |c, b| {
        CRC32C_TABLE[usize::from((c as u8) ^ b)] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc1071_example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2.
        let d = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(fold(sum(&d, 0)), 0xddf2);
        assert_eq!(checksum(&d), !0xddf2);
    }

    #[test]
    fn incremental_matches_full() {
        let mut d = [
            0x45u8, 0, 0, 0x54, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ];
        let c = checksum(&d);
        d[10..12].copy_from_slice(&c.to_be_bytes());
        let old = [d[12], d[13], d[14], d[15]];
        d[12..16].copy_from_slice(&[192, 168, 77, 9]);
        let inc = update_bytes(c, &old, &[192, 168, 77, 9]);
        d[10..12].copy_from_slice(&[0, 0]);
        assert_eq!(inc, checksum(&d));
    }

    #[test]
    fn crc32c_check_value() {
        // The standard check value for "123456789".
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
    }

    #[test]
    fn partial_update_tracks_pseudo_header() {
        let a = pseudo_v4([10, 0, 0, 1], [10, 0, 0, 2], 6, 40);
        let b = pseudo_v4([10, 9, 0, 1], [10, 0, 0, 2], 6, 40);
        let p = update_partial_bytes(fold(a), &[10, 0, 0, 1], &[10, 9, 0, 1]);
        // Equal as ones' complement numbers (0 and 0xffff are the same).
        assert_eq!(fold(u64::from(p)) % 0xffff, fold(b) % 0xffff);
    }
}
