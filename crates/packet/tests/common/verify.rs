//! An independent checksum verifier for tests: walks the frame itself and
//! recomputes every checksum from scratch (RFC 1071 sums over a freshly
//! built pseudo-header, a bitwise CRC32c), without the crate's helpers.

/// RFC 1071 sum of `data` folded to 16 bits (not complemented).
fn ones_sum(data: &[u8]) -> u16 {
    let mut s: u32 = 0;
    let mut i = 0;
    while i + 1 < data.len() {
        s += u32::from(data[i]) << 8 | u32::from(data[i + 1]);
        i += 2;
    }
    if i < data.len() {
        s += u32::from(data[i]) << 8;
    }
    while s > 0xffff {
        s = (s & 0xffff) + (s >> 16);
    }
    s as u16
}

/// Bitwise CRC32c (slow, obviously right).
pub fn crc32c_bitwise(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for b in data {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x82f6_3b78
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// Checks the IPv4 header checksum and the TCP/UDP/ICMP/ICMPv6/SCTP
/// checksum of an Ethernet frame (VLAN tags skipped). Returns a
/// description of the first bad checksum. Frames without IP, later
/// fragments and first fragments (whose L4 sum covers data not here) are
/// only checked as far as they go.
pub fn check(frame: &[u8]) -> Result<(), String> {
    let mut off = 12;
    while off + 4 <= frame.len() && matches!(&frame[off..off + 2], [0x81, 0x00] | [0x88, 0xa8]) {
        off += 4;
    }
    if off + 2 > frame.len() {
        return Ok(());
    }
    let ty = u16::from_be_bytes([frame[off], frame[off + 1]]);
    let l3 = off + 2;
    let (proto, l4, end, pseudo): (u8, usize, usize, Vec<u8>) = match ty {
        0x0800 => {
            if l3 + 20 > frame.len() {
                return Ok(());
            }
            let ihl = usize::from(frame[l3] & 15) * 4;
            let tot = usize::from(u16::from_be_bytes([frame[l3 + 2], frame[l3 + 3]]));
            if ihl < 20 || l3 + tot > frame.len() || tot < ihl {
                return Ok(());
            }
            if ones_sum(&frame[l3..l3 + ihl]) != 0xffff {
                return Err(format!("bad IPv4 header checksum in {}", hex(frame)));
            }
            let frag = u16::from_be_bytes([frame[l3 + 6], frame[l3 + 7]]);
            if frag & 0x3fff != 0 {
                return Ok(());
            }
            let proto = frame[l3 + 9];
            let len = (tot - ihl) as u16;
            let mut ph = frame[l3 + 12..l3 + 20].to_vec();
            ph.extend_from_slice(&[0, proto]);
            ph.extend_from_slice(&len.to_be_bytes());
            (proto, l3 + ihl, l3 + tot, ph)
        }
        0x86dd => {
            if l3 + 40 > frame.len() {
                return Ok(());
            }
            let plen = usize::from(u16::from_be_bytes([frame[l3 + 4], frame[l3 + 5]]));
            if l3 + 40 + plen > frame.len() {
                return Ok(());
            }
            // Only packets without extension headers are checked here.
            let proto = frame[l3 + 6];
            let mut ph = frame[l3 + 8..l3 + 40].to_vec();
            ph.extend_from_slice(&(plen as u32).to_be_bytes());
            ph.extend_from_slice(&[0, 0, 0, proto]);
            (proto, l3 + 40, l3 + 40 + plen, ph)
        }
        _ => return Ok(()),
    };
    let seg = &frame[l4..end];
    let needs = |min: usize| seg.len() >= min;
    match proto {
        6 if needs(20) => sum_ok(&pseudo, seg, "TCP", frame),
        17 if needs(8) => {
            if seg[6..8] == [0, 0] && ty == 0x0800 {
                return Ok(());
            }
            sum_ok(&pseudo, seg, "UDP", frame)
        }
        1 if needs(8) && ty == 0x0800 => sum_ok(&[], seg, "ICMP", frame),
        58 if needs(4) && ty == 0x86dd => sum_ok(&pseudo, seg, "ICMPv6", frame),
        132 if needs(12) => {
            let mut c = seg.to_vec();
            let stored = u32::from_le_bytes([c[8], c[9], c[10], c[11]]);
            c[8..12].fill(0);
            if crc32c_bitwise(&c) != stored {
                return Err(format!("bad SCTP CRC in {}", hex(frame)));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn sum_ok(pseudo: &[u8], seg: &[u8], what: &str, frame: &[u8]) -> Result<(), String> {
    let mut all = pseudo.to_vec();
    all.extend_from_slice(seg);
    if ones_sum(&all) != 0xffff {
        return Err(format!("bad {what} checksum in {}", hex(frame)));
    }
    Ok(())
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
