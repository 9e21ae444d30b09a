//! The order in which Open vSwitch iterates over the members of a parsed JSON object.
//!
//! `show-log` prints a record's tables, rows and columns in the order the reference's
//! string hash map happens to hold them, not sorted and not in file order. Users and
//! scripts compare `show-log` output, so we reproduce that order: the map hashes each
//! name with a 32-bit Murmur3-style function (basis 0), keeps a power-of-two number of
//! buckets (doubling once it holds more than two entries per bucket, with at least four
//! buckets after the first growth), pushes each new entry on the front of its bucket's
//! chain (a rehash re-pushes every chain in order, which reverses it), and iterates
//! bucket by bucket, each chain from its front. The result depends only on the names
//! and the order they were inserted in, which for a parsed object is text order.

/// The order in which the reference visits `names`, given in insertion order. Names
/// must be distinct (a repeated member replaces the earlier one in place, so callers
/// pass each name once, at its first position).
pub fn iteration_order<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut buckets: Vec<Vec<(u32, &'a str)>> = vec![Vec::new()];
    let mut mask = 0usize;
    for (n, name) in names.iter().enumerate() {
        let hash = hash_string(name);
        // Each chain is kept back to front, so "push on the front" is a `push`.
        buckets[hash as usize & mask].push((hash, name));
        let count = n + 1;
        if count / 2 > mask {
            let new_mask = capacity_mask(count);
            if new_mask > mask {
                let mut grown: Vec<Vec<(u32, &'a str)>> = vec![Vec::new(); new_mask + 1];
                for chain in &buckets {
                    // Walk each old chain from its front, pushing onto the new chains.
                    for &(h, s) in chain.iter().rev() {
                        grown[h as usize & new_mask].push((h, s));
                    }
                }
                buckets = grown;
                mask = new_mask;
            }
        }
    }
    buckets
        .iter()
        .flat_map(|chain| chain.iter().rev().map(|&(_, s)| s))
        .collect()
}

/// Buckets mask for `capacity` entries: the smallest `2^k - 1` covering `capacity / 2`,
/// and at least 3 once it is not 0.
fn capacity_mask(capacity: usize) -> usize {
    let mut mask = capacity / 2;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    mask | ((mask & 1) << 1)
}

/// The reference's string hash: Murmur3-style mixing of little-endian 32-bit words
/// (the last one zero-padded), finished with the byte length.
pub fn hash_string(s: &str) -> u32 {
    let bytes = s.as_bytes();
    let mut hash = 0u32;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        hash = mix(
            hash,
            u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
        );
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 4];
        word[..rest.len()].copy_from_slice(rest);
        hash = mix(hash, u32::from_le_bytes(word));
    }
    finish(hash ^ bytes.len() as u32)
}

fn mix(hash: u32, data: u32) -> u32 {
    let mut hash = hash;
    // A zero word leaves the hash as it was before the rotation step.
    if data != 0 {
        let d = data
            .wrapping_mul(0xcc9e_2d51)
            .rotate_left(15)
            .wrapping_mul(0x1b87_3593);
        hash ^= d;
    }
    hash.rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn finish(mut hash: u32) -> u32 {
    hash ^= hash >> 16;
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^ (hash >> 16)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Orders observed from the real ovsdb-tool 3.1 `show-log -m -m`.
    #[test]
    fn matches_the_reference_for_a_vswitch_record() {
        let tables = [
            "Interface",
            "Port",
            "_date",
            "Bridge",
            "_is_diff",
            "_comment",
            "Open_vSwitch",
        ];
        let order: Vec<_> = iteration_order(&tables)
            .into_iter()
            .filter(|t| !t.starts_with('_'))
            .collect();
        assert_eq!(order, ["Interface", "Port", "Bridge", "Open_vSwitch"]);
        assert_eq!(
            iteration_order(&["name", "interfaces", "tag"]),
            ["name", "interfaces", "tag"]
        );
        assert_eq!(
            iteration_order(&["interfaces", "name", "tag"]),
            ["name", "interfaces", "tag"]
        );
    }

    #[test]
    fn matches_the_reference_for_many_columns() {
        let cols = ["name", "i", "r", "b", "s", "m", "o", "p", "u", "e", "rng"];
        assert_eq!(
            iteration_order(&cols),
            ["name", "m", "rng", "u", "r", "e", "p", "b", "o", "i", "s"]
        );
    }

    #[test]
    fn every_name_comes_out_once() {
        let names: Vec<String> = (0..1000).map(|i| format!("n{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut order = iteration_order(&refs);
        assert_eq!(order.len(), 1000);
        order.sort_unstable();
        order.dedup();
        assert_eq!(order.len(), 1000);
    }

    #[test]
    fn masks_grow_like_the_reference() {
        assert_eq!(capacity_mask(0), 0);
        assert_eq!(capacity_mask(2), 3);
        assert_eq!(capacity_mask(8), 7);
        assert_eq!(capacity_mask(16), 15);
        assert_eq!(capacity_mask(17), 15);
    }
}
