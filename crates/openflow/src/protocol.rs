//! Flow protocols: a version plus, for OF1.0, the flow format (standard
//! ofp_match or NXM) and whether flow_mods carry a table id. A flow, match or
//! action list says which protocols can express it ("usable protocols"), and
//! ovs-ofctl picks one the switch speaks.

use std::fmt;

use crate::version::{Version, VersionSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Protocols(pub u16);

impl Protocols {
    pub const OF10_STD: Protocols = Protocols(1 << 0);
    pub const OF10_STD_TID: Protocols = Protocols(1 << 1);
    pub const OF10_NXM: Protocols = Protocols(1 << 2);
    pub const OF10_NXM_TID: Protocols = Protocols(1 << 3);
    pub const OF11_STD: Protocols = Protocols(1 << 4);
    pub const OF12_OXM: Protocols = Protocols(1 << 5);
    pub const OF13_OXM: Protocols = Protocols(1 << 6);
    pub const OF14_OXM: Protocols = Protocols(1 << 7);
    pub const OF15_OXM: Protocols = Protocols(1 << 8);

    pub const NONE: Protocols = Protocols(0);
    pub const OF10_STD_ANY: Protocols = Protocols(0b11);
    pub const OF10_NXM_ANY: Protocols = Protocols(0b1100);
    pub const OF10_ANY: Protocols = Protocols(0b1111);
    pub const OXM_ANY: Protocols = Protocols(0b1_1110_0000);
    /// Every protocol whose OF1.0 flavour (if any) carries the table id.
    pub const TID: Protocols = Protocols(0b1_1111_1010);
    /// Protocols that can carry NXM/OXM matches (everything but the fixed matches).
    pub const NXM_OXM_ANY: Protocols = Protocols(0b1_1110_1100);
    pub const ANY: Protocols = Protocols(0b1_1111_1111);

    const SINGLE_NAMES: [(Protocols, &'static str); 9] = [
        (Protocols::OF10_STD, "OpenFlow10-table_id"),
        (Protocols::OF10_STD_TID, "OpenFlow10+table_id"),
        (Protocols::OF10_NXM, "NXM-table_id"),
        (Protocols::OF10_NXM_TID, "NXM+table_id"),
        (Protocols::OF11_STD, "OpenFlow11"),
        (Protocols::OF12_OXM, "OXM-OpenFlow12"),
        (Protocols::OF13_OXM, "OXM-OpenFlow13"),
        (Protocols::OF14_OXM, "OXM-OpenFlow14"),
        (Protocols::OF15_OXM, "OXM-OpenFlow15"),
    ];

    pub fn contains(self, other: Protocols) -> bool {
        self.0 & other.0 == other.0
    }
    pub fn intersects(self, other: Protocols) -> bool {
        self.0 & other.0 != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn union(self, other: Protocols) -> Protocols {
        Protocols(self.0 | other.0)
    }
    pub fn intersect(self, other: Protocols) -> Protocols {
        Protocols(self.0 & other.0)
    }
    pub fn remove(self, other: Protocols) -> Protocols {
        Protocols(self.0 & !other.0)
    }

    /// The single protocols in this set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = Protocols> {
        Self::SINGLE_NAMES
            .into_iter()
            .map(|(p, _)| p)
            .filter(move |p| self.contains(*p))
    }

    /// The name of a single protocol ("NXM+table_id"), None for sets.
    pub fn single_name(self) -> Option<&'static str> {
        Self::SINGLE_NAMES
            .iter()
            .find(|(p, _)| *p == self)
            .map(|(_, n)| *n)
    }

    /// The protocols of one version (all four OF1.0 flavours for OF1.0).
    pub fn of_version(v: Version) -> Protocols {
        match v {
            Version::Of10 => Protocols::OF10_ANY,
            Version::Of11 => Protocols::OF11_STD,
            Version::Of12 => Protocols::OF12_OXM,
            Version::Of13 => Protocols::OF13_OXM,
            Version::Of14 => Protocols::OF14_OXM,
            Version::Of15 => Protocols::OF15_OXM,
        }
    }

    /// The version of a single protocol.
    pub fn version(self) -> Option<Version> {
        Version::ALL
            .into_iter()
            .find(|v| Protocols::of_version(*v).contains(self) && !self.is_empty())
    }
}

/// Names of protocol groups, tried (in this order) before single names when
/// printing a set, as `ovs-ofctl` prints "usable protocols: ...".
const GROUP_NAMES: [(Protocols, &str); 4] = [
    (Protocols::ANY, "any"),
    (Protocols::OF10_STD_ANY, "OpenFlow10"),
    (Protocols::OF10_NXM_ANY, "NXM"),
    (Protocols::OXM_ANY, "OXM"),
];

impl Protocols {
    /// Every protocol of the versions in `versions`.
    pub fn of_versions(versions: VersionSet) -> Protocols {
        versions.iter().fold(Protocols::NONE, |acc, v| {
            acc.union(Protocols::of_version(v))
        })
    }

    /// The versions that have at least one protocol of this set.
    pub fn versions(self) -> VersionSet {
        let mut set = VersionSet::default();
        for v in Version::ALL {
            if self.intersects(Protocols::of_version(v)) {
                set.insert(v);
            }
        }
        set
    }

    /// "OXM,OpenFlow10+table_id,NXM+table_id,OpenFlow11", "any", "none":
    /// groups that are wholly in the set first, then single protocols.
    pub fn to_names(self) -> String {
        let mut rest = self.intersect(Protocols::ANY);
        if rest.is_empty() {
            return "none".to_string();
        }
        let mut names = Vec::new();
        for (group, name) in GROUP_NAMES {
            if rest.contains(group) {
                names.push(name);
                rest = rest.remove(group);
            }
        }
        for p in rest.iter() {
            if let Some(n) = p.single_name() {
                names.push(n);
            }
        }
        names.join(",")
    }

    /// One protocol or group name, case-insensitively ("nxm", "OXM-OpenFlow13").
    pub fn from_name(name: &str) -> Option<Protocols> {
        GROUP_NAMES
            .iter()
            .chain(Self::SINGLE_NAMES.iter())
            .find(|(_, n)| n.eq_ignore_ascii_case(name))
            .map(|(p, _)| *p)
    }

    /// A comma-separated list of names, as `-F` / `--flow-format` take it;
    /// errors are the reference's messages.
    pub fn parse_list(s: &str) -> Result<Protocols, String> {
        let mut set = Protocols::NONE;
        for name in s.split(',').filter(|n| !n.is_empty()) {
            let p = Protocols::from_name(name)
                .ok_or_else(|| format!("{name}: unknown flow protocol"))?;
            set = set.union(p);
        }
        if set.is_empty() {
            return Err(format!("{s}: no flow protocol specified"));
        }
        Ok(set)
    }

    /// The lowest single protocol in the set (what a tool uses when any of
    /// them will do), or None for an empty set.
    pub fn first(self) -> Option<Protocols> {
        self.iter().next()
    }
}

impl fmt::Display for Protocols {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_names())
    }
}

/// Parses an `-O` / `--protocols` version list: names "OpenFlow10" ..
/// "OpenFlow15" (case-insensitive) separated by commas and/or spaces.
pub fn parse_versions(s: &str) -> Result<VersionSet, String> {
    let mut set = VersionSet::default();
    for name in s.split([',', ' ', '\t']).filter(|n| !n.is_empty()) {
        let v = Version::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| format!("Unknown OpenFlow version: \"{name}\""))?;
        set.insert(v);
    }
    Ok(set)
}

/// "OpenFlow10, OpenFlow13": a version set as the reference lists it in messages.
pub fn format_versions(set: VersionSet) -> String {
    set.iter().map(Version::name).collect::<Vec<_>>().join(", ")
}

/// The error ovs-ofctl gives when `-O` and `-F` leave nothing to use.
pub fn check_compatible(versions: VersionSet, protocols: Protocols) -> Result<Protocols, String> {
    let usable = protocols.intersect(Protocols::of_versions(versions));
    if usable.is_empty() {
        return Err(format!(
            "None of the enabled OpenFlow versions ({}) supports any of the enabled flow \
             formats ({}).  (Use -O to enable additional OpenFlow versions or -F to enable \
             additional flow formats.)",
            format_versions(versions),
            protocols
        ));
    }
    Ok(usable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_sets() {
        assert_eq!(Protocols::ANY.to_names(), "any");
        let p = Protocols::OXM_ANY
            .union(Protocols::OF10_STD_TID)
            .union(Protocols::OF10_NXM_TID)
            .union(Protocols::OF11_STD);
        assert_eq!(
            p.to_names(),
            "OXM,OpenFlow10+table_id,NXM+table_id,OpenFlow11"
        );
        assert_eq!(
            Protocols::OF10_NXM_ANY
                .union(Protocols::OXM_ANY)
                .union(Protocols::OF11_STD)
                .to_names(),
            "NXM,OXM,OpenFlow11"
        );
        assert_eq!(Protocols::NONE.to_names(), "none");
    }

    #[test]
    fn parsing() {
        assert_eq!(
            Protocols::parse_list("nxm,,oxm"),
            Ok(Protocols::OF10_NXM_ANY.union(Protocols::OXM_ANY))
        );
        assert_eq!(
            Protocols::parse_list(",").unwrap_err(),
            ",: no flow protocol specified"
        );
        assert_eq!(
            Protocols::parse_list(" nxm").unwrap_err(),
            " nxm: unknown flow protocol"
        );
        let v = parse_versions("OpenFlow10, openflow13").unwrap();
        assert_eq!(format_versions(v), "OpenFlow10, OpenFlow13");
        assert_eq!(
            parse_versions("OF1.3").unwrap_err(),
            "Unknown OpenFlow version: \"OF1.3\""
        );
        let e =
            check_compatible(VersionSet::single(Version::Of10), Protocols::OXM_ANY).unwrap_err();
        assert!(e.starts_with("None of the enabled OpenFlow versions (OpenFlow10) supports any of the enabled flow formats (OXM)."));
    }
}
