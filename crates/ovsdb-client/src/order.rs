//! The order in which the reference walks the members of a JSON object or the
//! tables and columns of a schema.
//!
//! Open vSwitch keeps object members, tables and columns in string hash maps and
//! prints several things (`list-tables`, `list-columns`, monitor rows, some error
//! texts) in whatever order those maps iterate. That order is deterministic: it
//! depends only on the names and the order in which they were inserted. This module
//! reproduces it, so our output lines up with the reference's.
//!
//! The map hashes a name with a 32-bit Murmur3-style function (basis 0) over its
//! bytes, keeps a power-of-two number of buckets, pushes each entry onto the front of
//! its bucket's chain, grows when it holds more than two entries per bucket (a regrow
//! re-pushes every chain front to back, reversing it) and iterates bucket by bucket.

/// The reference's `hash_string(s, 0)`.
pub fn hash_string(s: &str) -> u32 {
    hash_bytes(s.as_bytes(), 0)
}

fn hash_bytes(bytes: &[u8], basis: u32) -> u32 {
    let mut hash = basis;
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        hash = mix(
            hash,
            u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]),
        );
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        let mut word = [0u8; 4];
        word[..tail.len()].copy_from_slice(tail);
        hash = mix(hash, u32::from_le_bytes(word));
    }
    finish(hash ^ bytes.len() as u32)
}

fn mix(hash: u32, data: u32) -> u32 {
    let mut hash = hash;
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

/// The bucket mask a map grows to when it holds `count` entries.
fn grown_mask(count: usize) -> usize {
    let mut mask = count / 2;
    let mut shift = 1;
    while shift < usize::BITS {
        mask |= mask >> shift;
        shift *= 2;
    }
    // Once buckets are allocated there are at least four.
    mask | ((mask & 1) << 1)
}

/// The iteration order of a hash map filled with `(hash, item)` pairs in the given
/// order (repeated keys included, as in a map that allows duplicates).
pub fn hmap_order<T>(entries: impl IntoIterator<Item = (u32, T)>) -> Vec<T> {
    // Each chain is stored back to front, so pushing onto the front is `push`.
    let mut buckets: Vec<Vec<(u32, T)>> = vec![Vec::new()];
    let mut mask = 0usize;
    let mut count = 0usize;
    for (hash, item) in entries {
        buckets[hash as usize & mask].push((hash, item));
        count += 1;
        if count / 2 > mask {
            let new_mask = grown_mask(count);
            if new_mask > mask {
                let mut grown: Vec<Vec<(u32, T)>> = (0..=new_mask).map(|_| Vec::new()).collect();
                for chain in buckets {
                    for (h, item) in chain.into_iter().rev() {
                        grown[h as usize & new_mask].push((h, item));
                    }
                }
                buckets = grown;
                mask = new_mask;
            }
        }
    }
    buckets
        .into_iter()
        .flat_map(|chain| chain.into_iter().rev().map(|(_, item)| item))
        .collect()
}

/// The iteration order of a string hash map filled with `items` in the given order.
/// `name` extracts each item's key; items with a key seen before are dropped (the
/// reference replaces a repeated member in place).
pub fn iteration_order<T>(items: impl IntoIterator<Item = T>, name: impl Fn(&T) -> &str) -> Vec<T> {
    let mut seen = std::collections::HashSet::new();
    let entries: Vec<(u32, T)> = items
        .into_iter()
        .filter(|item| seen.insert(name(item).to_owned()))
        .map(|item| (hash_string(name(&item)), item))
        .collect();
    hmap_order(entries)
}

/// [`iteration_order`] for plain names.
pub fn name_order<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    iteration_order(names, |n| n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_matches_known_values() {
        // From an independent model of the algorithm whose iteration orders were
        // checked against list-columns output of the real ovsdb-client; a change
        // here would reorder every list-tables and list-columns output.
        for (s, h) in [
            ("", 0x0000_0000),
            ("a", 0x2b03_8801),
            ("Bridge", 0x19f1_9991),
            ("name", 0xdbaf_43f0),
            ("_uuid", 0xe9e0_2505),
            ("external_ids", 0x94ea_518a),
        ] {
            assert_eq!(hash_string(s), h, "{s:?}");
        }
    }

    #[test]
    fn server_schema_columns_come_out_in_reference_order() {
        // `ovsdb-client list-columns _Server` against the real server, whose
        // get_schema reply lists the columns in this text order.
        let text = [
            "name",
            "model",
            "connected",
            "leader",
            "schema",
            "sid",
            "cid",
            "index",
        ];
        let parsed = name_order(text);
        let columns = name_order(["_uuid", "_version"].into_iter().chain(parsed));
        assert_eq!(
            columns,
            [
                "_version",
                "model",
                "name",
                "connected",
                "leader",
                "schema",
                "_uuid",
                "cid",
                "sid",
                "index"
            ]
        );
    }

    #[test]
    fn repeated_names_keep_their_first_place() {
        let order = name_order(["a", "b", "a"]);
        assert_eq!(order.len(), 2);
    }

    #[test]
    fn growth_keeps_every_item() {
        let names: Vec<String> = (0..1000).map(|i| format!("col{i}")).collect();
        let order = name_order(names.iter().map(String::as_str));
        assert_eq!(order.len(), 1000);
        let mut sorted = order.clone();
        sorted.sort();
        let mut expected: Vec<&str> = names.iter().map(String::as_str).collect();
        expected.sort();
        assert_eq!(sorted, expected);
    }
}
