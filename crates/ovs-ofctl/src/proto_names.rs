//! The names `-O`/`--protocols` and `-F`/`--flow-format` accept, and the way
//! ovs-ofctl writes sets of versions and flow protocols in its messages
//! ("OXM,OpenFlow10+table_id", "version 0x01, 0x05").

use openflow::protocol::Protocols;
use openflow::{Version, VersionSet};

/// `-O`: version names separated by commas or blanks, case-insensitive
/// ("OpenFlow13"). No names at all means every version.
pub fn parse_versions(s: &str) -> Result<VersionSet, String> {
    let mut set = VersionSet::default();
    for word in s
        .split([',', ' ', '\t', '\r', '\n'])
        .filter(|w| !w.is_empty())
    {
        let v = Version::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(word))
            .ok_or_else(|| format!("Unknown OpenFlow version: \"{word}\""))?;
        set.insert(v);
    }
    Ok(if set.is_empty() { VersionSet::ALL } else { set })
}

/// Names for whole groups of protocols, tried before single names when
/// writing a set (so a set reads "OXM,OpenFlow11", not five names).
const GROUPS: [(Protocols, &str); 4] = [
    (Protocols::ANY, "any"),
    (Protocols::OF10_STD_ANY, "OpenFlow10"),
    (Protocols::OF10_NXM_ANY, "NXM"),
    (Protocols::OXM_ANY, "OXM"),
];

/// The single protocols, lowest bit first.
const SINGLES: [Protocols; 9] = [
    Protocols::OF10_STD,
    Protocols::OF10_STD_TID,
    Protocols::OF10_NXM,
    Protocols::OF10_NXM_TID,
    Protocols::OF11_STD,
    Protocols::OF12_OXM,
    Protocols::OF13_OXM,
    Protocols::OF14_OXM,
    Protocols::OF15_OXM,
];

fn single_name(p: Protocols) -> &'static str {
    p.single_name().unwrap_or("none")
}

/// `-F`: names separated by commas (blanks are part of a name), each a group
/// name or a single protocol's name, case-insensitive.
pub fn parse_protocols(s: &str) -> Result<Protocols, String> {
    let mut set = Protocols::NONE;
    for word in s.split(',').filter(|w| !w.is_empty()) {
        let found = GROUPS
            .iter()
            .map(|&(p, n)| (p, n))
            .chain(SINGLES.iter().map(|&p| (p, single_name(p))))
            .find(|(_, n)| n.eq_ignore_ascii_case(word));
        match found {
            Some((p, _)) => set = set.union(p),
            None => return Err(format!("{word}: unknown flow protocol")),
        }
    }
    if set.is_empty() {
        return Err(format!("{s}: no flow protocol specified"));
    }
    Ok(set)
}

/// A set of protocols as ovs-ofctl writes it: group names where a whole group
/// is present, then single names, comma-separated; "none" when empty.
pub fn protocols_to_string(mut set: Protocols) -> String {
    if set.is_empty() {
        return "none".into();
    }
    let mut parts = Vec::new();
    while !set.is_empty() {
        if let Some(&(p, n)) = GROUPS.iter().find(|(p, _)| set.contains(*p)) {
            parts.push(n);
            set = set.remove(p);
        } else if let Some(&p) = SINGLES.iter().find(|p| set.contains(**p)) {
            parts.push(single_name(p));
            set = set.remove(p);
        } else {
            break;
        }
    }
    parts.join(",")
}

/// Every protocol of the versions in `set`.
pub fn protocols_of_versions(set: VersionSet) -> Protocols {
    set.iter().fold(Protocols::NONE, |acc, v| {
        acc.union(Protocols::of_version(v))
    })
}

/// The versions some protocol in `set` belongs to.
pub fn versions_of_protocols(set: Protocols) -> VersionSet {
    let mut out = VersionSet::default();
    for v in Version::ALL {
        if set.intersects(Protocols::of_version(v)) {
            out.insert(v);
        }
    }
    out
}

/// "OpenFlow10, OpenFlow13": a version set in the `-O` consistency error.
pub fn versions_to_names(set: VersionSet) -> String {
    set.iter().map(Version::name).collect::<Vec<_>>().join(", ")
}

/// The version numbers of a bitmap as hello negotiation logs them:
/// "version 0x01" or "versions 0x01, 0x05". Raw bits, so versions this
/// program does not know still show.
pub fn version_bits_text(bits: u32) -> String {
    let list: Vec<String> = (0..32)
        .filter(|i| bits & (1u32 << i) != 0)
        .map(|i| format!("0x{i:02x}"))
        .collect();
    if list.len() == 1 {
        format!("version {}", list[0])
    } else {
        format!("versions {}", list.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_lists() {
        let s = parse_versions("OpenFlow13 openflow10").unwrap();
        assert!(s.contains(Version::Of10) && s.contains(Version::Of13));
        assert_eq!(parse_versions("").unwrap(), VersionSet::ALL);
        assert_eq!(
            parse_versions("OpenFlow13,OF14").unwrap_err(),
            "Unknown OpenFlow version: \"OF14\""
        );
    }

    #[test]
    fn protocol_lists() {
        assert_eq!(parse_protocols("nxm,").unwrap(), Protocols::OF10_NXM_ANY);
        assert_eq!(
            parse_protocols(" nxm").unwrap_err(),
            " nxm: unknown flow protocol"
        );
        assert_eq!(
            parse_protocols(",").unwrap_err(),
            ",: no flow protocol specified"
        );
        let usable = Protocols::OXM_ANY
            .union(Protocols::OF10_STD_TID)
            .union(Protocols::OF10_NXM_TID)
            .union(Protocols::OF11_STD);
        assert_eq!(
            protocols_to_string(usable),
            "OXM,OpenFlow10+table_id,NXM+table_id,OpenFlow11"
        );
        assert_eq!(protocols_to_string(Protocols::OF10_ANY), "OpenFlow10,NXM");
        assert_eq!(protocols_to_string(Protocols::ANY), "any");
    }

    #[test]
    fn bitmap_texts() {
        assert_eq!(version_bits_text(0x02), "version 0x01");
        assert_eq!(version_bits_text(0x60), "versions 0x05, 0x06");
    }
}
