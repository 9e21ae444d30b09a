//! Flow protocols: a version plus, for OF1.0, the flow format (standard
//! ofp_match or NXM) and whether flow_mods carry a table id. A flow, match or
//! action list says which protocols can express it ("usable protocols"), and
//! ovs-ofctl picks one the switch speaks.

use crate::version::Version;

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
