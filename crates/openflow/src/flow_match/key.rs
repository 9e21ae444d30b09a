//! The flow key: every matchable header and metadata value at a fixed byte
//! offset in one flat array (network byte order), in the spirit of the
//! reference's `struct flow`. A match is a key plus a mask of the same layout;
//! a switch can extract packets into the same layout and classify with
//! plain byte-wise AND and compare.
//!
//! Some fields share storage, as in the reference, because they are views of
//! the same packet bytes: `arp_spa`/`arp_tpa` live in `nw_src`/`nw_dst`,
//! `arp_op` in `nw_proto`, ICMP type/code in `tp_src`/`tp_dst`, `nd_sll`/`nd_tll`
//! in `arp_sha`/`arp_tha`; `vlan_vid`, `vlan_pcp`, `dl_vlan` are bits of
//! `vlan_tci`; the MPLS fields are bits of one label stack entry; `nw_tos`,
//! `ip_dscp`, `nw_ecn` are bits of the TOS byte; `xregN`/`xxregN` are
//! consecutive registers. tun_metadata is kept outside the key.

/// A storage slot: byte offset and length in the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub ofs: usize,
    pub len: usize,
}

macro_rules! layout {
    ($($name:ident : $len:expr),* $(,)?) => {
        #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
        #[derive(Clone, Copy)]
        #[repr(usize)]
        enum Lens { $($name),* }
        const LENS: &[usize] = &[$($len),*];
        const fn offset_of(i: usize) -> usize {
            let mut ofs = 0;
            let mut k = 0;
            while k < i {
                ofs += LENS[k];
                k += 1;
            }
            ofs
        }
        $(
            pub const $name: Slot = Slot { ofs: offset_of(Lens::$name as usize), len: $len };
        )*
        /// Total bytes of a flow key.
        pub const KEY_LEN: usize = offset_of(LENS.len());
    };
}

layout! {
    // Tunnel.
    TUN_ID: 8,
    TUN_SRC: 4,
    TUN_DST: 4,
    TUN_IPV6_SRC: 16,
    TUN_IPV6_DST: 16,
    TUN_FLAGS: 2,
    TUN_GBP_ID: 2,
    TUN_GBP_FLAGS: 1,
    TUN_ERSPAN_VER: 1,
    TUN_ERSPAN_IDX: 4,
    TUN_ERSPAN_DIR: 1,
    TUN_ERSPAN_HWID: 1,
    TUN_GTPU_FLAGS: 1,
    TUN_GTPU_MSGTYPE: 1,
    // Metadata.
    METADATA: 8,
    REGS: 64,
    SKB_PRIORITY: 4,
    PKT_MARK: 4,
    DP_HASH: 4,
    RECIRC_ID: 4,
    CONJ_ID: 4,
    IN_PORT: 2,
    ACTSET_OUTPUT: 2,
    PACKET_TYPE: 4,
    // Connection tracking.
    CT_STATE: 4,
    CT_ZONE: 2,
    CT_MARK: 4,
    CT_LABEL: 16,
    CT_NW_PROTO: 1,
    CT_NW_SRC: 4,
    CT_NW_DST: 4,
    CT_IPV6_SRC: 16,
    CT_IPV6_DST: 16,
    CT_TP_SRC: 2,
    CT_TP_DST: 2,
    // L2.
    DL_DST: 6,
    DL_SRC: 6,
    DL_TYPE: 2,
    VLAN_TCI: 2,
    MPLS_LSE: 4,
    // L3.
    NW_SRC: 4,
    NW_DST: 4,
    IPV6_SRC: 16,
    IPV6_DST: 16,
    IPV6_LABEL: 4,
    NW_FRAG: 1,
    NW_TOS: 1,
    NW_TTL: 1,
    NW_PROTO: 1,
    ND_TARGET: 16,
    ARP_SHA: 6,
    ARP_THA: 6,
    ND_RESERVED: 4,
    ND_OPTIONS_TYPE: 1,
    // NSH.
    NSH_FLAGS: 1,
    NSH_TTL: 1,
    NSH_MDTYPE: 1,
    NSH_NP: 1,
    NSH_SPI: 4,
    NSH_SI: 1,
    NSH_C: 16,
    // L4.
    TP_SRC: 2,
    TP_DST: 2,
    TCP_FLAGS: 2,
}

impl Slot {
    pub const fn sub(self, ofs: usize, len: usize) -> Slot {
        Slot {
            ofs: self.ofs + ofs,
            len,
        }
    }
    pub fn range(self) -> std::ops::Range<usize> {
        self.ofs..self.ofs + self.len
    }
}

/// One flow key (or mask) in network byte order.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FlowKey(pub [u8; KEY_LEN]);

impl Default for FlowKey {
    fn default() -> FlowKey {
        FlowKey([0; KEY_LEN])
    }
}

impl std::fmt::Debug for FlowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Only the non-zero bytes, by offset, keep debug output readable.
        let nz: Vec<(usize, u8)> = self
            .0
            .iter()
            .enumerate()
            .filter(|(_, b)| **b != 0)
            .map(|(i, b)| (i, *b))
            .collect();
        write!(f, "FlowKey{nz:?}")
    }
}

impl FlowKey {
    pub fn get(&self, s: Slot) -> &[u8] {
        &self.0[s.range()]
    }
    pub fn get_mut(&mut self, s: Slot) -> &mut [u8] {
        &mut self.0[s.range()]
    }
    pub fn is_zero(&self, s: Slot) -> bool {
        self.get(s).iter().all(|b| *b == 0)
    }
    pub fn is_ones(&self, s: Slot) -> bool {
        self.get(s).iter().all(|b| *b == 0xff)
    }
    /// The slot as an unsigned integer (slots of at most 8 bytes).
    pub fn uint(&self, s: Slot) -> u64 {
        self.get(s).iter().fold(0, |a, b| (a << 8) | u64::from(*b))
    }
    pub fn set_uint(&mut self, s: Slot, v: u64) {
        let n = s.len;
        for (i, b) in self.get_mut(s).iter_mut().enumerate() {
            *b = (v >> (8 * (n - 1 - i))) as u8;
        }
    }
    pub fn u16(&self, s: Slot) -> u16 {
        self.uint(s) as u16
    }
    pub fn u8(&self, s: Slot) -> u8 {
        self.uint(s) as u8
    }
    pub fn u32(&self, s: Slot) -> u32 {
        self.uint(s) as u32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_contiguous() {
        assert_eq!(TUN_ID.ofs, 0);
        assert_eq!(TUN_SRC.ofs, 8);
        assert_eq!(TCP_FLAGS.ofs + TCP_FLAGS.len, KEY_LEN);
        let mut k = FlowKey::default();
        k.set_uint(VLAN_TCI, 0x1234);
        assert_eq!(k.u16(VLAN_TCI), 0x1234);
        assert_eq!(k.get(VLAN_TCI), [0x12, 0x34]);
    }
}
