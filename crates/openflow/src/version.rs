//! OpenFlow protocol versions and the version bitmaps of hello negotiation.

use std::fmt;

/// An OpenFlow wire version. The discriminant is the `ofp_header.version` byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Version {
    Of10 = 1,
    Of11 = 2,
    Of12 = 3,
    Of13 = 4,
    Of14 = 5,
    Of15 = 6,
}

impl Version {
    pub const ALL: [Version; 6] = [
        Version::Of10,
        Version::Of11,
        Version::Of12,
        Version::Of13,
        Version::Of14,
        Version::Of15,
    ];

    pub fn from_wire(byte: u8) -> Option<Version> {
        Version::ALL.get(usize::from(byte).wrapping_sub(1)).copied()
    }

    pub fn wire(self) -> u8 {
        self as u8
    }

    /// The name `-O`/`protocols=` use: "OpenFlow13".
    pub fn name(self) -> &'static str {
        match self {
            Version::Of10 => "OpenFlow10",
            Version::Of11 => "OpenFlow11",
            Version::Of12 => "OpenFlow12",
            Version::Of13 => "OpenFlow13",
            Version::Of14 => "OpenFlow14",
            Version::Of15 => "OpenFlow15",
        }
    }

    /// The short form in ofp-print headers: "OF1.3".
    pub fn short_name(self) -> &'static str {
        match self {
            Version::Of10 => "OF1.0",
            Version::Of11 => "OF1.1",
            Version::Of12 => "OF1.2",
            Version::Of13 => "OF1.3",
            Version::Of14 => "OF1.4",
            Version::Of15 => "OF1.5",
        }
    }

    /// Accepts "OpenFlow13", "OF13", "OF1.3" (case-insensitive), as ovs-ofctl's `-O` does.
    pub fn parse(name: &str) -> Option<Version> {
        let lower = name.to_ascii_lowercase();
        Version::ALL.into_iter().find(|v| {
            let digits = &v.name()[8..]; // "13"
            lower == v.name().to_ascii_lowercase()
                || lower == format!("of{digits}")
                || lower == v.short_name().to_ascii_lowercase()
        })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of versions, as carried by the hello message's version bitmap element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Hash)]
pub struct VersionSet(pub u32);

impl VersionSet {
    pub const ALL: VersionSet = VersionSet(0b111_1110);

    pub fn single(v: Version) -> VersionSet {
        VersionSet(1 << v.wire())
    }
    pub fn contains(self, v: Version) -> bool {
        self.0 & (1 << v.wire()) != 0
    }
    pub fn insert(&mut self, v: Version) {
        self.0 |= 1 << v.wire();
    }
    pub fn is_empty(self) -> bool {
        self.0 & Self::ALL.0 == 0
    }
    pub fn intersect(self, other: VersionSet) -> VersionSet {
        VersionSet(self.0 & other.0)
    }
    pub fn highest(self) -> Option<Version> {
        Version::ALL.into_iter().rev().find(|v| self.contains(*v))
    }
    pub fn lowest(self) -> Option<Version> {
        Version::ALL.into_iter().find(|v| self.contains(*v))
    }
    pub fn iter(self) -> impl Iterator<Item = Version> {
        Version::ALL.into_iter().filter(move |v| self.contains(*v))
    }
    /// Every version up to and including `v` (what a hello without a bitmap means).
    pub fn up_to(v: Version) -> VersionSet {
        VersionSet(((1u32 << (v.wire() + 1)) - 1) & Self::ALL.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names() {
        assert_eq!(Version::parse("OpenFlow13"), Some(Version::Of13));
        assert_eq!(Version::parse("of15"), Some(Version::Of15));
        assert_eq!(Version::parse("OF1.0"), Some(Version::Of10));
        assert_eq!(Version::parse("OpenFlow16"), None);
        assert_eq!(Version::from_wire(0), None);
        assert_eq!(Version::from_wire(7), None);
        assert_eq!(Version::from_wire(4), Some(Version::Of13));
    }

    #[test]
    fn sets() {
        let s = VersionSet::up_to(Version::Of13);
        assert!(s.contains(Version::Of10) && s.contains(Version::Of13));
        assert!(!s.contains(Version::Of14));
        assert_eq!(s.highest(), Some(Version::Of13));
        assert_eq!(VersionSet::ALL.lowest(), Some(Version::Of10));
    }
}
