//! The iteration order of the reference's hash maps, simulated from their insertions.
//!
//! A map keeps a power-of-two number of buckets, pushes each new entry onto the front
//! of its bucket's chain, grows when it holds more than two entries per bucket (to at
//! least four buckets; a regrow re-pushes every chain front to back, which reverses
//! it), and iterates bucket by bucket, each chain from its front.

use crate::hash::hash_string;

/// The bucket mask a map grows to when it holds `count` entries: the smallest
/// `2^k - 1` covering `count / 2`, and at least 3 once it is not 0.
fn grown_mask(count: usize) -> usize {
    let mut mask = count / 2;
    let mut shift = 1;
    while shift < usize::BITS {
        mask |= mask >> shift;
        shift *= 2;
    }
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
                    // Walk each old chain from its front, pushing onto the new chains.
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
/// reference replaces a repeated member in place, so only its first place counts).
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
        let order: Vec<_> = name_order(tables)
            .into_iter()
            .filter(|t| !t.starts_with('_'))
            .collect();
        assert_eq!(order, ["Interface", "Port", "Bridge", "Open_vSwitch"]);
        assert_eq!(
            name_order(["name", "interfaces", "tag"]),
            ["name", "interfaces", "tag"]
        );
        assert_eq!(
            name_order(["interfaces", "name", "tag"]),
            ["name", "interfaces", "tag"]
        );
    }

    #[test]
    fn matches_the_reference_for_many_columns() {
        let cols = ["name", "i", "r", "b", "s", "m", "o", "p", "u", "e", "rng"];
        assert_eq!(
            name_order(cols),
            ["name", "m", "rng", "u", "r", "e", "p", "b", "o", "i", "s"]
        );
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
        assert_eq!(name_order(["a", "b", "a"]), name_order(["a", "b"]));
        // A map that allows duplicates keeps both.
        assert_eq!(hmap_order([(7, "x"), (7, "y")]).len(), 2);
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

    #[test]
    fn masks_grow_like_the_reference() {
        assert_eq!(grown_mask(0), 0);
        assert_eq!(grown_mask(2), 3);
        assert_eq!(grown_mask(8), 7);
        assert_eq!(grown_mask(16), 15);
        assert_eq!(grown_mask(17), 15);
    }
}
